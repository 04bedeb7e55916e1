/**
 * `EmbeddedServer`: an embedded, in-memory OVSDB server. It serves any number of databases plus `_Server`
 * over unix sockets, TCP or an in-process duplex (no socket at all), speaking ovsdb-server's dialect of
 * RFC 7047 (see session.ts for the methods, transaction.ts for `transact`, monitor.ts for monitors).
 *
 *   const server = new EmbeddedServer();
 *   server.addDatabase(schemaText);
 *   const { unix } = await server.listen({ unix: '/tmp/nb.sock' });
 *   const client = await OvsdbClient.connect(`unix:${unix}`);
 */
import { rmSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { parseJson, OvsdbError, type Json, type JsonObject, type Row } from '@ovsdb-web/client';
import { newUuid, type Database, type CommitChange } from './database.js';
import { duplexPair } from './duplex-pair.js';
import { LockManager } from './locks.js';
import { LogStorage, type StorageOptions } from './persistence.js';
import { ServedDatabase } from './served-db.js';
import { SERVER_SCHEMA_TEXT } from './server-schema.js';
import { Session, type SessionHost } from './session.js';
import type { LoadedDatabaseFile } from './storage/load.js';
import type { TransactOutcome } from './transaction.js';
import { sortedJsonText } from './wire.js';

export interface EmbeddedServerOptions {
  /** Refuse every write from clients ("not allowed"), like `ovsdb-server` serving a backup. */
  readonly readOnly?: boolean;
  /** Append-only log to persist committed transactions in, replayed by `addDatabase`. */
  readonly storage?: StorageOptions;
  /** Transactions kept for `monitor_cond_since` resumes, per database (default 1000). */
  readonly historySize?: number;
  /** The UUID `get_server_id` returns (default: a fresh one). */
  readonly serverId?: string;
}

export interface ListenOptions {
  /** Path of a unix socket to create (an existing stale socket file is replaced). */
  readonly unix?: string;
  /** TCP address; port 0 lets the system choose. Defaults to 127.0.0.1. */
  readonly tcp?: { readonly host?: string; readonly port: number };
}

export interface ListenAddresses {
  /** The socket path, usable as `unix:${unix}`. */
  readonly unix?: string;
  /** The bound address, usable as `tcp:${host}:${port}`. */
  readonly tcp?: { readonly host: string; readonly port: number };
}

export class EmbeddedServer {
  readonly serverId: string;
  readonly readOnly: boolean;
  private readonly databases = new Map<string, ServedDatabase>();
  private readonly serverDb: ServedDatabase;
  private readonly sessions = new Set<Session>();
  private readonly listeners: net.Server[] = [];
  private readonly unixPaths: string[] = [];
  private readonly locks = new LockManager();
  private readonly storage: LogStorage | undefined;
  private readonly historySize: number;
  /** The UUID of each database's row in `_Server`'s `Database` table. */
  private readonly serverRows = new Map<string, string>();
  private closed = false;

  constructor(opts: EmbeddedServerOptions = {}) {
    this.serverId = opts.serverId ?? newUuid();
    this.readOnly = opts.readOnly === true;
    this.historySize = opts.historySize ?? 1000;
    this.storage = opts.storage === undefined ? undefined : new LogStorage(opts.storage.path);
    this.serverDb = new ServedDatabase(parseJson(SERVER_SCHEMA_TEXT) as JsonObject, { historySize: this.historySize });
    this.databases.set('_Server', this.serverDb);
    this.addServerRow(this.serverDb);
  }

  /**
   * Serve a database for a schema (JSON text or parsed). With storage, its logged transactions are
   * replayed first. Returns the database's name.
   */
  addDatabase(schema: string | Json): string {
    const json = typeof schema === 'string' ? parseJson(schema) : schema;
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new OvsdbError('syntax error', 'schema must be a JSON object');
    const served = new ServedDatabase(json, { historySize: this.historySize });
    if (this.databases.has(served.name))
      throw new OvsdbError('syntax error', `database ${served.name} is already served`);
    if (served.name.startsWith('_')) throw new OvsdbError('syntax error', `database name ${served.name} is reserved`);
    const storage = this.storage;
    if (storage !== undefined) {
      storage.replay(served);
      served.onCommit((db, commit) => storage.append(db, commit));
    }
    this.databases.set(served.name, served);
    this.addServerRow(served);
    return served.name;
  }

  /**
   * Serve the contents of a database file ovsdb-server wrote (see `loadDatabaseFile`), read-only: every
   * transaction that would change it is refused as ovsdb-server refuses writes in read-only mode, `convert`
   * is refused, and nothing is written anywhere (the server's `storage` log does not record it). Returns
   * the database's name.
   */
  addDatabaseFile(file: LoadedDatabaseFile): string {
    if (this.databases.has(file.name)) {
      const other = this.databases.get(file.name)?.source;
      const from = other === undefined ? '' : ` (from ${other})`;
      throw new OvsdbError('syntax error', `${file.path}: database ${file.name} is already served${from}`);
    }
    if (file.name.startsWith('_')) throw new OvsdbError('syntax error', `database name ${file.name} is reserved`);
    const served = new ServedDatabase(file.schema, {
      historySize: this.historySize,
      contents: file.database,
      readOnly: true,
      source: file.path,
    });
    served.lastTxnId = file.lastTxnId;
    this.databases.set(served.name, served);
    this.addServerRow(served);
    return served.name;
  }

  /** Names of the databases served, `_Server` included. */
  databaseNames(): string[] {
    return [...this.databases.keys()].sort();
  }

  /** The served database, for embedding code (sample data, churn, tests). */
  database(name: string): ServedDatabase | undefined {
    return this.databases.get(name);
  }

  /**
   * Run a transaction in-process, as a client's `transact` would run but without waiting (an unsatisfied
   * `wait` fails at once) and regardless of `readOnly`, which restricts clients, not the embedding code
   * (sample data, churn). A database served from a file refuses changes even from here. Returns the
   * results array, errors included.
   */
  transact(db: string, operations: readonly Json[]): Json[] {
    const served = this.databases.get(db);
    if (served === undefined)
      throw new OvsdbError('unknown database', `transact request specifies unknown database ${db}`);
    const outcome: TransactOutcome = served.execute(operations);
    return outcome.kind === 'done' ? outcome.results : [];
  }

  /** Start accepting connections; resolves with the bound addresses. */
  async listen(opts: ListenOptions): Promise<ListenAddresses> {
    const out: { unix?: string; tcp?: { host: string; port: number } } = {};
    if (opts.unix !== undefined) {
      rmSync(opts.unix, { force: true });
      await this.startListener((s) => s.listen(opts.unix));
      this.unixPaths.push(opts.unix);
      out.unix = opts.unix;
    }
    if (opts.tcp !== undefined) {
      const host = opts.tcp.host ?? '127.0.0.1';
      const srv = await this.startListener((s) => s.listen(opts.tcp?.port ?? 0, host));
      const addr = srv.address();
      if (addr !== null && typeof addr === 'object') out.tcp = { host, port: addr.port };
    }
    return out;
  }

  private startListener(bind: (s: net.Server) => void): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer((socket) => this.accept(socket));
      srv.once('error', reject);
      srv.once('listening', () => {
        srv.off('error', reject);
        this.listeners.push(srv);
        resolve(srv);
      });
      bind(srv);
    });
  }

  /**
   * A connection without any socket: the returned stream is the client's end (pass it to
   * `new RpcConnection(stream)`), the other end is served like any accepted connection.
   */
  connectInProcess(): Duplex {
    const [clientEnd, serverEnd] = duplexPair();
    this.accept(serverEnd);
    return clientEnd;
  }

  /** Serve an already connected stream (e.g. a WebSocket adapted to a Duplex). */
  accept(stream: Duplex): void {
    if (this.closed) {
      stream.destroy();
      return;
    }
    const host: SessionHost = {
      serverId: this.serverId,
      readOnly: this.readOnly,
      locks: this.locks,
      database: (name) => this.databases.get(name),
      databaseNames: () => this.databaseNames(),
      sessionClosed: (s) => this.sessions.delete(s),
      replaceDatabase: (db, schemaJson, contents, caller) => this.replaceDatabase(db, schemaJson, contents, caller),
    };
    this.sessions.add(new Session(host, stream));
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Rewrite the storage log as a snapshot of every database (but `_Server` and those served from files). */
  compact(): void {
    this.storage?.compact([...this.databases.values()].filter((d) => d !== this.serverDb && d.source === undefined));
  }

  /** Stop listening, end every session and close the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sessions]) s.close();
    for (const d of this.databases.values()) d.dropTriggers();
    await Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
    for (const p of this.unixPaths) rmSync(p, { force: true });
    this.storage?.close();
  }

  /**
   * After a `convert`: serve the new contents, tell the sessions (those that do not follow database changes
   * are disconnected, the others lose their monitors and waiting transactions on it), then show the new
   * schema in `_Server`. A standalone ovsdb-server 3.1 leaves `_Server`'s `schema` column as it was (its
   * clustered databases do update it, as ovsdb-server(5) documents); ours always shows the schema served.
   */
  private replaceDatabase(db: ServedDatabase, schemaJson: JsonObject, contents: Database, caller: Session): void {
    db.replaceContents(schemaJson, contents);
    for (const s of [...this.sessions]) if (s !== caller) s.databaseConverted(db, false);
    caller.databaseConverted(db, true);
    // Sessions cancelled their own waiting transactions; none may survive to run against the new contents.
    db.dropTriggers();
    this.updateServerRow(db);
    // The log holds transactions of the old schema and nothing of the conversion: rewrite it from the new
    // contents (a restart must then be given the new schema).
    this.compact();
  }

  private updateServerRow(served: ServedDatabase): void {
    const table = this.serverDb.db.table('Database');
    const uuid = this.serverRows.get(served.name);
    const old = uuid === undefined ? undefined : table?.rows.get(uuid);
    if (table === undefined || uuid === undefined || old === undefined) return;
    const schema = [sortedJsonText(served.schemaJson)];
    const row: Row = { ...old, schema, _version: newUuid() };
    this.serverDb.commit([{ table: 'Database', uuid, old, new: row }]);
  }

  /** The `_Server` `Database` row describing a served database, as a standalone ovsdb-server shows it. */
  private addServerRow(served: ServedDatabase): void {
    const table = this.serverDb.db.table('Database');
    if (table === undefined) return;
    const uuid = newUuid();
    this.serverRows.set(served.name, uuid);
    const row: Row = {
      ...table.defaults,
      name: served.name,
      model: 'standalone',
      connected: true,
      leader: true,
      schema: [sortedJsonText(served.schemaJson)],
      _uuid: uuid,
      _version: newUuid(),
    };
    const change: CommitChange = { table: 'Database', uuid, old: undefined, new: row };
    this.serverDb.commit([change]);
  }
}
