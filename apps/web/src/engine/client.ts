/**
 * The page's side of the engine: typed requests out, events in, and a `Store` per thing the page shows
 * (connection, each open view, each watched row, status, change logs) for React to read. The engine runs in a
 * worker in the browser; tests give it an in-process one.
 */
import type { WireRow } from '@ovsdb-web/client/core';
import type { DatabaseStats, RemoteStatus } from '@ovsdb-web/protocol';
import { Store } from '../app/store.js';
import type { ViewRow, ViewSpec } from '../store/view.js';
import type {
  ChangeEntry,
  ConnectionIndicator,
  EngineEvent,
  EngineRequest,
  ReplyResult,
  ViewPhase,
  ViewState,
  ViewTarget,
  ViewWindow,
  WindowMessage,
} from './messages.js';

export interface EnginePort {
  post(req: EngineRequest): void;
  onEvent(handler: (ev: EngineEvent) => void): void;
  terminate(): void;
}

export interface ViewSnapshot {
  state: ViewState;
  window: ViewWindow | undefined;
}

const EMPTY_STATE: ViewState = {
  phase: 'loading',
  total: 0,
  count: 0,
  paused: false,
  pending: 0,
  problem: undefined,
  error: undefined,
  sort: [],
};

export class ViewHandle {
  readonly store = new Store<ViewSnapshot>({ state: EMPTY_STATE, window: undefined });
  /** Its first rows have been handed to the page (`view.shown` follows the paint). */
  shown = false;

  constructor(
    private readonly client: EngineClient,
    readonly id: number,
    readonly target: ViewTarget,
  ) {}

  setSpec(spec: ViewSpec): void {
    this.client.send({ type: 'view.spec', view: this.id, spec });
  }

  setRange(start: number, end: number, anchor: string | undefined): void {
    this.client.send({ type: 'view.range', view: this.id, start, end, anchor });
  }

  pause(): void {
    this.client.send({ type: 'view.pause', view: this.id });
  }

  resume(): void {
    this.client.send({ type: 'view.resume', view: this.id });
  }

  find(text: string): Promise<number[]> {
    return this.client
      .ask({ type: 'view.find', view: this.id, text })
      .then((r) => (r.kind === 'find' ? r.indexes : []));
  }

  locate(uuid: string): Promise<number> {
    return this.client
      .ask({ type: 'view.locate', view: this.id, uuid })
      .then((r) => (r.kind === 'locate' ? r.index : -1));
  }

  export(format: 'csv' | 'json', columns: string[]): Promise<{ text: string; rows: number }> {
    return this.client.ask({ type: 'view.export', view: this.id, format, columns }).then((r) => {
      if (r.kind !== 'export') throw new Error(r.kind === 'error' ? r.message : 'unexpected reply');
      return { text: r.text, rows: r.rows };
    });
  }

  close(): void {
    this.client.closeView(this.id);
  }
}

export interface RowSnapshot {
  phase: ViewPhase;
  row: WireRow | undefined;
  /** Columns changed by the last update, and when, for the panel to flash them. */
  changed: readonly string[] | undefined;
  at: number;
  error: string | undefined;
}

export interface StatusSnapshot {
  remotes: RemoteStatus[];
  databases: DatabaseStats[];
  received: boolean;
}

export interface ChangesSnapshot {
  entries: ChangeEntry[];
  error: string | undefined;
}

/** How many change entries the page keeps per change log. */
export const CHANGES_KEPT = 5_000;

/** Runs `fn` once the page has had a frame to paint what it has just rendered (at once where nothing paints). */
function afterPaint(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(fn, 0));
  else setTimeout(fn, 0);
}

type Asked = Extract<EngineRequest, { req: number }>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export class EngineClient {
  readonly connection = new Store<{ state: ConnectionIndicator; detail: string | undefined }>({
    state: 'connecting',
    detail: undefined,
  });
  readonly status = new Store<StatusSnapshot>({ remotes: [], databases: [], received: false });
  private readonly views = new Map<number, ViewHandle>();
  private readonly rows = new Map<number, Store<RowSnapshot>>();
  private readonly changes = new Map<number, Store<ChangesSnapshot>>();
  private readonly replies = new Map<number, (r: ReplyResult) => void>();
  private nextId = 1;
  private statusUsers = 0;

  constructor(private readonly port: EnginePort) {
    port.onEvent((ev) => this.receive(ev));
  }

  send(req: EngineRequest): void {
    this.port.post(req);
  }

  ask(req: DistributiveOmit<Asked, 'req'>): Promise<ReplyResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.port.post({ ...req, req: id });
    });
  }

  connect(base: string, token: string | undefined): void {
    this.send({ type: 'connect', base, token });
  }

  /** Start loading a table a view of which is about to open (see `table.prefetch`). */
  prefetch(target: ViewTarget): void {
    this.send({ type: 'table.prefetch', target });
  }

  openView(target: ViewTarget, spec: ViewSpec): ViewHandle {
    const id = this.nextId++;
    const h = new ViewHandle(this, id, target);
    this.views.set(id, h);
    this.send({ type: 'view.open', view: id, target, spec });
    return h;
  }

  closeView(id: number): void {
    if (!this.views.delete(id)) return;
    this.send({ type: 'view.close', view: id });
  }

  watchRow(target: ViewTarget, uuid: string): { store: Store<RowSnapshot>; close(): void } {
    const id = this.nextId++;
    const store = new Store<RowSnapshot>({
      phase: 'loading',
      row: undefined,
      changed: undefined,
      at: 0,
      error: undefined,
    });
    this.rows.set(id, store);
    this.send({ type: 'row.watch', watch: id, target, uuid });
    return {
      store,
      close: () => {
        this.rows.delete(id);
        this.send({ type: 'row.unwatch', watch: id });
      },
    };
  }

  watchStatus(): () => void {
    if (this.statusUsers++ === 0) this.send({ type: 'status.watch' });
    return () => {
      if (--this.statusUsers === 0) this.send({ type: 'status.unwatch' });
    };
  }

  watchChanges(remote: string, db: string): { store: Store<ChangesSnapshot>; close(): void } {
    const id = this.nextId++;
    const store = new Store<ChangesSnapshot>({ entries: [], error: undefined });
    this.changes.set(id, store);
    this.send({ type: 'changes.watch', watch: id, remote, db });
    return {
      store,
      close: () => {
        this.changes.delete(id);
        this.send({ type: 'changes.unwatch', watch: id });
      },
    };
  }

  /** Timing marks from the engine, for benchmarks (see bench/browser). */
  readonly perf: { mark: string; table: string; rows: number; at: number }[] = [];

  private receive(ev: EngineEvent): void {
    switch (ev.type) {
      case 'perf':
        this.perf.push({ mark: ev.mark, table: ev.table, rows: ev.rows, at: ev.at });
        return;
      case 'connection':
        this.connection.set({ state: ev.state, detail: ev.detail });
        return;
      case 'view.state': {
        const h = this.views.get(ev.view);
        // The engine restates a view's state after every change batch and window; most of the time nothing in
        // it changed, and a new object would make the page render the whole grid again for nothing.
        h?.store.update((s) => (sameState(s.state, ev.state) ? s : { ...s, state: ev.state }));
        return;
      }
      case 'view.window': {
        const h = this.views.get(ev.view);
        if (!h) return;
        const window = applyWindow(h.store.get().window, ev.window);
        // It named a row this page does not hold (cannot happen while every window arrives in order; if it
        // ever does, the grid keeps what it shows and asks for the next window whole).
        if (window) h.store.update((s) => ({ ...s, window }));
        else this.send({ type: 'view.refresh', view: ev.view });
        if (!h.shown && ev.window.rows.length > 0) {
          h.shown = true;
          afterPaint(() => this.send({ type: 'view.shown', view: ev.view }));
        }
        return;
      }
      case 'reply': {
        const r = this.replies.get(ev.req);
        this.replies.delete(ev.req);
        r?.(ev.result);
        return;
      }
      case 'row':
        this.rows
          .get(ev.watch)
          ?.set({ phase: ev.phase, row: ev.row, changed: ev.changedColumns, at: ev.at, error: ev.error });
        return;
      case 'status':
        this.status.set({ remotes: ev.remotes, databases: ev.databases, received: true });
        return;
      case 'changes': {
        const store = this.changes.get(ev.watch);
        store?.update((s) => ({
          entries: ev.entries.length === 0 ? s.entries : [...s.entries, ...ev.entries].slice(-CHANGES_KEPT),
          error: ev.error,
        }));
        return;
      }
    }
  }

  terminate(): void {
    this.port.terminate();
  }
}

/**
 * Whether two view states say the same: field by field, small nested values (the sort, a filter problem) by
 * their JSON (the engine sends a fresh copy each time).
 */
export function sameState(a: ViewState, b: ViewState): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    const u = x[k];
    const v = y[k];
    if (u === v) continue;
    if (
      typeof u !== 'object' ||
      typeof v !== 'object' ||
      u === null ||
      v === null ||
      JSON.stringify(u) !== JSON.stringify(v)
    )
      return false;
  }
  return true;
}

/**
 * The window the page shows after `next`: rows named as kept, and rows sent again that are the same version with
 * the same mark, are the row objects of `prev` (the grid renders a row again only when its object changes);
 * labels too. Undefined when `next` names a row `prev` does not have.
 */
export function applyWindow(prev: ViewWindow | undefined, next: WindowMessage): ViewWindow | undefined {
  const old = new Map<string, ViewRow>();
  for (const r of prev?.rows ?? []) if (r.rev !== undefined) old.set(r.uuid, r);
  const rows: ViewRow[] = [];
  for (const r of next.rows) {
    const o = old.get(r.uuid);
    if ('kept' in r) {
      if (o?.rev !== r.rev) return undefined;
      rows.push(o);
    } else rows.push(o && o.rev === r.rev && sameMark(o.mark, r.mark) ? o : r);
  }
  const a = prev?.labels ?? {};
  const b = next.labels;
  const ka = Object.keys(a);
  const labels = prev && ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]) ? a : b;
  return { ...next, rows, labels };
}

function sameMark(a: ViewRow['mark'], b: ViewRow['mark']): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a.kind !== b.kind || a.at !== b.at) return false;
  const x = a.columns ?? [];
  const y = b.columns ?? [];
  return x.length === y.length && x.every((c, i) => c === y[i]);
}
