/**
 * Command-line flags and environment variables → a checked configuration. Every mistake is a
 * `UsageError` that names the flag and what was wrong with it.
 */
import { UsageError, parseRemotes } from '@ovsdb-web/client';
import { filePaths } from './files.js';

export interface RemoteConfig {
  name: string;
  remote: string;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface GatewayConfig {
  remotes: RemoteConfig[];
  listen: ListenAddress;
  authFile?: string;
  readOnly: boolean;
  auditLog?: string;
  tls?: { key?: string; cert?: string; ca?: string };
  /** db → tables to monitor (default: all tables of every database). */
  tables: Map<string, string[]>;
  /** `db.table` → columns to monitor (default: all). */
  columns: Map<string, string[]>;
  staticDir?: string;
  allowOrigins: string[];
  /** Transactions per second allowed per user. */
  transactRate: number;
  /** How long a transaction may wait for OVSDB's answer before its outcome is reported as unknown. */
  transactTimeoutMs: number;
  /** Echo probe on an idle OVSDB connection (every kind of remote, unix too); 0 turns it off. */
  probeIntervalMs: number;
  /** Recent update batches kept per database, for resuming browsers and row history: whichever bound is hit first. */
  history: { batches: number; bytes: number };
  logLevel: string;
}

export interface DemoConfig extends Omit<GatewayConfig, 'remotes'> {
  /** Kubernetes-like worker nodes in the sample OVN data (a switch and a gateway router each). */
  nodes: number;
  podsPerNode: number;
  /** Sample changes per second after loading (0: none). */
  churnRate: number;
  dbFile?: string;
}

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function parseListen(value: string, flag = '--listen'): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  if (!m)
    throw new UsageError(`${flag} ${JSON.stringify(value)}: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`${flag} ${JSON.stringify(value)}: port ${port} is out of range`);
  return { host: (m[1] ?? m[2]) as string, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseRemoteFlag(value: string): RemoteConfig {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw new UsageError(
      `--remote ${JSON.stringify(value)}: expected NAME=REMOTE, e.g. nb=unix:/var/run/ovn/ovnnb_db.sock`,
    );
  const name = value.slice(0, eq);
  const remote = value.slice(eq + 1);
  if (!REMOTE_NAME.test(name))
    throw new UsageError(
      `--remote ${JSON.stringify(value)}: name "${name}" must be letters, digits, '_', '.' or '-' (at most 63)`,
    );
  try {
    // Database files are served by the embedded server (files.ts); everything else is an OVSDB remote.
    if (remote.startsWith('file:')) filePaths(remote);
    else parseRemotes(remote);
  } catch (err) {
    throw new UsageError(`--remote ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
  return { name, remote };
}

interface Flag {
  name: string;
  takesValue: boolean;
  env?: string;
}

/** A small argv parser: `--flag value`, `--flag=value`, repeatable flags collect in order. */
export function parseFlags(
  argv: readonly string[],
  flags: readonly Flag[],
  env: NodeJS.ProcessEnv,
): Map<string, string[]> {
  const known = new Map(flags.map((f) => [f.name, f]));
  const out = new Map<string, string[]>();
  const add = (name: string, v: string): void => {
    const list = out.get(name) ?? [];
    list.push(v);
    out.set(name, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--'))
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (flags start with --; see --help)`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const flag = known.get(name);
    if (!flag) throw new UsageError(`unknown flag --${name} (see --help)`);
    if (!flag.takesValue) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      add(name, 'true');
      continue;
    }
    let v: string | undefined;
    if (eq > 0) v = arg.slice(eq + 1);
    else {
      v = argv[i + 1];
      i++;
    }
    if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
    add(name, v);
  }
  for (const f of flags) {
    if (out.has(f.name) || !f.env) continue;
    const v = env[f.env];
    if (v === undefined || v === '') continue;
    if (!f.takesValue) add(f.name, v === '0' || v === 'false' ? 'false' : 'true');
    else for (const part of f.name === 'remote' ? v.split(/\s+/).filter(Boolean) : [v]) add(f.name, part);
  }
  return out;
}

const COMMON_FLAGS: Flag[] = [
  { name: 'listen', takesValue: true, env: 'OVSDB_WEB_LISTEN' },
  { name: 'auth', takesValue: true, env: 'OVSDB_WEB_AUTH' },
  { name: 'read-only', takesValue: false, env: 'OVSDB_WEB_READ_ONLY' },
  { name: 'audit-log', takesValue: true, env: 'OVSDB_WEB_AUDIT_LOG' },
  { name: 'static', takesValue: true, env: 'OVSDB_WEB_STATIC' },
  { name: 'allow-origin', takesValue: true },
  { name: 'transact-rate', takesValue: true, env: 'OVSDB_WEB_TRANSACT_RATE' },
  { name: 'transact-timeout', takesValue: true, env: 'OVSDB_WEB_TRANSACT_TIMEOUT' },
  { name: 'probe-interval', takesValue: true, env: 'OVSDB_WEB_PROBE_INTERVAL' },
  { name: 'history-batches', takesValue: true },
  { name: 'history-bytes', takesValue: true },
  { name: 'tables', takesValue: true },
  { name: 'columns', takesValue: true },
  { name: 'log-level', takesValue: true, env: 'OVSDB_WEB_LOG_LEVEL' },
];

export const SERVE_FLAGS: Flag[] = [
  { name: 'remote', takesValue: true, env: 'OVSDB_WEB_REMOTES' },
  { name: 'tls-key', takesValue: true, env: 'OVSDB_WEB_TLS_KEY' },
  { name: 'tls-cert', takesValue: true, env: 'OVSDB_WEB_TLS_CERT' },
  { name: 'tls-ca', takesValue: true, env: 'OVSDB_WEB_TLS_CA' },
  ...COMMON_FLAGS,
];

export const DEMO_FLAGS: Flag[] = [
  { name: 'nodes', takesValue: true },
  { name: 'pods-per-node', takesValue: true },
  { name: 'churn', takesValue: true },
  { name: 'db-file', takesValue: true },
  ...COMMON_FLAGS,
];

function last(f: Map<string, string[]>, name: string): string | undefined {
  const l = f.get(name);
  return l?.[l.length - 1];
}

function positiveNumber(
  f: Map<string, string[]>,
  name: string,
  dflt: number,
  { integer = true, allowZero = false } = {},
): number {
  const v = last(f, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0 || (!allowZero && n === 0)) {
    throw new UsageError(
      `--${name} ${JSON.stringify(v)}: expected a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}`,
    );
  }
  return n;
}

/** A byte count: digits with an optional K, M or G suffix (powers of 1024). */
function byteSize(f: Map<string, string[]>, name: string, dflt: number): number {
  const v = last(f, name);
  if (v === undefined) return dflt;
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(v);
  const n = m ? Number(m[1]) * 1024 ** ['', 'K', 'M', 'G'].indexOf((m[2] ?? '').toUpperCase()) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`--${name} ${JSON.stringify(v)}: expected a positive size such as 67108864 or 64M`);
  return n;
}

function parseLists(values: readonly string[], flag: string, keyShape: RegExp, example: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq > 0 ? v.slice(0, eq) : '';
    const items =
      eq > 0
        ? v
            .slice(eq + 1)
            .split(',')
            .filter(Boolean)
        : [];
    if (!keyShape.test(key) || items.length === 0)
      throw new UsageError(`--${flag} ${JSON.stringify(v)}: expected ${example}`);
    out.set(key, items);
  }
  return out;
}

function common(f: Map<string, string[]>): Omit<GatewayConfig, 'remotes' | 'tls'> {
  const listen = parseListen(last(f, 'listen') ?? '127.0.0.1:8080');
  const cfg: Omit<GatewayConfig, 'remotes' | 'tls'> = {
    listen,
    readOnly: last(f, 'read-only') === 'true',
    tables: parseLists(f.get('tables') ?? [], 'tables', /^[A-Za-z_][A-Za-z0-9_]*$/, 'DB=Table1,Table2'),
    columns: parseLists(
      f.get('columns') ?? [],
      'columns',
      /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/,
      'DB.Table=col1,col2',
    ),
    allowOrigins: f.get('allow-origin') ?? [],
    transactRate: positiveNumber(f, 'transact-rate', 20, { integer: false }),
    transactTimeoutMs: positiveNumber(f, 'transact-timeout', 30_000),
    probeIntervalMs: positiveNumber(f, 'probe-interval', 5_000, { allowZero: true }),
    history: {
      batches: positiveNumber(f, 'history-batches', 2_000),
      bytes: byteSize(f, 'history-bytes', 64 * 1024 * 1024),
    },
    logLevel: last(f, 'log-level') ?? 'info',
  };
  const auth = last(f, 'auth');
  if (auth) cfg.authFile = auth;
  const audit = last(f, 'audit-log');
  if (audit) cfg.auditLog = audit;
  const stat = last(f, 'static');
  if (stat) cfg.staticDir = stat;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(cfg.logLevel)) {
    throw new UsageError(
      `--log-level ${JSON.stringify(cfg.logLevel)}: expected fatal, error, warn, info, debug, trace or silent`,
    );
  }
  return cfg;
}

export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const f = parseFlags(argv, SERVE_FLAGS, env);
  const remotes = (f.get('remote') ?? []).map(parseRemoteFlag);
  if (remotes.length === 0)
    throw new UsageError(
      'at least one --remote NAME=REMOTE is needed, e.g. --remote nb=unix:/var/run/ovn/ovnnb_db.sock',
    );
  const names = new Set<string>();
  for (const r of remotes) {
    if (names.has(r.name)) throw new UsageError(`--remote: the name "${r.name}" is used twice`);
    names.add(r.name);
  }
  const cfg: GatewayConfig = { ...common(f), remotes };
  const tls = { key: last(f, 'tls-key'), cert: last(f, 'tls-cert'), ca: last(f, 'tls-ca') };
  const usesSsl = remotes.some(
    (r) => !r.remote.startsWith('file:') && parseRemotes(r.remote).some((x) => x.kind === 'ssl'),
  );
  if (usesSsl && (!tls.key || !tls.cert || !tls.ca)) {
    throw new UsageError('an ssl: remote needs --tls-key, --tls-cert and --tls-ca (files as ovs-pki makes them)');
  }
  if (tls.key || tls.cert || tls.ca) {
    cfg.tls = {};
    if (tls.key) cfg.tls.key = tls.key;
    if (tls.cert) cfg.tls.cert = tls.cert;
    if (tls.ca) cfg.tls.ca = tls.ca;
  }
  return cfg;
}

/** `ovsdb-web open PATH… [options]`: the files as one read-only remote named `files`. */
export function parseOpenArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const paths: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--')) {
      flags.push(a);
      const flag = SERVE_FLAGS.find((f) => f.name === a.slice(2).split('=')[0]);
      if (flag?.takesValue && !a.includes('=') && argv[i + 1] !== undefined) flags.push(argv[++i] as string);
    } else paths.push(a);
  }
  if (paths.length === 0)
    throw new UsageError('open needs at least one database file, e.g. ovsdb-web open ovnnb_db.db ovnsb_db.db');
  const cfg = parseServeArgs([...flags, '--remote', `files=${paths.map((p) => `file:${p}`).join(',')}`], env);
  return { ...cfg, readOnly: true };
}

export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const f = parseFlags(argv, DEMO_FLAGS, env);
  const cfg: DemoConfig = {
    ...common(f),
    nodes: positiveNumber(f, 'nodes', 20),
    podsPerNode: positiveNumber(f, 'pods-per-node', 50),
    churnRate: positiveNumber(f, 'churn', 5, { integer: false, allowZero: true }),
  };
  const dbFile = last(f, 'db-file');
  if (dbFile) cfg.dbFile = dbFile;
  return cfg;
}

/** Without an auth file nobody is authenticated, so the gateway must not be reachable from elsewhere. */
export function checkExposure(cfg: Pick<GatewayConfig, 'listen' | 'authFile'>): void {
  if (!cfg.authFile && !isLoopback(cfg.listen.host)) {
    throw new UsageError(
      `--listen ${cfg.listen.host}:${cfg.listen.port}: without --auth the gateway only listens on loopback (127.0.0.1 or ::1); give --auth FILE to listen elsewhere`,
    );
  }
}
