import { describe, expect, it } from 'vitest';
import { OvsdbError } from '../wire/errors.js';
import { parseTableSchema } from '../schema/schema.js';
import { rowFromWire, rowToWire } from './row.js';

const table = parseTableSchema('Port', {
  columns: {
    name: { type: 'string' },
    tag: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 } },
    trunks: { type: { key: 'integer', min: 0, max: 4096 } },
    external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
    constructor: { type: 'boolean' },
  },
});
const U = '550e8400-e29b-41d4-a716-446655440000';

describe('rowFromWire', () => {
  it('decodes every column, including _uuid and _version', () => {
    const row = rowFromWire(table, {
      _uuid: ['uuid', U],
      _version: ['uuid', U.toUpperCase()],
      name: 'eth0',
      tag: 5,
      trunks: ['set', [20, 10]],
      external_ids: [
        'map',
        [
          ['b', '2'],
          ['a', '1'],
        ],
      ],
    });
    expect(row).toEqual({
      _uuid: U,
      _version: U,
      name: 'eth0',
      tag: [5],
      trunks: [10, 20],
      external_ids: new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    });
  });
  it('reports unknown columns like ovsdb-server', () => {
    let err: unknown;
    try {
      rowFromWire(table, { nope: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OvsdbError);
    expect((err as OvsdbError).error).toBe('unknown column');
    expect((err as OvsdbError).details).toBe('No column nope in table Port.');
  });
  it('fills defaults on request, even for a column named like an Object member', () => {
    expect(rowFromWire(table, { name: 'x' }, { fillDefaults: true })).toEqual({
      name: 'x',
      tag: [],
      trunks: [],
      external_ids: new Map(),
      constructor: false,
    });
    expect(rowFromWire(table, { name: 'x' })).toEqual({ name: 'x' });
  });
  it('propagates value errors', () => {
    expect(() => rowFromWire(table, { tag: 5000 })).toThrow('5000 is not in the valid range 0 to 4095 (inclusive)');
    expect(() => rowFromWire(table, [])).toThrow(OvsdbError);
  });
});

describe('rowToWire', () => {
  it('encodes as ovsdb-server does and round-trips', () => {
    const wire = {
      _uuid: ['uuid', U],
      name: 'eth0',
      tag: 5,
      trunks: ['set', [10, 20]],
      external_ids: ['map', [['a', '1']]],
    };
    expect(rowToWire(table, rowFromWire(table, wire))).toEqual(wire);
    expect(rowToWire(table, { tag: [] })).toEqual({ tag: ['set', []] });
    expect(() => rowToWire(table, { nope: 1 })).toThrow('No column nope in table Port.');
  });
});
