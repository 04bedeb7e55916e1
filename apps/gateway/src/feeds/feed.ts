/**
 * A `Feed` is one database of one remote as the gateway serves it: the OVSDB monitor's cache, its update
 * batches numbered within an epoch, a bounded history of recent batches (for browsers that resume and for
 * row history), per-table change rates, and row JSON encoded once per row version for every subscriber.
 * Routes and stream sessions read rows through these methods only.
 */
import { randomUUID } from 'node:crypto';
import {
  isSetDatum,
  rowToWire,
  stringifyJson,
  type DatabaseCache,
  type ChangeBatch,
  type DatabaseSchema,
  type Monitor,
  type Row,
  type RowChange,
  type TableSchema,
  type WireRow,
} from '@ovsdb-web/client';
import type { DatabaseStats, Reference, RowHistory, RowReferences, RowVersion, TableStats } from '@ovsdb-web/protocol';

export interface FeedEntry {
  readonly seq: number;
  /** ms since the epoch when the gateway received the batch. */
  readonly time: number;
  readonly batch: ChangeBatch;
  /** Approximate heap the batch keeps alive (its rows, old and new), for the history bound. */
  readonly bytes: number;
}

export type FeedListener = (entry: FeedEntry) => void;

export interface HistoryLimits {
  batches: number;
  bytes: number;
}

/** Change-rate buckets: 30 × 10 s shows the last five minutes. */
const BUCKET_MS = 10_000;
const BUCKETS = 30;

/**
 * Heap a retained row version costs per byte of its JSON: the row object with its maps and sets, its wire
 * form and its JSON text, about 5.7 bytes for OVN ports (measured with --expose-gc); rounded up so that
 * `--history-bytes` bounds real memory rather than JSON length. An old row shared with an earlier batch is
 * counted twice: the bound errs on the side of less memory.
 */
const HEAP_PER_JSON_BYTE = 6;

export class Feed {
  /** Changes when the gateway restarts: sequence numbers only compare within one epoch. */
  readonly epoch = randomUUID();
  private seqCounter = 0;
  private readonly history: FeedEntry[] = [];
  private historyBytes = 0;
  private readonly listeners = new Set<FeedListener>();
  private readonly encoded = new WeakMap<Row, WireRow>();
  private readonly texts = new WeakMap<Row, Map<string, string>>();
  /** Per table, change counts per bucket; `bucketStart` is the start of the last bucket. */
  private readonly rates = new Map<string, number[]>();
  private bucketStart = Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS;
  updates = 0;

  constructor(
    readonly remote: string,
    readonly db: string,
    private readonly monitor: Monitor,
    readonly schema: DatabaseSchema,
    private readonly limits: HistoryLimits,
  ) {
    monitor.on('change', (batch) => this.onBatch(batch));
  }

  private onBatch(batch: ChangeBatch): void {
    const time = Date.now();
    this.rollBuckets(time);
    let bytes = 64;
    for (const c of batch.changes) {
      const table = this.table(c.table);
      const row = c.new ?? c.old;
      // A modify keeps both versions alive; the old one is costed as the new (no need to encode it).
      if (table && row) bytes += HEAP_PER_JSON_BYTE * this.json(table, row).length * (c.new && c.old ? 2 : 1);
      bytes += 256;
      const counts = this.rates.get(c.table) ?? this.newRates(c.table);
      counts[counts.length - 1] = (counts[counts.length - 1] ?? 0) + 1;
    }
    const entry: FeedEntry = { seq: ++this.seqCounter, time, batch, bytes };
    this.updates += batch.changes.length;
    this.history.push(entry);
    this.historyBytes += bytes;
    let drop = 0;
    while (
      this.history.length - drop > 1 &&
      (this.history.length - drop > this.limits.batches || this.historyBytes > this.limits.bytes)
    ) {
      this.historyBytes -= (this.history[drop] as FeedEntry).bytes;
      drop++;
    }
    if (drop > 0) this.history.splice(0, drop);
    for (const l of this.listeners) l(entry);
  }

  get seq(): number {
    return this.seqCounter;
  }

  /** The whole-table cache, for checks and plans (read only). */
  get cache(): DatabaseCache {
    return this.monitor.cache;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Batches after `seq`, or undefined when the history no longer reaches back that far. */
  since(seq: number): FeedEntry[] | undefined {
    if (seq === this.seqCounter) return [];
    if (seq > this.seqCounter || seq < 0) return undefined;
    const first = this.history[0];
    if (!first || first.seq > seq + 1) return undefined;
    return this.history.slice(seq + 1 - first.seq);
  }

  tableNames(): string[] {
    return [...this.monitor.cache.tables.keys()];
  }

  table(name: string): TableSchema | undefined {
    return this.monitor.cache.tables.get(name)?.schema;
  }

  rows(table: string): Row[] {
    return this.monitor.cache.tables.get(table)?.rows() ?? [];
  }

  row(table: string, uuid: string): Row | undefined {
    return this.monitor.cache.tables.get(table)?.get(uuid);
  }

  size(table: string): number {
    return this.monitor.cache.tables.get(table)?.size ?? 0;
  }

  /**
   * A row as JSON text, optionally projected to `columns` (named by `key`); encoded once per row version
   * however many clients receive it (rows are immutable, so the row object identifies the version).
   */
  json(table: TableSchema, row: Row, columns?: ReadonlySet<string>, key = ''): string {
    let byKey = this.texts.get(row);
    if (!byKey) this.texts.set(row, (byKey = new Map<string, string>()));
    let text = byKey.get(key);
    if (text === undefined) {
      const full = this.wire(table, row);
      let out: WireRow = full;
      if (columns) {
        out = {};
        for (const k of Object.keys(full))
          if (columns.has(k) || k === '_uuid' || k === '_version') out[k] = full[k] as WireRow[string];
      }
      text = stringifyJson(out);
      byKey.set(key, text);
    }
    return text;
  }

  /** A row in RFC 7047 notation, encoded once however many clients receive it. */
  wire(table: TableSchema, row: Row): WireRow {
    let w = this.encoded.get(row);
    if (!w) {
      w = rowToWire(table, row);
      this.encoded.set(row, w);
    }
    return w;
  }

  private newRates(table: string): number[] {
    const counts = new Array<number>(BUCKETS).fill(0);
    this.rates.set(table, counts);
    return counts;
  }

  private rollBuckets(now: number): void {
    const start = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const steps = Math.min(BUCKETS, Math.round((start - this.bucketStart) / BUCKET_MS));
    if (steps <= 0) return;
    for (const counts of this.rates.values()) {
      counts.splice(0, steps);
      for (let i = 0; i < steps; i++) counts.push(0);
    }
    this.bucketStart = start;
  }

  stats(state: DatabaseStats['state']): DatabaseStats {
    this.rollBuckets(Date.now());
    const tables: TableStats[] = this.tableNames().map((name) => ({
      name,
      rows: this.size(name),
      changes: [...(this.rates.get(name) ?? new Array<number>(BUCKETS).fill(0))],
    }));
    return { remote: this.remote, db: this.db, state, epoch: this.epoch, seq: this.seq, bucketMs: BUCKET_MS, tables };
  }

  /** A row's versions among the retained batches, oldest first, starting with the version before the first change. */
  rowHistory(table: TableSchema, uuid: string): RowHistory {
    const versions: RowVersion[] = [];
    for (const entry of this.history) {
      for (const c of entry.batch.changes) {
        if (c.table !== table.name || c.uuid !== uuid) continue;
        if (versions.length === 0 && c.old) versions.push({ seq: 0, kind: 'initial', row: this.wire(table, c.old) });
        versions.push(version(entry, c, (r) => this.wire(table, r)));
      }
    }
    if (versions.length === 0) {
      const now = this.row(table.name, uuid);
      if (now) versions.push({ seq: 0, kind: 'initial', row: this.wire(table, now) });
    }
    return {
      table: table.name,
      uuid,
      versions,
      retainedFromSeq: this.history[0]?.seq ?? this.seq + 1,
      retention: { batches: this.limits.batches, bytes: this.limits.bytes },
    };
  }

  /** References a row holds and the rows that hold references to it, from the schema and the whole cache. */
  references(table: TableSchema, uuid: string): RowReferences {
    const out: RowReferences = { table: table.name, uuid, outgoing: [], incoming: [] };
    const row = this.row(table.name, uuid);
    if (row) {
      for (const col of table.columns.values()) {
        for (const [base, side] of [
          [col.type.key, 'key'],
          [col.type.value, 'value'],
        ] as const) {
          if (base?.type !== 'uuid' || base.refTable === undefined) continue;
          for (const target of uuidsIn(row[col.name], side)) {
            const ref: Reference = {
              column: col.name,
              table: base.refTable,
              uuid: target,
              exists: this.row(base.refTable, target) !== undefined,
              refType: base.refType ?? 'strong',
            };
            if (col.type.value) ref.in = side;
            const label = this.label(base.refTable, target);
            if (label !== undefined) ref.label = label;
            out.outgoing.push(ref);
          }
        }
      }
    }
    for (const other of this.schema.tables.values()) {
      const cols = [...other.columns.values()].filter(
        (c) => c.type.key.refTable === table.name || c.type.value?.refTable === table.name,
      );
      if (cols.length === 0 || !this.table(other.name)) continue;
      for (const r of this.rows(other.name)) {
        for (const col of cols) {
          for (const side of ['key', 'value'] as const) {
            const base = side === 'key' ? col.type.key : col.type.value;
            if (base?.refTable !== table.name) continue;
            if (!uuidsIn(r[col.name], side).includes(uuid)) continue;
            const ref: Reference = {
              column: col.name,
              table: other.name,
              uuid: r._uuid as string,
              exists: true,
              refType: base.refType ?? 'strong',
            };
            if (col.type.value) ref.in = side;
            const label = this.label(other.name, r._uuid as string);
            if (label !== undefined) ref.label = label;
            out.incoming.push(ref);
          }
        }
      }
    }
    return out;
  }

  /** A row's name for people: its `name` column when it has a non-empty one (optional names too). */
  label(table: string, uuid: string): string | undefined {
    const d = this.row(table, uuid)?.name;
    const name = d !== undefined && isSetDatum(d) ? d[0] : d;
    return typeof name === 'string' && name !== '' ? name : undefined;
  }
}

function version(entry: FeedEntry, c: RowChange, wire: (r: Row) => WireRow): RowVersion {
  const v: RowVersion = { seq: entry.seq, time: entry.time, kind: c.kind };
  if (c.new) v.row = wire(c.new);
  if (c.kind === 'modify' && c.columns) v.columns = [...c.columns];
  return v;
}

function uuidsIn(datum: unknown, side: 'key' | 'value'): string[] {
  if (typeof datum === 'string') return side === 'key' ? [datum] : [];
  if (Array.isArray(datum)) return side === 'key' ? datum.filter((a): a is string => typeof a === 'string') : [];
  if (datum instanceof Map) {
    const out: string[] = [];
    for (const [k, v] of datum) {
      const a: unknown = side === 'key' ? k : v;
      if (typeof a === 'string') out.push(a);
    }
    return out;
  }
  return [];
}
