import { describe, expect, it } from 'vitest';
import { errorOf } from './test-support.js';
import { OvsdbError } from '../wire/errors.js';
import { parseColumnType, type ColumnType } from '../schema/schema.js';
import { stringifyJson, type Json } from '../wire/json.js';
import { NamedUuid } from './value.js';
import {
  EMPTY_MAP,
  EMPTY_SET,
  datumEquals,
  datumFromValue,
  datumDecoder,
  datumFromWire,
  datumToWire,
  defaultDatum,
  isDefaultDatum,
  typeToEnglish,
} from './datum.js';

const type = (json: Json): ColumnType => parseColumnType(json, 'type');
const INT = type('integer');
const OPT_STR = type({ key: 'string', min: 0, max: 1 });
const INT_SET = type({ key: 'integer', min: 0, max: 'unlimited' });
const STR_SET3 = type({ key: 'string', min: 0, max: 3 });
const SMAP = type({ key: 'string', value: 'string', min: 0, max: 'unlimited' });
const IMAP = type({ key: 'integer', value: 'boolean', min: 0, max: 'unlimited' });
const UUID_SET = type({ key: { type: 'uuid', refTable: 'T' }, min: 1, max: 'unlimited' });

describe('datumFromWire', () => {
  it('decodes scalars bare or as a one-element set', () => {
    expect(datumFromWire(INT, 5)).toBe(5);
    expect(datumFromWire(INT, ['set', [5]])).toBe(5);
    const e = errorOf(() => datumFromWire(INT, ['set', [1, 2]]));
    expect([e.error, e.details, e.syntax]).toEqual([
      'syntax error',
      'set must have exactly one member but 2 are present',
      '["set",[1,2]]',
    ]);
  });
  it('decodes optional columns as arrays', () => {
    expect(datumFromWire(OPT_STR, 'x')).toEqual(['x']);
    expect(datumFromWire(OPT_STR, ['set', []])).toBe(EMPTY_SET);
    expect(errorOf(() => datumFromWire(OPT_STR, ['set', ['a', 'b']])).details).toBe(
      'set must have 0 to 1 members but 2 are present',
    );
  });
  it('keeps sorted input as is and sorts the rest', () => {
    const sorted = datumFromWire(INT_SET, ['set', [1, 2, 3]]);
    expect(sorted).toEqual([1, 2, 3]);
    expect(datumFromWire(INT_SET, ['set', [3, 1, 2]])).toEqual([1, 2, 3]);
    expect(datumFromWire(STR_SET3, ['set', ['b', '\u{10000}', '\uffff']])).toEqual(['b', '\uffff', '\u{10000}']);
  });
  it('rejects duplicates as ovsdb-server does', () => {
    const e = errorOf(() => datumFromWire(INT_SET, ['set', [3, 1, 3]]));
    expect([e.error, e.details]).toEqual(['ovsdb error', 'set contains duplicate']);
    const m = errorOf(() =>
      datumFromWire(SMAP, [
        'map',
        [
          ['a', '1'],
          ['a', '2'],
        ],
      ]),
    );
    expect([m.error, m.details]).toEqual(['ovsdb error', 'map contains duplicate key']);
  });
  it('prints unlimited as UINT_MAX in size errors, like ovsdb-server', () => {
    expect(errorOf(() => datumFromWire(UUID_SET, ['set', []])).details).toBe(
      'set must have 1 to 4294967295 members but 0 are present',
    );
  });
  it('decodes maps in key order and insists on the map form', () => {
    const m = datumFromWire(IMAP, [
      'map',
      [
        [3, false],
        [0, true],
        [9007199254740993n, true],
      ],
    ]);
    expect(m).toBeInstanceOf(Map);
    expect([...(m as Map<unknown, unknown>).keys()]).toEqual([0, 3, 9007199254740993n]);
    for (const bad of [{ a: '1' }, [['a', '1']], 'x'] as Json[]) {
      expect(errorOf(() => datumFromWire(SMAP, bad)).details).toBe('expected ["map", <array>]');
    }
    expect(errorOf(() => datumFromWire(SMAP, ['map', [['a']]])).details).toBe('expected 2-element array');
  });
  it('can skip the size check for diff operands', () => {
    expect(datumFromWire(STR_SET3, ['set', ['a', 'b', 'c', 'd']], { checkSize: false })).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('datumToWire', () => {
  it('writes what ovsdb-server writes', () => {
    expect(datumToWire(INT, 5)).toBe(5);
    expect(datumToWire(INT_SET, [7])).toBe(7);
    expect(datumToWire(INT_SET, [])).toEqual(['set', []]);
    expect(datumToWire(INT_SET, [1, 2n ** 62n])).toEqual(['set', [1, 2n ** 62n]]);
    expect(datumToWire(SMAP, new Map([['a', '1']]))).toEqual(['map', [['a', '1']]]);
    expect(datumToWire(SMAP, EMPTY_MAP)).toEqual(['map', []]);
    expect(datumToWire(UUID_SET, ['550e8400-e29b-41d4-a716-446655440000'])).toEqual([
      'uuid',
      '550e8400-e29b-41d4-a716-446655440000',
    ]);
  });
  it('round-trips through datumFromWire', () => {
    const wire: Json = [
      'map',
      [
        ['a', 'x'],
        ['b', 'y'],
      ],
    ];
    expect(datumToWire(SMAP, datumFromWire(SMAP, wire))).toEqual(wire);
  });
});

describe('datumFromValue', () => {
  it('takes bare atoms, arrays and Sets for set columns', () => {
    expect(datumFromValue(INT_SET, 5)).toEqual([5]);
    expect(datumFromValue(INT_SET, [3, 1])).toEqual([1, 3]);
    expect(datumFromValue(INT_SET, new Set([2, 1]))).toEqual([1, 2]);
    expect(datumFromValue(INT_SET, ['set', [2, 1]])).toEqual([1, 2]);
    expect(datumFromValue(OPT_STR, [])).toEqual([]);
    expect(datumFromValue(INT, 7)).toBe(7);
    expect(datumFromValue(INT, [7])).toBe(7);
  });
  it('takes Maps, plain objects and pairs for map columns', () => {
    const expected = new Map([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(datumFromValue(SMAP, { b: '2', a: '1' })).toEqual(expected);
    expect(
      datumFromValue(
        SMAP,
        new Map([
          ['b', '2'],
          ['a', '1'],
        ]),
      ),
    ).toEqual(expected);
    expect(
      datumFromValue(SMAP, [
        ['b', '2'],
        ['a', '1'],
      ]),
    ).toEqual(expected);
    expect(datumFromValue(IMAP, { 10: true, 2: false })).toEqual(
      new Map([
        [2, false],
        [10, true],
      ]),
    );
  });
  it('takes uuids as strings, wire forms and named uuids', () => {
    const u = '550e8400-e29b-41d4-a716-446655440000';
    expect(datumFromValue(UUID_SET, ['uuid', u.toUpperCase()])).toEqual([u]);
    expect(datumFromValue(UUID_SET, [u, new NamedUuid('n')])).toEqual([u, new NamedUuid('n')]);
    expect(datumFromValue(UUID_SET, ['set', [['named-uuid', 'n']]], { column: 'ports' })).toEqual([new NamedUuid('n')]);
    expect(() => datumFromValue(UUID_SET, [['named-uuid', 'n']], { namedUuids: 'reject' })).toThrow(
      'expected ["uuid", <string>]',
    );
  });
  it('validates everything and names the column', () => {
    const e = errorOf(() => datumFromValue(INT_SET, [1, 'x'], { column: 'tags' }));
    expect(e.details).toBe('column tags: expected integer, got string "x"');
    expect(errorOf(() => datumFromValue(STR_SET3, ['a', 'b', 'c', 'd'])).details).toBe(
      'set must have 0 to 3 members but 4 are present',
    );
    expect(errorOf(() => datumFromValue(INT_SET, [1, 1])).details).toBe('set contains duplicate');
    expect(errorOf(() => datumFromValue(SMAP, 'x')).error).toBe('syntax error');
    const limited = type({ key: { type: 'integer', maxInteger: 5 }, min: 0, max: 'unlimited' });
    expect(errorOf(() => datumFromValue(limited, [6])).details).toBe('6 is greater than maximum allowed value 5');
  });
});

describe('defaults and equality', () => {
  it('uses min copies of the atomic default', () => {
    expect(defaultDatum(INT)).toBe(0);
    expect(defaultDatum(type('uuid'))).toBe('00000000-0000-0000-0000-000000000000');
    expect(defaultDatum(INT_SET)).toEqual([]);
    expect(defaultDatum(SMAP)).toEqual(new Map());
    expect(defaultDatum(type({ key: 'integer', min: 1, max: 2 }))).toEqual([0]);
    expect(isDefaultDatum(type('boolean'), false)).toBe(true);
    expect(isDefaultDatum(INT_SET, [0])).toBe(false);
    expect(isDefaultDatum(SMAP, new Map())).toBe(true);
  });
  it('shares one empty map that refuses writes', () => {
    expect(datumFromWire(SMAP, ['map', []])).toBe(EMPTY_MAP);
    expect(() => (EMPTY_MAP as Map<unknown, unknown>).set('a', 'b')).toThrow(TypeError);
    expect(EMPTY_MAP.size).toBe(0);
    expect(Object.isFrozen(EMPTY_SET)).toBe(true);
  });
  it('compares datums', () => {
    expect(datumEquals(INT_SET, [1, 2], [1, 2])).toBe(true);
    expect(datumEquals(INT_SET, [1, 2], [1])).toBe(false);
    expect(datumEquals(SMAP, new Map([['a', '1']]), new Map([['a', '2']]))).toBe(false);
    expect(datumEquals(SMAP, new Map([['a', '1']]), new Map([['a', '1']]))).toBe(true);
    expect(datumEquals(INT, 2n ** 60n, 2n ** 60n)).toBe(true);
  });
  it('describes types in ovsdb-server words', () => {
    expect(typeToEnglish(INT)).toBe('integer');
    expect(typeToEnglish(OPT_STR)).toBe('set of up to 1 strings');
    expect(typeToEnglish(type({ key: 'integer', min: 1, max: 2 }))).toBe('set of 1 to 2 integers');
    expect(typeToEnglish(INT_SET)).toBe('set of integers');
    expect(typeToEnglish(UUID_SET)).toBe('set of 1 or more uuids');
    expect(typeToEnglish(SMAP)).toBe('map of (string, string) pairs');
  });
});

describe('datumDecoder', () => {
  // The decoder is only a faster route to datumFromWire: every value must give the same datum, and every
  // bad value the same error (type, details and syntax), whichever path handled it.
  const U1 = '0a1b2c3d-0000-4000-8000-000000000001';
  const U2 = '0a1b2c3d-0000-4000-8000-000000000002';
  const cases: [ColumnType, Json[]][] = [
    [INT, [5, 0, -0, 2 ** 60, 9007199254740993n, 1.5, '5', ['set', [5]], ['set', []], ['set', [1, 2]], null]],
    [type({ key: { type: 'integer', minInteger: 0, maxInteger: 32767 } }), [0, 32767, 32768, -1, 100]],
    [type({ key: { type: 'integer', enum: ['set', [1, 2]] } }), [1, 3]],
    [type('real'), [1.5, 1, 'x']],
    [type('boolean'), [true, false, 0, ['set', [true]]]],
    [type('string'), ['', 'abc', 'nul\0here', 'lone \ud800', '😀', 5, ['set', ['a']]]],
    [type({ key: { type: 'string', enum: ['set', ['allow', 'drop']] } }), ['allow', 'drop', 'reject']],
    [type({ key: { type: 'string', minLength: 2, maxLength: 3 } }), ['a', 'ab', 'abc', 'abcd', '😀😀', '😀😀😀😀']],
    [
      type({ key: 'uuid', refTable: 'T' }),
      [['uuid', U1], ['uuid', U1.toUpperCase()], ['uuid', 'nope'], ['named-uuid', 'x'], U1, ['uuid']],
    ],
    [OPT_STR, [['set', []], 'a', ['set', ['a']], ['set', ['a', 'b']], ['set'], ['set', 'a']]],
    [INT_SET, [['set', [3, 1, 2]], ['set', [1, 1]], ['set', [1, 2]], 7, ['set', []], ['set', [1, 'x']]]],
    [
      STR_SET3,
      [
        ['set', ['a', 'b', 'c', 'd']],
        ['set', ['b', 'a']],
      ],
    ],
    [
      UUID_SET,
      [
        [
          'set',
          [
            ['uuid', U2],
            ['uuid', U1],
          ],
        ],
        ['uuid', U1],
        ['set', []],
        ['set', [['uuid', 'x']]],
      ],
    ],
    [
      SMAP,
      [
        ['map', []],
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
            ['a', '1'],
          ],
        ],
        [
          'map',
          [
            ['a', '1'],
            ['a', '2'],
          ],
        ],
        ['map', [['a']]],
        ['map', [['a', 1]]],
        ['set', []],
        {},
      ],
    ],
    [
      IMAP,
      [
        [
          'map',
          [
            [1, true],
            [2, false],
          ],
        ],
        [
          'map',
          [
            [2, true],
            [1, false],
          ],
        ],
        ['map', [['1', true]]],
      ],
    ],
    [
      type({ key: 'string', value: 'string', min: 1, max: 1 }),
      [
        ['map', [['k', 'v']]],
        ['map', []],
      ],
    ],
  ];
  const outcome = (fn: () => unknown): unknown => {
    try {
      return { value: fn() };
    } catch (e) {
      if (!(e instanceof OvsdbError)) throw e;
      return { error: e.error, details: e.details, syntax: e.syntax };
    }
  };
  it.each(cases)('decodes %j exactly as datumFromWire does', (t, values) => {
    const decode = datumDecoder(t);
    for (const v of values)
      expect(
        outcome(() => decode(v)),
        stringifyJson(v),
      ).toEqual(outcome(() => datumFromWire(t, v)));
  });
  it('shares the empty set and map', () => {
    expect(datumDecoder(INT_SET)(['set', []])).toBe(EMPTY_SET);
    expect(datumDecoder(SMAP)(['map', []])).toBe(EMPTY_MAP);
  });
});
