// The embedded-server benchmark (issue "Embedded OVSDB server", item 4): our in-memory server against the
// real ovsdb-server, same workload, same run. Each server is its own process, so the CPU and memory
// columns are that server's alone (from /proc); the load comes from this process through raw sockets
// where it can, so the client's own cost does not hide the server's.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  OvsdbClient,
  OVN_NB_SCHEMA,
  loadDataset,
  standardDataset,
  standardSwitchName,
  startOvsdbServer,
} from './imports.mjs';
import { processCpuSeconds, rssMiB } from './proc.mjs';
import { formatSummary, summarize } from './profile.mjs';
import { BraceCounter, rawPipelined } from './raw.mjs';
import { DB, initialRowCount, median, monitorCondRequest, parseLoadavg, standardRows } from './server-util.mjs';

const EMBEDDED_BIN = fileURLToPath(new URL('../../packages/server/dist/bin.js', import.meta.url));

export const SERVER_DEFAULTS = {
  switches: 100,
  ports: 200,
  sequential: 2_000,
  pipelined: 20_000,
  window: 256,
  rounds: 3,
  warmup: 1_000,
  // A second, larger dataset for the initial monitor only (0 skips it): SPEC §6's S=500, 151,000 rows.
  monitorSwitches: 500,
};

// ---------------------------------------------------------------------------
// The two servers, each a child process with a unix socket

const loadavg = async () => parseLoadavg(await readFile('/proc/loadavg', 'utf8'));

async function startReal() {
  const server = await startOvsdbServer({});
  return {
    key: 'real',
    pid: server.pid,
    socket: server.remote.slice('unix:'.length),
    remote: server.remote,
    stop: () => server.stop(),
  };
}

/** Our server through its CLI; with `profileDir`, under `node --cpu-prof` (the profile is written on exit). */
async function startOurs(profileDir) {
  const dir = await mkdtemp(join(tmpdir(), 'ovsdb-embedded-bench-'));
  const socket = join(dir, 'nb.sock');
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(
    process.execPath,
    [...nodeArgs, EMBEDDED_BIN, '--schema', OVN_NB_SCHEMA, '--remote', `punix:${socket}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let err = '';
    const onData = (d) => {
      err += d;
      if (err.includes('listening on unix:')) {
        child.stderr.off('data', onData);
        resolve();
      }
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`embedded server exited (${code}) before listening:\n${err}`)));
  });
  child.stderr.resume();
  return {
    key: 'ours',
    pid: child.pid,
    socket,
    remote: `unix:${socket}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Workloads

/** The write benchmark's transaction: what `ovn-nbctl lsp-add sw name` commits. */
function portRequest(name, sw, id) {
  return JSON.stringify({
    method: 'transact',
    params: [
      DB,
      { op: 'insert', table: 'Logical_Switch_Port', row: { name }, 'uuid-name': 'p' },
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['name', '==', sw]],
        mutations: [['ports', 'insert', ['named-uuid', 'p']]],
      },
    ],
    id,
  });
}

async function countPorts(client) {
  const [r] = await client.transact(DB, [
    { op: 'select', table: 'Logical_Switch_Port', where: [], columns: ['_uuid'] },
  ]);
  return r.rows.length;
}

/** Puts every switch's `ports` back as loaded, so the ports added since are garbage-collected (see write.mjs). */
async function resetter(client) {
  const [r] = await client.transact(DB, [
    { op: 'select', table: 'Logical_Switch', where: [], columns: ['name', 'ports'] },
  ]);
  const ops = r.rows.map((row) => ({
    op: 'update',
    table: 'Logical_Switch',
    where: [['name', '==', row.name]],
    row: { ports: row.ports },
  }));
  const baseline = await countPorts(client);
  return async () => {
    await client.transact(DB, ops, { validate: false });
    const now = await countPorts(client);
    if (now !== baseline) throw new Error(`reset left ${now} ports, expected ${baseline}`);
  };
}

/** Wall time of `fn` (or the time it reports) and the CPU the server process spent meanwhile. */
async function measured(pid, fn) {
  const cpu0 = await processCpuSeconds(pid);
  const t0 = performance.now();
  const inner = await fn();
  const ms = inner?.elapsedMs ?? performance.now() - t0;
  const cpu = (await processCpuSeconds(pid)) - cpu0;
  return { ms, cpu, inner };
}

/**
 * A fresh connection sends `monitor_cond` for every table and reads the whole reply: `replyMs` when its
 * last byte arrives, `parsedMs` once `JSON.parse` has turned it into objects (what any client must pay).
 */
function rawMonitor(socketPath, request) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socketPath);
    const counter = new BraceCounter();
    const chunks = [];
    let bytes = 0;
    let started = 0;
    sock.on('error', reject);
    sock.on('connect', () => {
      started = performance.now();
      sock.write(JSON.stringify(request));
    });
    sock.on('data', (chunk) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (counter.push(chunk) === 0) return;
      const replyMs = performance.now() - started;
      const reply = JSON.parse(Buffer.concat(chunks, bytes).toString('utf8'));
      const parsedMs = performance.now() - started;
      sock.destroy();
      if (reply.error) reject(new Error(`monitor_cond failed: ${JSON.stringify(reply.error)}`));
      else resolve({ replyMs, parsedMs, bytes, rows: initialRowCount(reply.result).total });
    });
  });
}

/** Starts both servers and loads the dataset into each (one after the other, never at once). */
async function startLoaded(order, switches, ports, profileDir, log) {
  const servers = {};
  try {
    for (const key of order) {
      const s = key === 'real' ? await startReal() : await startOurs(profileDir);
      servers[key] = s;
      s.client = await OvsdbClient.connect(s.remote);
      const cpu0 = await processCpuSeconds(s.pid);
      log(`${key}: loading S=${switches} × P=${ports} ...`);
      s.load = await loadDataset(s.client, standardDataset({ switches, ports }), { pipeline: 8 });
      s.loadCpu = (await processCpuSeconds(s.pid)) - cpu0;
      s.rssLoaded = await rssMiB(s.pid);
    }
  } catch (err) {
    // Do not leave a server running behind a failed start.
    await stopAll(servers);
    throw err;
  }
  return servers;
}

async function stopAll(servers) {
  for (const s of Object.values(servers)) {
    await s.client?.close().catch(() => undefined);
    await s.stop().catch(() => undefined);
  }
}

export async function serverBench(cfg, log) {
  const schema = JSON.parse(await readFile(OVN_NB_SCHEMA, 'utf8'));
  const monitorReq = monitorCondRequest(Object.keys(schema.tables));
  const S = cfg.switches;
  const rows = standardRows(S, cfg.ports);
  const sw = (k) => standardSwitchName(k % S);
  const requests = (prefix, n) => Array.from({ length: n }, (_, k) => portRequest(`${prefix}-${k}`, sw(k), k));
  const loadavgStart = await loadavg();
  const started = performance.now();
  const keys = ['real', 'ours'];
  const per = Object.fromEntries(keys.map((k) => [k, { pipelined: [], sequential: [], monitor: [], bigMonitor: [] }]));
  // Round r runs the servers in this order; it swaps every round so drift in the machine's load cancels out.
  const orderOf = (r) => (r % 2 === 0 ? keys : [...keys].reverse());

  const servers = await startLoaded(keys, S, cfg.ports, cfg.profileDir, log);
  const result = { cfg, rows, servers: {} };
  try {
    for (const s of Object.values(servers)) s.reset = await resetter(s.client);
    const timedWrites = async (s, name, reqs, window) => {
      const before = await countPorts(s.client);
      const m = await measured(s.pid, () => rawPipelined(s.socket, reqs, window));
      const added = (await countPorts(s.client)) - before;
      if (added !== reqs.length)
        throw new Error(`${s.key} ${name}: expected ${reqs.length} new ports, the server has ${added}`);
      await s.reset();
      return {
        n: reqs.length,
        perSec: reqs.length / (m.ms / 1000),
        cpuUs: (m.cpu * 1e6) / reqs.length,
        cpuPct: (100 * m.cpu) / (m.ms / 1000),
      };
    };

    if (cfg.warmup > 0) {
      for (const key of keys) {
        log(`${key}: warm-up x ${cfg.warmup} (untimed) ...`);
        await timedWrites(servers[key], 'warm-up', requests('warm', cfg.warmup), cfg.window);
        await rawMonitor(servers[key].socket, monitorReq);
      }
    }
    for (let round = 0; round < cfg.rounds; round++) {
      const order = orderOf(round);
      for (const key of order) {
        log(`round ${round + 1}/${cfg.rounds}: ${key} pipelined x ${cfg.pipelined} (window ${cfg.window}) ...`);
        per[key].pipelined.push(
          await timedWrites(servers[key], 'pipelined', requests(`pipe${round}`, cfg.pipelined), cfg.window),
        );
      }
      if (cfg.sequential > 0) {
        for (const key of order) {
          log(`round ${round + 1}/${cfg.rounds}: ${key} sequential x ${cfg.sequential} ...`);
          per[key].sequential.push(
            await timedWrites(servers[key], 'sequential', requests(`seq${round}`, cfg.sequential), 1),
          );
        }
      }
      for (const key of order) {
        log(`round ${round + 1}/${cfg.rounds}: ${key} initial monitor_cond ...`);
        const m = await measured(servers[key].pid, () => rawMonitor(servers[key].socket, monitorReq));
        if (m.inner.rows !== rows)
          throw new Error(`${key}: monitor_cond returned ${m.inner.rows} rows, expected ${rows}`);
        per[key].monitor.push({ ...m.inner, cpuMs: m.cpu * 1000 });
      }
    }
    for (const key of keys) {
      const s = servers[key];
      result.servers[key] = {
        pid: s.pid,
        load: { ms: s.load.elapsedMs, batches: s.load.batches, cpuS: s.loadCpu },
        rssLoaded: s.rssLoaded,
        rssEnd: await rssMiB(s.pid),
      };
    }
  } finally {
    await stopAll(servers);
  }
  if (cfg.profileDir) {
    // node names the file CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile and writes it as the server exits.
    const pid = servers.ours.pid;
    const file = (await readdir(cfg.profileDir)).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
    if (file) {
      const path = join(cfg.profileDir, file);
      const summary = summarize(JSON.parse(await readFile(path, 'utf8')));
      result.profileText = `Our server's whole life (load, writes, monitors), under node --cpu-prof:\n${formatSummary(summary)}\n(profile saved to ${path})`;
    }
  }

  // The larger dataset, for the initial monitor only: loaded once into a fresh pair of servers.
  if (cfg.monitorSwitches > 0) {
    const big = await startLoaded(keys, cfg.monitorSwitches, cfg.ports, undefined, log);
    const bigRows = standardRows(cfg.monitorSwitches, cfg.ports);
    try {
      for (const key of keys) await rawMonitor(big[key].socket, monitorReq);
      for (let round = 0; round < cfg.rounds; round++) {
        for (const key of orderOf(round)) {
          log(`round ${round + 1}/${cfg.rounds}: ${key} initial monitor_cond, S=${cfg.monitorSwitches} ...`);
          const m = await measured(big[key].pid, () => rawMonitor(big[key].socket, monitorReq));
          if (m.inner.rows !== bigRows)
            throw new Error(`${key}: monitor_cond returned ${m.inner.rows} rows, expected ${bigRows}`);
          per[key].bigMonitor.push({ ...m.inner, cpuMs: m.cpu * 1000 });
        }
      }
      result.big = { switches: cfg.monitorSwitches, rows: bigRows };
      for (const key of keys) {
        Object.assign(result.servers[key], {
          bigLoad: { ms: big[key].load.elapsedMs, cpuS: big[key].loadCpu },
          bigRssLoaded: big[key].rssLoaded,
          bigRssEnd: await rssMiB(big[key].pid),
        });
      }
    } finally {
      await stopAll(big);
    }
  }

  // Medians per measure, with every round kept for the reader.
  const pickMedian = (list, field) => ({ median: median(list.map((x) => x[field])), all: list.map((x) => x[field]) });
  for (const key of keys) {
    const p = per[key];
    Object.assign(result.servers[key], {
      pipelined: {
        perSec: pickMedian(p.pipelined, 'perSec'),
        cpuUs: pickMedian(p.pipelined, 'cpuUs'),
        cpuPct: pickMedian(p.pipelined, 'cpuPct'),
      },
      sequential: p.sequential.length
        ? {
            perSec: pickMedian(p.sequential, 'perSec'),
            cpuUs: pickMedian(p.sequential, 'cpuUs'),
            cpuPct: pickMedian(p.sequential, 'cpuPct'),
          }
        : undefined,
      monitor: {
        replyMs: pickMedian(p.monitor, 'replyMs'),
        parsedMs: pickMedian(p.monitor, 'parsedMs'),
        cpuMs: pickMedian(p.monitor, 'cpuMs'),
        bytes: p.monitor[0]?.bytes,
      },
      bigMonitor: p.bigMonitor.length
        ? {
            replyMs: pickMedian(p.bigMonitor, 'replyMs'),
            parsedMs: pickMedian(p.bigMonitor, 'parsedMs'),
            cpuMs: pickMedian(p.bigMonitor, 'cpuMs'),
            bytes: p.bigMonitor[0]?.bytes,
          }
        : undefined,
    });
  }
  result.loadavg = { start: loadavgStart, end: await loadavg() };
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

export function serverMarkdown(res) {
  const { cfg, servers } = res;
  const real = servers.real;
  const ours = servers.ours;
  const fmt = (x, d = 0) =>
    x === undefined || Number.isNaN(x)
      ? '–'
      : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const all = (m, d = 0) => m.all.map((x) => fmt(x, d)).join(' / ');
  // "ours / real": above 1 means ours takes that many times longer (or uses that much more).
  const times = (a, b) => `${fmt(a / b, 2)}×`;
  const row = (what, r, o, d, ratio) => `| ${what} | ${fmt(r, d)} | ${fmt(o, d)} | ${ratio ?? times(o, r)} |`;
  const la = (l) => `${fmt(l.one, 2)} ${fmt(l.five, 2)} ${fmt(l.fifteen, 2)}`;
  const out = [
    `Dataset: standard, S=${cfg.switches} × P=${cfg.ports} (${fmt(res.rows)} rows), loaded into each server by our client` +
      ` (${fmt(real.load.batches)} transactions, 8 in flight). Transactions come from the raw-socket writer` +
      ` (pre-serialized, ${fmt(cfg.window)} in flight or one at a time); each server is reset to the loaded dataset after every run` +
      ` and ${fmt(cfg.warmup)} untimed transactions warm it up first. ${cfg.rounds === 1 ? 'One round.' : `Medians of ${cfg.rounds} rounds, the servers' order swapped every round.`}` +
      ` Load average (/proc/loadavg) ${la(res.loadavg.start)} at the start, ${la(res.loadavg.end)} at the end; whole run ${fmt(res.seconds)} s.`,
    '',
    '| measure | ovsdb-server (C) | ours (Node) | ours / real |',
    '|---|---:|---:|---:|',
    row(`load ${fmt(res.rows)} rows, s`, real.load.ms / 1000, ours.load.ms / 1000, 2),
    row('server CPU during the load, s', real.load.cpuS, ours.load.cpuS, 2),
    row(
      `**transactions/s**, pipelined (${cfg.window} in flight)`,
      real.pipelined.perSec.median,
      ours.pipelined.perSec.median,
      0,
      `${fmt(ours.pipelined.perSec.median / real.pipelined.perSec.median, 2)}× the rate`,
    ),
    row('server CPU per transaction, pipelined, µs', real.pipelined.cpuUs.median, ours.pipelined.cpuUs.median, 0),
  ];
  if (real.sequential) {
    out.push(
      row(
        '**transactions/s**, sequential (1 in flight)',
        real.sequential.perSec.median,
        ours.sequential.perSec.median,
        0,
        `${fmt(ours.sequential.perSec.median / real.sequential.perSec.median, 2)}× the rate`,
      ),
      row('server CPU per transaction, sequential, µs', real.sequential.cpuUs.median, ours.sequential.cpuUs.median, 0),
    );
  }
  out.push(
    row(
      '**initial monitor_cond**, last byte received, ms',
      real.monitor.replyMs.median,
      ours.monitor.replyMs.median,
      0,
    ),
    row(
      'initial monitor_cond, reply parsed (`JSON.parse`), ms',
      real.monitor.parsedMs.median,
      ours.monitor.parsedMs.median,
      0,
    ),
    row('server CPU for the monitor reply, ms', real.monitor.cpuMs.median, ours.monitor.cpuMs.median, 0),
    row('reply size, MB', real.monitor.bytes / 1e6, ours.monitor.bytes / 1e6, 2),
    row('RSS after loading, MiB', real.rssLoaded, ours.rssLoaded, 0),
    row('RSS at the end (after the writes and monitors), MiB', real.rssEnd, ours.rssEnd, 0),
  );
  if (real.bigMonitor) {
    out.push(
      row(
        `load ${fmt(res.big.rows)} rows (S=${res.big.switches}), s`,
        real.bigLoad.ms / 1000,
        ours.bigLoad.ms / 1000,
        1,
      ),
      row(`RSS after loading ${fmt(res.big.rows)} rows, MiB`, real.bigRssLoaded, ours.bigRssLoaded, 0),
      row(
        `**initial monitor_cond**, ${fmt(res.big.rows)} rows, reply parsed, ms`,
        real.bigMonitor.parsedMs.median,
        ours.bigMonitor.parsedMs.median,
        0,
      ),
      row('server CPU for that reply, ms', real.bigMonitor.cpuMs.median, ours.bigMonitor.cpuMs.median, 0),
      row('RSS after those monitors, MiB', real.bigRssEnd, ours.bigRssEnd, 0),
    );
  }
  out.push(
    '',
    'Every round (real; ours):' +
      ` pipelined ${all(real.pipelined.perSec)}; ${all(ours.pipelined.perSec)} transactions/s.` +
      (real.sequential
        ? ` Sequential ${all(real.sequential.perSec)}; ${all(ours.sequential.perSec)} transactions/s.`
        : '') +
      ` Monitor parsed ${all(real.monitor.parsedMs)}; ${all(ours.monitor.parsedMs)} ms.` +
      (real.bigMonitor
        ? ` Monitor at S=${res.big.switches} ${all(real.bigMonitor.parsedMs)}; ${all(ours.bigMonitor.parsedMs)} ms.`
        : ''),
  );
  return out.join('\n');
}
