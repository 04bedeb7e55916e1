// The file-load benchmark: opening a database file ovsdb-server wrote (what a must-gather holds), by our
// embedded server (`ovsdb-embedded --file`) and by ovsdb-server itself. The file is made once per run: the
// standard dataset loaded into a real ovsdb-server by our client, kept both as ovsdb-server wrote it (one
// record per transaction) and compacted (`ovsdb-server/compact`: the schema plus one record of every row).
//
// Each open is a fresh process on a fresh copy of the file, timed from spawn until it answers `list_dbs` on
// its unix socket (neither server listens before its databases are read). Then its RSS (VmRSS), peak RSS
// (VmHWM) and CPU are read from /proc, and the rows it serves are counted before it is stopped by pid.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OvsdbClient, OVSDB_SERVER, loadDataset, run, standardDataset, startOvsdbServer } from './imports.mjs';
import { processCpuSeconds } from './proc.mjs';
import { median, parseLoadavg, standardRows } from './server-util.mjs';

const DB = 'OVN_Northbound';
const EMBEDDED_BIN = fileURLToPath(new URL('../../packages/server/dist/bin.js', import.meta.url));
const TABLES = ['Logical_Switch', 'Logical_Switch_Port', 'Port_Group', 'ACL'];

export const FILE_LOAD_DEFAULTS = { switches: 500, ports: 200, rounds: 3 };

const KEYS = ['real', 'ours'];
const LABELS = { real: 'ovsdb-server (C)', ours: 'ours (`ovsdb-embedded --file`)' };

async function procStatus(pid) {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** One request on a fresh connection; rejects if the socket is not there (yet). */
function request(socket, method, params) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socket);
    let text = '';
    sock.setEncoding('utf8');
    sock.on('error', reject);
    sock.on('connect', () => sock.write(JSON.stringify({ id: 1, method, params })));
    sock.on('data', (d) => {
      text += d;
      try {
        const reply = JSON.parse(text);
        sock.destroy();
        if (reply.error) reject(new Error(`${method}: ${JSON.stringify(reply.error)}`));
        else resolve(reply.result);
      } catch {
        // Not the whole reply yet.
      }
    });
  });
}

/** Rows served in the dataset's tables, counted with one `select` of `_uuid`s per table. */
async function countRows(socket) {
  const ops = TABLES.map((table) => ({ op: 'select', table, where: [], columns: ['_uuid'] }));
  const results = await request(socket, 'transact', [DB, ...ops]);
  return results.reduce((n, r) => n + r.rows.length, 0);
}

/** Spawn one server on `file`; resolves once it answers, with the measures. Always stops it. */
async function openOnce(key, file, dir, log) {
  const socket = join(dir, `${key}.sock`);
  await rm(socket, { force: true });
  const args =
    key === 'real'
      ? [
          file,
          `--remote=punix:${socket}`,
          `--unixctl=${join(dir, 'real.ctl')}`,
          '--no-chdir',
          `--log-file=${join(dir, 'real.log')}`,
        ]
      : [EMBEDDED_BIN, '--file', file, '--remote', `punix:${socket}`];
  const started = performance.now();
  const child = spawn(key === 'real' ? OVSDB_SERVER : process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone;
  exited.then((st) => (gone = st));
  try {
    const deadline = started + 120_000;
    for (;;) {
      if (gone !== undefined)
        throw new Error(`${key} exited (${JSON.stringify(gone)}) before serving: ${stderr.trim()}`);
      try {
        await request(socket, 'list_dbs', []);
        break;
      } catch {
        if (performance.now() > deadline) throw new Error(`${key} did not serve ${file} within 120 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const ms = performance.now() - started;
    const cpuS = await processCpuSeconds(child.pid);
    const mem = await procStatus(child.pid);
    const rows = await countRows(socket);
    log(
      `${key}: served in ${ms.toFixed(0)} ms, RSS ${mem.rssMiB.toFixed(0)} MiB ` +
        `(peak ${mem.peakMiB.toFixed(0)}), ${rows} rows`,
    );
    return { ms, cpuS, ...mem, rows };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Records in an ovsdb-server file: header lines `OVSDB JSON <length> <sha1>`, each followed by <length> bytes. */
async function countRecords(file) {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(128);
    let pos = 0;
    let n = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      const line = buf.toString('latin1', 0, bytesRead).split('\n')[0];
      const m = /^OVSDB (?:JSON|CLUSTER) (\d+) /.exec(line);
      if (!m) throw new Error(`${file}: no record header at byte ${pos}`);
      pos += line.length + 1 + Number(m[1]);
      n++;
    }
    return n;
  } finally {
    await fh.close();
  }
}

/** The standard dataset written by a real ovsdb-server: its file as written, and compacted. */
async function makeFiles(cfg, dir, log) {
  const server = await startOvsdbServer({});
  try {
    const client = await OvsdbClient.connect(server.remote);
    try {
      log(`making the file: loading S=${cfg.switches} × P=${cfg.ports} into ovsdb-server ...`);
      await loadDataset(client, standardDataset({ switches: cfg.switches, ports: cfg.ports }), { pipeline: 8 });
    } finally {
      await client.close();
    }
    const written = join(dir, 'as-written.db');
    await copyFile(server.dbPath(DB), written);
    // Not `server.appctl`: its 5 s limit is for quick commands, and compacting 60 MB can take longer.
    await run('ovs-appctl', ['-t', server.ctl, 'ovsdb-server/compact'], { timeoutMs: 300_000 });
    const compacted = join(dir, 'compacted.db');
    await copyFile(server.dbPath(DB), compacted);
    return { written, compacted };
  } finally {
    await server.stop();
  }
}

const loadavg = async () => parseLoadavg(await readFile('/proc/loadavg', 'utf8'));

export async function fileLoadBench(cfg, log) {
  const dir = await mkdtemp(join(tmpdir(), 'ovsdb-file-load-'));
  const started = performance.now();
  const loadavgStart = await loadavg();
  try {
    const files = await makeFiles(cfg, dir, log);
    const expectedRows = standardRows(cfg.switches, cfg.ports);
    const result = { cfg, rows: expectedRows, variants: {} };
    for (const [variant, file] of [
      ['compacted', files.compacted],
      ['written', files.written],
    ]) {
      const size = (await stat(file)).size;
      const records = await countRecords(file);
      const per = { real: [], ours: [] };
      for (let round = 0; round < cfg.rounds; round++) {
        // The order swaps every round, so drift in the machine's load falls on both.
        for (const key of round % 2 === 0 ? KEYS : [...KEYS].reverse()) {
          log(`${variant}, round ${round + 1}/${cfg.rounds}: ${key} opens the file ...`);
          // A fresh copy each time: ovsdb-server opens its file for writing, and the page cache is warm
          // for both either way.
          const copy = join(dir, `open-${key}.db`);
          await copyFile(file, copy);
          const m = await openOnce(key, copy, dir, log);
          if (m.rows !== expectedRows) throw new Error(`${key} served ${m.rows} rows, expected ${expectedRows}`);
          per[key].push(m);
          await rm(copy, { force: true });
        }
      }
      result.variants[variant] = { size, records, per };
    }
    result.seconds = (performance.now() - started) / 1000;
    result.loadavg = { start: loadavgStart, end: await loadavg() };
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function fileLoadMarkdown(res) {
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const la = (l) => `${fmt(l.one, 2)} ${fmt(l.five, 2)} ${fmt(l.fifteen, 2)}`;
  const stats = (list, field, d = 0) => {
    const xs = list.map((m) => m[field]);
    return `${fmt(Math.min(...xs), d)} / **${fmt(median(xs), d)}** / ${fmt(Math.max(...xs), d)}`;
  };
  const out = [
    `Dataset: standard, S=${fmt(res.cfg.switches)} × P=${fmt(res.cfg.ports)} (${fmt(res.rows)} rows), ` +
      'loaded into ovsdb-server by our client;' +
      ` each server opens a fresh copy of its file ${res.cfg.rounds} times (order swapped every round).` +
      ' Time is spawn →' +
      ' first `list_dbs` answered on its unix socket; RSS (VmRSS) and peak RSS (VmHWM) are read right then;' +
      ` the rows served are counted afterwards. min / **median** / max. Whole run ${fmt(res.seconds)} s;` +
      ` load average (/proc/loadavg) ${la(res.loadavg.start)} at the start, ${la(res.loadavg.end)} at the end.`,
  ];
  for (const [variant, v] of Object.entries(res.variants)) {
    const what =
      variant === 'compacted'
        ? 'compacted by `ovsdb-server/compact`'
        : 'as ovsdb-server wrote it, one record per transaction';
    out.push(
      '',
      `**File ${what}**: ${fmt(v.size / 1e6, 1)} MB, ${fmt(v.records)} records.`,
      '',
      '| measure | ' + KEYS.map((k) => LABELS[k]).join(' | ') + ' | ours / real (medians) |',
      '|---|---:|---:|---:|',
    );
    const row = (label, field, d) => {
      const r = median(v.per.real.map((m) => m[field]));
      const o = median(v.per.ours.map((m) => m[field]));
      return `| ${label} | ${stats(v.per.real, field, d)} | ${stats(v.per.ours, field, d)} | ${fmt(o / r, 2)}× |`;
    };
    out.push(
      row('open → serving, ms', 'ms', 0),
      row('CPU until serving, s', 'cpuS', 2),
      row('RSS when serving, MiB', 'rssMiB', 0),
      row('peak RSS, MiB', 'peakMiB', 0),
    );
  }
  return out.join('\n');
}
