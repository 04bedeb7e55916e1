// The raw floor of the sync benchmark is only a floor if its reader returns the whole reply, and only
// the reply, wherever the socket happens to split it.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM JavaScript without type declarations.
import { ReplyReader, countRows } from './sync-raw.mjs';

interface Reader {
  push(chunk: Buffer): unknown[];
}

const REPLY = {
  id: 1,
  result: [
    false,
    '00000000-0000-0000-0000-000000000000',
    {
      Logical_Switch: { a1: { initial: { name: 'ls { "0" }', other_config: ['map', [['k', 'v\\"}']]] } } },
      ACL: {
        b1: { initial: { match: 'ip4 && tcp.dst == {80, 443}', priority: 1000 } },
        b2: { initial: { name: 'é日本 \\', label: '\\"' } },
      },
    },
  ],
  error: null,
};
const ECHO = { id: 'echo', method: 'echo', params: [] };

describe('ReplyReader', () => {
  it('returns each message once it is complete, at every split of the stream', () => {
    const bytes = Buffer.from(`${JSON.stringify(ECHO)}\n${JSON.stringify(REPLY)} ${JSON.stringify(ECHO)}`);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = new ReplyReader() as Reader;
      const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
      expect(got, `cut at ${cut}`).toEqual([ECHO, REPLY, ECHO]);
    }
  });

  it('joins a reply that arrives in many chunks', () => {
    const bytes = Buffer.from(JSON.stringify(REPLY));
    const r = new ReplyReader() as Reader;
    const got: unknown[] = [];
    for (let i = 0; i < bytes.length; i += 7) got.push(...r.push(bytes.subarray(i, i + 7)));
    expect(got).toEqual([REPLY]);
  });
});

describe('countRows', () => {
  it('counts the rows of every table in a table-updates object', () => {
    expect(countRows(REPLY.result[2])).toBe(3);
    expect(countRows({})).toBe(0);
  });
});
