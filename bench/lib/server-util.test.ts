// The embedded-server benchmark checks each monitor reply's row count against the dataset; these keep
// that check (and the request it rests on) honest.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM JavaScript without type declarations.
import { initialRowCount, median, monitorCondRequest, parseLoadavg, standardRows } from './server-util.mjs';

describe('server benchmark helpers', () => {
  it('asks monitor_cond for every column of every table', () => {
    expect(monitorCondRequest(['ACL', 'Logical_Switch'], 7)).toEqual({
      id: 7,
      method: 'monitor_cond',
      params: ['OVN_Northbound', 'bench', { ACL: [{}], Logical_Switch: [{}] }],
    });
  });

  it('counts the rows of an initial update2 reply by table', () => {
    const result = {
      Logical_Switch: { u1: { initial: { name: 'ls0' } }, u2: { initial: {} } },
      ACL: { u3: { initial: {} } },
      NB_Global: {},
    };
    expect(initialRowCount(result)).toEqual({ total: 3, byTable: { Logical_Switch: 2, ACL: 1, NB_Global: 0 } });
    expect(initialRowCount(null).total).toBe(0);
  });

  it('reads /proc/loadavg, takes medians, and knows the standard dataset sizes of SPEC §6', () => {
    expect(parseLoadavg('2.58 3.67 3.12 4/119 18643\n')).toEqual({ one: 2.58, five: 3.67, fifteen: 3.12 });
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(standardRows(100, 200)).toBe(30_200);
    expect(standardRows(500, 200)).toBe(151_000);
  });
});
