import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasLongDigitRun, parseJson, stringifyJson, JsonSyntaxError } from './json.js';

describe('parseJson', () => {
  it('keeps int64 extremes exact', () => {
    const v = parseJson('[9223372036854775807,-9223372036854775808,9007199254740991,9007199254740993]');
    expect(v).toEqual([9223372036854775807n, -9223372036854775808n, 9007199254740991, 9007199254740993n]);
  });
  it('round-trips int64 extremes through stringifyJson', () => {
    const text = '{"a":[9223372036854775807,-9223372036854775808],"b":"x","c":1.5,"d":null,"e":true}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });
  it('treats long digit runs inside strings as strings', () => {
    expect(parseJson('{"s":"12345678901234567890","n":1}')).toEqual({ s: '12345678901234567890', n: 1 });
  });
  it('parses reals with exponents as numbers even when long', () => {
    // eslint-disable-next-line no-loss-of-precision -- the literal rounds as JavaScript does, which parseJson must match
    const expected = [1.7976931348623157e308, 12345678901234567890.5, 1000];
    expect(parseJson('[1.7976931348623157e+308, 12345678901234567890.5, 1e3]')).toEqual(expected);
  });
  it('decodes escapes and multi-byte characters on the exact path', () => {
    expect(parseJson('["\\u00e9\\n\\"", "日本語", 12345678901234567890]')).toEqual([
      'é\n"',
      '日本語',
      12345678901234567890n,
    ]);
  });
  it('keeps a __proto__ key as data', () => {
    const v = parseJson('{"__proto__":{"x":1},"n":12345678901234567890}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'n']);
  });
  it.each(['', '[1,', '{"a" 1}', '[01]', '"abc', '[1] x', 'tru', '[-]', '{"a":1,}'])(
    'rejects malformed text %j',
    (text) => {
      expect(() => parseJson(text)).toThrow();
      expect(() => parseJson(`[12345678901234567890,${text}`)).toThrow(JsonSyntaxError);
    },
  );
});

describe('hasLongDigitRun', () => {
  it('says what /\\d{16}/ says, wherever the run starts and however long the text', () => {
    // Mostly digits, so runs of every length around 16 occur at every offset.
    const text = fc
      .array(fc.constantFrom('0', '5', '9', '9', '1', '1', '1', 'a', '"', '/', ':', '-'), { maxLength: 120 })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(hasLongDigitRun(t)).toBe(/\d{16}/.test(t));
      }),
      { numRuns: 3_000 },
    );
  });

  it('finds a run of exactly 16 at the start, the end and across the stride, and not one of 15', () => {
    const run = '1234567890123456';
    for (let at = 0; at < 40; at++) {
      expect(hasLongDigitRun('x'.repeat(at) + run + 'y')).toBe(true);
      expect(hasLongDigitRun('x'.repeat(at) + run.slice(1) + 'y')).toBe(false);
    }
    expect(hasLongDigitRun(run)).toBe(true);
    expect(hasLongDigitRun('')).toBe(false);
  });
});
