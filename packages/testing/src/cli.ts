// Thin wrappers over the OVS/OVN command-line tools. Tests use them as an
// independent "second opinion" client: seeding data, generating churn and
// checking what the server really stored, without going through the library
// under test.
import { run, type RunOptions } from './proc.js';

/** Any JSON value; used for OVSDB operations and results. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Client-side PKI files for `ssl:` remotes. */
export interface ClientTls {
  key: string;
  cert: string;
  ca: string;
}

/** The PKI flags understood by ovsdb-client, ovn-nbctl and ovn-sbctl alike. */
export function tlsArgs(tls: ClientTls): string[] {
  return [`--private-key=${tls.key}`, `--certificate=${tls.cert}`, `--ca-cert=${tls.ca}`];
}

/** `ovs-appctl -t <target> args...`; target is a unixctl socket path. */
export function appctl(target: string, ...args: string[]): Promise<string> {
  // Short timeout: appctl blocks forever against a SIGSTOPped server.
  return run('ovs-appctl', ['-t', target, ...args], { timeoutMs: 5_000 });
}

/** Runs `ovsdb-client args...` and returns stdout. */
export function ovsdbClient(args: readonly string[], opts?: RunOptions): Promise<string> {
  return run('ovsdb-client', args, opts);
}

export interface TransactOptions extends RunOptions {
  tls?: ClientTls;
  /** Accept a cluster follower (ovsdb-client defaults to leader only). */
  noLeaderOnly?: boolean;
  /** Return results containing per-operation errors instead of throwing. */
  allowErrors?: boolean;
}

function isOpError(r: Json): boolean {
  return r !== null && typeof r === 'object' && !Array.isArray(r) && 'error' in r;
}

/**
 * Sends one `transact` through ovsdb-client and returns the result array.
 * ovsdb-client exits 0 even when an operation fails, so by default any
 * result carrying an "error" member is turned into a thrown Error.
 */
export async function transactViaCli(
  remote: string,
  db: string,
  ops: readonly Json[],
  opts: TransactOptions = {},
): Promise<Json[]> {
  const args = [
    ...(opts.tls ? tlsArgs(opts.tls) : []),
    ...(opts.noLeaderOnly ? ['--no-leader-only'] : []),
    'transact',
    remote,
    JSON.stringify([db, ...ops]),
  ];
  const out = await ovsdbClient(args, opts);
  const parsed: unknown = JSON.parse(out);
  if (!Array.isArray(parsed)) {
    throw new Error(`ovsdb-client transact returned a non-array: ${out}`);
  }
  const results = parsed as Json[];
  if (!opts.allowErrors && results.some(isOpError)) {
    throw new Error(`transaction failed: ${out.trim()}`);
  }
  return results;
}

/**
 * Runs `ovn-nbctl --db=<remote> args...`. Global options (e.g.
 * `--no-leader-only`, tlsArgs(...)) may lead `args`, since they still come
 * before the command word. OVN_NB_DAEMON is dropped so a developer's
 * environment cannot redirect the call to some other daemon.
 */
export function ovnNbctl(remote: string, ...args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OVN_NB_DAEMON;
  return run('ovn-nbctl', [`--db=${remote}`, '--timeout=10', ...args], { env, timeoutMs: 15_000 });
}
