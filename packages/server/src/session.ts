/**
 * One client connection: JSON-RPC 1.0 framing over any duplex byte stream, and the OVSDB methods with
 * ovsdb-server's parameter checks, error wording and reply shapes. Requests are handled strictly in
 * order; only a transaction that waits (`wait` with a timeout) is answered later, and requests after it
 * are served meanwhile, as ovsdb-server does.
 *
 * Anything that is not a well-formed JSON-RPC message (malformed JSON, a non-object, non-array params)
 * closes the session without a reply, as ovsdb-server does. When the session ends, its monitors, pending
 * transactions and locks go with it.
 */
import type { Duplex } from 'node:stream';
import {
  MessageReader,
  OvsdbError,
  canonicalUuid,
  classifyMessage,
  isId,
  stringifyJson,
  type Json,
  type JsonObject,
  ZERO_UUID,
} from '@ovsdb-web/client';
import { convertDatabase } from './convert.js';
import type { Database } from './database.js';
import type { LockHolder, LockManager } from './locks.js';
import {
  ServedMonitor,
  parseConditionChange,
  parseMonitorRequests,
  type MonitorVersion,
  type TableUpdates,
} from './monitor.js';
import type { CommitInfo, ServedDatabase, Trigger } from './served-db.js';
import { parseClientSchema } from './schema-json.js';
import { errorJson } from './transaction.js';
import { sortedJsonText } from './wire.js';

/** What a session needs from the server that owns it. */
export interface SessionHost {
  readonly serverId: string;
  readonly readOnly: boolean;
  readonly locks: LockManager;
  database(name: string): ServedDatabase | undefined;
  databaseNames(): string[];
  sessionClosed(session: Session): void;
  /**
   * Serve converted contents in place of a database's (the `convert` method), and tell every session,
   * the caller last (`databaseConverted`).
   */
  replaceDatabase(db: ServedDatabase, schemaJson: JsonObject, contents: Database, caller: Session): void;
}

/**
 * Thrown by a handler for an error reply whose `error` member is sent as is (ovsdb-server answers some
 * failures with a bare string); the request loop catches it and replies with `payload`.
 */
class RawError extends Error {
  constructor(readonly payload: Json) {
    super(typeof payload === 'string' ? payload : stringifyJson(payload));
    this.name = 'RawError';
  }
}

type Handler = (params: Json[], id: Json) => Json | typeof DEFERRED;
/** Returned by a handler that will reply later. */
const DEFERRED = Symbol('deferred');

interface ActiveMonitor {
  readonly monitor: ServedMonitor;
  readonly db: ServedDatabase;
  readonly unsubscribe: () => void;
}

interface PendingTransact {
  readonly id: Json;
  readonly db: ServedDatabase;
  readonly trigger: Trigger;
}

export class Session implements LockHolder {
  private readonly reader: MessageReader;
  private readonly monitors = new Map<string, ActiveMonitor>();
  private readonly pending = new Map<string, PendingTransact>();
  private readonly handlers: ReadonlyMap<string, Handler>;
  private changeAware = false;
  private closed = false;

  constructor(
    private readonly host: SessionHost,
    private readonly stream: Duplex,
  ) {
    this.reader = new MessageReader(
      (msg) => this.onMessage(msg),
      () => this.close(),
    );
    this.handlers = new Map<string, Handler>([
      ['list_dbs', () => this.host.databaseNames()],
      ['get_schema', (p) => this.lookup('get_schema', p).schemaJson],
      ['transact', (p, id) => this.transact(p, id)],
      ['monitor', (p) => this.monitor(p, 1, 'monitor')],
      ['monitor_cond', (p) => this.monitor(p, 2, 'monitor_cond')],
      ['monitor_cond_since', (p) => this.monitor(p, 3, 'monitor_cond_since')],
      ['monitor_cond_change', (p) => this.monitorCondChange(p)],
      ['monitor_cancel', (p) => this.monitorCancel(p)],
      ['lock', (p) => this.lock(p, 'lock')],
      ['steal', (p) => this.lock(p, 'steal')],
      ['unlock', (p) => this.unlock(p)],
      ['echo', (p) => p],
      ['get_server_id', () => this.host.serverId],
      ['set_db_change_aware', (p) => this.setDbChangeAware(p)],
      ['convert', (p, id) => this.convert(p, id)],
    ]);
    stream.on('data', (chunk: Buffer | string) => {
      if (this.closed) return;
      this.reader.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    });
    stream.on('end', () => this.close());
    stream.on('close', () => this.close());
    stream.on('error', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** End the session: its monitors, waiting transactions and locks are released. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.monitors.values()) m.unsubscribe();
    this.monitors.clear();
    for (const p of this.pending.values()) p.db.cancel(p.trigger);
    this.pending.clear();
    this.host.locks.release(this);
    if (!this.stream.destroyed) this.stream.destroy();
    this.host.sessionClosed(this);
  }

  // ---- framing ------------------------------------------------------------------------------------

  private write(msg: JsonObject): void {
    if (this.closed || this.stream.destroyed || this.stream.writableEnded) return;
    this.stream.write(stringifyJson(msg));
  }

  private reply(id: Json, result: Json): void {
    this.write({ id, result, error: null });
  }

  private replyError(id: Json, error: Json): void {
    this.write({ id, error });
  }

  private notify(method: string, params: Json[]): void {
    this.write({ id: null, method, params });
  }

  private onMessage(raw: JsonObject): void {
    if (this.closed) return;
    let msg: ReturnType<typeof classifyMessage>;
    try {
      msg = classifyMessage(raw);
    } catch {
      this.close();
      return;
    }
    if (msg.kind === 'notification') {
      if (msg.method === 'cancel') this.cancel(msg.params);
      return;
    }
    if (msg.kind !== 'request') return; // replies to our own requests (none are sent) are ignored
    const handler = this.handlers.get(msg.method);
    if (handler === undefined) {
      this.replyError(msg.id, 'unknown method');
      return;
    }
    try {
      const result = handler(msg.params, msg.id);
      if (result !== DEFERRED) this.reply(msg.id, result);
    } catch (err) {
      if (err instanceof RawError) this.replyError(msg.id, err.payload);
      else if (err instanceof OvsdbError) this.replyError(msg.id, errorJson(err));
      else throw err;
    }
  }

  // ---- methods ------------------------------------------------------------------------------------

  private lookup(method: string, params: Json[]): ServedDatabase {
    const name = params[0];
    if (typeof name !== 'string') {
      throw new OvsdbError(
        'syntax error',
        `${method} request params must begin with <db-name>`,
        sortedJsonText(params),
      );
    }
    const db = this.host.database(name);
    if (db === undefined) {
      throw new OvsdbError(
        'unknown database',
        `${method} request specifies unknown database ${name}`,
        sortedJsonText(params),
      );
    }
    return db;
  }

  private transact(params: Json[], id: Json): Json | typeof DEFERRED {
    const db = this.lookup('transact', params);
    const key = stringifyJson(id);
    if (this.pending.has(key)) {
      throw new OvsdbError('syntax error', 'transact: duplicate request ID', sortedJsonText(params));
    }
    let results: Json[] | undefined;
    const trigger: Trigger = {
      operations: params.slice(1),
      options: { readOnly: this.host.readOnly, ownsLock: (name) => this.host.locks.owns(this, name) },
      received: performance.now(),
      complete: (r) => {
        if (this.pending.delete(key)) this.reply(id, r);
        else results = r;
      },
    };
    if (db.executeOrWait(trigger)) {
      this.pending.set(key, { id, db, trigger });
      return DEFERRED;
    }
    return results as Json[];
  }

  /** The `cancel` notification: abandon a waiting transaction. */
  private cancel(params: Json[]): void {
    if (params.length !== 1) return;
    const key = stringifyJson(params[0] as Json);
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    p.db.cancel(p.trigger);
    // Only a client that said it understands database changes is told; others get no reply at all.
    if (this.changeAware) this.replyError(p.id, 'canceled');
  }

  private monitor(params: Json[], version: MonitorVersion, method: string): Json {
    const db = this.lookup(method, params);
    if (params.length !== (version === 3 ? 4 : 3))
      throw new OvsdbError('syntax error', 'invalid parameters', sortedJsonText(params));
    const monitorId = params[1] as Json;
    const requests = params[2] as Json;
    if (requests === null || typeof requests !== 'object' || Array.isArray(requests)) {
      throw new OvsdbError('syntax error', 'monitor-requests must be object', sortedJsonText(requests));
    }
    const key = stringifyJson(monitorId);
    if (this.monitors.has(key)) throw new OvsdbError('syntax error', 'duplicate monitor ID', sortedJsonText(monitorId));
    let lastId: string | undefined;
    if (version === 3) {
      const given = params[3] as Json;
      lastId = typeof given === 'string' ? canonicalUuid(given) : undefined;
      if (lastId === undefined)
        throw new OvsdbError('syntax error', 'last-txn-id must be UUID format.', sortedJsonText(given));
    }
    const monitor = new ServedMonitor(db.db, monitorId, version, parseMonitorRequests(db.db, requests, version));
    const unsubscribe = db.onCommit((_db, info) => this.deliver(monitor, info));
    this.monitors.set(key, { monitor, db, unsubscribe });
    if (version !== 3) return monitor.initial();
    // Resume from the client's last transaction when the history still has it: only what changed since.
    const merged = lastId === ZERO_UUID ? undefined : db.history.since(lastId as string);
    if (merged !== undefined) return [true, db.lastTxnId, monitor.updatesSince(merged)];
    return [false, db.lastTxnId, monitor.initial()];
  }

  private deliver(monitor: ServedMonitor, info: CommitInfo): void {
    const updates = monitor.updatesFor(info.changes);
    if (updates !== undefined) this.sendUpdates(monitor, updates, info.txnId);
  }

  private sendUpdates(monitor: ServedMonitor, updates: TableUpdates, txnId: string): void {
    switch (monitor.version) {
      case 1:
        this.notify('update', [monitor.id, updates]);
        break;
      case 2:
        this.notify('update2', [monitor.id, updates]);
        break;
      case 3:
        this.notify('update3', [monitor.id, txnId, updates]);
        break;
    }
  }

  private monitorCondChange(params: Json[]): Json {
    if (params.length !== 3) throw new OvsdbError('syntax error', 'invalid parameters', sortedJsonText(params));
    const oldKey = stringifyJson(params[0] as Json);
    const active = this.monitors.get(oldKey);
    if (active === undefined)
      throw new OvsdbError('syntax error', 'unknown monitor session', sortedJsonText(params[0] as Json));
    const conds = parseConditionChange(active.monitor, params[2] as Json);
    const newId = params[1] as Json;
    this.monitors.delete(oldKey);
    this.monitors.set(stringifyJson(newId), active);
    active.monitor.id = newId;
    const updates = active.monitor.changeConditions(conds);
    // The difference goes out under the new id, before the reply.
    if (Object.keys(updates).length > 0) this.sendUpdates(active.monitor, updates, active.db.lastTxnId);
    return {};
  }

  private monitorCancel(params: Json[]): Json {
    if (params.length !== 1) throw new RawError('invalid parameters');
    const key = stringifyJson(params[0] as Json);
    const active = this.monitors.get(key);
    if (active === undefined) throw new RawError('unknown monitor');
    active.unsubscribe();
    this.monitors.delete(key);
    return {};
  }

  /**
   * `convert` (ovsdb-server(7)): check the new schema, convert the data, then serve it. Sessions that said
   * they understand database changes (`set_db_change_aware`) lose their monitors of the database
   * (`monitor_canceled`) and waiting transactions on it (error "canceled"); every other session is
   * disconnected, the caller too once it has its reply. The caller's cancellations come before its reply.
   */
  private convert(params: Json[], id: Json): Json | typeof DEFERRED {
    const db = this.lookup('convert', params);
    if (params.length !== 2) throw new OvsdbError('syntax error', 'array expected', sortedJsonText(params));
    const { schema, json } = parseClientSchema(params[1] as Json);
    if (schema.name !== db.name) {
      const details = `new schema name (${schema.name}) does not match database name (${db.name})`;
      throw new OvsdbError('invalid parameters', details);
    }
    if (db.readOnly) {
      // ovsdb-server has no read-only databases, only read-only connections, which may convert; a database
      // opened from a file must keep showing what the file holds.
      const from = db.source === undefined ? '' : ` from ${db.source}`;
      throw new OvsdbError('not allowed', `convert not allowed: database ${db.name} was opened read-only${from}`);
    }
    const contents = convertDatabase(db.db, schema);
    this.host.replaceDatabase(db, json, contents, this);
    this.reply(id, {});
    if (!this.changeAware) this.close();
    return DEFERRED;
  }

  /** A database was converted (see `convert`); the caller closes itself after replying. */
  databaseConverted(db: ServedDatabase, isCaller: boolean): void {
    if (this.closed) return;
    if (!this.changeAware) {
      if (!isCaller) this.close();
      return;
    }
    for (const [key, m] of [...this.monitors]) {
      if (m.db !== db) continue;
      m.unsubscribe();
      this.monitors.delete(key);
      this.notify('monitor_canceled', [m.monitor.id]);
    }
    for (const [key, p] of [...this.pending]) {
      if (p.db !== db) continue;
      this.pending.delete(key);
      db.cancel(p.trigger);
      this.replyError(p.id, 'canceled');
    }
  }

  private lockName(params: Json[], method: string): string {
    const name = params[0];
    if (params.length !== 1 || typeof name !== 'string' || !isId(name)) {
      throw new OvsdbError('syntax error', `${method} request params must be <id>`, sortedJsonText(params));
    }
    return name;
  }

  private lock(params: Json[], method: 'lock' | 'steal'): Json {
    const name = this.lockName(params, method);
    const locks = this.host.locks;
    if (locks.isWaiting(this, name)) {
      throw new OvsdbError('syntax error', `must issue "unlock" before new "${method}"`, sortedJsonText(params));
    }
    if (method === 'steal') {
      locks.steal(this, name);
      return { locked: true };
    }
    return { locked: locks.lock(this, name) };
  }

  private unlock(params: Json[]): Json {
    const name = this.lockName(params, 'unlock');
    const locks = this.host.locks;
    if (!locks.isWaiting(this, name)) {
      throw new OvsdbError('syntax error', 'unlock: "unlock" without "lock" or "steal"', sortedJsonText(params));
    }
    locks.unlock(this, name);
    return {};
  }

  notifyLock(method: 'locked' | 'stolen', name: string): void {
    this.notify(method, [name]);
  }

  private setDbChangeAware(params: Json[]): Json {
    if (params.length !== 1 || typeof params[0] !== 'boolean') {
      throw new OvsdbError(
        'syntax error',
        'set_db_change_aware: true or false parameter expected',
        sortedJsonText(params),
      );
    }
    this.changeAware = params[0];
    return {};
  }
}
