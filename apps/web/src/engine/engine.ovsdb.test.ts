/**
 * The web app's engine end to end without a browser: the real ovsdb-server, the real gateway, and the engine
 * over the `ws` package. What the page would show — windows of sorted, filtered rows with their marks, labels,
 * counts, paused views, watched rows, the change log — must follow ovn-nbctl's changes, a gateway restart
 * and an ovsdb-server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ovnNbctl, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { buildApp, type GatewayConfig } from '@ovsdb-web/gateway';
import { Engine } from './engine.js';
import { applyWindow } from './client.js';
import type { EngineEvent, ViewState, ViewWindow, ChangeEntry } from './messages.js';
import type { SocketLike } from '../stream/connection.js';

const NB = 'OVN_Northbound';
type FastifyInstance = Awaited<ReturnType<typeof buildApp>>['app'];
let server: OvsdbServerProcess;

function gatewayConfig(port = 0): GatewayConfig {
  return {
    remotes: [{ name: 'nb', remote: server.unixRemote! }],
    listen: { host: '127.0.0.1', port },
    readOnly: false,
    tables: new Map(),
    columns: new Map(),
    allowOrigins: [],
    transactRate: 1_000,
    transactTimeoutMs: 30_000,
    probeIntervalMs: 5_000,
    history: { batches: 2_000, bytes: 64 * 1024 * 1024 },
    logLevel: 'silent',
  };
}

async function startGateway(port = 0): Promise<{ app: FastifyInstance; url: string }> {
  const { app } = await buildApp(gatewayConfig(port), { logger: false });
  const url = await app.listen({ host: '127.0.0.1', port });
  return { app, url };
}

/** `delayMs`: each message is handed on that long after the one before (a slow link), in order. */
function nodeSocket(url: string, protocols: string[], delayMs = 0): SocketLike {
  const ws = new WebSocket(url, protocols);
  let delivered = Promise.resolve();
  const s: SocketLike = {
    get readyState() {
      return ws.readyState;
    },
    send: (d) => ws.send(d),
    close: (c, r) => ws.close(c, r),
    onopen: null,
    onclose: null,
    onerror: null,
    onmessage: null,
  };
  ws.on('open', () => s.onopen?.({}));
  ws.on('close', (code, reason) => s.onclose?.({ code, reason: reason.toString() }));
  ws.on('error', (e) => s.onerror?.(e));
  ws.on('message', (data) => {
    const text = data.toString();
    if (delayMs === 0) s.onmessage?.({ data: text });
    else
      delivered = delivered
        .then(() => new Promise((r) => setTimeout(r, delayMs)))
        .then(() => s.onmessage?.({ data: text }));
  });
  return s;
}

class Harness {
  readonly events: EngineEvent[] = [];
  /** When each of `events` came, by the engine's clock. */
  readonly times: number[] = [];
  readonly engine: Engine;
  private waiters: (() => void)[] = [];
  readonly windows = new Map<number, ViewWindow>();
  readonly states = new Map<number, ViewState>();
  readonly changes: ChangeEntry[] = [];
  /** Windows the harness could not rebuild and asked for again. */
  refreshes = 0;
  /** Every message the engine sent on its sockets. */
  readonly sent: string[] = [];
  private readonly shown = new Set<number>();

  /**
   * `says.shown`: whether it tells the engine when a view's first rows are shown, as the page does after
   * painting. `link.delayMs`: a slow link (see `nodeSocket`); `link.clock`: the engine's clock, read by the
   * engine with `now` and by the harness, for `times`, with `peek`.
   */
  constructor(
    readonly says: { shown: boolean } = { shown: true },
    link: { delayMs?: number; clock?: { now: () => number; peek: () => number } } = {},
  ) {
    this.engine = new Engine({
      ...(link.clock ? { now: link.clock.now } : {}),
      createSocket: (url, protocols) => {
        const s = nodeSocket(url, protocols, link.delayMs);
        const send = s.send.bind(s);
        s.send = (d) => {
          this.sent.push(d);
          send(d);
        };
        return s;
      },
      fetch: (url, init) => fetch(url, init),
      post: (ev) => {
        this.events.push(ev);
        this.times.push(link.clock?.peek() ?? Date.now());
        // As the page does: rebuild the window from the one before, or ask for it whole.
        if (ev.type === 'view.window') {
          const w = applyWindow(this.windows.get(ev.view), ev.window);
          if (w) this.windows.set(ev.view, w);
          else {
            this.refreshes++;
            queueMicrotask(() => this.engine.handle({ type: 'view.refresh', view: ev.view }));
          }
          if (this.says.shown && ev.window.rows.length > 0 && !this.shown.has(ev.view)) {
            this.shown.add(ev.view);
            setTimeout(() => this.engine.handle({ type: 'view.shown', view: ev.view }), 0);
          }
        }
        if (ev.type === 'view.state') this.states.set(ev.view, ev.state);
        if (ev.type === 'changes') this.changes.push(...ev.entries);
        for (const w of this.waiters.splice(0)) w();
      },
    });
  }

  /** Opens view `view` of an OVN_Northbound table on the remote `nb`, unfiltered and in its default order. */
  open(view: number, table: string): void {
    this.engine.handle({
      type: 'view.open',
      view,
      target: { remote: 'nb', db: NB, table },
      spec: { filter: '', sort: [] },
    });
  }

  names(view: number): string[] {
    return (this.windows.get(view)?.rows ?? []).filter((r) => r.mark?.kind !== 'delete').map((r) => String(r.row.name));
  }

  async until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; last events: ${JSON.stringify(this.events.slice(-3), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 800)}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

const nbctl = (...args: string[]) => ovnNbctl(server.unixRemote!, ...args);

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  await nbctl('ls-add', 'sw0', '--', 'ls-add', 'sw1');
  for (const [i, sw] of ['sw0', 'sw0', 'sw1'].entries())
    await nbctl('lsp-add', sw, `p${i}`, '--', 'lsp-set-addresses', `p${i}`, `00:00:00:00:00:0${i + 1} 10.0.0.${i + 1}`);
});
afterAll(async () => server?.stop());

describe('engine against the gateway and ovsdb-server', () => {
  let gw: { app: FastifyInstance; url: string };
  let h: Harness;
  beforeAll(async () => {
    gw = await startGateway();
    h = new Harness();
    h.engine.handle({ type: 'connect', base: gw.url, token: undefined });
  });
  afterAll(async () => gw.app.close());

  it('shows a table sorted by name, then follows inserts, changes and deletes with marks', async () => {
    h.open(1, 'Logical_Switch_Port');
    await h.until('the first window', () => h.names(1).length === 3);
    expect(h.names(1)).toEqual(['p0', 'p1', 'p2']);
    expect(h.states.get(1)).toMatchObject({
      phase: 'live',
      total: 3,
      count: 3,
      sort: [{ column: 'name', desc: false }],
    });

    await nbctl('lsp-add', 'sw1', 'p00');
    await h.until('the insert', () => h.names(1).includes('p00'));
    expect(h.names(1)).toEqual(['p0', 'p00', 'p1', 'p2']);
    expect(h.windows.get(1)!.rows.find((r) => r.row.name === 'p00')!.mark).toMatchObject({ kind: 'insert' });

    await nbctl('set', 'Logical_Switch_Port', 'p1', 'external_ids:owner=me');
    await h.until('the change', () =>
      h.windows.get(1)!.rows.some((r) => r.row.name === 'p1' && r.mark?.kind === 'modify'),
    );
    expect(h.windows.get(1)!.rows.find((r) => r.row.name === 'p1')!.mark!.columns).toContain('external_ids');

    await nbctl('lsp-del', 'p00');
    await h.until('the delete to show as fading', () =>
      h.windows.get(1)!.rows.some((r) => r.row.name === 'p00' && r.mark?.kind === 'delete'),
    );
    expect(h.states.get(1)!.count).toBe(3);
    await h.until('the faded row to go', () => !h.windows.get(1)!.rows.some((r) => r.row.name === 'p00'), 5_000);
  });

  it('a window overlapping the one before names the rows the page holds instead of sending them again', async () => {
    const sentWindows = () => h.events.flatMap((e) => (e.type === 'view.window' && e.view === 9 ? [e.window] : []));
    h.open(9, 'Logical_Switch_Port');
    h.engine.handle({ type: 'view.range', view: 9, start: 0, end: 2, anchor: undefined });
    await h.until('rows 0 and 1', () => h.windows.get(9)?.start === 0 && h.names(9).join() === 'p0,p1');
    const before = h.windows.get(9)!;
    h.engine.handle({ type: 'view.range', view: 9, start: 1, end: 3, anchor: undefined });
    await h.until('rows 1 and 2', () => h.windows.get(9)?.start === 1);
    expect(
      sentWindows()
        .at(-1)!
        .rows.map((r) => 'kept' in r),
    ).toEqual([true, false]);
    expect(h.names(9)).toEqual(['p1', 'p2']);
    // The page keeps its own object for the row it held: the grid does not render it again.
    expect(h.windows.get(9)!.rows[0]).toBe(before.rows[1]);

    // A page that does not hold what a window names asks again, and gets the next window whole.
    h.windows.delete(9);
    h.engine.handle({ type: 'view.range', view: 9, start: 0, end: 2, anchor: undefined });
    await h.until('the window whole', () => h.windows.get(9)?.start === 0);
    expect(h.refreshes).toBe(1);
    expect(h.names(9)).toEqual(['p0', 'p1']);
    expect(
      sentWindows()
        .at(-1)!
        .rows.some((r) => 'kept' in r),
    ).toBe(false);
    h.engine.handle({ type: 'view.close', view: 9 });
  });

  it('filters with free text, find clauses and conditions, and says where a filter is wrong', async () => {
    const spec = (filter: string) => h.engine.handle({ type: 'view.spec', view: 1, spec: { filter, sort: [] } });
    spec('10.0.0.3');
    await h.until('free text', () => h.states.get(1)!.count === 1 && h.names(1).join() === 'p2');
    spec('addresses{>=}"00:00:00:00:00:01 10.0.0.1"');
    await h.until('a find clause', () => h.names(1).join() === 'p0');
    spec('[["name","==","p1"]]');
    await h.until('conditions', () => h.names(1).join() === 'p1');
    spec('p tag_request=many');
    await h.until('a problem', () => h.states.get(1)!.problem !== undefined);
    expect(h.states.get(1)!.problem).toEqual({ message: '"many" is not an integer', offset: 14, length: 4 });
    expect(h.states.get(1)!.count).toBe(0);
    h.engine.handle({ type: 'view.spec', view: 1, spec: { filter: '', sort: [{ column: 'name', desc: true }] } });
    await h.until('descending order', () => h.names(1).join() === 'p2,p1,p0');
  });

  it('a paused view keeps what it shows and counts what is pending; resume applies it', async () => {
    h.engine.handle({ type: 'view.pause', view: 1 });
    await h.until('paused', () => h.states.get(1)!.paused);
    await nbctl('lsp-add', 'sw0', 'p9');
    await nbctl('lsp-del', 'p0');
    await h.until('pending', () => h.states.get(1)!.pending === 2);
    expect(h.names(1)).toEqual(['p2', 'p1', 'p0']);
    h.engine.handle({ type: 'view.resume', view: 1 });
    await h.until('resumed', () => h.names(1).join() === 'p9,p2,p1' && !h.states.get(1)!.paused);
  });

  it('names the rows a reference points to', async () => {
    h.open(2, 'Logical_Switch');
    await h.until('switches with port names', () => Object.values(h.windows.get(2)?.labels ?? {}).includes('p9'));
    expect(Object.values(h.windows.get(2)!.labels).sort()).toEqual(['p1', 'p2', 'p9']);
  });

  it('watches one row and streams the change log with old and new values', async () => {
    h.engine.handle({ type: 'changes.watch', watch: 7, remote: 'nb', db: NB });
    const p1 = h.windows.get(1)!.rows.find((r) => r.row.name === 'p1')!;
    h.engine.handle({
      type: 'row.watch',
      watch: 3,
      target: { remote: 'nb', db: NB, table: 'Logical_Switch_Port' },
      uuid: p1.uuid,
    });
    await h.until('the watched row', () =>
      h.events.some((e) => e.type === 'row' && e.watch === 3 && e.row?.name === 'p1'),
    );
    await new Promise((r) => setTimeout(r, 200));
    await nbctl('set', 'Logical_Switch_Port', 'p1', 'tag_request=7');
    await h.until('the row update', () =>
      h.events.some((e) => e.type === 'row' && e.watch === 3 && e.changedColumns?.includes('tag_request')),
    );
    await h.until('the change log entry', () => h.changes.some((c) => c.uuid === p1.uuid && c.kind === 'modify'));
    const entry = h.changes.find((c) => c.uuid === p1.uuid && c.kind === 'modify')!;
    expect(entry.label).toBe('p1');
    expect(entry.changes).toEqual([{ column: 'tag_request', old: ['set', []], new: 7 }]);
  });

  it('finds rows anywhere in the view and exports exactly the filtered rows', async () => {
    h.engine.handle({ type: 'view.spec', view: 1, spec: { filter: 'sw', sort: [] } });
    h.engine.handle({ type: 'view.spec', view: 1, spec: { filter: '10.0.0', sort: [] } });
    await h.until('filtered', () => h.states.get(1)!.count === 2);
    const reply = new Promise<EngineEvent>((resolve) => {
      const t = setInterval(() => {
        const r = h.events.find((e) => e.type === 'reply' && e.req === 42);
        if (r) {
          clearInterval(t);
          resolve(r);
        }
      }, 10);
    });
    h.engine.handle({ type: 'view.export', view: 1, req: 42, format: 'csv', columns: ['name', 'addresses'] });
    const r = await reply;
    if (r.type !== 'reply' || r.result.kind !== 'export') throw new Error('no export');
    expect(r.result.rows).toBe(2);
    expect(
      r.result.text
        .split('\r\n')
        .slice(1, 3)
        .map((l) => l.split(',')[1]),
    ).toEqual(['p1', 'p2']);
    expect(r.result.text).toContain('"[""00:00:00:00:00:03 10.0.0.3""]"');
  });

  it('shows the first rows of a large table while its snapshot still arrives, then all of them in order', async () => {
    // More rows than one snapshot chunk (500), created in one ovn-nbctl run, in reverse name order.
    const n = 1_600;
    const name = (i: number): string => `as${String(i).padStart(4, '0')}`;
    const args: string[] = [];
    for (let i = n - 1; i >= 0; i--) args.push('--', 'create', 'Address_Set', `name=${name(i)}`);
    await nbctl(...args.slice(1));
    // The gateway learns of them through its monitor, a moment after ovn-nbctl returns: the snapshot must hold them.
    const held = async (): Promise<number> => {
      const res = await fetch(`${gw.url}/api/v1/remotes/nb/dbs/${NB}/tables/Address_Set/rows?limit=1`);
      return ((await res.json()) as { total: number }).total;
    };
    for (let tries = 0; (await held()) !== n; tries++) {
      if (tries === 200) throw new Error(`the gateway does not hold the ${n} address sets after 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const from = h.events.length;
    h.open(9, 'Address_Set');
    await h.until('the complete table', () => h.states.get(9)?.phase === 'live' && h.states.get(9)?.count === n);
    const loading = h.events
      .slice(from)
      .flatMap((e) => (e.type === 'view.state' && e.view === 9 && e.state.phase === 'loading' ? [e.state] : []));
    // Counted as the chunks came: some rows were there to show before the last chunk.
    expect(loading.some((st) => st.count > 0 && st.count < n)).toBe(true);
    // The first rows went to the page before the snapshot was complete (not held back until its later chunks).
    const firstRows = h.events.findIndex(
      (e, i) => i >= from && e.type === 'view.window' && e.view === 9 && e.window.rows.length > 0,
    );
    const live = h.events.findIndex(
      (e, i) => i >= from && e.type === 'view.state' && e.view === 9 && e.state.phase === 'live',
    );
    expect(firstRows).toBeGreaterThan(-1);
    expect(firstRows).toBeLessThan(live);
    h.engine.handle({ type: 'view.range', view: 9, start: 0, end: 50, anchor: undefined });
    const top = Array.from({ length: 50 }, (_, i) => name(i)).join(' ');
    await h.until('the top rows', () => h.names(9).slice(0, 50).join(' ') === top);
    expect(h.windows.get(9)!.rows.every((r) => r.mark === undefined)).toBe(true);
    h.engine.handle({ type: 'view.close', view: 9 });
  });

  it('has the gateway hold the rest of a first snapshot until the page shows its first rows, or a second', async () => {
    // The 1,600 address sets of the test before.
    const target = { remote: 'nb', db: NB, table: 'Address_Set' };
    const quiet = new Harness({ shown: false });
    quiet.engine.handle({ type: 'connect', base: gw.url, token: undefined });
    const continues = (): number =>
      quiet.sent.filter((m) => (JSON.parse(m) as { type: string }).type === 'snapshot-continue').length;
    quiet.open(1, target.table);
    await quiet.until('the first rows', () => quiet.names(1).length > 0);
    const subscribe = quiet.sent
      .map((m) => JSON.parse(m) as { type: string; tables?: string[]; holdSnapshot?: boolean })
      .find((m) => m.type === 'subscribe' && m.tables?.includes('Address_Set'));
    expect(subscribe?.holdSnapshot).toBe(true);
    // Only the first chunk (500 rows) until the page says it has shown them; then the rest comes.
    expect(quiet.states.get(1)).toMatchObject({ phase: 'loading', total: 500 });
    expect(continues()).toBe(0);
    quiet.engine.handle({ type: 'view.shown', view: 1 });
    expect(continues()).toBe(1);
    await quiet.until('the whole table', () => quiet.states.get(1)?.phase === 'live');
    expect(quiet.states.get(1)?.count).toBe(1_600);
    quiet.engine.handle({ type: 'view.close', view: 1 });

    // A page that never says (a hidden tab does not paint): the engine asks for the rest after a second.
    quiet.open(2, target.table);
    await quiet.until('the whole table without view.shown', () => quiet.states.get(2)?.phase === 'live');
    expect(quiet.states.get(2)?.count).toBe(1_600);
    expect(continues()).toBe(2);
    quiet.engine.handle({ type: 'view.close', view: 2 });
  });

  it('redraws the rows on screen only every few seconds while a first snapshot arrives, and counts what came', async () => {
    // The 1,600 address sets again (four chunks), over a slow link (each chunk 40 ms after the one before) and a
    // clock that moves a second at each reading: every chunk is past the once-a-second count of a loading view.
    let t = 0;
    const clock = { now: () => (t += 1_000), peek: () => t };
    const slow = new Harness({ shown: true }, { delayMs: 40, clock });
    slow.engine.handle({ type: 'connect', base: gw.url, token: undefined });
    slow.open(1, 'Address_Set');
    // As the page does once it shows rows: the rows it shows, its top one named as the anchor to keep in place.
    await slow.until('the first rows', () => slow.names(1).length === 50);
    const shownTop = slow.windows.get(1)?.rows[0]?.uuid;
    slow.engine.handle({ type: 'view.range', view: 1, start: 0, end: 50, anchor: shownTop });
    await slow.until('the whole table', () => slow.states.get(1)?.phase === 'live');
    const live = slow.events.findIndex((e) => e.type === 'view.state' && e.view === 1 && e.state.phase === 'live');
    // Windows with rows while loading (an empty one may go first: the view opened before any row came): the
    // first screenful, then at most one per 5 s of the engine's clock.
    const drawn = slow.events.flatMap((e, i) =>
      i < live && e.type === 'view.window' && e.view === 1 && e.window.rows.length > 0 ? [slow.times[i] ?? 0] : [],
    );
    expect(drawn.length).toBeGreaterThan(0);
    for (let i = 1; i < drawn.length; i++) expect((drawn[i] ?? 0) - (drawn[i - 1] ?? 0)).toBeGreaterThanOrEqual(5_000);
    // The rows so far went out as the chunks came, more often than the rows on screen; the view's count (the
    // grid's height) with each window, not in between.
    const states = slow.events.flatMap((e, i) =>
      i < live && e.type === 'view.state' && e.view === 1 ? [e.state] : [],
    );
    expect(states.filter((st) => st.total > 500 && st.total < 1_600).length).toBeGreaterThan(drawn.length - 1);
    expect(new Set(states.map((st) => st.count)).size).toBeLessThanOrEqual(drawn.length + 1);
    // Once complete, the true first rows.
    const top = Array.from({ length: 50 }, (_, i) => `as${String(i).padStart(4, '0')}`).join(' ');
    await slow.until('the top rows', () => slow.names(1).join(' ') === top);
    // ... where the page stays: the row that was on top while loading is not kept in place (the page would
    // scroll down to it), unless it is the table's top row anyway.
    const anchorIndex = slow.windows.get(1)?.anchorIndex;
    expect(anchorIndex === undefined || anchorIndex === 0, `anchorIndex ${anchorIndex}`).toBe(true);
    // The connection indicator said "loading" (naming the table) while the rows came, "live" once they all had.
    const indicator = (upTo: number) => slow.events.flatMap((e, i) => (i < upTo && e.type === 'connection' ? [e] : []));
    const whileLoading = indicator(live);
    expect(whileLoading.at(-1)?.state).toBe('loading');
    expect(whileLoading.at(-1)?.detail).toContain('Address_Set');
    expect(whileLoading.some((e) => e.state === 'live')).toBe(false);
    expect(indicator(slow.events.length).at(-1)?.state).toBe('live');
    slow.engine.handle({ type: 'view.close', view: 1 });
  });
});

describe('early start', () => {
  it('a table prefetched before its view opens is subscribed once; connecting again with the same token keeps it', async () => {
    const gw = await startGateway();
    const h = new Harness();
    try {
      // A gateway still connecting to OVSDB refuses subscriptions as unavailable (the engine asks again later).
      for (let tries = 0; ; tries++) {
        const res = await fetch(`${gw.url}/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows?limit=1`);
        if (res.status === 200) break;
        if (tries === 200) throw new Error(`the gateway is not ready after 10 s (${res.status})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const target = { remote: 'nb', db: NB, table: 'Logical_Switch' };
      h.engine.handle({ type: 'connect', base: gw.url, token: undefined });
      h.engine.handle({ type: 'table.prefetch', target });
      // What the page does once whoami answers: the same gateway and token.
      h.engine.handle({ type: 'connect', base: gw.url, token: undefined });
      h.open(1, target.table);
      await h.until('switches', () => h.names(1).join() === 'sw0,sw1');
      // (The view also subscribes to the tables its references point to, for their names.)
      const subscribes = h.sent.filter((m) => {
        const msg = JSON.parse(m) as { type: string; tables?: string[] };
        return msg.type === 'subscribe' && msg.tables?.includes('Logical_Switch') === true;
      });
      expect(subscribes).toHaveLength(1);
      expect(h.events.filter((e) => e.type === 'connection' && e.state === 'connecting').length).toBeLessThanOrEqual(1);
      // Another token is another session: the connection starts over and the view subscribes on it.
      h.engine.handle({ type: 'connect', base: gw.url, token: 'another' });
      h.engine.handle({ type: 'view.close', view: 1 });
    } finally {
      await gw.app.close();
    }
  });
});

describe('resilience', () => {
  it('after the gateway restarts, the view resumes and shows what changed meanwhile', async () => {
    const gw = await startGateway();
    const port = Number(new URL(gw.url).port);
    const h = new Harness();
    h.engine.handle({ type: 'connect', base: gw.url, token: undefined });
    h.open(1, 'Logical_Switch');
    await h.until('switches', () => h.names(1).join() === 'sw0,sw1');
    await gw.app.close();
    await h.until('reconnecting', () => h.events.some((e) => e.type === 'connection' && e.state === 'reconnecting'));
    await nbctl('ls-add', 'sw-while-gateway-down');
    const again = await startGateway(port);
    try {
      await h.until('the change made meanwhile', () => h.names(1).join() === 'sw-while-gateway-down,sw0,sw1', 20_000);
      await h.until(
        'live again',
        () =>
          h.events.at(-1)?.type !== 'connection' ||
          (h.events.filter((e) => e.type === 'connection').at(-1) as { state: string }).state === 'live',
      );
    } finally {
      await again.app.close();
    }
  });

  it('after ovsdb-server restarts, the view shows the true state', async () => {
    const gw = await startGateway();
    const h = new Harness();
    h.engine.handle({ type: 'connect', base: gw.url, token: undefined });
    h.open(1, 'Logical_Switch');
    await h.until('switches', () => h.names(1).includes('sw0'));
    try {
      await server.restart({
        whileDown: async () => {
          const { execFileSync } = await import('node:child_process');
          execFileSync('ovsdb-tool', [
            'transact',
            server.dbPath(NB),
            JSON.stringify([NB, { op: 'insert', table: 'Logical_Switch', row: { name: 'born-offline' } }]),
          ]);
        },
      });
      await h.until('the row born while the server was down', () => h.names(1).includes('born-offline'), 20_000);
    } finally {
      await gw.app.close();
    }
  });
});
