/**
 * The client against a real 3-member RAFT cluster of ovsdb-server 3.1: it ends up on the leader, refuses
 * followers (unless told not to), follows leadership when it moves or its holder dies while ovn-nbctl
 * streams 1,000 changes, resumes monitors with `monitor_cond_since` (a delta when the server still has the
 * monitor's last txn id, the true difference when it does not), and refuses a member that fell behind.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  startCluster,
  ovnNbctl,
  ovsdbDump,
  OVN_NB_SCHEMA,
  type ClusterMember,
  type OvsdbCluster,
} from '@ovsdb-web/testing';
import { OvsdbClient, ClusterMemberRejected, type ConnectOptions } from '../client/client.js';
import { formatRemote } from '../transport/remote.js';
import { RpcConnection } from '../jsonrpc/connection.js';
import { parseJson, type Json } from '../wire/json.js';
import type { ChangeBatch } from '../cache/database-cache.js';
import type { Monitor } from '../monitor/monitor.js';
import {
  Churn,
  canonicalCache,
  canonicalDump,
  eventually,
  recordBatches,
  strictReplay,
  type Canonical,
} from '../monitor/test-support.js';

const NB = 'OVN_Northbound';
const FAST: ConnectOptions = { reconnect: { initialDelayMs: 100, maxDelayMs: 500 } };
let cluster: OvsdbCluster;
const clients: OvsdbClient[] = [];

function track(c: OvsdbClient): OvsdbClient {
  clients.push(c);
  return c;
}

function remoteOf(c: OvsdbClient): string {
  return formatRemote(c.remote);
}

function once<T extends unknown[]>(subscribe: (l: (...args: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((...args) => {
      off();
      resolve(args);
    });
  });
}

/** Connection attempts grouped into rounds (a round ends with reconnect-failed or connected). */
function recordRounds(c: OvsdbClient): { rounds: string[][]; connectedTo: string[] } {
  const rounds: string[][] = [[]];
  const connectedTo: string[] = [];
  c.on('connect-attempt', (r) => rounds[rounds.length - 1]!.push(r));
  c.on('reconnect-failed', () => rounds.push([]));
  c.on('connected', (r) => {
    connectedTo.push(r);
    rounds.push([]);
  });
  return { rounds, connectedTo };
}

async function dumped(m: Monitor): Promise<Canonical> {
  return canonicalDump(m, await ovsdbDump(cluster.remote, NB, { parse: parseJson }));
}

async function connectedToLeader(c: OvsdbClient, not?: ClusterMember): Promise<ClusterMember> {
  let leader: ClusterMember | undefined;
  await eventually(
    async () => {
      leader = await cluster.leader();
      return leader !== not && c.status === 'connected' && remoteOf(c) === leader.tcpRemote;
    },
    'the client to be on the new leader',
    20_000,
  );
  return leader!;
}

/** Stream 1,000 changes, inject `fault` a third of the way in, then compare cache, dump and events. */
async function underChurn(c: OvsdbClient, prefix: string, fault: () => Promise<void>): Promise<ChangeBatch[]> {
  const m = await c.monitor(NB, { tables: ['Logical_Switch', 'Logical_Switch_Port'] });
  const start = canonicalCache(m);
  const rec = recordBatches(m);
  const churn = new Churn({
    remote: cluster.remote,
    switchName: 'sw0',
    prefix,
    changes: 1_000,
    nbctl: ovnNbctl,
    deadlineMs: 50_000,
  });
  await churn.reached(Math.floor(churn.totalSteps / 3));
  await fault();
  await churn.done;
  expect(churn.steps).toBe(200);
  // Updates may still be on their way from the leader: wait for the cache to match the dump.
  let want: Canonical = {};
  await eventually(async () => {
    want = await dumped(m);
    return isDeepStrictEqual(canonicalCache(m), want);
  }, 'the cache to match ovsdb-client dump');
  expect(canonicalCache(m)).toEqual(want);
  const { state, problems } = strictReplay(m, start, rec.batches);
  expect(problems).toEqual([]);
  expect(rec.problems).toEqual([]);
  expect(state).toEqual(canonicalCache(m));
  expect(rec.batches.filter((b) => !b.resync).length).toBeGreaterThan(100);
  rec.stop();
  await m.close();
  return rec.batches;
}

beforeAll(async () => {
  cluster = await startCluster({ schema: OVN_NB_SCHEMA, size: 3 });
  await ovnNbctl(cluster.remote, 'ls-add', 'sw0');
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await cluster?.stop();
});

describe('choosing a member', () => {
  it('ends up on the leader from the list of all members, whatever the shuffle', async () => {
    const leader = await cluster.leader();
    for (let i = 0; i < 4; i++) {
      const c = await OvsdbClient.connect(cluster.remote, { reconnect: false });
      expect(remoteOf(c)).toBe(leader.tcpRemote);
      await c.close();
    }
  });

  it('refuses a follower-only remote with ClusterMemberRejected', async () => {
    const leader = await cluster.leader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const err = await OvsdbClient.connect(follower.tcpRemote, { reconnect: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterMemberRejected);
    expect((err as ClusterMemberRejected).remote).toBe(follower.tcpRemote);
    expect((err as Error).message).toMatch(/not the leader of OVN_Northbound/);
  });

  it('accepts a follower with leaderOnly: false, and its monitors work', async () => {
    const leader = await cluster.leader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const c = track(await OvsdbClient.connect(follower.tcpRemote, { leaderOnly: false, reconnect: false }));
    expect(remoteOf(c)).toBe(follower.tcpRemote);
    const m = await c.monitor(NB, { tables: ['Logical_Switch'] });
    await ovnNbctl(cluster.remote, 'ls-add', 'seen-by-follower');
    await eventually(
      () => m.cache.table('Logical_Switch').find([['name', '==', 'seen-by-follower']]).length === 1,
      'the follower to relay the change',
    );
    await ovnNbctl(cluster.remote, 'ls-del', 'seen-by-follower');
    await c.close();
  });
});

describe('while ovn-nbctl streams 1,000 changes', () => {
  it('follows a leadership transfer, never trying the ex-leader first', async () => {
    const c = track(OvsdbClient.create(cluster.remote, FAST));
    await once<[string]>((l) => c.on('connected', l));
    const old = await cluster.leader();
    expect(remoteOf(c)).toBe(old.tcpRemote);
    const { rounds, connectedTo } = recordRounds(c);
    let next: ClusterMember | undefined;
    await underChurn(c, 't', async () => {
      const down = once<[Error]>((l) => c.on('disconnected', l));
      await cluster.transferLeadership();
      const [why] = await down;
      expect(why.message).toMatch(/not the leader/);
      next = await connectedToLeader(c, old);
    });
    expect(connectedTo.at(-1)).toBe(next!.tcpRemote);
    const tried = rounds.filter((r) => r.length > 0);
    expect(tried.length).toBeGreaterThan(0);
    for (const round of tried) expect(round[0]).not.toBe(old.tcpRemote);
  });

  it('follows the leader being killed and restarted', async () => {
    const c = track(OvsdbClient.create(cluster.remote, FAST));
    await once<[string]>((l) => c.on('connected', l));
    const old = await cluster.leader();
    const { rounds } = recordRounds(c);
    await underChurn(c, 'k', async () => {
      await old.kill();
      await connectedToLeader(c, old);
      await old.start();
    });
    await cluster.waitHealthy();
    // Every round (while the election runs there are several) starts elsewhere; the dead member is last.
    const tried = rounds.filter((r) => r.length > 0);
    expect(tried.length).toBeGreaterThan(0);
    for (const round of tried) expect(round[0]).not.toBe(old.tcpRemote);
  });
});

describe('resuming monitors (monitor_cond_since)', () => {
  let c: OvsdbClient;
  let a: Monitor;
  let b: Monitor;

  /** Drop the session after `gap` ran while the client read nothing, so its updates never arrive. */
  async function lose(gap: () => Promise<void>): Promise<{ requests: Json[][] }> {
    const conn = c.connection;
    conn.pause();
    await gap();
    const spy = vi.spyOn(RpcConnection.prototype, 'request');
    try {
      const back = once<[string]>((l) => c.on('connected', l));
      await conn.close('test: session dropped');
      await back;
      return {
        requests: spy.mock.calls.filter(([method]) => method === 'monitor_cond_since').map(([, params]) => params),
      };
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    await cluster.waitHealthy();
    // Enough rows that the server's txn history (trimmed to the size of the database) keeps small txns.
    const cmds = ['ls-add', 'bulk'];
    for (let i = 0; i < 300; i++)
      cmds.push(
        '--',
        'lsp-add',
        'bulk',
        `b${i}`,
        '--',
        'lsp-set-addresses',
        `b${i}`,
        `02:00:00:01:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
      );
    await ovnNbctl(cluster.remote, ...cmds);
    c = track(await OvsdbClient.connect(cluster.remote, FAST));
    a = await c.monitor(NB, {
      tables: { Logical_Switch: { columns: ['name', 'other_config'] }, Logical_Switch_Port: true },
    });
    b = await c.monitor(NB, { tables: ['Address_Set'] });
  });

  it("applies only the delta when the new leader still knows each monitor's own last txn id", async () => {
    await ovnNbctl(cluster.remote, 'set', 'Logical_Switch', 'bulk', 'other_config:t=1');
    await ovnNbctl(cluster.remote, 'create', 'Address_Set', 'name=as1', 'addresses="10.0.0.1"');
    await ovnNbctl(cluster.remote, 'set', 'Logical_Switch', 'bulk', 'other_config:t=2');
    await eventually(
      () =>
        a.cache.table('Logical_Switch').find([['name', '==', 'bulk']])[0]?.other_config instanceof Map &&
        (a.cache.table('Logical_Switch').find([['name', '==', 'bulk']])[0]!.other_config as Map<string, string>).get(
          't',
        ) === '2',
      'monitor a to see t=2',
    );
    await eventually(() => b.cache.table('Address_Set').size === 1, 'monitor b to see as1');
    // Each monitor has its own resume point: the last transaction that touched its tables.
    const idA = a.lastTxnId!;
    const idB = b.lastTxnId!;
    expect(idA).toMatch(/^[0-9a-f-]{36}$/);
    expect(idB).toMatch(/^[0-9a-f-]{36}$/);
    expect(idA).not.toBe(idB);

    const recA = recordBatches(a);
    const recB = recordBatches(b);
    const startA = canonicalCache(a);
    const startB = canonicalCache(b);
    // The session is lost and the leader changes too: the new leader's txn history still has both ids.
    let next: ClusterMember | undefined;
    const { requests } = await lose(async () => {
      await ovnNbctl(cluster.remote, 'set', 'Logical_Switch', 'bulk', 'other_config:t=3');
      next = await cluster.transferLeadership();
      await ovnNbctl(cluster.remote, 'add', 'Address_Set', 'as1', 'addresses', '"10.0.0.2"');
    });
    await connectedToLeader(c);
    expect(remoteOf(c)).toBe(next!.tcpRemote);
    // Each resumed from its own id, not from one shared by the session (libovsdb #250/#283).
    const sinceFor = (m: Monitor): Json | undefined => requests.find((p) => p[1] === m.id)?.[3];
    expect(sinceFor(a)).toBe(idA);
    expect(sinceFor(b)).toBe(idB);
    // found=true: one delta batch each, not a resync of 300 ports.
    expect(
      recA.batches.map((x) => ({
        resync: x.resync,
        changes: x.changes.map((ch) => `${ch.kind}:${String((ch.new ?? ch.old)!.name)}:${(ch.columns ?? []).join()}`),
      })),
    ).toEqual([{ resync: false, changes: ['modify:bulk:other_config'] }]);
    expect(
      recB.batches.map((x) => ({
        resync: x.resync,
        changes: x.changes.map((ch) => `${ch.kind}:${String((ch.new ?? ch.old)!.name)}:${(ch.columns ?? []).join()}`),
      })),
    ).toEqual([{ resync: false, changes: ['modify:as1:addresses'] }]);
    for (const [m, start, rec] of [
      [a, startA, recA],
      [b, startB, recB],
    ] as const) {
      expect(canonicalCache(m)).toEqual(await dumped(m));
      expect(strictReplay(m, start, rec.batches)).toEqual({ state: canonicalCache(m), problems: [] });
      expect(rec.problems).toEqual([]);
      rec.stop();
    }
  });

  it("resynchronises with the true difference when the id has left the server's history (found=false)", async () => {
    const writer = track(await OvsdbClient.connect(cluster.remote, FAST));
    const recA = recordBatches(a);
    const recB = recordBatches(b);
    const startA = canonicalCache(a);
    await lose(async () => {
      // The server keeps at most 100 transactions of history: 105 push the monitors' ids out.
      for (let i = 0; i < 105; i++) {
        await writer.transact(NB, [
          {
            op: 'mutate',
            table: 'Logical_Switch',
            where: [['name', '==', 'bulk']],
            mutations: [
              ['other_config', 'delete', ['set', ['n']]],
              ['other_config', 'insert', ['map', [['n', String(i)]]]],
            ],
          },
        ]);
      }
    });
    // One resync batch with the one row that differs, although all 300 ports came again.
    expect(recA.batches).toHaveLength(1);
    expect(recA.batches[0]!.resync).toBe(true);
    expect(
      recA.batches[0]!.changes.map((ch) => `${ch.kind}:${String(ch.new!.name)}:${(ch.columns ?? []).join()}`),
    ).toEqual(['modify:bulk:other_config']);
    expect((recA.batches[0]!.changes[0]!.new!.other_config as Map<string, string>).get('n')).toBe('104');
    // Nothing changed in b's table: its resync found no difference, so it reported nothing.
    expect(recB.batches).toEqual([]);
    expect(canonicalCache(a)).toEqual(await dumped(a));
    expect(canonicalCache(b)).toEqual(await dumped(b));
    expect(strictReplay(a, startA, recA.batches)).toEqual({ state: canonicalCache(a), problems: [] });
    expect(recA.problems).toEqual([]);
    recA.stop();
    recB.stop();
  });
});

describe('stale members', () => {
  it('refuses a member whose log is behind what the client has seen, even with leaderOnly: false', async () => {
    await cluster.waitHealthy();
    const leader = await cluster.leader();
    const [f, other] = cluster.members.filter((m) => m !== leader) as [ClusterMember, ClusterMember];
    // Leader first, so the client starts there and learns the current log index.
    const c = track(
      await OvsdbClient.connect(`${leader.tcpRemote},${f.tcpRemote}`, {
        leaderOnly: false,
        shuffle: false,
        inactivityProbeMs: 500,
        reconnect: { initialDelayMs: 100, maxDelayMs: 200 },
      }),
    );
    expect(remoteOf(c)).toBe(leader.tcpRemote);
    const failures: Error[] = [];
    c.on('reconnect-failed', (e) => failures.push(e));
    const connectedTo: string[] = [];
    c.on('connected', (r) => connectedTo.push(r));

    // The follower misses these writes; the client sees the index move on through its _Server watch.
    await f.kill();
    for (let i = 0; i < 5; i++)
      await c.transact(NB, [{ op: 'insert', table: 'Logical_Switch', row: { name: `stale${i}` } }]);
    await new Promise((r) => setTimeout(r, 500));
    // Take the rest of the cluster away, so the follower comes back with its old log and cannot catch up.
    await Promise.all([leader.kill(), other.kill()]);
    await f.start();
    await eventually(() => failures.length >= 4, 'four failed reconnect rounds', 10_000);
    const rejections = failures.flatMap((e) => (e instanceof AggregateError ? (e.errors as Error[]) : [e]));
    // The dead members refuse the connection (or drop it while dying); the follower answers, and is
    // refused as stale every time.
    for (const e of rejections) {
      if (!(e instanceof ClusterMemberRejected)) continue;
      expect(e.remote).toBe(f.tcpRemote);
      expect(e.reason).toMatch(
        /^its log of OVN_Northbound is at index \d+, behind index \d+ already seen \(stale member\)$/,
      );
    }
    expect(rejections.some((e) => e instanceof ClusterMemberRejected)).toBe(true);
    expect(connectedTo).toEqual([]);
    // Once the cluster is whole again the member catches up and the client gets back on.
    await Promise.all([leader.start(), other.start()]);
    await cluster.waitHealthy();
    await eventually(() => c.status === 'connected', 'the client to reconnect', 15_000);
    expect(
      rowCount(await c.transact(NB, [{ op: 'select', table: 'Logical_Switch', where: [['name', '==', 'stale4']] }])),
    ).toBe(1);
    await c.close();
  });
});

function rowCount(results: readonly unknown[]): number {
  return (results[0] as { rows: unknown[] }).rows.length;
}
