import { describe, expect, it } from 'vitest';
import { parseDatabaseSchema, type TableSchema } from '@ovsdb-web/client/core';
import { mayHoldBigIntegers } from './rows.js';

const schema = parseDatabaseSchema({
  name: 'D',
  version: '1.0.0',
  tables: {
    Port: {
      columns: {
        name: { type: 'string' },
        tag: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 } },
        mtu: { type: { key: { type: 'integer', enum: ['set', [1500, 9000]] } } },
        options: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
    Global: { columns: { cfg: { type: 'integer' }, name: { type: 'string' } } },
    Queue: {
      columns: { rates: { type: { key: 'string', value: { type: 'integer', minInteger: 0 }, max: 'unlimited' } } },
    },
    Huge: { columns: { id: { type: { key: { type: 'integer', enum: 2 ** 53 } } } } },
  },
});
const table = (name: string): TableSchema => schema.tables.get(name) as TableSchema;

describe('mayHoldBigIntegers', () => {
  it('is false only when every integer column has a range or enum inside ±(2^53 − 1)', () => {
    expect(mayHoldBigIntegers(table('Port'))).toBe(false);
    expect(mayHoldBigIntegers(table('Global'))).toBe(true);
    // A map's value counts; a range open at one end is not a range.
    expect(mayHoldBigIntegers(table('Queue'))).toBe(true);
    expect(mayHoldBigIntegers(table('Huge'))).toBe(true);
  });

  it('looks only at the columns asked for', () => {
    expect(mayHoldBigIntegers(table('Global'), ['name'])).toBe(false);
    expect(mayHoldBigIntegers(table('Global'), ['name', 'cfg'])).toBe(true);
  });
});
