/**
 * One browser's WebSocket: its subscriptions, the coalescing of deltas into small time windows, and
 * backpressure. The gateway never buffers without bound for a slow client: once the socket's
 * `bufferedAmount` passes the limit, pending deltas are dropped and the client is told to expect a
 * resync, which is sent as a fresh snapshot when the socket drains; a client that stays stalled is cut.
 */
import type { WebSocket } from 'ws';
import {
  OvsdbError,
  evaluateConditions,
  parseConditions,
  stringifyJson,
  type ParsedCondition,
  type Json,
  type Row,
  type RowChange,
  type TableSchema,
} from '@ovsdb-web/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Feed, FeedEntry } from '../remotes.js';
import type { Principal } from '../auth.js';
import type { Metrics } from '../metrics.js';
import { parseClientMessage, ProtocolViolation, type ServerMessage, type SubscribeMessage } from './protocol.js';

/** A delta waiting to be sent; the row is already JSON text, shared by every client that sends it. */
interface PendingDelta {
  table: string;
  uuid: string;
  kind: 'insert' | 'modify' | 'delete';
  rowJson?: string;
  columns?: string[];
}

export interface StreamLimits {
  /** Above this many bytes queued on the socket the client is considered stalled. */
  maxBufferedBytes: number;
  /** A stalled client is resynchronised once its queue is below this. */
  resumeBelowBytes: number;
  /** Deltas that arrive within this window go out as one message. */
  coalesceMs: number;
  snapshotChunkRows: number;
  /** A client stalled this long is disconnected. */
  stallTimeoutMs: number;
  /** WebSocket ping interval; a client that misses a pong by the next ping is disconnected. */
  heartbeatMs: number;
  maxSubscriptions: number;
}

export const DEFAULT_LIMITS: StreamLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  resumeBelowBytes: 256 * 1024,
  coalesceMs: 20,
  snapshotChunkRows: 500,
  stallTimeoutMs: 30_000,
  heartbeatMs: 15_000,
  maxSubscriptions: 64,
};

export interface FeedLookup {
  feed(remote: string, db: string): Feed | undefined;
  describe(remote: string): string | undefined;
}

class Subscription {
  readonly tables: Set<string>;
  readonly filters = new Map<string, readonly ParsedCondition[]>();
  readonly columns = new Map<string, ReadonlySet<string>>();
  /** Coalesced changes not yet sent, by `table/uuid`. */
  pending = new Map<string, PendingDelta>();
  private readonly columnsKey = new Map<string, string>();
  pendingResync = false;
  /** The feed seq the client will be at once everything sent so far is applied. */
  seq = 0;
  snapshotting = false;
  unsubscribe: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly feed: Feed,
    tables: readonly string[],
  ) {
    this.tables = new Set(tables);
  }

  matches(table: string, row: Row | undefined): boolean {
    if (!row) return false;
    const f = this.filters.get(table);
    return !f || evaluateConditions(f, row, 'all');
  }

  /** The row as JSON text, projected to the subscribed columns; encoded once per row version and projection. */
  rowJson(table: TableSchema, row: Row): string {
    const cols = this.columns.get(table.name);
    if (!cols) return this.feed.json(table, row);
    let key = this.columnsKey.get(table.name);
    if (key === undefined) this.columnsKey.set(table.name, (key = [...cols].sort().join(',')));
    return this.feed.json(table, row, cols, key);
  }

  /** Fold one cache change into the pending set, as seen through this subscription's filter. */
  add(change: RowChange): void {
    if (!this.tables.has(change.table)) return;
    const table = this.feed.table(change.table);
    if (!table) return;
    const was = this.matches(change.table, change.old);
    const is = this.matches(change.table, change.new);
    let delta: PendingDelta;
    if (!was && !is) return;
    if (!was) delta = { table: change.table, uuid: change.uuid, kind: 'insert', rowJson: this.rowJson(table, change.new as Row) };
    else if (!is) delta = { table: change.table, uuid: change.uuid, kind: 'delete' };
    else {
      const cols = this.columns.get(change.table);
      const changed = (change.columns ?? []).filter((c) => !cols || cols.has(c));
      if (change.columns && changed.length === 0) return; // only columns this client did not ask for
      delta = { table: change.table, uuid: change.uuid, kind: 'modify', rowJson: this.rowJson(table, change.new as Row), columns: changed };
    }
    const key = `${change.table}/${change.uuid}`;
    const prev = this.pending.get(key);
    if (!prev) {
      this.pending.set(key, delta);
      return;
    }
    if (prev.kind === 'insert') {
      if (delta.kind === 'delete') this.pending.delete(key);
      else this.pending.set(key, { table: delta.table, uuid: delta.uuid, kind: 'insert', ...(delta.rowJson ? { rowJson: delta.rowJson } : {}) });
    } else if (prev.kind === 'modify' && delta.kind === 'modify') {
      const columns = [...new Set([...(prev.columns ?? []), ...(delta.columns ?? [])])];
      this.pending.set(key, { ...delta, columns });
    } else {
      // delete after modify stays a delete; insert after delete replaces the row the client holds.
      this.pending.set(key, delta.kind === 'insert' ? delta : { ...delta });
    }
    // Map order is first-insertion order; a re-set key keeps its place, which keeps per-row order.
  }
}

export class StreamSession {
  private readonly subs = new Map<string, Subscription>();
  private flushTimer: NodeJS.Timeout | undefined;
  private stalledSince: number | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private alive = true;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly principal: Principal,
    private readonly feeds: FeedLookup,
    private readonly metrics: Metrics,
    private readonly limits: StreamLimits,
    private readonly log: FastifyBaseLogger,
  ) {
    metrics.wsClients.inc();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.fail('binary frames are not part of this protocol');
      this.onMessage(data.toString());
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        this.log.info({ user: principal.name }, 'websocket client missed a heartbeat; closing');
        this.ws.terminate();
        return;
      }
      this.alive = false;
      this.ws.ping();
    }, limits.heartbeatMs);
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  private onMessage(text: string): void {
    let msg;
    try {
      msg = parseClientMessage(text);
    } catch (err) {
      if (err instanceof ProtocolViolation) return this.send({ type: 'error', error: { code: 'bad_message', message: err.message } });
      throw err;
    }
    switch (msg.type) {
      case 'ping':
        return this.send(msg.data === undefined ? { type: 'pong' } : { type: 'pong', data: msg.data });
      case 'unsubscribe': {
        const sub = this.subs.get(msg.id);
        sub?.unsubscribe?.();
        this.subs.delete(msg.id);
        return;
      }
      case 'subscribe':
        try {
          this.subscribe(msg);
        } catch (err) {
          const e = err as Error & { code?: string };
          const code = e.code ?? (err instanceof OvsdbError ? 'bad_request' : 'internal');
          this.send({ type: 'error', id: msg.id, error: { code, message: e.message } });
        }
        return;
    }
  }

  private subscribe(msg: SubscribeMessage): void {
    if (this.subs.has(msg.id)) throw withCode(new Error(`subscription id ${JSON.stringify(msg.id)} is already in use`), 'conflict');
    if (this.subs.size >= this.limits.maxSubscriptions) throw withCode(new Error(`at most ${this.limits.maxSubscriptions} subscriptions per connection`), 'too_many');
    const feed = this.feeds.feed(msg.remote, msg.db);
    if (!feed) {
      const why = this.feeds.describe(msg.remote);
      throw withCode(new Error(why ?? `no remote named ${msg.remote}`), why ? 'unavailable' : 'not_found');
    }
    const available = [...feed.monitor.cache.tables.keys()];
    const tables = msg.tables && msg.tables.length > 0 ? msg.tables : available;
    for (const t of tables) if (!feed.monitor.cache.tables.has(t)) throw withCode(new Error(`table ${t} is not monitored in ${msg.db} (monitored: ${available.join(', ')})`), 'not_found');
    const sub = new Subscription(msg.id, feed, tables);
    for (const [t, where] of Object.entries(msg.where ?? {})) {
      const schema = feed.table(t);
      if (!schema || !sub.tables.has(t)) throw withCode(new Error(`where names table ${t}, which this subscription does not include`), 'bad_request');
      sub.filters.set(t, parseConditions(schema, where as Json));
    }
    for (const [t, cols] of Object.entries(msg.columns ?? {})) {
      const schema = feed.table(t);
      if (!schema || !sub.tables.has(t)) throw withCode(new Error(`columns names table ${t}, which this subscription does not include`), 'bad_request');
      for (const c of cols) if (!schema.columns.has(c) && c !== '_uuid' && c !== '_version') throw withCode(new Error(`no column ${c} in table ${t}`), 'bad_request');
      sub.columns.set(t, new Set(cols));
    }
    this.subs.set(msg.id, sub);
    sub.unsubscribe = feed.subscribe((entry) => this.onFeed(sub, entry));

    const replay = msg.since && msg.since.epoch === feed.epoch ? feed.since(msg.since.seq) : undefined;
    if (replay && msg.since) {
      sub.seq = msg.since.seq;
      this.send({ type: 'subscribed', id: msg.id, epoch: feed.epoch, seq: feed.seq, resumed: true, tables });
      for (const e of replay) this.onFeed(sub, e);
      this.scheduleFlush();
      return;
    }
    this.send({ type: 'subscribed', id: msg.id, epoch: feed.epoch, seq: feed.seq, resumed: false, tables });
    void this.sendSnapshot(sub);
  }

  private onFeed(sub: Subscription, entry: FeedEntry): void {
    if (entry.seq <= sub.seq) return;
    for (const c of entry.batch.changes) sub.add(c);
    if (entry.batch.resync) sub.pendingResync = true;
    sub.seq = Math.max(sub.seq, entry.seq);
    if (!sub.snapshotting && this.stalledSince === undefined) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.limits.coalesceMs);
  }

  private flush(): void {
    if (this.closed || this.stalledSince !== undefined) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) return this.stall();
    for (const sub of this.subs.values()) {
      if (sub.snapshotting || (sub.pending.size === 0 && !sub.pendingResync)) continue;
      const changes = [...sub.pending.values()];
      const resync = sub.pendingResync;
      sub.pending = new Map();
      sub.pendingResync = false;
      if (changes.length === 0) continue;
      // Built as text: the rows are already JSON, and re-serialising them per client is what would cost.
      const parts = changes.map(
        (c) =>
          `{"table":${JSON.stringify(c.table)},"uuid":"${c.uuid}","kind":"${c.kind}"${c.rowJson ? `,"row":${c.rowJson}` : ''}${c.columns ? `,"columns":${JSON.stringify(c.columns)}` : ''}}`,
      );
      this.sendText(`{"type":"delta","id":${JSON.stringify(sub.id)},"epoch":"${sub.feed.epoch}","seq":${sub.seq}${resync ? ',"resync":true' : ''},"changes":[${parts.join(',')}]}`);
    }
  }

  /** Too much is queued for this client: drop what is pending and resync it once it drains. */
  private stall(): void {
    if (this.stalledSince !== undefined) return;
    this.stalledSince = Date.now();
    this.metrics.resyncs.inc();
    this.log.warn({ user: this.principal.name, bufferedBytes: this.ws.bufferedAmount }, 'websocket client is too slow; dropping its deltas until it drains');
    for (const sub of this.subs.values()) {
      sub.pending = new Map();
      sub.pendingResync = false;
    }
    this.drainTimer = setInterval(() => {
      if (this.closed) return;
      if (this.ws.bufferedAmount <= this.limits.resumeBelowBytes) {
        clearInterval(this.drainTimer);
        this.drainTimer = undefined;
        this.stalledSince = undefined;
        for (const sub of this.subs.values()) {
          this.send({ type: 'resync', id: sub.id, reason: 'the client fell behind; a fresh snapshot follows' });
          void this.sendSnapshot(sub);
        }
      } else if (Date.now() - (this.stalledSince ?? 0) > this.limits.stallTimeoutMs) {
        this.metrics.droppedClients.inc();
        this.log.warn({ user: this.principal.name }, 'websocket client stalled too long; disconnecting');
        this.ws.terminate();
        this.dispose();
      }
    }, 100);
  }

  private async sendSnapshot(sub: Subscription): Promise<void> {
    sub.snapshotting = true;
    sub.pending = new Map();
    sub.pendingResync = false;
    // Rows are immutable snapshots: capturing the arrays now gives a consistent state at this seq.
    const seq = sub.feed.seq;
    sub.seq = seq;
    const captured = [...sub.tables].map((t) => {
      const cache = sub.feed.monitor.cache.table(t);
      return { table: cache.schema, rows: cache.rows().filter((r) => sub.matches(t, r)) };
    });
    const chunk = this.limits.snapshotChunkRows;
    try {
      for (const [ti, { table, rows }] of captured.entries()) {
        for (let i = 0; i < rows.length || i === 0; i += chunk) {
          if (this.closed || !this.subs.has(sub.id)) return;
          await this.waitForRoom();
          const part = rows.slice(i, i + chunk).map((r) => sub.rowJson(table, r));
          const last = ti === captured.length - 1 && i + chunk >= rows.length;
          this.sendText(`{"type":"snapshot","id":${JSON.stringify(sub.id)},"epoch":"${sub.feed.epoch}","seq":${seq},"table":${JSON.stringify(table.name)},"rows":[${part.join(',')}],"last":${last}}`);
          if (rows.length === 0) break;
        }
      }
    } finally {
      sub.snapshotting = false;
    }
    this.scheduleFlush();
  }

  private async waitForRoom(): Promise<void> {
    const start = Date.now();
    while (this.ws.bufferedAmount > this.limits.maxBufferedBytes && !this.closed) {
      if (Date.now() - start > this.limits.stallTimeoutMs) {
        this.metrics.droppedClients.inc();
        this.ws.terminate();
        this.dispose();
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private send(msg: ServerMessage): void {
    this.sendText(stringifyJson(msg as unknown as Json));
  }

  private sendText(text: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text);
  }

  private fail(message: string): void {
    this.send({ type: 'error', error: { code: 'bad_message', message } });
  }

  /** Close with a reason (graceful shutdown). */
  close(code = 1001, reason = 'gateway shutting down'): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.metrics.wsClients.dec();
    clearInterval(this.heartbeat);
    clearInterval(this.drainTimer);
    clearTimeout(this.flushTimer);
    for (const sub of this.subs.values()) sub.unsubscribe?.();
    this.subs.clear();
  }
}

function withCode(err: Error, code: string): Error {
  (err as Error & { code: string }).code = code;
  return err;
}
