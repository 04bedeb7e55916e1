/**
 * The cached rows of one monitored table: rows by uuid, each an immutable snapshot (a change replaces
 * the row object, never edits it), plus indexes and lookups by condition.
 */
import type { Json } from '../wire/json.js';
import { MisuseError, OvsdbError } from '../wire/errors.js';
import { columnOf, isScalar, type ColumnSchema, type TableSchema } from '../schema/schema.js';
import type { Datum, Row } from '../data/value.js';
import { datumDecoder, defaultDatum, datumEquals, type DatumDecoder } from '../data/datum.js';
import { applyDiff } from '../data/diff.js';
import { evaluateConditions, parseConditions, type ParsedCondition, type ConditionClause } from '../data/condition.js';
import { encodeConditions, type Condition } from '../data/encode.js';
import { Index, type IndexSpec } from './indexes.js';

export class TableCache {
  readonly name: string;
  /** The columns this cache holds (what the monitor asked for and the server has). */
  readonly columns: readonly ColumnSchema[];
  private readonly byName: ReadonlyMap<string, ColumnSchema>;
  /**
   * Every decoded row starts as a copy of this: `_uuid`, then each monitored column at its default.
   * Copying an object that already has all the properties keeps rows in V8's compact fast-property
   * form; adding 20-odd properties one by one with computed names turns each row into a hash table
   * (about 6× the memory, and slower to build and to collect).
   */
  private readonly template: Readonly<Record<string, Datum>>;
  /** Each monitored column's decoder, made once per cache rather than worked out again per value. */
  private readonly decoders: ReadonlyMap<string, DatumDecoder>;
  private readonly data = new Map<string, Row>();
  private readonly indexList: Index[] = [];
  private readonly indexByName = new Map<string, Index>();

  constructor(
    readonly schema: TableSchema,
    columns: readonly ColumnSchema[],
    indexes: readonly IndexSpec[] = [],
  ) {
    this.name = schema.name;
    this.columns = columns;
    this.byName = new Map(columns.map((c) => [c.name, c]));
    this.decoders = new Map(columns.map((c) => [c.name, datumDecoder(c.type)]));
    // fromEntries builds the template itself with fast properties, so copies of it are fast too.
    this.template = Object.fromEntries([
      ['_uuid', ''],
      ...columns.map((c): [string, Datum] => [c.name, defaultDatum(c.type)]),
    ]);
    for (const cols of schema.indexes) {
      if (cols.every((c) => this.byName.has(c))) this.addIndex({ columns: cols, unique: true });
    }
    for (const spec of indexes) this.addIndex(spec);
  }

  private addIndex(spec: IndexSpec): void {
    const only =
      'column' in spec ? undefined : spec.columns.length === 1 ? this.byName.get(spec.columns[0] as string) : undefined;
    const index = new Index(spec, only !== undefined && isScalar(only.type));
    for (const c of index.columns) {
      if (!this.byName.has(c))
        throw new MisuseError(
          'bad-argument',
          `index ${index.name} of table ${this.name} names column ${c}, which this monitor does not hold`,
        );
    }
    if (this.indexByName.has(index.name)) return;
    this.indexList.push(index);
    this.indexByName.set(index.name, index);
    for (const [uuid, row] of this.data) index.add(uuid, row);
  }

  get size(): number {
    return this.data.size;
  }

  get(uuid: string): Row | undefined {
    return this.data.get(uuid);
  }

  has(uuid: string): boolean {
    return this.data.has(uuid);
  }

  /** Every row (a new array; the rows themselves are shared immutable snapshots). */
  rows(): Row[] {
    return [...this.data.values()];
  }

  [Symbol.iterator](): IterableIterator<Row> {
    return this.data.values();
  }

  /** `[uuid, row]` pairs. */
  tableRows(): IterableIterator<[string, Row]> {
    return this.data.entries();
  }

  uuids(): IterableIterator<string> {
    return this.data.keys();
  }

  get indexes(): readonly string[] {
    return this.indexList.map((i) => i.name);
  }

  /**
   * Rows with `values` in index `name` (one value per indexed column; for a map-key index, the value
   * under that key).
   */
  lookup(name: string, ...values: unknown[]): Row[] {
    const index = this.indexByName.get(name);
    if (!index)
      throw new MisuseError(
        'unknown-index',
        `table ${this.name} has no index named ${name}; it has ${this.indexes.join(', ') || 'none'}`,
      );
    const uuids = index.get(index.keyFor(values as Datum[]));
    return uuids ? uuids.map((u) => this.data.get(u) as Row) : [];
  }

  /**
   * Rows matching every condition (typed values, as the transaction builder takes them). Uses an index
   * when `==` clauses cover all of an index's columns; otherwise scans.
   */
  find(where: readonly Condition[]): Row[] {
    const conds = parseConditions(this.schema, encodeConditions(this.schema, where));
    const candidates = this.candidates(conds);
    const out: Row[] = [];
    for (const row of candidates) if (evaluateConditions(conds, row)) out.push(row);
    return out;
  }

  private candidates(conds: readonly ParsedCondition[]): Iterable<Row> {
    const equal = new Map<string, ConditionClause>();
    for (const c of conds) {
      if (typeof c === 'object' && c.function === '==') equal.set(c.column, c);
    }
    if (equal.has('_uuid')) {
      const row = this.data.get((equal.get('_uuid') as ConditionClause).value as string);
      return row ? [row] : [];
    }
    for (const index of this.indexList) {
      if (index.mapKey !== undefined) continue;
      if (!index.columns.every((c) => equal.has(c))) continue;
      const key = index.keyFor(index.columns.map((c) => (equal.get(c) as ConditionClause).value));
      const uuids = index.get(key);
      return uuids ? uuids.map((u) => this.data.get(u) as Row) : [];
    }
    return this.data.values();
  }

  // ---- decoding (used by the update appliers) -------------------------------------------------------

  /**
   * A full row from wire notation; monitored columns the server left out take their defaults. A row that is
   * not an object is the server's fault: an OvsdbError "syntax error", as for any malformed table-updates
   * (see `malformed` in database-cache.ts).
   */
  decodeRow(uuid: string, wire: Json): Row {
    if (wire === null || typeof wire !== 'object' || Array.isArray(wire)) {
      throw new OvsdbError('syntax error', `row ${uuid} of table ${this.name} is not a JSON object`);
    }
    const w = wire;
    const row: Record<string, Datum> = { ...this.template };
    row._uuid = uuid;
    // Only the columns the server sent need decoding (it leaves out default values); the rest keep the
    // template's defaults. Columns we did not ask for (such as `_version`) are skipped.
    for (const name in w) {
      const decode = this.decoders.get(name);
      if (decode !== undefined) row[name] = decode(w[name] as Json);
    }
    return row;
  }

  /** Apply an update2 `modify` (changed columns only, in diff notation) to `old`; a malformed one as `decodeRow`. */
  applyModify(old: Row, diff: Json): { row: Row; changed: string[] } {
    if (diff === null || typeof diff !== 'object' || Array.isArray(diff)) {
      throw new OvsdbError('syntax error', `modify of table ${this.name} is not a JSON object`);
    }
    const row: Record<string, Datum> = { ...old };
    const changed: string[] = [];
    for (const name in diff) {
      const col = this.byName.get(name);
      if (!col) continue; // a column we did not ask for (schema skew): ignore rather than fail the stream
      row[name] = applyDiff(col.type, old[name] as Datum, diff[name] as Json);
      changed.push(name);
    }
    return { row, changed };
  }

  /** The columns whose values differ between two rows of this table. */
  changedColumns(a: Row, b: Row): string[] {
    const out: string[] = [];
    for (const col of this.columns) {
      if (!datumEquals(col.type, a[col.name] as Datum, b[col.name] as Datum)) out.push(col.name);
    }
    return out;
  }

  // ---- mutation (only the cache's appliers call these) ---------------------------------------------

  /** @internal */
  put(uuid: string, row: Row, changed?: readonly string[]): Row | undefined {
    const old = this.data.get(uuid);
    if (old) {
      for (const index of this.indexList) {
        if (changed === undefined || index.touches(changed)) {
          index.remove(uuid, old);
          index.add(uuid, row);
        }
      }
    } else {
      for (const index of this.indexList) index.add(uuid, row);
    }
    this.data.set(uuid, row);
    return old;
  }

  /** @internal */
  remove(uuid: string): Row | undefined {
    const old = this.data.get(uuid);
    if (!old) return undefined;
    for (const index of this.indexList) index.remove(uuid, old);
    this.data.delete(uuid);
    return old;
  }

  /** @internal */
  clear(): void {
    this.data.clear();
    for (const index of this.indexList) index.clear();
  }
}

/** The monitored columns of `table`: all of them, or the named ones (unknown names are skew, reported by the caller). */
export function resolveColumns(
  table: TableSchema,
  names: readonly string[] | undefined,
): { columns: ColumnSchema[]; missing: string[] } {
  if (names === undefined) return { columns: [...table.columns.values()], missing: [] };
  const columns: ColumnSchema[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const c = n === '_uuid' ? undefined : columnOf(table, n);
    if (n === '_uuid') continue;
    if (c && table.columns.has(n)) columns.push(c);
    else missing.push(n);
  }
  return { columns, missing };
}
