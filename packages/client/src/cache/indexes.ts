/**
 * Secondary indexes of a table cache: the schema's own (unique) indexes and any the caller declares,
 * over whole columns or over one key of a map column (e.g. `external_ids:k8s.ovn.org/pod`).
 */
import type { Atom, Datum, MapDatum, Row } from '../data/value.js';
import { compositeKey, datumKey } from './key.js';

export type IndexSpec =
  | { name?: string; columns: readonly string[]; unique?: boolean }
  | { name?: string; column: string; key: Atom };

/** Rows per key; a Set even for unique indexes, because a cache mirrors the server and must not refuse. */
export class Index {
  readonly name: string;
  readonly columns: readonly string[];
  readonly mapKey: Atom | undefined;
  readonly unique: boolean;
  private readonly entries = new Map<string, Set<string>>();

  constructor(spec: IndexSpec) {
    if ('column' in spec) {
      this.columns = [spec.column];
      this.mapKey = spec.key;
      this.unique = false;
      this.name = spec.name ?? `${spec.column}:${String(spec.key)}`;
    } else {
      this.columns = [...spec.columns];
      this.mapKey = undefined;
      this.unique = spec.unique ?? false;
      this.name = spec.name ?? this.columns.join(',');
    }
  }

  /** The row's key in this index, or undefined when the row has no entry (map key absent). */
  keyOf(row: Row): string | undefined {
    if (this.mapKey !== undefined) {
      const m = row[this.columns[0] as string] as MapDatum | undefined;
      const v = m?.get(this.mapKey);
      return v === undefined ? undefined : datumKey(v);
    }
    if (this.columns.length === 1) return datumKey(row[this.columns[0] as string] as Datum);
    return compositeKey(this.columns.map((c) => row[c] as Datum));
  }

  /** The key for looking up `values` (one per column; for a map-key index, the value under that key). */
  keyFor(values: readonly Datum[]): string {
    return this.mapKey !== undefined ? datumKey(values[0] as Datum) : compositeKey(values);
  }

  add(uuid: string, row: Row): void {
    const k = this.keyOf(row);
    if (k === undefined) return;
    let set = this.entries.get(k);
    if (!set) this.entries.set(k, (set = new Set()));
    set.add(uuid);
  }

  remove(uuid: string, row: Row): void {
    const k = this.keyOf(row);
    if (k === undefined) return;
    const set = this.entries.get(k);
    if (!set) return;
    set.delete(uuid);
    if (set.size === 0) this.entries.delete(k);
  }

  get(key: string): ReadonlySet<string> | undefined {
    return this.entries.get(key);
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
