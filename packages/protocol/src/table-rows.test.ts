import { describe, expect, it } from 'vitest';
import type { WireRow } from '@ovsdb-web/client/core';
import { TableRows } from './table-rows.js';

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
      // Most rounds start from a snapshot in order, as the gateway sends one.
      if (round % 4 !== 0)
        for (let i = 0; i < 3_000; i += 1 + random(3)) {
          const r = row(uuid(i));
          t.set(uuid(i), r);
          m.set(uuid(i), r);
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
