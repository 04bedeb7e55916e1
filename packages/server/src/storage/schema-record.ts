/** A database schema read from a file record (the first standalone record, a RAFT snapshot or entry). */
import { OvsdbError, parseDatabaseSchema, type DatabaseSchema, type Json, type JsonObject } from '@ovsdb-web/client';
import { recordError, type RecordPlace } from './errors.js';

export function parseSchemaRecord(at: RecordPlace, json: Json): { json: JsonObject; schema: DatabaseSchema } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw recordError(at, 'expected the database schema (a JSON object)');
  }
  try {
    return { json, schema: parseDatabaseSchema(json) };
  } catch (err) {
    if (!(err instanceof OvsdbError)) throw err;
    throw recordError(at, `the schema is not valid: ${err.details ?? err.error}`, { cause: err });
  }
}
