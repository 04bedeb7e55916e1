/**
 * Transaction records, the unit both file formats store (a standalone log record after the schema, the
 * `data` of a RAFT entry, a snapshot): `{TABLE: {UUID: ROW | null}, "_date": MS, "_comment": TEXT,
 * "_is_diff": BOOL}` (ovsdb(5)).
 *
 * A row object names a row that is inserted when the database does not have its UUID yet and modified
 * otherwise; `null` deletes it. Without `_is_diff` (old files, and `ovsdb-tool compact`) each column holds
 * its new value. With `_is_diff` (written by ovsdb-server 2.15 and later) each column holds the update2
 * "modify" diff from its previous value: sets toggle the members given, maps add, replace or remove pairs,
 * other columns take the value given. A column still at its default is simply given its new value, which
 * is the same thing for a diff against an empty set or map.
 */
import {
  OvsdbError,
  applyDiff,
  canonicalUuid,
  datumFromWire,
  type Datum,
  type Json,
  type Row,
} from '@ovsdb-web/client';
import { newUuid, type Database, type CommitChange, type TableStore } from '../database.js';
import { recordError, type RecordPlace } from './errors.js';
import type { JsonSlice } from './json-slice.js';

/** Members of a transaction record that are not tables. */
const META_MEMBERS = new Set(['_date', '_comment', '_is_diff']);

/**
 * Apply one transaction record to `db`; returns the row changes it made (already applied). Rows are parsed
 * one at a time (see json-slice.ts); JSON errors inside it are the caller's to report (`jsonErrors`).
 */
export function applyTransactionRecord(db: Database, record: JsonSlice, at: RecordPlace): CommitChange[] {
  if (!record.isObject) throw recordError(at, 'a transaction record must be a JSON object');
  const members = [...record.members()];
  let isDiff = false;
  for (const [name, value] of members) {
    if (name !== '_is_diff') continue;
    const v = value.parse();
    if (typeof v !== 'boolean') throw recordError(at, '"_is_diff" must be true or false');
    isDiff = v;
  }
  const changes: CommitChange[] = [];
  for (const [name, rows] of members) {
    if (META_MEMBERS.has(name)) continue;
    const table = db.table(name);
    if (table === undefined) throw recordError(at, `the record changes table ${name}, which the schema does not have`);
    if (!rows.isObject) throw recordError(at, `table ${name}: expected an object of rows`);
    for (const [key, slice] of rows.members()) {
      const uuid = canonicalUuid(key);
      if (uuid === undefined) throw recordError(at, `table ${name}: "${key}" is not a UUID`);
      const old = table.rows.get(uuid);
      if (slice.isNull) {
        if (old === undefined) throw recordError(at, `table ${name}: cannot delete row ${uuid}, which does not exist`);
        changes.push({ table: name, uuid, old, new: undefined });
      } else {
        changes.push({ table: name, uuid, old, new: buildRow(table, uuid, old, slice.parse(), isDiff, at) });
      }
    }
  }
  db.apply(changes);
  return changes;
}

function buildRow(
  table: TableStore,
  uuid: string,
  old: Row | undefined,
  wire: Json,
  isDiff: boolean,
  at: RecordPlace,
): Row {
  if (wire === null || typeof wire !== 'object' || Array.isArray(wire)) {
    throw recordError(at, `table ${table.name} row ${uuid}: expected a row object or null`);
  }
  // Object.assign, not spread: V8 gives a spread copy of a 20-column row a property store with room to
  // grow, about 830 bytes a row against 250 (measured with 18 columns); a file holds every row at once.
  const row: Record<string, Datum> = Object.assign({}, old ?? table.defaults);
  for (const name in wire) {
    const value = wire[name] as Json;
    const col = table.schema.columns.get(name);
    if (col === undefined) throw recordError(at, `table ${table.name} row ${uuid}: the schema has no column ${name}`);
    const current = row[name] as Datum;
    try {
      row[name] =
        isDiff && current !== table.defaults[name]
          ? applyDiff(col.type, current, value)
          : datumFromWire(col.type, value);
    } catch (err) {
      if (!(err instanceof OvsdbError)) throw err;
      const what = err.details ?? err.error;
      throw recordError(at, `table ${table.name} row ${uuid} column ${name}: ${what}`, { cause: err });
    }
  }
  // ovsdb-server does not store row versions; each row it loads gets a fresh one, and so do ours.
  row._uuid = uuid;
  row._version = newUuid();
  return row;
}
