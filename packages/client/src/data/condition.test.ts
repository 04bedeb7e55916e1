import { describe, expect, it } from 'vitest';
import { errorOf } from './test-support.js';
import { parseTableSchema } from '../schema/schema.js';
import type { Json } from '../wire/json.js';
import type { Row } from './value.js';
import { conditionsToWire, evaluateConditions, parseCondition, parseConditions } from './condition.js';
import { rowFromWire } from './row.js';

const table = parseTableSchema('ACL', {
  columns: {
    priority: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 32767 } } },
    name: { type: { key: 'string', min: 0, max: 1 } },
    ports: { type: { key: 'string', min: 0, max: 'unlimited' } },
    options: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
    weight: { type: { key: 'real', min: 0, max: 1 } },
  },
});

const matches = (where: Json, row: Row, mode: 'all' | 'any' = 'all'): boolean =>
  evaluateConditions(parseConditions(table, where), row, mode);

describe('parseConditions', () => {
  it('reports malformed clauses, unknown columns and functions like ovsdb-server', () => {
    const p = errorOf(() => parseConditions(table, [['priority', '==']]));
    expect([p.error, p.details, p.syntax]).toEqual(['syntax error', 'Parse error in condition.', '["priority","=="]']);
    const c = errorOf(() => parseConditions(table, [['nope', '==', 1]]));
    expect([c.error, c.details, c.syntax]).toEqual([
      'unknown column',
      'No column nope in table ACL.',
      '["nope","==",1]',
    ]);
    const f = errorOf(() => parseConditions(table, [['priority', '=~', 1]]));
    expect([f.error, f.details, f.syntax]).toEqual(['unknown function', 'No function named =~.', undefined]);
    expect(errorOf(() => parseConditions(table, { a: 1 })).error).toBe('syntax error');
  });
  it('accepts named uuids only when the caller is a transaction', () => {
    const where: Json = [['_uuid', '==', ['named-uuid', 'row1']]];
    expect(errorOf(() => parseConditions(table, where)).details).toBe('expected ["uuid", <string>]');
    expect(conditionsToWire(parseConditions(table, where, { namedUuids: 'allow' }))).toEqual(where);
  });
  it('checks the argument against the column constraints', () => {
    expect(errorOf(() => parseCondition(table, ['priority', '<', 40000])).details).toBe(
      '40000 is not in the valid range 0 to 32767 (inclusive)',
    );
  });
  it('refuses orderings on sets and maps', () => {
    expect(errorOf(() => parseCondition(table, ['ports', '<', 'a'])).details).toBe(
      'Type mismatch: "<" operator may not be applied to column ports of type set of strings.',
    );
    expect(errorOf(() => parseCondition(table, ['options', '>=', ['map', []]])).details).toBe(
      'Type mismatch: ">=" operator may not be applied to column options of type map of (string, string) pairs.',
    );
  });
  it('puts clauses in ovsdb-server order and encodes them back', () => {
    const conds = parseConditions(table, [
      ['priority', '!=', 1],
      true,
      ['ports', 'includes', ['set', ['b', 'a']]],
      ['_uuid', '==', ['uuid', '550e8400-e29b-41d4-a716-446655440000']],
    ]);
    expect(conditionsToWire(conds)).toEqual([
      true,
      ['_uuid', '==', ['uuid', '550e8400-e29b-41d4-a716-446655440000']],
      ['ports', 'includes', ['set', ['a', 'b']]],
      ['priority', '!=', 1],
    ]);
  });
});

describe('evaluateConditions', () => {
  const row = rowFromWire(table, {
    priority: 100,
    name: 'allow-web',
    ports: ['set', ['p1', 'p2', 'p3']],
    options: [
      'map',
      [
        ['log', 'true'],
        ['severity', 'info'],
      ],
    ],
  });
  it('evaluates scalars, optionals, sets and maps', () => {
    expect(
      matches(
        [
          ['priority', '>=', 100],
          ['priority', '<', 101],
        ],
        row,
      ),
    ).toBe(true);
    expect(matches([['name', '==', 'allow-web']], row)).toBe(true);
    expect(matches([['ports', 'includes', ['set', ['p1', 'p3']]]], row)).toBe(true);
    expect(matches([['ports', 'includes', ['set', ['p1', 'p4']]]], row)).toBe(false);
    expect(matches([['ports', 'excludes', ['set', ['p4', 'p5']]]], row)).toBe(true);
    expect(matches([['options', 'includes', ['map', [['log', 'true']]]]], row)).toBe(true);
    expect(matches([['options', 'includes', ['map', [['log', 'false']]]]], row)).toBe(false);
    expect(matches([['options', 'excludes', ['map', [['log', 'false']]]]], row)).toBe(true);
  });
  it('gives missing columns their default value', () => {
    expect(matches([['weight', '==', ['set', []]]], row)).toBe(true);
    expect(matches([['weight', '<', 1]], row)).toBe(false);
    expect(matches([['weight', '!=', 1.5]], row)).toBe(true);
    expect(matches([['priority', '==', 0]], {})).toBe(true);
    expect(matches([['_uuid', '==', ['uuid', '00000000-0000-0000-0000-000000000000']]], {})).toBe(true);
  });
  it('supports any-clause mode and constants', () => {
    expect(
      matches(
        [
          ['priority', '==', 1],
          ['priority', '==', 100],
        ],
        row,
        'any',
      ),
    ).toBe(true);
    expect(
      matches(
        [
          ['priority', '==', 1],
          ['priority', '==', 100],
        ],
        row,
        'all',
      ),
    ).toBe(false);
    expect(matches([false], row, 'any')).toBe(false);
    expect(matches([false, true], row, 'any')).toBe(true);
    expect(matches([false, true], row, 'all')).toBe(false);
    expect(matches([], row, 'any')).toBe(true);
  });
});
