/**
 * Optional file persistence: an append-only log with one JSON line per committed transaction (the rows
 * it inserted, changed or deleted), replayed when the database is added again. `compact()` rewrites the
 * file as one snapshot line per database.
 *
 * Line formats (one JSON object per line):
 *   {"db":NAME,"txn":UUID,"time":MS,"changes":{TABLE:{UUID: ROW | null}}}
 *   {"db":NAME,"txn":UUID,"time":MS,"snapshot":true,"rows":{TABLE:{UUID: ROW}}}
 * where ROW is in wire notation: for an inserted row (and in a snapshot) `_version` and every column not at
 * its default, for a modified row `_version` and the columns that changed (their new values), and null
 * for a deleted row. Transaction ids are kept so that clients can resume monitors across a restart.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import {
  datumEquals,
  parseJson,
  rowFromWire,
  stringifyJson,
  type Datum,
  type Json,
  type JsonObject,
  type Row,
  type WireRow,
} from '@ovsdb-web/client';
import type { CommitChange, TableStore } from './database.js';
import type { CommitInfo, ServedDatabase } from './served-db.js';
import { encodeDatum, encodeRow } from './wire.js';

export interface StorageOptions {
  /** The log file; created when missing. */
  readonly path: string;
}

export class LogStorage {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** Apply every logged transaction of `served`'s database, in order, before anyone can see it. */
  replay(served: ServedDatabase): number {
    if (!existsSync(this.path)) return 0;
    const text = readFileSync(this.path, 'utf8');
    let n = 0;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      start = end + 1;
      // A quick test avoids parsing the lines of other databases.
      if (line.length === 0 || !line.includes(`"db":${JSON.stringify(served.name)}`)) continue;
      let rec: Json;
      try {
        rec = parseJson(line);
      } catch {
        continue; // a torn last line after a crash
      }
      if (rec === null || typeof rec !== 'object' || Array.isArray(rec) || rec.db !== served.name) continue;
      this.replayRecord(served, rec);
      n++;
    }
    return n;
  }

  private replayRecord(served: ServedDatabase, rec: JsonObject): void {
    const db = served.db;
    const changes: CommitChange[] = [];
    const snapshot = rec.snapshot === true;
    const body = (snapshot ? rec.rows : rec.changes) as Json;
    if (snapshot) {
      // A snapshot replaces whatever came before it.
      for (const table of db.tables.values()) {
        for (const [uuid, row] of table.rows) changes.push({ table: table.name, uuid, old: row, new: undefined });
      }
    }
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      for (const [tname, rows] of Object.entries(body)) {
        const table = db.table(tname);
        if (table === undefined || rows === null || typeof rows !== 'object' || Array.isArray(rows)) continue;
        for (const [uuid, wire] of Object.entries(rows)) {
          const old = snapshot ? undefined : table.rows.get(uuid);
          if (wire === null) {
            if (old !== undefined) changes.push({ table: tname, uuid, old, new: undefined });
            continue;
          }
          const given = decodeRow(table, wire);
          const base: Row = old ?? { ...table.defaults, _uuid: uuid };
          changes.push({ table: tname, uuid, old, new: { ...base, ...given, _uuid: uuid } });
        }
      }
    }
    const txn = typeof rec.txn === 'string' ? rec.txn : undefined;
    if (snapshot) {
      // Deletions of the old contents and the snapshot rows may name the same row: apply in two steps.
      const dels = changes.filter((c) => c.new === undefined);
      const ins = changes.filter((c) => c.new !== undefined);
      db.apply(dels);
      served.commit(ins, [], false, txn);
      if (ins.length === 0 && txn !== undefined) served.lastTxnId = txn;
    } else {
      served.commit(changes, [], false, txn);
    }
  }

  /** Append one committed transaction. */
  append(served: ServedDatabase, commit: CommitInfo): void {
    const out: JsonObject = {};
    for (const ch of commit.changes) {
      const table = served.db.table(ch.table) as TableStore;
      const rows = (out[ch.table] ??= {}) as JsonObject;
      rows[ch.uuid] =
        ch.new === undefined
          ? null
          : ch.old === undefined
            ? insertedRow(table, ch.new)
            : changedColumns(table, ch.old, ch.new);
    }
    const rec: JsonObject = { db: served.name, txn: commit.txnId, time: Date.now(), changes: out };
    if (commit.comments.length > 0) rec.comment = commit.comments.join('\n');
    this.write(`${stringifyJson(rec)}\n`, commit.durable);
  }

  /** Rewrite the log as one snapshot per database (atomically: a new file renamed over the old one). */
  compact(databases: readonly ServedDatabase[]): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      for (const served of databases) {
        const rows: JsonObject = {};
        for (const table of served.db.tables.values()) {
          if (table.rows.size === 0) continue;
          const t: JsonObject = {};
          for (const [uuid, row] of table.rows) t[uuid] = insertedRow(table, row);
          rows[table.name] = t;
        }
        const rec: JsonObject = { db: served.name, txn: served.lastTxnId, time: Date.now(), snapshot: true, rows };
        writeSync(fd, `${stringifyJson(rec)}\n`);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.closeFile();
    renameSync(tmp, this.path);
  }

  close(): void {
    this.closeFile();
  }

  private write(text: string, durable: boolean): void {
    this.fd ??= openSync(this.path, 'a');
    writeSync(this.fd, text);
    if (durable) fsyncSync(this.fd);
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function insertedRow(table: TableStore, row: Row): WireRow {
  const all = encodeRow(table, row);
  const out: WireRow = {};
  for (const [k, v] of Object.entries(all)) if (k !== '_uuid') out[k] = v;
  return out;
}

function changedColumns(table: TableStore, old: Row, row: Row): WireRow {
  const out: WireRow = { _version: ['uuid', row._version as string] };
  for (const col of table.columns) {
    const a = old[col.name] as Datum;
    const b = row[col.name] as Datum;
    if (a !== b && !datumEquals(col.type, a, b)) out[col.name] = encodeDatum(col.type, b);
  }
  return out;
}

/** Decode a logged row, skipping columns the current schema no longer has. */
function decodeRow(table: TableStore, wire: Json): Row {
  if (wire === null || typeof wire !== 'object' || Array.isArray(wire)) return {};
  const known: JsonObject = {};
  for (const [k, v] of Object.entries(wire)) if (k === '_version' || table.schema.columns.has(k)) known[k] = v;
  return rowFromWire(table.schema, known);
}
