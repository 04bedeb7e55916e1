import { describe, expect, it } from 'vitest';
import type { WireRow } from '@ovsdb-web/client/core';
import { applyServerMessage, createSubscriptionState } from './stream-state.js';
import type { RowDelta } from './stream.js';
import { TableRows } from './table-rows.js';

const row = (uuid: string, n: number): WireRow => ({ _uuid: ['uuid', uuid], n });
const names = (s: ReturnType<typeof createSubscriptionState>, table = 'T'): Record<string, unknown> =>
  Object.fromEntries([...(s.rows.get(table) ?? new TableRows())].map(([u, r]) => [u, r.n]));

function live(rows: WireRow[] = [row('a', 1)]): ReturnType<typeof createSubscriptionState> {
  const s = createSubscriptionState('s');
  applyServerMessage(s, { type: 'subscribed', id: 's', epoch: 'e', seq: 5, resumed: false, tables: ['T'] });
  applyServerMessage(s, { type: 'snapshot', id: 's', epoch: 'e', seq: 5, table: 'T', rows, last: true });
  return s;
}

const delta = (seq: number, changes: RowDelta[]) => ({
  type: 'delta' as const,
  id: 's',
  epoch: 'e',
  seq,
  time: 0,
  changes,
});

describe('applyServerMessage', () => {
  it('stages snapshot chunks and swaps them in whole on the last one', () => {
    const s = createSubscriptionState('s');
    expect(
      applyServerMessage(s, { type: 'subscribed', id: 's', epoch: 'e', seq: 5, resumed: false, tables: ['T', 'U'] }),
    ).toEqual({ kind: 'subscribed', resumed: false });
    expect(s.phase).toBe('snapshot');
    expect(
      applyServerMessage(s, {
        type: 'snapshot',
        id: 's',
        epoch: 'e',
        seq: 5,
        table: 'T',
        rows: [row('a', 1)],
        last: false,
      }),
    ).toEqual({ kind: 'snapshot-chunk', chunk: { table: 'T', rows: [row('a', 1)] } });
    expect(s.rows.size).toBe(0);
    expect(
      applyServerMessage(s, {
        type: 'snapshot',
        id: 's',
        epoch: 'e',
        seq: 5,
        table: 'T',
        rows: [row('b', 2)],
        last: true,
      }),
    ).toEqual({ kind: 'snapshot', tables: ['T', 'U'], chunk: { table: 'T', rows: [row('b', 2)] } });
    expect(names(s)).toEqual({ a: 1, b: 2 });
    expect(names(s, 'U')).toEqual({});
    expect(s.cursor).toEqual({ epoch: 'e', seq: 5 });
    expect(s.phase).toBe('live');
  });

  it('applies deltas in order and reports each row before and after', () => {
    const s = live([row('a', 1), row('b', 2)]);
    const applied = applyServerMessage(
      s,
      delta(6, [
        { table: 'T', uuid: 'c', kind: 'insert', row: row('c', 3) },
        { table: 'T', uuid: 'a', kind: 'modify', row: row('a', 10), columns: ['n'] },
        { table: 'T', uuid: 'b', kind: 'delete' },
      ]),
    );
    expect(applied).toEqual({
      kind: 'delta',
      resync: false,
      time: 0,
      changes: [
        { table: 'T', uuid: 'c', kind: 'insert', row: row('c', 3) },
        { table: 'T', uuid: 'a', kind: 'modify', row: row('a', 10), old: row('a', 1), columns: ['n'] },
        { table: 'T', uuid: 'b', kind: 'delete', old: row('b', 2) },
      ],
    });
    expect(names(s)).toEqual({ a: 10, c: 3 });
    expect(s.cursor).toEqual({ epoch: 'e', seq: 6 });
  });

  it('ignores a delta it has already applied, and one from another epoch', () => {
    const s = live();
    applyServerMessage(s, delta(6, [{ table: 'T', uuid: 'a', kind: 'modify', row: row('a', 2), columns: ['n'] }]));
    expect(
      applyServerMessage(s, delta(6, [{ table: 'T', uuid: 'a', kind: 'modify', row: row('a', 3), columns: ['n'] }]))
        .kind,
    ).toBe('ignored');
    expect(applyServerMessage(s, { ...delta(7, []), epoch: 'other' }).kind).toBe('ignored');
    expect(names(s)).toEqual({ a: 2 });
  });

  it('keeps the rows through a resync until the fresh snapshot is complete', () => {
    const s = live([row('a', 1)]);
    expect(applyServerMessage(s, { type: 'resync', id: 's', reason: 'slow' })).toEqual({
      kind: 'resync',
      reason: 'slow',
    });
    applyServerMessage(s, {
      type: 'snapshot',
      id: 's',
      epoch: 'e',
      seq: 9,
      table: 'T',
      rows: [row('b', 2)],
      last: false,
    });
    expect(names(s)).toEqual({ a: 1 });
    expect(applyServerMessage(s, delta(10, [])).kind).toBe('ignored');
    applyServerMessage(s, { type: 'snapshot', id: 's', epoch: 'e', seq: 9, table: 'T', rows: [], last: true });
    expect(names(s)).toEqual({ b: 2 });
    expect(s.cursor).toEqual({ epoch: 'e', seq: 9 });
  });

  it('resumes from its own cursor when the gateway still had the batches', () => {
    const s = live();
    applyServerMessage(s, delta(7, []));
    expect(
      applyServerMessage(s, { type: 'subscribed', id: 's', epoch: 'e', seq: 12, resumed: true, tables: ['T'] }),
    ).toEqual({ kind: 'subscribed', resumed: true });
    expect(s.cursor).toEqual({ epoch: 'e', seq: 7 });
    applyServerMessage(s, delta(8, [{ table: 'T', uuid: 'a', kind: 'modify', row: row('a', 5), columns: ['n'] }]));
    expect(names(s)).toEqual({ a: 5 });
  });

  it('a change-log subscription is live at once and takes the old row from the gateway', () => {
    const s = createSubscriptionState('s', { snapshot: false });
    applyServerMessage(s, { type: 'subscribed', id: 's', epoch: 'e', seq: 3, resumed: false, tables: ['T'] });
    expect(s.phase).toBe('live');
    const applied = applyServerMessage(s, delta(4, [{ table: 'T', uuid: 'x', kind: 'delete', old: row('x', 1) }]));
    expect(applied).toMatchObject({ kind: 'delta', changes: [{ uuid: 'x', kind: 'delete', old: row('x', 1) }] });
  });

  it('fails on an error about the subscription', () => {
    const s = createSubscriptionState('s');
    expect(
      applyServerMessage(s, { type: 'error', id: 's', error: { code: 'not_found', message: 'no such table' } }).kind,
    ).toBe('error');
    expect(s.phase).toBe('failed');
    expect(s.error?.code).toBe('not_found');
  });
});
