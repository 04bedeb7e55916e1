/**
 * `OvsdbClient`: one long-lived session with an OVSDB server (or a cluster) and the RFC 7047 methods
 * on top. It reconnects with backoff, probes idle connections, prefers the leader of a clustered
 * database, and resumes every monitor after a reconnect. Transactions are checked against the schema
 * before they are sent.
 */
import type { Json } from '../wire/json.js';
import { stringifyJson } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { isErrorResult, type Operation, type OperationResult } from '../wire/operation.js';
import { parseDatabaseSchema, type DatabaseSchema } from '../schema/schema.js';
import { RpcConnection } from '../jsonrpc/connection.js';
import { DisconnectedError } from '../jsonrpc/errors.js';
import { openStream, ConnectError, type TlsOptions } from '../transport/connect.js';
import { formatRemote, formatRemotes, parseRemotes, type Remote } from '../transport/remote.js';
import { validateTransaction } from '../txn/validate.js';
import { checkAgainstCache, type CacheView } from '../txn/cache-check.js';
import { TransactionBuilder } from '../txn/builder.js';
import { TransactionError } from '../txn/errors.js';
import { Monitor, type MonitorHost, type MonitorOptions } from '../monitor/monitor.js';
import { watchMember, ClusterMemberRejected, type ClusterView } from '../cluster/member.js';
import { Emitter, type Listener } from '../events/emitter.js';
import { Backoff, type ReconnectOptions } from './backoff.js';
import { Prober } from './prober.js';

export type { ReconnectOptions } from './backoff.js';

export interface ConnectOptions {
  /** Key, certificate and CA for `ssl:` remotes: file paths or PEM text (as `ovs-pki` makes them). */
  tls?: TlsOptions;
  /**
   * How long one connection attempt may take, in ms, and how long the server may stay silent while
   * the session is being set up (default 10 s).
   */
  connectTimeoutMs?: number;
  /** Reconnect after the session drops (default on); `false` closes the client instead. */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Send `echo` after this many ms without input and drop the session if no reply comes within as
   * long again. Default 5000 for tcp/ssl, off (0) for unix sockets, like ovsdb-server's own probes.
   */
  inactivityProbeMs?: number;
  /**
   * Only use a cluster member that is the leader of every clustered database it serves (default true);
   * relays are refused too. Whatever this says, a member cut off from its cluster, or whose log is
   * behind what this client has already seen (stale), is refused. Standalone servers are always fine.
   */
  leaderOnly?: boolean;
  /**
   * Ask for `monitor_canceled` instead of being disconnected when a schema is converted online
   * (default true).
   */
  changeAware?: boolean;
  /** Try the members of a remote list in random order (default true), never the last one used first. */
  shuffle?: boolean;
  signal?: AbortSignal;
}

export interface TransactOptions {
  /** Check the operations against the schema first (default true). */
  validate?: boolean;
  /** Aborting sends OVSDB `cancel` for the request and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * A monitor's cache of whole tables (`monitor.cache`): also check strong references and unique
   * indexes against it before sending (see txn/cache-check.ts).
   */
  cache?: CacheView;
}

export type ClientStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ClientEvents {
  /** About to open a session to this member (one per member tried, in order). */
  'connect-attempt': [remote: string];
  /** A session is ready (monitors resumed). */
  connected: [remote: string];
  /** The session dropped; pending requests were rejected with this error. */
  disconnected: [error: DisconnectedError];
  /** A reconnect attempt failed; the next one follows after `delayMs`. */
  'reconnect-failed': [error: Error, delayMs: number];
  /** `lock` was granted later (RFC 7047 §4.1.9). */
  locked: [lockId: string];
  /** Another client stole a lock this client held (§4.1.10). */
  stolen: [lockId: string];
  /** The client is closed for good. */
  close: [error: DisconnectedError];
}

interface Session {
  readonly remote: Remote;
  readonly conn: RpcConnection;
  readonly prober: Prober;
  leadership?: (() => void) | undefined;
}

let monitorCounter = 0;

export class OvsdbClient {
  private readonly events = new Emitter<ClientEvents>();
  private readonly schemas = new Map<string, Promise<DatabaseSchema>>();
  private readonly monitors = new Set<Monitor>();
  private readonly routes = new Map<string, Monitor>();
  private readonly cluster: ClusterView = { seenIndex: new Map() };
  private readonly backoff: Backoff | undefined;
  private session: Session | undefined;
  /**
   * The member of the last session that got set up (not merely attempted): after it goes away (an
   * ex-leader, say) it is tried last until some other member has been used.
   */
  private lastRemote: Remote | undefined;
  private state: ClientStatus = 'connecting';
  private lastErrorSeen: Error | undefined;
  private pauseCount = 0;
  private closing: Promise<void> | undefined;
  private wakeReconnect: (() => void) | undefined;
  private readonly host: MonitorHost;

  private constructor(
    readonly remotes: readonly Remote[],
    private readonly opts: ConnectOptions,
  ) {
    const r = opts.reconnect ?? true;
    this.backoff = r === false ? undefined : new Backoff(r === true ? {} : r);
    this.host = {
      request: (method, params) => this.sessionRequest(method, params),
      getSchema: (db) => this.getSchema(db),
      nextMonitorId: () => `m${++monitorCounter}`,
      route: (id, monitor) => (monitor ? this.routes.set(id, monitor) : this.routes.delete(id)),
      removeMonitor: (m) => this.monitors.delete(m),
      pauseReading: () => {
        if (this.pauseCount++ === 0) this.session?.conn.pause();
      },
      resumeReading: () => {
        if (this.pauseCount > 0 && --this.pauseCount === 0) this.session?.conn.resume();
      },
    };
  }

  /**
   * Connect to `remote` (OVS syntax; a comma-separated list for a cluster) and resolve once a session
   * is up. Rejects, naming every member tried, if none accepts on this first round.
   */
  static async connect(remote: string, opts: ConnectOptions = {}): Promise<OvsdbClient> {
    const client = new OvsdbClient(parseRemotes(remote), opts);
    try {
      await client.establish();
    } catch (err) {
      client.state = 'closed';
      throw err;
    }
    return client;
  }

  /**
   * A client that keeps trying to connect in the background (a service's startup should not fail
   * because the database is not up yet). Watch `status`, `lastError` and the events.
   */
  static create(remote: string, opts: ConnectOptions = {}): OvsdbClient {
    const client = new OvsdbClient(parseRemotes(remote), {
      ...opts,
      reconnect: opts.reconnect === false ? {} : (opts.reconnect ?? true),
    });
    void client.reconnectLoop();
    return client;
  }

  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void {
    return this.events.on(event, listener);
  }

  get status(): ClientStatus {
    return this.state;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** The member in use (or last used). */
  get remote(): Remote {
    return (this.session?.remote ?? this.lastRemote ?? this.remotes[0]) as Remote;
  }

  /** The most recent connection or reconnection failure. */
  get lastError(): Error | undefined {
    return this.lastErrorSeen;
  }

  /**
   * True while a `changes()` consumer has fallen `highWaterMark` batches behind and the client has
   * stopped reading from the server until it catches up.
   */
  get readingPaused(): boolean {
    return this.pauseCount > 0;
  }

  /** The current JSON-RPC session (for extensions and tests); throws when not connected. */
  get connection(): RpcConnection {
    if (!this.session) throw this.notConnected();
    return this.session.conn;
  }

  /** RFC 7047 §4.1.1. */
  async listDbs(): Promise<string[]> {
    const r = await this.request('list_dbs', []);
    if (!Array.isArray(r) || !r.every((x) => typeof x === 'string')) throw unexpected('list_dbs', r);
    return r;
  }

  /**
   * RFC 7047 §4.1.2, cached per database. The cache is refreshed on reconnect and when the server
   * reports a conversion (`monitor_canceled`).
   */
  getSchema(db: string): Promise<DatabaseSchema> {
    let s = this.schemas.get(db);
    if (!s) {
      s = this.sessionRequest('get_schema', [db]).then(parseDatabaseSchema);
      s.catch(() => {
        if (this.schemas.get(db) === s) this.schemas.delete(db);
      });
      this.schemas.set(db, s);
    }
    return s;
  }

  /** A builder for `db`'s schema; pass `builder.operations()` to `transact`. */
  async transaction(db: string): Promise<TransactionBuilder> {
    return new TransactionBuilder(await this.getSchema(db));
  }

  /**
   * RFC 7047 §4.1.3. Resolves with one result per operation. Rejects with a
   * `TransactionValidationError` (nothing sent) or a `TransactionError` naming the failing operation
   * (`operationIndex` -1 for errors found at commit, which ovsdb-server appends after the results).
   *
   * Read-your-writes: the server sends a transaction's updates before its reply, and this client applies
   * them in arrival order, so every monitor's cache already shows the change when this resolves.
   */
  async transact(
    db: string,
    operations: readonly (Operation | Json)[],
    opts: TransactOptions = {},
  ): Promise<OperationResult[]> {
    if (opts.validate !== false) {
      const schema = await this.getSchema(db);
      validateTransaction(schema, operations);
      if (opts.cache) checkAgainstCache(schema, operations, opts.cache);
    }
    const session = this.readySession();
    const reply = await session.conn.request('transact', [db, ...(operations as Json[])], {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onAbort: (id) => {
        if (!session.conn.closed) session.conn.notify('cancel', [id]);
      },
    });
    if (!Array.isArray(reply)) throw unexpected('transact', reply);
    const results = reply as OperationResult[];
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (isErrorResult(r)) {
        const opIndex = i < operations.length ? i : -1;
        const op = opIndex >= 0 ? (operations[opIndex] as { op?: unknown } | undefined)?.op : undefined;
        throw new TransactionError(
          r.error,
          r.details,
          r.syntax,
          opIndex,
          typeof op === 'string' ? op : undefined,
          results,
        );
      }
    }
    return results;
  }

  /**
   * Monitor tables of `db` into a local cache; resolves once the cache holds the initial state. Many
   * monitors per database are fine; each resumes on its own after a reconnect.
   */
  async monitor(db: string, opts: MonitorOptions): Promise<Monitor> {
    this.readySession();
    const monitor = new Monitor(this.host, db, opts);
    this.monitors.add(monitor);
    try {
      await monitor.start(false);
    } catch (err) {
      this.monitors.delete(monitor);
      monitor.finish();
      throw err;
    }
    return monitor;
  }

  /** RFC 7047 §4.1.11. */
  async echo(...params: Json[]): Promise<Json[]> {
    const r = await this.request('echo', params);
    if (!Array.isArray(r)) throw unexpected('echo', r);
    return r;
  }

  /** RFC 7047 §4.1.8: true when granted now; otherwise a `locked` event follows once it is. Locks do not survive a reconnect. */
  async lock(id: string): Promise<boolean> {
    return lockedFlag('lock', await this.request('lock', [id]));
  }

  /** Take the lock from its owner, who gets `stolen`. */
  async steal(id: string): Promise<boolean> {
    return lockedFlag('steal', await this.request('steal', [id]));
  }

  async unlock(id: string): Promise<void> {
    await this.request('unlock', [id]);
  }

  /** ovsdb-server extension: the server's own UUID (for telling cluster members apart). */
  async getServerId(): Promise<string> {
    const r = await this.request('get_server_id', []);
    if (typeof r !== 'string') throw unexpected('get_server_id', r);
    return r;
  }

  /** ovsdb-server extension: ask for `monitor_canceled` instead of a disconnect when a schema changes. */
  async setDbChangeAware(aware = true): Promise<void> {
    await this.request('set_db_change_aware', [aware]);
  }

  /** Stop for good: monitors end, pending requests reject, no more reconnects. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- sessions -------------------------------------------------------------------------------------

  private async shutdown(): Promise<void> {
    const wasClosed = this.state === 'closed';
    this.state = 'closed';
    this.wakeReconnect?.();
    const session = this.session;
    this.session = undefined;
    for (const m of [...this.monitors]) m.finish();
    this.monitors.clear();
    if (session) {
      session.prober.stop();
      await session.conn.close('closed by client');
    }
    if (!wasClosed) this.events.emit('close', new DisconnectedError(formatRemote(this.remote), 'closed by client'));
  }

  private request(method: string, params: Json[]): Promise<Json> {
    return this.readySession().conn.request(method, params);
  }

  /** Requests made while a session is being set up (monitor resumes, schema fetches) use it directly. */
  private sessionRequest(method: string, params: Json[]): Promise<Json> {
    const s = this.session;
    if (!s) return Promise.reject(this.notConnected());
    return s.conn.request(method, params);
  }

  private readySession(): Session {
    if (this.state !== 'connected' || !this.session) throw this.notConnected();
    return this.session;
  }

  private notConnected(): DisconnectedError {
    const why =
      this.state === 'closed'
        ? 'client is closed'
        : `not connected (${this.state})${this.lastErrorSeen ? `: ${this.lastErrorSeen.message}` : ''}`;
    return new DisconnectedError(formatRemotes(this.remotes), why);
  }

  /**
   * Members in the order to try: shuffled, with the one used last (an ex-leader, say) at the end. Failed
   * attempts do not change which one that is, so it stays last in every round until a session is up.
   */
  private orderRemotes(): Remote[] {
    const list = [...this.remotes];
    if (list.length > 1 && this.opts.shuffle !== false) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [list[i], list[j]] = [list[j] as Remote, list[i] as Remote];
      }
    }
    const last = this.lastRemote;
    if (last && list.length > 1) {
      const i = list.findIndex((r) => formatRemote(r) === formatRemote(last));
      if (i >= 0) list.push(...list.splice(i, 1));
    }
    return list;
  }

  /** One round over the members; resolves with the first that connects and passes the checks. */
  private async establish(): Promise<void> {
    const failures: Error[] = [];
    for (const remote of this.orderRemotes()) {
      if (this.state === 'closed') break;
      try {
        await this.openSession(remote);
        this.lastErrorSeen = undefined;
        return;
      } catch (err) {
        if (err instanceof ConnectError && err.failure === 'aborted') throw err;
        failures.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (this.state === 'closed') throw this.notConnected();
    const err =
      failures.length === 1
        ? (failures[0] as Error)
        : new AggregateError(
            failures,
            `could not connect to any of ${formatRemotes(this.remotes)}: ${failures.map((f) => f.message).join('; ')}`,
          );
    this.lastErrorSeen = err;
    throw err;
  }

  private async openSession(remote: Remote): Promise<void> {
    const name = formatRemote(remote);
    this.events.emit('connect-attempt', name);
    const setupTimeout = this.opts.connectTimeoutMs ?? 10_000;
    const stream = await openStream(remote, {
      ...(this.opts.tls ? { tls: this.opts.tls } : {}),
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      timeoutMs: setupTimeout,
    });
    const conn = new RpcConnection(stream, { remote: name });
    const probeMs = this.opts.inactivityProbeMs ?? (remote.kind === 'unix' ? 0 : 5_000);
    // While setting up, a silent server (stopped, or a half-open socket) must not hang us even on unix.
    // A connection we paused ourselves (backpressure) is silent by our choice, not the server's.
    const prober = new Prober(
      conn,
      probeMs > 0 ? Math.min(probeMs, setupTimeout) : setupTimeout,
      () => this.pauseCount > 0,
    );
    const session: Session = { remote, conn, prober };
    this.session = session;
    this.schemas.clear();
    conn.onNotification('locked', (p) => typeof p[0] === 'string' && this.events.emit('locked', p[0]));
    conn.onNotification('stolen', (p) => typeof p[0] === 'string' && this.events.emit('stolen', p[0]));
    for (const method of ['update', 'update2', 'update3']) {
      conn.onNotification(method, (params) => {
        const id = params[0];
        const m = typeof id === 'string' ? this.routes.get(id) : undefined;
        m?.handle(method, params);
      });
    }
    conn.onNotification('monitor_canceled', (params) => this.monitorCanceled(params[0] ?? null));
    conn.onClose((err) => this.sessionClosed(session, err));
    try {
      // Judge the member before resuming anything, and keep watching it from the same request, so a
      // leadership change during the (possibly long) monitor resumes below is not missed.
      session.leadership = await watchMember(
        conn,
        name,
        this.cluster,
        { leaderOnly: this.opts.leaderOnly !== false },
        (why) => void conn.close(why),
      );
      if (this.opts.changeAware !== false) {
        await conn.request('set_db_change_aware', [true]).catch((err: unknown) => {
          // Servers older than 2.13 do not know it; they disconnect on conversion instead.
          if (!(err instanceof OvsdbError && err.error === 'unknown method')) throw err;
        });
      }
      const resumed = this.state === 'reconnecting';
      for (const m of [...this.monitors]) await m.start(resumed);
      // The session may have ended between the last reply and now (e.g. the watch saw the member lose
      // leadership): it must not be reported as connected.
      if (conn.closed || this.session !== session)
        throw conn.closeError ?? new DisconnectedError(name, 'session replaced during setup');
    } catch (err) {
      prober.stop();
      // Closing runs sessionClosed, which suspends the monitors this attempt may have resumed.
      await conn.close(err instanceof Error ? err.message : String(err));
      if (this.session === session) this.session = undefined;
      throw err;
    }
    prober.setInterval(probeMs);
    this.lastRemote = remote;
    if (this.pauseCount > 0) conn.pause();
    this.state = 'connected';
    this.backoff?.reset();
    this.events.emit('connected', name);
  }

  private sessionClosed(session: Session, err: DisconnectedError): void {
    session.prober.stop();
    session.leadership?.();
    if (this.session !== session) return;
    this.session = undefined;
    // Also for a session that failed during setup: monitors it resumed must not stay routed to it.
    for (const m of this.monitors) m.suspend();
    this.routes.clear();
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.lastErrorSeen = err;
    if (!wasConnected) return; // a failed setup: establish() reports it
    this.events.emit('disconnected', err);
    if (!this.backoff) {
      this.state = 'closed';
      for (const m of [...this.monitors]) m.finish();
      this.monitors.clear();
      this.events.emit('close', err);
      return;
    }
    this.state = 'reconnecting';
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const backoff = this.backoff ?? new Backoff({});
    while (this.state !== 'closed') {
      try {
        await this.establish();
        return;
      } catch (err) {
        if (this.closed) return;
        const delay = backoff.next();
        if (delay === undefined) {
          this.state = 'closed';
          const e = new DisconnectedError(
            formatRemotes(this.remotes),
            `gave up reconnecting: ${(err as Error).message}`,
          );
          for (const m of [...this.monitors]) m.finish();
          this.events.emit('close', e);
          return;
        }
        this.events.emit('reconnect-failed', err as Error, delay);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wakeReconnect = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wakeReconnect = undefined;
      }
    }
  }

  /** The server converted a database online: reload its schema and rebuild the monitor's cache. */
  private monitorCanceled(id: Json): void {
    const m = typeof id === 'string' ? this.routes.get(id) : undefined;
    if (!m) return;
    this.schemas.delete(m.db);
    m.suspend();
    m.restart();
  }
}

function lockedFlag(method: string, r: Json): boolean {
  if (typeof r === 'object' && r !== null && !Array.isArray(r) && typeof r.locked === 'boolean') return r.locked;
  throw unexpected(method, r);
}

/**
 * A reply of the wrong shape is the server's fault: a "syntax error", as ovsdb-server's own IDL calls a reply
 * it cannot parse. Not a `ProtocolError` (the JSON-RPC stream is intact) nor a `MisuseError` (no caller erred).
 */
function unexpected(method: string, r: Json): OvsdbError {
  return new OvsdbError('syntax error', `unexpected ${method} reply: ${stringifyJson(r)}`);
}

export { ClusterMemberRejected };
