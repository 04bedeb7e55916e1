/**
 * A live, sorted and filtered view of one table: the index behind the virtual grid. It is maintained
 * incrementally — a delta batch of k changes costs O(k · log n) comparisons (plus moving pointers), not a
 * re-sort — and rebuilt only when the sort or filter changes or a batch touches a large part of the table.
 *
 * Sorting follows ovsdb-server's order of values (`compareDatums`), ties broken by uuid so the order is total
 * and a row can be found again by binary search. Deleted rows stay a moment as "ghosts" so the page can fade
 * them out; paused views keep showing what they showed and count what is pending.
 */
import { compareDatums, compareUtf8, type Datum, type TableSchema, type WireRow } from '@ovsdb-web/client/core';
import type { AppliedChange } from '@ovsdb-web/protocol';
import { parseFilterText, type FilterProblem, type RowTest } from './filter.js';
import { RowReader, columnType, uuidOfRow } from './rows.js';

export interface SortKey {
  column: string;
  desc: boolean;
}

export interface ViewSpec {
  filter: string;
  /** Empty: by `name` when the table has one, else by uuid. */
  sort: readonly SortKey[];
}

/** A recent change to a row, for the grid to flash. */
export interface Mark {
  kind: 'insert' | 'modify' | 'delete';
  columns?: readonly string[];
  at: number;
}

/** The live rows of the table the view shows. */
export interface RowSource {
  rows(): Iterable<WireRow>;
  get(uuid: string): WireRow | undefined;
}

export interface ViewRow {
  uuid: string;
  row: WireRow;
  mark?: Mark;
  /** Set by the engine on the rows it sends: the same number for the same version of a row, so the page can
   * keep the row it already has (and not render it again) when a window repeats it. */
  rev?: number;
}

/**
 * `compareDatums`, with the common case first: two strings (a scalar string column, such as `name`) or two
 * numbers compare as atoms directly, without the member lists `compareDatums` builds for any datum.
 */
function compareKey(a: Datum, b: Datum): number {
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'string') return compareUtf8(a as string, b as string);
    if (ta === 'number') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  return compareDatums(a, b);
}

/** Rows with their sort keys (flat: `width` datums per row) and uuids. */
interface Sorted {
  rows: WireRow[];
  keys: Datum[];
  uuids: string[];
}

/**
 * Rows about to be sorted, as they came (a snapshot's chunk each), with their keys and uuids read then. One
 * small set of arrays per chunk rather than appending to arrays that grow to the table's size: a large array
 * lives in the old generation, and storing each freshly parsed row into it is a write the collector has to
 * remember. For 100,000 rows in Node that was 50 ms against 5 ms this way; merging the parts costs a copy.
 */
interface KeyedPart {
  rows: readonly WireRow[];
  keys: Datum[];
  uuids: string[];
  /**
   * Per row, 1 when no string in its key has a code unit from U+D800 up (where UTF-16 and UTF-8 order
   * differ); undefined when that holds for every row.
   */
  plain: Uint8Array | undefined;
}

const BEYOND_PLAIN = /[\ud800-\uffff]/;

/** How long a change is shown: cells flash and deleted rows fade for this long. */
export const MARK_MS = 1_500;

/** Above this share of the view, a batch is applied by rebuilding instead of row by row. */
const REBUILD_SHARE = 0.125;

export class TableView {
  readonly reader: RowReader;
  private test: RowTest | undefined;
  private problem: FilterProblem | undefined;
  private passes = new WeakMap<WireRow, boolean>();
  private sortKeys: readonly SortKey[] = [];
  /** Sorted rows that pass the filter, ghosts included. */
  private order: WireRow[] = [];
  /**
   * The sort key of each row of `order`: the row at `i` has the datums from `i · width` on. A binary search
   * compares keys it already has (remembering them per row in a WeakMap cost a first load of 100,000 rows
   * 1.6 s of lookups and GC), and one flat array is one object for the collector, not one per row.
   */
  private orderKeys: Datum[] = [];
  /** Datums per row in `orderKeys`: the number of sort columns. */
  private width = 1;
  /**
   * Rows of a first snapshot that passed the filter and are not merged into `order` yet (see `load`), with
   * their keys read when they arrived: then the rows are fresh in the CPU's cache, while at the merge, up to
   * a second later, each row read was a trip to memory (130 ms of a 100,000-row load in a profile).
   */
  private loading: KeyedPart[] = [];
  /** Rows in `loading`. */
  private loadingRows = 0;
  /** Deleted rows still shown, by uuid, with when they were deleted. */
  private readonly ghosts = new Map<string, { row: WireRow; at: number }>();
  private readonly marks = new Map<string, Mark>();
  private frozen: WireRow[] | undefined;
  private pendingChanges = 0;
  /** Bumped on every change to what `window` would return. */
  version = 0;

  constructor(
    readonly table: TableSchema,
    private readonly source: RowSource,
    spec: ViewSpec = { filter: '', sort: [] },
  ) {
    this.reader = new RowReader(table);
    this.setSpec(spec);
  }

  get filterProblem(): FilterProblem | undefined {
    return this.problem;
  }

  get paused(): boolean {
    return this.frozen !== undefined;
  }

  /** Changes that arrived while paused. */
  get pending(): number {
    return this.pendingChanges;
  }

  /** Rows shown (ghosts excluded). */
  get count(): number {
    return this.frozen ? this.frozen.length : this.order.length + this.loadingRows - this.ghosts.size;
  }

  get effectiveSort(): readonly SortKey[] {
    return this.sortKeys;
  }

  setSpec(spec: ViewSpec): void {
    const parsed = parseFilterText(spec.filter, this.table, this.reader);
    this.problem = parsed.problem;
    // A filter with a mistake shows nothing rather than everything: the user sees the error, not a lie.
    this.test = parsed.problem ? () => false : parsed.test;
    const valid = spec.sort.filter((k) => columnType(this.table, k.column) !== undefined);
    this.sortKeys =
      valid.length > 0
        ? valid
        : this.table.columns.get('name')?.type.key.type === 'string'
          ? [{ column: 'name', desc: false }]
          : [{ column: '_uuid', desc: false }];
    this.width = this.sortKeys.length;
    this.passes = new WeakMap();
    this.rebuild();
  }

  private passesFilter(row: WireRow): boolean {
    if (!this.test) return true;
    let p = this.passes.get(row);
    if (p === undefined) {
      p = this.test(row);
      this.passes.set(row, p);
    }
    return p;
  }

  /** A row's sort key, decoded (not remembered: the keys of the rows in the view are in `orderKeys`). */
  private keyFor(row: WireRow): Datum[] {
    return this.sortKeys.map((s) => this.reader.peekDatum(row, s.column));
  }

  /** Where the row at `i` sorts against the row with this key and uuid: the sort keys, then the uuid. */
  private compareAt(i: number, key: readonly Datum[], uuid: string): number {
    const at = i * this.width;
    for (let j = 0; j < this.width; j++) {
      const c = compareKey(this.orderKeys[at + j] as Datum, key[j] as Datum);
      if (c !== 0) return (this.sortKeys[j] as SortKey).desc ? -c : c;
    }
    // Only on a tie: a row's uuid is read from the row object, a trip to memory at a million probes.
    const u = uuidOfRow(this.order[i] as WireRow);
    return u < uuid ? -1 : u > uuid ? 1 : 0;
  }

  /** The first index (from `from` on) whose row sorts after the row with this key and uuid, or is it. */
  private lowerBound(key: readonly Datum[], uuid: string, from = 0, to = this.order.length): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(mid, key, uuid) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * `lowerBound` for a place expected near `from`: steps of 1, 2, 4… then a binary search in the last step,
   * so k sorted rows merged into n cost k·log(n/k) comparisons instead of k·log n.
   */
  private gallop(key: readonly Datum[], uuid: string, from: number): number {
    const n = this.order.length;
    let lo = from;
    let step = 1;
    while (lo + step <= n && this.compareAt(lo + step - 1, key, uuid) < 0) {
      lo += step;
      step *= 2;
    }
    return this.lowerBound(key, uuid, lo, Math.min(n, lo + step - 1));
  }

  private remove(row: WireRow): void {
    const i = this.lowerBound(this.keyFor(row), uuidOfRow(row));
    if (this.order[i] !== row) return;
    this.order.splice(i, 1);
    this.orderKeys.splice(i * this.width, this.width);
  }

  /**
   * A new version of a row whose sort key did not change takes the old one's place (most changes: a column
   * other than the sorted ones), without moving the rows after it twice. False when the key changed.
   */
  private replace(old: WireRow, row: WireRow): boolean {
    const key = this.keyFor(old);
    const next = this.keyFor(row);
    if (!key.every((k, j) => compareKey(k, next[j] as Datum) === 0)) return false;
    const i = this.lowerBound(key, uuidOfRow(old));
    if (this.order[i] !== old) return false;
    this.order[i] = row;
    for (let j = 0; j < this.width; j++) this.orderKeys[i * this.width + j] = next[j] as Datum;
    return true;
  }

  private insert(row: WireRow): void {
    const key = this.keyFor(row);
    const i = this.lowerBound(key, uuidOfRow(row));
    this.order.splice(i, 0, row);
    this.orderKeys.splice(i * this.width, 0, ...key);
  }

  rebuild(): void {
    const rows: WireRow[] = [];
    // Whether a row passes is not remembered here either (`passesFilter` finds it again when a change needs it).
    const test = this.test;
    const passes = (r: WireRow): boolean => !test || (this.passes.get(r) ?? test(r));
    for (const r of this.source.rows()) if (passes(r)) rows.push(r);
    for (const g of this.ghosts.values()) if (passes(g.row)) rows.push(g.row);
    const sorted = this.sortKeyed([this.keyed(rows)]);
    this.loading = [];
    this.loadingRows = 0;
    this.order = sorted.rows;
    this.orderKeys = sorted.keys;
    this.version++;
  }

  /**
   * Rows of a first snapshot that is still arriving (their source already holds them): merged into the order,
   * so the first rows show long before the last chunk. O(n + k log n) for k rows, not a re-sort (see `settle`).
   */
  load(rows: readonly WireRow[]): void {
    const test = this.test;
    const add = test ? rows.filter((r) => test(r)) : rows;
    if (add.length === 0) return;
    this.version++;
    // A paused view shows what it froze; resume rebuilds from the source, which has these rows.
    if (this.frozen) return;
    this.loading.push(this.keyed(add));
    this.loadingRows += add.length;
  }

  /**
   * Merges the rows `load` gathered into the order, when the order is next read: a snapshot's 200 chunks then
   * cost a merge per window sent (about one a second), not one per chunk (each copying the whole order).
   */
  private settle(): void {
    if (this.loadingRows === 0) return;
    const added = this.sortKeyed(this.loading);
    this.loading = [];
    this.loadingRows = 0;
    const w = this.width;
    const k = added.rows.length;
    // The added rows are in order, so each one's place is at or after the previous one's.
    const at = new Array<number>(k);
    const key = new Array<Datum>(w);
    let lo = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < w; j++) key[j] = added.keys[i * w + j] as Datum;
      lo = this.gallop(key, added.uuids[i] as string, lo);
      at[i] = lo;
    }
    const n = this.order.length + k;
    const merged = new Array<WireRow>(n);
    const keys = new Array<Datum>(n * w);
    let from = 0;
    let out = 0;
    const copy = (src: readonly Datum[], si: number): void => {
      for (let j = 0; j < w; j++) keys[out * w + j] = src[si * w + j] as Datum;
    };
    for (let i = 0; i < k; i++) {
      const to = at[i] as number;
      for (; from < to; from++, out++) {
        merged[out] = this.order[from] as WireRow;
        copy(this.orderKeys, from);
      }
      merged[out] = added.rows[i] as WireRow;
      copy(added.keys, i);
      out++;
    }
    for (; from < this.order.length; from++, out++) {
      merged[out] = this.order[from] as WireRow;
      copy(this.orderKeys, from);
    }
    this.order = merged;
    this.orderKeys = keys;
  }

  /**
   * Each row's sort key, uuid and plainness, read once (not at each of the n·log n comparisons: for 100,000
   * rows that was most of the time a snapshot took to show).
   */
  private keyed(rows: readonly WireRow[]): KeyedPart {
    const w = this.width;
    const n = rows.length;
    const columns = this.sortKeys.map((s) => s.column);
    const keys = new Array<Datum>(n * w);
    const uuids = new Array<string>(n);
    let plain: Uint8Array | undefined;
    for (let i = 0; i < n; i++) {
      const r = rows[i] as WireRow;
      for (let j = 0; j < w; j++) {
        const d = this.reader.peekDatum(r, columns[j] as string);
        keys[i * w + j] = d;
        if (typeof d === 'string' && BEYOND_PLAIN.test(d)) (plain ??= new Uint8Array(n).fill(1))[i] = 0;
      }
      uuids[i] = uuidOfRow(r);
    }
    return { rows, keys, uuids, plain };
  }

  /** Keyed rows in the view's order (the same as `compareAt`), sorted through a permutation: no object per row. */
  private sortKeyed(parts: readonly KeyedPart[]): Sorted {
    const w = this.width;
    const { rows, keys, uuids, plain } = parts.length === 1 ? (parts[0] as KeyedPart) : this.joined(parts);
    const n = rows.length;
    const desc = this.sortKeys.map((k) => k.desc);
    const perm = new Array<number>(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    perm.sort((a, b) => {
      // Strings below U+D800 compare the same by UTF-16 code unit as by UTF-8 byte (OVSDB's order).
      const both = !plain || (plain[a] === 1 && plain[b] === 1);
      for (let j = 0; j < w; j++) {
        const x = keys[a * w + j] as Datum;
        const y = keys[b * w + j] as Datum;
        const c =
          both && typeof x === 'string' && typeof y === 'string' ? (x < y ? -1 : x > y ? 1 : 0) : compareKey(x, y);
        if (c !== 0) return desc[j] ? -c : c;
      }
      const ua = uuids[a] as string;
      const ub = uuids[b] as string;
      return ua < ub ? -1 : ua > ub ? 1 : 0;
    });
    const sorted: Sorted = { rows: new Array<WireRow>(n), keys: new Array<Datum>(n * w), uuids: new Array<string>(n) };
    for (let i = 0; i < n; i++) {
      const from = perm[i] as number;
      sorted.rows[i] = rows[from] as WireRow;
      sorted.uuids[i] = uuids[from] as string;
      for (let j = 0; j < w; j++) sorted.keys[i * w + j] = keys[from * w + j] as Datum;
    }
    return sorted;
  }

  /** Parts side by side, so the comparisons index one array each. */
  private joined(parts: readonly KeyedPart[]): KeyedPart {
    const w = this.width;
    let n = 0;
    for (const p of parts) n += p.rows.length;
    const rows = new Array<WireRow>(n);
    const keys = new Array<Datum>(n * w);
    const uuids = new Array<string>(n);
    let plain: Uint8Array | undefined;
    let at = 0;
    for (const p of parts) {
      const k = p.rows.length;
      for (let i = 0; i < k; i++) {
        rows[at + i] = p.rows[i] as WireRow;
        uuids[at + i] = p.uuids[i] as string;
      }
      for (let i = 0; i < k * w; i++) keys[at * w + i] = p.keys[i] as Datum;
      if (p.plain) (plain ??= new Uint8Array(n).fill(1)).set(p.plain, at);
      at += k;
    }
    return { rows, keys, uuids, plain };
  }

  /** Fold a batch of changes to this table into the view. */
  apply(changes: readonly AppliedChange[], now: number): void {
    const mine = changes.filter((c) => c.table === this.table.name);
    if (mine.length === 0) return;
    this.settle();
    for (const c of mine) {
      if (c.kind === 'delete') this.marks.delete(c.uuid);
      else
        this.marks.set(c.uuid, {
          kind: c.kind === 'insert' && !c.old ? 'insert' : 'modify',
          ...(c.columns ? { columns: c.columns } : {}),
          at: now,
        });
    }
    if (this.frozen) {
      this.pendingChanges += mine.length;
      this.version++;
      return;
    }
    const bulk = mine.length > Math.max(64, this.order.length * REBUILD_SHARE);
    for (const c of mine) {
      const ghost = this.ghosts.get(c.uuid);
      if (ghost && c.kind !== 'delete') {
        this.ghosts.delete(c.uuid);
        if (!bulk) this.remove(ghost.row);
      }
      if (c.kind === 'delete') {
        // Shown as a ghost while it fades; removed by `expire`.
        if (c.old && this.passesFilter(c.old)) this.ghosts.set(c.uuid, { row: c.old, at: now });
        continue;
      }
      if (bulk) continue;
      const was = c.old !== undefined && this.passesFilter(c.old);
      const is = c.row !== undefined && this.passesFilter(c.row);
      if (was && is && c.old && c.row && this.replace(c.old, c.row)) continue;
      if (was && c.old) this.remove(c.old);
      if (is && c.row) this.insert(c.row);
    }
    if (bulk) this.rebuild();
    this.version++;
  }

  /** Drop ghosts and marks older than `MARK_MS`; true when anything visible changed. */
  expire(now: number): boolean {
    this.settle();
    let changed = false;
    for (const [uuid, g] of this.ghosts) {
      if (now - g.at < MARK_MS) continue;
      this.ghosts.delete(uuid);
      if (!this.frozen) this.remove(g.row);
      changed = true;
    }
    for (const [uuid, m] of this.marks) {
      if (now - m.at < MARK_MS) continue;
      this.marks.delete(uuid);
      changed = true;
    }
    if (changed) this.version++;
    return changed;
  }

  get hasMarks(): boolean {
    return this.marks.size > 0 || this.ghosts.size > 0;
  }

  pause(): void {
    if (this.frozen) return;
    this.settle();
    this.frozen = this.order.filter((r) => !this.ghosts.has(uuidOfRow(r)));
    this.pendingChanges = 0;
    this.version++;
  }

  resume(): void {
    if (!this.frozen) return;
    this.frozen = undefined;
    this.pendingChanges = 0;
    this.ghosts.clear();
    this.rebuild();
  }

  private rows(): WireRow[] {
    if (this.frozen) return this.frozen;
    this.settle();
    return this.order;
  }

  window(start: number, end: number): ViewRow[] {
    const rows = this.rows();
    const out: ViewRow[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, rows.length); i++) {
      const row = rows[i] as WireRow;
      const uuid = uuidOfRow(row);
      const ghost = this.frozen ? undefined : this.ghosts.get(uuid);
      const mark = ghost ? { kind: 'delete' as const, at: ghost.at } : this.frozen ? undefined : this.marks.get(uuid);
      out.push(mark && (!ghost || ghost.row === row) ? { uuid, row, mark } : { uuid, row });
    }
    return out;
  }

  /** Where a row is in the view now, or -1. */
  indexOf(uuid: string): number {
    const rows = this.rows();
    const r = this.ghosts.get(uuid)?.row ?? this.source.get(uuid);
    if (r && !this.frozen) {
      const i = this.lowerBound(this.keyFor(r), uuidOfRow(r));
      if (rows[i] === r) return i;
    }
    // A paused view may hold an older version of the row: look it up by uuid.
    return rows.findIndex((x) => uuidOfRow(x) === uuid);
  }

  /** Indexes of rows whose text contains `text` (case-insensitive), in view order, at most `limit`. */
  find(text: string, limit = 10_000): number[] {
    const needle = text.toLowerCase();
    if (needle === '') return [];
    const out: number[] = [];
    const rows = this.rows();
    for (let i = 0; i < rows.length && out.length < limit; i++)
      if (this.reader.searchText(rows[i] as WireRow).includes(needle)) out.push(i);
    return out;
  }

  /** The rows shown (no ghosts), in order. */
  visibleRows(): WireRow[] {
    const rows = this.rows();
    return this.frozen ? rows : rows.filter((r) => !this.ghosts.has(uuidOfRow(r)));
  }
}
