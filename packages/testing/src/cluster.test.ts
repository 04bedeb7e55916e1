import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ovnNbctl, ovsdbClient, parseClusterStatus, startCluster, waitFor, type OvsdbCluster } from './index.js';

describe('parseClusterStatus', () => {
  it('parses a leader report', () => {
    const raw = [
      'Name: OVN_Northbound',
      'Cluster ID: 4033 (40336603-3720-4899-872a-77c43c8ca355)',
      'Server ID: 055f (055ffcda-fcd2-4355-ab66-8e04935ec598)',
      'Address: tcp:127.0.0.1:46001',
      'Status: cluster member',
      'Role: leader',
      'Term: 3',
      'Leader: self',
      'Vote: self',
      '',
      'Servers:',
      '    53e7 (53e7 at tcp:127.0.0.1:46002) next_index=5 match_index=4',
      '    055f (055f at tcp:127.0.0.1:46001) (self) next_index=2 match_index=4',
      '',
    ].join('\n');
    const st = parseClusterStatus(raw);
    expect(st).toMatchObject({
      name: 'OVN_Northbound',
      clusterId: '40336603-3720-4899-872a-77c43c8ca355',
      serverId: '055f',
      status: 'cluster member',
      role: 'leader',
      term: 3,
      leader: '055f',
    });
    expect(st.servers).toEqual([
      { id: '53e7', address: 'tcp:127.0.0.1:46002', self: false },
      { id: '055f', address: 'tcp:127.0.0.1:46001', self: true },
    ]);
  });
});

describe('startCluster', () => {
  let cluster: OvsdbCluster | undefined;
  const c = (): OvsdbCluster => {
    if (!cluster) throw new Error('cluster not started');
    return cluster;
  };

  beforeAll(async () => {
    cluster = await startCluster({ size: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('has 3 healthy members and exactly one leader', async () => {
    const { members, remote } = c();
    expect(members).toHaveLength(3);
    expect(remote.split(',')).toEqual(members.map((m) => m.tcpRemote));
    const statuses = await Promise.all(members.map((m) => m.status()));
    expect(statuses.filter((s) => s.role === 'leader')).toHaveLength(1);
    expect(statuses.filter((s) => s.role === 'follower')).toHaveLength(2);
    expect(new Set(statuses.map((s) => s.leader)).size).toBe(1);
    for (const s of statuses) expect(s.servers).toHaveLength(3);
    const leader = await c().leader();
    expect(leader.sid.startsWith(statuses.find((s) => s.role === 'leader')?.serverId ?? 'x')).toBe(true);
  });

  it('a write via the cluster remote is visible on every member', async () => {
    await ovnNbctl(c().remote, 'ls-add', 'cl-sw0');
    for (const m of c().members) {
      // Followers apply committed entries asynchronously; poll briefly.
      await waitFor(
        async () =>
          (
            await ovsdbClient([
              '--no-leader-only',
              'dump',
              '--format=json',
              m.unixRemote,
              'OVN_Northbound',
              'Logical_Switch',
            ])
          ).includes('"cl-sw0"'),
        { timeoutMs: 5_000, what: `cl-sw0 on s${m.id}` },
      );
    }
  });

  it('transferLeadership moves the leader to another member', async () => {
    const before = await c().leader();
    const after = await c().transferLeadership();
    expect(after.id).not.toBe(before.id);
    expect((await before.status()).role).toBe('follower');
  });

  it('killing the leader elects a new one among the other two', async () => {
    const old = await c().leader();
    const oldPid = old.pid;
    await old.kill();
    expect(old.running).toBe(false);
    expect(() => process.kill(oldPid, 0)).toThrow();
    const next = await c().leader({ timeoutMs: 15_000 });
    expect(next.id).not.toBe(old.id);
    // The cluster still accepts writes with one member down.
    await ovnNbctl(c().remote, 'ls-add', 'cl-sw1');
    // And the killed member catches up after a restart on the same ports.
    await old.start();
    await c().waitHealthy();
    await waitFor(
      async () =>
        (
          await ovsdbClient([
            '--no-leader-only',
            'dump',
            '--format=json',
            old.unixRemote,
            'OVN_Northbound',
            'Logical_Switch',
          ])
        ).includes('"cl-sw1"'),
      { timeoutMs: 10_000, what: 'restarted member to catch up' },
    );
  });

  it('stop removes all processes and the dir', async () => {
    const cl = c();
    const pids = cl.members.map((m) => m.pid);
    await cl.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(cl.dir)).toBe(false);
    cluster = undefined;
  });
});
