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

/** Options of `transactViaCli`. */
export interface CliTransactOptions extends RunOptions {
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
  opts: CliTransactOptions = {},
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
/**
 * ovn-nbctl arguments that create an ACL from `column=value` settings and add it to a port group's `acls`,
 * in one transaction (what `acl-add` does, for a port group and with any column).
 */
export function aclOnPortGroupArgs(portGroup: string, columns: readonly string[]): string[] {
  return ['--', '--id=@a', 'create', 'ACL', ...columns, '--', 'add', 'Port_Group', portGroup, 'acls', '@a'];
}

export function ovnNbctl(remote: string, ...args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OVN_NB_DAEMON;
  return run('ovn-nbctl', [`--db=${remote}`, '--timeout=10', ...args], { env, timeoutMs: 15_000 });
}

export interface DumpOptions extends RunOptions {
  tls?: ClientTls;
  noLeaderOnly?: boolean;
  /** JSON parser for the dump text; pass an int64-exact one when values may exceed 2^53. */
  parse?: (text: string) => unknown;
}

/** Rows of one table by uuid, each column in RFC 7047 notation (`_uuid` left out). */
export type DumpedTable = Record<string, Record<string, unknown>>;

/**
 * `ovsdb-client --format=json dump REMOTE DB`: every table's rows as the server stores them, read by
 * the server's own tool rather than by the library under test.
 */
export async function ovsdbDump(
  remote: string,
  db: string,
  opts: DumpOptions = {},
): Promise<Record<string, DumpedTable>> {
  const args = [
    ...(opts.tls ? tlsArgs(opts.tls) : []),
    ...(opts.noLeaderOnly ? ['--no-leader-only'] : []),
    '--format=json',
    'dump',
    remote,
    db,
  ];
  const out = await ovsdbClient(args, opts);
  const parse = opts.parse ?? JSON.parse;
  const tables: Record<string, DumpedTable> = {};
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const t = parse(line) as { caption: string; headings: string[]; data: unknown[][] };
    const name = t.caption.replace(/ table$/, '');
    const rows: DumpedTable = {};
    for (const values of t.data) {
      const row: Record<string, unknown> = {};
      let uuid = '';
      t.headings.forEach((h, i) => {
        if (h === '_uuid') uuid = (values[i] as [string, string])[1];
        else row[h] = values[i];
      });
      rows[uuid] = row;
    }
    tables[name] = rows;
  }
  return tables;
}
