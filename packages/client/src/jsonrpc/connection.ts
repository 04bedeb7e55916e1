/**
 * JSON-RPC 1.0 session over one byte stream: correlates replies with requests, routes notifications and
 * server-initiated requests, answers ovsdb-server's `echo` keepalive, and turns every way the stream can
 * end into one `DisconnectedError`.
 *
 * Ordering guarantee. ovsdb-server sends the updates caused by a request *before* that request's reply
 * (e.g. a monitor_cond_change's update2, or the update for one's own transact), and clients rely on seeing
 * them in that order. Incoming messages therefore go through a single FIFO dispatch queue:
 *  - notifications and server requests run their handlers synchronously when dequeued, so anything that
 *    arrived before a reply has been handled before that reply's promise even settles;
 *  - after settling a reply, dispatch yields to a `setImmediate` before dequeuing the next message. The
 *    microtask queue is fully drained before any macrotask, so the code awaiting the reply (and whatever
 *    purely promise-chained work it starts) runs before the next notification's handlers. Without this a
 *    notification that *follows* a reply in the same TCP read would overtake the reply's continuation.
 *  - the end of the stream is queued too, so replies received just before a close are still delivered.
 */
import type { Duplex } from 'node:stream';
import type { Json, JsonObject } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { DisconnectedError, ProtocolError, ReplyLostError, RpcError, UnexpectedReplyError } from './errors.js';
import { classifyMessage, type IncomingMessage } from './messages.js';
import { MessageReader, type MessageReaderOptions } from './reader.js';
import { MessageWriter } from './writer.js';

export interface Disposable {
  dispose(): void;
}

export interface RpcConnectionOptions extends MessageReaderOptions {
  /** How the peer is named in errors, normally `formatRemote(remote)`. */
  remote?: string;
  /** Clock for `lastActivity`; injectable so probes can be tested without waiting. */
  now?: () => number;
}

export interface RequestOptions {
  /**
   * Aborting rejects the promise with `signal.reason` and forgets the request; a reply that still arrives
   * later is dropped quietly. Nothing is sent to the server by default: OVSDB's `cancel` only applies to
   * some requests and has its own reply rules, so that decision is left to `onAbort`.
   */
  signal?: AbortSignal;
  /**
   * Runs when `signal` aborts a request that was already sent (not one aborted before sending), with the
   * request's id, e.g. to `notify('cancel', [id])`. It runs before the promise rejects.
   */
  onAbort?: (id: number) => void;
}

export type NotificationHandler = (params: Json[]) => void;
export type AnyNotificationHandler = (method: string, params: Json[]) => void;
/** Return the result, or throw (or reject with) an `OvsdbError` to send an error reply. */
export type RequestHandler = (params: Json[], id: Json) => Json | Promise<Json>;

interface Pending {
  method: string;
  resolve: (v: Json) => void;
  reject: (e: unknown) => void;
  detach: () => void;
}

type QueueItem = { msg: JsonObject } | { end: DisconnectedError };

const BUILTIN_REQUESTS: ReadonlyMap<string, RequestHandler> = new Map<string, RequestHandler>([
  // ovsdb-server probes idle TCP sessions with {"id":"echo","method":"echo","params":[]} and drops the
  // session if no reply comes within another probe interval.
  ['echo', (params) => params],
]);

export class RpcConnection {
  readonly remote: string | undefined;

  private readonly stream: Duplex;
  private readonly reader: MessageReader;
  private readonly writer: MessageWriter;
  private readonly now: () => number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Ids of aborted requests, so their late replies are not mistaken for protocol confusion. */
  private readonly abandoned = new Set<number>();

  private readonly notificationHandlers = new Map<string, Set<NotificationHandler>>();
  private readonly anyNotificationHandlers = new Set<AnyNotificationHandler>();
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly errorListeners = new Set<(err: Error) => void>();
  private readonly closeListeners = new Set<(err: DisconnectedError) => void>();

  /** Consumed slots are cleared so a long burst does not pin already-dispatched messages. */
  private queue: (QueueItem | undefined)[] = [];
  private queueHead = 0;
  private dispatching = false;
  private yielding = false;

  /** Set as soon as the end of the stream is known, even while earlier messages are still queued. */
  private ending: DisconnectedError | undefined;
  private closedWith: DisconnectedError | undefined;
  private lastActivityAt: number;
  private splitting = false;

  constructor(stream: Duplex, opts: RpcConnectionOptions = {}) {
    this.stream = stream;
    this.remote = opts.remote;
    this.now = opts.now ?? Date.now;
    this.lastActivityAt = this.now();
    this.writer = new MessageWriter(stream);
    this.reader = new MessageReader(
      (msg) => this.enqueue({ msg }),
      (err) => this.streamEnded(`protocol error: ${err.message}`, err),
      opts,
    );

    stream.on('data', (chunk: Buffer | string) => {
      this.lastActivityAt = this.now();
      // Split the whole chunk before dispatching, so dispatch can see what follows each reply.
      this.splitting = true;
      try {
        this.reader.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      } finally {
        this.splitting = false;
      }
      this.dispatch();
    });
    stream.on('end', () => {
      const partial = this.reader.partialBytes > 0 ? ' in the middle of a message' : '';
      this.streamEnded(`peer closed the connection${partial}`);
    });
    // Stays attached for the life of the stream: an 'error' with no listener would crash the process.
    stream.on('error', (err: Error) => this.streamEnded(err.message, err));
    stream.on('close', () => this.streamEnded('connection closed'));
  }

  /** Time (per `now`) the last bytes arrived, or when the connection was created if none have yet. */
  get lastActivity(): number {
    return this.lastActivityAt;
  }

  /** Outgoing bytes queued in the stream and not yet taken by the OS. */
  get bufferedBytes(): number {
    return this.writer.bufferedBytes;
  }

  get pendingRequests(): number {
    return this.pending.size;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Why the connection closed, once it has. */
  get closeError(): DisconnectedError | undefined {
    return this.closedWith;
  }

  /** Stop reading from the peer (TCP backpressure) until `resume`; replies and notifications wait too. */
  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** Resolves once the outgoing backlog is below the stream's high-water mark (or the stream closed). */
  drained(): Promise<void> {
    return this.writer.drained();
  }

  request(method: string, params: Json[], opts: RequestOptions = {}): Promise<Json> {
    const gone = this.closedWith ?? this.ending;
    if (gone) return Promise.reject(gone);
    const { signal } = opts;
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an aborted request rejects with the signal's reason, as fetch does
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    return new Promise<Json>((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      const detach = (): void => {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, { method, resolve, reject, detach });
      if (signal) {
        onAbort = () => {
          if (!this.pending.delete(id)) return;
          this.abandoned.add(id);
          if (opts.onAbort) this.guard(() => opts.onAbort?.(id));
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the signal's reason, as fetch does
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      try {
        this.writer.write({ method, params, id });
      } catch (err) {
        this.pending.delete(id);
        detach();
        reject(new DisconnectedError(this.remote, 'stream is closed', { cause: err }));
      }
    });
  }

  /** Send a notification (a request with a null id; no reply will come). */
  notify(method: string, params: Json[]): void {
    const gone = this.closedWith ?? this.ending;
    if (gone) throw gone;
    this.writer.write({ method, params, id: null });
  }

  /** Several handlers may share a method; they run in registration order. */
  onNotification(method: string, handler: NotificationHandler): Disposable {
    let set = this.notificationHandlers.get(method);
    if (!set) this.notificationHandlers.set(method, (set = new Set()));
    const handlers = set;
    handlers.add(handler);
    return {
      dispose: () => {
        handlers.delete(handler);
        if (handlers.size === 0 && this.notificationHandlers.get(method) === handlers) {
          this.notificationHandlers.delete(method);
        }
      },
    };
  }

  /** Sees every notification, after the method-specific handlers for it. */
  onAnyNotification(handler: AnyNotificationHandler): Disposable {
    this.anyNotificationHandlers.add(handler);
    return { dispose: () => void this.anyNotificationHandlers.delete(handler) };
  }

  /**
   * Answer server-to-client requests for `method`. One handler per method; registering `echo` replaces
   * the built-in reply until disposed. Requests for methods with no handler get an "unknown method" error,
   * which is what ovsdb-server itself answers.
   */
  onRequest(method: string, handler: RequestHandler): Disposable {
    this.requestHandlers.set(method, handler);
    return {
      dispose: () => {
        if (this.requestHandlers.get(method) === handler) this.requestHandlers.delete(method);
      },
    };
  }

  /**
   * Non-fatal trouble: replies with unknown ids, handlers that threw. Without listeners these are dropped;
   * the connection never throws them at the event loop.
   */
  onError(listener: (err: Error) => void): Disposable {
    this.errorListeners.add(listener);
    return { dispose: () => void this.errorListeners.delete(listener) };
  }

  /** Called once with the reason; if already closed, called on the next microtask. */
  onClose(listener: (err: DisconnectedError) => void): Disposable {
    const closed = this.closedWith;
    if (closed) {
      queueMicrotask(() => listener(closed));
      return { dispose: () => undefined };
    }
    this.closeListeners.add(listener);
    return { dispose: () => void this.closeListeners.delete(listener) };
  }

  /**
   * Close now: pending requests reject with "closed by client", queued incoming messages are discarded,
   * and whatever was already written is flushed before the socket shuts. Resolves when the stream is
   * closed.
   */
  close(reason = 'closed by client'): Promise<void> {
    const stream = this.stream;
    const closedPromise =
      stream.closed || stream.destroyed
        ? Promise.resolve()
        : new Promise<void>((resolve) => stream.once('close', () => resolve()));
    if (!this.closedWith) {
      this.finish(new DisconnectedError(this.remote, reason), false);
      if (!stream.destroyed) {
        stream.end(() => stream.destroy());
      }
    }
    return closedPromise;
  }

  // ---- inbound ------------------------------------------------------------------------------------

  private streamEnded(reason: string, cause?: unknown): void {
    if (this.ending || this.closedWith) return;
    this.ending = new DisconnectedError(this.remote, reason, cause === undefined ? undefined : { cause });
    // After a protocol error the rest of the stream is meaningless; stop reading it.
    if (cause instanceof ProtocolError && !this.stream.destroyed) this.stream.destroy();
    this.enqueue({ end: this.ending });
  }

  private enqueue(item: QueueItem): void {
    if (this.closedWith) return;
    this.queue.push(item);
    if (!this.splitting) this.dispatch();
  }

  private dispatch(): void {
    if (this.dispatching || this.yielding) return;
    this.dispatching = true;
    try {
      while (this.queueHead < this.queue.length && !this.closedWith) {
        const item = this.queue[this.queueHead];
        this.queue[this.queueHead++] = undefined;
        if (!item) continue;
        if ('end' in item) {
          this.finish(item.end, true);
          break;
        }
        if (this.handleMessage(item.msg) && this.nextIsNotReply()) {
          this.yielding = true;
          setImmediate(() => {
            this.yielding = false;
            this.dispatch();
          });
          break;
        }
      }
    } finally {
      this.dispatching = false;
      if (this.queueHead === this.queue.length) {
        this.queue = [];
        this.queueHead = 0;
      }
    }
  }

  /**
   * Yielding costs a macrotask turn, so only pay it when a queued message could overtake a reply's
   * continuation: a notification or request, or the end of the stream. Replies among themselves keep
   * their order through the microtask queue.
   */
  private nextIsNotReply(): boolean {
    const next = this.queue[this.queueHead];
    if (next === undefined) return false;
    return 'end' in next || typeof next.msg.method === 'string';
  }

  /** Returns true if a reply settled a request (dispatch must then yield). */
  private handleMessage(raw: JsonObject): boolean {
    let msg: IncomingMessage;
    try {
      msg = classifyMessage(raw);
    } catch (err) {
      const e = err as ProtocolError;
      this.streamEnded(`protocol error: ${e.message}`, e);
      // The end item was queued behind the rest; jump the queue since nothing after this is trustworthy.
      this.finish(this.ending as DisconnectedError, true);
      return false;
    }
    switch (msg.kind) {
      case 'notification':
        this.deliverNotification(msg.method, msg.params);
        return false;
      case 'request':
        this.answerRequest(msg.method, msg.params, msg.id);
        return false;
      case 'reply':
      case 'error':
        return this.settle(msg);
    }
  }

  private deliverNotification(method: string, params: Json[]): void {
    const specific = this.notificationHandlers.get(method);
    // Copies: a handler may dispose itself or others while we iterate.
    for (const h of specific ? [...specific] : []) this.guard(() => h(params));
    for (const h of [...this.anyNotificationHandlers]) this.guard(() => h(method, params));
  }

  private answerRequest(method: string, params: Json[], id: Json): void {
    const handler = this.requestHandlers.get(method) ?? BUILTIN_REQUESTS.get(method);
    if (!handler) {
      this.reply(id, null, 'unknown method');
      return;
    }
    let out: Json | Promise<Json>;
    try {
      out = handler(params, id);
    } catch (err) {
      this.reply(id, null, this.errorPayload(method, err));
      return;
    }
    if (out instanceof Promise) {
      out.then(
        (result) => this.reply(id, result, null),
        (err: unknown) => this.reply(id, null, this.errorPayload(method, err)),
      );
    } else {
      this.reply(id, out, null);
    }
  }

  private errorPayload(method: string, err: unknown): Json {
    if (err instanceof OvsdbError) {
      const o: JsonObject = { error: err.error };
      if (err.details !== undefined) o.details = err.details;
      if (err.syntax !== undefined) o.syntax = err.syntax;
      return o;
    }
    // Not an OVSDB-level failure: a bug in our handler. Tell the peer something, and tell the owner.
    this.emitError(err instanceof Error ? err : new Error(String(err)));
    return { error: 'internal error', details: `handler for ${method} failed` };
  }

  private reply(id: Json, result: Json, error: Json): void {
    if (this.closedWith || this.ending) return;
    try {
      this.writer.write({ id, result, error });
    } catch {
      // The stream went away; its own 'close' will end the connection.
    }
  }

  private settle(msg: Extract<IncomingMessage, { kind: 'reply' | 'error' }>): boolean {
    const key = typeof msg.id === 'number' ? msg.id : undefined;
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (key === undefined || !entry) {
      if (key !== undefined && this.abandoned.delete(key)) return false;
      this.emitError(new UnexpectedReplyError(msg.id));
      return false;
    }
    this.pending.delete(key);
    entry.detach();
    if (msg.kind === 'reply') entry.resolve(msg.result);
    else entry.reject(new RpcError(entry.method, msg.error));
    return true;
  }

  private finish(err: DisconnectedError, destroy: boolean): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.ending ??= err;
    this.queue = [];
    this.queueHead = 0;
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.abandoned.clear();
    for (const p of pending) {
      p.detach();
      p.reject(new ReplyLostError(p.method, err));
    }
    if (destroy && !this.stream.destroyed) this.stream.destroy();
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const l of listeners) this.guard(() => l(err));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.emitError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private emitError(err: Error): void {
    for (const l of [...this.errorListeners]) {
      try {
        l(err);
      } catch {
        // An error listener that throws has nowhere further to report to.
      }
    }
  }
}
