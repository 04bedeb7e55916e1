/**
 * Fuzzing the JSON-RPC framer (`MessageReader`): random message streams cut at random places, garbage,
 * streams with a byte changed, huge and deeply nested messages. Properties: valid streams come out exactly
 * as `parseJson` reads each message, wherever the chunks end; anything else ends in one `ProtocolError`
 * through `onError` — `push` itself never throws — and the reader looks at each byte once
 * (`bytesScanned`), so it cannot hang or go quadratic.
 *
 * Runs: `FUZZ_RUNS` (default 200 here; `FUZZ_RUNS=100000 pnpm fuzz` for a long run), `FUZZ_SEED` to replay.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson, type Json, type JsonObject } from '../wire/json.js';
import { ProtocolError } from './errors.js';
import { MessageReader } from './reader.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const params = (scale = 1): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(RUNS * scale)), ...SEED });

interface Fed {
  messages: JsonObject[];
  errors: Error[];
  reader: MessageReader;
}

/** Feed `bytes` cut at `cuts` (offsets, any order, duplicates allowed); `push` must never throw. */
function feed(bytes: Buffer, cuts: readonly number[] = [], maxMessageBytes?: number): Fed {
  const messages: JsonObject[] = [];
  const errors: Error[] = [];
  const reader = new MessageReader(
    (m) => messages.push(m),
    (e) => errors.push(e),
    maxMessageBytes === undefined ? {} : { maxMessageBytes },
  );
  const points = [...new Set(cuts.map((c) => Math.min(bytes.length, Math.max(0, c))))].sort((a, b) => a - b);
  let at = 0;
  for (const p of [...points, bytes.length]) {
    reader.push(bytes.subarray(at, p));
    at = p;
  }
  return { messages, errors, reader };
}

// ---- generators --------------------------------------------------------------------------------------

/** Strings with everything a framer can trip on: quotes, backslashes, braces, escapes, any code point. */
const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^["\\{}[\]\\u0-9a-f]{0,12}$/),
  fc.constantFrom('\\', '"', '\\"', '{', '}', '[', ']', '\u2028', '😀', 'é', '\u0000'),
);

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
    int64.map((b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b)),
    nastyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

const message: fc.Arbitrary<JsonObject> = fc.dictionary(nastyString, jsonValue, { maxKeys: 6 });
const whitespace = fc.stringMatching(/^[ \t\r\n]{0,3}$/);

/** A stream of messages with whitespace between them, as bytes, and the messages it holds. */
const stream = fc.array(fc.tuple(message, whitespace), { minLength: 1, maxLength: 8 }).map((parts) => {
  const texts = parts.map(([m]) => stringifyJson(m));
  const bytes = Buffer.from(parts.map(([, ws], i) => `${texts[i] ?? ''}${ws}`).join(''), 'utf8');
  return { bytes, expected: texts.map((t) => parseJson(t)) };
});

const cuts = (max: number): fc.Arbitrary<number[]> => fc.array(fc.nat({ max }), { maxLength: 12 });

/** What a failed stream may report: only the framer's own typed error. */
function onlyProtocolErrors(f: Fed): void {
  expect(f.errors.length).toBeLessThanOrEqual(1);
  for (const e of f.errors) expect(e).toBeInstanceOf(ProtocolError);
  expect(f.reader.hasFailed).toBe(f.errors.length === 1);
}

describe('MessageReader under random input', () => {
  it('reads every message of a valid stream exactly as parseJson does, wherever the chunks end', () => {
    fc.assert(
      fc.property(
        stream.chain((s) => fc.tuple(fc.constant(s), cuts(s.bytes.length))),
        ([s, at]) => {
          const f = feed(s.bytes, at);
          expect(f.errors).toEqual([]);
          expect(f.messages).toEqual(s.expected);
          expect(f.reader.bytesScanned).toBe(s.bytes.length);
          expect(f.reader.partialBytes).toBe(0);
        },
      ),
      params(),
    );
  });

  it('reports garbage as one ProtocolError, never by throwing, and ignores everything after it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat({ max: 300 }), { maxLength: 8 }), (bytes, at) => {
        const f = feed(Buffer.from(bytes), at);
        onlyProtocolErrors(f);
        expect(f.reader.bytesScanned).toBeLessThanOrEqual(bytes.length);
        for (const m of f.messages) expect(typeof m === 'object' && m !== null && !Array.isArray(m)).toBe(true);
        const before = f.messages.length;
        f.reader.push(Buffer.from('{"after":1}'));
        if (f.reader.hasFailed) expect(f.messages.length).toBe(before);
      }),
      params(),
    );
  });

  it('a valid stream with one byte changed, inserted or removed: messages before the damage are intact, then at most one ProtocolError', () => {
    const damaged = stream.chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.nat({ max: s.bytes.length - 1 }),
        fc.constantFrom('replace', 'insert', 'delete'),
        fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0xff, 0xc3)),
        cuts(s.bytes.length + 1),
      ),
    );
    fc.assert(
      fc.property(damaged, ([s, pos, how, byte, at]) => {
        const b = Buffer.from(s.bytes);
        const bytes =
          how === 'replace'
            ? Buffer.concat([b.subarray(0, pos), Buffer.from([byte]), b.subarray(pos + 1)])
            : how === 'insert'
              ? Buffer.concat([b.subarray(0, pos), Buffer.from([byte]), b.subarray(pos)])
              : Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1)]);
        const f = feed(bytes, at);
        onlyProtocolErrors(f);
        expect(f.reader.bytesScanned).toBeLessThanOrEqual(bytes.length);
        // Messages that end before the damaged byte are the original ones.
        let end = 0;
        const whole = s.expected.filter((m) => {
          end = s.bytes.indexOf(Buffer.from(stringifyJson(m)), end) + Buffer.byteLength(stringifyJson(m));
          return end <= pos;
        });
        expect(f.messages.slice(0, whole.length)).toEqual(whole);
      }),
      params(),
    );
  });

  it('never hangs on huge or deeply nested input: each byte is scanned once, and the size limit holds', () => {
    const shapes = fc.record({
      depth: fc.integer({ min: 1, max: 200_000 }),
      inner: fc.constantFrom('1', '"x"', '123456789012345678901', '{}', '"\\\\"'),
      kind: fc.constantFrom('array', 'object'),
      closed: fc.boolean(),
      chunk: fc.integer({ min: 1, max: 1 << 16 }),
    });
    fc.assert(
      fc.property(shapes, ({ depth, inner, kind, closed, chunk }) => {
        const open = kind === 'array' ? '[' : '{"a":';
        const close = kind === 'array' ? ']' : '}';
        const text = `{"deep":${open.repeat(depth)}${inner}${closed ? `${close.repeat(depth)}}` : ''}`;
        const bytes = Buffer.from(text);
        const at: number[] = [];
        for (let i = chunk; i < bytes.length; i += chunk) at.push(i);
        const t0 = performance.now();
        const f = feed(bytes, at, 1 << 20);
        const ms = performance.now() - t0;
        onlyProtocolErrors(f);
        expect(f.reader.bytesScanned).toBeLessThanOrEqual(bytes.length);
        if (bytes.length > 1 << 20) expect(f.errors[0]?.message).toMatch(/exceeds/);
        if (!closed && bytes.length <= 1 << 20) {
          // Unfinished: held back, nothing delivered, no error yet.
          expect(f.messages).toEqual([]);
          expect(f.errors).toEqual([]);
        }
        // A megabyte of nesting is read in milliseconds; seconds would mean the reader is rescanning.
        expect(ms).toBeLessThan(5_000);
      }),
      params(0.1),
    );
  });

  it('stays linear in bytes for a large message split into many small chunks', () => {
    // 8 MB in 1 KB chunks: a reader that rescanned its buffer per chunk would look at ~32 GB.
    const row = stringifyJson({ name: 'x'.repeat(200), escaped: 'a\\"b'.repeat(40), n: 12345678901234567890n });
    const text = `{"id":1,"result":[${new Array(Math.ceil((8 << 20) / row.length)).fill(row).join(',')}]}`;
    const bytes = Buffer.from(text);
    const at: number[] = [];
    for (let i = 1024; i < bytes.length; i += 1024) at.push(i);
    const t0 = performance.now();
    const f = feed(bytes, at);
    const ms = performance.now() - t0;
    expect(f.errors).toEqual([]);
    expect(f.messages).toHaveLength(1);
    expect(f.reader.bytesScanned).toBe(bytes.length);
    expect(ms).toBeLessThan(10_000);
  });
});
