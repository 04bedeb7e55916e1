/**
 * `OvsdbClient`: one long-lived JSON-RPC session with an OVSDB server and the RFC 7047 methods on top.
 * Transactions are checked against the database schema before they are sent.
 */
import type { Json } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { isErrorResult, type Operation, type OperationResult } from '../wire/operation.js';
import { parseDatabaseSchema, type DatabaseSchema } from '../schema/schema.js';
import { RpcConnection } from '../jsonrpc/connection.js';
import { DisconnectedError } from '../jsonrpc/errors.js';
import { openStream, ConnectError, type TlsOptions } from '../transport/connect.js';
import { formatRemote, parseRemotes, type Remote } from '../transport/remote.js';
import { validateTransaction } from '../txn/validate.js';
import { TransactionBuilder } from '../txn/builder.js';
import { TransactionError } from '../txn/errors.js';
import { Emitter, type Listener } from './emitter.js';

export interface ConnectOptions {
  /** Key, certificate and CA for `ssl:` remotes: file paths or PEM text (as `ovs-pki` makes them). */
  tls?: TlsOptions;
  /** How long one connection attempt may take, in ms (default 10 s). */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface TransactOptions {
  /** Check the operations against the schema first (default true). */
  validate?: boolean;
  /** Aborting sends OVSDB `cancel` for the request and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ClientEvents {
  /** `lock` was granted later (RFC 7047 §4.1.9). */
  locked: [lockId: string];
  /** Another client stole a lock this client held (§4.1.10). */
  stolen: [lockId: string];
  /** The connection ended; every pending request was rejected with this error. */
  close: [error: DisconnectedError];
}

export class OvsdbClient {
  private readonly events = new Emitter<ClientEvents>();
  private readonly schemas = new Map<string, Promise<DatabaseSchema>>();

  private constructor(
    readonly remote: Remote,
    /** The JSON-RPC session; exposed for extensions (monitors) and tests. */
    readonly connection: RpcConnection,
  ) {
    connection.onNotification('locked', (params) => {
      if (typeof params[0] === 'string') this.events.emit('locked', params[0]);
    });
    connection.onNotification('stolen', (params) => {
      if (typeof params[0] === 'string') this.events.emit('stolen', params[0]);
    });
    connection.onClose((err) => this.events.emit('close', err));
  }

  /**
   * Connect to `remote` (OVS syntax). With a comma-separated list, members are tried in order until one
   * accepts; the error names every attempt when none does.
   */
  static async connect(remote: string, opts: ConnectOptions = {}): Promise<OvsdbClient> {
    const remotes = parseRemotes(remote);
    const failures: ConnectError[] = [];
    for (const r of remotes) {
      try {
        const stream = await openStream(r, {
          ...(opts.tls ? { tls: opts.tls } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          timeoutMs: opts.connectTimeoutMs ?? 10_000,
        });
        return new OvsdbClient(r, new RpcConnection(stream, { remote: formatRemote(r) }));
      } catch (err) {
        if (err instanceof ConnectError && err.failure !== 'aborted') {
          failures.push(err);
          continue;
        }
        throw err;
      }
    }
    if (failures.length === 1 && failures[0]) throw failures[0];
    throw new AggregateError(failures, `could not connect to any of ${remote}: ${failures.map((f) => f.message).join('; ')}`);
  }

  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void {
    return this.events.on(event, listener);
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  /** RFC 7047 §4.1.1. */
  async listDbs(): Promise<string[]> {
    const r = await this.connection.request('list_dbs', []);
    if (!Array.isArray(r) || !r.every((x) => typeof x === 'string')) throw unexpected('list_dbs', r);
    return r as string[];
  }

  /** RFC 7047 §4.1.2; cached per database until `forgetSchema` (a schema changes only through `convert`). */
  getSchema(db: string): Promise<DatabaseSchema> {
    let s = this.schemas.get(db);
    if (!s) {
      s = this.connection.request('get_schema', [db]).then(parseDatabaseSchema);
      s.catch(() => this.schemas.delete(db));
      this.schemas.set(db, s);
    }
    return s;
  }

  forgetSchema(db: string): void {
    this.schemas.delete(db);
  }

  /** A builder for `db`'s schema; pass `builder.operations()` to `transact`. */
  async transaction(db: string): Promise<TransactionBuilder> {
    return new TransactionBuilder(await this.getSchema(db));
  }

  /**
   * RFC 7047 §4.1.3. Resolves with one result per operation. Rejects with a
   * `TransactionValidationError` (nothing sent) or a `TransactionError` naming the failing operation
   * (`operationIndex` -1 for errors found at commit, which ovsdb-server appends after the results).
   */
  async transact(db: string, operations: readonly (Operation | Json)[], opts: TransactOptions = {}): Promise<OperationResult[]> {
    if (opts.validate !== false) validateTransaction(await this.getSchema(db), operations);
    const reply = await this.connection.request('transact', [db, ...(operations as Json[])], {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onAbort: (id) => this.cancel(id),
    });
    if (!Array.isArray(reply)) throw unexpected('transact', reply);
    const results = reply as OperationResult[];
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (isErrorResult(r)) {
        const opIndex = i < operations.length ? i : -1;
        const op = opIndex >= 0 ? (operations[opIndex] as { op?: unknown } | undefined)?.op : undefined;
        throw new TransactionError(r.error, r.details, r.syntax, opIndex, typeof op === 'string' ? op : undefined, results);
      }
    }
    return results;
  }

  /** RFC 7047 §4.1.4: ask the server to abandon request `id` (a notification: nothing comes back). */
  private cancel(id: number): void {
    if (!this.connection.closed) this.connection.notify('cancel', [id]);
  }

  /** RFC 7047 §4.1.11. */
  async echo(...params: Json[]): Promise<Json[]> {
    const r = await this.connection.request('echo', params);
    if (!Array.isArray(r)) throw unexpected('echo', r);
    return r;
  }

  /** RFC 7047 §4.1.8: true when granted now; otherwise a `locked` event follows once it is. */
  async lock(id: string): Promise<boolean> {
    return lockedFlag('lock', await this.connection.request('lock', [id]));
  }

  /** Take the lock from its owner, who gets `stolen`. */
  async steal(id: string): Promise<boolean> {
    return lockedFlag('steal', await this.connection.request('steal', [id]));
  }

  async unlock(id: string): Promise<void> {
    await this.connection.request('unlock', [id]);
  }

  /** ovsdb-server extension: the server's own UUID (for telling cluster members apart). */
  async getServerId(): Promise<string> {
    const r = await this.connection.request('get_server_id', []);
    if (typeof r !== 'string') throw unexpected('get_server_id', r);
    return r;
  }

  /** ovsdb-server extension: ask for `monitor_canceled` instead of a disconnect when a schema changes. */
  async setDbChangeAware(aware = true): Promise<void> {
    await this.connection.request('set_db_change_aware', [aware]);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

function lockedFlag(method: string, r: Json): boolean {
  if (typeof r === 'object' && r !== null && !Array.isArray(r) && typeof r.locked === 'boolean') return r.locked;
  throw unexpected(method, r);
}

function unexpected(method: string, r: Json): OvsdbError {
  return new OvsdbError('syntax error', `unexpected ${method} reply: ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
}
