/**
 * Online schema conversion (ovsdb-server(7), the `convert` method): the database's rows are copied into a
 * new, empty database with the new schema, and that copy is committed as one transaction would be.
 *
 * Tables and columns the new schema no longer has are dropped; new columns start at their defaults; a
 * column whose type changed has each value re-read with the new type from its JSON form, so a value the
 * new type cannot hold (a string where an integer is now wanted, a set too big, a number out of the new
 * range) fails the conversion. The commit then applies every commit-time rule: references to rows that
 * do not exist, unique indexes, `maxRows`, garbage collection of rows of non-root tables that nothing
 * references any more, and weak references to them. Rows keep their UUIDs and get new versions.
 *
 * ovsdb-server 3.1.0 itself crashes when a value cannot be converted (a use-after-free in its error path:
 * the conformance notes saw exit 139); we answer with the error instead.
 */
import {
  OvsdbError,
  datumFromWire,
  datumToWire,
  type BaseType,
  type ColumnSchema,
  type ColumnType,
  type DatabaseSchema,
  type Datum,
  type Json,
} from '@ovsdb-web/client';
import { precommit } from './commit.js';
import { Database, newUuid } from './database.js';
import { TxnState } from './txn-state.js';

/** The database `src` becomes under `schema`; throws the `OvsdbError` the conversion fails with. */
export function convertDatabase(src: Database, schema: DatabaseSchema): Database {
  const dst = new Database(schema);
  const txn = new TxnState(dst);
  for (const [name, from] of src.tables) {
    const to = dst.table(name);
    if (to === undefined) continue;
    const columns: { name: string; from: ColumnSchema; to: ColumnSchema; same: boolean }[] = [];
    for (const col of to.columns) {
      const old = from.schema.columns.get(col.name);
      if (old !== undefined) columns.push({ name: col.name, from: old, to: col, same: sameType(old.type, col.type) });
    }
    for (const [uuid, row] of from.rows) {
      // Object.assign rather than spread: a much smaller row (see storage/txn-record.ts).
      const out: Record<string, Datum> = Object.assign({}, to.defaults);
      for (const c of columns) {
        const d = row[c.name] as Datum;
        out[c.name] = c.same ? d : reread(c.from.type, c.to.type, d);
      }
      out._uuid = uuid;
      out._version = newUuid();
      txn.insert(to, out);
    }
  }
  const changes = precommit(txn);
  if (changes instanceof OvsdbError) throw changes;
  dst.apply(changes);
  return dst;
}

/** A value of one column type, read again as a value of another (through its JSON form, as ovsdb-server does). */
function reread(from: ColumnType, to: ColumnType, d: Datum): Datum {
  const wire = datumToWire(from, d) as Json;
  return datumFromWire(to, wire);
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  if (a.min !== b.min || a.max !== b.max) return false;
  if (!sameBase(a.key, b.key)) return false;
  if (a.value === undefined || b.value === undefined) return a.value === b.value;
  return sameBase(a.value, b.value);
}

function sameBase(a: BaseType, b: BaseType): boolean {
  if (
    a.type !== b.type ||
    a.minInteger !== b.minInteger ||
    a.maxInteger !== b.maxInteger ||
    a.minReal !== b.minReal ||
    a.maxReal !== b.maxReal ||
    a.minLength !== b.minLength ||
    a.maxLength !== b.maxLength ||
    a.refTable !== b.refTable ||
    a.refType !== b.refType
  ) {
    return false;
  }
  if (a.enum === undefined || b.enum === undefined) return a.enum === b.enum;
  if (a.enum.length !== b.enum.length) return false;
  const set = new Set(a.enum);
  return b.enum.every((x) => set.has(x));
}
