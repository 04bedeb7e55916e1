/**
 * Checks that need the database's contents, not just its schema, made against a monitor's cache
 * before sending: strong references to rows that do not exist, and inserts that would clash with an
 * existing row on a unique index. ovsdb-server finds both only at commit; finding them here lets a
 * caller point at the operation and column.
 *
 * The cache must mirror whole tables (a monitor without `anyOf` on the tables involved): a filtered
 * cache would make rows look missing. Where the transaction also deletes, updates or mutates a table,
 * its index clashes are left to the server, since the final state of that table cannot be known here.
 */
import type { Json } from '../wire/json.js';
import { isJsonObject } from '../wire/notation.js';
import type { Operation } from '../wire/operation.js';
import { columnOf, type BaseType, type ColumnSchema, type DatabaseSchema } from '../schema/schema.js';
import type { Atom, Datum } from '../data/value.js';
import { datumFromWire, defaultDatum } from '../data/datum.js';
import { datumKey } from '../data/key.js';
import type { Row } from '../data/value.js';
import { TransactionValidationError } from './errors.js';

/** What the check reads: a `DatabaseCache` (or anything holding whole-table caches by name). */
export interface CacheView {
  readonly tables: ReadonlyMap<string, TableView>;
}

/** The part of a `TableCache` the check reads; declared here so transactions do not depend on the cache. */
export interface TableView {
  has(uuid: string): boolean;
  readonly indexes: readonly string[];
  lookup(name: string, ...values: unknown[]): Row[];
}

export function checkAgainstCache(
  schema: DatabaseSchema,
  operations: readonly (Operation | Json)[],
  cache: CacheView,
): void {
  const ops = operations as readonly Json[];
  const changed = new Set<string>();
  const created = new Set<string>();
  for (const op of ops) {
    if (!isJsonObject(op) || typeof op.table !== 'string') continue;
    if (op.op === 'delete' || op.op === 'update' || op.op === 'mutate') changed.add(op.table);
    if (op.op === 'insert' && typeof op.uuid === 'string') created.add(op.uuid.toLowerCase());
  }
  const inserted = new Map<string, number>();
  ops.forEach((op, index) => {
    if (
      !isJsonObject(op) ||
      (op.op !== 'insert' && op.op !== 'update') ||
      typeof op.table !== 'string' ||
      !isJsonObject(op.row)
    )
      return;
    const table = schema.tables.get(op.table);
    if (!table) return;
    const row: Record<string, Datum> = {};
    for (const [name, wire] of Object.entries(op.row)) {
      const column = columnOf(table, name);
      if (!column) continue;
      const datum = datumFromWire(column.type, wire, { namedUuids: 'allow' });
      row[name] = datum;
      for (const base of [column.type.key, column.type.value]) {
        const missing = base ? missingReference(base, datum, base === column.type.value, cache, created) : undefined;
        if (missing) {
          throw new TransactionValidationError(
            'referential integrity violation',
            `column ${name} refers to row ${missing} of table ${base?.refTable}, which does not exist`,
            index,
            op.op,
            op.table,
            name,
          );
        }
      }
    }
    if (op.op !== 'insert' || changed.has(op.table)) return;
    const tcache = cache.tables.get(op.table);
    if (!tcache) return;
    for (const columns of table.indexes) {
      const name = columns.join(',');
      if (!tcache.indexes.includes(name)) continue;
      // A schema's indexes name only its own columns (parseTableSchema checks).
      const values = columns.map(
        (c) => row[c] ?? defaultDatum((table.columns.get(c) ?? (columnOf(table, c) as ColumnSchema)).type),
      );
      const existing = tcache.lookup(name, ...values);
      const key = `${op.table}|${name}|${values.map(datumKey).join('|')}`;
      // Rows of the cache always carry their `_uuid` as a string.
      const existingUuid = existing[0]?._uuid as string | undefined;
      const insertedBy = inserted.get(key);
      const clash =
        existingUuid !== undefined
          ? `row ${existingUuid}`
          : insertedBy !== undefined
            ? `the row inserted by operation ${insertedBy}`
            : undefined;
      if (clash !== undefined) {
        throw new TransactionValidationError(
          'constraint violation',
          `the new row would have the same ${columns.join(', ')} as ${clash}, but table ${op.table} has a unique index on (${columns.join(', ')})`,
          index,
          'insert',
          op.table,
          columns[0],
        );
      }
      inserted.set(key, index);
    }
  });
}

/** A strong reference in `datum` to a row the cache does not hold, if any. */
function missingReference(
  base: BaseType,
  datum: Datum,
  values: boolean,
  cache: CacheView,
  created: ReadonlySet<string>,
): string | undefined {
  if (base.type !== 'uuid' || base.refTable === undefined || base.refType !== 'strong') return undefined;
  const target = cache.tables.get(base.refTable);
  if (!target) return undefined;
  let atoms: readonly Atom[];
  if (datum instanceof Map) atoms = values ? [...datum.values()] : [...datum.keys()];
  else atoms = Array.isArray(datum) ? (datum as readonly Atom[]) : [datum as Atom];
  for (const a of atoms) {
    if (typeof a === 'string' && !target.has(a) && !created.has(a)) return a;
  }
  return undefined;
}
