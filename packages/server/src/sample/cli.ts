/**
 * `ovsdb-sample`: load sample data into any OVSDB server, or churn it, from the command line.
 *
 * The logic lives in `main(argv, io)` so tests call it in-process; `bin.ts` is the executable that hands
 * it `process.argv`, wires Ctrl-C to `io.signal` and turns the result into the exit code.
 */
import { parseArgs } from 'node:util';
import { EXIT_USAGE, OvsdbClient, UsageError, nodeIo, type CliIo, type ConnectOptions } from '@ovsdb-web/client';
import type { SampleDataset } from './dataset.js';
import { CHURN_KINDS, runChurn, type ChurnKind, type ChurnStats } from './churn.js';
import { loadDataset, type LoadStats } from './load.js';
import { k8sDataset, OVN_NB_DB, STANDARD_PRESETS, standardDataset } from './ovn-nb.js';
import { OPEN_VSWITCH_DB, openVSwitchDataset } from './open-vswitch.js';

/** The client's `CliIo`, plus a signal: aborting stops a running churn early (its stats are still printed). */
export interface SampleIo extends CliIo {
  signal?: AbortSignal;
}

/** The command ran but the server refused something (a batch, or some churn transactions). */
export const EXIT_FAILED = 1;

export const USAGE = `Usage:
  ovsdb-sample load  --remote REMOTE [--preset k8s|standard|standard-500] [--switches S] [--ports P]
                     [--ovs] [--seed N] [--pipeline N] [--no-validate]
  ovsdb-sample churn --remote REMOTE --rate N [--count N] [--duration SECONDS]
                     [--kinds KIND,...] [--seed N] [--max-in-flight N] [--json]

load   fills OVN_Northbound with sample data:
         k8s (default)   an ovn-kubernetes cluster: S nodes (default 10) with P pods each (default 50),
                         namespaces, network policies, services, gateway routers
         standard        the benchmark dataset: S switches x P ports (default 100 x 200), S port groups
                         x P/2 ACLs (30,200 rows); standard-500 is S=500
       --ovs also fills Open_vSwitch (one node's bridges, tunnels and pod ports); when the server has
       no OVN_Northbound, only that. Load into empty databases: names must be unique.
churn  makes pod, ACL and address-set changes at --rate per second until --count changes were made
       or --duration seconds passed. Kinds: ${CHURN_KINDS.join(', ')}.

Remotes: unix:PATH, tcp:HOST:PORT, ssl:HOST:PORT (with --private-key, --certificate, --ca-cert).
Exit status: 0 on success, 1 when the server refused a change, 2 for unusable arguments or remote.
`;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        remote: { type: 'string' },
        preset: { type: 'string' },
        switches: { type: 'string' },
        ports: { type: 'string' },
        ovs: { type: 'boolean' },
        seed: { type: 'string' },
        pipeline: { type: 'string' },
        'no-validate': { type: 'boolean' },
        rate: { type: 'string' },
        count: { type: 'string' },
        duration: { type: 'string' },
        kinds: { type: 'string' },
        'max-in-flight': { type: 'string' },
        json: { type: 'boolean' },
        'private-key': { type: 'string' },
        certificate: { type: 'string' },
        'ca-cert': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export async function main(argv: readonly string[], io: SampleIo = nodeIo): Promise<number> {
  let values: Values;
  let command: string | undefined;
  try {
    const parsed = parse(argv);
    values = parsed.values;
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new UsageError('expected one command: load or churn');
    command = parsed.positionals[0];
    if (command !== 'load' && command !== 'churn') throw new UsageError(`unknown command "${command}"`);
    if (!values.remote) throw new UsageError('--remote is required');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`ovsdb-sample: ${err.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  let client: OvsdbClient;
  try {
    client = await OvsdbClient.connect(values.remote, connectOptions(values));
  } catch (err) {
    io.stderr(`ovsdb-sample: ${message(err)}\n`);
    return EXIT_USAGE;
  }
  try {
    return command === 'load' ? await load(client, values, io) : await churn(client, values, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`ovsdb-sample: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`ovsdb-sample: ${message(err)}\n`);
    return EXIT_FAILED;
  } finally {
    await client.close();
  }
}

async function load(client: OvsdbClient, v: Values, io: CliIo): Promise<number> {
  const dbs = await client.listDbs();
  const preset = v.preset ?? 'k8s';
  if (preset !== 'k8s' && !(preset in STANDARD_PRESETS)) {
    throw new UsageError(`unknown preset "${preset}"; expected k8s, ${Object.keys(STANDARD_PRESETS).join(', ')}`);
  }
  const switches = optionalInt(v.switches, '--switches');
  const ports = optionalInt(v.ports, '--ports');
  const seed = optionalInt(v.seed, '--seed') ?? 1;
  const pipeline = optionalInt(v.pipeline, '--pipeline') ?? 8;

  const datasets: SampleDataset[] = [];
  const wantNb = !v.ovs || dbs.includes(OVN_NB_DB);
  if (wantNb) {
    if (!dbs.includes(OVN_NB_DB))
      throw new UsageError(`the server has no ${OVN_NB_DB} database (it has ${dbs.join(', ')})`);
    try {
      if (preset === 'k8s') {
        // NB_Global holds at most one row; a database that ovn-northd or ovn-nbctl already set up has it.
        const existing = await client.transact(OVN_NB_DB, [
          { op: 'select', table: 'NB_Global', where: [], columns: ['_uuid'] },
        ]);
        const hasGlobal =
          existing[0] !== null &&
          typeof existing[0] === 'object' &&
          'rows' in existing[0] &&
          existing[0].rows.length > 0;
        datasets.push(k8sDataset({ nodes: switches ?? 10, podsPerNode: ports ?? 50, seed, nbGlobal: !hasGlobal }));
      } else {
        const sizes = STANDARD_PRESETS[preset as keyof typeof STANDARD_PRESETS];
        datasets.push(standardDataset({ switches: switches ?? sizes.switches, ports: ports ?? sizes.ports, seed }));
      }
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
  }
  if (v.ovs) {
    if (!dbs.includes(OPEN_VSWITCH_DB))
      throw new UsageError(`the server has no ${OPEN_VSWITCH_DB} database (it has ${dbs.join(', ')})`);
    datasets.push(openVSwitchDataset({ seed }));
  }

  for (const ds of datasets) {
    const stats: LoadStats = await loadDataset(client, ds, { pipeline, validate: !v['no-validate'] });
    const tables = Object.entries(ds.rowCounts)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    io.stdout(
      `${ds.db}: ${ds.totalRows} rows in ${stats.batches} transactions, ${(stats.elapsedMs / 1000).toFixed(2)} s ` +
        `(${Math.round(stats.opsPerSec)} ops/s)\n  ${tables}\n`,
    );
  }
  return 0;
}

async function churn(client: OvsdbClient, v: Values, io: SampleIo): Promise<number> {
  const rate = v.rate === undefined ? undefined : Number(v.rate);
  if (rate === undefined || !(rate > 0) || !Number.isFinite(rate))
    throw new UsageError('--rate must be a positive number');
  const count = optionalInt(v.count, '--count');
  const durationS = v.duration === undefined ? undefined : Number(v.duration);
  if (durationS !== undefined && !(durationS >= 0)) throw new UsageError('--duration must be a number of seconds');
  if (count === undefined && durationS === undefined) throw new UsageError('churn needs --count, --duration or both');
  let kinds: ChurnKind[] | undefined;
  if (v.kinds !== undefined) {
    kinds = v.kinds.split(',').map((k) => k.trim()) as ChurnKind[];
    const unknown = kinds.filter((k) => !(CHURN_KINDS as readonly string[]).includes(k));
    if (unknown.length > 0)
      throw new UsageError(`unknown churn kind ${unknown.join(', ')}; expected ${CHURN_KINDS.join(', ')}`);
  }
  const maxInFlight = optionalInt(v['max-in-flight'], '--max-in-flight');
  const dbs = await client.listDbs();
  if (!dbs.includes(OVN_NB_DB))
    throw new UsageError(`the server has no ${OVN_NB_DB} database (it has ${dbs.join(', ')})`);

  const stats = await runChurn(client, {
    ratePerSec: rate,
    seed: optionalInt(v.seed, '--seed') ?? 1,
    ...(count !== undefined ? { count } : {}),
    ...(durationS !== undefined ? { durationMs: durationS * 1000 } : {}),
    ...(kinds ? { kinds } : {}),
    ...(maxInFlight !== undefined ? { maxInFlight } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  io.stdout(v.json ? `${JSON.stringify(stats, null, 2)}\n` : formatChurn(stats));
  return stats.failed > 0 ? EXIT_FAILED : 0;
}

export function formatChurn(s: ChurnStats): string {
  const lines = [
    `churn: ${s.sent} sent, ${s.ok} ok, ${s.failed} failed in ${(s.elapsedMs / 1000).toFixed(2)} s ` +
      `(${s.achievedRate.toFixed(1)}/s of ${s.targetRate}/s asked)`,
    `  latency ms: p50 ${s.latencyMs.p50.toFixed(2)}, p99 ${s.latencyMs.p99.toFixed(2)}, max ${s.latencyMs.max.toFixed(2)}`,
    `  ${CHURN_KINDS.map((k) => `${k} ${s.byKind[k].ok}/${s.byKind[k].sent}`).join(', ')}`,
  ];
  if (s.seeded.length > 0) lines.push(`  created to work on: ${s.seeded.join(', ')}`);
  for (const e of s.errors) lines.push(`  error: ${e}`);
  return `${lines.join('\n')}\n`;
}

function connectOptions(v: Values): ConnectOptions {
  const key = v['private-key'];
  const cert = v.certificate;
  const ca = v['ca-cert'];
  if (key === undefined && cert === undefined && ca === undefined) return {};
  if (key === undefined || cert === undefined || ca === undefined) {
    throw new UsageError('--private-key, --certificate and --ca-cert go together');
  }
  return { tls: { key, cert, ca } };
}

function optionalInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer (got "${text}")`);
  return n;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
