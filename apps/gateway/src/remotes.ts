/**
 * One `OvsdbClient` per configured remote, and one `Feed` (a monitor of every table, numbered batches
 * and a short history) per database it serves. However many browsers watch, OVSDB sees one connection
 * and one monitor per database.
 */
import { randomUUID } from 'node:crypto';
import {
  OvsdbClient,
  rowToWire,
  stringifyJson,
  type Json,
  type ChangeBatch,
  type DatabaseSchema,
  type Monitor,
  type MonitorTableOptions,
  type Row,
  type TableSchema,
  type WireRow,
} from '@ovsdb-web/client';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayConfig, RemoteConfig } from './config.js';

export interface FeedEntry {
  readonly seq: number;
  readonly batch: ChangeBatch;
}

export type FeedListener = (entry: FeedEntry) => void;

/** How many recent batches a feed keeps so a reconnecting browser can resume instead of reloading. */
const HISTORY_BATCHES = 2_000;

export class Feed {
  /** Changes when the gateway restarts or the feed is rebuilt: sequence numbers only compare within one epoch. */
  readonly epoch = randomUUID();
  private seqCounter = 0;
  private readonly history: FeedEntry[] = [];
  private readonly listeners = new Set<FeedListener>();
  private readonly encoded = new WeakMap<Row, WireRow>();
  private readonly texts = new WeakMap<Row, Map<string, string>>();
  updates = 0;

  constructor(
    readonly remote: string,
    readonly db: string,
    readonly monitor: Monitor,
    readonly schema: DatabaseSchema,
  ) {
    monitor.on('change', (batch) => {
      const entry = { seq: ++this.seqCounter, batch };
      this.updates += batch.changes.length;
      this.history.push(entry);
      if (this.history.length > HISTORY_BATCHES) this.history.splice(0, this.history.length - HISTORY_BATCHES);
      for (const l of this.listeners) l(entry);
    });
  }

  get seq(): number {
    return this.seqCounter;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Batches after `seq`, or undefined when the history no longer reaches back that far. */
  since(seq: number): FeedEntry[] | undefined {
    if (seq === this.seqCounter) return [];
    if (seq > this.seqCounter || seq < 0) return undefined;
    const first = this.history[0];
    if (!first || first.seq > seq + 1) return undefined;
    return this.history.slice(seq + 1 - first.seq);
  }

  table(name: string): TableSchema | undefined {
    return this.monitor.cache.tables.get(name)?.schema;
  }

  /**
   * A row as JSON text, optionally projected to `columns` (named by `key`); encoded once per row version
   * however many clients receive it (rows are immutable, so the row object identifies the version).
   */
  json(table: TableSchema, row: Row, columns?: ReadonlySet<string>, key = ''): string {
    let byKey = this.texts.get(row);
    if (!byKey) this.texts.set(row, (byKey = new Map()));
    let text = byKey.get(key);
    if (text === undefined) {
      const full = this.wire(table, row);
      let out: WireRow = full;
      if (columns) {
        out = {};
        for (const k of Object.keys(full)) if (columns.has(k) || k === '_uuid' || k === '_version') out[k] = full[k] as WireRow[string];
      }
      text = stringifyJson(out as Json);
      byKey.set(key, text);
    }
    return text;
  }

  /** A row in RFC 7047 notation, encoded once however many clients receive it (rows are immutable). */
  wire(table: TableSchema, row: Row): WireRow {
    let w = this.encoded.get(row);
    if (!w) {
      w = rowToWire(table, row);
      this.encoded.set(row, w);
    }
    return w;
  }
}

export interface RemoteStatus {
  name: string;
  remote: string;
  status: 'connecting' | 'connected' | 'reconnecting' | 'closed';
  databases: string[];
  leader?: string;
  lastError?: string;
}

export class RemoteHandle {
  readonly client: OvsdbClient;
  readonly feeds = new Map<string, Feed>();
  private starting: Promise<void> | undefined;
  private lastErr: string | undefined;

  constructor(
    readonly config: RemoteConfig,
    private readonly gateway: Pick<GatewayConfig, 'tls' | 'tables' | 'columns'>,
    private readonly log: FastifyBaseLogger,
  ) {
    this.client = OvsdbClient.create(config.remote, {
      ...(gateway.tls ? { tls: gateway.tls } : {}),
    });
    this.client.on('connected', (remote) => {
      this.log.info({ remote: config.name, member: remote }, 'connected to OVSDB');
      this.lastErr = undefined;
      this.starting = this.startFeeds().catch((err: unknown) => {
        this.lastErr = (err as Error).message;
        this.log.error({ remote: config.name, err }, 'could not start monitors');
      });
    });
    this.client.on('disconnected', (err) => {
      this.lastErr = err.message;
      this.log.warn({ remote: config.name, reason: err.message }, 'OVSDB connection lost; reconnecting');
    });
    this.client.on('reconnect-failed', (err, delayMs) => {
      this.lastErr = err.message;
      this.log.warn({ remote: config.name, reason: err.message, retryInMs: delayMs }, 'cannot reach OVSDB; will retry');
    });
  }

  /** Resolves once monitors exist for every database the server had at the last connect. */
  async ready(): Promise<void> {
    await this.starting;
  }

  status(): RemoteStatus {
    const s: RemoteStatus = {
      name: this.config.name,
      remote: this.config.remote,
      status: this.client.status,
      databases: [...this.feeds.keys()],
    };
    if (this.client.status === 'connected') {
      const r = this.client.remote;
      s.leader = r.kind === 'unix' ? `unix:${r.path}` : `${r.kind}:${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`;
    }
    const err = this.lastErr ?? this.client.lastError?.message;
    if (err && this.client.status !== 'connected') s.lastError = err;
    return s;
  }

  private async startFeeds(): Promise<void> {
    const dbs = await this.client.listDbs();
    for (const db of dbs) {
      if (this.feeds.has(db)) continue; // monitors survive reconnects inside the client
      const schema = await this.client.getSchema(db);
      const wanted = this.gateway.tables.get(db);
      const tables: Record<string, MonitorTableOptions> = {};
      for (const name of wanted ?? schema.tables.keys()) {
        const columns = this.gateway.columns.get(`${db}.${name}`);
        tables[name] = columns ? { columns } : {};
      }
      const monitor = await this.client.monitor(db, { tables, version: true });
      if (monitor.skew.missingTables.length > 0 || Object.keys(monitor.skew.missingColumns).length > 0) {
        this.log.warn({ remote: this.config.name, db, skew: monitor.skew }, 'some configured tables or columns are not in the server schema');
      }
      this.feeds.set(db, new Feed(this.config.name, db, monitor, schema));
      this.log.info({ remote: this.config.name, db, rows: monitor.cache.size }, 'monitoring database');
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
