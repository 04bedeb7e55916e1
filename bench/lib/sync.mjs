// The initial-sync benchmark (SPEC §6 "Initial sync"): time from connecting to having every row of
// OVN_Northbound in memory, for our client's monitor cache, a raw socket that only parses the reply (the
// floor for any JS client), the OVS Python IDL and `ovsdb-client dump`, against one real ovsdb-server
// holding the standard dataset. Each method runs in a fresh process; rounds alternate the order.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  Monitor,
  OvsdbClient,
  loadDataset,
  standardDataset,
  standardSwitchName,
  startOvsdbServer,
} from './imports.mjs';
import { processCpuSeconds } from './proc.mjs';
import { ReplyReader } from './sync-raw.mjs';

const DB = 'OVN_Northbound';
const CHILD = fileURLToPath(new URL('./sync-child.mjs', import.meta.url));
const IDL_SCRIPT = fileURLToPath(new URL('./sync_idl.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export const SYNC_DEFAULTS = {
  sizes: '100,500', // S values; P is `ports`
  ports: 200,
  rounds: 5,
  pythonRounds: 3, // the IDL takes tens of seconds at S=500
  updates: 2_000, // recorded update3 messages for the apply rate
  rowsPerUpdate: 10,
};

const METHODS = ['client', 'raw', 'python', 'dump', 'dumpJson'];
const LABELS = {
  client: 'our client: `connect` + `monitor(db, {tables: "*"})`',
  raw: 'raw socket: `monitor_cond_since` + `JSON.parse` (the floor)',
  python: 'OVS Python IDL (`ovs.db.idl`, all tables)',
  dump: '`ovsdb-client dump` (text)',
  dumpJson: '`ovsdb-client dump --format=json`',
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command to completion; resolves with its stdout, rejects with its stderr on failure. */
function runProcess(cmd, args, { stdout = 'pipe' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
  });
}

/**
 * One run of `method` in a new process. `wallMs` is spawn to exit (interpreter start-up and imports
 * included); `ms` is the method's own connect → in-memory time where the process can report it.
 */
async function runMethod(method, ctx) {
  const { server, request, scratch } = ctx;
  const socket = server.remote.slice('unix:'.length);
  const srv0 = await processCpuSeconds(server.pid);
  const t0 = performance.now();
  let rep;
  if (method === 'client' || method === 'raw') {
    const args = method === 'client' ? [server.remote, DB] : [socket, request];
    rep = JSON.parse(await runProcess(process.execPath, ['--expose-gc', CHILD, method, ...args]));
  } else if (method === 'python') {
    rep = JSON.parse(await runProcess(PYTHON, [IDL_SCRIPT, server.remote, DB]));
  } else {
    // ovsdb-client reports nothing itself: GNU time gives its peak RSS; its time is the process's.
    const timeFile = join(scratch, 'time.txt');
    const fmt = method === 'dumpJson' ? ['--format=json'] : [];
    await runProcess('/usr/bin/time', ['-f', '%M', '-o', timeFile, 'ovsdb-client', ...fmt, 'dump', server.remote, DB], {
      stdout: 'ignore',
    });
    rep = { peakRssMiB: Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop()) / 1024 };
  }
  const wallMs = performance.now() - t0;
  const serverCpuMs = ((await processCpuSeconds(server.pid)) - srv0) * 1000;
  return { ...rep, ms: rep.ms ?? wallMs, wallMs, serverCpuMs };
}

/** The transaction for recorded update `k`: `rowsPerUpdate` ports change `up` and one `options` value. */
function modifyOps(k, cfg, S) {
  const ops = [];
  for (let r = 0; r < cfg.rowsPerUpdate; r++) {
    const n = k * cfg.rowsPerUpdate + r;
    const sw = n % S;
    const port = Math.floor(n / S) % cfg.ports;
    ops.push({
      op: 'update',
      table: 'Logical_Switch_Port',
      where: [['name', '==', `${standardSwitchName(sw)}-p${port}`]],
      row: {
        up: k % 2 === 0,
        options: [
          'map',
          [
            ['requested-chassis', `node${sw}`],
            ['iface-id-ver', `gen-${k}`],
          ],
        ],
      },
    });
  }
  return ops;
}

/**
 * Records what a monitor receives while another client commits `cfg.updates` transactions: the initial
 * reply and every update3, as text. Leaves the database modified, so it runs after the sync rounds.
 */
async function recordUpdates(ctx, cfg, S) {
  const { server, request, client, schema } = ctx;
  const sock = net.createConnection(server.remote.slice('unix:'.length));
  const reader = new ReplyReader();
  let initial;
  const updates = [];
  let wake;
  sock.on('data', (chunk) => {
    for (const msg of reader.push(chunk)) {
      if (msg.id === 1) initial = JSON.stringify(msg);
      else if (msg.method === 'update3') updates.push(JSON.stringify(msg));
      wake?.();
    }
  });
  const until = async (pred) => {
    while (!pred()) await new Promise((r) => (wake = r));
  };
  await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  sock.write(request);
  await until(() => initial !== undefined);
  const window = 64;
  let next = 0;
  const pump = async () => {
    while (next < cfg.updates) await client.transact(DB, modifyOps(next++, cfg, S));
  };
  await Promise.all(Array.from({ length: window }, pump));
  await until(() => updates.length >= cfg.updates);
  sock.destroy();
  return { db: DB, schema: schema.json, initial, updates };
}

/**
 * The exact request our client sends for `monitor(DB, { tables: '*' })`, taken from a `Monitor` whose
 * host captures it instead of sending it, so the raw socket asks the server for the very same thing
 * (the same tables and column lists, hence the same reply), whatever the client's request looks like.
 */
async function clientRequest(schema) {
  let captured;
  const stop = new Error('captured');
  const host = {
    getSchema: async () => schema,
    request: async (method, params) => {
      captured = { id: 1, method, params };
      throw stop;
    },
    nextMonitorId: () => 'sync',
    // The benchmark captures the request and stops there: nothing is routed, paused or resumed.
    route() {
      // nothing to route
    },
    removeMonitor() {
      // no monitor list
    },
    pauseReading() {
      // no socket
    },
    resumeReading() {
      // no socket
    },
  };
  await new Monitor(host, DB, { tables: '*' }).start(false).catch((err) => {
    if (err !== stop) throw err;
  });
  if (captured?.method !== 'monitor_cond_since')
    throw new Error(`the client asked with ${captured?.method}, expected monitor_cond_since`);
  return JSON.stringify(captured);
}

async function oneSize(S, cfg, log) {
  const rowsExpected = S * (2 + cfg.ports + Math.floor(cfg.ports / 2));
  log(`S=${S} P=${cfg.ports}: starting ovsdb-server and loading ${rowsExpected.toLocaleString('en-US')} rows ...`);
  const server = await startOvsdbServer({});
  const client = await OvsdbClient.connect(server.remote);
  const scratch = await mkdtemp(join(tmpdir(), 'bench-sync-'));
  try {
    const load = await loadDataset(client, standardDataset({ switches: S, ports: cfg.ports }), { pipeline: 8 });
    const schema = await client.getSchema(DB);
    const ctx = { server, client, schema, request: await clientRequest(schema), scratch };

    // One untimed pass: the server's first full dumps are slower while its memory is faulted in.
    log(`S=${S}: warm-up (client, raw; untimed) ...`);
    for (const m of ['client', 'raw']) await runMethod(m, ctx);

    const runs = Object.fromEntries(METHODS.map((m) => [m, []]));
    const ratios = [];
    for (let round = 0; round < cfg.rounds; round++) {
      const order = METHODS.filter((m) => m !== 'python' || round < cfg.pythonRounds);
      if (round % 2 === 1) order.reverse();
      const here = {};
      for (const m of order) {
        log(`S=${S} round ${round + 1}/${cfg.rounds}: ${m} ...`);
        const r = await runMethod(m, ctx);
        if (r.rows !== undefined && r.rows !== rowsExpected)
          throw new Error(`${m}: ${r.rows} rows in memory, the server has ${rowsExpected}`);
        runs[m].push(r);
        here[m] = r;
      }
      ratios.push(here.client.ms / here.raw.ms);
    }

    let apply;
    if (cfg.updates > 0) {
      log(`S=${S}: recording ${cfg.updates} update3 messages (${cfg.rowsPerUpdate} rows each) ...`);
      const rec = await recordUpdates(ctx, cfg, S);
      const file = join(scratch, 'updates.json');
      await writeFile(file, JSON.stringify(rec));
      log(`S=${S}: applying them in a fresh process ...`);
      apply = JSON.parse(await runProcess(process.execPath, ['--expose-gc', CHILD, 'apply', file]));
    }

    const summary = {};
    for (const m of METHODS) {
      const rs = runs[m];
      if (rs.length === 0) continue;
      const pick = (k) => (rs[0][k] === undefined ? undefined : median(rs.map((r) => r[k])));
      summary[m] = {
        n: rs.length,
        ms: pick('ms'),
        min: Math.min(...rs.map((r) => r.ms)),
        max: Math.max(...rs.map((r) => r.ms)),
        all: rs.map((r) => r.ms),
        wallMs: pick('wallMs'),
        serverCpuMs: pick('serverCpuMs'),
        peakRssMiB: pick('peakRssMiB'),
        heapBytes: pick('heapBytes'),
        connectMs: pick('connectMs'),
      };
    }
    return { S, P: cfg.ports, rows: rowsExpected, load, summary, perRound: ratios, apply };
  } finally {
    await client.close().catch(() => undefined);
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function loadavg() {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
}

export async function syncBench(cfg, log) {
  const sizes = String(cfg.sizes)
    .split(',')
    .map((s) => Number(s));
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('sizes must be positive integers');
  const loadBefore = await loadavg();
  const results = [];
  for (const S of sizes) results.push(await oneSize(S, cfg, log));
  return { cfg, results, loadBefore, loadAfter: await loadavg() };
}

export function syncMarkdown(res) {
  const fmt = (x, d = 0) =>
    x === undefined || Number.isNaN(x)
      ? '–'
      : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const ms = (x) => fmt(x, x < 100 ? 1 : 0);
  const out = [];
  for (const r of res.results) {
    const s = r.summary;
    out.push(
      `**S=${r.S} × P=${r.P}: ${fmt(r.rows)} rows** (loaded in ${fmt(r.load.elapsedMs / 1000, 1)} s by our client, 8 transactions in flight)`,
      '',
    );
    out.push(
      '| method | runs | connect → all rows in memory: median (min–max) | ÷ raw | process start → exit: median | ÷ raw | ovsdb-server CPU | peak RSS | heap per row (after GC) |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const m of METHODS) {
      const x = s[m];
      if (!x) continue;
      // ovsdb-client reports no time of its own: only its process can be compared.
      const inProcess = m !== 'dump' && m !== 'dumpJson';
      const own = inProcess ? `**${ms(x.ms)} ms** (${ms(x.min)}–${ms(x.max)})` : '–';
      const ownRatio = inProcess ? `${fmt(x.ms / s.raw.ms, 2)}×` : '–';
      const heap = x.heapBytes === undefined ? '' : `${fmt(x.heapBytes / r.rows)} B`;
      out.push(
        `| ${LABELS[m]} | ${x.n} | ${own} | ${ownRatio} | ${ms(x.wallMs)} ms | ${fmt(x.wallMs / s.raw.wallMs, 2)}× | ${ms(x.serverCpuMs)} ms | ${fmt(x.peakRssMiB)} MiB | ${heap} |`,
      );
    }
    const perRound = median(r.perRound);
    const vsPython = s.python ? s.python.ms / s.client.ms : undefined;
    out.push('');
    out.push('| ratio | value | target |', '|---|---:|---:|');
    out.push(
      `| client ÷ raw floor, median of per-round ratios (${r.perRound.map((x) => fmt(x, 2)).join(' / ')}) | ${fmt(perRound, 2)}× | ≤ 1.3× ${perRound <= 1.3 ? '✅' : '❌'} |`,
    );
    out.push(`| client ÷ raw floor, ratio of the medians | ${fmt(s.client.ms / s.raw.ms, 2)}× | |`);
    if (vsPython !== undefined)
      out.push(`| Python IDL ÷ client | ${fmt(vsPython, 1)}× | ≥ 5× ${vsPython >= 5 ? '✅' : '❌'} |`);
    if (s.python)
      out.push(`| Python IDL ÷ client, process start → exit | ${fmt(s.python.wallMs / s.client.wallMs, 1)}× | |`);
    if (s.dumpJson)
      out.push(
        `| \`ovsdb-client dump --format=json\` ÷ client, process start → exit | ${fmt(s.dumpJson.wallMs / s.client.wallMs, 1)}× | |`,
      );
    if (r.apply) {
      const a = r.apply;
      out.push(
        '',
        `Update apply rate (recorded, not live): ${fmt(a.messages)} \`update3\` messages recorded from a monitor while another client committed` +
          ` ${fmt(a.messages)} transactions of ${res.cfg.rowsPerUpdate} port modifies each (\`up\` and one \`options\` value),` +
          ` then fed in a fresh process straight into \`DatabaseCache.applyUpdate2\` on a cache holding the ${fmt(r.rows)} rows:` +
          ` **${fmt(a.rowsApplied / (a.parseApplyMs / 1000))} rows/s** from bytes (the client's \`MessageReader\`, then \`applyUpdate2\`)` +
          ` (${fmt(a.parseApplyMs, 1)} ms for ${fmt(a.rowsApplied)} rows, ${fmt(a.bytes / 1024)} KiB),` +
          ` ${fmt(a.rowsApplied / (a.applyMs / 1000))} rows/s for \`applyUpdate2\` alone.`,
      );
    }
    out.push('');
  }
  out.push(`Machine load (\`/proc/loadavg\`) before: ${res.loadBefore}; after: ${res.loadAfter}.`);
  return out.join('\n');
}
