// The raw-socket baseline is only a fair floor if it counts replies right; these are the cases where a
// naive brace counter would not.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM JavaScript without type declarations.
import { BraceCounter } from './raw.mjs';

interface Counter {
  push(chunk: Buffer): number;
}

describe('BraceCounter', () => {
  it('counts objects that end in a chunk, across chunk boundaries', () => {
    const c = new BraceCounter() as Counter;
    expect(c.push(Buffer.from('{"id":1,"result":[{"uuid":["uuid","a"]}],"error":null}{"id":2,'))).toBe(1);
    expect(c.push(Buffer.from('"result":[],"error":null}'))).toBe(1);
  });

  it('ignores braces and escaped quotes inside strings', () => {
    const c = new BraceCounter() as Counter;
    expect(c.push(Buffer.from('{"details":"a } and a \\" then {","x":"\\\\"}{"y":1}'))).toBe(2);
  });

  it('keeps string state when a chunk ends inside a string or right after a backslash', () => {
    const c = new BraceCounter() as Counter;
    expect(c.push(Buffer.from('{"s":"ab\\'))).toBe(0);
    expect(c.push(Buffer.from('"}"}'))).toBe(1);
  });
});
