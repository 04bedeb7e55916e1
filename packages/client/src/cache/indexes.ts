/**
 * Secondary indexes of a table cache: the schema's own (unique) indexes and any the caller declares,
 * over whole columns or over one key of a map column (e.g. `external_ids:k8s.ovn.org/pod`).
 */
import type { Atom, Datum, MapDatum, Row } from '../data/value.js';
import { normalizeInteger } from '../data/atom.js';
import { compositeKey, datumKey } from '../data/key.js';

export type IndexSpec =
  { name?: string; columns: readonly string[]; unique?: boolean } | { name?: string; column: string; key: Atom };

/**
 * Rows per key. A key can hold several rows even in a unique index, because a cache mirrors the server
 * and must not refuse; but most keys hold one, so a single row is kept as its bare uuid and only a second
 * one makes a Set (a Set per row was a good part of an indexed table's memory and load time).
 */
export class Index {
  readonly name: string;
  readonly columns: readonly string[];
  readonly mapKey: Atom | undefined;
  readonly unique: boolean;
  /**
   * Keys are the atoms themselves where every key is one atom (an index on one scalar column, or on one
   * map key): a Map compares those by value already, and building a canonical string for each row cost
   * more than the rest of indexing it. Other indexes key by the canonical string of their datums.
   */
  private readonly atomKeys: boolean;
  private readonly entries = new Map<unknown, string | Set<string>>();

  /** `scalar`: the index is on one column whose values are single atoms. */
  constructor(spec: IndexSpec, scalar = false) {
    if ('column' in spec) {
      this.columns = [spec.column];
      this.mapKey = spec.key;
      this.unique = false;
      this.name = spec.name ?? `${spec.column}:${String(spec.key)}`;
      this.atomKeys = true;
    } else {
      this.columns = [...spec.columns];
      this.mapKey = undefined;
      this.unique = spec.unique ?? false;
      this.name = spec.name ?? this.columns.join(',');
      this.atomKeys = scalar && this.columns.length === 1;
    }
  }

  /** The row's key in this index, or undefined when the row has no entry (map key absent). */
  keyOf(row: Row): unknown {
    if (this.mapKey !== undefined) {
      const m = row[this.columns[0] as string] as MapDatum | undefined;
      return m?.get(this.mapKey);
    }
    if (this.atomKeys) return row[this.columns[0] as string];
    if (this.columns.length === 1) return datumKey(row[this.columns[0] as string] as Datum);
    return compositeKey(this.columns.map((c) => row[c] as Datum));
  }

  /** The key for looking up `values` (one per column; for a map-key index, the value under that key). */
  keyFor(values: readonly Datum[]): unknown {
    if (this.atomKeys) {
      // Cached integers are numbers when safe, so a caller's 5n must find 5.
      const v = values[0];
      return typeof v === 'bigint' ? normalizeInteger(v) : v;
    }
    return compositeKey(values);
  }

  add(uuid: string, row: Row): void {
    const k = this.keyOf(row);
    if (k === undefined) return;
    const cur = this.entries.get(k);
    if (cur === undefined) this.entries.set(k, uuid);
    else if (typeof cur === 'string') {
      if (cur !== uuid) this.entries.set(k, new Set([cur, uuid]));
    } else cur.add(uuid);
  }

  remove(uuid: string, row: Row): void {
    const k = this.keyOf(row);
    if (k === undefined) return;
    const cur = this.entries.get(k);
    if (cur === undefined) return;
    if (typeof cur === 'string') {
      if (cur === uuid) this.entries.delete(k);
      return;
    }
    cur.delete(uuid);
    if (cur.size === 1) this.entries.set(k, cur.values().next().value as string);
    else if (cur.size === 0) this.entries.delete(k);
  }

  /** The uuids of the rows under `key` (a new array), or undefined when there are none. */
  get(key: unknown): string[] | undefined {
    const cur = this.entries.get(key);
    if (cur === undefined) return undefined;
    return typeof cur === 'string' ? [cur] : [...cur];
  }

  /** True when a changed row needs re-indexing (cheap check before remove + add). */
  touches(changedColumns: Iterable<string>): boolean {
    for (const c of changedColumns) if (this.columns.includes(c)) return true;
    return false;
  }

  clear(): void {
    this.entries.clear();
  }
}
