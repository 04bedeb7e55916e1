/**
 * One `OvsdbClient` per configured remote and one `Feed` per database it serves. However many browsers
 * watch, OVSDB sees one connection and one monitor per database.
 */
import {
  ClusterMemberRejected,
  ConnectError,
  DisconnectedError,
  OvsdbClient,
  parseRemotes,
  type MonitorTableOptions,
} from '@ovsdb-web/client';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseStats, RemoteStatus } from '@ovsdb-web/protocol';
import type { GatewayConfig, RemoteConfig } from '../config.js';
import { notFound, unavailable } from '../plugins/errors.js';
import { Feed } from './feed.js';

export type RemoteOptions = Pick<GatewayConfig, 'tls' | 'tables' | 'columns' | 'probeIntervalMs' | 'history'>;

export class RemoteConnection {
  readonly client: OvsdbClient;
  private readonly feeds = new Map<string, Feed>();
  private starting: Promise<void> | undefined;
  /** Monitors are being set up after a connect: a missing database may still come. */
  private loading = false;
  private lastErr: Error | undefined;
  /** A session is being set up (monitors resuming) after a connect attempt. */
  private attempting = false;
  readonly clustered: boolean;

  constructor(
    readonly config: RemoteConfig,
    private readonly opts: RemoteOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.clustered = parseRemotes(config.remote).length > 1;
    this.client = OvsdbClient.create(config.remote, {
      ...(opts.tls ? { tls: opts.tls } : {}),
      // OVS leaves unix sockets unprobed; a gateway must notice a frozen server on any kind of remote.
      inactivityProbeMs: opts.probeIntervalMs,
    });
    this.client.on('connect-attempt', () => (this.attempting = true));
    this.client.on('connected', (member) => {
      this.log.info({ remote: config.name, member }, 'connected to OVSDB');
      this.lastErr = undefined;
      this.attempting = false;
      this.starting = this.startFeeds().catch((err: unknown) => {
        this.lastErr = err instanceof Error ? err : new Error(String(err));
        this.log.error({ remote: config.name, err }, 'could not start monitors');
      });
    });
    this.client.on('disconnected', (err) => {
      this.lastErr = err;
      this.log.warn({ remote: config.name, reason: err.message }, 'OVSDB connection lost; reconnecting');
    });
    this.client.on('reconnect-failed', (err, delayMs) => {
      this.lastErr = err;
      this.attempting = false;
      this.log.warn({ remote: config.name, reason: err.message, retryInMs: delayMs }, 'cannot reach OVSDB; will retry');
    });
  }

  get name(): string {
    return this.config.name;
  }

  /** Resolves once monitors exist for every database the server had at the last connect. */
  async ready(): Promise<void> {
    await this.starting;
  }

  databases(): string[] {
    return [...this.feeds.keys()];
  }

  /** The feed of `db`, or the reason there is none as an error a caller can be shown. */
  feed(db: string): Feed {
    const feed = this.feeds.get(db);
    if (feed) return feed;
    if (this.client.status !== 'connected' || this.starting === undefined) {
      const why = this.lastErr?.message;
      throw unavailable(`remote ${this.name} is ${this.client.status}${why ? `: ${why}` : ''}`);
    }
    if (this.loading) throw unavailable(`remote ${this.name} is still loading its databases`);
    throw notFound(`remote ${this.name} has no database ${db}; it has ${this.databases().join(', ') || 'none yet'}`);
  }

  findFeed(db: string): Feed | undefined {
    return this.feeds.get(db);
  }

  databaseState(): DatabaseStats['state'] {
    if (this.client.status === 'connected') return 'live';
    if (this.attempting) return 'resyncing';
    return 'offline';
  }

  status(): RemoteStatus {
    const s: RemoteStatus = {
      name: this.name,
      remote: this.config.remote,
      status: this.client.status,
      databases: this.databases(),
      clustered: this.clustered,
    };
    if (this.client.status === 'connected') {
      const r = this.client.remote;
      s.member =
        r.kind === 'unix' ? `unix:${r.path}` : `${r.kind}:${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`;
      // The client only stays on the leader of a cluster (leader-only), so the member in use is the leader.
      if (this.clustered) s.leader = s.member;
    }
    const err = this.lastErr ?? this.client.lastError;
    if (err && this.client.status !== 'connected') {
      s.lastError = err.message;
      s.problem = classify(err);
    }
    return s;
  }

  stats(): DatabaseStats[] {
    const state = this.databaseState();
    return [...this.feeds.values()].map((f) => f.stats(state));
  }

  private async startFeeds(): Promise<void> {
    this.loading = true;
    try {
      await this.addFeeds();
    } finally {
      this.loading = false;
    }
  }

  private async addFeeds(): Promise<void> {
    const dbs = await this.client.listDbs();
    for (const db of dbs) {
      if (this.feeds.has(db)) continue; // monitors survive reconnects inside the client
      const schema = await this.client.getSchema(db);
      const wanted = this.opts.tables.get(db);
      const tables: Record<string, MonitorTableOptions> = {};
      for (const name of wanted ?? schema.tables.keys()) {
        const columns = this.opts.columns.get(`${db}.${name}`);
        tables[name] = columns ? { columns } : {};
      }
      const monitor = await this.client.monitor(db, { tables, version: true });
      if (monitor.skew.missingTables.length > 0 || Object.keys(monitor.skew.missingColumns).length > 0) {
        this.log.warn(
          { remote: this.name, db, skew: monitor.skew },
          'some configured tables or columns are not in the server schema',
        );
      }
      this.feeds.set(db, new Feed(this.name, db, monitor, schema, this.opts.history));
      this.log.info({ remote: this.name, db, rows: monitor.cache.size }, 'monitoring database');
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** What kind of trouble an error is, for the dashboard to say it plainly. */
function classify(err: Error): NonNullable<RemoteStatus['problem']> {
  const text = err.message;
  if (err instanceof ClusterMemberRejected) return 'not_leader';
  if (text.includes('inactivity probe')) return 'unresponsive';
  if (/certificate|TLS|SSL|handshake/i.test(text)) return 'tls';
  if (err instanceof ConnectError) return 'unreachable';
  if (err instanceof DisconnectedError) return /protocol|not JSON|invalid/i.test(text) ? 'protocol' : 'unreachable';
  return 'other';
}
