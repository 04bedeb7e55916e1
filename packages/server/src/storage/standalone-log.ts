/**
 * The standalone database file (ovsdb(5), "Standalone Format"): `OVSDB JSON` records, the first holding the
 * schema and each later one a committed transaction (see txn-record.ts). ovsdb-server appends one record per
 * transaction and, when it compacts the file (or `ovsdb-tool compact` does), rewrites it as the schema
 * plus one record holding every row.
 */
import type { JsonObject } from '@ovsdb-web/client';
import { Database } from '../database.js';
import { parseSchemaRecord } from './schema-record.js';
import { jsonErrors, recordJson, type FileRecord } from './record-file.js';
import { applyTransactionRecord } from './txn-record.js';

export interface StandaloneContents {
  readonly schema: JsonObject;
  readonly db: Database;
  /** Transaction records applied (the schema record not counted). */
  readonly transactions: number;
}

export function readStandaloneLog(path: string, data: Buffer, records: readonly FileRecord[]): StandaloneContents {
  const [first, ...rest] = records;
  if (first === undefined) throw new Error('unreachable: a scan always has a first record');
  const schemaJson = jsonErrors(path, first.offset, () => recordJson(path, data, first).parse());
  const { json, schema } = parseSchemaRecord({ path, offset: first.offset }, schemaJson);
  const db = new Database(schema);
  for (const rec of rest) {
    const at = { path, offset: rec.offset };
    jsonErrors(path, rec.offset, () => applyTransactionRecord(db, recordJson(path, data, rec), at));
  }
  return { schema: json, db, transactions: rest.length };
}
