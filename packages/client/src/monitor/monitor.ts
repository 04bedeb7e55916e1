/**
 * One monitor of one database and the cache it fills.
 *
 * It asks with `monitor_cond_since` and falls back to `monitor_cond`, then to RFC 7047 `monitor`, when
 * the server answers "unknown method". It keeps its own last transaction id, so after a reconnect it
 * resumes independently of any other monitor; when the server cannot resume (`found: false`, or an older
 * method), the fresh snapshot replaces the cache and subscribers get the true difference as one batch.
 */
import { stringifyJson, type Json } from '../wire/json.js';
import { ZERO_UUID } from '../wire/notation.js';
import { MisuseError, OvsdbError } from '../wire/errors.js';
import { IMPLICIT_COLUMNS, type ColumnSchema, type DatabaseSchema } from '../schema/schema.js';
import { parseConditions, type ParsedCondition } from '../data/condition.js';
import { encodeConditions, type Condition } from '../data/encode.js';
import { RpcError } from '../jsonrpc/errors.js';
import { Emitter, type Listener } from '../events/emitter.js';
import { DatabaseCache, type ChangeBatch, type RowChange } from '../cache/database-cache.js';
import { TableCache, resolveColumns } from '../cache/table-cache.js';
import type { IndexSpec } from '../cache/indexes.js';

export type MonitorMethod = 'monitor_cond_since' | 'monitor_cond' | 'monitor';
export const MONITOR_METHODS: readonly MonitorMethod[] = ['monitor_cond_since', 'monitor_cond', 'monitor'];

export interface MonitorSelect {
  initial?: boolean;
  insert?: boolean;
  delete?: boolean;
  modify?: boolean;
}

export interface MonitorTableOptions {
  /** Columns to hold (default: every column of the table). */
  columns?: readonly string[];
  /** Only rows matching any of these conditions (sent as monitor_cond's `where`); default all rows. */
  anyOf?: readonly Condition[];
  select?: MonitorSelect;
  /** Extra indexes for lookups in this table's cache (the schema's own indexes are always there). */
  indexes?: readonly IndexSpec[];
}

export interface MonitorOptions {
  /** `'*'` for every table, a list of names, or per-table options. */
  tables: '*' | readonly string[] | Readonly<Record<string, MonitorTableOptions | true>>;
  /** Start from this method instead of the newest (tests use it to exercise the fallbacks). */
  method?: MonitorMethod;
  /** Also hold each row's `_version` (ovsdb-server sends it when a monitor names it explicitly). */
  version?: boolean;
}

/** What the caller asked for that the server's schema does not have. Reported, never fatal. */
export interface MonitorSkew {
  missingTables: string[];
  missingColumns: Record<string, string[]>;
}

export interface MonitorEvents {
  /** One update message (or one resync) applied to the cache. */
  change: [batch: ChangeBatch];
  /** The monitor could not apply an update and is resynchronising; or the server canceled it for good. */
  error: [error: Error];
  /** The request had tables or columns the server lacks (emitted on every (re)start that finds skew). */
  skew: [skew: MonitorSkew];
  /** `monitor_cancel` was sent, or the client closed. */
  close: [];
}

/** What a monitor needs from its client; keeps the monitor free of connection management. */
export interface MonitorHost {
  request(method: string, params: Json[]): Promise<Json>;
  getSchema(db: string): Promise<DatabaseSchema>;
  nextMonitorId(): string;
  route(id: string, monitor: Monitor | undefined): void;
  removeMonitor(monitor: Monitor): void;
  pauseReading(): void;
  resumeReading(): void;
}

type State = 'idle' | 'starting' | 'live' | 'closed';

export class Monitor {
  private readonly events = new Emitter<MonitorEvents>();
  private readonly tableOptions: Map<string, MonitorTableOptions>;
  private readonly requestedAll: boolean;
  private state: State = 'idle';
  private queued: [method: string, params: Json[]][] = [];
  private currentId: string | undefined;
  private methodInUse: MonitorMethod | undefined;
  private schemaInUse: DatabaseSchema | undefined;
  private filters = new Map<string, readonly ParsedCondition[]>();
  private cacheInUse: DatabaseCache | undefined;
  private txnId: string | undefined;
  private skewSeen: MonitorSkew = { missingTables: [], missingColumns: {} };
  private readonly iterators = new Set<ChangeQueue>();
  private generation = 0;

  constructor(
    private readonly host: MonitorHost,
    readonly db: string,
    opts: MonitorOptions,
  ) {
    const t = opts.tables;
    this.requestedAll = t === '*';
    if (t === '*') this.tableOptions = new Map();
    else if (Array.isArray(t)) this.tableOptions = new Map((t as readonly string[]).map((name) => [name, {}]));
    else {
      this.tableOptions = new Map(
        Object.entries(t as Record<string, MonitorTableOptions | true>).map(([name, o]) => [
          name,
          o === true ? {} : { ...o },
        ]),
      );
    }
    if (opts.method) this.methodInUse = opts.method;
    this.withVersion = opts.version === true;
  }

  private readonly withVersion: boolean;

  /** The cache, complete as of the last update applied. */
  get cache(): DatabaseCache {
    if (!this.cacheInUse)
      throw new MisuseError('not-ready', `monitor of ${this.db} has not received its initial state yet`);
    return this.cacheInUse;
  }

  get id(): string | undefined {
    return this.currentId;
  }

  /** The method the server accepted. */
  get method(): MonitorMethod | undefined {
    return this.methodInUse;
  }

  /** The last-txn-id of the last update3 (what a resume asks from); undefined before one arrives. */
  get lastTxnId(): string | undefined {
    return this.txnId;
  }

  get skew(): MonitorSkew {
    return this.skewSeen;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  on<E extends keyof MonitorEvents>(event: E, listener: Listener<MonitorEvents[E]>): () => void {
    return this.events.on(event, listener);
  }

  /** Changes of one table only (called once per batch that touches it). */
  onTable(table: string, listener: (changes: RowChange[], batch: ChangeBatch) => void): () => void {
    return this.events.on('change', (batch) => {
      const mine = batch.changes.filter((c) => c.table === table);
      if (mine.length > 0) listener(mine, batch);
    });
  }

  /**
   * Batches as an async iterator. Nothing is dropped: when the consumer falls `highWaterMark` batches
   * behind, the client stops reading from the server (TCP backpressure) until it catches up.
   */
  changes(opts: { highWaterMark?: number } = {}): AsyncIterableIterator<ChangeBatch> {
    const q = new ChangeQueue(this.host, opts.highWaterMark ?? 1_000, () => this.iterators.delete(q));
    this.iterators.add(q);
    if (this.state === 'closed') q.end();
    return q;
  }

  /**
   * (Re)issue the monitor request on the current session. `resume` is false only for the first start;
   * afterwards the monitor asks to resume from its last txn id and otherwise resynchronises.
   *
   * Starts can overlap (a reconnect while a restart after `monitor_canceled` is still waiting for its
   * reply); only the newest one may touch the cache, so an older one that completes late is dropped.
   */
  async start(resume: boolean): Promise<void> {
    if (this.state === 'closed') return;
    const generation = ++this.generation;
    const fetched = await this.host.getSchema(this.db);
    if (generation !== this.generation || this.closed) return;
    // Every new session fetches the schema again; only a different schema (an online conversion) counts.
    const oldCache = this.cacheInUse;
    const schemaChanged = this.schemaInUse !== undefined && !sameSchema(this.schemaInUse, fetched);
    const schema = this.schemaInUse && !schemaChanged ? this.schemaInUse : fetched;
    // A new schema gets a new cache, built aside: the current one stays in use until the reply is applied.
    const cache = !oldCache || schemaChanged ? this.buildCache(schema) : oldCache;

    const previousId = this.currentId;
    if (previousId !== undefined) this.host.route(previousId, undefined);
    const id = this.host.nextMonitorId();
    this.currentId = id;
    this.state = 'starting';
    this.queued = [];
    this.host.route(id, this);

    let reply: { method: MonitorMethod; result: Json };
    try {
      reply = await this.request(cache, id, resume && !schemaChanged && cache === oldCache);
    } catch (err) {
      if (generation === this.generation) this.host.route(id, undefined);
      throw err;
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have run during the await; TypeScript keeps the narrowing from before it
    if (generation !== this.generation || this.closed) {
      // Superseded: the newer start owns the cache. Drop this server-side monitor quietly.
      this.host.route(id, undefined);
      void this.host.request('monitor_cancel', [id]).catch(() => undefined);
      return;
    }
    const { method, result } = reply;
    let changes: RowChange[];
    let resync = false;
    let txnId: string | undefined;
    if (method === 'monitor_cond_since') {
      if (!Array.isArray(result) || result.length !== 3 || typeof result[0] !== 'boolean') {
        // The server's fault, not the caller's: a "syntax error", as ovsdb-server's own IDL calls a reply it
        // cannot parse. Not a ProtocolError, which means the JSON-RPC stream itself is broken.
        throw new OvsdbError('syntax error', `unexpected monitor_cond_since reply for ${this.db}`);
      }
      const [found, lastId, updates] = result as [boolean, Json, Json];
      if (found && cache === oldCache) {
        try {
          changes = cache.applyUpdate2(updates);
        } catch (err) {
          // The delta does not fit the cache (it cannot be trusted): start over from a full snapshot.
          this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
          this.txnId = undefined;
          this.host.route(id, undefined);
          // No need to wait for the cancel: the server answers requests in order.
          void this.host.request('monitor_cancel', [id]).catch(() => undefined);
          return this.start(false);
        }
      } else {
        changes = fill(cache, oldCache, updates, 2);
        resync = true;
      }
      // Only now that the reply is applied: a failed apply must not advance the resume point.
      txnId = typeof lastId === 'string' ? lastId : undefined;
    } else {
      changes = fill(
        cache,
        oldCache,
        result,
        method === 'monitor' ? 1 : 2,
        method === 'monitor' ? this.filters : undefined,
      );
      resync = true;
      txnId = undefined;
    }
    if (schemaChanged && oldCache) changes = differenceAcrossSchemas(oldCache, cache);
    this.methodInUse = method;
    this.schemaInUse = schema;
    this.cacheInUse = cache;
    this.txnId = txnId;
    this.state = 'live';
    // Only restarts report: before the first start returns nobody could have subscribed.
    if (oldCache && changes.length > 0)
      this.emit({ db: this.db, ...(this.txnId ? { txnId: this.txnId } : {}), resync, changes });
    if (this.skewSeen.missingTables.length > 0 || Object.keys(this.skewSeen.missingColumns).length > 0)
      this.events.emit('skew', this.skewSeen);
    const queued = this.queued;
    this.queued = [];
    for (const [m, p] of queued) this.handle(m, p);
  }

  /**
   * Start again on the current session, reporting a failure as an `error` event rather than throwing
   * (used after `monitor_canceled` and after an update that could not be applied). If the session is
   * gone, the next one resumes the monitor anyway.
   */
  restart(): void {
    void this.start(true).catch((err: unknown) => {
      if (this.state !== 'closed') this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
    });
  }

  /** The session ended: updates stop until `start(true)` on the next one. */
  suspend(): void {
    if (this.state === 'closed') return;
    if (this.currentId !== undefined) this.host.route(this.currentId, undefined);
    this.state = 'idle';
    this.queued = [];
  }

  /** The client delivers `update`/`update2`/`update3` for this monitor's id here, in arrival order. */
  handle(method: string, params: Json[]): void {
    if (this.state === 'closed') return;
    if (this.state !== 'live') {
      this.queued.push([method, params]);
      return;
    }
    const cache = this.cacheInUse as DatabaseCache;
    try {
      let changes: RowChange[];
      if (method === 'update3') {
        const txnId = params[1];
        changes = cache.applyUpdate2(params[2] ?? null);
        if (typeof txnId === 'string') this.txnId = txnId;
      } else if (method === 'update2') changes = cache.applyUpdate2(params[1] ?? null);
      else changes = cache.applyUpdate1(params[1] ?? null, this.filters);
      this.emit({
        db: this.db,
        ...(method === 'update3' && this.txnId ? { txnId: this.txnId } : {}),
        resync: false,
        changes,
      });
    } catch (err) {
      // The cache can no longer be trusted to mirror the server: say so, then rebuild it from a snapshot.
      // Later updates on this id are dropped (the snapshot covers them), so that they neither pile up
      // errors nor start more restarts.
      this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
      this.txnId = undefined;
      const id = this.currentId;
      this.suspend();
      if (id !== undefined) void this.host.request('monitor_cancel', [id]).catch(() => undefined);
      this.restart();
    }
  }

  /**
   * Change the row conditions of some tables live (`monitor_cond_change`): per table, rows matching any of
   * these conditions (sent as monitor_cond's `where`), replacing the table's `anyOf`. The server sends the
   * rows that enter and leave the filter as an ordinary update, which reaches `change` listeners before this
   * resolves. On a server with only `monitor`, the filter is applied locally after a fresh snapshot.
   */
  async setConditions(anyOf: Readonly<Record<string, readonly Condition[]>>): Promise<void> {
    if (this.state !== 'live' || !this.schemaInUse || this.currentId === undefined) {
      throw new MisuseError('not-live', `monitor of ${this.db} is not live`);
    }
    const schema = this.schemaInUse;
    const wire: Record<string, Json> = {};
    for (const [table, conds] of Object.entries(anyOf)) {
      const t = schema.tables.get(table);
      if (!t) throw new MisuseError('unknown-table', `No table named ${table}.`);
      const opts = this.tableOptions.get(table) ?? (this.requestedAll ? {} : undefined);
      if (!opts || !this.cacheInUse?.tables.has(table))
        throw new MisuseError('not-monitored', `table ${table} is not monitored by this monitor`);
      const encoded = encodeConditions(t, conds);
      parseConditions(t, encoded); // validate before sending
      wire[table] = [{ where: encoded }];
    }
    for (const [table, conds] of Object.entries(anyOf)) {
      const prev = this.tableOptions.get(table) ?? {};
      this.tableOptions.set(table, { ...prev, anyOf: conds });
    }
    this.rebuildFilters(schema);
    if (this.methodInUse === 'monitor') {
      await this.host.request('monitor_cancel', [this.currentId]).catch(() => undefined);
      await this.start(true);
      return;
    }
    const oldId = this.currentId;
    const newId = this.host.nextMonitorId();
    // Updates under the new id come before the reply: route them here first.
    this.host.route(newId, this);
    try {
      await this.host.request('monitor_cond_change', [oldId, newId, wire]);
    } catch (err) {
      this.host.route(newId, undefined);
      throw err;
    }
    this.host.route(oldId, undefined);
    this.currentId = newId;
  }

  /** `monitor_cancel` and stop; the cache keeps its last contents. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const id = this.currentId;
    const wasLive = this.state === 'live';
    this.state = 'closed';
    if (id !== undefined) this.host.route(id, undefined);
    this.host.removeMonitor(this);
    if (wasLive && id !== undefined) await this.host.request('monitor_cancel', [id]).catch(() => undefined);
    this.finish();
  }

  /** The client is closing or the server canceled the monitor for good. */
  finish(): void {
    this.state = 'closed';
    for (const q of this.iterators) q.end();
    this.events.emit('close');
  }

  private emit(batch: ChangeBatch): void {
    for (const q of this.iterators) q.push(batch);
    this.events.emit('change', batch);
  }

  private buildCache(schema: DatabaseSchema): DatabaseCache {
    const skew: MonitorSkew = { missingTables: [], missingColumns: {} };
    const tables: TableCache[] = [];
    const names = this.requestedAll ? [...schema.tables.keys()] : [...this.tableOptions.keys()];
    for (const name of names) {
      const t = schema.tables.get(name);
      if (!t) {
        skew.missingTables.push(name);
        continue;
      }
      const opts = this.tableOptions.get(name) ?? {};
      const { columns, missing } = resolveColumns(t, opts.columns);
      if (missing.length > 0) skew.missingColumns[name] = missing;
      if (this.withVersion) columns.push(IMPLICIT_COLUMNS.get('_version') as ColumnSchema);
      tables.push(new TableCache(t, columns, opts.indexes ?? []));
    }
    if (tables.length === 0) {
      // Tables the server lacks are skew, reported and tolerated; asking only for such tables is the
      // caller's mistake (we never send such a request, so ovsdb-server never gets to answer it).
      throw new MisuseError(
        'unknown-table',
        `none of the requested tables exist in ${this.db} (${skew.missingTables.join(', ')})`,
      );
    }
    this.skewSeen = skew;
    this.rebuildFilters(schema);
    return new DatabaseCache(this.db, tables);
  }

  private rebuildFilters(schema: DatabaseSchema): void {
    this.filters = new Map();
    for (const [name, opts] of this.tableOptions) {
      const t = schema.tables.get(name);
      if (t && opts.anyOf && opts.anyOf.length > 0)
        this.filters.set(name, parseConditions(t, encodeConditions(t, opts.anyOf)));
    }
  }

  private requests(cache: DatabaseCache, method: MonitorMethod): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [name, table] of cache.tables) {
      const t = table.schema;
      const opts = this.tableOptions.get(name) ?? {};
      const req: Record<string, Json> = {};
      // Always name the columns, even for "all of them": without a list ovsdb-server also sends every
      // row's `_version`, which the cache drops unless asked to keep it. On an initial dump that is an
      // eighth of the bytes, and the server builds the reply about a tenth faster without it.
      req.columns = table.columns.map((c) => c.name);
      if (opts.select) req.select = { ...opts.select };
      if (method !== 'monitor' && opts.anyOf && opts.anyOf.length > 0) req.where = encodeConditions(t, opts.anyOf);
      out[name] = method === 'monitor' ? req : [req];
    }
    return out;
  }

  private async request(
    cache: DatabaseCache,
    id: string,
    resume: boolean,
  ): Promise<{ method: MonitorMethod; result: Json }> {
    let index = MONITOR_METHODS.indexOf(this.methodInUse ?? 'monitor_cond_since');
    for (;;) {
      const method = MONITOR_METHODS[index] as MonitorMethod;
      const params: Json[] = [this.db, id, this.requests(cache, method)];
      if (method === 'monitor_cond_since') params.push(resume && this.txnId ? this.txnId : ZERO_UUID);
      try {
        return { method, result: await this.host.request(method, params) };
      } catch (err) {
        if (err instanceof RpcError && err.error === 'unknown method' && index < MONITOR_METHODS.length - 1) {
          index++;
          continue;
        }
        throw err;
      }
    }
  }
}

/**
 * Put a snapshot into `cache`. Only a cache that was already in use needs the difference as changes; a
 * new one (the first start, or a schema change, which computes its own difference) is filled directly.
 */
function fill(
  cache: DatabaseCache,
  oldCache: DatabaseCache | undefined,
  snapshot: Json,
  version: 1 | 2,
  filters?: ReadonlyMap<string, readonly ParsedCondition[]>,
): RowChange[] {
  if (cache === oldCache) return cache.replaceWith(snapshot, version, filters);
  cache.load(snapshot, version, filters);
  return [];
}

function sameSchema(a: DatabaseSchema, b: DatabaseSchema): boolean {
  return a === b || stringifyJson(a.json) === stringifyJson(b.json);
}

/** After a schema change the tables are new objects: compare rows by table name and uuid. */
function differenceAcrossSchemas(before: DatabaseCache, after: DatabaseCache): RowChange[] {
  const changes: RowChange[] = [];
  for (const [name, table] of after.tables) {
    const old = before.tables.get(name);
    for (const [uuid, row] of table.tableRows()) {
      const prev = old?.get(uuid);
      if (!prev) changes.push({ table: name, uuid, kind: 'insert', new: row });
      else {
        const changed = table.columns
          .filter(
            (c) => !old?.columns.some((oc) => oc.name === c.name) || table.changedColumns(prev, row).includes(c.name),
          )
          .map((c) => c.name);
        if (changed.length > 0)
          changes.push({ table: name, uuid, kind: 'modify', old: prev, new: row, columns: changed });
      }
    }
    if (old)
      for (const [uuid, prev] of old.tableRows())
        if (!table.has(uuid)) changes.push({ table: name, uuid, kind: 'delete', old: prev });
  }
  for (const [name, old] of before.tables) {
    if (after.tables.has(name)) continue;
    for (const [uuid, prev] of old.tableRows()) changes.push({ table: name, uuid, kind: 'delete', old: prev });
  }
  return changes;
}

/** A bounded queue of batches behind an async iterator; pauses the socket rather than drop anything. */
class ChangeQueue implements AsyncIterableIterator<ChangeBatch> {
  private readonly items: ChangeBatch[] = [];
  private waiting: ((r: IteratorResult<ChangeBatch>) => void) | undefined;
  private ended = false;
  private paused = false;

  constructor(
    private readonly host: MonitorHost,
    private readonly highWaterMark: number,
    private readonly onDone: () => void,
  ) {}

  push(batch: ChangeBatch): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: batch, done: false });
      return;
    }
    this.items.push(batch);
    if (!this.paused && this.items.length >= this.highWaterMark) {
      this.paused = true;
      this.host.pauseReading();
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    if (this.waiting && this.items.length === 0) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  private release(): void {
    if (this.paused) {
      this.paused = false;
      this.host.resumeReading();
    }
  }

  next(): Promise<IteratorResult<ChangeBatch>> {
    const item = this.items.shift();
    if (item) {
      if (this.paused && this.items.length <= this.highWaterMark / 2) this.release();
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) {
      this.onDone();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<ChangeBatch>> {
    this.end();
    this.items.length = 0;
    this.onDone();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeBatch> {
    return this;
  }
}
