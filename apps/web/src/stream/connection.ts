/**
 * The tab's one WebSocket to the gateway: subscriptions multiplexed on it, a heartbeat, reconnects with
 * backoff and jitter, and resumption — after a reconnect every subscription is made again with `since` set to
 * the last batch it applied, so the gateway sends only what was missed (or a fresh snapshot when it no
 * longer has it). Each subscription's rows and cursor live in the protocol's reducer state; this file only
 * moves messages. No DOM: it runs in a worker, and in tests over the `ws` package.
 */
import {
  STREAM_PROTOCOL,
  STREAM_TOKEN_PREFIX,
  applyServerMessage,
  createSubscriptionState,
  encodeClientMessage,
  parseServerMessage,
  type Applied,
  type ClientMessage,
  type DatabaseStats,
  type RemoteStatus,
  type SubscribeMessage,
  type SubscriptionState,
} from '@ovsdb-web/protocol';

/** The part of a WebSocket this needs; the browser's and `ws`'s both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'auth-failed' | 'closed';

export interface ConnectionOptions {
  url: string;
  token?: string | undefined;
  createSocket: (url: string, protocols: string[]) => SocketLike;
  /** Asked after a failed open: is the token the problem? (the browser hides the upgrade's status) */
  checkAuth?: () => Promise<'ok' | 'unauthorized' | 'unreachable'>;
  heartbeatMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  random?: () => number;
}

export interface SubscriptionHandle {
  readonly id: string;
  readonly state: SubscriptionState;
  /** Ask again (after an `unavailable` error: the remote may be back). */
  retry(): void;
  /** The rest of a snapshot subscribed with `holdSnapshot`; a subscription made again later is not held. */
  continueSnapshot(): void;
  /**
   * Whether this subscription's rows may hold integers beyond ±(2^53 − 1) (true until said otherwise). The
   * connection looks through a message's text for such numbers, to keep them exact, only while some
   * subscription may have them.
   */
  setBigIntegers(may: boolean): void;
  close(): void;
}

type Listener = (applied: Applied, state: SubscriptionState) => void;
type StatusListener = (remotes: RemoteStatus[], databases: DatabaseStats[]) => void;

interface Sub {
  /** As it is sent (again, after a reconnect). */
  request: Omit<SubscribeMessage, 'type' | 'id' | 'since'>;
  state: SubscriptionState;
  listener: Listener;
  bigIntegers: boolean;
}

export class StreamConnection {
  private socket: SocketLike | undefined;
  private readonly subs = new Map<string, Sub>();
  private readonly statusSubs = new Map<string, StatusListener>();
  private nextId = 1;
  private attempt = 0;
  private retryTimer: unknown;
  private heartbeatTimer: unknown;
  private lastHeard = 0;
  private stateValue: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(s: ConnectionState, detail?: string) => void>();
  private stopped = false;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly opts: ConnectionOptions) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    this.open();
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  onState(listener: (s: ConnectionState, detail?: string) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(s: ConnectionState, detail?: string): void {
    if (s === this.stateValue && detail === undefined) return;
    this.stateValue = s;
    for (const l of this.stateListeners) l(s, detail);
  }

  subscribe(request: Omit<SubscribeMessage, 'type' | 'id' | 'since'>, listener: Listener): SubscriptionHandle {
    const id = `s${this.nextId++}`;
    const state = createSubscriptionState(id, { snapshot: request.snapshot !== false });
    const entry: Sub = { request, state, listener, bigIntegers: true };
    this.subs.set(id, entry);
    this.sendSubscribe(id);
    return {
      id,
      state,
      retry: () => {
        if (!this.subs.has(id)) return;
        state.phase = 'subscribing';
        this.sendSubscribe(id);
      },
      continueSnapshot: () => {
        const sub = this.subs.get(id);
        if (!sub?.request.holdSnapshot) return;
        const { holdSnapshot: _held, ...rest } = sub.request;
        sub.request = rest;
        // A snapshot already complete (it fit in one chunk) has nothing held.
        if (sub.state.phase !== 'live') this.send({ type: 'snapshot-continue', id });
      },
      setBigIntegers: (may) => {
        entry.bigIntegers = may;
      },
      close: () => {
        if (!this.subs.delete(id)) return;
        this.send({ type: 'unsubscribe', id });
      },
    };
  }

  watchStatus(listener: StatusListener): () => void {
    const id = `st${this.nextId++}`;
    this.statusSubs.set(id, listener);
    this.send({ type: 'subscribe-status', id });
    return () => {
      if (this.statusSubs.delete(id)) this.send({ type: 'unsubscribe', id });
    };
  }

  close(): void {
    this.stopped = true;
    this.clearTimer(this.retryTimer);
    this.clearTimer(this.heartbeatTimer);
    this.socket?.close(1000, 'closed by the page');
    this.setState('closed');
  }

  private sendSubscribe(id: string): void {
    const sub = this.subs.get(id);
    if (!sub) return;
    const since = sub.state.cursor;
    this.send({ type: 'subscribe', id, ...sub.request, ...(since ? { since } : {}) });
  }

  private send(msg: ClientMessage): void {
    // Sent on (re)open for everything subscribed, so a message while down is not lost, only deferred.
    if (this.socket?.readyState === 1) this.socket.send(encodeClientMessage(msg));
  }

  private open(): void {
    if (this.stopped) return;
    const protocols = [STREAM_PROTOCOL, ...(this.opts.token ? [`${STREAM_TOKEN_PREFIX}${this.opts.token}`] : [])];
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url, protocols);
    } catch (err) {
      this.scheduleRetry(err instanceof Error ? err.message : String(err));
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.setState('live');
      for (const id of this.subs.keys()) this.sendSubscribe(id);
      for (const id of this.statusSubs.keys()) this.send({ type: 'subscribe-status', id });
      this.startHeartbeat();
    };
    socket.onmessage = (ev) => {
      this.lastHeard = Date.now();
      if (typeof ev.data === 'string') this.onText(ev.data);
    };
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.clearTimer(this.heartbeatTimer);
      if (this.stopped) return;
      const why = ev.reason || (opened ? `connection closed (${ev.code})` : 'cannot reach the gateway');
      if (!opened && this.opts.checkAuth) {
        void this.opts.checkAuth().then((verdict) => {
          if (verdict === 'unauthorized') {
            this.setState('auth-failed', 'the gateway refused the token');
            return;
          }
          this.scheduleRetry(why);
        });
        return;
      }
      this.scheduleRetry(why);
    };
  }

  private scheduleRetry(why: string): void {
    if (this.stopped) return;
    this.setState('reconnecting', why);
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 250, maxMs: 8_000 };
    const base = Math.min(maxMs, initialMs * 2 ** this.attempt);
    this.attempt++;
    // Full jitter: many tabs that lost one gateway do not come back in one wave.
    const delay = base / 2 + (this.opts.random ?? Math.random)() * (base / 2);
    this.retryTimer = this.setTimer(() => this.open(), delay);
  }

  private startHeartbeat(): void {
    const every = this.opts.heartbeatMs ?? 15_000;
    const beat = (): void => {
      if (!this.socket) return;
      if (Date.now() - this.lastHeard > 2 * every) {
        // Nothing heard for two beats: the connection is dead even if the socket has not noticed.
        const s = this.socket;
        this.socket = undefined;
        s.close(4000, 'heartbeat lost');
        this.scheduleRetry('no answer from the gateway');
        return;
      }
      this.send({ type: 'ping' });
      this.heartbeatTimer = this.setTimer(beat, every);
    };
    this.heartbeatTimer = this.setTimer(beat, every);
  }

  private mayHoldBigIntegers(): boolean {
    for (const s of this.subs.values()) if (s.bigIntegers) return true;
    return false;
  }

  private onText(text: string): void {
    let msg;
    try {
      msg = parseServerMessage(text, { bigIntegers: this.mayHoldBigIntegers() });
    } catch {
      return; // a message this page cannot read changes nothing it shows
    }
    if (msg.type === 'status') {
      this.statusSubs.get(msg.id)?.(msg.remotes, msg.databases);
      return;
    }
    if (msg.type === 'pong') return;
    if (msg.id === undefined) return;
    const sub = this.subs.get(msg.id);
    if (!sub) return;
    sub.listener(applyServerMessage(sub.state, msg), sub.state);
  }
}
