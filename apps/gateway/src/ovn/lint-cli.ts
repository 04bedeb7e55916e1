/**
 * `ovsdb-web lint --remote nb=REMOTE [--json]`: every problem of a live OVN_Northbound database — bad
 * matches, dangling or empty `$set`/`@group` references, duplicate, shadowed and overlapping ACLs, an IP used
 * twice on a switch, meters that do not exist — with the row and the reason; exit status 1 when there is an
 * error (warnings alone: 0), 2 when it could not look.
 */
import {
  EXIT_USAGE,
  OvsdbClient,
  UsageError,
  parseRemotes,
  stringifyJson,
  type CliIo,
  type Json,
} from '@ovsdb-web/client';
import { lintNorthbound, nbFeaturesFromSchema, type LintProblem } from '@ovsdb-web/ovn';
import { NB_LINT_TABLES, nbSnapshot } from './snapshot.js';

export const LINT_USAGE = `Usage: ovsdb-web lint --remote [NAME=]REMOTE [--json] [--tls-key F --tls-cert F --tls-ca F]

Prints every problem of the OVN_Northbound database at REMOTE, one per line (or a JSON array with --json).
Exit status: 0 no error (warnings may be printed), 1 at least one error, 2 the database could not be read.
`;

interface LintArgs {
  remote: string;
  json: boolean;
  tls: { key?: string; cert?: string; ca?: string };
}

function parseArgs(argv: readonly string[]): LintArgs {
  let remote: string | undefined;
  let json = false;
  const tls: LintArgs['tls'] = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--remote') {
      const v = value();
      remote = /^[A-Za-z0-9_.-]+=/.test(v) && !/^(unix|tcp|ssl):/.test(v) ? v.slice(v.indexOf('=') + 1) : v;
    } else if (flag === '--json') json = true;
    else if (flag === '--tls-key') tls.key = value();
    else if (flag === '--tls-cert') tls.cert = value();
    else if (flag === '--tls-ca') tls.ca = value();
    else throw new UsageError(`lint: unknown argument ${JSON.stringify(argv[i])}\n\n${LINT_USAGE}`);
  }
  if (!remote) throw new UsageError(`lint needs --remote\n\n${LINT_USAGE}`);
  try {
    parseRemotes(remote);
  } catch (err) {
    throw new UsageError(`--remote ${JSON.stringify(remote)}: ${(err as Error).message}`);
  }
  return { remote, json, tls };
}

export function formatProblem(p: LintProblem): string {
  return `${p.severity}\t${p.table}\t${p.uuid}\t${p.column ?? ''}\t${p.code}\t${p.message}`;
}

export async function lintMain(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  let client: OvsdbClient;
  try {
    client = await OvsdbClient.connect(args.remote, {
      reconnect: false,
      ...(args.tls.key || args.tls.cert || args.tls.ca ? { tls: args.tls } : {}),
    });
  } catch (err) {
    io.stderr(`ovsdb-web lint: cannot connect to ${args.remote}: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  try {
    const dbs = await client.listDbs();
    if (!dbs.includes('OVN_Northbound')) {
      io.stderr(`ovsdb-web lint: ${args.remote} has no OVN_Northbound database (it has ${dbs.join(', ')})\n`);
      return EXIT_USAGE;
    }
    const schema = await client.getSchema('OVN_Northbound');
    const tables = NB_LINT_TABLES.filter((t) => schema.tables.has(t));
    const monitor = await client.monitor('OVN_Northbound', { tables: Object.fromEntries(tables.map((t) => [t, {}])) });
    const snapshot = nbSnapshot(
      {
        rows: (t) => (schema.tables.has(t) ? monitor.cache.table(t).rows() : []),
        hasTable: (t) => schema.tables.has(t),
      },
      nbFeaturesFromSchema(schema.json),
    );
    const problems = lintNorthbound(snapshot);
    if (args.json) io.stdout(`${stringifyJson(problems as unknown as Json)}\n`);
    else {
      for (const p of problems) io.stdout(`${formatProblem(p)}\n`);
      const errors = problems.filter((p) => p.severity === 'error').length;
      io.stderr(
        `ovsdb-web lint: ${errors} error(s), ${problems.length - errors} warning(s) in ${snapshot.acls.length} ACLs, ${snapshot.logicalSwitchPorts.length} ports\n`,
      );
    }
    return problems.some((p) => p.severity === 'error') ? 1 : 0;
  } finally {
    await client.close();
  }
}
