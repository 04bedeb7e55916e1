/**
 * Churn: a steady stream of the changes a Kubernetes cluster makes to OVN Northbound, at a chosen rate.
 *
 * - `pod-add`: a logical switch port on a node's switch (the insert and the switch's `ports` mutation),
 *   its IP added to a namespace address set, the port added to a port group.
 * - `pod-delete`: the reverse, for a pod this run added (the port goes when the switch drops it).
 * - `acl-add` / `acl-delete`: a network-policy ACL added to or removed from a port group.
 * - `address-set`: an IP added to or removed from an address set.
 *
 * It works against whatever database it finds: switches, port groups and address sets are looked up by
 * name at the start (a switch's `other_config:subnet` gives pod IPs; churn allocates from the top of the
 * subnet, the generators from the bottom). When a database has none of one of them, churn creates one of
 * its own so that every kind of change has something to work on. It only ever deletes what it created.
 */
import type { Operation, OperationResult, WireDatum, WireRow } from '@ovsdb-web/client';
import type { Transactor } from './load.js';
import { FIRST_POD_OFFSET, OVN_NB_DB, podPortRow } from './ovn-nb.js';
import { Random } from './random.js';
import { ipv4, macForIp, map, named, parseCidr, parseIpv4 } from './wire.js';

export const CHURN_KINDS = ['pod-add', 'pod-delete', 'acl-add', 'acl-delete', 'address-set'] as const;
export type ChurnKind = (typeof CHURN_KINDS)[number];

/** Pods come and go most; policies change less often. Adds and deletes balance, so the size stays level. */
export const DEFAULT_CHURN_WEIGHTS: Readonly<Record<ChurnKind, number>> = {
  'pod-add': 3,
  'pod-delete': 3,
  'acl-add': 1,
  'acl-delete': 1,
  'address-set': 2,
};

export interface ChurnOptions {
  /** Changes (transactions) started per second. */
  ratePerSec: number;
  /** Stop after this many changes. At least one of `count` and `durationMs` is required. */
  count?: number;
  /** Stop starting changes after this long. */
  durationMs?: number;
  /** Which changes: a list (equal weights) or relative weights. Default `DEFAULT_CHURN_WEIGHTS`. */
  kinds?: readonly ChurnKind[] | Partial<Record<ChurnKind, number>>;
  seed?: number;
  /** Default `OVN_Northbound`. */
  db?: string;
  /** Transactions waiting for their reply at most (default 64); beyond that churn waits, and falls behind. */
  maxInFlight?: number;
  /** Client-side validation of each transaction (default true). */
  validate?: boolean;
  /** Stops starting changes; those in flight still finish and are counted. */
  signal?: AbortSignal;
  /** Makes this run's names unique, so runs with the same seed do not collide (default: from the clock). */
  runId?: string;
}

export interface KindStats {
  sent: number;
  ok: number;
  failed: number;
}

export interface ChurnStats {
  sent: number;
  ok: number;
  failed: number;
  /** From the start to the last reply. */
  elapsedMs: number;
  targetRate: number;
  /** Changes answered per second over `elapsedMs`. */
  achievedRate: number;
  /** Time from sending a change to its reply. */
  latencyMs: { p50: number; p99: number; max: number };
  byKind: Record<ChurnKind, KindStats>;
  /** The first few distinct failure messages. */
  errors: string[];
  /** Rows churn created because the database had none to work on. */
  seeded: string[];
}

interface SwitchInfo {
  name: string;
  top: number;
  size: number;
  /** Offsets (from the top) handed out so far, and those freed by deletes. */
  nextOffset: number;
  free: number[];
}
interface AddressSetInfo {
  name: string;
  namespace: string;
}
interface PodState {
  uuid: string;
  sw: SwitchInfo;
  ip: number;
  addressSet: string | undefined;
  portGroup: string | undefined;
}
interface AclState {
  uuid: string;
  portGroup: string;
}

/** Runs churn until `count` changes were made or `durationMs` passed, whichever comes first. */
export async function runChurn(client: Transactor, opts: ChurnOptions): Promise<ChurnStats> {
  if (!(opts.ratePerSec > 0) || !Number.isFinite(opts.ratePerSec))
    throw new RangeError('ratePerSec must be a positive number');
  if (opts.count === undefined && opts.durationMs === undefined) {
    throw new RangeError('runChurn needs a bound: count, durationMs, or both');
  }
  if (opts.count !== undefined && (!Number.isInteger(opts.count) || opts.count < 0))
    throw new RangeError('count must be a non-negative integer');
  const db = opts.db ?? OVN_NB_DB;
  const weights = normalizeKinds(opts.kinds);
  const rnd = new Random(opts.seed ?? 1);
  const runId = opts.runId ?? Date.now().toString(36);
  const maxInFlight = Math.max(1, Math.floor(opts.maxInFlight ?? 64));
  const transactOpts = opts.validate === false ? { validate: false } : {};

  const world = await discover(client, db, runId);
  const pods: PodState[] = [];
  const acls: AclState[] = [];
  /** IPs churn put into address sets, so `address-set` can take them out again. */
  const setIps: { set: string; ip: string }[] = [];
  let podSeq = 0;
  let aclSeq = 0;
  let ipSeq = 0;

  const byKind = Object.fromEntries(CHURN_KINDS.map((k) => [k, { sent: 0, ok: 0, failed: 0 }])) as Record<
    ChurnKind,
    KindStats
  >;
  const errors = new Set<string>();
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;

  /** One change: the operations, and what to remember once the server has applied them. */
  interface Change {
    kind: ChurnKind;
    ops: Operation[];
    onOk?: (results: OperationResult[]) => void;
    onFail?: () => void;
  }

  /** Undefined when the chosen switch has no address left that churn may use. */
  const podAdd = (): Change | undefined => {
    const sw = rnd.pick(world.switches);
    const offset = sw.free.pop() ?? (sw.nextOffset < sw.size - FIRST_POD_OFFSET - 1 ? sw.nextOffset++ : undefined);
    if (offset === undefined) return undefined;
    const ip = sw.top - offset;
    const as = world.addressSets.length > 0 ? rnd.pick(world.addressSets) : undefined;
    const pg = world.portGroups.length > 0 ? rnd.pick(world.portGroups) : undefined;
    const namespace = as?.namespace ?? 'default';
    const name = `${namespace}_churn-${runId}-${podSeq++}-${rnd.token(5)}`;
    const ops: Operation[] = [
      {
        op: 'insert',
        table: 'Logical_Switch_Port',
        'uuid-name': 'pod',
        row: podPortRow({ name, ip: ipv4(ip), mac: macForIp(ip) }, namespace, sw.name, rnd.uuid()),
      },
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['name', '==', sw.name]],
        mutations: [['ports', 'insert', named('pod')]],
      },
    ];
    if (as)
      ops.push({
        op: 'mutate',
        table: 'Address_Set',
        where: [['name', '==', as.name]],
        mutations: [['addresses', 'insert', ipv4(ip)]],
      });
    if (pg)
      ops.push({
        op: 'mutate',
        table: 'Port_Group',
        where: [['name', '==', pg]],
        mutations: [['ports', 'insert', named('pod')]],
      });
    return {
      kind: 'pod-add',
      ops,
      onOk: (results) => pods.push({ uuid: insertedUuid(results), sw, ip, addressSet: as?.name, portGroup: pg }),
      onFail: () => sw.free.push(offset),
    };
  };

  const podDelete = (): Change => {
    const pod = takeRandom(rnd, pods);
    const ref: WireDatum = ['uuid', pod.uuid];
    const ops: Operation[] = [
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['name', '==', pod.sw.name]],
        mutations: [['ports', 'delete', ref]],
      },
    ];
    if (pod.addressSet) {
      ops.push({
        op: 'mutate',
        table: 'Address_Set',
        where: [['name', '==', pod.addressSet]],
        mutations: [['addresses', 'delete', ipv4(pod.ip)]],
      });
    }
    if (pod.portGroup) {
      ops.push({
        op: 'mutate',
        table: 'Port_Group',
        where: [['name', '==', pod.portGroup]],
        mutations: [['ports', 'delete', ref]],
      });
    }
    return {
      kind: 'pod-delete',
      ops,
      onOk: () => pod.sw.free.push(pod.sw.top - pod.ip),
      onFail: () => pods.push(pod),
    };
  };

  const aclAdd = (): Change => {
    const pg = rnd.pick(world.portGroups);
    const peer = world.addressSets.length > 0 ? `$${rnd.pick(world.addressSets).name}` : `$${pg}_ip4`;
    const ingress = rnd.chance(0.7);
    const port = rnd.pick([80, 443, 8080, 5432, 6379, 9090]);
    const row: WireRow = {
      name: `churn-${runId}-${aclSeq++}`.slice(0, 63),
      priority: rnd.int(1000, 1999),
      direction: ingress ? 'to-lport' : 'from-lport',
      match: ingress
        ? `ip4.src == {${peer}} && outport == @${pg} && tcp && tcp.dst == ${port}`
        : `ip4.dst == {${peer}} && inport == @${pg} && tcp && tcp.dst == ${port}`,
      action: 'allow-related',
      external_ids: map({ 'k8s.ovn.org/owner-type': 'NetworkPolicy', 'k8s.ovn.org/name': `churn:${runId}` }),
    };
    return {
      kind: 'acl-add',
      ops: [
        { op: 'insert', table: 'ACL', 'uuid-name': 'acl', row },
        {
          op: 'mutate',
          table: 'Port_Group',
          where: [['name', '==', pg]],
          mutations: [['acls', 'insert', named('acl')]],
        },
      ],
      onOk: (results) => acls.push({ uuid: insertedUuid(results), portGroup: pg }),
    };
  };

  const aclDelete = (): Change => {
    const acl = takeRandom(rnd, acls);
    return {
      kind: 'acl-delete',
      // ACL is not a root table: once no port group references it, the server deletes the row.
      ops: [
        {
          op: 'mutate',
          table: 'Port_Group',
          where: [['name', '==', acl.portGroup]],
          mutations: [['acls', 'delete', ['uuid', acl.uuid]]],
        },
      ],
      onFail: () => acls.push(acl),
    };
  };

  const addressSetChange = (): Change => {
    if (setIps.length > 0 && rnd.chance(0.5)) {
      const entry = takeRandom(rnd, setIps);
      return {
        kind: 'address-set',
        ops: [
          {
            op: 'mutate',
            table: 'Address_Set',
            where: [['name', '==', entry.set]],
            mutations: [['addresses', 'delete', entry.ip]],
          },
        ],
        onFail: () => setIps.push(entry),
      };
    }
    const entry = { set: rnd.pick(world.addressSets).name, ip: ipv4(parseIpv4('10.254.0.0') + (ipSeq++ % 65_536)) };
    return {
      kind: 'address-set',
      ops: [
        {
          op: 'mutate',
          table: 'Address_Set',
          where: [['name', '==', entry.set]],
          mutations: [['addresses', 'insert', entry.ip]],
        },
      ],
      onOk: () => setIps.push(entry),
    };
  };

  const nextChange = (): Change => {
    let kind = pickWeighted(rnd, weights);
    // Deletes need something this run added and the server confirmed; until then, add instead.
    if (kind === 'pod-delete' && pods.length === 0) kind = 'pod-add';
    if (kind === 'acl-delete' && acls.length === 0) kind = 'acl-add';
    switch (kind) {
      case 'pod-add':
        return podAdd() ?? addressSetChange();
      case 'pod-delete':
        return podDelete();
      case 'acl-add':
        return aclAdd();
      case 'acl-delete':
        return aclDelete();
      case 'address-set':
        return addressSetChange();
    }
  };

  const send = (change: Change): void => {
    sent++;
    inFlight++;
    byKind[change.kind].sent++;
    const t0 = performance.now();
    client
      .transact(db, change.ops, transactOpts)
      .then(
        (results) => {
          latencies.push(performance.now() - t0);
          ok++;
          byKind[change.kind].ok++;
          change.onOk?.(results);
        },
        (err: unknown) => {
          latencies.push(performance.now() - t0);
          failed++;
          byKind[change.kind].failed++;
          if (errors.size < 10) errors.add(`${change.kind}: ${err instanceof Error ? err.message : String(err)}`);
          change.onFail?.();
        },
      )
      .finally(() => {
        inFlight--;
        const w = wake;
        wake = undefined;
        w?.();
      });
  };

  const waitForReply = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  const started = performance.now();
  const deadline = opts.durationMs === undefined ? Infinity : started + opts.durationMs;
  const interval = 1000 / opts.ratePerSec;

  for (;;) {
    if (opts.count !== undefined && sent >= opts.count) break;
    if (opts.signal?.aborted) break;
    const now = performance.now();
    if (now >= deadline) break;
    // Paced by schedule, not by sleeping a fixed interval, so timer granularity does not lower the rate:
    // when behind, the due changes go out back to back.
    const due = started + sent * interval;
    if (due > now) {
      await sleep(Math.min(due, deadline) - now, opts.signal);
      continue;
    }
    if (inFlight >= maxInFlight) {
      await waitForReply();
      continue;
    }
    send(nextChange());
  }
  while (inFlight > 0) await waitForReply();

  const elapsedMs = performance.now() - started;
  return {
    sent,
    ok,
    failed,
    elapsedMs,
    targetRate: opts.ratePerSec,
    achievedRate: (ok + failed) / Math.max(elapsedMs / 1000, 1e-9),
    latencyMs: percentiles(latencies),
    byKind,
    errors: [...errors],
    seeded: world.seeded,
  };
}

// ---- the database as churn finds it ---------------------------------------------------------------

interface World {
  switches: SwitchInfo[];
  portGroups: string[];
  addressSets: AddressSetInfo[];
  seeded: string[];
}

/** Switches with a subnet (node switches) are where pods go; the join and external switches have none. */
async function discover(client: Transactor, db: string, runId: string): Promise<World> {
  const results = await client.transact(db, [
    { op: 'select', table: 'Logical_Switch', where: [], columns: ['name', 'other_config'] },
    { op: 'select', table: 'Port_Group', where: [], columns: ['name'] },
    { op: 'select', table: 'Address_Set', where: [], columns: ['name', 'external_ids'] },
  ]);
  const [lsRows, pgRows, asRows] = results.map(rowsOf) as [WireRow[], WireRow[], WireRow[]];
  const switches: SwitchInfo[] = [];
  for (const row of lsRows) {
    const subnet = wireMapGet(row.other_config, 'subnet');
    if (typeof row.name !== 'string' || subnet === undefined) continue;
    try {
      const { base, size } = parseCidr(subnet);
      switches.push({ name: row.name, top: base + size - 2, size, nextOffset: 0, free: [] });
    } catch {
      // An IPv6 or malformed subnet: not a switch churn can put pods on.
    }
  }
  const world: World = {
    switches: switches.sort((a, b) => a.name.localeCompare(b.name)),
    portGroups: pgRows.flatMap((r) => (typeof r.name === 'string' ? [r.name] : [])).sort(),
    addressSets: asRows
      .flatMap((r) =>
        typeof r.name === 'string'
          ? [{ name: r.name, namespace: wireMapGet(r.external_ids, 'k8s.ovn.org/name') ?? 'default' }]
          : [],
      )
      .sort((a, b) => a.name.localeCompare(b.name)),
    seeded: [],
  };

  const seed: Operation[] = [];
  if (world.switches.length === 0) {
    const name = `churn-ls-${runId}`;
    const subnet = '10.255.0.0/23';
    seed.push({ op: 'insert', table: 'Logical_Switch', row: { name, other_config: map({ subnet }) } });
    const { base, size } = parseCidr(subnet);
    world.switches.push({ name, top: base + size - 2, size, nextOffset: 0, free: [] });
    world.seeded.push(`Logical_Switch ${name}`);
  }
  if (world.portGroups.length === 0) {
    const name = `churn_pg_${runId}`;
    seed.push({ op: 'insert', table: 'Port_Group', row: { name } });
    world.portGroups.push(name);
    world.seeded.push(`Port_Group ${name}`);
  }
  if (world.addressSets.length === 0) {
    const name = `churn_as_${runId}`;
    seed.push({ op: 'insert', table: 'Address_Set', row: { name } });
    world.addressSets.push({ name, namespace: 'default' });
    world.seeded.push(`Address_Set ${name}`);
  }
  if (seed.length > 0) await client.transact(db, seed);
  return world;
}

function rowsOf(result: OperationResult | undefined): WireRow[] {
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray(result.rows)) return result.rows;
  throw new Error(`churn: expected select rows, got ${JSON.stringify(result)}`);
}

function wireMapGet(datum: WireDatum | undefined, key: string): string | undefined {
  if (!Array.isArray(datum) || datum[0] !== 'map') return undefined;
  for (const [k, v] of datum[1] as [unknown, unknown][]) if (k === key && typeof v === 'string') return v;
  return undefined;
}

function insertedUuid(results: OperationResult[]): string {
  const first = results[0];
  if (first && typeof first === 'object' && 'uuid' in first && Array.isArray(first.uuid)) return first.uuid[1];
  throw new Error('churn: insert result without a uuid');
}

// ---- small helpers ------------------------------------------------------------------------------------

/** `Array.isArray` narrows to a mutable `any[]`, which leaves a readonly list in the other branch. */
function isKindList(kinds: NonNullable<ChurnOptions['kinds']>): kinds is readonly ChurnKind[] {
  return Array.isArray(kinds);
}

function normalizeKinds(kinds: ChurnOptions['kinds']): [ChurnKind, number][] {
  // A weight given as `undefined` (which plain JavaScript callers can pass) counts as 0.
  const entries: [ChurnKind, number][] =
    kinds === undefined
      ? Object.entries(DEFAULT_CHURN_WEIGHTS).map(([k, w]) => [k as ChurnKind, w])
      : isKindList(kinds)
        ? kinds.map((k) => [k, 1])
        : Object.entries<number | undefined>(kinds).map(([k, w]) => [k as ChurnKind, w ?? 0]);
  for (const [k, w] of entries) {
    if (!(CHURN_KINDS as readonly string[]).includes(k))
      throw new RangeError(`unknown churn kind "${k}"; expected one of ${CHURN_KINDS.join(', ')}`);
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`churn weight for ${k} must be a non-negative number`);
  }
  const positive = entries.filter(([, w]) => w > 0);
  if (positive.length === 0) throw new RangeError('churn needs at least one kind with a positive weight');
  return positive;
}

function pickWeighted(rnd: Random, weights: readonly [ChurnKind, number][]): ChurnKind {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let r = rnd.next() * total;
  for (const [k, w] of weights) {
    r -= w;
    if (r < 0) return k;
  }
  return (weights[weights.length - 1] as [ChurnKind, number])[0];
}

/** Removes and returns a random element (swap with the last, so it is O(1)). */
function takeRandom<T>(rnd: Random, items: T[]): T {
  const i = rnd.int(0, items.length - 1);
  const item = items[i] as T;
  items[i] = items[items.length - 1] as T;
  items.pop();
  return item;
}

function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
