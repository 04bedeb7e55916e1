/**
 * The engine: everything the page shows, kept off the main thread. It holds the tab's stream connection, one
 * subscription per table that some view, row panel or label needs (shared), the views' indexes, row
 * watches, the dashboard status and change logs, and answers the page with small messages.
 *
 * It has no DOM and no React: the worker (`worker.ts`) runs it; tests run it directly against a real
 * gateway. Data flows one way: socket → reducer (protocol) → table rows → views → windows to the page.
 */
import {
  parseDatabaseSchema,
  parseJson,
  stringifyJson,
  type DatabaseSchema,
  type Json,
  type TableSchema,
  type WireDatum,
  type WireRow,
} from '@ovsdb-web/client/core';
import { TableRows, type Applied, type AppliedChange } from '@ovsdb-web/protocol';
import {
  StreamConnection,
  type ConnectionState,
  type SocketLike,
  type SubscriptionHandle,
} from '../stream/connection.js';
import { TableView, type ViewRow, type ViewSpec } from '../store/view.js';
import { mayHoldBigIntegers } from '../store/rows.js';
import { toCsv } from '../store/export.js';
import type {
  ChangeEntry,
  ColumnChange,
  ConnectionIndicator,
  EngineEvent,
  EngineRequest,
  ViewPhase,
  ViewState,
  ViewTarget,
  WindowRow,
} from './messages.js';

export interface EngineEnv {
  createSocket(url: string, protocols: string[]): SocketLike;
  fetch(url: string, init: { headers: Record<string, string> }): Promise<{ status: number; text(): Promise<string> }>;
  post(event: EngineEvent): void;
  now?: () => number;
}

/** How many change-log entries a watch keeps. */
const CHANGE_LOG_LIMIT = 5_000;
/** Windows go to the page at most this often. */
const PUSH_MS = 16;
/**
 * How often a loading view's count is sent while its first snapshot arrives, once it shows rows (and its
 * window, while that does not fill the screen): each redraw takes the page's thread from the load (measured:
 * 2 s → 2.6 s to the whole 10k-row snapshot at 300 ms).
 */
const LOADING_PUSH_MS = 1_000;
/**
 * How often the rows on screen are redrawn while a first snapshot arrives, once they fill the screen: a
 * 100,000-row table (~3 s here) is then not redrawn between its first rows and the whole table; a
 * 1,000,000-row one (over a minute here) still shows the rows it has sorted so far.
 */
const LOADING_REDRAW_MS = 5_000;
/** A subscription refused as unavailable is asked for again after this long. */
const RETRY_MS = 1_500;
/** A prefetched table no view has taken over is let go after this long. */
const PREFETCH_MS = 10_000;
/** The longest the rest of a first snapshot waits for the page to show its first rows (a hidden tab never does). */
const HOLD_MS = 1_000;
/**
 * The rows of a view's first window, before the page says which it shows: about a laptop screen's worth (and
 * the grid's overscan). A bigger first window only costs the first paint.
 */
const FIRST_RANGE_END = 50;

interface TableFeed {
  key: string;
  target: ViewTarget;
  handle: SubscriptionHandle;
  views: Set<ViewEntry>;
  watches: Set<number>;
  phase: ViewPhase;
  error: string | undefined;
  /** Rows of the first snapshot given to the views chunk by chunk, before its last chunk came. */
  loaded: number;
  /** Held for a view about to open (see `table.prefetch`). */
  prefetched: boolean;
  /**
   * The gateway holds the first snapshot after its first chunk until the page has painted its first rows
   * (`view.shown`) or `HOLD_MS` passed: on a busy machine the rest of a big snapshot otherwise takes the CPU
   * the page needs to draw them (docs/BENCHMARKS.md, first rows).
   */
  held: boolean;
  holdTimer: ReturnType<typeof setTimeout> | undefined;
}

interface LabelFeed {
  handle: SubscriptionHandle;
  users: number;
}

interface ViewEntry {
  id: number;
  target: ViewTarget;
  spec: ViewSpec;
  view: TableView | undefined;
  feed: TableFeed | undefined;
  schema: TableSchema | undefined;
  range: { start: number; end: number; anchor: string | undefined };
  pushed: string;
  /** When a window or a loading view's count was last sent (engine clock); when a window was, for which range. */
  pushedAt: number;
  /** When a window was last sent (engine clock): a loading view's rows are redrawn only so often. */
  drawnAt: number;
  pushedRange: string;
  /** The window last sent to the page. */
  lastWindow:
    | {
        start: number;
        anchor: string | undefined;
        anchorIndex: number | undefined;
        rows: ViewRow[];
        labels: Record<string, string>;
        /**
         * The view's count then. While a first snapshot arrives, the state says this count (and `total`, the
         * rows so far): the grid keeps its height between redraws, so the count going out each second redraws
         * only the page's status line, not the grid (a virtualizer pass over every row and a repaint: ~60 ms
         * of the page's thread each).
         */
        count: number;
      }
    | undefined;
  labelTables: string[];
  error: string | undefined;
}

interface RowWatch {
  id: number;
  target: ViewTarget;
  uuid: string;
  feed: TableFeed;
}

interface ChangeWatch {
  id: number;
  handle: SubscriptionHandle;
  release: () => void;
}

interface ChangeLog {
  schema: DatabaseSchema | undefined;
  nextId: number;
}

const feedKey = (t: ViewTarget): string => `${t.remote}\u0000${t.db}\u0000${t.table}`;

export class Engine {
  private conn: StreamConnection | undefined;
  private base = '';
  private token: string | undefined;
  private readonly schemas = new Map<string, Promise<DatabaseSchema>>();
  private readonly feeds = new Map<string, TableFeed>();
  private readonly labelFeeds = new Map<string, LabelFeed>();
  private readonly views = new Map<number, ViewEntry>();
  private readonly watches = new Map<number, RowWatch>();
  private readonly changeWatches = new Map<number, ChangeWatch>();
  private statusOff: (() => void) | undefined;
  private dirty = new Set<ViewEntry>();
  private pushTimer: ReturnType<typeof setTimeout> | undefined;
  /** The pending flush is the slow one of views still loading. */
  private pushTimerSlow = false;
  private expireTimer: ReturnType<typeof setInterval> | undefined;
  private connState: ConnectionState = 'connecting';
  private connDetail: string | undefined;
  private readonly now: () => number;

  constructor(private readonly env: EngineEnv) {
    this.now = env.now ?? Date.now;
  }

  handle(req: EngineRequest): void {
    try {
      this.dispatch(req);
    } catch (err) {
      // A request the engine cannot serve must not stop the ones after it.
      console.error('engine: request failed', req.type, err);
    }
  }

  private dispatch(req: EngineRequest): void {
    switch (req.type) {
      case 'connect': {
        this.connect(req.base, req.token);
        return;
      }
      case 'table.prefetch': {
        this.prefetch(req.target);
        return;
      }
      case 'view.open': {
        this.openView(req.view, req.target, req.spec);
        return;
      }
      case 'view.spec': {
        const e = this.views.get(req.view);
        // The page restates the spec it opened with once the view exists: not a reason to re-sort the table.
        if (!e || sameSpec(e.spec, req.spec)) return;
        e.spec = req.spec;
        e.view?.setSpec(req.spec);
        this.sendState(e);
        this.markDirty(e);
        return;
      }
      case 'view.range': {
        const e = this.views.get(req.view);
        if (!e) return;
        e.range = { start: req.start, end: req.end, anchor: req.anchor };
        this.markDirty(e);
        return;
      }
      case 'view.shown': {
        const feed = this.views.get(req.view)?.feed;
        if (feed) this.continueFeed(feed);
        return;
      }
      case 'view.refresh': {
        const e = this.views.get(req.view);
        if (!e) return;
        e.lastWindow = undefined;
        e.pushed = '';
        this.markDirty(e);
        return;
      }
      case 'view.pause':
      case 'view.resume': {
        const e = this.views.get(req.view);
        if (!e?.view) return;
        if (req.type === 'view.pause') e.view.pause();
        else e.view.resume();
        this.sendState(e);
        this.markDirty(e);
        return;
      }
      case 'view.close': {
        this.closeView(req.view);
        return;
      }
      case 'view.find': {
        const v = this.views.get(req.view)?.view;
        this.env.post({
          type: 'reply',
          req: req.req,
          result: v
            ? { kind: 'find', indexes: v.find(req.text) }
            : { kind: 'error', message: 'the table is not loaded yet' },
        });
        return;
      }
      case 'view.locate': {
        const v = this.views.get(req.view)?.view;
        this.env.post({
          type: 'reply',
          req: req.req,
          result: v
            ? { kind: 'locate', index: v.indexOf(req.uuid) }
            : { kind: 'error', message: 'the table is not loaded yet' },
        });
        return;
      }
      case 'view.export': {
        const v = this.views.get(req.view)?.view;
        if (!v) {
          this.env.post({
            type: 'reply',
            req: req.req,
            result: { kind: 'error', message: 'the table is not loaded yet' },
          });
          return;
        }
        const rows = v.visibleRows();
        const text = req.format === 'csv' ? toCsv(v.reader, rows, req.columns) : exportJson(rows, req.columns);
        this.env.post({ type: 'reply', req: req.req, result: { kind: 'export', text, rows: rows.length } });
        return;
      }
      case 'row.watch': {
        this.watchRow(req.watch, req.target, req.uuid);
        return;
      }
      case 'row.unwatch': {
        const w = this.watches.get(req.watch);
        if (!w) return;
        this.watches.delete(req.watch);
        w.feed.watches.delete(req.watch);
        this.releaseFeed(w.feed);
        return;
      }
      case 'status.watch':
        this.statusOff?.();
        this.statusOff = this.conn?.watchStatus((remotes, databases) =>
          this.env.post({ type: 'status', remotes, databases }),
        );
        return;
      case 'status.unwatch':
        this.statusOff?.();
        this.statusOff = undefined;
        return;
      case 'changes.watch': {
        this.watchChanges(req.watch, req.remote, req.db);
        return;
      }
      case 'changes.unwatch': {
        const w = this.changeWatches.get(req.watch);
        w?.handle.close();
        w?.release();
        this.changeWatches.delete(req.watch);
        return;
      }
    }
  }

  // ---- connection ------------------------------------------------------------------------------------

  private connect(base: string, token: string | undefined): void {
    // The page connects as soon as its script runs and again once signed in: the same gateway and token keep
    // the connection and the subscriptions already under way.
    const working = this.connState !== 'auth-failed' && this.connState !== 'closed';
    const gateway = base.replace(/\/$/, '');
    if (this.conn && working && this.base === gateway && this.token === token) return;
    this.conn?.close();
    // A table prefetched on the old connection (with a token the gateway refused) is asked for again by its view.
    for (const feed of [...this.feeds.values()]) {
      if (feed.views.size > 0 || feed.watches.size > 0) continue;
      feed.handle.close();
      this.feeds.delete(feed.key);
    }
    this.base = gateway;
    this.token = token;
    this.schemas.clear();
    const wsUrl = `${this.base.replace(/^http/, 'ws')}/api/v1/stream`;
    this.conn = new StreamConnection({
      url: wsUrl,
      token,
      createSocket: (url, protocols) => this.env.createSocket(url, protocols),
      checkAuth: async () => {
        try {
          const res = await this.env.fetch(`${this.base}/api/v1/whoami`, { headers: this.headers() });
          return res.status === 401 ? 'unauthorized' : res.status < 500 ? 'ok' : 'unreachable';
        } catch {
          return 'unreachable';
        }
      },
    });
    this.conn.onState((state, detail) => {
      this.connState = state;
      this.connDetail = detail;
      this.sendConnection();
    });
    this.sendConnection();
  }

  private headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** The stream's state for the page, and why when that is worth a sentence. */
  private indicator(): { state: ConnectionIndicator; detail: string | undefined } {
    if (this.connState !== 'live') return { state: this.connState, detail: this.connDetail };
    const loading = new Set<string>();
    for (const f of this.feeds.values()) {
      if (f.phase === 'resyncing') return { state: 'resyncing', detail: this.connDetail };
      if (f.phase === 'loading') loading.add(f.target.table);
    }
    if (loading.size === 0) return { state: 'live', detail: this.connDetail };
    const tables = [...loading].sort().join(', ');
    return { state: 'loading', detail: `Connected; the first snapshot of ${tables} is still arriving.` };
  }

  private lastIndicator = '';
  private sendConnection(): void {
    const { state, detail } = this.indicator();
    const key = `${state}|${detail ?? ''}`;
    if (key === this.lastIndicator) return;
    this.lastIndicator = key;
    this.env.post({ type: 'connection', state, detail });
  }

  schema(remote: string, db: string): Promise<DatabaseSchema> {
    const key = `${remote}\u0000${db}`;
    let p = this.schemas.get(key);
    if (!p) {
      p = this.env
        .fetch(`${this.base}/api/v1/remotes/${encodeURIComponent(remote)}/dbs/${encodeURIComponent(db)}/schema`, {
          headers: this.headers(),
        })
        .then(async (res) => {
          const text = await res.text();
          if (res.status !== 200) throw new GatewayError(errorMessage(text, res.status), res.status);
          return parseDatabaseSchema(parseJson(text));
        });
      p.catch(() => this.schemas.delete(key));
      this.schemas.set(key, p);
    }
    return p;
  }

  // ---- table feeds -----------------------------------------------------------------------------------

  private acquireFeed(target: ViewTarget): TableFeed {
    const key = feedKey(target);
    let feed = this.feeds.get(key);
    if (feed) return feed;
    const conn = this.requireConn();
    let created: TableFeed | undefined = undefined;
    // Messages arrive asynchronously, so the feed exists before the listener first runs.
    const handle = conn.subscribe(
      { remote: target.remote, db: target.db, tables: [target.table], holdSnapshot: true },
      (applied) => {
        if (created) this.onFeed(created, applied);
      },
    );
    // Until the schema says otherwise, every message is looked through for integers JSON.parse would round.
    this.schema(target.remote, target.db).then(
      (schema) => {
        const table = schema.tables.get(target.table);
        if (table && !mayHoldBigIntegers(table)) handle.setBigIntegers(false);
      },
      () => undefined,
    );
    created = {
      key,
      target,
      handle,
      views: new Set(),
      watches: new Set(),
      phase: 'loading',
      error: undefined,
      loaded: 0,
      prefetched: false,
      held: true,
      holdTimer: undefined,
    };
    this.feeds.set(key, created);
    feed = created;
    return feed;
  }

  private prefetch(target: ViewTarget): void {
    if (!this.conn) return;
    const feed = this.acquireFeed(target);
    if (feed.prefetched || feed.views.size > 0) return;
    feed.prefetched = true;
    void this.schema(target.remote, target.db).catch(() => undefined);
    setTimeout(() => {
      feed.prefetched = false;
      if (this.feeds.get(feed.key) === feed) this.releaseFeed(feed);
    }, PREFETCH_MS);
  }

  /** The rest of a held first snapshot, please (once). */
  private continueFeed(feed: TableFeed): void {
    if (!feed.held) return;
    feed.held = false;
    clearTimeout(feed.holdTimer);
    feed.handle.continueSnapshot();
  }

  private releaseFeed(feed: TableFeed): void {
    if (feed.views.size > 0 || feed.watches.size > 0 || feed.prefetched) return;
    clearTimeout(feed.holdTimer);
    feed.handle.close();
    this.feeds.delete(feed.key);
    // A table closed while it loaded no longer keeps the indicator at "loading".
    this.sendConnection();
  }

  private requireConn(): StreamConnection {
    if (!this.conn) throw new Error('not connected');
    return this.conn;
  }

  /** The table's rows; during the first load, the part of the snapshot that has arrived. */
  private rowsOf(feed: TableFeed): TableRows {
    if (feed.phase === 'loading') {
      const staged = feed.handle.state.staging?.get(feed.target.table);
      if (staged) return staged;
    }
    let rows = feed.handle.state.rows.get(feed.target.table);
    if (!rows) {
      rows = new TableRows();
      feed.handle.state.rows.set(feed.target.table, rows);
    }
    return rows;
  }

  private onFeed(feed: TableFeed, applied: Applied): void {
    const now = this.now();
    switch (applied.kind) {
      case 'subscribed':
        if (!applied.resumed && feed.phase === 'live') feed.phase = 'resyncing';
        feed.loaded = 0;
        this.env.post({
          type: 'perf',
          mark: 'snapshot-start',
          table: feed.target.table,
          rows: 0,
          at: performance.timeOrigin + performance.now(),
        });
        break;
      case 'snapshot': {
        // A first load shown chunk by chunk needs only its last chunk; otherwise (a resync, a retry, a row sent
        // twice) the views start over from the complete snapshot.
        const first = feed.phase === 'loading';
        const progressive = first && feed.loaded > 0 && applied.chunk.table === feed.target.table;
        this.continueFeed(feed);
        feed.phase = 'live';
        feed.error = undefined;
        const complete = progressive && feed.loaded + applied.chunk.rows.length === this.rowsOf(feed).size;
        for (const e of feed.views) {
          // The page names its top row as the anchor to keep in place; while the table loaded that was a row of
          // the first chunks, which loading windows did not follow (rows land anywhere). Followed now, it would
          // scroll the page down to that row instead of showing the table's top: the page names a new one.
          if (first) e.range = { ...e.range, anchor: undefined };
          if (complete) e.view?.load(applied.chunk.rows);
          else e.view?.rebuild();
        }
        this.env.post({
          type: 'perf',
          mark: 'snapshot',
          table: feed.target.table,
          rows: this.rowsOf(feed).size,
          at: performance.timeOrigin + performance.now(),
        });
        break;
      }
      case 'resync':
        feed.phase = 'resyncing';
        break;
      case 'delta':
        for (const e of feed.views) e.view?.apply(applied.changes, now);
        for (const id of feed.watches) this.sendRowById(id, applied.changes);
        break;
      case 'error':
        feed.phase = 'failed';
        feed.error = applied.error.message;
        // The remote is down or still loading: keep asking; the view says why meanwhile.
        if (applied.error.code === 'unavailable')
          setTimeout(() => this.feeds.get(feed.key) === feed && feed.handle.retry(), RETRY_MS);
        break;
      case 'snapshot-chunk':
        // The first load shows rows as they come (the page says it is still loading); a resync keeps showing
        // the rows it has until the new snapshot is complete.
        if (feed.phase !== 'loading' || applied.chunk.table !== feed.target.table) return;
        if (feed.loaded === 0 && feed.held) feed.holdTimer = setTimeout(() => this.continueFeed(feed), HOLD_MS);
        feed.loaded += applied.chunk.rows.length;
        for (const e of feed.views) e.view?.load(applied.chunk.rows);
        break;
      case 'ignored':
        return;
    }
    for (const e of feed.views) {
      // A chunk's count goes out with the window (see flush): a state per chunk would redraw the page per chunk.
      if (applied.kind !== 'snapshot-chunk') this.sendState(e);
      this.markDirty(e);
    }
    if (applied.kind !== 'delta') for (const id of feed.watches) this.sendRowById(id);
    this.sendConnection();
  }

  // ---- views -----------------------------------------------------------------------------------------

  private openView(id: number, target: ViewTarget, spec: ViewSpec): void {
    this.closeView(id);
    const entry: ViewEntry = {
      id,
      target,
      spec,
      view: undefined,
      feed: undefined,
      schema: undefined,
      range: { start: 0, end: FIRST_RANGE_END, anchor: undefined },
      pushed: '',
      pushedAt: 0,
      drawnAt: 0,
      pushedRange: '',
      lastWindow: undefined,
      labelTables: [],
      error: undefined,
    };
    this.views.set(id, entry);
    // Subscribe while the schema loads: the snapshot's first rows are then on their way a round trip sooner.
    if (this.conn) this.attachFeed(entry);
    this.sendState(entry);
    this.schema(target.remote, target.db).then(
      (schema) => {
        if (this.views.get(id) !== entry) return;
        const table = schema.tables.get(target.table);
        if (!table) {
          entry.error = `${target.db} has no table ${target.table}`;
          this.detachFeed(entry);
          this.sendState(entry);
          return;
        }
        const feed = entry.feed ?? this.attachFeed(entry);
        entry.schema = table;
        // The spec as it is now: the page may have changed it while the schema loaded.
        entry.view = new TableView(
          table,
          {
            rows: () => this.rowsOf(feed).values(),
            get: (u) => this.rowsOf(feed).get(u),
          },
          entry.spec,
        );
        entry.labelTables = this.acquireLabels(target, table);
        this.sendState(entry);
        this.markDirty(entry);
      },
      (err: unknown) => {
        if (this.views.get(id) !== entry) return;
        entry.error = err instanceof Error ? err.message : String(err);
        this.detachFeed(entry);
        this.sendState(entry);
        // Unavailable (the remote is down or still loading) or unreachable: try again; the view says why.
        if (!(err instanceof GatewayError) || err.status === 503) {
          setTimeout(() => this.views.get(id) === entry && this.openView(id, target, entry.spec), RETRY_MS);
        }
      },
    );
  }

  private attachFeed(e: ViewEntry): TableFeed {
    const feed = this.acquireFeed(e.target);
    e.feed = feed;
    feed.views.add(e);
    return feed;
  }

  private detachFeed(e: ViewEntry): void {
    if (!e.feed) return;
    e.feed.views.delete(e);
    this.releaseFeed(e.feed);
    e.feed = undefined;
  }

  private closeView(id: number): void {
    const e = this.views.get(id);
    if (!e) return;
    this.views.delete(id);
    this.dirty.delete(e);
    this.detachFeed(e);
    for (const t of e.labelTables) this.releaseLabels(e.target, t);
  }

  private viewState(e: ViewEntry): ViewState {
    const v = e.view;
    const feed = e.feed;
    const phase: ViewPhase = e.error ? 'failed' : (feed?.phase ?? 'loading');
    return {
      phase,
      total: feed ? this.rowsOf(feed).size : 0,
      count: !v ? 0 : phase === 'loading' && e.lastWindow?.rows.length ? e.lastWindow.count : v.count,
      paused: v?.paused ?? false,
      pending: v?.pending ?? 0,
      problem: v?.filterProblem,
      error: e.error ?? feed?.error,
      sort: v?.effectiveSort ?? e.spec.sort,
    };
  }

  private sendState(e: ViewEntry): void {
    this.env.post({ type: 'view.state', view: e.id, state: this.viewState(e) });
  }

  private markDirty(e: ViewEntry): void {
    this.dirty.add(e);
    // The first rows of a load go to the page now, not after the next chunks: a chunk's task keeps the timer
    // from firing, and with the socket full of chunks that was several of them (~300 ms of a 100k-row load).
    const firstRows = e.feed?.phase === 'loading' && !e.lastWindow?.rows.length && (e.view?.count ?? 0) > 0;
    if (this.pushTimer && (this.pushTimerSlow || firstRows)) {
      clearTimeout(this.pushTimer);
      this.pushTimer = undefined;
    }
    this.pushTimerSlow = false;
    if (firstRows) this.flush();
    else this.pushTimer ??= setTimeout(() => this.flush(), PUSH_MS);
    this.expireTimer ??= setInterval(() => this.expire(), 100);
  }

  private flush(): void {
    this.pushTimer = undefined;
    const now = this.now();
    const views = [...this.dirty];
    this.dirty.clear();
    for (const e of views) {
      // While a first snapshot arrives every chunk moves the window. Once the page shows a screenful of rows
      // and stays where it is, the count so far goes out once a second but the rows only every few seconds: a
      // redraw of the grid took the page's thread 100–150 ms, taken from the load, and the rows on screen would
      // only reshuffle as the rest arrives. A window not yet full (a filter) fills once a second.
      const range = `${e.range.start}-${e.range.end}`;
      const shown = e.lastWindow?.rows.length ?? 0;
      if (e.feed?.phase === 'loading' && shown > 0 && range === e.pushedRange) {
        const full = shown >= Math.min(e.range.end - e.range.start, e.view?.count ?? 0);
        if (now - e.drawnAt < (full ? LOADING_REDRAW_MS : LOADING_PUSH_MS)) {
          if (now - e.pushedAt >= LOADING_PUSH_MS) {
            e.pushedAt = now;
            this.sendState(e);
          }
          this.dirty.add(e);
          continue;
        }
      }
      e.pushedAt = now;
      e.drawnAt = now;
      e.pushedRange = range;
      if (e.feed?.phase === 'loading') this.sendState(e);
      this.pushWindow(e);
      // No row of the first chunk is in the view (a filter): the page has nothing to show until more come.
      if (e.feed?.held && e.feed.loaded > 0 && e.view?.count === 0) this.continueFeed(e.feed);
    }
    if (this.dirty.size > 0) {
      this.pushTimer = setTimeout(() => this.flush(), LOADING_PUSH_MS);
      this.pushTimerSlow = true;
    }
  }

  private expire(): void {
    const now = this.now();
    let any = false;
    for (const e of this.views.values()) {
      if (!e.view?.hasMarks) continue;
      any = true;
      if (e.view.expire(now)) {
        this.sendState(e);
        this.markDirty(e);
      }
    }
    if (!any && this.expireTimer) {
      clearInterval(this.expireTimer);
      this.expireTimer = undefined;
    }
  }

  /** A number per row version sent in a window (rows are immutable: a new version is a new object). */
  private readonly revs = new WeakMap<WireRow, number>();
  private nextRev = 1;

  private revOf(row: WireRow): number {
    let r = this.revs.get(row);
    if (r === undefined) this.revs.set(row, (r = this.nextRev++));
    return r;
  }

  private pushWindow(e: ViewEntry): void {
    const v = e.view;
    if (!v) return;
    const key = `${v.version}|${e.range.start}|${e.range.end}|${e.range.anchor ?? ''}`;
    if (key === e.pushed) return;
    e.pushed = key;
    const rows = v.window(e.range.start, e.range.end);
    // While the first snapshot arrives, rows land anywhere: the page stays where it is (the top) rather than
    // following its top row down.
    const found = e.range.anchor === undefined || e.feed?.phase === 'loading' ? undefined : v.indexOf(e.range.anchor);
    const anchorIndex = found === -1 ? undefined : found;
    const labels = this.labelsFor(
      e,
      rows.map((r) => r.row),
    );
    // Any change to the view bumps its version, most of them to rows far from the window: then the window is
    // what the page already has, and sending it would only make the page render the grid again.
    const last = e.lastWindow;
    if (
      last?.start === e.range.start &&
      last.anchor === e.range.anchor &&
      last.anchorIndex === anchorIndex &&
      sameRows(last.rows, rows) &&
      sameLabels(last.labels, labels)
    )
      return;
    // Rows the page holds from the last window, as they were then: named, not sent again.
    const held = new Map<string, ViewRow>();
    for (const r of last?.rows ?? []) held.set(r.uuid, r);
    e.lastWindow = { start: e.range.start, anchor: e.range.anchor, anchorIndex, rows, labels, count: v.count };
    this.env.post({
      type: 'view.window',
      view: e.id,
      window: {
        start: e.range.start,
        rows: rows.map((r): WindowRow => {
          const h = held.get(r.uuid);
          const rev = this.revOf(r.row);
          return h?.row === r.row && sameMark(h.mark, r.mark) ? { uuid: r.uuid, rev, kept: true } : { ...r, rev };
        }),
        labels,
        anchorIndex,
        anchor: e.range.anchor,
        version: v.version,
      },
    });
    this.sendState(e);
  }

  // ---- labels: names of referenced rows ---------------------------------------------------------------

  /** Tables referenced by `table` that have a `name` column, subscribed (names only) unless already full. */
  private acquireLabels(target: ViewTarget, table: TableSchema): string[] {
    const out = new Set<string>();
    for (const col of table.columns.values()) {
      for (const base of [col.type.key, col.type.value]) {
        if (base?.type === 'uuid' && base.refTable !== undefined) out.add(base.refTable);
      }
    }
    const used: string[] = [];
    for (const ref of out) {
      this.acquireLabelTable(target, ref);
      used.push(ref);
    }
    return used;
  }

  /** Names of `table`'s rows, kept by a names-only subscription shared by everyone who needs them. */
  private acquireLabelTable(target: ViewTarget, table: string): void {
    const key = feedKey({ ...target, table });
    let lf = this.labelFeeds.get(key);
    if (!lf) {
      const conn = this.requireConn();
      // Names only: a projection keeps a 100k-row referenced table cheap.
      const handle = conn.subscribe(
        { remote: target.remote, db: target.db, tables: [table], columns: { [table]: ['name'] } },
        (applied) => {
          if (applied.kind === 'snapshot' || applied.kind === 'delta')
            for (const e of this.views.values()) if (e.labelTables.includes(table)) this.markDirty(e);
        },
      );
      // Its rows are uuids and a string name.
      handle.setBigIntegers(false);
      lf = { handle, users: 0 };
      this.labelFeeds.set(key, lf);
    }
    lf.users++;
  }

  private releaseLabels(target: ViewTarget, table: string): void {
    const key = feedKey({ ...target, table });
    const lf = this.labelFeeds.get(key);
    if (!lf) return;
    if (--lf.users > 0) return;
    lf.handle.close();
    this.labelFeeds.delete(key);
  }

  private labelOf(target: ViewTarget, table: string, uuid: string): string | undefined {
    const key = feedKey({ ...target, table });
    const rows =
      this.feeds.get(key)?.handle.state.rows.get(table) ?? this.labelFeeds.get(key)?.handle.state.rows.get(table);
    const name = rows?.get(uuid)?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  }

  private labelsFor(e: ViewEntry, rows: readonly WireRow[]): Record<string, string> {
    const out: Record<string, string> = {};
    const table = e.schema;
    if (!table) return out;
    for (const col of table.columns.values()) {
      const refs = [col.type.key.refTable, col.type.value?.refTable];
      if (refs.every((r) => r === undefined)) continue;
      for (const row of rows) {
        const w = row[col.name];
        if (w === undefined) continue;
        forEachUuid(w, (uuid, side) => {
          const ref = side === 'key' ? refs[0] : refs[1];
          if (ref === undefined || uuid in out) return;
          const label = this.labelOf(e.target, ref, uuid);
          if (label !== undefined) out[uuid] = label;
        });
      }
    }
    return out;
  }

  // ---- row watches -----------------------------------------------------------------------------------

  private watchRow(id: number, target: ViewTarget, uuid: string): void {
    const feed = this.acquireFeed(target);
    const w: RowWatch = { id, target, uuid, feed };
    this.watches.set(id, w);
    feed.watches.add(id);
    this.sendRow(w);
  }

  private sendRowById(id: number, changes?: readonly AppliedChange[]): void {
    const w = this.watches.get(id);
    if (w) this.sendRow(w, changes);
  }

  private sendRow(w: RowWatch, changes?: readonly AppliedChange[]): void {
    let changedColumns: readonly string[] | undefined;
    if (changes) {
      const mine = changes.filter((c) => c.uuid === w.uuid && c.table === w.target.table);
      if (mine.length === 0) return;
      changedColumns = [...new Set(mine.flatMap((c) => c.columns ?? []))];
    }
    this.env.post({
      type: 'row',
      watch: w.id,
      phase: w.feed.phase,
      row: this.rowsOf(w.feed).get(w.uuid),
      changedColumns,
      at: this.now(),
      error: w.feed.error,
    });
  }

  // ---- change logs -----------------------------------------------------------------------------------

  private watchChanges(id: number, remote: string, db: string): void {
    const conn = this.requireConn();
    const log: ChangeLog = { schema: undefined, nextId: 1 };
    const target: ViewTarget = { remote, db, table: '' };
    const labelTables: string[] = [];
    void this.schema(remote, db).then(
      (s) => {
        log.schema = s;
        if (!this.changeWatches.has(id)) return;
        // Names of everything referenced, so a change shows "port p1" rather than a uuid.
        for (const t of s.tables.values()) {
          if (t.columns.get('name')?.type.key.type !== 'string') continue;
          this.acquireLabelTable(target, t.name);
          labelTables.push(t.name);
        }
      },
      () => undefined,
    );
    const handle = conn.subscribe({ remote, db, snapshot: false, old: true }, (applied) => {
      if (applied.kind === 'error') {
        this.env.post({ type: 'changes', watch: id, entries: [], error: applied.error.message });
        return;
      }
      if (applied.kind !== 'delta') return;
      const entries = applied.changes.map((c) =>
        changeEntry(log, c, applied.time, applied.resync, (table, uuid) => this.labelOf(target, table, uuid)),
      );
      // A change log keeps entries, not rows.
      for (const rows of handle.state.rows.values()) rows.clear();
      this.env.post({ type: 'changes', watch: id, entries: entries.slice(-CHANGE_LOG_LIMIT), error: undefined });
    });
    this.changeWatches.set(id, {
      id,
      handle,
      release: () => labelTables.forEach((t) => this.releaseLabels(target, t)),
    });
  }
}

function changeEntry(
  watch: ChangeLog,
  c: AppliedChange,
  time: number,
  resync: boolean,
  label: (table: string, uuid: string) => string | undefined,
): ChangeEntry {
  const changes: ColumnChange[] = [];
  const labels: Record<string, string> = {};
  const table = watch.schema?.tables.get(c.table);
  const columns = (c.kind === 'modify' ? (c.columns ?? []) : Object.keys(c.row ?? c.old ?? {})).filter(
    (k) => k !== '_uuid' && k !== '_version',
  );
  for (const col of columns) {
    const cc: ColumnChange = { column: col };
    const o = c.old?.[col];
    const n = c.row?.[col];
    if (c.kind !== 'insert' && o !== undefined) cc.old = o;
    if (c.kind !== 'delete' && n !== undefined) cc.new = n;
    if (c.kind !== 'modify' && table && isEmptyDefault(cc.old ?? cc.new)) continue;
    changes.push(cc);
    const colSchema = table?.columns.get(col);
    const refs = [colSchema?.type.key.refTable, colSchema?.type.value?.refTable];
    if (refs[0] === undefined && refs[1] === undefined) continue;
    for (const w of [cc.old, cc.new]) {
      if (w === undefined) continue;
      forEachUuid(w, (uuid, side) => {
        const ref = side === 'key' ? refs[0] : refs[1];
        const name = ref === undefined ? undefined : label(ref, uuid);
        if (name !== undefined) labels[uuid] = name;
      });
    }
  }
  const named = (c.row ?? c.old)?.name;
  return {
    id: watch.nextId++,
    time: time || Date.now(),
    table: c.table,
    uuid: c.uuid,
    kind: c.kind,
    label: typeof named === 'string' && named !== '' ? named : undefined,
    changes,
    labels,
    resync,
  };
}

function isEmptyDefault(w: WireDatum | undefined): boolean {
  if (w === undefined || w === '' || w === 0 || w === false) return true;
  return Array.isArray(w) && (w[0] === 'set' || w[0] === 'map') && Array.isArray(w[1]) && w[1].length === 0;
}

function forEachUuid(w: WireDatum, fn: (uuid: string, side: 'key' | 'value') => void): void {
  if (!Array.isArray(w)) return;
  if (w[0] === 'uuid' && typeof w[1] === 'string') {
    fn(w[1], 'key');
    return;
  }
  if (w[0] === 'set' && Array.isArray(w[1])) {
    for (const a of w[1]) if (Array.isArray(a) && a[0] === 'uuid' && typeof a[1] === 'string') fn(a[1], 'key');
    return;
  }
  if (w[0] === 'map' && Array.isArray(w[1])) {
    for (const pair of w[1]) {
      if (!Array.isArray(pair)) continue;
      const [k, v] = pair as [WireDatum, WireDatum];
      if (Array.isArray(k) && k[0] === 'uuid' && typeof k[1] === 'string') fn(k[1], 'key');
      if (Array.isArray(v) && v[0] === 'uuid' && typeof v[1] === 'string') fn(v[1], 'value');
    }
  }
}

/** The same rows, each the same version with the same mark (rows are immutable, so identity is enough). */
function sameRows(a: readonly ViewRow[], b: readonly ViewRow[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as ViewRow;
    const y = b[i] as ViewRow;
    if (x.uuid !== y.uuid || x.row !== y.row || !sameMark(x.mark, y.mark)) return false;
  }
  return true;
}

function sameMark(m: ViewRow['mark'], n: ViewRow['mark']): boolean {
  if (m === n) return true;
  if (m === undefined || n === undefined) return false;
  return m.kind === n.kind && m.at === n.at && m.columns === n.columns;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function exportJson(rows: readonly WireRow[], columns: readonly string[]): string {
  const keep = new Set(['_uuid', ...columns]);
  const out = rows.map((r) => {
    const o: Record<string, Json> = {};
    for (const [k, v] of Object.entries(r)) if (keep.has(k)) o[k] = v;
    return o;
  });
  return `${stringifyJson(out)}\n`;
}

class GatewayError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function errorMessage(text: string, status: number): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof j.error?.message === 'string') return j.error.message;
  } catch {
    // not our error shape
  }
  return `the gateway answered ${status}`;
}

function sameSpec(a: ViewSpec, b: ViewSpec): boolean {
  return (
    a.filter === b.filter &&
    a.sort.length === b.sort.length &&
    a.sort.every((k, i) => k.column === b.sort[i]?.column && k.desc === b.sort[i].desc)
  );
}
