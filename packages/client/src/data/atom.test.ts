import { describe, expect, it } from 'vitest';
import { errorOf } from './test-support.js';
import type { Json } from '../wire/json.js';
import type { BaseType } from '../schema/schema.js';
import { NamedUuid } from './value.js';
import {
  atomEquals,
  atomFromValue,
  atomFromWire,
  atomToString,
  atomToWire,
  checkAtom,
  codePointLength,
  compareAtoms,
  compareUtf8,
  formatReal,
  normalizeInteger,
  utf8Error,
} from './atom.js';

const INT: BaseType = { type: 'integer' };
const REAL: BaseType = { type: 'real' };
const STR: BaseType = { type: 'string' };
const UUID: BaseType = { type: 'uuid' };

describe('integers', () => {
  it('keeps int64 exact and uses number only when safe', () => {
    expect(atomFromWire(INT, 9223372036854775807n)).toBe(9223372036854775807n);
    expect(atomFromWire(INT, -9223372036854775808n)).toBe(-9223372036854775808n);
    expect(atomFromWire(INT, 9007199254740993n)).toBe(9007199254740993n);
    expect(atomFromWire(INT, 5n)).toBe(5);
    expect(atomFromWire(INT, 1e18)).toBe(10n ** 18n);
    expect(Object.is(atomFromWire(INT, -0), 0)).toBe(true);
  });
  it('accepts 1.0 but not 1.5 or anything beyond int64', () => {
    expect(atomFromWire(INT, 1.0)).toBe(1);
    for (const bad of [1.5, 9223372036854775808n, -9223372036854775809n, 1e19, 'x', true] as Json[]) {
      const e = errorOf(() => atomFromWire(INT, bad));
      expect(e.error).toBe('syntax error');
      expect(e.details).toBe('expected integer');
    }
  });
  it('normalizes to one representation', () => {
    expect(normalizeInteger(7n)).toBe(7);
    expect(normalizeInteger(2n ** 60n)).toBe(2n ** 60n);
  });
  it('checks bigint bounds against number values and vice versa', () => {
    const base: BaseType = { type: 'integer', minInteger: 2n ** 60n };
    expect(errorOf(() => atomFromWire(base, 5)).details).toBe(
      '5 is less than minimum allowed value 1152921504606846976',
    );
    expect(atomFromWire(base, 2n ** 61n)).toBe(2n ** 61n);
  });
  it('treats the int64 extremes as no bound, as ovsdb-server does', () => {
    const base: BaseType = { type: 'integer', minInteger: -(2n ** 63n), maxInteger: 10 };
    expect(errorOf(() => atomFromWire(base, 11)).details).toBe('11 is greater than maximum allowed value 10');
  });
});

describe('reals', () => {
  it('accepts integers and bigints', () => {
    expect(atomFromWire(REAL, 3)).toBe(3);
    expect(atomFromWire(REAL, 9223372036854775807n)).toBe(2 ** 63); // the nearest double
  });
  it('clamps the 15-digit rendering of DBL_MAX back to DBL_MAX', () => {
    expect(atomFromWire(REAL, Infinity)).toBe(Number.MAX_VALUE);
    expect(atomFromWire(REAL, -Infinity)).toBe(-Number.MAX_VALUE);
  });
  it('prints like %.15g', () => {
    const cases: [number, string][] = [
      [1e37, '1e+37'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [0.1 + 0.2, '0.3'],
      [-2.5, '-2.5'],
      [123456789012345680000, '1.23456789012346e+20'],
      [100000000000000, '100000000000000'],
      [1e15, '1e+15'],
      [Number.MAX_VALUE, '1.79769313486232e+308'],
      [0, '0'],
    ];
    for (const [x, s] of cases) expect(formatReal(x)).toBe(s);
  });
  it('reports real range errors with %.15g bounds', () => {
    const base: BaseType = { type: 'real', minReal: 0.5, maxReal: 1.25 };
    expect(errorOf(() => atomFromWire(base, 2)).details).toBe('2 is not in the valid range 0.5 to 1.25 (inclusive)');
  });
});

describe('strings', () => {
  it('counts length in code points and reports OVS text', () => {
    expect(codePointLength('a𝄞b')).toBe(3);
    const base: BaseType = { type: 'string', minLength: 2, maxLength: 3 };
    expect(atomFromWire(base, '𝄞𝄞')).toBe('𝄞𝄞');
    expect(errorOf(() => atomFromWire(base, '𝄞')).details).toBe('"𝄞" length 1 is less than minimum allowed length 2');
    expect(errorOf(() => atomFromWire(base, 'abcd')).details).toBe(
      '"abcd" length 4 is greater than maximum allowed length 3',
    );
  });
  it('rejects unpaired surrogates as invalid UTF-8', () => {
    const e = errorOf(() => atomFromWire(STR, 'x\udc00'));
    expect(e.error).toBe('constraint violation');
    expect(e.details).toBe('not a valid UTF-8 string: invalid UTF-8 sequence 0xed 0xb0');
  });
  it('validates raw UTF-8 bytes like ovsdb-server', () => {
    expect(utf8Error(new TextEncoder().encode('héllo 𝄞'))).toBeUndefined();
    expect(utf8Error(Uint8Array.of(0xc0, 0x80))).toBe('invalid UTF-8 sequence 0xc0');
    expect(utf8Error(Uint8Array.of(0x61, 0xed, 0xa0, 0x80))).toBe('invalid UTF-8 sequence 0xed 0xa0');
    expect(utf8Error(Uint8Array.of(0xe2, 0x82))).toBe('invalid UTF-8 sequence 0xe2 0x82');
    expect(utf8Error(Uint8Array.of(0xf4, 0x90, 0x80, 0x80))).toBe('invalid UTF-8 sequence 0xf4 0x90');
  });
  it('quotes strings in messages the way OVS does', () => {
    expect(atomToString('abc')).toBe('abc');
    expect(atomToString('a-b.c_d')).toBe('a-b.c_d');
    expect(atomToString('')).toBe('""');
    expect(atomToString('true')).toBe('"true"');
    expect(atomToString('abc1')).toBe('abc1'); // ovsdb-server 3.1 prints "drop1 is not one of the allowed values"
    expect(atomToString('1abc')).toBe('"1abc"');
    expect(atomToString('a b')).toBe('"a b"');
    expect(atomToString('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa')).toBe('"aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"');
  });
});

describe('uuids', () => {
  it('decodes to lower-case text', () => {
    expect(atomFromWire(UUID, ['uuid', '550E8400-E29B-41D4-A716-446655440000'])).toBe(
      '550e8400-e29b-41d4-a716-446655440000',
    );
    expect(atomToWire(UUID, '550e8400-e29b-41d4-a716-446655440000')).toEqual([
      'uuid',
      '550e8400-e29b-41d4-a716-446655440000',
    ]);
  });
  it('rejects malformed uuids', () => {
    const e = errorOf(() => atomFromWire(UUID, ['uuid', '550e8400-e29b-41d4-a716-44665544000g']));
    expect(e.details).toBe('"550e8400-e29b-41d4-a716-44665544000g" is not a valid UUID');
    expect(e.syntax).toBe('["uuid","550e8400-e29b-41d4-a716-44665544000g"]');
  });
  it('accepts named-uuid only inside transactions', () => {
    expect(errorOf(() => atomFromWire(UUID, ['named-uuid', 'x'])).details).toBe('expected ["uuid", <string>]');
    const n = atomFromWire(UUID, ['named-uuid', 'row_1'], { namedUuids: 'allow' });
    expect(n).toBeInstanceOf(NamedUuid);
    expect(atomToWire(UUID, n)).toEqual(['named-uuid', 'row_1']);
    const bad = errorOf(() => atomFromWire(UUID, ['named-uuid', '0'], { namedUuids: 'allow' }));
    expect(bad.details).toBe('named-uuid string is not a valid <id>');
    expect(bad.syntax).toBe('["named-uuid","0"]');
  });
  it('skips the enum check for named uuids, whose value is not known yet', () => {
    const base: BaseType = { type: 'uuid', enum: ['6d53a6dd-2da7-4924-9927-97f613812382'] };
    expect(atomFromWire(base, ['named-uuid', 'a'], { namedUuids: 'allow' })).toEqual(new NamedUuid('a'));
  });
});

describe('order and equality', () => {
  it('orders strings by UTF-8 bytes, not UTF-16 units', () => {
    expect('\u{10000}' < '\uffff').toBe(true); // UTF-16 order
    expect(compareUtf8('\uffff', '\u{10000}')).toBe(-1); // UTF-8: EF BF BF < F0 90 80 80
    expect(compareAtoms('\u{10000}', '\uffff')).toBe(1);
    expect(compareUtf8('ab', 'abc')).toBe(-1);
    expect(compareUtf8('é', 'z')).toBe(1);
  });
  it('orders mixed number/bigint integers exactly', () => {
    const atoms = [2n ** 62n, -5, 3, -(2n ** 62n), 0];
    atoms.sort(compareAtoms);
    expect(atoms).toEqual([-(2n ** 62n), -5, 0, 3, 2n ** 62n]);
  });
  it('orders booleans false first and named uuids after uuids', () => {
    expect(compareAtoms(false, true)).toBe(-1);
    expect(compareAtoms(new NamedUuid('a'), '00000000-0000-0000-0000-000000000000')).toBeGreaterThan(0);
  });
  it('compares atoms for equality', () => {
    expect(atomEquals(new NamedUuid('a'), new NamedUuid('a'))).toBe(true);
    expect(atomEquals(5, 5n)).toBe(true);
    expect(atomEquals(2n ** 60n, 2n ** 60n)).toBe(true);
    expect(atomEquals('5', 5)).toBe(false);
    expect(atomEquals(true, 1)).toBe(false);
  });
});

describe('typed input and checks', () => {
  it('builds atoms from JS values', () => {
    expect(atomFromValue(INT, 2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(atomFromValue(UUID, 'AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA')).toBe('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa');
    expect(atomFromValue(UUID, new NamedUuid('x'))).toEqual(new NamedUuid('x'));
    expect(errorOf(() => atomFromValue(UUID, new NamedUuid('x'), { namedUuids: 'reject' })).error).toBe('syntax error');
    expect(errorOf(() => atomFromValue(INT, '5')).details).toBe('expected integer, got string "5"');
    expect(errorOf(() => atomFromValue(REAL, NaN)).details).toBe('expected real, got number NaN');
  });
  it('checks representation and constraints of typed atoms', () => {
    const base: BaseType = { type: 'integer', minInteger: 0, maxInteger: 32767 };
    expect(errorOf(() => checkAtom(base, 40000)).details).toBe(
      '40000 is not in the valid range 0 to 32767 (inclusive)',
    );
    expect(errorOf(() => checkAtom(base, 'x')).error).toBe('syntax error');
    expect(() => checkAtom(base, 5)).not.toThrow();
    expect(errorOf(() => checkAtom(UUID, 'not-a-uuid')).error).toBe('syntax error');
  });
  it('refuses to encode an atom of the wrong type', () => {
    expect(errorOf(() => atomToWire(INT, 'x')).details).toBe('expected integer, got string "x"');
  });
});
