// A RAFT-clustered database on loopback: N ovsdb-server processes, each with
// its own db file, unix and tcp client remotes, and a fixed RAFT port.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { appctl } from './cli.js';
import { freePort, registerDir, run, unregisterDir, waitFor, type WaitOptions } from './proc.js';
import {
  OVN_NB_SCHEMA,
  OvsdbStartError,
  diagnostics,
  errMessage,
  launch,
  schemaName,
  type Launched,
  type LaunchSpec,
} from './server.js';

const LOOPBACK = '127.0.0.1';

export interface ClusterOptions {
  /** Schema file; the database name comes from it. Default: OVN Northbound. */
  schema?: string;
  /** Number of members. Default 3. */
  size?: number;
  /** How long to wait for the cluster to become healthy. Default 30 s. */
  readyTimeoutMs?: number;
  /** Appended to every member's ovsdb-server command line. */
  extraArgs?: string[];
}

export interface ClusterServerEntry {
  /** Short (4 hex digit) server id, as printed by cluster/status. */
  id: string;
  address: string;
  self: boolean;
}

/** Parsed `ovs-appctl cluster/status DB`. */
export interface ClusterStatus {
  name: string;
  /** Full cluster UUID, or null while still joining. */
  clusterId: string | null;
  /** Short server id. */
  serverId: string;
  /** e.g. "cluster member", "joining cluster", "left cluster". */
  status: string;
  /** One of the three RAFT roles, as `cluster/status` prints it (any other text is passed through). */
  role: 'leader' | 'follower' | 'candidate' | (string & {});
  term: number;
  /** Short id of the leader this member believes in ('self' resolved), or null if unknown. */
  leader: string | null;
  servers: ClusterServerEntry[];
  raw: string;
}

export interface ClusterMember {
  /** 1-based position; names the member's files (s1.db, s1.sock, ...). */
  readonly id: number;
  /** Full RAFT server UUID. */
  readonly sid: string;
  /** Changes across start(). */
  readonly pid: number;
  readonly running: boolean;
  readonly unixRemote: string;
  readonly tcpRemote: string;
  /** tcp:127.0.0.1:<raft port>. */
  readonly raftAddress: string;
  readonly ctl: string;
  readonly dbPath: string;
  readonly logPath: string;
  /** SIGTERM (graceful), wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  /** Start again with the same files and ports; waits for the process only, not for cluster health. */
  start(): Promise<void>;
  status(): Promise<ClusterStatus>;
  appctl(...args: string[]): Promise<string>;
}

export interface OvsdbCluster {
  readonly dir: string;
  readonly dbName: string;
  readonly members: readonly ClusterMember[];
  /** Comma-separated tcp remotes of all members (what ovn-nbctl --db= and clients take). */
  readonly remote: string;
  /** The one running member that claims leadership; polls until there is exactly one. */
  leader(opts?: WaitOptions): Promise<ClusterMember>;
  /** Waits until all running members are members, agree on one leader and know all servers. */
  waitHealthy(opts?: WaitOptions): Promise<void>;
  /**
   * Moves leadership away from the current leader and resolves with the new
   * one. Uses `cluster/failure-test transfer-leadership` (see below); the
   * successor is chosen by RAFT, not by the caller.
   */
  transferLeadership(opts?: WaitOptions): Promise<ClusterMember>;
  stop(): Promise<void>;
}

/** Parses the text of `cluster/status`. Exported for tests. */
export function parseClusterStatus(raw: string): ClusterStatus {
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^${name}: (.*)$`, 'm').exec(raw);
    return m?.[1]?.trim();
  };
  const serverIdLine = field('Server ID') ?? '';
  const serverId = /^([0-9a-f]+)/.exec(serverIdLine)?.[1] ?? '';
  const clusterIdLine = field('Cluster ID') ?? '';
  const clusterId = /\(([0-9a-f-]{36})\)/.exec(clusterIdLine)?.[1] ?? null;
  const leaderField = field('Leader');
  const leader = leaderField === 'self' ? serverId : leaderField && leaderField !== 'unknown' ? leaderField : null;
  const servers: ClusterServerEntry[] = [];
  const serversAt = raw.indexOf('\nServers:');
  if (serversAt >= 0) {
    for (const line of raw.slice(serversAt).split('\n').slice(2)) {
      const m = /^\s+([0-9a-f]+) \(([0-9a-f]+) at ([^)]+)\)( \(self\))?/.exec(line);
      if (m?.[1] !== undefined && m[3] !== undefined)
        servers.push({ id: m[1], address: m[3], self: m[4] !== undefined });
    }
  }
  return {
    name: field('Name') ?? '',
    clusterId,
    serverId,
    status: field('Status') ?? '',
    role: field('Role') ?? '',
    term: Number(field('Term') ?? Number.NaN),
    leader,
    servers,
    raw,
  };
}

class Member implements ClusterMember {
  readonly unixRemote: string;
  readonly tcpRemote: string;
  readonly raftAddress: string;

  constructor(
    readonly id: number,
    readonly sid: string,
    private readonly dbName: string,
    private readonly spec: LaunchSpec,
    private launched: Launched,
  ) {
    if (!spec.unixSocket || launched.tcpPort === undefined || spec.raftPort === undefined) {
      throw new Error('cluster member needs unix, tcp and raft ports');
    }
    this.unixRemote = `unix:${spec.unixSocket}`;
    this.tcpRemote = `tcp:${LOOPBACK}:${launched.tcpPort}`;
    this.raftAddress = `tcp:${LOOPBACK}:${spec.raftPort}`;
    // Later starts must reuse the discovered client port.
    this.spec = { ...spec, tcpPort: launched.tcpPort };
  }

  get pid(): number {
    return this.launched.daemon.pid;
  }
  get running(): boolean {
    return this.launched.daemon.running;
  }
  get ctl(): string {
    return this.spec.ctl;
  }
  get dbPath(): string {
    return this.spec.dbFiles[0] ?? '';
  }
  get logPath(): string {
    return this.spec.logFile;
  }

  stop(): Promise<void> {
    return this.launched.daemon.terminate();
  }
  kill(): Promise<void> {
    return this.launched.daemon.kill();
  }

  async start(): Promise<void> {
    if (this.running) return;
    try {
      this.launched = await launch(this.spec);
    } catch (err) {
      throw new OvsdbStartError(
        `cluster member s${this.id} failed to start: ${errMessage(err)}`,
        dirname(this.spec.logFile),
        await diagnostics(this.spec),
        err,
      );
    }
  }

  async status(): Promise<ClusterStatus> {
    return parseClusterStatus(await appctl(this.spec.ctl, 'cluster/status', this.dbName));
  }

  appctl(...args: string[]): Promise<string> {
    return appctl(this.spec.ctl, ...args);
  }
}

interface Snapshot {
  member: Member;
  status: ClusterStatus;
}

class Cluster implements OvsdbCluster {
  readonly remote: string;
  private stopped = false;

  constructor(
    readonly dir: string,
    readonly dbName: string,
    readonly members: readonly Member[],
  ) {
    this.remote = members.map((m) => m.tcpRemote).join(',');
  }

  /** cluster/status of every running member that answers. */
  private async snapshot(): Promise<Snapshot[]> {
    const running = this.members.filter((m) => m.running);
    const got = await Promise.all(
      running.map(async (member) => {
        try {
          return { member, status: await member.status() };
        } catch {
          return undefined; // busy or dying member: just skip it this round
        }
      }),
    );
    return got.filter((s): s is Snapshot => s !== undefined);
  }

  private async soleLeader(): Promise<Member | undefined> {
    const leaders = (await this.snapshot()).filter((s) => s.status.role === 'leader');
    return leaders.length === 1 ? leaders[0]?.member : undefined;
  }

  leader(opts: WaitOptions = {}): Promise<ClusterMember> {
    return waitFor(() => this.soleLeader(), { timeoutMs: 15_000, what: 'a single cluster leader', ...opts });
  }

  async waitHealthy(opts: WaitOptions = {}): Promise<void> {
    const size = this.members.length;
    await waitFor(
      async () => {
        const running = this.members.filter((m) => m.running).length;
        const snap = await this.snapshot();
        if (snap.length !== running || running === 0) return false;
        const leaders = snap.filter((s) => s.status.role === 'leader');
        if (leaders.length !== 1) return false;
        const leaderId = leaders[0]?.status.serverId;
        return snap.every(
          (s) =>
            s.status.status === 'cluster member' &&
            (s.status.role === 'leader' || s.status.role === 'follower') &&
            s.status.leader === leaderId &&
            s.status.servers.length === size,
        );
      },
      { timeoutMs: 30_000, what: 'a healthy cluster', ...opts },
    );
  }

  /**
   * ovsdb-server 3.1 has no "transfer leadership" command proper; its
   * `cluster/failure-test transfer-leadership` makes the leader hand off as
   * it would before writing a snapshot ("Transferring leadership to write a
   * snapshot" in its log). `cluster/leave` would also move leadership but
   * removes the member from the cluster for good, and `ovsdb-server/compact`
   * on the leader does not transfer in this build.
   */
  async transferLeadership(opts: WaitOptions = {}): Promise<ClusterMember> {
    const old = await this.leader(opts);
    await old.appctl('cluster/failure-test', 'transfer-leadership');
    return waitFor(
      async () => {
        const now = await this.soleLeader();
        return now !== undefined && now !== old ? now : undefined;
      },
      { timeoutMs: 15_000, what: 'leadership to move', ...opts },
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.members.map((m) => m.stop()));
    await rm(this.dir, { recursive: true, force: true });
    unregisterDir(this.dir);
  }
}

/** `size` distinct free ports. */
async function freePorts(size: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < size) ports.add(await freePort());
  return [...ports];
}

async function startClusterOnce(schema: string, dbName: string, size: number, opts: ClusterOptions): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'ovsdb-test-'));
  registerDir(dir);
  const specs: LaunchSpec[] = [];
  const launched: (Launched | undefined)[] = [];
  try {
    // RAFT addresses are baked into the db files at create/join time, so
    // they must be concrete ports chosen up front.
    const raftPorts = await freePorts(size);
    for (let i = 0; i < size; i++) {
      const n = i + 1;
      const spec: LaunchSpec = {
        dbFiles: [join(dir, `s${n}.db`)],
        ctl: join(dir, `s${n}.ctl`),
        logFile: join(dir, `s${n}.log`),
        pidFile: join(dir, `s${n}.pid`),
        outputFile: join(dir, `s${n}.out`),
        unixSocket: join(dir, `s${n}.sock`),
        // Client port: ephemeral, discovered (the RAFT port is excluded).
        tcpPort: 0,
        raftPort: raftPorts[i] ?? 0,
        readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
      };
      if (opts.extraArgs) spec.extraArgs = opts.extraArgs;
      specs.push(spec);
    }
    const raftAddr = (i: number): string => `tcp:${LOOPBACK}:${raftPorts[i] ?? 0}`;
    const dbFile = (i: number): string => specs[i]?.dbFiles[0] ?? '';
    await run('ovsdb-tool', ['create-cluster', dbFile(0), schema, raftAddr(0)]);
    await Promise.all(
      specs
        .slice(1)
        .map((_, k) => run('ovsdb-tool', ['join-cluster', dbFile(k + 1), dbName, raftAddr(k + 1), raftAddr(0)])),
    );
    const sids = await Promise.all(specs.map((_, i) => run('ovsdb-tool', ['db-sid', dbFile(i)]).then((s) => s.trim())));

    // Start all members concurrently; joiners keep retrying the first one.
    const results = await Promise.allSettled(specs.map((s) => launch(s)));
    results.forEach((r, i) => {
      launched[i] = r.status === 'fulfilled' ? r.value : undefined;
    });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    const members = specs.map((s, i) => {
      const l = launched[i];
      if (!l) throw new Error('unreachable: member not launched');
      return new Member(i + 1, sids[i] ?? '', dbName, s, l);
    });
    const cluster = new Cluster(dir, dbName, members);
    await cluster.waitHealthy({ timeoutMs: opts.readyTimeoutMs ?? 30_000 });
    return cluster;
  } catch (err) {
    await Promise.all(launched.flatMap((l) => (l ? [l.daemon.terminate(2_000)] : [])));
    const tails = await Promise.all(specs.map(async (s, i) => `[s${i + 1}]\n${await diagnostics(s)}`));
    await rm(dir, { recursive: true, force: true });
    unregisterDir(dir);
    throw new OvsdbStartError(`cluster failed to start: ${errMessage(err)}`, dir, tails.join('\n'), err);
  }
}

/**
 * Creates and starts a RAFT cluster on 127.0.0.1 and waits until it is
 * healthy. The RAFT ports come from freePort(), which can race with other
 * processes; if a member then reports "Address already in use", the whole
 * attempt is torn down and retried once with new ports.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<OvsdbCluster> {
  const schema = opts.schema ?? OVN_NB_SCHEMA;
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`startCluster: bad size ${size}`);
  const dbName = await schemaName(schema);
  try {
    return await startClusterOnce(schema, dbName, size, opts);
  } catch (err) {
    if (err instanceof OvsdbStartError && /Address already in use/i.test(err.logTail)) {
      return startClusterOnce(schema, dbName, size, opts);
    }
    throw err;
  }
}
