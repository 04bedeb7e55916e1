// Gateway benchmark (issue "Gateway"): commit → WebSocket-received latency for 1, 10 and 100 stream
// clients while the database changes 1,000 times a second; the gateway's CPU and memory; and memory
// with one stalled client. The gateway runs as its own process (`ovsdb-web serve`) against a real
// ovsdb-server holding the standard dataset; the clients run in another process.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  OvsdbClient,
  startOvsdbServer,
  OVN_NB_SCHEMA,
  standardDataset,
  loadDataset,
  standardSwitchName,
} from './imports.mjs';
import { processCpuSeconds, rssMiB } from './proc.mjs';

export const GATEWAY_DEFAULTS = {
  switches: 100,
  ports: 200,
  rate: 1000,
  seconds: 15,
  clients: '1,10,100',
  stallSeconds: 30,
};

const GATEWAY_BIN = fileURLToPath(new URL('../../apps/gateway/dist/bin.js', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./gateway-clients.mjs', import.meta.url));

function lines(child) {
  const rl = createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  rl.on('line', (l) => (waiters.length ? waiters.shift()(l) : queue.push(l)));
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
}

async function waitForLine(next, pred, what, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}`);
    const line = await Promise.race([next(), new Promise((r) => setTimeout(() => r(undefined), left))]);
    if (line === undefined) throw new Error(`timed out waiting for ${what}`);
    if (pred(line)) return line;
  }
}

/** Send `rate` single-row updates per second for `seconds`, each stamped with its send time. */
async function churn(client, switches, rate, seconds) {
  const start = performance.now();
  const end = start + seconds * 1000;
  let sent = 0;
  let failed = 0;
  const inFlight = new Set();
  while (performance.now() < end) {
    // Catch up to the schedule (elapsed × rate), then sleep a tick: the rate holds even when timers lag.
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due) {
      const ls = standardSwitchName(sent % switches);
      const ts = String(performance.timeOrigin + performance.now());
      const p = client
        .transact('OVN_Northbound', [
          {
            op: 'update',
            table: 'Logical_Switch',
            where: [['name', '==', ls]],
            row: { other_config: ['map', [['bench-ts', ts]]] },
          },
        ])
        .catch(() => failed++)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  return { sent, failed, rate: sent / elapsed };
}

async function clientsRun(url, n, seconds, stall = false) {
  const child = spawn(
    process.execPath,
    [CLIENTS, '--url', url, '--clients', String(n), '--seconds', String(seconds + 600), ...(stall ? ['--stall'] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const next = lines(child);
  await waitForLine(next, (l) => l.includes('"ready"'), `${n} clients to receive their snapshots`);
  return {
    child,
    async stop() {
      child.kill('SIGTERM');
      return JSON.parse(await waitForLine(next, (l) => l.includes('"count"'), 'client report'));
    },
  };
}

async function scrape(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function gatewayBench(cfg, log) {
  const server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  let gw;
  try {
    const client = await OvsdbClient.connect(server.unixRemote);
    const ds = standardDataset({ switches: cfg.switches, ports: cfg.ports });
    await loadDataset(client, ds);
    log(`loaded the standard dataset S=${cfg.switches} P=${cfg.ports}`);
    gw = spawn(
      process.execPath,
      [GATEWAY_BIN, 'serve', '--remote', `nb=${server.unixRemote}`, '--listen', '127.0.0.1:0', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const next = lines(gw);
    const line = await waitForLine(next, (l) => l.startsWith('ovsdb-web: serving on'), 'the gateway to listen');
    const url = /serving on (http:\/\/\S+)/.exec(line)[1];
    for (;;) {
      const remotes = await (await fetch(`${url}/api/v1/remotes`)).json();
      if (remotes[0]?.databases?.includes('OVN_Northbound')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const wsUrl = `${url.replace('http', 'ws')}/api/v1/stream`;
    const idleRss = await rssMiB(gw.pid);
    const rows = [];
    for (const n of cfg.clients.split(',').map(Number)) {
      const clients = await clientsRun(wsUrl, n, cfg.seconds);
      const cpu0 = await processCpuSeconds(gw.pid);
      const t0 = performance.now();
      const w = await churn(client, cfg.switches, cfg.rate, cfg.seconds);
      const wallS = (performance.now() - t0) / 1000;
      const cpu = ((await processCpuSeconds(gw.pid)) - cpu0) / wallS;
      const rss = await rssMiB(gw.pid);
      await new Promise((r) => setTimeout(r, 500));
      const stats = await clients.stop();
      log(`${n} clients: p50 ${stats.p50?.toFixed(1)} ms, p99 ${stats.p99?.toFixed(1)} ms`);
      rows.push({
        clients: n,
        rate: w.rate,
        failed: w.failed,
        received: stats.count,
        expected: w.sent * n,
        p50: stats.p50,
        p90: stats.p90,
        p99: stats.p99,
        max: stats.max,
        cpu,
        rss,
      });
    }
    // One stalled client among normal ones: memory must level off instead of growing with the backlog.
    const stalled = await clientsRun(wsUrl, 1, cfg.stallSeconds, true);
    const before = await rssMiB(gw.pid);
    const samples = [];
    const sampler = setInterval(async () => samples.push(await rssMiB(gw.pid)), 1000);
    const w = await churn(client, cfg.switches, cfg.rate, cfg.stallSeconds);
    clearInterval(sampler);
    const after = await rssMiB(gw.pid);
    const resyncs = await scrape(url, 'ovsdb_web_stream_resyncs_total');
    const stalledReport = await stalled.stop();
    void stalledReport;
    await client.close();
    return {
      cfg,
      idleRss,
      rows,
      stall: { seconds: cfg.stallSeconds, rate: w.rate, before, after, peak: Math.max(before, ...samples), resyncs },
    };
  } finally {
    gw?.kill('SIGTERM');
    await server.stop();
  }
}

const f1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));

export function gatewayMarkdown(res) {
  const lines = [
    `Standard dataset S=${res.cfg.switches} × P=${res.cfg.ports}; clients subscribe to \`Logical_Switch\` (name, other_config); the writer updates one switch's \`other_config:bench-ts\` ${res.cfg.rate} times a second for ${res.cfg.seconds} s, stamping each with its send time. Latency = received by the client − sent by the writer (so it includes ovsdb-server's commit, the gateway's monitor update and its 20 ms coalescing window). Gateway idle RSS after loading its cache: ${f1(res.idleRss)} MiB.`,
    '',
    '| clients | changes/s sent | row deltas received (all clients) | p50 ms | p90 ms | p99 ms | max ms | gateway CPU (cores) | gateway RSS MiB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...res.rows.map(
      (r) =>
        `| ${r.clients} | ${Math.round(r.rate)} | ${r.received} / ${r.expected} | ${f1(r.p50)} | ${f1(r.p90)} | ${f1(r.p99)} | ${f1(r.max)} | ${r.cpu.toFixed(2)} | ${f1(r.rss)} |`,
    ),
    '',
    `One stalled client (subscribed to whole \`Logical_Switch\` rows, ~9 KB each with their 200 ports; reads its snapshot, then stops reading) while ${Math.round(res.stall.rate)} changes/s arrive for ${res.stall.seconds} s: gateway RSS ${f1(res.stall.before)} MiB before, peak ${f1(res.stall.peak)} MiB, ${f1(res.stall.after)} MiB at the end; the client was dropped to "resync needed" ${res.stall.resyncs} time(s).`,
  ];
  return lines.join('\n');
}
