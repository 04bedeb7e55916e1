/**
 * One table's rows as a subscriber holds them, by uuid: what `Map<string, WireRow>` would be, built for a
 * snapshot's arrival. The gateway sends a snapshot in uuid order, so its rows go into two arrays sorted by
 * uuid, each one appended (a comparison with the last uuid), and are found again by binary search. Rows that
 * come out of that order (inserted later, or from a gateway that does not sort) go into a `Map` beside them.
 *
 * Why not a `Map` for all: building one of 100,000 rows took 90 ms in Node and ~240 ms of a browser worker's
 * time on this machine while a snapshot arrived (V8 grows and rehashes its table as it fills); the arrays take
 * a few ms. Lookups cost ~17 string comparisons instead of a hash, which a delta's few rows do not notice.
 */
import type { WireRow } from '@ovsdb-web/client/core';

/** Holes left by deletes are squeezed out once they are this many and a quarter of the sorted part. */
const COMPACT_HOLES = 1_024;

export class TableRows implements Iterable<[string, WireRow]> {
  /** Ascending; `rows[i]` is the row of `uuids[i]`, or undefined once deleted (a hole). */
  private uuids: string[] = [];
  private rows: (WireRow | undefined)[] = [];
  private holes = 0;
  /** Rows whose uuid did not sort after the last one in `uuids` when they came; never also in `uuids`. */
  private readonly unsorted = new Map<string, WireRow>();

  get size(): number {
    return this.rows.length - this.holes + this.unsorted.size;
  }

  get(uuid: string): WireRow | undefined {
    const i = this.indexOf(uuid);
    return i >= 0 ? this.rows[i] : this.unsorted.get(uuid);
  }

  has(uuid: string): boolean {
    return this.get(uuid) !== undefined;
  }

  set(uuid: string, row: WireRow): this {
    const n = this.uuids.length;
    // A snapshot's rows: each after the last.
    if (n === 0 || uuid > (this.uuids[n - 1] as string)) {
      if (this.unsorted.size === 0 || !this.unsorted.has(uuid)) {
        this.uuids.push(uuid);
        this.rows.push(row);
        return this;
      }
    }
    const i = this.indexOf(uuid);
    if (i >= 0) {
      if (this.rows[i] === undefined) this.holes--;
      this.rows[i] = row;
    } else this.unsorted.set(uuid, row);
    return this;
  }

  delete(uuid: string): boolean {
    const i = this.indexOf(uuid);
    if (i < 0 || this.rows[i] === undefined) return this.unsorted.delete(uuid);
    this.rows[i] = undefined;
    this.holes++;
    if (this.holes >= COMPACT_HOLES && this.holes * 4 >= this.rows.length) this.compact();
    return true;
  }

  clear(): void {
    this.uuids = [];
    this.rows = [];
    this.holes = 0;
    this.unsorted.clear();
  }

  *values(): IterableIterator<WireRow> {
    for (const r of this.rows) if (r !== undefined) yield r;
    yield* this.unsorted.values();
  }

  *keys(): IterableIterator<string> {
    for (const [uuid] of this) yield uuid;
  }

  *entries(): IterableIterator<[string, WireRow]> {
    const { uuids, rows } = this;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r !== undefined) yield [uuids[i] as string, r];
    }
    yield* this.unsorted.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, WireRow]> {
    return this.entries();
  }

  /** Where `uuid` is in the sorted part (a hole included), or -1. */
  private indexOf(uuid: string): number {
    const u = this.uuids;
    let lo = 0;
    let hi = u.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((u[mid] as string) < uuid) lo = mid + 1;
      else hi = mid;
    }
    return lo < u.length && u[lo] === uuid ? lo : -1;
  }

  private compact(): void {
    const uuids: string[] = [];
    const rows: WireRow[] = [];
    for (let i = 0; i < this.rows.length; i++) {
      const r = this.rows[i];
      if (r === undefined) continue;
      uuids.push(this.uuids[i] as string);
      rows.push(r);
    }
    this.uuids = uuids;
    this.rows = rows;
    this.holes = 0;
  }
}
