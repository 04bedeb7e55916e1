/**
 * Prometheus metrics, on a registry of the app's own (tests build many apps in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RemoteConnection } from '../feeds/remote.js';

export class Metrics {
  readonly registry = new Registry();
  readonly wsClients: Gauge;
  readonly resyncs: Counter;
  readonly droppedClients: Counter;
  readonly transactDuration: Histogram<'result'>;

  constructor(remotes: () => Iterable<RemoteConnection>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ovsdb_web_process_' });
    this.wsClients = new Gauge({
      name: 'ovsdb_web_websocket_clients',
      help: 'Open WebSocket stream connections',
      registers: [this.registry],
    });
    this.resyncs = new Counter({
      name: 'ovsdb_web_stream_resyncs_total',
      help: 'Times a slow WebSocket client was dropped to "resync needed"',
      registers: [this.registry],
    });
    this.droppedClients = new Counter({
      name: 'ovsdb_web_stream_dropped_clients_total',
      help: 'WebSocket clients disconnected because they stayed stalled',
      registers: [this.registry],
    });
    this.transactDuration = new Histogram({
      name: 'ovsdb_web_transact_duration_seconds',
      help: 'Time from receiving a transact request to its answer, by result',
      labelNames: ['result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'ovsdb_web_remote_connected',
      help: '1 when the gateway holds a connection to the remote',
      labelNames: ['remote'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of remotes()) this.set({ remote: r.name }, r.client.status === 'connected' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ovsdb_web_monitors',
      help: 'OVSDB monitors held (one per database per remote)',
      registers: [this.registry],
      collect() {
        let n = 0;
        for (const r of remotes()) n += r.databases().length;
        this.set(n);
      },
    });
    new Gauge({
      name: 'ovsdb_web_cached_rows',
      help: 'Rows in the monitor cache',
      labelNames: ['remote', 'db', 'table'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of remotes()) {
          for (const db of r.databases()) {
            const feed = r.findFeed(db);
            for (const table of feed?.tableNames() ?? [])
              this.set({ remote: r.name, db, table }, feed?.size(table) ?? 0);
          }
        }
      },
    });
    new Counter({
      name: 'ovsdb_web_row_updates_total',
      help: 'Row changes received from OVSDB monitors (rate() gives updates/s)',
      labelNames: ['remote', 'db'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of remotes())
          for (const db of r.databases()) this.inc({ remote: r.name, db }, r.findFeed(db)?.updates ?? 0);
      },
    });
  }
}
