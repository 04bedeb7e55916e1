/**
 * One table's rows as a subscriber holds them, by uuid: what `Map<string, WireRow>` would be, built for a
 * snapshot's arrival. The gateway sends a snapshot in uuid order, so its rows are kept as runs sorted by uuid
 * (a chunk in order becomes a run as it is) and found again by binary search. Rows that come out of that
 * order (inserted later, or from a gateway that does not sort) go into a `Map` beside them.
 *
 * Why not a `Map` for all: building one of 100,000 rows took 90 ms in Node and ~240 ms of a browser worker's
 * profile while a snapshot arrived (V8 grows and rehashes its table as it fills). Appending to two arrays the
 * table's size took 25 ms: each freshly parsed row stored into a large, old array is a write the collector
 * must remember. A run per chunk takes 3 ms. Lookups cost ~17 string comparisons instead of a hash, which a
 * delta's few rows do not notice.
 */
import type { WireRow } from '@ovsdb-web/client/core';

/** A stretch of rows in uuid order; every uuid of a run sorts before every uuid of the next one. */
interface Run {
  uuids: string[];
  /** `rows[i]` is the row of `uuids[i]`, or undefined once deleted (a hole). */
  rows: (WireRow | undefined)[];
}

/** Rows appended one by one go into runs of up to this many; a chunk's run is the chunk's size. */
const RUN_ROWS = 512;
/** Holes left by deletes are squeezed out once they are this many and a quarter of the runs' slots. */
const COMPACT_HOLES = 1_024;

/** A row's uuid: `_uuid` is `["uuid", "…"]` on the wire. */
export function uuidOf(row: WireRow): string {
  const u = row._uuid;
  return Array.isArray(u) && u[0] === 'uuid' && typeof u[1] === 'string' ? u[1] : '';
}

const lastOf = (run: Run): string => run.uuids[run.uuids.length - 1] as string;

export class TableRows implements Iterable<[string, WireRow]> {
  private runs: Run[] = [];
  /** Slots in the runs, holes included. */
  private slots = 0;
  private holes = 0;
  /** Rows whose uuid did not sort after every uuid in the runs when they came; never also in a run. */
  private readonly unsorted = new Map<string, WireRow>();

  get size(): number {
    return this.slots - this.holes + this.unsorted.size;
  }

  get(uuid: string): WireRow | undefined {
    const run = this.runFor(uuid);
    const i = run ? indexIn(run.uuids, uuid) : -1;
    return run && i >= 0 ? run.rows[i] : this.unsorted.get(uuid);
  }

  has(uuid: string): boolean {
    return this.get(uuid) !== undefined;
  }

  set(uuid: string, row: WireRow): this {
    const last = this.runs[this.runs.length - 1];
    // After every uuid held (a compaction may have dropped the greatest ones: such a uuid may be kept aside).
    if ((last === undefined || uuid > lastOf(last)) && (this.unsorted.size === 0 || !this.unsorted.has(uuid))) {
      if (last === undefined || last.uuids.length >= RUN_ROWS) this.runs.push({ uuids: [uuid], rows: [row] });
      else {
        last.uuids.push(uuid);
        last.rows.push(row);
      }
      this.slots++;
      return this;
    }
    const run = this.runFor(uuid);
    const i = run ? indexIn(run.uuids, uuid) : -1;
    if (run && i >= 0) {
      if (run.rows[i] === undefined) this.holes--;
      run.rows[i] = row;
    } else this.unsorted.set(uuid, row);
    return this;
  }

  /** A snapshot chunk's rows, each as by `set`; a chunk in uuid order after every row held is one run. */
  setRows(rows: readonly WireRow[]): void {
    const n = rows.length;
    const uuids = new Array<string>(n);
    const last = this.runs[this.runs.length - 1];
    let prev = last && lastOf(last);
    let inOrder = this.unsorted.size === 0;
    for (let i = 0; i < n; i++) {
      const u = uuidOf(rows[i] as WireRow);
      uuids[i] = u;
      if (prev !== undefined && !(u > prev)) inOrder = false;
      prev = u;
    }
    if (!inOrder || n === 0) {
      for (let i = 0; i < n; i++) this.set(uuids[i] as string, rows[i] as WireRow);
      return;
    }
    this.runs.push({ uuids, rows: rows.slice() });
    this.slots += n;
  }

  delete(uuid: string): boolean {
    const run = this.runFor(uuid);
    const i = run ? indexIn(run.uuids, uuid) : -1;
    if (!run || i < 0 || run.rows[i] === undefined) return this.unsorted.delete(uuid);
    run.rows[i] = undefined;
    this.holes++;
    if (this.holes >= COMPACT_HOLES && this.holes * 4 >= this.slots) this.compact();
    return true;
  }

  clear(): void {
    this.runs = [];
    this.slots = 0;
    this.holes = 0;
    this.unsorted.clear();
  }

  *values(): IterableIterator<WireRow> {
    for (const run of this.runs) for (const r of run.rows) if (r !== undefined) yield r;
    yield* this.unsorted.values();
  }

  *keys(): IterableIterator<string> {
    for (const [uuid] of this) yield uuid;
  }

  *entries(): IterableIterator<[string, WireRow]> {
    for (const { uuids, rows } of this.runs)
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (r !== undefined) yield [uuids[i] as string, r];
      }
    yield* this.unsorted.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, WireRow]> {
    return this.entries();
  }

  /** The run that would hold `uuid`: the first whose greatest uuid is not before it. */
  private runFor(uuid: string): Run | undefined {
    const runs = this.runs;
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lastOf(runs[mid] as Run) < uuid) lo = mid + 1;
      else hi = mid;
    }
    return runs[lo];
  }

  private compact(): void {
    const runs: Run[] = [];
    let run: Run = { uuids: [], rows: [] };
    for (const { uuids, rows } of this.runs)
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (r === undefined) continue;
        if (run.uuids.length === RUN_ROWS) {
          runs.push(run);
          run = { uuids: [], rows: [] };
        }
        run.uuids.push(uuids[i] as string);
        run.rows.push(r);
      }
    if (run.uuids.length > 0) runs.push(run);
    this.runs = runs;
    this.slots -= this.holes;
    this.holes = 0;
  }
}

/** Where `uuid` is in `uuids` (ascending), or -1. */
function indexIn(uuids: readonly string[], uuid: string): number {
  let lo = 0;
  let hi = uuids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((uuids[mid] as string) < uuid) lo = mid + 1;
    else hi = mid;
  }
  return lo < uuids.length && uuids[lo] === uuid ? lo : -1;
}
