/**
 * The WebSocket protocol of `/api/v1/stream`: JSON text frames, one message each (docs/API.md explains it to
 * people). Client → gateway: subscribe, snapshot-continue, subscribe-status, unsubscribe, ping. Gateway →
 * client: subscribed, snapshot (chunks), delta, resync, status, error, pong.
 *
 * Both directions are parsed here, strictly: the gateway never trusts a browser, and the browser checks the
 * envelope of what it applies. Snapshot and delta frames carry rows that the gateway has already encoded once
 * for every subscriber, so they are written by `encodeSnapshot`/`encodeDelta` from row JSON text; a test
 * holds those encoders to `parseServerMessage`.
 */
import {
  findDepthExcess,
  isJsonObject,
  JsonSyntaxError,
  parseJson,
  parseJsonScanned,
  stringifyJson,
  type Json,
  type JsonObject,
  type WireCondition,
  type WireRow,
} from '@ovsdb-web/client/core';
import type { ErrorInfo } from './errors.js';
import { isErrorCode } from './errors.js';
import type { DatabaseStats, RemoteStatus } from './rest.js';

/** Where a subscriber is: the gateway's epoch (a new one when it restarts) and the last batch applied. */
export interface Cursor {
  epoch: string;
  seq: number;
}

export interface SubscribeMessage {
  type: 'subscribe';
  /** Chosen by the client; names the subscription in every later message. */
  id: string;
  remote: string;
  db: string;
  /** Table names; omitted or empty means every monitored table. */
  tables?: string[];
  /** Per table, RFC 7047 conditions that all must hold for a row to be sent. */
  where?: Record<string, WireCondition[]>;
  /** Per table, the columns to send (default: all); `_uuid` and `_version` always come. */
  columns?: Record<string, string[]>;
  /** Resume after a reconnect from the last batch this client applied. */
  since?: Cursor;
  /** false: no snapshot, only the changes from now on (a change log). Default true. */
  snapshot?: boolean;
  /** true: modify and delete deltas also carry the row as it was before (`old`). */
  old?: boolean;
  /**
   * true: after the snapshot's first chunk the gateway holds the rest until `snapshot-continue` (or a few
   * seconds), so a page can draw its first screen without the rest of a large snapshot competing for the CPU.
   */
  holdSnapshot?: boolean;
}

/** The rest of a snapshot held by `holdSnapshot`, please. */
export interface SnapshotContinueMessage {
  type: 'snapshot-continue';
  id: string;
}

/** Live remote status and per-table counts and change rates, for a dashboard. */
export interface SubscribeStatusMessage {
  type: 'subscribe-status';
  id: string;
}

export interface UnsubscribeMessage {
  type: 'unsubscribe';
  id: string;
}

export interface PingMessage {
  type: 'ping';
  data?: Json;
}

export type ClientMessage =
  SubscribeMessage | SnapshotContinueMessage | SubscribeStatusMessage | UnsubscribeMessage | PingMessage;

export type DeltaKind = 'insert' | 'modify' | 'delete';

export interface RowDelta {
  table: string;
  uuid: string;
  kind: DeltaKind;
  /** The whole row after the change (insert, modify), projected to the subscribed columns. */
  row?: WireRow;
  /** For modify: the columns that changed. */
  columns?: string[];
  /** With `old: true`: the row before the change (modify, delete). */
  old?: WireRow;
}

export interface SubscribedMessage {
  type: 'subscribed';
  id: string;
  epoch: string;
  seq: number;
  resumed: boolean;
  tables: string[];
}

export interface SnapshotMessage {
  type: 'snapshot';
  id: string;
  epoch: string;
  seq: number;
  table: string;
  rows: WireRow[];
  /** The final chunk of the final table. */
  last: boolean;
}

export interface DeltaMessage {
  type: 'delta';
  id: string;
  epoch: string;
  seq: number;
  /** When the gateway received the (last coalesced) batch, ms since the epoch. */
  time: number;
  /** The difference after the gateway resynchronised with OVSDB. */
  resync?: boolean;
  changes: RowDelta[];
}

export interface ResyncMessage {
  type: 'resync';
  id: string;
  reason: string;
}

export interface StatusMessage {
  type: 'status';
  id: string;
  remotes: RemoteStatus[];
  databases: DatabaseStats[];
}

export interface ErrorMessage {
  type: 'error';
  id?: string;
  error: ErrorInfo;
}

export interface PongMessage {
  type: 'pong';
  data?: Json;
}

export type ServerMessage =
  SubscribedMessage | SnapshotMessage | DeltaMessage | ResyncMessage | StatusMessage | ErrorMessage | PongMessage;

/** The subprotocol a client offers; a token travels as a second one, `bearer.<token>`. */
export const STREAM_PROTOCOL = 'ovsdb-web.v1';
export const STREAM_TOKEN_PREFIX = 'bearer.';

/** Limits the gateway enforces on client messages (the frame size itself is capped by the WebSocket). */
export const CLIENT_MESSAGE_LIMITS = {
  /** Nesting of arrays and objects; a subscription with conditions needs about 8. */
  maxDepth: 32,
  maxIdLength: 128,
  maxNameLength: 256,
  maxTables: 1_000,
  maxColumns: 1_000,
  maxConditions: 1_000,
} as const;

/** A client message that breaks the protocol; `id` when the message named a subscription. */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
  constructor(
    message: string,
    readonly id?: string,
  ) {
    super(message);
  }
}

type Fields = Readonly<Record<string, Json>>;

function parseObject(text: string, maxDepth: number): JsonObject {
  if (findDepthExcess(text, maxDepth) >= 0)
    throw new ProtocolViolation(`message is nested more than ${maxDepth} levels deep`);
  let msg: Json;
  try {
    msg = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new ProtocolViolation(`message is not valid JSON: ${err.message}`);
    throw err;
  }
  if (!isJsonObject(msg)) throw new ProtocolViolation('message must be a JSON object');
  return msg;
}

function name(m: Fields, key: string, max: number, what: string, id?: string): string {
  const v = m[key];
  if (typeof v !== 'string' || v === '' || v.length > max) {
    throw new ProtocolViolation(`${what} needs "${key}": a non-empty string of at most ${max} characters`, id);
  }
  return v;
}

function stringList(v: Json, key: string, max: number, id: string): string[] {
  if (
    !Array.isArray(v) ||
    v.length > max ||
    !v.every((t) => typeof t === 'string' && t.length <= CLIENT_MESSAGE_LIMITS.maxNameLength)
  ) {
    throw new ProtocolViolation(`"${key}" must be an array of at most ${max} names`, id);
  }
  return v as string[];
}

function byTable(v: Json, key: string, id: string): JsonObject {
  if (!isJsonObject(v)) throw new ProtocolViolation(`subscribe "${key}" must be an object keyed by table`, id);
  if (Object.keys(v).length > CLIENT_MESSAGE_LIMITS.maxTables)
    throw new ProtocolViolation(`subscribe "${key}" names too many tables`, id);
  return v;
}

function bool(m: Fields, key: string, id: string): boolean | undefined {
  const v = m[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new ProtocolViolation(`subscribe "${key}" must be true or false`, id);
  return v;
}

const SUBSCRIBE_KEYS = new Set([
  'type',
  'id',
  'remote',
  'db',
  'tables',
  'where',
  'columns',
  'since',
  'snapshot',
  'old',
  'holdSnapshot',
]);

/**
 * A client message, checked field by field: unknown fields, wrong types, over-long names and over-deep
 * nesting are refused with a `ProtocolViolation` naming the field. Conditions are checked against the
 * schema later, by the subscription.
 */
export function parseClientMessage(text: string): ClientMessage {
  const m = parseObject(text, CLIENT_MESSAGE_LIMITS.maxDepth);
  switch (m.type) {
    case 'ping':
      for (const k of Object.keys(m))
        if (k !== 'type' && k !== 'data') throw new ProtocolViolation(`ping has no field "${k}"`);
      return m.data === undefined ? { type: 'ping' } : { type: 'ping', data: m.data };
    case 'unsubscribe':
    case 'snapshot-continue':
    case 'subscribe-status': {
      const id = name(m, 'id', CLIENT_MESSAGE_LIMITS.maxIdLength, m.type);
      for (const k of Object.keys(m))
        if (k !== 'type' && k !== 'id') throw new ProtocolViolation(`${m.type} has no field "${k}"`, id);
      return { type: m.type, id };
    }
    case 'subscribe':
      return parseSubscribe(m);
    default:
      throw new ProtocolViolation(
        `unknown message type ${typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 64)) : `of JSON type ${jsonType(m.type)}`}; expected subscribe, snapshot-continue, subscribe-status, unsubscribe or ping`,
      );
  }
}

function parseSubscribe(m: JsonObject): SubscribeMessage {
  const id = name(m, 'id', CLIENT_MESSAGE_LIMITS.maxIdLength, 'subscribe');
  for (const k of Object.keys(m))
    if (!SUBSCRIBE_KEYS.has(k)) throw new ProtocolViolation(`subscribe has no field "${k.slice(0, 64)}"`, id);
  const msg: SubscribeMessage = {
    type: 'subscribe',
    id,
    remote: name(m, 'remote', CLIENT_MESSAGE_LIMITS.maxNameLength, 'subscribe', id),
    db: name(m, 'db', CLIENT_MESSAGE_LIMITS.maxNameLength, 'subscribe', id),
  };
  if (m.tables !== undefined) msg.tables = stringList(m.tables, 'tables', CLIENT_MESSAGE_LIMITS.maxTables, id);
  if (m.where !== undefined) {
    const where: Record<string, WireCondition[]> = {};
    for (const [table, conds] of Object.entries(byTable(m.where, 'where', id))) {
      if (!Array.isArray(conds) || conds.length > CLIENT_MESSAGE_LIMITS.maxConditions) {
        throw new ProtocolViolation(
          `subscribe "where" for ${table} must be an array of at most ${CLIENT_MESSAGE_LIMITS.maxConditions} conditions`,
          id,
        );
      }
      // Shapes are judged against the table schema when the subscription is made.
      where[table] = conds as WireCondition[];
    }
    msg.where = where;
  }
  if (m.columns !== undefined) {
    const columns: Record<string, string[]> = {};
    for (const [table, cols] of Object.entries(byTable(m.columns, 'columns', id))) {
      columns[table] = stringList(cols, `columns.${table}`, CLIENT_MESSAGE_LIMITS.maxColumns, id);
    }
    msg.columns = columns;
  }
  if (m.since !== undefined) {
    const s = m.since;
    if (
      !isJsonObject(s) ||
      typeof s.epoch !== 'string' ||
      s.epoch.length > 64 ||
      typeof s.seq !== 'number' ||
      !Number.isSafeInteger(s.seq) ||
      s.seq < 0
    ) {
      throw new ProtocolViolation('subscribe "since" must be {"epoch": string, "seq": non-negative integer}', id);
    }
    msg.since = { epoch: s.epoch, seq: s.seq };
  }
  const snapshot = bool(m, 'snapshot', id);
  if (snapshot !== undefined) msg.snapshot = snapshot;
  const old = bool(m, 'old', id);
  if (old !== undefined) msg.old = old;
  const hold = bool(m, 'holdSnapshot', id);
  if (hold !== undefined) msg.holdSnapshot = hold;
  return msg;
}

function jsonType(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

// ---- gateway → client ---------------------------------------------------------------------------------

/** A gateway message that does not have the shape this client knows: the gateway and page disagree. */
export class ServerMessageError extends Error {
  override readonly name = 'ServerMessageError';
}

function need(ok: boolean, what: string): asserts ok {
  if (!ok) throw new ServerMessageError(`gateway message: ${what}`);
}

/** A value of unknown shape in an error message: strings as they are, anything else as JSON. */
function shown(v: Json | undefined): string {
  return v === undefined ? 'undefined' : typeof v === 'string' ? v : stringifyJson(v);
}

function str(m: JsonObject, k: string): string {
  const v = m[k];
  need(typeof v === 'string', `"${k}" must be a string`);
  return v;
}

function int(m: JsonObject, k: string): number {
  const v = m[k];
  need(typeof v === 'number' && Number.isSafeInteger(v), `"${k}" must be an integer`);
  return v;
}

function flag(m: JsonObject, k: string): boolean {
  const v = m[k];
  need(typeof v === 'boolean', `"${k}" must be a boolean`);
  return v;
}

function names(m: JsonObject, k: string): string[] {
  const v = m[k];
  need(Array.isArray(v) && v.every((x) => typeof x === 'string'), `"${k}" must be names`);
  return v;
}

function rows(v: Json | undefined, what: string): WireRow[] {
  if (!Array.isArray(v) || !v.every(isJsonObject))
    throw new ServerMessageError(`gateway message: ${what} must be an array of rows`);
  return v as WireRow[];
}

function rowDelta(c: Json): RowDelta {
  if (!isJsonObject(c)) throw new ServerMessageError('gateway message: a change must be an object');
  const kind = c.kind;
  if (kind !== 'insert' && kind !== 'modify' && kind !== 'delete')
    throw new ServerMessageError(`gateway message: unknown change kind ${shown(kind)}`);
  const d: RowDelta = { table: str(c, 'table'), uuid: str(c, 'uuid'), kind };
  if (c.row !== undefined) {
    need(isJsonObject(c.row), '"row" must be an object');
    d.row = c.row as WireRow;
  } else if (kind !== 'delete') throw new ServerMessageError(`gateway message: a ${kind} change needs its row`);
  if (c.columns !== undefined) d.columns = names(c, 'columns');
  if (c.old !== undefined) {
    need(isJsonObject(c.old), '"old" must be an object');
    d.old = c.old as WireRow;
  }
  return d;
}

const CONNECTION_STATES: readonly string[] = ['connecting', 'connected', 'reconnecting', 'closed'];
const PROBLEMS: readonly string[] = ['unreachable', 'auth', 'tls', 'not_leader', 'unresponsive', 'protocol', 'other'];
const DB_STATES: readonly string[] = ['syncing', 'live', 'resyncing', 'offline'];

function strings(v: Json | undefined, what: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new ServerMessageError(`gateway message: ${what} must be strings`);
  return v;
}

function remoteStatus(j: Json): RemoteStatus {
  if (!isJsonObject(j)) throw new ServerMessageError('gateway message: a remote status must be an object');
  const status = str(j, 'status');
  if (!CONNECTION_STATES.includes(status))
    throw new ServerMessageError(`gateway message: unknown remote status ${status}`);
  const r: RemoteStatus = {
    name: str(j, 'name'),
    remote: str(j, 'remote'),
    status: status as RemoteStatus['status'],
    databases: strings(j.databases, '"databases"'),
    clustered: j.clustered === true,
  };
  if (typeof j.member === 'string') r.member = j.member;
  if (typeof j.leader === 'string') r.leader = j.leader;
  if (typeof j.lastError === 'string') r.lastError = j.lastError;
  if (typeof j.problem === 'string' && PROBLEMS.includes(j.problem))
    r.problem = j.problem as NonNullable<RemoteStatus['problem']>;
  return r;
}

function databaseStats(j: Json): DatabaseStats {
  if (!isJsonObject(j)) throw new ServerMessageError('gateway message: database stats must be an object');
  const state = str(j, 'state');
  if (!DB_STATES.includes(state)) throw new ServerMessageError(`gateway message: unknown database state ${state}`);
  const tables = j.tables;
  if (!Array.isArray(tables)) throw new ServerMessageError('gateway message: "tables" must be an array');
  return {
    remote: str(j, 'remote'),
    db: str(j, 'db'),
    state: state as DatabaseStats['state'],
    epoch: str(j, 'epoch'),
    seq: int(j, 'seq'),
    bucketMs: int(j, 'bucketMs'),
    tables: tables.map((t) => {
      if (!isJsonObject(t)) throw new ServerMessageError('gateway message: table stats must be an object');
      const changes = t.changes;
      if (!Array.isArray(changes) || !changes.every((n) => typeof n === 'number'))
        throw new ServerMessageError('gateway message: "changes" must be numbers');
      return { name: str(t, 'name'), rows: int(t, 'rows'), changes: changes };
    }),
  };
}

export interface ParseServerMessageOptions {
  /**
   * false when the caller knows that no integer in the message can be beyond ±(2^53 − 1) (every column it
   * may carry has a range within that): the text is then parsed as plain JSON, without first being looked
   * through for 16-digit numbers (in Node, 7% of the time a large snapshot's parse takes).
   */
  bigIntegers?: boolean;
}

/** A gateway message, parsed with exact 64-bit integers and its envelope checked. */
export function parseServerMessage(text: string, opts?: ParseServerMessageOptions): ServerMessage {
  let m: Json;
  try {
    m = opts?.bigIntegers === false ? parseJsonScanned(text, false) : parseJson(text);
  } catch (err) {
    throw new ServerMessageError(`gateway message is not JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(m)) throw new ServerMessageError('gateway message must be an object');
  switch (m.type) {
    case 'subscribed':
      return {
        type: 'subscribed',
        id: str(m, 'id'),
        epoch: str(m, 'epoch'),
        seq: int(m, 'seq'),
        resumed: flag(m, 'resumed'),
        tables: names(m, 'tables'),
      };
    case 'snapshot':
      return {
        type: 'snapshot',
        id: str(m, 'id'),
        epoch: str(m, 'epoch'),
        seq: int(m, 'seq'),
        table: str(m, 'table'),
        rows: rows(m.rows, '"rows"'),
        last: flag(m, 'last'),
      };
    case 'delta': {
      const changes = m.changes;
      if (!Array.isArray(changes)) throw new ServerMessageError('gateway message: "changes" must be an array');
      const d: DeltaMessage = {
        type: 'delta',
        id: str(m, 'id'),
        epoch: str(m, 'epoch'),
        seq: int(m, 'seq'),
        time: int(m, 'time'),
        changes: changes.map(rowDelta),
      };
      if (m.resync === true) d.resync = true;
      return d;
    }
    case 'resync':
      return { type: 'resync', id: str(m, 'id'), reason: str(m, 'reason') };
    case 'status': {
      const remotes = m.remotes;
      const databases = m.databases;
      if (!Array.isArray(remotes) || !Array.isArray(databases))
        throw new ServerMessageError('gateway message: "remotes" and "databases" must be arrays');
      return {
        type: 'status',
        id: str(m, 'id'),
        remotes: remotes.map(remoteStatus),
        databases: databases.map(databaseStats),
      };
    }
    case 'error': {
      const e = m.error;
      if (!isJsonObject(e) || !isErrorCode(e.code) || typeof e.message !== 'string')
        throw new ServerMessageError('gateway message: "error" must be {code, message}');
      const error: ErrorInfo = { code: e.code, message: e.message };
      if (e.details !== undefined) error.details = e.details;
      return m.id === undefined ? { type: 'error', error } : { type: 'error', id: str(m, 'id'), error };
    }
    case 'pong':
      return m.data === undefined ? { type: 'pong' } : { type: 'pong', data: m.data };
    default:
      throw new ServerMessageError(`gateway message of unknown type ${shown(m.type)}`);
  }
}

/** A client message as text (the browser's side). */
export function encodeClientMessage(msg: ClientMessage): string {
  return stringifyJson(msg as unknown as Json);
}

/** Any gateway message as text, for the rare ones; snapshots and deltas go through the encoders below. */
export function encodeServerMessage(msg: ServerMessage): string {
  return stringifyJson(msg as unknown as Json);
}

/** A snapshot chunk from rows already encoded as JSON text. */
export function encodeSnapshot(head: Omit<SnapshotMessage, 'type' | 'rows'>, rowsJson: readonly string[]): string {
  return `{"type":"snapshot","id":${JSON.stringify(head.id)},"epoch":${JSON.stringify(head.epoch)},"seq":${head.seq},"table":${JSON.stringify(head.table)},"rows":[${rowsJson.join(',')}],"last":${head.last}}`;
}

/** A change whose rows are already JSON text. */
export interface EncodedRowDelta {
  table: string;
  uuid: string;
  kind: DeltaKind;
  rowJson?: string;
  columns?: readonly string[];
  oldJson?: string;
}

export function encodeDelta(head: Omit<DeltaMessage, 'type' | 'changes'>, changes: readonly EncodedRowDelta[]): string {
  const parts = changes.map(
    (c) =>
      `{"table":${JSON.stringify(c.table)},"uuid":${JSON.stringify(c.uuid)},"kind":"${c.kind}"${c.rowJson !== undefined ? `,"row":${c.rowJson}` : ''}${c.columns ? `,"columns":${JSON.stringify(c.columns)}` : ''}${c.oldJson !== undefined ? `,"old":${c.oldJson}` : ''}}`,
  );
  return `{"type":"delta","id":${JSON.stringify(head.id)},"epoch":${JSON.stringify(head.epoch)},"seq":${head.seq},"time":${head.time}${head.resync ? ',"resync":true' : ''},"changes":[${parts.join(',')}]}`;
}
