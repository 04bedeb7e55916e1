/**
 * The clustered database file (ovsdb(5), "Clustered Format"): `OVSDB CLUSTER` records, the first a header
 * naming the cluster and this server and holding the snapshot the log starts from (`prev_index`,
 * `prev_term`, `prev_data` = [schema, contents]), then RAFT records in the order the server wrote them:
 *
 *   log entries    {"term", "index", "data"?, "eid"?, "servers"?, "election_timer"?}
 *   commit index   {"commit_index"}
 *   and votes, leaders, terms and notes, which say nothing about the data.
 *
 * An entry's `data` is [schema or null, transaction or null]: a transaction alone is an ordinary commit; a
 * schema with a transaction is a conversion that carries the whole converted contents; a schema alone
 * (written by ovsdb-server 3.2 and later) is a conversion every server performs itself.
 *
 * An entry written again with an index the log already has replaces that entry and every later one (a new
 * leader overwrote entries that were never committed). The state this server last knew to be committed
 * is the snapshot plus the entries up to the largest commit index recorded; entries after it were written
 * but not known to be committed, so they are left out, with a warning.
 */
import { OvsdbError, canonicalUuid, type Json, type JsonObject } from '@ovsdb-web/client';
import { convertDatabase } from '../convert.js';
import { Database } from '../database.js';
import { DatabaseFileError, recordError, type DatabaseFileWarning, type RecordPlace } from './errors.js';
import type { JsonSlice } from './json-slice.js';
import { parseSchemaRecord } from './schema-record.js';
import { jsonErrors, recordJson, type FileRecord } from './record-file.js';
import { applyTransactionRecord } from './txn-record.js';

export interface ClusterInfo {
  readonly clusterId: string | undefined;
  readonly serverId: string | undefined;
  readonly localAddress: string | undefined;
  /** The last log index the snapshot covers. */
  readonly snapshotIndex: number;
  /** The largest commit index the file records. */
  readonly commitIndex: number;
  /** The last entry index in the log (committed or not). */
  readonly lastIndex: number;
}

export interface ClusteredContents {
  readonly schema: JsonObject;
  readonly db: Database;
  readonly cluster: ClusterInfo;
  /** The entry id of the last transaction applied (the snapshot's, when no entry was). */
  readonly lastEid: string | undefined;
  readonly warnings: DatabaseFileWarning[];
}

interface Entry {
  readonly index: number;
  readonly record: FileRecord;
  readonly eid: string | undefined;
}

/** A record's members, the small ones parsed; `data` and `prev_data` are left to walk later. */
function shallow(path: string, data: Buffer, rec: FileRecord): { fields: JsonObject; lazy: Map<string, JsonSlice> } {
  return jsonErrors(path, rec.offset, () => {
    const json = recordJson(path, data, rec);
    if (!json.isObject) throw recordError({ path, offset: rec.offset }, 'a RAFT record must be a JSON object');
    const fields: JsonObject = {};
    const lazy = new Map<string, JsonSlice>();
    for (const [name, value] of json.members()) {
      if (name === 'data' || name === 'prev_data') lazy.set(name, value);
      else fields[name] = value.parse();
    }
    return { fields, lazy };
  });
}

export function readRaftLog(path: string, data: Buffer, records: readonly FileRecord[]): ClusteredContents {
  const [first, ...rest] = records;
  if (first === undefined) throw new Error('unreachable: a scan always has a first record');
  const headerAt: RecordPlace = { path, offset: first.offset };
  const { fields: header, lazy } = shallow(path, data, first);
  const snapshot = lazy.get('prev_data');
  if (snapshot === undefined) {
    const why = header.remote_addresses !== undefined ? 'never finished joining its cluster' : 'has no snapshot';
    throw new DatabaseFileError(path, 'no-data', first.offset, `this server ${why}: the file holds no data`);
  }
  const snapshotIndex = nonNegativeInteger(header.prev_index, 'prev_index', headerAt);
  let { json: schemaJson, db } = jsonErrors(path, first.offset, () => {
    const parts = snapshot.isArray ? snapshot.elements() : [];
    if (parts.length !== 2) throw recordError(headerAt, '"prev_data" must be a two-element array [schema, data]');
    const [schemaPart, txnPart] = parts as [JsonSlice, JsonSlice];
    const parsed = parseSchemaRecord(headerAt, schemaPart.parse());
    const contents = new Database(parsed.schema);
    if (!txnPart.isNull) applyTransactionRecord(contents, txnPart, headerAt);
    return { ...parsed, db: contents };
  });

  // Replay the RAFT records into the log as the server would keep it.
  const log: Entry[] = [];
  let commitIndex = snapshotIndex;
  for (const rec of rest) {
    const at: RecordPlace = { path, offset: rec.offset };
    const { fields: r } = shallow(path, data, rec);
    if (r.index !== undefined) {
      const index = nonNegativeInteger(r.index, 'index', at);
      nonNegativeInteger(r.term, 'term', at);
      const next = snapshotIndex + log.length + 1;
      if (index <= snapshotIndex || index > next) {
        throw recordError(at, `log entry ${index} does not follow the log, whose next index is ${next}`);
      }
      log.length = index - snapshotIndex - 1;
      const eid = typeof r.eid === 'string' ? canonicalUuid(r.eid) : undefined;
      log.push({ index, record: rec, eid });
    } else if (r.commit_index !== undefined) {
      commitIndex = Math.max(commitIndex, nonNegativeInteger(r.commit_index, 'commit_index', at));
    }
  }

  const lastIndex = snapshotIndex + log.length;
  const warnings: DatabaseFileWarning[] = [];
  let lastEid = typeof header.prev_eid === 'string' ? canonicalUuid(header.prev_eid) : undefined;
  for (const entry of log) {
    if (entry.index > commitIndex) break;
    const at: RecordPlace = { path, offset: entry.record.offset };
    const entryData = shallow(path, data, entry.record).lazy.get('data');
    if (entryData === undefined || entryData.isNull) continue;
    jsonErrors(path, at.offset, () => {
      const parts = entryData.isArray ? entryData.elements() : [];
      if (parts.length !== 2) {
        throw recordError(at, `log entry ${entry.index}: "data" must be a two-element array [schema, transaction]`);
      }
      const [schemaPart, txnPart] = parts as [JsonSlice, JsonSlice];
      if (!schemaPart.isNull) {
        const parsed = parseSchemaRecord(at, schemaPart.parse());
        // With the converted contents, they replace the database; without, every server converts it.
        db = txnPart.isNull ? convertOrFail(db, parsed.schema, at, entry.index) : new Database(parsed.schema);
        schemaJson = parsed.json;
      }
      if (!txnPart.isNull) applyTransactionRecord(db, txnPart, at);
    });
    if (entry.eid !== undefined) lastEid = entry.eid;
  }
  const firstLeftOut = log.find((e) => e.index > commitIndex);
  if (firstLeftOut !== undefined) {
    const n = lastIndex - commitIndex;
    const message =
      `${path}: ${n} log ${n === 1 ? 'entry' : 'entries'} after commit index ${commitIndex} (up to ${lastIndex}) ` +
      'not known to be committed; left out';
    warnings.push({ path, kind: 'uncommitted', offset: firstLeftOut.record.offset, message });
  }
  const cluster: ClusterInfo = {
    clusterId: typeof header.cluster_id === 'string' ? header.cluster_id : undefined,
    serverId: typeof header.server_id === 'string' ? header.server_id : undefined,
    localAddress: typeof header.local_address === 'string' ? header.local_address : undefined,
    snapshotIndex,
    commitIndex: Math.min(commitIndex, lastIndex),
    lastIndex,
  };
  return { schema: schemaJson, db, cluster, lastEid, warnings };
}

function convertOrFail(db: Database, schema: Database['schema'], at: RecordPlace, index: number): Database {
  try {
    return convertDatabase(db, schema);
  } catch (err) {
    if (!(err instanceof OvsdbError)) throw err;
    throw recordError(at, `log entry ${index}: converting to the new schema failed: ${err.details ?? err.error}`, {
      cause: err,
    });
  }
}

function nonNegativeInteger(v: Json | undefined, name: string, at: RecordPlace): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw recordError(at, `"${name}" must be a non-negative integer`);
}
