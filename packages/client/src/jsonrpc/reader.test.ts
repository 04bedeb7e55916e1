import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson, type Json, type JsonObject } from '../wire/json.js';
import { ProtocolError } from './errors.js';
import { MessageReader, type MessageReaderOptions } from './reader.js';

function collect(opts?: MessageReaderOptions) {
  const messages: JsonObject[] = [];
  const errors: Error[] = [];
  const reader = new MessageReader(
    (m) => messages.push(m),
    (e) => errors.push(e),
    opts,
  );
  return { reader, messages, errors };
}

const MESSAGES = [
  '{"id":1,"result":["é","日本","😀 emoji","naïve café"],"error":null}',
  '{"id":null,"method":"update3","params":["m1",{"max":9223372036854775807,"min":-9223372036854775808}]}',
  '{"s":"braces { } [ ] inside","q":"quote \\" and backslash \\\\","tail":"\\\\"}',
  '{"nested":{"a":[{"b":[[]]},{}],"c":"\\"}"},"u":"\\u00e9\\ud83d\\ude00"}',
  '{}',
];
// Whitespace of every legal kind between messages, none before the first.
const STREAM = Buffer.from(MESSAGES.join(' \n\r\t') + '\n', 'utf8');
const EXPECTED: Json[] = MESSAGES.map((t) => parseJson(t));

describe('MessageReader framing', () => {
  it('parses a whole buffer of back-to-back messages', () => {
    const { reader, messages, errors } = collect();
    reader.push(STREAM);
    expect(errors).toEqual([]);
    expect(messages).toEqual(EXPECTED);
    expect(messages[1]).toEqual({
      id: null,
      method: 'update3',
      params: ['m1', { max: 9223372036854775807n, min: -9223372036854775808n }],
    });
  });

  it('gives the same messages when split at every byte boundary', () => {
    // Many boundaries fall inside multi-byte characters, escapes and int64 literals.
    for (let cut = 1; cut < STREAM.length; cut++) {
      const { reader, messages, errors } = collect();
      reader.push(STREAM.subarray(0, cut));
      reader.push(STREAM.subarray(cut));
      expect(errors, `cut at ${cut}`).toEqual([]);
      expect(messages, `cut at ${cut}`).toEqual(EXPECTED);
      expect(reader.bytesScanned).toBe(STREAM.length);
    }
  });

  it('gives the same messages fed one byte at a time, and at every pair of cuts', () => {
    const { reader, messages, errors } = collect();
    for (let i = 0; i < STREAM.length; i++) reader.push(STREAM.subarray(i, i + 1));
    expect(errors).toEqual([]);
    expect(messages).toEqual(EXPECTED);

    for (let a = 1; a < STREAM.length; a += 7) {
      for (let b = a + 1; b < STREAM.length; b += 3) {
        const c = collect();
        c.reader.push(STREAM.subarray(0, a));
        c.reader.push(STREAM.subarray(a, b));
        c.reader.push(STREAM.subarray(b));
        expect(c.messages).toEqual(EXPECTED);
      }
    }
  });

  it('keeps integers beyond 2^53 exact wherever a chunk ends, with digit runs in strings left alone', () => {
    // The reader, not a second pass over the text, spots number literals of 16+ digits.
    const text =
      '{"s":"12345678901234567890","n":123456789012345}{"n":[9007199254740993,-9223372036854775808]}{"n":1.5,"m":"9007199254740993"}';
    const expected = [
      { s: '12345678901234567890', n: 123456789012345 },
      { n: [9007199254740993n, -9223372036854775808n] },
      { n: 1.5, m: '9007199254740993' },
    ];
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { reader, messages, errors } = collect();
      reader.push(bytes.subarray(0, cut));
      reader.push(bytes.subarray(cut));
      expect(errors, `cut at ${cut}`).toEqual([]);
      expect(messages, `cut at ${cut}`).toEqual(expected);
    }
  });

  it('delivers each message synchronously during the push that completes it', () => {
    const { reader, messages } = collect();
    const first = Buffer.from(MESSAGES[0] as string);
    reader.push(first.subarray(0, 10));
    expect(messages).toHaveLength(0);
    expect(reader.partialBytes).toBe(10);
    reader.push(first.subarray(10));
    expect(messages).toHaveLength(1);
    expect(reader.partialBytes).toBe(0);
  });

  it('scans a 10 MB message in 64 KB chunks exactly once (linear)', () => {
    const rows: JsonObject = {};
    for (let i = 0; i < 110_000; i++) {
      rows[`row-${i}`] = { name: `switch ${i} — 日本 {}`, n: 9223372036854775807n - BigInt(i), tags: ['a', 'b\\"c'] };
    }
    const text = stringifyJson({ id: 7, result: rows, error: null });
    // The reply alone is over 10 MB; a small message follows in the same stream.
    const stream = Buffer.from(text + '{"id":8,"result":{},"error":null}', 'utf8');
    expect(stream.length).toBeGreaterThan(10 * 1024 * 1024);

    const { reader, messages, errors } = collect();
    const CHUNK = 64 * 1024;
    let pushed = 0;
    for (let off = 0; off < stream.length; off += CHUNK) {
      const chunk = stream.subarray(off, off + CHUNK);
      reader.push(chunk);
      pushed += chunk.length;
    }
    expect(errors).toEqual([]);
    expect(messages).toHaveLength(2);
    expect(reader.bytesScanned).toBe(pushed);
    expect(pushed).toBe(stream.length);
    const reply = messages[0] as { id: number; result: Record<string, { name: string; n: bigint; tags: string[] }> };
    expect(reply.id).toBe(7);
    expect(Object.keys(reply.result)).toHaveLength(110_000);
    expect(reply.result['row-109999']).toEqual({
      name: 'switch 109999 — 日本 {}',
      n: 9223372036854775807n - 109999n,
      tags: ['a', 'b\\"c'],
    });
    expect(messages[1]).toEqual({ id: 8, result: {}, error: null });
  });
});

describe('MessageReader protocol errors', () => {
  const bad: [string, Buffer, RegExp][] = [
    ['malformed JSON', Buffer.from('{"id":1,"result":}'), /malformed JSON/],
    ['mismatched brackets', Buffer.from('{"a":[1}'), /unbalanced '}'/],
    ['an array message', Buffer.from('[1,2,3]'), /array, not an object/],
    ['a bare number', Buffer.from('42 '), /scalar, not an object/],
    ['a bare string', Buffer.from('"hi"'), /scalar, not an object/],
    ['garbage between messages', Buffer.from(' x {}'), /unexpected byte 'x'/],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      /not valid UTF-8/,
    ],
    [
      'a truncated multi-byte sequence',
      Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xe6, 0x97]), Buffer.from('"}')]),
      /not valid UTF-8/,
    ],
    [
      'an overlong encoding',
      Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      /not valid UTF-8/,
    ],
    ['a raw control character in a string', Buffer.from('{"s":"a\nb"}'), /malformed JSON/],
  ];

  it.each(bad)('reports %s as a ProtocolError without throwing', (_name, input, pattern) => {
    const { reader, messages, errors } = collect();
    const good = Buffer.from('{"id":1,"result":null,"error":null}\n');
    expect(() => reader.push(Buffer.concat([good, input, good]))).not.toThrow();
    expect(messages).toEqual([{ id: 1, result: null, error: null }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    expect(errors[0]?.message).toMatch(pattern);
    expect(reader.hasFailed).toBe(true);
    // Once failed, further input is ignored rather than misread from the middle of something.
    reader.push(good);
    expect(messages).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it('reports invalid UTF-8 split across chunks', () => {
    const { reader, errors } = collect();
    reader.push(Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xe6]));
    reader.push(Buffer.from([0x22, 0x7d]));
    expect(errors[0]?.message).toMatch(/not valid UTF-8/);
  });

  it('enforces maxMessageBytes while a message is still arriving', () => {
    const { reader, errors, messages } = collect({ maxMessageBytes: 100 });
    reader.push(Buffer.from(`{"ok":"${'y'.repeat(80)}"}`));
    expect(messages).toHaveLength(1);
    reader.push(Buffer.from(`{"big":"${'x'.repeat(60)}`));
    expect(errors).toHaveLength(0);
    reader.push(Buffer.from('x'.repeat(60)));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    expect(errors[0]?.message).toMatch(/exceeds 100 bytes/);
    expect(reader.partialBytes).toBe(0);
  });

  it('stops and reports when the message callback throws', () => {
    const errors: Error[] = [];
    const seen: Json[] = [];
    const reader = new MessageReader(
      (m) => {
        seen.push(m);
        throw new Error('handler bug');
      },
      (e) => errors.push(e),
    );
    expect(() => reader.push(Buffer.from('{"a":1}{"b":2}'))).not.toThrow();
    expect(seen).toEqual([{ a: 1 }]);
    expect(errors.map((e) => e.message)).toEqual(['handler bug']);
  });
});
