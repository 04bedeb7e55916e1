/**
 * Reading a database file ovsdb-server wrote, standalone or clustered, into memory: the schema, the rows
 * of the latest committed state, and warnings for what could not be used (a record cut short by a crash,
 * clustered log entries not known to be committed). The file is only ever read.
 */
import { readFile } from 'node:fs/promises';
import { ZERO_UUID, type JsonObject, type Row } from '@ovsdb-web/client';
import type { Database } from '../database.js';
import { DatabaseFileError, type DatabaseFileWarning } from './errors.js';
import { readRaftLog, type ClusterInfo } from './raft-log.js';
import { scanRecords, type FileKind } from './record-file.js';
import { readStandaloneLog } from './standalone-log.js';

export interface LoadedDatabaseFile {
  readonly path: string;
  readonly format: FileKind;
  /** The database name the schema gives. */
  readonly name: string;
  /** The schema as the file stores it. */
  readonly schema: JsonObject;
  /** Every row by table and UUID, each with all of its table's columns (typed, as `Database` keeps them). */
  readonly rows: ReadonlyMap<string, ReadonlyMap<string, Row>>;
  readonly warnings: readonly DatabaseFileWarning[];
  /** Whole records read, the schema's (or the RAFT header's) included. */
  readonly records: number;
  /** For a clustered file: which cluster and server it belongs to, and how far its log goes. */
  readonly cluster?: ClusterInfo;
  /**
   * The id to report as the last transaction: a clustered file's last applied entry id (what a clustered
   * ovsdb-server reports to `monitor_cond_since`), the all-zero UUID for a standalone file.
   */
  readonly lastTxnId: string;
  /** The contents, ready to serve (see `EmbeddedServer.addDatabaseFile`). */
  readonly database: Database;
}

/** Read and parse a database file. Rejects with a `DatabaseFileError` when it cannot be used. */
export async function loadDatabaseFile(path: string): Promise<LoadedDatabaseFile> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DatabaseFileError(path, 'unreadable', undefined, `cannot read the file (${why})`, { cause: err });
  }
  return parseDatabaseFile(path, data);
}

/** `loadDatabaseFile` on bytes already read; `path` only names the file in messages. */
export function parseDatabaseFile(path: string, data: Buffer): LoadedDatabaseFile {
  const scan = scanRecords(path, data);
  const warnings: DatabaseFileWarning[] = [];
  if (scan.truncatedAt !== undefined) {
    const { offset, reason } = scan.truncatedAt;
    const message =
      `${path}: ${reason} at byte offset ${offset}, as a crash while writing leaves it; ` +
      `loaded the ${scan.records.length} whole records before it`;
    warnings.push({ path, kind: 'truncated', offset, message });
  }
  const base = { path, format: scan.kind, records: scan.records.length };
  if (scan.kind === 'standalone') {
    const { schema, db } = readStandaloneLog(path, data, scan.records);
    return { ...base, name: db.name, schema, rows: rowsOf(db), warnings, lastTxnId: ZERO_UUID, database: db };
  }
  const c = readRaftLog(path, data, scan.records);
  warnings.push(...c.warnings);
  return {
    ...base,
    name: c.db.name,
    schema: c.schema,
    rows: rowsOf(c.db),
    warnings,
    cluster: c.cluster,
    lastTxnId: c.lastEid ?? ZERO_UUID,
    database: c.db,
  };
}

function rowsOf(db: Database): ReadonlyMap<string, ReadonlyMap<string, Row>> {
  return new Map([...db.tables].map(([name, table]) => [name, table.rows]));
}
