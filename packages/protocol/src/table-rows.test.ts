import { describe, expect, it } from 'vitest';
import type { WireRow } from '@ovsdb-web/client/core';
import { TableRows, uuidOf } from './table-rows.js';

const row = (uuid: string, n = 0): WireRow => ({ _uuid: ['uuid', uuid], n });
const uuid = (i: number): string => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;

/** The same contents as a Map would hold, in any order. */
function contents(t: TableRows): [string, WireRow][] {
  return [...t].sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('TableRows', () => {
  it('holds a snapshot sent in uuid order and finds every row', () => {
    const t = new TableRows();
    for (let i = 0; i < 1000; i++) t.set(uuid(i), row(uuid(i), i));
    expect(t.size).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(t.get(uuid(i))?.n).toBe(i);
    expect(t.get(uuid(1000))).toBeUndefined();
    expect(t.has(uuid(5))).toBe(true);
    expect([...t.keys()]).toEqual(Array.from({ length: 1000 }, (_, i) => uuid(i)));
  });

  it('takes a snapshot chunk by chunk: in order, out of order, with a row twice, after rows kept aside', () => {
    const t = new TableRows();
    const rows = (from: number, to: number, n = 0): WireRow[] =>
      Array.from({ length: to - from }, (_, i) => row(uuid(from + i), n));
    t.setRows(rows(0, 500));
    t.setRows(rows(500, 1000));
    t.setRows([]);
    // In order, but starting with a row held: that row is replaced, not added.
    t.setRows([row(uuid(10), 9), row(uuid(1100)), row(uuid(1101))]);
    expect([t.size, t.get(uuid(10))?.n]).toEqual([1002, 9]);
    // Out of order within the chunk, and one before the rows held.
    t.setRows([row(uuid(1500)), row(uuid(1200)), row(uuid(250), 7)]);
    // A row twice in one chunk: the second one counts.
    t.setRows([row(uuid(2000), 1), row(uuid(2000), 2)]);
    expect(t.size).toBe(1005);
    expect([t.get(uuid(250))?.n, t.get(uuid(1200))?._uuid, t.get(uuid(2000))?.n]).toEqual([7, ['uuid', uuid(1200)], 2]);
    // In order after everything, but with rows kept aside: each still found once.
    t.setRows(rows(3000, 3010, 5));
    expect(t.size).toBe(1015);
    expect(new Set(t.keys()).size).toBe(1015);
    for (let i = 0; i < 1000; i++) expect(t.get(uuid(i))).toBeDefined();
    const fresh = new TableRows();
    fresh.setRows([row(uuid(1)), row(uuid(1), 3)]);
    expect([fresh.size, fresh.get(uuid(1))?.n]).toEqual([1, 3]);
  });

  it('takes rows out of order, a row sent twice, deletes and re-inserts like a Map', () => {
    const t = new TableRows();
    t.set(uuid(5), row(uuid(5), 1));
    t.set(uuid(2), row(uuid(2), 2)); // before the last: kept aside
    t.set(uuid(9), row(uuid(9), 3));
    t.set(uuid(5), row(uuid(5), 4)); // sent again: replaced, not added
    t.set(uuid(2), row(uuid(2), 5));
    expect(t.size).toBe(3);
    expect([t.get(uuid(5))?.n, t.get(uuid(2))?.n, t.get(uuid(9))?.n]).toEqual([4, 5, 3]);
    expect(t.delete(uuid(5))).toBe(true);
    expect(t.delete(uuid(5))).toBe(false);
    expect(t.delete(uuid(2))).toBe(true);
    expect(t.delete(uuid(7))).toBe(false);
    expect(t.size).toBe(1);
    expect(t.get(uuid(5))).toBeUndefined();
    t.set(uuid(5), row(uuid(5), 6)); // back into its hole
    expect(t.get(uuid(5))?.n).toBe(6);
    expect(contents(t).map(([u, r]) => [u, r.n])).toEqual([
      [uuid(5), 6],
      [uuid(9), 3],
    ]);
    t.clear();
    expect([t.size, [...t.values()]]).toEqual([0, []]);
  });

  it('squeezes out holes after many deletes and still finds what is left', () => {
    const t = new TableRows();
    for (let i = 0; i < 10_000; i++) t.set(uuid(i), row(uuid(i), i));
    for (let i = 0; i < 10_000; i += 2) t.delete(uuid(i));
    expect(t.size).toBe(5_000);
    for (let i = 0; i < 10_000; i++) expect(t.get(uuid(i))?.n).toBe(i % 2 ? i : undefined);
    // The last rows deleted: a uuid kept aside before them must not be appended a second time.
    const u = new TableRows();
    for (let i = 0; i < 4_000; i++) u.set(uuid(2 * i), row(uuid(2 * i)));
    u.set(uuid(7_001), row(uuid(7_001), 1));
    for (let i = 3_000; i < 4_000; i++) u.delete(uuid(2 * i));
    for (let i = 0; i < 1_500; i++) u.delete(uuid(2 * i));
    u.set(uuid(7_001), row(uuid(7_001), 2));
    expect([u.size, u.get(uuid(7_001))?.n]).toEqual([1_501, 2]);
    expect([...u.keys()].filter((k) => k === uuid(7_001))).toHaveLength(1);
    // The same for a chunk in order.
    u.setRows([row(uuid(7_001), 3), row(uuid(7_003), 3)]);
    expect([u.size, u.get(uuid(7_001))?.n]).toEqual([1_502, 3]);
    expect([...u.keys()].filter((k) => k === uuid(7_001))).toHaveLength(1);
  });

  it('agrees with a Map under random sets and deletes', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const t = new TableRows();
      const m = new Map<string, WireRow>();
      // Most rounds start from a snapshot in order, as the gateway sends one, row by row or in chunks.
      if (round % 4 !== 0) {
        const snapshot: WireRow[] = [];
        for (let i = 0; i < 3_000; i += 1 + random(3)) snapshot.push(row(uuid(i)));
        for (let at = 0; at < snapshot.length; at += 400) {
          const chunk = snapshot.slice(at, at + 400);
          if (round % 2) t.setRows(chunk);
          else for (const r of chunk) t.set(uuidOf(r), r);
          for (const r of chunk) m.set(uuidOf(r), r);
        }
      }
      for (let k = 0; k < 5_000; k++) {
        const u = uuid(random(4_000));
        if (random(3) === 0) expect(t.delete(u)).toBe(m.delete(u));
        else {
          const r = row(u, k);
          t.set(u, r);
          m.set(u, r);
        }
        if (k % 500 === 0) expect(t.get(u)).toBe(m.get(u));
      }
      expect(t.size).toBe(m.size);
      expect(contents(t)).toEqual([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
      for (const [u, r] of m) expect(t.get(u)).toBe(r);
    }
  });
});
