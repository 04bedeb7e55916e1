/**
 * The fault suite's harness (faults.ovsdb.test.ts): a crowd of WebSocket subscribers with different
 * subscriptions, the checks that make "nothing lost, nothing twice" precise, and a writer that drives
 * churn through `ovn-nbctl` and through the client library at once. Nothing here knows how a fault is
 * made; the tests inject them between `start` and `finish` of a churn run.
 */
import {
  evaluateConditions,
  parseConditions,
  parseJson,
  rowFromWire,
  type DatabaseSchema,
  type Json,
  type OvsdbClient,
  type WireCondition,
} from '@ovsdb-web/client';
import type { ServerMessage, SubscriptionState } from '@ovsdb-web/protocol';
import { runChurn, type ChurnStats } from '@ovsdb-web/server/sample';
import type { FastifyInstance } from 'fastify';
import { buildApp, type Gateway } from './app.js';
import type { GatewayConfig } from './config.js';
import type { StreamLimits } from './stream/session.js';
import { StreamClient, canonical, canonicalDump, sameStore, type Store } from './test-support.js';

export const NB = 'OVN_Northbound';

/** Longer churn and more rounds for `scripts/faults.mjs` (FAULT_SCALE, FAULT_ROUNDS); FAULT_REPORT=1 prints each run. */
export const SCALE = Math.max(1, Number(process.env.FAULT_SCALE ?? 1));
export const ROUNDS = Math.max(1, Number(process.env.FAULT_ROUNDS ?? (SCALE > 1 ? 3 : 1)));
export const REPORT = process.env.FAULT_REPORT === '1';
/** WebSocket subscribers per fault run. */
export const SUBSCRIBERS = 20;

export interface SubscriberSpec {
  id: string;
  tables: string[];
  where?: Record<string, WireCondition[]>;
  columns?: Record<string, string[]>;
}

/** What the subscribers ask for: whole tables, a projection, a filter rows enter and leave, several tables. */
export const SUBSCRIBER_SPECS: readonly SubscriberSpec[] = [
  { id: 'all', tables: ['Logical_Switch', 'Logical_Switch_Port', 'Port_Group', 'ACL', 'Address_Set'] },
  {
    id: 'ports',
    tables: ['Logical_Switch_Port'],
    columns: { Logical_Switch_Port: ['name', 'addresses', 'external_ids'] },
  },
  {
    id: 'blue',
    tables: ['Logical_Switch_Port'],
    where: { Logical_Switch_Port: [['external_ids', 'includes', ['map', [['team', 'blue']]]]] },
  },
  { id: 'policy', tables: ['ACL', 'Port_Group', 'Address_Set'] },
];

export type Dump = Record<string, Record<string, Record<string, unknown>>>;

/** The rows a subscription should hold, from `ovsdb-client dump`: its tables, filtered and projected. */
export function expectedStore(schema: DatabaseSchema, spec: SubscriberSpec, dump: Dump): Store {
  const out: Store = {};
  for (const table of spec.tables) {
    const t = schema.tables.get(table);
    if (!t) throw new Error(`no table ${table}`);
    const where = spec.where?.[table];
    const conds = where ? parseConditions(t, where) : undefined;
    const cols = spec.columns?.[table];
    const rows: Record<string, string> = {};
    for (const [uuid, wire] of Object.entries(dump[table] ?? {})) {
      if (
        conds &&
        !evaluateConditions(conds, rowFromWire(t, { ...(wire as Record<string, Json>), _uuid: ['uuid', uuid] }), 'all')
      )
        continue;
      const projected = cols ? Object.fromEntries(Object.entries(wire).filter(([k]) => cols.includes(k))) : wire;
      rows[uuid] = canonical(schema, table, projected);
    }
    out[table] = rows;
  }
  return out;
}

/** Canonical text of each row a subscriber holds, cached per row object (rows are never mutated). */
const canonicalCache = new WeakMap<object, string>();
function subscriberStore(schema: DatabaseSchema, state: SubscriptionState): Store {
  const out: Store = {};
  for (const [table, rows] of state.rows) {
    const t: Record<string, string> = (out[table] = {});
    for (const [uuid, row] of rows) {
      let text = canonicalCache.get(row);
      if (text === undefined) canonicalCache.set(row, (text = canonical(schema, table, row)));
      t[uuid] = text;
    }
  }
  return out;
}

/** Tables any subscriber watches. */
export const WATCHED_TABLES = [...new Set(SUBSCRIBER_SPECS.flatMap((s) => s.tables))];

/**
 * `ovsdb-client dump` leaves `_version` out; `selectVersions` (the server's own `ovsdb-client transact`,
 * one `select` of `_uuid` and `_version` per watched table) gives it, merged into the dump here.
 */
export async function dumpWithVersions(
  dump: () => Promise<Dump>,
  selectVersions: (ops: Record<string, string | string[]>[]) => Promise<unknown[]>,
): Promise<Dump> {
  const d = await dump();
  const results = await selectVersions(
    WATCHED_TABLES.map((table) => ({ op: 'select', table, where: [], columns: ['_uuid', '_version'] })),
  );
  WATCHED_TABLES.forEach((table, i) => {
    const rows = (results[i] as { rows?: { _uuid: [string, string]; _version: unknown }[] } | undefined)?.rows ?? [];
    for (const r of rows) {
      const row = d[table]?.[r._uuid[1]];
      if (row) row._version = r._version;
    }
  });
  return d;
}

/** Rows whose `_version` differs from the dump's. */
function versionDiff(state: SubscriptionState, dump: Dump, max = 5): string[] {
  const out: string[] = [];
  for (const [table, rows] of state.rows) {
    for (const [uuid, row] of rows) {
      const want = JSON.stringify(dump[table]?.[uuid]?._version);
      const got = JSON.stringify(row._version);
      if (got !== want) out.push(`${table} ${uuid}: _version ${got}, dump has ${want}`);
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** First differences between two stores, for a failure message. */
export function storeDiff(got: Store, want: Store, max = 5): string[] {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(got), ...Object.keys(want)])) {
    const a = got[table] ?? {};
    const b = want[table] ?? {};
    for (const uuid of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[uuid] === b[uuid]) continue;
      out.push(
        `${table} ${uuid}: ${a[uuid] === undefined ? 'missing' : b[uuid] === undefined ? 'extra' : `has ${a[uuid].slice(0, 200)}\n      want ${b[uuid].slice(0, 200)}`}`,
      );
      if (out.length >= max) return out;
    }
  }
  return out;
}

/**
 * Order problems in what one connection received for subscription `id`: every delta must belong to the
 * epoch it was subscribed in and carry a seq above everything applied before it (the snapshot's, the
 * previous delta's, or the `since` it resumed from); a snapshot never goes back in time; no errors.
 */
export function sequenceProblems(messages: readonly ServerMessage[], id: string, since?: number): string[] {
  const problems: string[] = [];
  let epoch: string | undefined;
  let floor = since ?? -1;
  for (const m of messages) {
    if (!('id' in m) || m.id !== id) continue;
    switch (m.type) {
      case 'subscribed':
        epoch = m.epoch;
        if (!m.resumed) floor = -1;
        break;
      case 'snapshot':
        if (m.epoch !== epoch) problems.push(`${id}: snapshot from epoch ${m.epoch}, subscribed in ${epoch}`);
        if (m.last) {
          if (m.seq < floor) problems.push(`${id}: snapshot at seq ${m.seq} after seq ${floor} was applied`);
          floor = m.seq;
        }
        break;
      case 'delta':
        if (m.epoch !== epoch) problems.push(`${id}: delta from epoch ${m.epoch}, subscribed in ${epoch}`);
        if (m.seq <= floor) problems.push(`${id}: delta seq ${m.seq} not above ${floor} (sent twice or out of order)`);
        floor = m.seq;
        break;
      case 'error':
        problems.push(`${id}: error ${m.error.code}: ${m.error.message}`);
        break;
      default:
        break;
    }
  }
  return problems;
}

/** One browser: a connection with one or two subscriptions, and the `since` each resumed from. */
interface Member {
  client: StreamClient;
  specs: SubscriberSpec[];
  since: Map<string, number | undefined>;
  /** Earlier connections of this browser (before a reconnect), kept for the sequence checks. */
  past: { client: StreamClient; since: Map<string, number | undefined> }[];
}

const DEFAULT_WAIT_MS = 20_000;

export class Subscribers {
  readonly members: Member[] = [];

  constructor(
    private readonly schema: DatabaseSchema,
    readonly count: number,
  ) {}

  private specsFor(i: number): SubscriberSpec[] {
    const first = SUBSCRIBER_SPECS[i % SUBSCRIBER_SPECS.length] as SubscriberSpec;
    // Every fifth browser holds a second subscription on the same connection.
    const second = i % 5 === 4 ? [SUBSCRIBER_SPECS[(i + 1) % SUBSCRIBER_SPECS.length] as SubscriberSpec] : [];
    return [first, ...second];
  }

  /** Open `count` connections to `url`, subscribe, and wait for every snapshot. */
  async start(url: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    for (let i = 0; i < this.count; i++) {
      const client = new StreamClient(url, this.schema);
      this.members.push({ client, specs: this.specsFor(i), since: new Map(), past: [] });
    }
    await Promise.all(this.members.map((m) => m.client.opened()));
    for (const m of this.members) for (const s of m.specs) m.client.subscribe({ remote: 'nb', db: NB, ...s });
    await this.snapshots(timeoutMs);
  }

  private async snapshots(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const m of this.members) {
      for (const s of m.specs)
        await m.client.waitFor(
          () => m.client.state(s.id).phase === 'live',
          Math.max(1, deadline - Date.now()),
          `snapshot of ${s.id}`,
        );
    }
  }

  /**
   * Every browser reconnects to `url` (the same gateway after a dropped connection, or a restarted one) and
   * subscribes again with `since` from the state it had applied. `drop` closes the old connections first
   * (terminate: a network failure; the gateway may already have closed them).
   */
  async reconnect(url: string, opts: { drop?: boolean; timeoutMs?: number } = {}): Promise<void> {
    for (const m of this.members) {
      if (opts.drop) m.client.ws.terminate();
      m.past.push({ client: m.client, since: m.since });
    }
    await Promise.all(
      this.members.map(async (m) => {
        const old = m.client;
        m.client = new StreamClient(url, this.schema);
        m.since = new Map(m.specs.map((s) => [s.id, old.state(s.id).cursor?.seq]));
        await m.client.opened();
        for (const s of m.specs) m.client.subscribe({ remote: 'nb', db: NB, ...s }, old.state(s.id));
      }),
    );
    await this.snapshots(opts.timeoutMs ?? DEFAULT_WAIT_MS);
  }

  /** Browsers `indices` stop reading their socket (a frozen tab); call the result to let them read again. */
  pauseReading(indices: readonly number[]): () => void {
    // ws.pause(), not the socket's: ws resumes a paused socket itself once its receiver drains.
    const sockets = indices.flatMap((i) => (this.members[i] ? [this.members[i].client.ws] : []));
    for (const s of sockets) s.pause();
    return () => {
      for (const s of sockets) s.resume();
    };
  }

  /** `subscribed` answers of the current connections: how many resumed (only deltas) and how many got a snapshot. */
  resumedCounts(): { resumed: number; fresh: number } {
    let resumed = 0;
    let fresh = 0;
    for (const m of this.members) {
      for (const msg of m.client.messages) {
        if (msg.type !== 'subscribed') continue;
        if (msg.resumed) resumed++;
        else fresh++;
      }
    }
    return { resumed, fresh };
  }

  /** Every sequence problem and every message the reducer ignored, on every connection so far. */
  problems(): string[] {
    const out: string[] = [];
    for (const [i, m] of this.members.entries()) {
      for (const c of [...m.past, { client: m.client, since: m.since }]) {
        for (const s of m.specs)
          out.push(...sequenceProblems(c.client.messages, s.id, c.since.get(s.id)).map((p) => `browser ${i}: ${p}`));
        out.push(
          ...c.client.ignored.map(
            (x) =>
              `browser ${i}: ${x.id}: ${x.type}${x.seq !== undefined ? ` seq ${x.seq}` : ''} ignored by the reducer: ${x.reason}`,
          ),
        );
      }
    }
    return out;
  }

  /** Deltas received in total (all connections), to show the stream really ran; and those marked `resync`. */
  deltaCount(): { deltas: number; resync: number; resyncNotices: number } {
    const out = { deltas: 0, resync: 0, resyncNotices: 0 };
    for (const m of this.members) {
      for (const c of [...m.past.map((p) => p.client), m.client]) {
        for (const x of c.messages) {
          if (x.type === 'delta') {
            out.deltas++;
            if (x.resync) out.resync++;
          } else if (x.type === 'resync') out.resyncNotices++;
        }
      }
    }
    return out;
  }

  /**
   * Wait until every subscription equals the dump (deadline `timeoutMs`); throws with the first
   * differences of the first subscriber that did not get there.
   */
  async converge(dump: Dump, timeoutMs = DEFAULT_WAIT_MS, checkVersions = true): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const want = new Map(SUBSCRIBER_SPECS.map((s) => [s.id, expectedStore(this.schema, s, dump)]));
    for (const [i, m] of this.members.entries()) {
      for (const s of m.specs) {
        const expected = want.get(s.id) as Store;
        const got = (): Store => subscriberStore(this.schema, m.client.state(s.id));
        // Whole rows also carry the current `_version` (after a server restart every row has a new one). A
        // projected subscription's `_version` is the one of the last change to a column it asked for.
        const versionsOk = (): boolean =>
          !checkVersions || s.columns !== undefined || versionDiff(m.client.state(s.id), dump).length === 0;
        for (;;) {
          if (sameStore(got(), expected) && versionsOk()) break;
          if (Date.now() > deadline) {
            throw new Error(
              `browser ${i} subscription ${s.id} did not converge with ovsdb-client dump:\n  ${[...storeDiff(got(), expected), ...versionDiff(m.client.state(s.id), dump)].join('\n  ')}`,
            );
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  }

  close(): void {
    for (const m of this.members) {
      for (const c of [...m.past.map((p) => p.client), m.client]) c.ws.terminate();
    }
  }
}

// ---- the writer ------------------------------------------------------------------------------------

export type Nbctl = (remote: string, ...args: string[]) => Promise<string>;

export interface ChurnPlan {
  /** The sample churn through the client library: changes per second and for how long. */
  rate: number;
  durationMs: number;
  /** ovn-nbctl invocations (each several commands), one after another, over about the same time. */
  nbctlSteps: number;
  /** Gives up retrying a failed ovn-nbctl step after this long. */
  deadlineMs: number;
  seed: number;
  /** Names ovn-nbctl's rows (ports, ACL priorities), so runs do not collide. */
  prefix: string;
}

export interface ChurnRun {
  /** Resolves once `steps` ovn-nbctl steps have committed (or the run ended). */
  reached(steps: number): Promise<void>;
  readonly done: Promise<{ churn: ChurnStats; nbctlSteps: number; nbctlRetries: number }>;
}

/**
 * Both kinds of churn at once: `runChurn` (pods, ACLs, address sets, through `writer`) and ovn-nbctl
 * steps on switch `ls-faults` and port group `pg_faults` (ports added, tagged `team=blue` and untagged,
 * re-addressed and deleted; ACLs added). Every ovn-nbctl step is idempotent (`--may-exist`,
 * `--if-exists`), so a retry after a failure whose outcome was unknown does no harm.
 */
export function startChurn(writer: OvsdbClient, nbctl: Nbctl, remote: string, plan: ChurnPlan): ChurnRun {
  let steps = 0;
  let retries = 0;
  let waiters: { steps: number; resolve: () => void }[] = [];
  const wake = (): void => {
    waiters = waiters.filter((w) => (w.steps <= steps ? (w.resolve(), false) : true));
  };
  const port = (k: number): string => `${plan.prefix}-${k}`;
  const mac = (k: number): string =>
    `0a:00:${((plan.seed * 7) & 255).toString(16).padStart(2, '0')}:00:${((k >> 8) & 255).toString(16).padStart(2, '0')}:${(k & 255).toString(16).padStart(2, '0')}`;
  const step = (k: number): string[] => {
    const cmds = [
      ['--may-exist', 'lsp-add', 'ls-faults', port(k)],
      ['lsp-set-addresses', port(k), mac(k)],
      k % 2 === 0
        ? ['set', 'Logical_Switch_Port', port(k), 'external_ids:team=blue']
        : ['set', 'Logical_Switch', 'ls-faults', `other_config:step=${plan.prefix}-${k}`],
      k >= 2
        ? ['--if-exists', 'remove', 'Logical_Switch_Port', port(k - 2), 'external_ids', 'team']
        : ['set', 'Logical_Switch_Port', port(k), 'external_ids:first=yes'],
      ['--if-exists', 'lsp-del', port(k - 4)],
    ];
    if (k % 3 === 0)
      cmds.push([
        '--may-exist',
        'acl-add',
        'pg_faults',
        'to-lport',
        String(100 + (plan.seed % 50) * 100 + (k % 100)),
        `outport == @pg_faults && tcp.dst == ${1000 + k}`,
        'allow-related',
      ]);
    return cmds.flatMap((c, i) => (i === 0 ? c : ['--', ...c]));
  };
  let ended = false;
  const nbctlRun = async (): Promise<void> => {
    const deadline = Date.now() + plan.deadlineMs;
    const pause = plan.durationMs / plan.nbctlSteps;
    try {
      for (let k = 0; k < plan.nbctlSteps; k++) {
        const t0 = Date.now();
        for (let attempt = 0; ; attempt++) {
          try {
            await nbctl(remote, ...step(k));
            break;
          } catch (err) {
            if (Date.now() > deadline)
              throw new Error(`ovn-nbctl step ${k} kept failing for ${plan.deadlineMs} ms: ${(err as Error).message}`, {
                cause: err,
              });
            retries++;
            await new Promise((r) => setTimeout(r, 150));
          }
        }
        steps = k + 1;
        wake();
        const left = pause - (Date.now() - t0);
        if (left > 0) await new Promise((r) => setTimeout(r, left));
      }
    } finally {
      ended = true;
      for (const w of waiters.splice(0)) w.resolve();
    }
  };
  const lib = runChurn(writer, {
    ratePerSec: plan.rate,
    durationMs: plan.durationMs,
    seed: plan.seed,
    runId: plan.prefix,
    maxInFlight: 32,
  });
  const done = Promise.all([lib, nbctlRun()]).then(([churn]) => ({ churn, nbctlSteps: steps, nbctlRetries: retries }));
  done.catch(() => undefined);
  return {
    reached: (n) =>
      ended || steps >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ steps: n, resolve })),
    done,
  };
}

/** What the writer's ovn-nbctl steps need to exist: a switch and a port group. */
export async function seedForChurn(nbctl: Nbctl, remote: string): Promise<void> {
  await nbctl(
    remote,
    '--may-exist',
    'ls-add',
    'ls-faults',
    '--',
    'set',
    'Logical_Switch',
    'ls-faults',
    'other_config:subnet=10.200.0.0/16',
    '--',
    'pg-add',
    'pg_faults',
  );
}

/** Poll `check` until true, or throw naming `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- a gateway under test ------------------------------------------------------------------------

export interface RunningGateway {
  app: FastifyInstance;
  gateway: Gateway;
  url: string;
  ws: string;
  /** Times the gateway's OVSDB session was lost. */
  disconnects: number;
}

export function gatewayConfig(remote: string, over: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    remotes: [{ name: 'nb', remote }],
    listen: { host: '127.0.0.1', port: 0 },
    readOnly: false,
    tables: new Map(),
    columns: new Map(),
    allowOrigins: [],
    transactRate: 1_000,
    transactTimeoutMs: 30_000,
    probeIntervalMs: 500,
    history: { batches: 2_000, bytes: 64 * 1024 * 1024 },
    logLevel: 'silent',
    ...over,
  };
}

/** A gateway without auth on loopback (`port` 0: any), monitoring OVN_Northbound on `remote`. */
export async function startGateway(
  remote: string,
  opts: { port?: number; config?: Partial<GatewayConfig>; limits?: Partial<StreamLimits> } = {},
): Promise<RunningGateway> {
  const { app, gateway } = await buildApp(gatewayConfig(remote, opts.config), {
    logger: false,
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const url = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const conn = gateway.remotes.get('nb');
  if (!conn) throw new Error('no remote nb');
  const running: RunningGateway = {
    app,
    gateway,
    url,
    ws: `${url.replace('http', 'ws')}/api/v1/stream`,
    disconnects: 0,
  };
  conn.client.on('disconnected', () => running.disconnects++);
  try {
    await eventually(() => conn.findFeed(NB) !== undefined, 'the gateway to monitor OVN_Northbound');
    await conn.ready();
  } catch (err) {
    await app.close();
    throw err;
  }
  return running;
}

/** The gateway is connected again and has every update the server sent before an echo round trip. */
export async function settled(gw: RunningGateway, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  const conn = gw.gateway.remotes.get('nb');
  if (!conn) throw new Error('no remote nb');
  await eventually(() => conn.client.status === 'connected', 'the gateway to be connected to OVSDB', timeoutMs);
  await conn.client.echo();
}

/** Tables whose REST rows are compared with the dump after each fault. */
const REST_TABLES = ['Logical_Switch', 'Logical_Switch_Port', 'ACL', 'Address_Set'];

/** Differences between the REST rows (the gateway's cache) and the dump. */
export async function restDifferences(gw: RunningGateway, schema: DatabaseSchema, dump: Dump): Promise<string[]> {
  const out: string[] = [];
  for (const table of REST_TABLES) {
    const res = await gw.app.inject({ url: `/api/v1/remotes/nb/dbs/${NB}/tables/${table}/rows?limit=100000` });
    if (res.statusCode !== 200) {
      out.push(`${table}: HTTP ${res.statusCode} ${res.body.slice(0, 200)}`);
      continue;
    }
    const got: Store = { [table]: {} };
    const rows = (parseJson(res.body) as unknown as { rows: Record<string, unknown>[] }).rows;
    for (const r of rows)
      (got[table] as Record<string, string>)[(r._uuid as [string, string])[1]] = canonical(schema, table, r);
    out.push(...storeDiff(got, canonicalDump(schema, dump, [table])).map((d) => `REST ${d}`));
  }
  return out;
}

export interface FaultContext {
  /** Replaced by a fault that restarts the gateway. */
  gw: RunningGateway;
  subs: Subscribers;
}

export interface FaultRunOptions {
  schema: DatabaseSchema;
  /** What the gateway connects to (the server, a proxy in front of it, a cluster). */
  gatewayRemote: string;
  /** Where the writer's ovn-nbctl goes (the server itself). */
  nbctlRemote: string;
  writer: OvsdbClient;
  nbctl: Nbctl;
  dump: () => Promise<Dump>;
  plan: ChurnPlan;
  subscribers: number;
  fault: (ctx: FaultContext) => Promise<void>;
  /** Stream limits for the gateway (e.g. a small send buffer, so a paused browser is resynchronised). */
  limits?: Partial<StreamLimits>;
  /** How long the subscribers may take to converge once the churn is over (default 20 s). */
  convergeTimeoutMs?: number;
  /**
   * Compare `_version` too (default true). Not on a RAFT cluster: each member gives a row its own
   * `_version`, and a monitor resumed on the new leader is not told (see faults.cluster.ovsdb.test.ts).
   */
  checkVersions?: boolean;
}

export interface FaultRunResult {
  churn: ChurnStats;
  nbctlSteps: number;
  nbctlRetries: number;
  deltas: { deltas: number; resync: number; resyncNotices: number };
  problems: string[];
  restDifferences: string[];
  disconnects: number;
  resumed: { resumed: number; fresh: number };
  ms: number;
  /** Milliseconds spent in each phase. */
  phases: Record<string, number>;
}

/**
 * A gateway on `gatewayRemote`, `subscribers` browsers and the churn; `fault` is injected a third of the way
 * into the ovn-nbctl steps; when the churn is over every browser must converge with the dump (this throws
 * with the first differences otherwise) and the result lists every order problem found.
 */
export async function runFault(o: FaultRunOptions): Promise<FaultRunResult> {
  const t0 = Date.now();
  const ctx: FaultContext = {
    gw: await startGateway(o.gatewayRemote, o.limits ? { limits: o.limits } : {}),
    subs: new Subscribers(o.schema, o.subscribers),
  };
  let disconnectsBefore = 0;
  try {
    const phases: Record<string, number> = {};
    let mark = Date.now();
    const phase = (name: string): void => {
      phases[name] = Date.now() - mark;
      mark = Date.now();
    };
    await ctx.subs.start(ctx.gw.ws);
    phase('subscribe');
    const run = startChurn(o.writer, o.nbctl, o.nbctlRemote, o.plan);
    await run.reached(Math.ceil(o.plan.nbctlSteps / 3));
    phase('churn before the fault');
    const first = ctx.gw;
    await o.fault(ctx);
    phase('fault');
    if (ctx.gw !== first) disconnectsBefore = first.disconnects;
    const { churn, nbctlSteps, nbctlRetries } = await run.done;
    phase('churn after the fault');
    await settled(ctx.gw);
    const dump = await o.dump();
    phase('settle and dump');
    await ctx.subs.converge(dump, o.convergeTimeoutMs, o.checkVersions !== false);
    phase('converge');
    return {
      phases,
      churn,
      nbctlSteps,
      nbctlRetries,
      deltas: ctx.subs.deltaCount(),
      problems: ctx.subs.problems(),
      restDifferences: await restDifferences(ctx.gw, o.schema, dump),
      disconnects: disconnectsBefore + ctx.gw.disconnects,
      resumed: ctx.subs.resumedCounts(),
      ms: Date.now() - t0,
    };
  } finally {
    ctx.subs.close();
    await ctx.gw.app.close();
  }
}

/** One line for a long run's log. */
export function describeRun(name: string, r: FaultRunResult): string {
  return `${name}: ${(r.ms / 1000).toFixed(1)} s; churn ${r.churn.ok}/${r.churn.sent} ok (${r.churn.failed} failed during the fault), ovn-nbctl ${r.nbctlSteps} steps (${r.nbctlRetries} retries); ${r.deltas.deltas} deltas to subscribers (${r.deltas.resync} resync deltas, ${r.deltas.resyncNotices} resync notices); gateway lost OVSDB ${r.disconnects}×; subscribed answers resumed ${r.resumed.resumed}, fresh ${r.resumed.fresh}; ms by phase ${JSON.stringify(r.phases)}`;
}
