/**
 * One browser's WebSocket: its subscriptions, the coalescing of deltas into small time windows, status
 * pushes for dashboards, and backpressure. The gateway never buffers without bound for a slow client: once
 * the socket's `bufferedAmount` passes the limit, pending deltas are dropped and the client is told to expect a
 * resync, which is sent as a fresh snapshot when the socket drains; a client that stays stalled is cut.
 *
 * Nothing a client sends can throw out of here: every message is parsed strictly and every failure is
 * answered with an `error` message on the same connection.
 */
import type { WebSocket } from '@fastify/websocket';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseStats, RemoteStatus } from '@ovsdb-web/protocol';
import {
  encodeDelta,
  encodeServerMessage,
  encodeSnapshot,
  parseClientMessage,
  ProtocolViolation,
  type ServerMessage,
  type SubscribeMessage,
} from '@ovsdb-web/protocol';
import type { Feed, FeedEntry } from '../feeds/feed.js';
import type { Principal } from '../plugins/auth.js';
import type { Metrics } from '../plugins/metrics.js';
import { ApiError, toApiError } from '../plugins/errors.js';
import { Subscription } from './subscription.js';

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
  /** How often a status subscription is refreshed. */
  statusIntervalMs: number;
  /** The longest a `holdSnapshot` subscription waits for `snapshot-continue` before the rest comes anyway. */
  snapshotHoldMs: number;
}

export const DEFAULT_LIMITS: StreamLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  resumeBelowBytes: 256 * 1024,
  coalesceMs: 20,
  snapshotChunkRows: 500,
  stallTimeoutMs: 30_000,
  heartbeatMs: 15_000,
  maxSubscriptions: 64,
  statusIntervalMs: 2_000,
  snapshotHoldMs: 3_000,
};

/** What a session needs from the gateway: feeds by name (or why there is none) and status for dashboards. */
export interface StreamHost {
  /** The feed, or an `ApiError` saying why not (no such remote: not_found; not connected: unavailable). */
  feed(remote: string, db: string): Feed;
  status(): { remotes: RemoteStatus[]; databases: DatabaseStats[] };
}

export class StreamSession {
  private readonly subs = new Map<string, Subscription>();
  private readonly statusSubs = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private stalledSince: number | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private alive = true;
  private closed = false;
  /** The snapshot being sent per subscription (see `sendSnapshot`). */
  private readonly snapshots = new WeakMap<Subscription, object>();
  /** Receive time of the newest batch queued, stamped on the next delta. */
  private lastBatchTime = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly principal: Principal,
    private readonly host: StreamHost,
    private readonly metrics: Metrics,
    private readonly limits: StreamLimits,
    private readonly log: FastifyBaseLogger,
  ) {
    metrics.wsClients.inc();
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.sendError(undefined, new ProtocolViolation('binary frames are not part of this protocol'));
        return;
      }
      this.onMessage(
        Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Buffer.from(new Uint8Array(data)).toString('utf8'),
      );
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
    let lastBeat = Date.now();
    this.heartbeat = setInterval(() => {
      // Fired late (this process was stalled: a long garbage collection, a starved CPU), the pong may be
      // waiting unread in the socket: ping again rather than cut a client for the gateway's own pause.
      const late = Date.now() - lastBeat > 1.5 * limits.heartbeatMs;
      lastBeat = Date.now();
      if (!this.alive && !late) {
        this.log.info({ user: principal.name }, 'websocket client missed a heartbeat; closing');
        this.ws.terminate();
        return;
      }
      this.alive = false;
      this.ws.ping();
    }, limits.heartbeatMs);
  }

  get subscriptionCount(): number {
    return this.subs.size + this.statusSubs.size;
  }

  private onMessage(text: string): void {
    let id: string | undefined;
    try {
      const msg = parseClientMessage(text);
      id = msg.type === 'ping' ? undefined : msg.id;
      switch (msg.type) {
        case 'ping':
          this.send(msg.data === undefined ? { type: 'pong' } : { type: 'pong', data: msg.data });
          return;
        case 'unsubscribe': {
          const sub = this.subs.get(msg.id);
          sub?.unsubscribe?.();
          sub?.endHold?.();
          this.subs.delete(msg.id);
          this.statusSubs.delete(msg.id);
          if (this.statusSubs.size === 0) clearInterval(this.statusTimer);
          return;
        }
        case 'subscribe-status':
          this.checkNewId(msg.id);
          this.statusSubs.add(msg.id);
          this.sendStatus(msg.id);
          this.statusTimer ??= setInterval(() => {
            for (const s of this.statusSubs) this.sendStatus(s);
          }, this.limits.statusIntervalMs);
          return;
        case 'subscribe':
          this.subscribe(msg);
          return;
        case 'snapshot-continue': {
          const sub = this.subs.get(msg.id);
          if (!sub) throw new ApiError('not_found', `no subscription ${JSON.stringify(msg.id)} on this connection`);
          // Nothing held (any more: the hold may have timed out, or the snapshot was short): nothing to do.
          sub.endHold?.();
          return;
        }
      }
    } catch (err) {
      this.sendError(err instanceof ProtocolViolation ? (err.id ?? id) : id, err);
    }
  }

  private sendError(id: string | undefined, err: unknown): void {
    const api = toApiError(err, this.log);
    this.send(id === undefined ? { type: 'error', error: api.toInfo() } : { type: 'error', id, error: api.toInfo() });
  }

  private checkNewId(id: string): void {
    if (this.subs.has(id) || this.statusSubs.has(id))
      throw new ApiError('conflict', `subscription id ${JSON.stringify(id)} is already in use`);
    if (this.subscriptionCount >= this.limits.maxSubscriptions)
      throw new ApiError('too_many', `at most ${this.limits.maxSubscriptions} subscriptions per connection`);
  }

  private sendStatus(id: string): void {
    const { remotes, databases } = this.host.status();
    this.send({ type: 'status', id, remotes, databases });
  }

  private subscribe(msg: SubscribeMessage): void {
    this.checkNewId(msg.id);
    const feed = this.host.feed(msg.remote, msg.db);
    const sub = new Subscription(msg.id, feed, msg);
    const tables = [...sub.tables];
    this.subs.set(msg.id, sub);
    sub.unsubscribe = feed.subscribe((entry) => this.onFeed(sub, entry));

    const replay = msg.since?.epoch === feed.epoch ? feed.since(msg.since.seq) : undefined;
    if (replay && msg.since) {
      sub.seq = msg.since.seq;
      this.send({ type: 'subscribed', id: msg.id, epoch: feed.epoch, seq: feed.seq, resumed: true, tables });
      for (const e of replay) this.onFeed(sub, e);
      this.scheduleFlush();
      return;
    }
    this.send({ type: 'subscribed', id: msg.id, epoch: feed.epoch, seq: feed.seq, resumed: false, tables });
    if (sub.withSnapshot) void this.sendSnapshot(sub);
    else sub.seq = feed.seq;
  }

  private onFeed(sub: Subscription, entry: FeedEntry): void {
    if (entry.seq <= sub.seq) return;
    for (const c of entry.batch.changes) sub.add(c);
    if (entry.batch.resync) sub.pendingResync = true;
    sub.seq = Math.max(sub.seq, entry.seq);
    this.lastBatchTime = Math.max(this.lastBatchTime, entry.time);
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
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.stall();
      return;
    }
    for (const sub of this.subs.values()) {
      if (sub.snapshotting) continue;
      const { changes, resync } = sub.take();
      if (changes.length === 0) continue;
      this.sendText(
        encodeDelta(
          {
            id: sub.id,
            epoch: sub.feed.epoch,
            seq: sub.seq,
            time: this.lastBatchTime,
            ...(resync ? { resync: true } : {}),
          },
          changes,
        ),
      );
    }
  }

  /** Too much is queued for this client: drop what is pending and resync it once it drains. */
  private stall(): void {
    if (this.stalledSince !== undefined) return;
    this.stalledSince = Date.now();
    this.metrics.resyncs.inc();
    this.log.warn(
      { user: this.principal.name, bufferedBytes: this.ws.bufferedAmount },
      'websocket client is too slow; dropping its deltas until it drains',
    );
    for (const sub of this.subs.values()) sub.drop();
    this.drainTimer = setInterval(() => {
      if (this.closed) return;
      if (this.ws.bufferedAmount <= this.limits.resumeBelowBytes) {
        clearInterval(this.drainTimer);
        this.drainTimer = undefined;
        this.stalledSince = undefined;
        for (const sub of this.subs.values()) {
          this.send({ type: 'resync', id: sub.id, reason: 'the client fell behind; a fresh snapshot follows' });
          if (sub.withSnapshot) void this.sendSnapshot(sub);
          else sub.seq = sub.feed.seq;
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
    // A fresh snapshot (after a resync) supersedes one still being sent: two of one subscription interleaved
    // on the wire would leave the browser with the older rows and without the changes in between.
    const run = {};
    this.snapshots.set(sub, run);
    sub.endHold?.();
    sub.snapshotting = true;
    sub.drop();
    // Rows are immutable snapshots: capturing the arrays now gives a consistent state at this seq.
    const seq = sub.feed.seq;
    sub.seq = seq;
    const captured = [...sub.tables].flatMap((t) => {
      const schema = sub.feed.table(t);
      return schema ? [{ schema, rows: sub.feed.rows(t).filter((r) => sub.matches(t, r)) }] : [];
    });
    const chunk = this.limits.snapshotChunkRows;
    try {
      for (const [ti, { schema, rows }] of captured.entries()) {
        for (let i = 0; i < rows.length || i === 0; i += chunk) {
          await this.waitForRoom();
          // Closed, unsubscribed (perhaps subscribed again under the same id), or superseded.
          if (this.closed || this.subs.get(sub.id) !== sub || this.snapshots.get(sub) !== run) return;
          const part = rows.slice(i, i + chunk).map((r) => sub.rowJson(schema, r));
          const last = ti === captured.length - 1 && i + chunk >= rows.length;
          this.sendText(encodeSnapshot({ id: sub.id, epoch: sub.feed.epoch, seq, table: schema.name, last }, part));
          if (sub.holdSnapshot && !last) await this.hold(sub);
          if (rows.length === 0) break;
        }
      }
    } catch (err) {
      this.sendError(sub.id, err);
    } finally {
      if (this.snapshots.get(sub) === run) sub.snapshotting = false;
    }
    this.scheduleFlush();
  }

  /** Waits for `snapshot-continue` (or the limit); a subscription's snapshot is held once, its first. */
  private hold(sub: Subscription): Promise<void> {
    sub.holdSnapshot = false;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => sub.endHold?.(), this.limits.snapshotHoldMs);
      sub.endHold = () => {
        clearTimeout(timer);
        sub.endHold = undefined;
        resolve();
      };
    });
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
    // Yield to the event loop between chunks even when there is room: otherwise every snapshot in progress
    // runs to its end in one go (the kernel takes megabytes per socket), and 200 of them at once held off
    // timers, pongs and REST requests for seconds (node bench/run.mjs load, event-loop lag).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private send(msg: ServerMessage): void {
    this.sendText(encodeServerMessage(msg));
  }

  private sendText(text: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text);
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
    clearInterval(this.statusTimer);
    clearTimeout(this.flushTimer);
    for (const sub of this.subs.values()) {
      sub.unsubscribe?.();
      sub.endHold?.();
    }
    this.subs.clear();
    this.statusSubs.clear();
  }
}
