#!/usr/bin/env node
// Benchmarks against peers (SPEC §6). `node bench/run.mjs [BENCH...] [--flags]`; with no BENCH, all of
// them run. Prints markdown; `--update-docs` also writes each result into its section of
// docs/BENCHMARKS.md (between the `<!-- bench:NAME -->` markers), leaving the prose around it alone.
import { parseArgs } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { machineInfo, machineTable } from './lib/machine.mjs';
import { WRITE_DEFAULTS, writeBench, writeMarkdown } from './lib/write.mjs';
import { GATEWAY_DEFAULTS, gatewayBench, gatewayMarkdown } from './lib/gateway.mjs';
import { SERVER_DEFAULTS, serverBench, serverMarkdown } from './lib/server.mjs';
import { SYNC_DEFAULTS, syncBench, syncMarkdown } from './lib/sync.mjs';
import { FILE_LOAD_DEFAULTS, fileLoadBench, fileLoadMarkdown } from './lib/file-load.mjs';
import { LOAD_DEFAULTS, loadBench, loadMarkdown } from './lib/gateway-load.mjs';
import { BROWSER_ABOUT, BROWSER_USAGE, runBrowser } from './lib/browser.mjs';

const BENCHES = {
  write: {
    about: 'insert a port + mutate its switch: ovn-nbctl vs our client (sequential, pipelined) vs a raw socket',
    async run(flags, log) {
      const cfg = { ...WRITE_DEFAULTS };
      for (const key of Object.keys(WRITE_DEFAULTS)) {
        if (flags[key] !== undefined) {
          const n = Number(flags[key]);
          if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer`);
          cfg[key] = n;
        }
      }
      if (cfg.window < 1 || cfg.rounds < 1 || cfg.switches < 1)
        throw new Error('--window, --rounds and --switches must be at least 1');
      cfg.profile = Boolean(flags.profile);
      if (typeof flags['profile-dir'] === 'string') cfg.profileDir = flags['profile-dir'];
      const res = await writeBench(cfg, log);
      const command = [
        'node bench/run.mjs write',
        ...Object.keys(WRITE_DEFAULTS)
          .filter((k) => cfg[k] !== WRITE_DEFAULTS[k])
          .map((k) => `--${k} ${cfg[k]}`),
      ].join(' ');
      let md = writeMarkdown(res);
      if (res.profileText) md += `\n\n\`\`\`text\n${res.profileText}\n\`\`\``;
      return { command, markdown: md, json: res };
    },
  },
  server: {
    about:
      'our embedded server vs ovsdb-server: load, transactions/s (pipelined, sequential), initial monitor_cond, CPU, RSS',
    async run(flags, log) {
      const cfg = { ...SERVER_DEFAULTS };
      const flagOf = (key) => (key === 'monitorSwitches' ? 'monitor-switches' : key);
      for (const key of Object.keys(SERVER_DEFAULTS)) {
        if (flags[flagOf(key)] === undefined) continue;
        const n = Number(flags[flagOf(key)]);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--${flagOf(key)} must be a non-negative integer`);
        cfg[key] = n;
      }
      if (cfg.window < 1 || cfg.rounds < 1 || cfg.switches < 1 || cfg.pipelined < 1)
        throw new Error('--window, --rounds, --switches and --pipelined must be at least 1');
      if (typeof flags['profile-dir'] === 'string') cfg.profileDir = flags['profile-dir'];
      const res = await serverBench(cfg, log);
      const command = [
        'node bench/run.mjs server',
        ...Object.keys(SERVER_DEFAULTS)
          .filter((k) => cfg[k] !== SERVER_DEFAULTS[k])
          .map((k) => `--${flagOf(k)} ${cfg[k]}`),
      ].join(' ');
      let md = serverMarkdown(res);
      if (res.profileText) md += `\n\n\`\`\`text\n${res.profileText}\n\`\`\``;
      return { command, markdown: md, json: res };
    },
  },
  sync: {
    about:
      'initial sync of the standard dataset into the client cache vs a raw socket, the OVS Python IDL and ovsdb-client dump',
    async run(flags, log) {
      const cfg = { ...SYNC_DEFAULTS };
      if (flags.sizes !== undefined) {
        if (!/^\d+(,\d+)*$/.test(flags.sizes))
          throw new Error('--sizes must be a comma-separated list of S values, e.g. 100,500');
        cfg.sizes = flags.sizes;
      }
      for (const [key, flag] of [
        ['ports', 'ports'],
        ['rounds', 'rounds'],
        ['pythonRounds', 'python-rounds'],
        ['updates', 'updates'],
      ]) {
        if (flags[flag] === undefined) continue;
        const n = Number(flags[flag]);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer`);
        cfg[key] = n;
      }
      const res = await syncBench(cfg, log);
      const flagOf = (k) => ({ pythonRounds: 'python-rounds' })[k] ?? k;
      const changed = Object.keys(SYNC_DEFAULTS).filter((k) => cfg[k] !== SYNC_DEFAULTS[k]);
      const command = ['node bench/run.mjs sync', ...changed.map((k) => `--${flagOf(k)} ${cfg[k]}`)].join(' ');
      return { command, markdown: syncMarkdown(res), json: res };
    },
  },
  gateway: {
    about: 'commit → WebSocket latency for 1/10/100 clients at 1,000 changes/s; gateway CPU and RSS; a stalled client',
    async run(flags, log) {
      const cfg = { ...GATEWAY_DEFAULTS };
      for (const [key, flag] of [
        ['switches', 'switches'],
        ['ports', 'ports'],
        ['rate', 'rate'],
        ['seconds', 'seconds'],
        ['stallSeconds', 'stall-seconds'],
      ]) {
        if (flags[flag] === undefined) continue;
        const n = Number(flags[flag]);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer`);
        cfg[key] = n;
      }
      if (flags.clients !== undefined) {
        if (!/^\d+(,\d+)*$/.test(flags.clients))
          throw new Error('--clients must be a comma-separated list of counts, e.g. 1,10,100');
        cfg.clients = flags.clients;
      }
      const res = await gatewayBench(cfg, log);
      const changed = Object.keys(GATEWAY_DEFAULTS).filter((k) => cfg[k] !== GATEWAY_DEFAULTS[k]);
      const command = [
        'node bench/run.mjs gateway',
        ...changed.map((k) => `--${k === 'stallSeconds' ? 'stall-seconds' : k} ${cfg[k]}`),
      ].join(' ');
      return { command, markdown: gatewayMarkdown(res), json: res };
    },
  },
  'file-load': {
    about: 'open a 151,000-row OVN NB file (as written, compacted): ovsdb-embedded --file vs ovsdb-server; time, RSS',
    async run(flags, log) {
      const cfg = { ...FILE_LOAD_DEFAULTS };
      for (const key of Object.keys(FILE_LOAD_DEFAULTS)) {
        if (flags[key] === undefined) continue;
        const n = Number(flags[key]);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--${key} must be a positive integer`);
        cfg[key] = n;
      }
      const res = await fileLoadBench(cfg, log);
      const changed = Object.keys(FILE_LOAD_DEFAULTS).filter((k) => cfg[k] !== FILE_LOAD_DEFAULTS[k]);
      const command = ['node bench/run.mjs file-load', ...changed.map((k) => `--${k} ${cfg[k]}`)].join(' ');
      return { command, markdown: fileLoadMarkdown(res), json: res };
    },
  },
  load: {
    about:
      '200 WebSocket clients (normal, slow, stalled) + REST reads (autocannon) under 1,000 changes/s: no update missed, RSS bounded',
    async run(flags, log) {
      const cfg = { ...LOAD_DEFAULTS };
      const flagOf = (k) => (k === 'rssBudget' ? 'rss-budget' : k);
      for (const key of Object.keys(LOAD_DEFAULTS)) {
        if (flags[flagOf(key)] === undefined) continue;
        const n = Number(flags[flagOf(key)]);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--${flagOf(key)} must be a non-negative integer`);
        cfg[key] = n;
      }
      const res = await loadBench(cfg, log);
      // A correctness check that failed fails the run, after the results are printed (and written).
      if (!res.ok) process.exitCode = 1;
      const changed = Object.keys(LOAD_DEFAULTS).filter((k) => cfg[k] !== LOAD_DEFAULTS[k]);
      const command = ['node bench/run.mjs load', ...changed.map((k) => `--${flagOf(k)} ${cfg[k]}`)].join(' ');
      return { command, markdown: loadMarkdown(res), json: res };
    },
  },
  browser: { about: BROWSER_ABOUT, run: runBrowser },
};

const USAGE = `Usage: node bench/run.mjs [${Object.keys(BENCHES).join('|')}]... [options]

${Object.entries(BENCHES)
  .map(([k, b]) => `  ${k.padEnd(9)} ${b.about}`)
  .join('\n')}

write options (defaults in brackets):
  --switches S [${WRITE_DEFAULTS.switches}] --ports P [${WRITE_DEFAULTS.ports}]   standard dataset size
  --nbctl N [${WRITE_DEFAULTS.nbctl}]          ovn-nbctl processes (0 skips them)
  --sequential N [${WRITE_DEFAULTS.sequential}]   client transactions awaited one by one
  --pipelined N [${WRITE_DEFAULTS.pipelined}]   client and raw-socket transactions
  --window N [${WRITE_DEFAULTS.window}]         transactions in flight for pipelined and raw
  --rounds N [${WRITE_DEFAULTS.rounds}]           alternating pipelined/raw rounds (median reported)
  --warmup N [${WRITE_DEFAULTS.warmup}]        untimed transactions before each timed client/raw run
  --profile, --profile-dir DIR   CPU-profile one extra pipelined round (done anyway below 90% of raw)
server options:
  --switches S [${SERVER_DEFAULTS.switches}] --ports P [${SERVER_DEFAULTS.ports}]   standard dataset size
  --pipelined N [${SERVER_DEFAULTS.pipelined}] --window N [${SERVER_DEFAULTS.window}]   raw-socket transactions per round, in flight
  --sequential N [${SERVER_DEFAULTS.sequential}]   raw-socket transactions one at a time (0 skips them)
  --rounds N [${SERVER_DEFAULTS.rounds}] --warmup N [${SERVER_DEFAULTS.warmup}]   alternating rounds (median reported); untimed transactions first
  --monitor-switches S [${SERVER_DEFAULTS.monitorSwitches}]   a second dataset for the initial monitor only (0 skips it)
  --profile-dir DIR   run our server under node --cpu-prof and summarize its profile
sync options:
  --sizes LIST [${SYNC_DEFAULTS.sizes}] --ports P [${SYNC_DEFAULTS.ports}]   standard dataset sizes (S values)
  --rounds N [${SYNC_DEFAULTS.rounds}] --python-rounds N [${SYNC_DEFAULTS.pythonRounds}]   repetitions (median reported)
  --updates N [${SYNC_DEFAULTS.updates}]   update messages for the apply-rate measurement
file-load options:
  --switches S [${FILE_LOAD_DEFAULTS.switches}] --ports P [${FILE_LOAD_DEFAULTS.ports}]   standard dataset size
  --rounds N [${FILE_LOAD_DEFAULTS.rounds}]           times each server opens each file
gateway options:
  --switches S [${GATEWAY_DEFAULTS.switches}] --ports P [${GATEWAY_DEFAULTS.ports}]   standard dataset size
  --rate N [${GATEWAY_DEFAULTS.rate}]          changes per second
  --seconds N [${GATEWAY_DEFAULTS.seconds}]         per client count
  --clients LIST [${GATEWAY_DEFAULTS.clients}]  WebSocket client counts
  --stall-seconds N [${GATEWAY_DEFAULTS.stallSeconds}]   the stalled-client run
load options:
  --nodes N [${LOAD_DEFAULTS.nodes}] --pods N [${LOAD_DEFAULTS.pods}]   ovn-kubernetes dataset (k8sDataset) size
  --rate N [${LOAD_DEFAULTS.rate}] --seconds N [${LOAD_DEFAULTS.seconds}]   churn changes per second, and for how long
  --normal N [${LOAD_DEFAULTS.normal}] --slow N [${LOAD_DEFAULTS.slow}] --stalled N [${LOAD_DEFAULTS.stalled}]   WebSocket clients of each kind
  --connections N [${LOAD_DEFAULTS.connections}]   autocannon connections for the REST reads
  --rss-budget MiB [${LOAD_DEFAULTS.rssBudget}]   the gateway's RSS must stay under this
${BROWSER_USAGE}
common:
  --update-docs   write the results into docs/BENCHMARKS.md
  --json FILE     also write the raw results as JSON
`;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  strict: true,
  options: {
    switches: { type: 'string' },
    ports: { type: 'string' },
    nbctl: { type: 'string' },
    sequential: { type: 'string' },
    pipelined: { type: 'string' },
    window: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    clients: { type: 'string' },
    'stall-seconds': { type: 'string' },
    'monitor-switches': { type: 'string' },
    sizes: { type: 'string' },
    'python-rounds': { type: 'string' },
    updates: { type: 'string' },
    profile: { type: 'boolean' },
    'profile-dir': { type: 'string' },
    'update-docs': { type: 'boolean' },
    json: { type: 'string' },
    nodes: { type: 'string' },
    pods: { type: 'string' },
    normal: { type: 'string' },
    slow: { type: 'string' },
    stalled: { type: 'string' },
    connections: { type: 'string' },
    'rss-budget': { type: 'string' },
    long: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const selected = positionals.length > 0 ? positionals : Object.keys(BENCHES);
for (const name of selected) {
  if (!BENCHES[name]) {
    process.stderr.write(`unknown benchmark "${name}"\n\n${USAGE}`);
    process.exit(2);
  }
}

const log = (text) => process.stderr.write(`[bench] ${text}\n`);
const machine = await machineInfo();
const results = {};
for (const name of selected) {
  log(`${name}: ${BENCHES[name].about}`);
  results[name] = await BENCHES[name].run(flags, log);
}

const date = new Date().toISOString().slice(0, 10);
const sections = selected.map(
  (name) => `### ${name}\n\n\`\`\`sh\n${results[name].command}\n\`\`\`\n\n${results[name].markdown}`,
);
process.stdout.write(`## Results (${date})\n\n${machineTable(machine)}\n\n${sections.join('\n\n')}\n`);

if (flags.json) {
  await writeFile(
    flags.json,
    JSON.stringify({ date, machine, results: Object.fromEntries(selected.map((n) => [n, results[n].json])) }, null, 2),
  );
}
if (flags['update-docs']) {
  const docPath = fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url));
  let doc = await readFile(docPath, 'utf8');
  const replace = (marker, body) => {
    // The body between the markers may be empty (a section not measured yet).
    const re = new RegExp(`(<!-- bench:${marker} -->\\n)[\\s\\S]*?(<!-- /bench:${marker} -->)`);
    if (!re.test(doc)) throw new Error(`docs/BENCHMARKS.md has no <!-- bench:${marker} --> section`);
    doc = doc.replace(re, (_m, open, close) => `${open}${body}\n${close}`);
  };
  replace('machine', `Measured ${date}.\n\n${machineTable(machine)}`);
  for (const name of selected) replace(name, `\`\`\`sh\n${results[name].command}\n\`\`\`\n\n${results[name].markdown}`);
  await writeFile(docPath, doc);
  log(`updated ${docPath}`);
}
