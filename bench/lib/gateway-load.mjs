// Load benchmark (issue "Security and robustness of the gateway"): 200 WebSocket clients — most reading
// normally, some slowly (reading with pauses), some stalled (never reading after their snapshot) — plus
// REST reads driven by autocannon, while the sample churn changes the database 1,000 times a second.
// The gateway runs as its own process (`ovsdb-web serve`) against a real ovsdb-server holding an
// ovn-kubernetes-shaped dataset; the WebSocket clients run in a second process and autocannon in a third.
//
// What it checks, after the churn:
//   - every normal and slow client holds exactly what `ovsdb-client dump` shows (no update missed);
//   - no client got a delta twice (the reducer ignored none) and sequence numbers never went backwards;
//   - every stalled client was either cut by the gateway or resynchronised (then equal to the dump) —
//     docs/API.md: past 4 MiB queued a client is dropped to "resync needed", after 30 s stalled it is cut;
//   - the gateway's RSS stayed under a stated bound (see `rssBound`);
//   - REST answered without errors or 5xx; its throughput and latency are reported.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OvsdbClient, parseJson, stringifyJson } from '../../packages/client/dist/index.js';
import { ovsdbDump, startOvsdbServer, OVN_NB_SCHEMA } from '../../packages/testing/dist/index.js';
import { k8sDataset, loadDataset, runChurn } from '../../packages/server/dist/sample/index.js';
import { processCpuSeconds, rssMiB } from './proc.mjs';

export const LOAD_DEFAULTS = {
  nodes: 20,
  pods: 100,
  rate: 1000,
  seconds: 60,
  normal: 150,
  slow: 40,
  stalled: 10,
  connections: 10,
  rssBudget: 1024,
};

const GATEWAY_BIN = fileURLToPath(new URL('../../apps/gateway/dist/bin.js', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./gateway-load-clients.mjs', import.meta.url));
const REST = fileURLToPath(new URL('./rest-load.mjs', import.meta.url));
const NB = 'OVN_Northbound';

/**
 * Memory is bounded by design, not by a measured formula: each client's send queue stops at 4 MiB (then
 * "resync needed"), a client that does not read is cut (heartbeat, 15 s; stall timeout, 30 s), and the delta
 * history keeps at most 2,000 batches per database. So the checks are (1) the JS heap levels off — the peak
 * V8 allocated over the last third of the churn is at most 1.2× that over the middle third — and (2) RSS stays
 * under a stated budget for this configuration (`--rssBudget`, 1 GiB by default).
 */
const PLATEAU = 1.2;

function plateau(samples, seconds) {
  // The heap V8 has allocated, not the part in use: in use swings by half with every major collection,
  // so five-second samples of it compare collection phases rather than growth.
  const heap = samples.filter((s) => s.heapTotal !== undefined && s.t <= seconds);
  const peak = (a, b) =>
    Math.max(...heap.filter((s) => s.t > a * seconds && s.t <= b * seconds).map((s) => s.heapTotal));
  const middle = peak(1 / 3, 2 / 3);
  const last = peak(2 / 3, 1);
  if (!Number.isFinite(middle) || !Number.isFinite(last)) return { middle: NaN, last: NaN, ratio: NaN };
  return { middle, last, ratio: last / middle };
}

function lines(child) {
  const rl = createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  rl.on('line', (l) => (waiters.length ? waiters.shift()(l) : queue.push(l)));
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
}

async function waitForLine(next, pred, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}`);
    let timer;
    const line = await Promise.race([next(), new Promise((r) => (timer = setTimeout(() => r(undefined), left)))]);
    // A pending timer would keep the process alive long after the run.
    clearTimeout(timer);
    if (line === undefined) throw new Error(`timed out waiting for ${what}`);
    if (pred(line)) return line;
  }
}

async function scrape(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

const loadavg = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

export async function loadBench(cfg, log) {
  const loadBefore = await loadavg();
  const server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  const dir = await mkdtemp(join(tmpdir(), 'bench-load-'));
  const children = [];
  let writer;
  try {
    writer = await OvsdbClient.connect(server.unixRemote);
    const ds = k8sDataset({ nodes: cfg.nodes, podsPerNode: cfg.pods });
    await loadDataset(writer, ds);
    const rows = ds.batches.reduce((n, b) => n + b.filter((op) => op.op === 'insert').length, 0);
    log(`loaded an ovn-kubernetes dataset: ${cfg.nodes} nodes × ${cfg.pods} pods, ${rows} rows`);

    const gw = spawn(
      process.execPath,
      [GATEWAY_BIN, 'serve', '--remote', `nb=${server.unixRemote}`, '--listen', '127.0.0.1:0', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(gw);
    const url = /serving on (http:\/\/\S+)/.exec(
      await waitForLine(lines(gw), (l) => l.startsWith('ovsdb-web: serving on'), 'the gateway to listen', 60_000),
    )[1];
    for (const deadline = Date.now() + 60_000; ;) {
      const remotes = await (await fetch(`${url}/api/v1/remotes`)).json();
      if (remotes[0]?.databases?.includes(NB)) break;
      if (Date.now() > deadline) throw new Error('the gateway did not start monitoring');
      await new Promise((r) => setTimeout(r, 100));
    }
    const idleRss = await rssMiB(gw.pid);

    const clients = spawn(
      process.execPath,
      [
        '--max-old-space-size=4096',
        CLIENTS,
        '--url',
        `${url.replace('http', 'ws')}/api/v1/stream`,
        '--http',
        url,
        '--normal',
        String(cfg.normal),
        '--slow',
        String(cfg.slow),
        '--stalled',
        String(cfg.stalled),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(clients);
    const fromClients = lines(clients);
    const ready = JSON.parse(
      await waitForLine(
        fromClients,
        (l) => l.includes('"ready"'),
        `${cfg.normal + cfg.slow + cfg.stalled} clients to receive their snapshots`,
        300_000,
      ),
    );
    log(
      `${cfg.normal + cfg.slow + cfg.stalled} clients have their snapshots after ${(ready.snapshotMs / 1000).toFixed(1)} s`,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const afterSnapshots = await rssMiB(gw.pid);

    // RSS and CPU every second from the start of the churn until the check is done.
    const t0 = performance.now();
    const cpu0 = await processCpuSeconds(gw.pid);
    const samples = [];
    let tick = 0;
    const sampler = setInterval(async () => {
      try {
        const s = {
          t: (performance.now() - t0) / 1000,
          rss: await rssMiB(gw.pid),
          cpu: await processCpuSeconds(gw.pid),
        };
        // The JS heap in use, from the gateway's own metrics, every 5 s: RSS alone cannot tell live data from
        // garbage the collector has not returned yet.
        if (tick++ % 5 === 4) {
          const text = await (await fetch(`${url}/metrics`)).text();
          const metric = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
          s.heapUsed = metric('ovsdb_web_process_nodejs_heap_size_used_bytes') / 2 ** 20;
          s.heapTotal = metric('ovsdb_web_process_nodejs_heap_size_total_bytes') / 2 ** 20;
          s.external = metric('ovsdb_web_process_nodejs_external_memory_bytes') / 2 ** 20;
          s.lagMax = metric('ovsdb_web_process_nodejs_eventloop_lag_max_seconds') * 1000;
        }
        samples.push(s);
      } catch {
        // the gateway is gone; the run fails elsewhere
      }
    }, 1_000);

    const rest = spawn(
      process.execPath,
      [REST, '--url', url, '--seconds', String(cfg.seconds), '--connections', String(cfg.connections)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(rest);
    const restDone = waitForLine(
      lines(rest),
      (l) => l.startsWith('{'),
      'autocannon',
      cfg.seconds * 1000 + 120_000,
    ).then((l) => JSON.parse(l));
    restDone.catch(() => undefined);

    log(`churn: ${cfg.rate} changes/s for ${cfg.seconds} s, REST: autocannon with ${cfg.connections} connections`);
    const churn = await runChurn(writer, {
      ratePerSec: cfg.rate,
      durationMs: cfg.seconds * 1000,
      seed: 7,
      runId: 'load',
    });
    const churnCpu = ((await processCpuSeconds(gw.pid)) - cpu0) / ((performance.now() - t0) / 1000);
    log(`churn: ${churn.ok} changes committed (${churn.failed} failed) at ${churn.achievedRate.toFixed(0)}/s`);
    const restResult = await restDone;
    log(
      `REST: ${restResult.requests.perSecond.toFixed(0)} requests/s, p50 ${restResult.latencyMs.p50} ms, p99 ${restResult.latencyMs.p99} ms`,
    );

    // Everything committed is in the gateway's cache once a last change shows through REST.
    const marker = `load-${Date.now()}`;
    await writer.transact(NB, [
      {
        op: 'mutate',
        table: 'NB_Global',
        where: [],
        mutations: [['external_ids', 'insert', ['map', [['load-marker', marker]]]]],
      },
    ]);
    for (const deadline = Date.now() + 60_000; ;) {
      const body = await (await fetch(`${url}/api/v1/remotes/nb/dbs/${NB}/tables/NB_Global/rows`)).text();
      if (body.includes(marker)) break;
      if (Date.now() > deadline) throw new Error('the gateway never saw the last change');
      await new Promise((r) => setTimeout(r, 100));
    }
    const dump = await ovsdbDump(server.unixRemote, NB, { parse: (t) => parseJson(t) });
    const dumpFile = join(dir, 'dump.json');
    await writeFile(dumpFile, stringifyJson(dump));
    const checkStart = performance.now();
    clients.stdin.write(`${JSON.stringify({ cmd: 'check', dump: dumpFile, timeoutMs: 90_000 })}\n`);
    const { report } = JSON.parse(
      await waitForLine(fromClients, (l) => l.includes('"report"'), 'the clients to check their rows', 240_000),
    );
    const checkSeconds = (performance.now() - checkStart) / 1000;
    clearInterval(sampler);
    const metrics = {
      resyncs: await scrape(url, 'ovsdb_web_stream_resyncs_total'),
      dropped: await scrape(url, 'ovsdb_web_stream_dropped_clients_total'),
      websocketClients: await scrape(url, 'ovsdb_web_websocket_clients'),
    };
    const endRss = await rssMiB(gw.pid);
    samples.sort((a, b) => a.t - b.t);
    const peakRss = Math.max(afterSnapshots, ...samples.map((s) => s.rss));
    const bound = cfg.rssBudget;
    const heap = plateau(samples, cfg.seconds);

    const all = Object.values(report);
    const checks = {
      noMissedUpdate: ['normal', 'slow'].every((k) => !report[k] || report[k].converged === report[k].clients),
      noDuplicate: all.every((k) => k.ignored === 0 && k.seqProblems === 0),
      stalledHandled: !report.stalled || report.stalled.neither === 0,
      rssBounded: peakRss <= bound,
      // A run too short for samples in both thirds cannot show a plateau, and is not failed for it.
      heapLevelsOff: !(heap.ratio > PLATEAU),
      // Correctness: every answer a 2xx. Requests that timed out (autocannon gives up after 10 s) are a
      // performance result, reported beside it.
      restNo5xx: restResult.non2xx === 0 && Object.keys(restResult.statusCodes ?? {}).every((s) => Number(s) < 300),
    };
    return {
      cfg,
      rows,
      churn: {
        sent: churn.sent,
        ok: churn.ok,
        failed: churn.failed,
        achievedRate: churn.achievedRate,
        p50: churn.latencyMs.p50,
        p99: churn.latencyMs.p99,
      },
      snapshotSeconds: ready.snapshotMs / 1000,
      clients: report,
      checkSeconds,
      metrics,
      rest: restResult,
      rss: { idle: idleRss, afterSnapshots, peak: peakRss, end: endRss, bound, samples, heapPlateau: heap },
      gatewayCpu: churnCpu,
      loadavg: { before: loadBefore, after: await loadavg() },
      checks,
      ok: Object.values(checks).every(Boolean),
    };
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await writer?.close().catch(() => undefined);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const f0 = (x) => (x === undefined || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
const mark = (ok) => (ok ? '✅' : '❌');

export function loadMarkdown(res) {
  const c = res.cfg;
  const kinds = [
    ['normal', 'normal (read as messages come)'],
    ['slow', `slow (socket paused 1 s of every 1.25 s)`],
    ['stalled', 'stalled (never read after the snapshot)'],
  ];
  const everyFive = res.rss.samples.filter((s) => s.heapUsed !== undefined);
  const lines = [
    `ovn-kubernetes-shaped dataset (\`k8sDataset\`: ${c.nodes} nodes × ${c.pods} pods, ${f0(res.rows)} rows). ${c.normal + c.slow + c.stalled} WebSocket clients in one process: ${c.normal} normal (two subscribed to five whole tables, the rest to one table each, rotating ports with four columns, ACLs, address sets, switches without their port sets), ${c.slow} slow and ${c.stalled} stalled (those take the five whole tables). The sample churn (pods, ACLs, address sets; \`runChurn\`) at ${c.rate} changes/s for ${c.seconds} s; autocannon with ${c.connections} connections reads REST at the same time. Snapshots to every client took ${f1(res.snapshotSeconds)} s.`,
    '',
    `Churn: ${f0(res.churn.ok)} transactions committed (${res.churn.failed} failed) at **${f0(res.churn.achievedRate)} changes/s**, commit latency p50 ${f1(res.churn.p50)} ms, p99 ${f1(res.churn.p99)} ms. Gateway CPU during the churn: ${res.gatewayCpu.toFixed(2)} cores.`,
    '',
    '| clients | count | equal to the dump at the end | cut by the gateway | neither | resync notices | deltas received | MB received | deltas sent twice | seq going back | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...kinds
      .filter(([k]) => res.clients[k])
      .map(([k, label]) => {
        const r = res.clients[k];
        return `| ${label} | ${r.clients} | ${r.converged} | ${r.closedByGateway} | ${r.neither} | ${r.resyncNotices} | ${f0(r.deltas)} | ${f1(r.mbReceived)} | ${r.ignored} | ${r.seqProblems} | ${r.errors} |`;
      }),
    '',
    `Gateway metrics at the end: \`ovsdb_web_stream_resyncs_total\` ${res.metrics.resyncs} (clients dropped to "resync needed" past 4 MiB queued), \`ovsdb_web_stream_dropped_clients_total\` ${res.metrics.dropped} (cut after 30 s stalled), \`ovsdb_web_websocket_clients\` ${res.metrics.websocketClients}; a client cut otherwise missed a heartbeat (a ping every 15 s, unanswered by a client that does not read). The check (every client compared with \`ovsdb-client dump\`, stalled ones reading again) took ${f1(res.checkSeconds)} s. Load average (/proc/loadavg) ${res.loadavg?.before ?? '–'} before, ${res.loadavg?.after ?? '–'} after: the machine was shared with other work.`,
    '',
    '| REST (autocannon) | requests | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | timeouts (10 s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${res.rest.paths.length} routes in turn, ${res.rest.connections} connections, ${res.rest.seconds} s | ${f0(res.rest.requests.total)} | **${f0(res.rest.requests.perSecond)}** | ${res.rest.latencyMs.p50} | ${res.rest.latencyMs.p90} | ${res.rest.latencyMs.p99} | ${res.rest.latencyMs.max} | ${res.rest.non2xx} | ${res.rest.timeouts} |`,
    '',
    `Routes: ${res.rest.paths.map((p) => `\`${p}\``).join(', ')}.`,
    '',
    `Gateway RSS: ${f1(res.rss.idle)} MiB with its cache loaded, ${f1(res.rss.afterSnapshots)} MiB after the snapshots, **peak ${f1(res.rss.peak)} MiB**, ${f1(res.rss.end)} MiB at the end; budget ${f0(res.rss.bound)} MiB. JS heap allocated: peak ${f0(res.rss.heapPlateau?.middle)} MiB over the middle third of the churn, ${f0(res.rss.heapPlateau?.last)} MiB over the last third (${f1(100 * (res.rss.heapPlateau?.ratio - 1))}%).`,
    '',
    `| seconds since the churn started | ${everyFive.map((s) => f0(s.t)).join(' | ')} |`,
    `|---|${everyFive.map(() => '---:').join('|')}|`,
    `| gateway RSS, MiB | ${everyFive.map((s) => f0(s.rss)).join(' | ')} |`,
    `| JS heap in use, MiB | ${everyFive.map((s) => f0(s.heapUsed)).join(' | ')} |`,
    `| JS heap allocated, MiB | ${everyFive.map((s) => f0(s.heapTotal)).join(' | ')} |`,
    `| external (Buffers), MiB | ${everyFive.map((s) => f0(s.external)).join(' | ')} |`,
    `| event-loop lag, max ms | ${everyFive.map((s) => f0(s.lagMax)).join(' | ')} |`,
    '',
    '| check | result |',
    '|---|---|',
    `| every normal and slow client equals \`ovsdb-client dump\` (no update missed) | ${mark(res.checks.noMissedUpdate)} |`,
    `| no delta sent twice, no sequence number going back | ${mark(res.checks.noDuplicate)} |`,
    `| every stalled client cut, or resynchronised and equal to the dump | ${mark(res.checks.stalledHandled)} |`,
    `| JS heap levels off: last third ≤ ${PLATEAU}× middle third (${f0(res.rss.heapPlateau?.last)} vs ${f0(res.rss.heapPlateau?.middle)} MiB) | ${mark(res.checks.heapLevelsOff)} |`,
    `| peak RSS ≤ budget (${f1(res.rss.peak)} ≤ ${f0(res.rss.bound)} MiB) | ${mark(res.checks.rssBounded)} |`,
    `| REST: every answer a 2xx (${f0(res.rest.requests.total)} answered; ${res.rest.timeouts} timed out after 10 s, not counted as failures) | ${mark(res.checks.restNo5xx)} |`,
  ];
  const examples = Object.entries(res.clients).flatMap(([k, r]) => r.examples.map((e) => `${k}: ${JSON.stringify(e)}`));
  if (examples.length > 0)
    lines.push('', 'Clients that need a look:', '', ...examples.map((e) => `- \`${e.slice(0, 400)}\``));
  return lines.join('\n');
}
