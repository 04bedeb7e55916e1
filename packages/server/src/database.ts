/**
 * The committed state of one database: per table, rows keyed by UUID, plus what is derived from them and
 * kept up to date by `apply` (unique indexes, strong reference counts, who holds weak references to whom).
 *
 * Rows are immutable snapshots: a `Row` of typed datums holding every schema column plus `_uuid` and
 * `_version`. A change replaces the row object, so an unchanged column keeps the very same datum object and
 * "did this column change" is usually an identity test. Transactions never touch this state directly: they
 * work on an overlay (transaction.ts) and hand the resulting row changes to `apply` at commit.
 */
import { randomUUID } from 'node:crypto';
import {
  OvsdbError,
  checkAtom,
  datumEquals,
  defaultDatum,
  isMapDatum,
  type Atom,
  type ColumnSchema,
  type ColumnType,
  type DatabaseSchema,
  type Datum,
  type Row,
  type TableSchema,
} from '@ovsdb-web/client';
import { serverColumnOrder } from './shash-order.js';

/**
 * One row change of a commit. `old` absent: inserted; `new` absent: deleted. (The client's `RowChange` is a change
 * its cache saw, with a kind and the changed columns.)
 */
export interface CommitChange {
  readonly table: string;
  readonly uuid: string;
  readonly old: Row | undefined;
  readonly new: Row | undefined;
}

export interface UniqueIndex {
  readonly columns: readonly ColumnSchema[];
  /** Index key (see `indexKey`) → UUID of the committed row holding those values. */
  readonly rows: Map<string, string>;
}

/** Columns of a table that hold references, split by strength (a column may be in neither). */
interface RefColumns {
  readonly strong: readonly ColumnSchema[];
  readonly weak: readonly ColumnSchema[];
}

export class TableStore {
  readonly name: string;
  readonly rows = new Map<string, Row>();
  /** Strong references to each row from other rows (self references do not count); absent means 0. */
  readonly refCounts = new Map<string, number>();
  /** For each row, the rows holding weak references to it, as `srcTable + "\n" + srcUuid`. */
  readonly weakReferrers = new Map<string, Set<string>>();
  readonly indexes: readonly UniqueIndex[];
  readonly refColumns: RefColumns;
  /**
   * Schema columns (without `_uuid`/`_version`) in the order ovsdb-server visits them, which decides
   * which problem it reports first when a row has several (see shash-order.ts).
   */
  readonly columns: readonly ColumnSchema[];
  /** Every column name, `_uuid` and `_version` included, in the server's order. */
  readonly columnOrder: readonly string[];
  /** A row with every column at its default, to start inserts from. */
  readonly defaults: Readonly<Record<string, Datum>>;
  /**
   * Columns whose default value breaks the column's own constraints (an enum without "", a minimum above
   * 0...), in the server's order, with the error an insert that leaves them out gets.
   */
  readonly badDefaults: readonly { readonly column: string; readonly error: OvsdbError }[];

  constructor(
    readonly schema: TableSchema,
    /** Whether unreferenced rows stay (see `Database`); otherwise they are garbage-collected at commit. */
    readonly isRoot: boolean,
  ) {
    this.name = schema.name;
    this.columnOrder = serverColumnOrder([...schema.columns.keys()]);
    this.columns = this.columnOrder
      .filter((n) => schema.columns.has(n))
      .map((n) => schema.columns.get(n) as ColumnSchema);
    this.indexes = schema.indexes.map((names) => ({
      columns: names.map((n) => schema.columns.get(n) as ColumnSchema),
      rows: new Map<string, string>(),
    }));
    const strong: ColumnSchema[] = [];
    const weak: ColumnSchema[] = [];
    const defaults: Record<string, Datum> = {};
    for (const col of this.columns) {
      const t = col.type;
      if (t.key.refType === 'strong' || t.value?.refType === 'strong') strong.push(col);
      if (t.key.refType === 'weak' || t.value?.refType === 'weak') weak.push(col);
      defaults[col.name] = defaultDatum(t);
    }
    this.refColumns = { strong, weak };
    this.defaults = defaults;
    const bad: { column: string; error: OvsdbError }[] = [];
    for (const col of this.columns) {
      const error = defaultViolation(col.type, defaults[col.name] as Datum);
      if (error !== undefined) bad.push({ column: col.name, error });
    }
    this.badDefaults = bad;
  }

  strongRefs(uuid: string): number {
    return this.refCounts.get(uuid) ?? 0;
  }
}

export class Database {
  readonly name: string;
  readonly tables = new Map<string, TableStore>();

  constructor(readonly schema: DatabaseSchema) {
    this.name = schema.name;
    // A schema in which no table is a root predates garbage collection: ovsdb-server then treats every
    // table as a root, so nothing is ever collected.
    const anyRoot = [...schema.tables.values()].some((t) => t.isRoot);
    for (const t of schema.tables.values()) this.tables.set(t.name, new TableStore(t, t.isRoot || !anyRoot));
  }

  table(name: string): TableStore | undefined {
    return this.tables.get(name);
  }

  /** Total number of rows, for metrics and tests. */
  get rowCount(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.rows.size;
    return n;
  }

  /**
   * Make a set of row changes the committed state and update everything derived from it. The changes must
   * already be valid together (transaction.ts checks that); replaying a log relies on the same function.
   */
  apply(changes: readonly CommitChange[]): void {
    for (const ch of changes) {
      const table = this.tables.get(ch.table);
      if (table === undefined) continue;
      if (ch.new === undefined) table.rows.delete(ch.uuid);
      else table.rows.set(ch.uuid, ch.new);
      this.updateIndexes(table, ch);
      this.updateReferences(table, ch);
    }
  }

  private updateIndexes(table: TableStore, ch: CommitChange): void {
    for (const index of table.indexes) {
      const oldKey = ch.old === undefined ? undefined : indexKey(ch.old, index.columns);
      const newKey = ch.new === undefined ? undefined : indexKey(ch.new, index.columns);
      if (oldKey === newKey) continue;
      // Only remove an entry that still names this row: within one commit another row may have taken the key.
      if (oldKey !== undefined && index.rows.get(oldKey) === ch.uuid) index.rows.delete(oldKey);
      if (newKey !== undefined) index.rows.set(newKey, ch.uuid);
    }
  }

  private updateReferences(table: TableStore, ch: CommitChange): void {
    const { strong, weak } = table.refColumns;
    for (const col of strong) {
      const before = ch.old?.[col.name];
      const after = ch.new?.[col.name];
      if (before === after) continue;
      const { removed, added } = strongRefChanges(col, before, after);
      for (const [t, u] of removed) this.adjustStrong(t, u, ch.uuid, -1);
      for (const [t, u] of added) this.adjustStrong(t, u, ch.uuid, 1);
    }
    if (weak.length === 0) return;
    let changed = ch.old === undefined || ch.new === undefined;
    for (let i = 0; !changed && i < weak.length; i++) {
      const name = (weak[i] as ColumnSchema).name;
      changed = ch.old?.[name] !== ch.new?.[name];
    }
    if (!changed) return;
    const src = `${table.name}\n${ch.uuid}`;
    const before = ch.old === undefined ? undefined : weakTargets(weak, ch.uuid, ch.old);
    const after = ch.new === undefined ? undefined : weakTargets(weak, ch.uuid, ch.new);
    if (before !== undefined) {
      for (const target of before) {
        if (after?.has(target) === true) continue;
        const [tname, tuuid] = splitRef(target);
        const set = this.tables.get(tname)?.weakReferrers.get(tuuid);
        if (set === undefined) continue;
        set.delete(src);
        if (set.size === 0) this.tables.get(tname)?.weakReferrers.delete(tuuid);
      }
    }
    if (after !== undefined) {
      for (const target of after) {
        if (before?.has(target) === true) continue;
        const [tname, tuuid] = splitRef(target);
        const t = this.tables.get(tname);
        if (t === undefined) continue;
        let set = t.weakReferrers.get(tuuid);
        if (set === undefined) t.weakReferrers.set(tuuid, (set = new Set()));
        set.add(src);
      }
    }
  }

  private adjustStrong(tableName: string, uuid: string, self: string, delta: number): void {
    if (uuid === self) return; // a row's references to itself do not keep it alive
    const t = this.tables.get(tableName);
    if (t === undefined) return;
    const n = (t.refCounts.get(uuid) ?? 0) + delta;
    if (n <= 0) t.refCounts.delete(uuid);
    else t.refCounts.set(uuid, n);
  }
}

/**
 * Whether a default datum breaks its type's constraints. Only a datum of exactly one member can (none has
 * nothing to check, and a default never has more), which is also all ovsdb-server checks.
 */
function defaultViolation(type: ColumnType, d: Datum): OvsdbError | undefined {
  try {
    if (isMapDatum(d)) {
      if (d.size !== 1) return undefined;
      for (const [k, v] of d) {
        checkAtom(type.key, k);
        if (type.value !== undefined) checkAtom(type.value, v);
      }
    } else if (Array.isArray(d)) {
      if (d.length === 1) checkAtom(type.key, d[0] as Atom);
    } else {
      checkAtom(type.key, d as Atom);
    }
  } catch (err) {
    if (err instanceof OvsdbError) return err;
    throw err;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers shared by the transaction engine

export function newUuid(): string {
  return randomUUID();
}

/**
 * Call `fn` for every reference of the given strength in a datum (map keys and values both count, so a
 * map may mention the same row twice).
 */
export function forEachRef(
  type: ColumnType,
  datum: Datum,
  strength: 'strong' | 'weak',
  fn: (table: string, uuid: string) => void,
): void {
  const keyTable = type.key.refType === strength ? type.key.refTable : undefined;
  const valueTable = type.value?.refType === strength ? type.value.refTable : undefined;
  if (keyTable === undefined && valueTable === undefined) return;
  if (datum instanceof Map) {
    for (const [k, v] of datum) {
      if (keyTable !== undefined && typeof k === 'string') fn(keyTable, k);
      if (valueTable !== undefined && typeof v === 'string') fn(valueTable, v);
    }
  } else if (Array.isArray(datum)) {
    if (keyTable === undefined) return;
    for (const a of datum as readonly Atom[]) if (typeof a === 'string') fn(keyTable, a);
  } else if (keyTable !== undefined && typeof datum === 'string') {
    fn(keyTable, datum);
  }
}

/** Strong references a column change drops and adds, as [table, uuid], with multiplicity. */
export interface RefChanges {
  readonly removed: [string, string][];
  readonly added: [string, string][];
}

/**
 * The strong references that differ between two values of a column (map keys and values both count; a map
 * pair counts as unchanged only if the same key maps to the same value). Only the difference: a switch's
 * `ports` gaining one port must not recount the hundreds it already had, which was most of the server's
 * time per transaction in bench/lib/server.mjs.
 */
export function strongRefChanges(col: ColumnSchema, before: Datum | undefined, after: Datum | undefined): RefChanges {
  if (Array.isArray(before) && Array.isArray(after)) {
    const d = sortedDiff(before as readonly Atom[], after as readonly Atom[]);
    if (d !== undefined) return { removed: refsIn(col, d.onlyA), added: refsIn(col, d.onlyB) };
  }
  return { removed: refsRemoved(col, before, after), added: refsRemoved(col, after, before) };
}

function refsIn(col: ColumnSchema, d: Datum): [string, string][] {
  const out: [string, string][] = [];
  forEachRef(col.type, d, 'strong', (t, u) => {
    out.push([t, u]);
  });
  return out;
}

/** Strong references in `a` but not in `b`, the general way (hashing). */
function refsRemoved(col: ColumnSchema, a: Datum | undefined, b: Datum | undefined): [string, string][] {
  if (a === undefined) return [];
  if (b === undefined) return refsIn(col, a);
  if (isMapDatum(a) && isMapDatum(b)) {
    const valueType = { key: col.type.value ?? col.type.key, min: 1, max: 1 };
    const gone = new Map<Atom, Atom>();
    for (const [k, v] of a) {
      const w = b.get(k);
      if (w === undefined || !datumEquals(valueType, v, w)) gone.set(k, v);
    }
    return refsIn(col, gone);
  }
  const sa: readonly Atom[] = Array.isArray(a) ? (a as readonly Atom[]) : [a as Atom];
  const inB = new Set<Atom>(Array.isArray(b) ? (b as readonly Atom[]) : [b as Atom]);
  return refsIn(
    col,
    sa.filter((x) => !inB.has(x)),
  );
}

/**
 * `a` minus `b` and `b` minus `a` in one merge, for sets of strings in strictly ascending order (how
 * committed sets of UUIDs are kept), hashing nothing. Undefined when either is not such a set, so the
 * caller takes the general way; the order is checked on every element as the merge consumes it.
 */
export function sortedDiff(a: readonly Atom[], b: readonly Atom[]): { onlyA: Atom[]; onlyB: Atom[] } | undefined {
  const onlyA: Atom[] = [];
  const onlyB: Atom[] = [];
  let i = 0;
  let j = 0;
  // Each set is a subsequence of what the merge consumes, so both are strictly ascending exactly when the
  // consumed sequence is: one comparison per step checks both.
  let last: string | undefined;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    let next: string;
    if (i < a.length && j < b.length) {
      if (typeof x !== 'string' || typeof y !== 'string') return undefined;
      // Unchanged members are usually the very same string in both (identity, no character comparison).
      if (x === y) {
        next = x;
        i++;
        j++;
      } else if (x < y) {
        next = x;
        onlyA.push(x);
        i++;
      } else {
        next = y;
        onlyB.push(y);
        j++;
      }
    } else if (i < a.length) {
      if (typeof x !== 'string') return undefined;
      next = x;
      onlyA.push(x);
      i++;
    } else {
      if (typeof y !== 'string') return undefined;
      next = y;
      onlyB.push(y);
      j++;
    }
    if (last !== undefined && last >= next) return undefined;
    last = next;
  }
  return { onlyA, onlyB };
}

function weakTargets(columns: readonly ColumnSchema[], self: string, row: Row): Set<string> {
  const out = new Set<string>();
  for (const col of columns) {
    const d = row[col.name];
    if (d === undefined) continue;
    forEachRef(col.type, d, 'weak', (t, u) => {
      if (u !== self) out.add(`${t}\n${u}`);
    });
  }
  return out;
}

export function splitRef(ref: string): [string, string] {
  const i = ref.indexOf('\n');
  return [ref.slice(0, i), ref.slice(i + 1)];
}

/** A string that is equal for two atoms exactly when the atoms are equal (strings cannot hold NUL). */
function atomKey(a: Atom): string {
  switch (typeof a) {
    case 'string':
      return `s${a}`;
    case 'number':
      return `n${a}`;
    case 'bigint':
      return `n${a}`;
    case 'boolean':
      return a ? 'T' : 'F';
    default:
      return `?${String(a)}`;
  }
}

// Separate from the client's `datumKey` on purpose: index hot path, cheaper NUL-separated keys (no JSON.stringify).
/** A string key for a datum, equal exactly for equal datums of one column type. */
export function datumKey(d: Datum): string {
  if (isMapDatum(d)) {
    let s = '{';
    for (const [k, v] of d) s += `${atomKey(k)}\u0000${atomKey(v)}\u0000`;
    return s;
  }
  if (Array.isArray(d)) {
    let s = '[';
    for (const a of d as readonly Atom[]) s += `${atomKey(a)}\u0000`;
    return s;
  }
  return atomKey(d as Atom);
}

export function indexKey(row: Row, columns: readonly ColumnSchema[]): string {
  if (columns.length === 1) return datumKey(row[(columns[0] as ColumnSchema).name] as Datum);
  let s = '';
  for (const c of columns) s += `${datumKey(row[c.name] as Datum)}\u0001`;
  return s;
}
