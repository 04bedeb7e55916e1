// Standalone ovsdb-server lifecycle: temp dir, db creation, optional PKI,
// foreground launch, readiness, port discovery, restart on the same
// addresses, and guaranteed teardown.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appctl, type ClientTls } from './cli.js';
import { Daemon, StopWaiting, listeningPorts, registerDir, run, tailFile, unregisterDir, waitFor } from './proc.js';

export const OVSDB_SERVER = '/usr/sbin/ovsdb-server';
export const OVN_NB_SCHEMA = '/usr/share/ovn/ovn-nb.ovsschema';
export const OVN_SB_SCHEMA = '/usr/share/ovn/ovn-sb.ovsschema';
export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

const LOOPBACK = '127.0.0.1';

/** Start failed; the process was killed and the dir removed before this was thrown. */
export class OvsdbStartError extends Error {
  constructor(
    message: string,
    readonly dir: string,
    readonly logTail: string,
    cause?: unknown,
  ) {
    super(`${message}\n--- ovsdb-server log tail (${dir}) ---\n${logTail}`, { cause });
    this.name = 'OvsdbStartError';
  }
}

/** Reads the database name declared in an .ovsschema file. */
export async function schemaName(schemaPath: string): Promise<string> {
  const parsed: unknown = JSON.parse(await readFile(schemaPath, 'utf8'));
  if (parsed !== null && typeof parsed === 'object' && 'name' in parsed && typeof parsed.name === 'string') {
    return parsed.name;
  }
  throw new Error(`${schemaPath}: schema has no "name"`);
}

// ---------------------------------------------------------------------------
// Shared launch machinery (also used for cluster members)

export interface ServerTls {
  key: string;
  cert: string;
  ca: string;
}

/** Everything needed to (re)start one ovsdb-server process. */
export interface LaunchSpec {
  dbFiles: string[];
  ctl: string;
  logFile: string;
  pidFile: string;
  /** stdout/stderr of the process (early fatal errors land here, not in logFile). */
  outputFile: string;
  unixSocket?: string;
  /** 0 = let the kernel choose, then discover it. */
  tcpPort?: number;
  /** 0 = let the kernel choose, then discover it. Requires tls. */
  sslPort?: number;
  tls?: ServerTls;
  /** A port the process listens on that is not a client remote (RAFT); excluded from discovery. */
  raftPort?: number;
  extraArgs?: string[];
  readyTimeoutMs?: number;
}

export interface Launched {
  daemon: Daemon;
  tcpPort?: number;
  sslPort?: number;
}

/** Log + output tails, for error messages. */
export async function diagnostics(spec: Pick<LaunchSpec, 'logFile' | 'outputFile'>): Promise<string> {
  const [log, out] = await Promise.all([tailFile(spec.logFile, 30), tailFile(spec.outputFile, 15)]);
  return out.trim() ? `${log}\n--- stdout/stderr ---\n${out}` : log;
}

/**
 * Starts ovsdb-server in the foreground and resolves once it is serving.
 *
 * "Ready" means: the unixctl socket answers (the main loop runs), the unix
 * socket exists, and every requested TCP/SSL port is in LISTEN state.
 * `list-remotes` only echoes the configured `ptcp:0:...` string, and the log
 * line "listening on port N" does not say whether N is ptcp or pssl, so ports
 * are read from /proc instead. To tell the two ephemeral ports apart they
 * are opened one at a time: ptcp on the command line, pssl afterwards via
 * `ovsdb-server/add-remote`; the port that appears then is the SSL one.
 */
export async function launch(spec: LaunchSpec): Promise<Launched> {
  // A SIGKILLed predecessor leaves its sockets and pidfile behind; a stale
  // socket file would make the readiness check pass too early.
  await Promise.all([spec.ctl, spec.pidFile, spec.unixSocket].flatMap((p) => (p ? [rm(p, { force: true })] : [])));
  const wantSsl = spec.sslPort !== undefined;
  if (wantSsl && !spec.tls) throw new Error('sslPort requires tls');

  const args = [
    ...spec.dbFiles,
    `--unixctl=${spec.ctl}`,
    `--pidfile=${spec.pidFile}`,
    `--log-file=${spec.logFile}`,
    '--no-chdir',
  ];
  if (spec.unixSocket) args.push(`--remote=punix:${spec.unixSocket}`);
  if (spec.tcpPort !== undefined) args.push(`--remote=ptcp:${spec.tcpPort}:${LOOPBACK}`);
  if (spec.sslPort !== undefined && spec.sslPort !== 0) args.push(`--remote=pssl:${spec.sslPort}:${LOOPBACK}`);
  if (spec.tls) {
    args.push(`--private-key=${spec.tls.key}`, `--certificate=${spec.tls.cert}`, `--ca-cert=${spec.tls.ca}`);
  }
  args.push(...(spec.extraArgs ?? []));

  const daemon = Daemon.spawn(OVSDB_SERVER, args, spec.outputFile);
  const timeoutMs = spec.readyTimeoutMs ?? 15_000;
  const ensureAlive = (): void => {
    if (!daemon.running) {
      const st = daemon.exitStatus;
      throw new StopWaiting(`ovsdb-server exited early (code ${String(st?.code)}, signal ${String(st?.signal)})`);
    }
  };

  try {
    // Ports that are already accounted for and must not be mistaken for the
    // ephemeral one we are looking for.
    const known = new Set<number>();
    if (spec.raftPort !== undefined) known.add(spec.raftPort);
    if (spec.tcpPort) known.add(spec.tcpPort);
    if (spec.sslPort) known.add(spec.sslPort);

    let tcpPort = spec.tcpPort;
    await waitFor(
      async () => {
        ensureAlive();
        if (spec.unixSocket && !existsSync(spec.unixSocket)) return false;
        await appctl(spec.ctl, 'ovsdb-server/list-remotes');
        const ports = await listeningPorts(daemon.pid);
        if (spec.tcpPort && !ports.has(spec.tcpPort)) return false;
        if (spec.sslPort && !ports.has(spec.sslPort)) return false;
        if (spec.tcpPort === 0) {
          const fresh = [...ports].filter((p) => !known.has(p));
          if (fresh.length !== 1) return false;
          tcpPort = fresh[0];
        }
        return true;
      },
      { timeoutMs, what: 'ovsdb-server to become ready' },
    );

    let sslPort = spec.sslPort;
    if (spec.sslPort === 0) {
      if (tcpPort !== undefined) known.add(tcpPort);
      await appctl(spec.ctl, 'ovsdb-server/add-remote', `pssl:0:${LOOPBACK}`);
      sslPort = await waitFor(
        async () => {
          ensureAlive();
          const fresh = [...(await listeningPorts(daemon.pid))].filter((p) => !known.has(p));
          return fresh.length === 1 ? fresh[0] : undefined;
        },
        { timeoutMs, what: 'the SSL listener' },
      );
    }
    const result: Launched = { daemon };
    if (tcpPort !== undefined) result.tcpPort = tcpPort;
    if (sslPort !== undefined) result.sslPort = sslPort;
    return result;
  } catch (err) {
    await daemon.terminate(2_000);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// PKI

/**
 * Builds a throwaway PKI with ovs-pki: one CA set plus server and client
 * certificates signed by the "switch" CA (the type does not matter to
 * ovsdb-server; both sides just need the same CA). `-b` skips the interactive
 * fingerprint prompt, `-u` keeps file names free of a UUID/date suffix.
 * req+sign writes NAME-privkey.pem / NAME-cert.pem into the cwd.
 * Takes ~1 s (2048-bit RSA; smaller keys are refused by OpenSSL 3 defaults).
 */
async function makePki(dir: string): Promise<{ server: ServerTls; client: ClientTls }> {
  const pkiDir = join(dir, 'pki');
  const common = [`--dir=${pkiDir}`, `--log=${join(dir, 'ovs-pki.log')}`];
  await run('ovs-pki', [...common, 'init'], { cwd: dir, timeoutMs: 60_000 });
  // Sequential: both sign with the same CA and would race on its index/serial files.
  for (const name of ['server', 'client']) {
    await run('ovs-pki', [...common, '-b', '-u', 'req+sign', name, 'switch'], { cwd: dir, timeoutMs: 60_000 });
  }
  const ca = join(pkiDir, 'switchca', 'cacert.pem');
  return {
    server: { key: join(dir, 'server-privkey.pem'), cert: join(dir, 'server-cert.pem'), ca },
    client: { key: join(dir, 'client-privkey.pem'), cert: join(dir, 'client-cert.pem'), ca },
  };
}

// ---------------------------------------------------------------------------
// Standalone server

export interface StartOptions {
  /** Schema file paths, one database each. Default: the OVN Northbound schema. */
  schemas?: string[];
  /** Listen on `<dir>/db.sock`. Default true. */
  unix?: boolean;
  /** Listen on an ephemeral port on 127.0.0.1. Default false. */
  tcp?: boolean;
  /** Listen for SSL on an ephemeral port on 127.0.0.1, with a fresh PKI. Default false. */
  ssl?: boolean;
  /** Appended to the ovsdb-server command line. */
  extraArgs?: string[];
  /** Use startCluster() for clustered databases. */
  clustered?: never;
  readyTimeoutMs?: number;
}

export interface RestartOptions {
  whileDown?: () => void | Promise<void>;
}

/** A real `ovsdb-server` process a test started (`startOvsdbServer`); not @ovsdb-web/server's `EmbeddedServer`. */
export interface OvsdbServerProcess {
  readonly dir: string;
  /** Changes across restart(). */
  readonly pid: number;
  /** Best remote for tests: unix if enabled, else tcp, else ssl. */
  readonly remote: string;
  readonly unixRemote?: string;
  readonly tcpRemote?: string;
  readonly sslRemote?: string;
  /** Client key/cert/CA for sslRemote. */
  readonly tls?: ClientTls;
  /** unixctl socket path, for appctl(). */
  readonly ctl: string;
  readonly logPath: string;
  /** Database names, in schema order. */
  readonly databases: readonly string[];
  readonly running: boolean;
  dbPath(name: string): string;
  log(): Promise<string>;
  appctl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
  /** Stop and start again on the same unix path and ports; `whileDown` runs in between (e.g. `ovsdb-tool transact` on the files). */
  restart(opts?: RestartOptions): Promise<void>;
  sigstop(): void;
  sigcont(): void;
}

class StandaloneServer implements OvsdbServerProcess {
  readonly remote: string;
  readonly unixRemote?: string;
  readonly tcpRemote?: string;
  readonly sslRemote?: string;
  readonly tls?: ClientTls;
  private stopped = false;

  constructor(
    readonly dir: string,
    readonly databases: readonly string[],
    private readonly spec: LaunchSpec,
    private launched: Launched,
    tls: ClientTls | undefined,
  ) {
    if (spec.unixSocket) this.unixRemote = `unix:${spec.unixSocket}`;
    if (launched.tcpPort !== undefined) this.tcpRemote = `tcp:${LOOPBACK}:${launched.tcpPort}`;
    if (launched.sslPort !== undefined) this.sslRemote = `ssl:${LOOPBACK}:${launched.sslPort}`;
    if (tls) this.tls = tls;
    const best = this.unixRemote ?? this.tcpRemote ?? this.sslRemote;
    if (best === undefined) throw new Error('no remote configured');
    this.remote = best;
  }

  get pid(): number {
    return this.launched.daemon.pid;
  }
  get ctl(): string {
    return this.spec.ctl;
  }
  get logPath(): string {
    return this.spec.logFile;
  }
  get running(): boolean {
    return this.launched.daemon.running;
  }

  dbPath(name: string): string {
    if (!this.databases.includes(name)) throw new Error(`no database ${name} (have ${this.databases.join(', ')})`);
    return join(this.dir, `${name}.db`);
  }

  log(): Promise<string> {
    return readFile(this.spec.logFile, 'utf8');
  }

  appctl(...args: string[]): Promise<string> {
    return appctl(this.spec.ctl, ...args);
  }

  sigstop(): void {
    this.launched.daemon.signal('SIGSTOP');
  }

  sigcont(): void {
    this.launched.daemon.signal('SIGCONT');
  }

  async restart(opts: RestartOptions = {}): Promise<void> {
    if (this.stopped) throw new Error('restart() after stop()');
    await this.launched.daemon.terminate();
    if (opts.whileDown) await opts.whileDown();
    // Same unix path and the previously discovered ports, so reconnecting
    // clients find the server where it was. ovsdb-server sets SO_REUSEADDR,
    // so TIME_WAIT leftovers do not block the rebind.
    const again: LaunchSpec = { ...this.spec };
    if (this.launched.tcpPort !== undefined) again.tcpPort = this.launched.tcpPort;
    if (this.launched.sslPort !== undefined) again.sslPort = this.launched.sslPort;
    try {
      this.launched = await launch(again);
    } catch (err) {
      // Keep the dir (and db files) for stop()/post-mortem; just report.
      throw new OvsdbStartError(
        `ovsdb-server restart failed: ${errMessage(err)}`,
        this.dir,
        await diagnostics(this.spec),
        err,
      );
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.launched.daemon.terminate();
    await rm(this.dir, { recursive: true, force: true });
    unregisterDir(this.dir);
  }
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Starts a private ovsdb-server in a fresh temp dir. On any failure the
 * process is killed and the dir removed, then an OvsdbStartError carrying
 * the log tail is thrown.
 */
export async function startOvsdbServer(opts: StartOptions = {}): Promise<OvsdbServerProcess> {
  const schemas = opts.schemas ?? [OVN_NB_SCHEMA];
  if (schemas.length === 0) throw new Error('startOvsdbServer: at least one schema is required');
  const dir = await mkdtemp(join(tmpdir(), 'ovsdb-test-'));
  registerDir(dir);
  const spec: LaunchSpec = {
    dbFiles: [],
    ctl: join(dir, 'ctl'),
    logFile: join(dir, 'ovsdb-server.log'),
    pidFile: join(dir, 'ovsdb-server.pid'),
    outputFile: join(dir, 'ovsdb-server.out'),
  };
  if (opts.readyTimeoutMs !== undefined) spec.readyTimeoutMs = opts.readyTimeoutMs;
  try {
    const names = await Promise.all(schemas.map(schemaName));
    if (new Set(names).size !== names.length) throw new Error(`duplicate database names: ${names.join(', ')}`);
    await Promise.all(
      schemas.map((schema, i) => {
        const file = join(dir, `${names[i]}.db`);
        spec.dbFiles.push(file);
        return run('ovsdb-tool', ['create', file, schema]);
      }),
    );
    let clientTls: ClientTls | undefined;
    if (opts.ssl) {
      const pki = await makePki(dir);
      spec.tls = pki.server;
      spec.sslPort = 0;
      clientTls = pki.client;
    }
    if (opts.unix ?? true) spec.unixSocket = join(dir, 'db.sock');
    if (opts.tcp) spec.tcpPort = 0;
    if (!spec.unixSocket && spec.tcpPort === undefined && spec.sslPort === undefined) {
      throw new Error('startOvsdbServer: enable at least one of unix, tcp, ssl');
    }
    if (opts.extraArgs) spec.extraArgs = opts.extraArgs;
    const launched = await launch(spec);
    return new StandaloneServer(dir, names, spec, launched, clientTls);
  } catch (err) {
    const tail = await diagnostics(spec);
    await rm(dir, { recursive: true, force: true });
    unregisterDir(dir);
    throw new OvsdbStartError(`ovsdb-server failed to start: ${errMessage(err)}`, dir, tail, err);
  }
}
