import { describe, expect, it } from 'vitest';
import { errorOf } from './test-support.js';
import { parseTableSchema } from '../schema/schema.js';
import type { Json } from '../wire/json.js';
import type { Row } from './value.js';
import { applyMutations, mutationsToWire, parseMutations } from './mutation.js';
import { rowFromWire } from './row.js';

const table = parseTableSchema('T', {
  columns: {
    n: { type: 'integer' },
    r: { type: 'real' },
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- a column named "fixed", not String.prototype.fixed
    fixed: { type: 'integer', mutable: false },
    tags: { type: { key: 'string', min: 0, max: 3 } },
    ext: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
    nums: { type: { key: 'integer', min: 1, max: 'unlimited' } },
  },
});

const mutate = (row: Row, muts: Json) => applyMutations(table, row, parseMutations(table, muts));

describe('parseMutations', () => {
  it('refuses immutable columns, _uuid and _version included', () => {
    for (const col of ['fixed', '_uuid', '_version']) {
      const e = errorOf(() => parseMutations(table, [[col, '+=', 1]]));
      expect(e.error).toBe('constraint violation');
      expect(e.details).toBe(`Cannot mutate immutable column ${col} in table T.`);
    }
  });
  it('reports malformed mutations, unknown columns and mutators', () => {
    expect(errorOf(() => parseMutations(table, [['n', '+=']])).details).toBe('Parse error in mutation.');
    expect(errorOf(() => parseMutations(table, [['x', '+=', 1]])).error).toBe('unknown column');
    const m = errorOf(() => parseMutations(table, [['n', '^=', 1]]));
    expect([m.error, m.details, m.syntax]).toEqual(['unknown mutator', 'No mutator named ^=.', undefined]);
    expect(errorOf(() => parseMutations(table, [['ext', '+=', 1]])).details).toBe(
      'Type mismatch: "+=" operator may not be applied to column ext of type map of (string, string) pairs.',
    );
  });
  it('parses a map delete as pairs or as a set of keys', () => {
    const muts = parseMutations(table, [
      ['ext', 'delete', ['map', [['a', '1']]]],
      ['ext', 'delete', ['set', ['a', 'b']]],
      ['ext', 'delete', 'c'],
    ]);
    expect(mutationsToWire(muts)).toEqual([
      ['ext', 'delete', ['map', [['a', '1']]]],
      ['ext', 'delete', ['set', ['a', 'b']]],
      ['ext', 'delete', 'c'],
    ]);
  });
  it('checks an insert argument against the column size', () => {
    expect(errorOf(() => parseMutations(table, [['tags', 'insert', ['set', ['a', 'b', 'c', 'd']]]])).details).toBe(
      'set must have 0 to 3 members but 4 are present',
    );
  });
});

describe('applyMutations', () => {
  const row = rowFromWire(table, { n: 5, tags: ['set', ['a']], ext: ['map', [['k', 'v']]], nums: 1 });
  it('does int64 arithmetic exactly', () => {
    expect(mutate({ n: 2n ** 62n }, [['n', '+=', 2n ** 62n - 1n]]).row.n).toBe(2n ** 63n - 1n);
    expect(errorOf(() => mutate({ n: 2n ** 62n }, [['n', '+=', 2n ** 62n]])).details).toBe(
      'Result of "+=" operation is out of range.',
    );
    expect(errorOf(() => mutate({ n: -(2n ** 63n) }, [['n', '/=', -1]])).error).toBe('range error');
    expect(errorOf(() => mutate({ n: -(2n ** 63n) }, [['n', '%=', -1]])).error).toBe('range error');
    expect(mutate({ n: -7 }, [['n', '/=', 2]]).row.n).toBe(-3);
    expect(mutate({ n: -7 }, [['n', '%=', 2]]).row.n).toBe(-1);
    expect(mutate({ n: 2n ** 60n }, [['n', '-=', 2n ** 60n]]).row.n).toBe(0);
    expect(errorOf(() => mutate(row, [['n', '%=', 0]])).details).toBe('Division by zero.');
    expect(errorOf(() => mutate(row, [['r', '/=', 0]])).error).toBe('domain error');
  });
  it('inserts into maps without overwriting and deletes by key or by pair', () => {
    expect(
      mutate(row, [
        [
          'ext',
          'insert',
          [
            'map',
            [
              ['k', 'other'],
              ['a', '1'],
            ],
          ],
        ],
      ]).row.ext,
    ).toEqual(
      new Map([
        ['a', '1'],
        ['k', 'v'],
      ]),
    );
    expect(mutate(row, [['ext', 'delete', ['map', [['k', 'other']]]]]).changed).toBe(false);
    expect(mutate(row, [['ext', 'delete', ['map', [['k', 'v']]]]]).row.ext).toEqual(new Map());
    expect(mutate(row, [['ext', 'delete', 'k']]).row.ext).toEqual(new Map());
  });
  it('enforces set sizes after the fact', () => {
    expect(mutate(row, [['tags', 'insert', ['set', ['b', 'c']]]]).row.tags).toEqual(['a', 'b', 'c']);
    const e = errorOf(() =>
      mutate(row, [
        ['tags', 'insert', ['set', ['b', 'c']]],
        ['tags', 'insert', 'd'],
      ]),
    );
    expect([e.error, e.details]).toEqual([
      'constraint violation',
      'Attempted to store 4 elements in set of up to 3 strings.',
    ]);
    expect(errorOf(() => mutate(row, [['nums', 'delete', 1]])).details).toBe(
      'Attempted to store 0 elements in set of 1 or more integers.',
    );
  });
  it('returns the same row when nothing changed and starts missing columns from defaults', () => {
    const same = mutate(row, [
      ['n', '*=', 1],
      ['tags', 'delete', 'zzz'],
    ]);
    expect(same.changed).toBe(false);
    expect(same.row).toBe(row);
    const back = mutate(row, [
      ['n', '+=', 1],
      ['n', '-=', 1],
    ]);
    expect(back).toEqual({ row, changed: false });
    const fresh = mutate({}, [
      ['n', '+=', 3],
      ['tags', 'insert', 'x'],
    ]);
    expect(fresh).toEqual({ row: { n: 3, tags: ['x'] }, changed: true });
    expect(row.n).toBe(5); // the input row is never modified
  });
});
