import { describe, expect, it } from 'vitest';
import { parseColumnType, type ColumnType } from '../schema/schema.js';
import type { Json } from '../wire/json.js';
import { datumFromWire, datumToWire } from './datum.js';
import type { Datum } from './value.js';
import { applyDiff, diffDatum } from './diff.js';

const type = (json: Json): ColumnType => parseColumnType(json, 'type');
const SSET = type({ key: 'string', min: 0, max: 'unlimited' });
const SMAP = type({ key: 'string', value: 'string', min: 0, max: 'unlimited' });
const OPT_INT = type({ key: 'integer', min: 0, max: 1 });
const OPT_MAP = type({ key: 'string', value: 'string', min: 0, max: 1 });

function roundTrip(t: ColumnType, oldWire: Json, newWire: Json): Json | undefined {
  const old = datumFromWire(t, oldWire);
  const next = datumFromWire(t, newWire);
  const diff = diffDatum(t, old, next);
  const applied: Datum = diff === undefined ? old : applyDiff(t, old, diff);
  expect(datumToWire(t, applied)).toEqual(datumToWire(t, next));
  return diff;
}

describe('diffDatum / applyDiff', () => {
  it('matches the update2 captures of ovsdb-server 3.1.0', () => {
    // options {x:1} -> {x:2,y:3}; addresses [a,b] -> [b]
    expect(
      roundTrip(
        SMAP,
        ['map', [['x', '1']]],
        [
          'map',
          [
            ['x', '2'],
            ['y', '3'],
          ],
        ],
      ),
    ).toEqual([
      'map',
      [
        ['x', '2'],
        ['y', '3'],
      ],
    ]);
    expect(roundTrip(SSET, ['set', ['a', 'b']], 'b')).toBe('a');
    // other_config {a:1,b:2} -> {b:2,c:3}: removed pair, added pair
    expect(
      roundTrip(
        SMAP,
        [
          'map',
          [
            ['a', '1'],
            ['b', '2'],
          ],
        ],
        [
          'map',
          [
            ['b', '2'],
            ['c', '3'],
          ],
        ],
      ),
    ).toEqual([
      'map',
      [
        ['a', '1'],
        ['c', '3'],
      ],
    ]);
  });
  it('sends the new value for scalars and max-1 columns', () => {
    expect(roundTrip(type('integer'), 5, 15)).toBe(15);
    expect(roundTrip(OPT_INT, ['set', []], 3)).toBe(3);
    expect(roundTrip(OPT_INT, 3, ['set', []])).toEqual(['set', []]);
    expect(roundTrip(OPT_MAP, ['map', [['a', '1']]], ['map', [['a', '2']]])).toEqual(['map', [['a', '2']]]);
  });
  it('returns undefined for equal values', () => {
    expect(roundTrip(SSET, ['set', ['a', 'b']], ['set', ['b', 'a']])).toBeUndefined();
    expect(roundTrip(type('string'), 'x', 'x')).toBeUndefined();
    expect(roundTrip(SMAP, ['map', []], ['map', []])).toBeUndefined();
  });
  it('toggles many set members in one linear pass', () => {
    const old = Array.from({ length: 1000 }, (_, i) => `p${String(i).padStart(4, '0')}`);
    const next = old.filter((_, i) => i % 3 !== 0).concat(['q1', 'q2']);
    const diff = roundTrip(SSET, ['set', old], ['set', next]) as [string, string[]];
    expect(diff[1].length).toBe(334 + 2);
  });
  it('rejects a result that breaks the size limits', () => {
    const t = type({ key: 'integer', min: 1, max: 2 });
    expect(() => applyDiff(t, [1], ['set', [2, 3]])).toThrow('Datum crated by diff has size error');
    expect(() => applyDiff(t, [1], 1)).toThrow('Datum crated by diff has size error');
  });
  it('validates the diff value', () => {
    expect(() => applyDiff(SMAP, new Map(), ['set', []])).toThrow('expected ["map", <array>]');
    expect(() => applyDiff(type('integer'), 1, 'x')).toThrow('expected integer');
  });
});
