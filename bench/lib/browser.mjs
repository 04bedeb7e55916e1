// Browser benchmark (SPEC §6, issue "web app part 1"): the built web app in Debian's headless Chromium
// (playwright-core, software rendering, nothing downloaded) against the gateway (`ovsdb-web serve`, its own
// process) and a real ovsdb-server holding a 100,000-row Logical_Switch_Port table, next to a bare page that
// only receives and JSON.parses the same snapshot (the floor), in the same run:
//
// 1. navigation → first rows painted in the grid;        2. navigation → whole snapshot in the store, ÷ floor;
// 3. scrolling top → bottom: frames over 33 ms, p95;     4. 1,000 changes/s for 30 s on a sorted, filtered
// view: longest main-thread task, p95 frame, and whether the grid kept up;   5. JS heap of page and worker;
// 6. initial JS (gzip);   7. with `--long`: 1,000,000 rows, bounded in time.
// Loads 1 and 2 are timed in Chromium without Playwright (browser-raw.mjs); the rest runs under Playwright.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OvsdbClient, startOvsdbServer, OVN_NB_SCHEMA, standardDataset, loadDataset } from './imports.mjs';
import { processCpuSeconds, rssMiB } from './proc.mjs';
import { formatSummary } from './profile.mjs';
import { entriesIn, instrumentPage } from './browser-page.mjs';
import {
  heapOf,
  keepProfile,
  pageSession,
  rendererRss,
  startProfile,
  waitInPage,
  workerSession,
} from './browser-cdp.mjs';
import { loadPortsOnly, portList, runWriter } from './browser-churn.mjs';
import { launchRawChromium } from './browser-raw.mjs';
import { frameStats, initialJs, quantile, spread, traceThreads } from './browser-util.mjs';

export const BROWSER_DEFAULTS = {
  switches: 500,
  ports: 200,
  rounds: 3,
  rate: 1000,
  seconds: 30,
  scrollSeconds: 20,
  long: false,
  longSwitches: 5000,
  longPorts: 200,
  longTimeoutSeconds: 300,
};

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'apps/web/dist');
const GATEWAY_BIN = join(ROOT, 'apps/gateway/dist/bin.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const VIEWPORT = { width: 1440, height: 900 };
const DB = 'OVN_Northbound';
const TABLE = 'Logical_Switch_Port';
const TABLE_PATH = `/remotes/nb/dbs/${DB}/tables/${TABLE}`;
const FLOOR_PATH = '/__bench/floor.html';
const SUBSCRIBE = { type: 'subscribe', id: 'x', remote: 'nb', db: DB, tables: [TABLE] };
/** The filtered view of the live-update run: about half of the standard dataset's ports (names sort as text). */
const CHURN_FILTER = 'name<ls33';
const CHURN_SORT = '-name';
/** In the second churn phase, the share of the changes that go to the rows on screen (the rest hit any row). */
const WATCH_SHARE = 0.1;
const HOT_SECONDS = 15;
const WATCHED_ROWS = 20;
/** Off-screen changed rows looked up after the churn. */
const SAMPLED_ROWS = 5;

const requireWeb = createRequire(join(ROOT, 'apps/web/package.json'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MB = 1e6;

// ---- processes ---------------------------------------------------------------------------------------

async function startGateway(remote, web, log, nodeArgs = []) {
  // --probe-interval 0: with the default 5 s echo probe (now also on unix sockets) the gateway drops its
  // connection while ovsdb-server builds the initial monitor reply of a large database on a busy machine (the
  // echo waits behind that reply), and starts over, again and again; see docs/BENCHMARKS.md.
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      GATEWAY_BIN,
      'serve',
      '--remote',
      `nb=${remote}`,
      '--listen',
      '127.0.0.1:0',
      '--static',
      web,
      '--probe-interval',
      '0',
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const rl = createInterface({ input: child.stdout });
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the gateway did not start listening within 60 s')), 60_000);
      child.once('exit', (code) => reject(new Error(`the gateway exited (${code})`)));
      rl.on('line', (l) => {
        const m = /serving on (http:\/\/\S+)/.exec(l);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    // Ready when the table can be read: the gateway's monitor cache holds the whole database.
    const deadline = Date.now() + 900_000;
    for (;;) {
      const res = await fetch(`${url}/api/v1/remotes/nb/dbs/${DB}/tables/${TABLE}/rows?limit=1`).catch(() => undefined);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error('the gateway did not load the database within 15 minutes');
      await sleep(500);
    }
    log(`gateway ${url} (pid ${child.pid})`);
    return { url, child };
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
}

/** The gateway's count of stream resyncs (a client dropped for being slow and sent the snapshot again). */
async function resyncCount(url) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^ovsdb_web_stream_resyncs_total(?:\{[^}]*\})? (\S+)$/m.exec(text);
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Features off for the runs besides Playwright's own: every new context is a new browser window, and for each
 * window headless Chromium 156 loads the omnibox popup's WebUI (preloaded top-chrome WebUI) in a renderer of
 * its own — ~1 s of CPU during the first 1.8 s of a page load in a trace, taken from the page on 2 cores. A
 * user's browser does that when a window opens, not when a page loads.
 */
const DISABLED_FEATURES = [
  'PreloadTopChromeWebUI',
  'WebUIOmniboxPopup',
  'WebUIOmniboxFullPopup',
  'WebUIOmniboxAimPopup',
];

/** The command line of the browser Playwright started from this process (read in /proc). */
async function launchedArgv() {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      if (/^PPid:\s*(\d+)/m.exec(status)?.[1] !== String(process.pid)) continue;
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
      if (argv.includes('--remote-debugging-pipe')) return argv;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * Chromium's command line as Playwright starts it, with our features off as well: `argv` for the raw driver
 * of the timed loads, `theirs`/`ours` for Playwright. Chromium keeps only the last --disable-features it is
 * given, so Playwright's list is merged with ours.
 */
async function chromiumCommand() {
  const { chromium } = requireWeb('playwright-core');
  const probe = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const argv = await launchedArgv().finally(() => probe.close());
  const theirs = argv?.find((a) => a.startsWith('--disable-features='));
  if (!argv || !theirs) throw new Error('could not read the command line Playwright gives Chromium');
  const features = [...new Set([...theirs.slice('--disable-features='.length).split(','), ...DISABLED_FEATURES])];
  const ours = `--disable-features=${features.filter(Boolean).join(',')}`;
  return { argv: argv.map((a) => (a === theirs ? ours : a)), theirs, ours };
}

async function launchBrowser(command) {
  const { chromium } = requireWeb('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: [command.theirs],
    args: [...CHROMIUM_ARGS, command.ours],
  });
}

async function loadavg() {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
}

// ---- page loads --------------------------------------------------------------------------------------

/** A fresh context (empty cache) with one page; crashes and page errors are recorded on the result. */
async function openContext(browser, { instrument }) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  if (instrument) await context.addInitScript(instrumentPage);
  const page = await context.newPage();
  const state = { crashed: false, errors: [], scripts: [] };
  page.on('crash', () => (state.crashed = true));
  page.on('pageerror', (e) => state.errors.push(e.message));
  context.on('response', (r) => {
    const type = r.request().resourceType();
    if (type === 'script' || /\.js(\?|$)/.test(r.url())) state.scripts.push(new URL(r.url()).pathname);
  });
  return { context, page, state };
}

/**
 * The directory the gateway serves: a copy of the built app plus the floor page and its worker under
 * `/__bench/`, so the floor has the app's origin and is served the same way. Removed by the caller.
 */
async function staticDir() {
  const dir = await mkdtemp(join(tmpdir(), 'ovsdb-web-bench-web-'));
  await cp(DIST, dir, { recursive: true });
  await mkdir(join(dir, '__bench'));
  const html = await readFile(new URL('./browser-floor.html', import.meta.url), 'utf8');
  await writeFile(
    join(dir, '__bench/floor.html'),
    html.replace("'__SUBSCRIBE__'", () => JSON.stringify(SUBSCRIBE)),
  );
  await copyFile(new URL('./browser-floor-worker.js', import.meta.url), join(dir, '__bench/floor-worker.js'));
  return dir;
}

/** What the floor page recorded, as ms after navigation start. */
function floorTimings(r) {
  if (r.error) throw new Error(`floor: ${r.error}`);
  return {
    snapshotMs: r.doneAt - r.timeOrigin,
    openMs: r.openAt - r.timeOrigin,
    firstChunkMs: r.firstAt - r.timeOrigin,
    chunks: r.chunks,
    rows: r.rows,
    mb: r.chars / MB,
  };
}

/** The floor: a bare page from the gateway that receives the snapshot in a worker and parses it. */
async function loadFloor(browser, url, timeoutMs) {
  const { context, page, state } = await openContext(browser, { instrument: false });
  try {
    await page.goto(`${url}${FLOOR_PATH}`, { waitUntil: 'commit' });
    await waitInPage(context, page, 'window.floorResult !== undefined', { timeoutMs, what: 'the floor' });
    return floorTimings(await page.evaluate(() => window.floorResult));
  } catch (err) {
    if (state.crashed) throw new Error('the floor page crashed', { cause: err });
    throw err;
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** The app has painted its first rows and has the whole snapshot (an expression for the page). */
const APP_LOADED = `window.__bench?.firstRowsPainted !== undefined && (window.ovsdbWebPerf ?? []).some((m) => m.mark === 'snapshot' && m.table === ${JSON.stringify(TABLE)})`;

/** Runs in the app's page: what it recorded about its load. */
function readAppLoad(table) {
  const perf = window.ovsdbWebPerf.filter((m) => m.table === table);
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    timeOrigin: performance.timeOrigin,
    start: perf.find((m) => m.mark === 'snapshot-start'),
    snapshot: perf.find((m) => m.mark === 'snapshot'),
    firstRows: window.__bench.firstRows,
    firstRowsPainted: window.__bench.firstRowsPainted,
    domContentLoaded: nav?.domContentLoadedEventEnd,
    fcp: fcp?.startTime,
    count: document.querySelector('.ow-count')?.textContent ?? '',
  };
}

/** `readAppLoad`'s record as ms after navigation start. */
function appTimings(r) {
  return {
    firstRowsMs: r.firstRowsPainted,
    firstRowsDomMs: r.firstRows,
    snapshotMs: r.snapshot.at - r.timeOrigin,
    subscribedMs: r.start ? r.start.at - r.timeOrigin : undefined,
    rows: r.snapshot.rows,
    domContentLoadedMs: r.domContentLoaded,
    fcpMs: r.fcp,
    count: r.count,
  };
}

/** The floor, in the browser without Playwright (see browser-raw.mjs). */
async function rawFloor(raw, url, timeoutMs) {
  const page = await raw.newPage({ viewport: VIEWPORT });
  try {
    await page.goto(`${url}${FLOOR_PATH}`);
    await page.waitFor('window.floorResult !== undefined', { timeoutMs, what: 'the floor' });
    return floorTimings(await page.evaluate('window.floorResult'));
  } finally {
    await page.close();
  }
}

/** The app's table view loaded in the browser without Playwright, until first rows and the whole snapshot. */
async function rawApp(raw, url, timeoutMs) {
  const page = await raw.newPage({ viewport: VIEWPORT, initScript: `(${instrumentPage})()` });
  try {
    await page.goto(`${url}${TABLE_PATH}`);
    await page.waitFor(APP_LOADED, { timeoutMs, what: 'the first rows and the whole snapshot' });
    return appTimings(await page.evaluate(`(${readAppLoad})(${JSON.stringify(TABLE)})`));
  } finally {
    await page.close();
  }
}

/**
 * Navigate a fresh page to the app's table view and wait until the snapshot is in the store and the first
 * rows are painted. Returns the page (still open) and the timings (ms after navigation start).
 */
async function loadApp(browser, url, query, timeoutMs, { onCommit } = {}) {
  const opened = await openContext(browser, { instrument: true });
  const { page, state } = opened;
  try {
    await page.goto(`${url}${TABLE_PATH}${query}`, { waitUntil: 'commit' });
    const profiling = onCommit ? await onCommit(opened) : undefined;
    await waitInPage(opened.context, page, APP_LOADED, {
      timeoutMs,
      what: 'the first rows and the whole snapshot',
    });
    return { ...opened, profiling, timings: appTimings(await page.evaluate(readAppLoad, TABLE)) };
  } catch (err) {
    await opened.context.close().catch(() => undefined);
    if (state.crashed) throw new Error('the page crashed (renderer gone)', { cause: err });
    throw err;
  }
}

async function heaps(browser, context, page) {
  const ps = await pageSession(context, page);
  const ws = await workerSession(browser, /\/assets\/worker-[^/]*\.js/);
  try {
    const main = await heapOf(ps);
    const worker = await heapOf(ws);
    const rss = await rendererRss(browser);
    return {
      pageMB: (main.usedMiB * 2 ** 20) / MB,
      workerMB: (worker.usedMiB * 2 ** 20) / MB,
      pageGcMB: (main.afterGcMiB * 2 ** 20) / MB,
      workerGcMB: (worker.afterGcMiB * 2 ** 20) / MB,
      totalMB: ((main.usedMiB + worker.usedMiB) * 2 ** 20) / MB,
      totalGcMB: ((main.afterGcMiB + worker.afterGcMiB) * 2 ** 20) / MB,
      rendererRssMiB: rss[0],
    };
  } finally {
    await ps.detach();
    await ws.detach();
  }
}

/** Main-thread and worker CPU profiles, started as soon as the worker exists. */
async function profileBoth(browser, opened, web) {
  const ps = await pageSession(opened.context, opened.page);
  const stopMain = await startProfile(ps);
  const ws = await workerSession(browser, /\/assets\/worker-[^/]*\.js/, 30_000);
  const stopWorker = await startProfile(ws);
  return async (dir, name) => {
    const [main, worker] = [await stopMain(), await stopWorker()];
    await ps.detach();
    await ws.detach();
    return {
      main: await keepProfile(main, web, join(dir, `${name}-main.cpuprofile`)),
      worker: await keepProfile(worker, web, join(dir, `${name}-worker.cpuprofile`)),
    };
  };
}

// ---- scrolling ---------------------------------------------------------------------------------------

const TRACE_CATEGORIES = ['toplevel', 'blink.user_timing', '__metadata'];

async function scrollRun(browser, page, scrollSeconds) {
  // A still page first: the frame rate this machine gives an idle page.
  const idle = frameStats(await page.evaluate(() => window.__bench.frames(3_000)));
  // Wheel speed: 6,000 px/s (about 190 rows a second) for 10 s.
  const wheel = await page.evaluate(() => window.__bench.scroll({ pxPerSecond: 6_000, seconds: 10 }));
  await page.evaluate(() => (document.querySelector('.ow-grid-scroll[role=grid]').scrollTop = 0));
  await sleep(500);
  // Top to bottom in `scrollSeconds`: dragging the scrollbar through the whole table. Traced, for the CPU
  // time per frame of each thread (independent of how busy the rest of the machine is).
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const t0 = await page.evaluate(() => performance.now());
  const full = await page.evaluate((seconds) => {
    performance.mark('bench-scroll-start');
    return window.__bench.scroll({ toBottom: true, seconds }).then((r) => {
      performance.mark('bench-scroll-end');
      return r;
    });
  }, scrollSeconds);
  const t1 = await page.evaluate(() => performance.now());
  const trace = traceThreads(
    JSON.parse((await browser.stopTracing()).toString('utf8')),
    'bench-scroll-start',
    'bench-scroll-end',
  );
  const longtasks = await page.evaluate(() => window.__bench.longtasks);
  const summary = (r) => {
    const fs = frameStats(r.ts);
    return {
      ...fs,
      distance: r.distance,
      scrollMax: r.max,
      pxPerFrame: r.distance / Math.max(1, fs.frames),
      blankFrames: r.blankFrames,
      blankShare: r.blankFrames / Math.max(1, fs.frames),
      settleMs: r.settleMs,
    };
  };
  const fullStats = summary(full);
  return {
    idle,
    wheel: summary(wheel),
    full: {
      ...fullStats,
      longtasks: entriesIn(longtasks, t0, t1),
      trace: slimTrace(trace),
      mainCpuPerFrameMs: trace.main ? trace.main.cpuMs / Math.max(1, fullStats.frames) : undefined,
    },
  };
}

/** The parts of a trace summary worth keeping: main thread, workers and the ten busiest threads. */
function slimTrace(t) {
  return { windowMs: t.windowMs, marked: t.marked, main: t.main, workers: t.workers, threads: t.threads.slice(0, 10) };
}

// ---- live updates ------------------------------------------------------------------------------------

/** Where each port is in the churn view: filter name < 'ls33', sorted by name descending (names are unique). */
function churnOrder(ports) {
  const limit = CHURN_FILTER.slice('name<'.length);
  return ports.filter((p) => p.name < limit).sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

async function churnRun({ browser, url, web, client, ports, cfg, gw, serverPid, profileDir, round, log }) {
  const query = `?where=${encodeURIComponent(CHURN_FILTER)}&sort=${encodeURIComponent(CHURN_SORT)}`;
  const resyncs0 = await resyncCount(url);
  const loaded = await loadApp(browser, url, query, 120_000);
  const { context, page, state } = loaded;
  try {
    // Start from a live view: a load can end in a resync (see the gateway note in docs/BENCHMARKS.md); wait
    // until the view has been live, not resyncing, for 3 s (at most 90 s) and say how long that took.
    const settleStart = performance.now();
    let liveSince;
    for (;;) {
      const live = await page.evaluate(() => {
        const count = document.querySelector('.ow-count')?.textContent ?? '';
        const conn = document.querySelector('.ow-conn')?.textContent ?? '';
        return /rows/.test(count) && !/resyncing/.test(count) && /live/.test(conn);
      });
      const now = performance.now();
      if (!live) liveSince = undefined;
      else if (liveSince === undefined) liveSince = now;
      if ((liveSince !== undefined && now - liveSince >= 3_000) || now - settleStart > 90_000) break;
      await sleep(250);
    }
    const settledMs = performance.now() - settleStart;
    const liveAtStart = liveSince !== undefined;
    const onScreen = (await page.evaluate(() => window.__bench.rows('options'))).filter((r) => r.uuid && !r.deleted);
    const viewport = await page.evaluate(() => {
      const g = document.querySelector('.ow-grid-scroll[role=grid]');
      return { height: g.clientHeight, count: Number(g.getAttribute('aria-rowcount')) - 1 };
    });
    const visibleRows = Math.floor(viewport.height / 32) - 1;
    const watched = onScreen.slice(0, Math.min(WATCHED_ROWS, visibleRows)).map((r) => r.uuid);
    const order = churnOrder(ports);
    const expectedTop = order.slice(0, watched.length).map((p) => p.uuid);
    const orderOk = watched.length > 0 && watched.every((u, i) => u === expectedTop[i]);

    const inView = new Map(order.map((p, i) => [p.uuid, i]));
    const all = ports.map((p) => p.uuid);

    /** One churn phase: `share` of the changes to the watched rows, the rest anywhere; then the checks. */
    const phase = async (name, share, seconds, profile) => {
      const stopProfiles = profile ? await profileBoth(browser, loaded, web) : undefined;
      await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      const cpu0 = { gw: await processCpuSeconds(gw.child.pid), server: await processCpuSeconds(serverPid) };
      const resyncsBefore = await resyncCount(url);
      const framesP = page.evaluate((ms) => {
        window.__bench.watchValues('options', 'bench');
        performance.mark('bench-churn-start');
        const t0 = performance.now();
        return window.__bench.frames(ms).then((ts) => {
          performance.mark('bench-churn-end');
          return { t0, t1: performance.now(), ts };
        });
      }, seconds * 1000);
      const t0 = performance.now();
      const w = await runWriter(client, { all, watched, watchShare: share, rate: cfg.rate, seconds });
      const wall = (performance.now() - t0) / 1000;
      const cpu = {
        gw: ((await processCpuSeconds(gw.child.pid)) - cpu0.gw) / wall,
        server: ((await processCpuSeconds(serverPid)) - cpu0.server) / wall,
      };
      const frames = await framesP;
      const resyncsDuring = (await resyncCount(url)) - resyncsBefore;
      const trace = slimTrace(
        traceThreads(
          JSON.parse((await browser.stopTracing()).toString('utf8')),
          'bench-churn-start',
          'bench-churn-end',
        ),
      );
      const profiles = stopProfiles ? await stopProfiles(profileDir, `churn-${name}`) : undefined;
      const observed = await page.evaluate(() => ({
        longtasks: window.__bench.longtasks,
        loafs: window.__bench.loafs,
      }));

      // Did the grid keep up? Every watched row that changed must show the last value written to it.
      const changedWatched = watched.filter((u) => w.last.has(u));
      const keptUpStart = performance.now();
      let upToDate;
      for (;;) {
        const shown = await page.evaluate(() => window.__bench.rows('options'));
        const byUuid = new Map(shown.map((r) => [r.uuid, r.value ?? '']));
        upToDate = changedWatched.filter((u) => (byUuid.get(u) ?? '').includes(`bench=${w.last.get(u)}`)).length;
        if (upToDate === changedWatched.length || performance.now() - keptUpStart > 5_000) break;
        await sleep(100);
      }
      const keptUpMs = performance.now() - keptUpStart;
      const latencies = await page.evaluate(() => window.__bench.stopWatch());

      // Rows off screen: scroll to a few changed ones, check their value, and come back to the top.
      const changedOff = [...w.last.keys()].filter((u) => inView.has(u) && !watched.includes(u));
      const sampled = [];
      for (let k = 0; k < Math.min(SAMPLED_ROWS, changedOff.length); k++) {
        const uuid = changedOff[Math.floor((k + 0.5) * (changedOff.length / SAMPLED_ROWS))] ?? changedOff[k];
        const index = inView.get(uuid);
        await page.evaluate(
          (top) => (document.querySelector('.ow-grid-scroll[role=grid]').scrollTop = top),
          index * 32,
        );
        let ok = false;
        const until = performance.now() + 5_000;
        while (!ok && performance.now() < until) {
          await sleep(100);
          const rows = await page.evaluate(() => window.__bench.rows('options'));
          const row = rows.find((r) => r.uuid === uuid);
          ok = row !== undefined && row.index === index && (row.value ?? '').includes(`bench=${w.last.get(uuid)}`);
        }
        sampled.push({ uuid, index, ok });
      }
      await page.evaluate(() => (document.querySelector('.ow-grid-scroll[role=grid]').scrollTop = 0));
      await sleep(1_000);
      const fs = frameStats(frames.ts);
      log(
        `  churn (${name}): ${Math.round(w.rate)}/s sent (${w.failed} failed), ${resyncsDuring} resyncs; p95 frame ${fs.p95?.toFixed(1)} ms, ${(100 * fs.overShare).toFixed(1)}% > 33 ms; longest main task ${trace.main?.longestMs.toFixed(1)} ms (CPU ${trace.main?.longestCpuMs.toFixed(1)}); main CPU ${((100 * (trace.main?.cpuMs ?? 0)) / trace.windowMs).toFixed(0)}%; rows on screen up to date ${upToDate}/${changedWatched.length}, off screen ${sampled.filter((x) => x.ok).length}/${sampled.length}`,
      );
      return {
        share,
        seconds,
        writer: { sent: w.sent, failed: w.failed, firstError: w.firstError, rate: w.rate },
        frames: fs,
        trace,
        longtasks: entriesIn(observed.longtasks, frames.t0, frames.t1),
        loafs: entriesIn(observed.loafs, frames.t0, frames.t1),
        changedWatched: changedWatched.length,
        upToDate,
        keptUpMs,
        latency: {
          n: latencies.length,
          p50: quantile(latencies, 0.5),
          p95: quantile(latencies, 0.95),
          max: latencies.length ? Math.max(...latencies) : undefined,
        },
        sampled,
        cpu,
        resyncsDuring,
        profiles,
      };
    };

    // Changes anywhere in the table (the target's case), then a share of them on the rows on screen.
    const uniform = await phase('uniform', 0, cfg.seconds, profileDir && round === 0);
    const hot = await phase('hot', WATCH_SHARE, HOT_SECONDS, profileDir && round === 0);
    const heap = await heaps(browser, context, page);
    const resyncs = (await resyncCount(url)) - resyncs0;
    return {
      load: loaded.timings,
      viewCount: viewport.count,
      watched: watched.length,
      orderOk,
      uniform,
      hot,
      heap,
      resyncs,
      settledMs,
      liveAtStart,
      errors: state.errors,
    };
  } finally {
    await context.close().catch(() => undefined);
  }
}

// ---- the 1,000,000-row run ---------------------------------------------------------------------------

export async function longRun(cfg, log) {
  const out = {
    switches: cfg.longSwitches,
    ports: cfg.longPorts,
    rows: cfg.longSwitches * cfg.longPorts,
    timeoutSeconds: cfg.longTimeoutSeconds,
  };
  const server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  let gw;
  let browser;
  let client;
  let web;
  try {
    web = await staticDir();
    client = await OvsdbClient.connect(server.unixRemote);
    log(
      `long run: loading ${out.rows.toLocaleString('en-US')} ports (${cfg.longSwitches} switches × ${cfg.longPorts}, ports only)`,
    );
    out.load = await loadPortsOnly(client, { switches: cfg.longSwitches, ports: cfg.longPorts, log });
    await client.close();
    client = undefined;
    out.serverRssMiB = await rssMiB(server.pid);
    const t0 = performance.now();
    // A bigger heap than Node's default for the gateway's cache of a million rows (a deployment setting).
    gw = await startGateway(server.unixRemote, web, log, ['--max-old-space-size=8192']);
    out.gatewayReadySeconds = (performance.now() - t0) / 1000;
    out.gatewayRssMiB = await rssMiB(gw.child.pid);
    browser = await launchBrowser(await chromiumCommand());
    const timeoutMs = cfg.longTimeoutSeconds * 1000;

    // The app.
    const app = { crashed: false };
    out.app = app;
    let loaded;
    const t1 = performance.now();
    try {
      loaded = await loadApp(browser, gw.url, '', timeoutMs);
      app.timings = loaded.timings;
      log(
        `long run: app first rows ${loaded.timings.firstRowsMs.toFixed(0)} ms, snapshot ${loaded.timings.snapshotMs.toFixed(0)} ms`,
      );
    } catch (err) {
      app.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
      app.crashed = /crash/.test(app.error);
      app.waitedSeconds = (performance.now() - t1) / 1000;
      log(`long run: app: ${app.error}`);
    }
    if (loaded) {
      const { context, page, state } = loaded;
      try {
        app.heap = await heaps(browser, context, page).catch((err) => ({ error: err.message }));
        // Responsive? A round trip into the page, 5 s of idle frames, a jump to the middle of the table.
        const rt0 = performance.now();
        await page.evaluate(() => 1);
        app.evaluateMs = performance.now() - rt0;
        app.idle = frameStats(await page.evaluate(() => window.__bench.frames(5_000)));
        app.jump = await page.evaluate(
          () =>
            new Promise((resolve) => {
              const g = document.querySelector('.ow-grid-scroll[role=grid]');
              const target = Math.floor((g.scrollHeight - g.clientHeight) / 2);
              const t = performance.now();
              g.scrollTop = target;
              const check = () => {
                const i = Math.floor(target / 32) + 2;
                const el = document.getElementById(`ow-row-${i}`);
                if (el && !el.classList.contains('ow-loading')) resolve({ ms: performance.now() - t, index: i });
                else if (performance.now() - t > 10_000) resolve({ ms: undefined, index: i });
                else requestAnimationFrame(check);
              };
              requestAnimationFrame(check);
            }),
        );
        const s = await page.evaluate(() => window.__bench.scroll({ pxPerSecond: 6_000, seconds: 5 }));
        app.wheel = { ...frameStats(s.ts), blankShare: s.blankFrames / Math.max(1, s.ts.length - 1) };
        app.crashed = state.crashed;
        app.errors = state.errors;
      } catch (err) {
        app.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
        app.crashed = state.crashed;
      } finally {
        await context.close().catch(() => undefined);
      }
    }

    // The floor at the same size.
    const floor = {};
    out.floor = floor;
    const t2 = performance.now();
    try {
      Object.assign(floor, await loadFloor(browser, gw.url, timeoutMs));
      log(`long run: floor ${floor.snapshotMs.toFixed(0)} ms`);
    } catch (err) {
      floor.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
      floor.waitedSeconds = (performance.now() - t2) / 1000;
      log(`long run: floor: ${floor.error}`);
    }
    out.gatewayRssEndMiB = await rssMiB(gw.child.pid).catch(() => NaN);
  } finally {
    await browser?.close().catch(() => undefined);
    await stopChild(gw?.child);
    await client?.close().catch(() => undefined);
    await server.stop();
    if (web) await rm(web, { recursive: true, force: true });
  }
  return out;
}

/** A round's floor and app loads, the floor first in odd rounds and the app first in even ones. */
async function inTurn(round, doFloor, doApp) {
  if (round % 2 === 1) {
    await doFloor();
    await doApp();
  } else {
    await doApp();
    await doFloor();
  }
}

// ---- the benchmark -----------------------------------------------------------------------------------

export async function browserBench(cfg, log) {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(`the web app is not built (${DIST}); run node scripts/build.mjs first`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian package chromium)`);
  const res = { cfg, loadBefore: await loadavg() };
  const profileDir = cfg.profileDir;
  if (profileDir) await mkdir(profileDir, { recursive: true });

  const server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  let gw;
  let browser;
  let client;
  let web;
  try {
    web = await staticDir();
    // The app as copied for this run (others may rebuild apps/web/dist meanwhile).
    res.size = initialJs(web);
    client = await OvsdbClient.connect(server.unixRemote);
    const t0 = performance.now();
    await loadDataset(client, standardDataset({ switches: cfg.switches, ports: cfg.ports }));
    res.loadSeconds = (performance.now() - t0) / 1000;
    const ports = await portList(client);
    res.ports = ports.length;
    log(
      `loaded the standard dataset S=${cfg.switches} P=${cfg.ports}: ${ports.length.toLocaleString('en-US')} Logical_Switch_Port rows in ${res.loadSeconds.toFixed(1)} s`,
    );
    gw = await startGateway(server.unixRemote, web, log);
    const command = await chromiumCommand();

    // The timed loads, in Chromium without Playwright (browser-raw.mjs): the floor and the app, the order
    // swapped every round, after one untimed load of each (the gateway's first snapshot of the table).
    res.rounds = Array.from({ length: cfg.rounds }, (_, r) => ({ round: r + 1 }));
    const raw = await launchRawChromium(command.argv);
    try {
      res.chromium = raw.version;
      await rawFloor(raw, gw.url, 120_000);
      await rawApp(raw, gw.url, 120_000);
      for (const round of res.rounds) {
        const doFloor = async () => {
          const before = await resyncCount(gw.url);
          round.floor = await rawFloor(raw, gw.url, 120_000);
          round.floor.resyncs = (await resyncCount(gw.url)) - before;
        };
        const doApp = async () => {
          const before = await resyncCount(gw.url);
          round.app = await rawApp(raw, gw.url, 120_000);
          round.app.resyncs = (await resyncCount(gw.url)) - before;
        };
        await inTurn(round.round, doFloor, doApp);
        round.ratio = round.app.snapshotMs / round.floor.snapshotMs;
        log(
          `load ${round.round}/${cfg.rounds}: first rows ${round.app.firstRowsMs.toFixed(0)} ms; snapshot app ${round.app.snapshotMs.toFixed(0)} ms, floor ${round.floor.snapshotMs.toFixed(0)} ms (${round.ratio.toFixed(2)}×)`,
        );
      }
    } finally {
      await raw.close();
    }

    // The rest in Playwright: each round loads the floor and the app again (their timings under Playwright are
    // in the details), then scrolls that page and runs the churn.
    browser = await launchBrowser(command);
    await loadFloor(browser, gw.url, 120_000);
    const warm = await loadApp(browser, gw.url, '', 120_000);
    res.fetched = [...new Set(warm.state.scripts)];
    await warm.context.close();

    for (const [r, round] of res.rounds.entries()) {
      log(`round ${r + 1}/${cfg.rounds}`);
      let app;
      const pw = {};
      round.playwright = pw;
      const doFloor = async () => {
        pw.floor = await loadFloor(browser, gw.url, 120_000);
      };
      const doApp = async () => {
        app = await loadApp(
          browser,
          gw.url,
          '',
          120_000,
          profileDir && r === 0 ? { onCommit: (opened) => profileBoth(browser, opened, web) } : {},
        );
        pw.app = app.timings;
      };
      await inTurn(round.round, doFloor, doApp);
      pw.ratio = pw.app.snapshotMs / pw.floor.snapshotMs;
      log(
        `  load under Playwright: first rows ${pw.app.firstRowsMs.toFixed(0)} ms; snapshot app ${pw.app.snapshotMs.toFixed(0)} ms, floor ${pw.floor.snapshotMs.toFixed(0)} ms (${pw.ratio.toFixed(2)}×)`,
      );
      try {
        if (app.profiling) round.loadProfiles = await app.profiling(profileDir, 'load');
        await sleep(1_000);
        round.heapSnapshot = await heaps(browser, app.context, app.page);
        const stopProfiles = profileDir && r === 0 ? await profileBoth(browser, app, web) : undefined;
        round.scroll = await scrollRun(browser, app.page, cfg.scrollSeconds);
        if (stopProfiles) round.scrollProfiles = await stopProfiles(profileDir, 'scroll');
        round.appErrors = app.state.errors;
        log(
          `  scroll top → bottom: ${(100 * round.scroll.full.overShare).toFixed(1)}% frames > 33 ms, p95 ${round.scroll.full.p95.toFixed(1)} ms; heap page ${round.heapSnapshot.pageMB.toFixed(0)} + worker ${round.heapSnapshot.workerMB.toFixed(0)} MB`,
        );
      } finally {
        await app.context.close().catch(() => undefined);
      }
      round.churn = await churnRun({
        browser,
        url: gw.url,
        web,
        client,
        ports,
        cfg,
        gw,
        serverPid: server.pid,
        profileDir,
        round: r,
        log,
      });
    }
    res.gatewayRssMiB = await rssMiB(gw.child.pid);
  } finally {
    await browser?.close().catch(() => undefined);
    await stopChild(gw?.child);
    await client?.close().catch(() => undefined);
    await server.stop();
    if (web) await rm(web, { recursive: true, force: true });
  }
  if (cfg.long) res.long = await longRun(cfg, log);
  res.loadAfter = await loadavg();
  if (profileDir) {
    const r0 = res.rounds[0];
    const parts = [];
    for (const [what, p] of [
      ['load', r0.loadProfiles],
      ['scroll', r0.scrollProfiles],
      ['churn, changes anywhere', r0.churn.uniform.profiles],
      ['churn, 10% on the rows on screen', r0.churn.hot.profiles],
    ]) {
      if (!p) continue;
      parts.push(
        `### ${what}: page main thread\n${formatSummary(p.main)}`,
        `### ${what}: engine worker\n${formatSummary(p.worker)}`,
      );
    }
    res.profileText = parts.join('\n\n');
  }
  return res;
}

// ---- report ------------------------------------------------------------------------------------------

const f0 = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const times = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : `${x.toFixed(2)}×`);
const f1 = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(1));
const f2 = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(2));
const pct = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`);

function row(label, values, fmt, target, pass) {
  const s = spread(values);
  const verdict = target === undefined ? '' : pass(s.median) ? `${target} ✅` : `${target} ❌`;
  return `| ${label} | ${fmt(s.min)} | **${fmt(s.median)}** | ${fmt(s.max)} | ${verdict} |`;
}

export function browserMarkdown(res) {
  const R = res.rounds;
  const c = res.cfg;
  const long = res.long;
  const kB = (b) => (b / 1000).toFixed(1);
  const lines = [
    `Dataset: standard S=${c.switches} × P=${c.ports} in ovsdb-server (${(c.switches * (2 + c.ports + Math.floor(c.ports / 2))).toLocaleString('en-US')} rows, of which ${res.ports.toLocaleString('en-US')} \`${TABLE}\`), through the gateway (\`ovsdb-web serve\`, its own process) to ${res.chromium ? `Chromium ${res.chromium}` : 'Chromium'} (\`/usr/bin/chromium\`, headless, \`--disable-gpu\`: **software rendering**), viewport ${VIEWPORT.width}×${VIEWPORT.height}. ${R.length} rounds, each in fresh browser contexts (empty cache), after one untimed floor and app load. The loads are timed in Chromium driven over its DevTools pipe with nothing but an init script and \`Runtime.evaluate\` (\`bench/lib/browser-raw.mjs\`): under Playwright every WebSocket frame is also copied to the DevTools client, which a user's browser does not do (those loads are in the details). Scrolling, churn and heap are measured under Playwright. Min / **median** / max over the rounds; the verdict is on the median.`,
    '',
    '| measure | min | median | max | target |',
    '|---|---:|---:|---:|---:|',
    row(
      'navigation → first rows painted in the grid, ms',
      R.map((r) => r.app.firstRowsMs),
      f0,
      '< 1,000',
      (m) => m < 1000,
    ),
    row(
      'navigation → whole snapshot in the store (app), ms',
      R.map((r) => r.app.snapshotMs),
      f0,
    ),
    row(
      'navigation → whole snapshot parsed (floor: bare page, WebSocket + `JSON.parse` in a worker), ms',
      R.map((r) => r.floor.snapshotMs),
      f0,
    ),
    row(
      'app ÷ floor, per round',
      R.map((r) => r.ratio),
      times,
      '≤ 1.3×',
      (m) => m <= 1.3,
    ),
    row(
      `scrolling top → bottom in ${c.scrollSeconds} s: frames over 33 ms`,
      R.map((r) => r.scroll.full.overShare),
      pct,
      '≤ 1%',
      (m) => m <= 0.01,
    ),
    row(
      'scrolling top → bottom: p95 frame, ms',
      R.map((r) => r.scroll.full.p95),
      f1,
    ),
    row(
      `${c.rate.toLocaleString('en-US')} changes/s for ${c.seconds} s on a sorted, filtered view, anywhere in the table: longest main-thread task, ms`,
      R.map((r) => r.churn.uniform.trace.main?.longestMs),
      f1,
      '≤ 50',
      (m) => m <= 50,
    ),
    row(
      "… p95 frame, ms (gaps in whole 60 Hz frames; the clock's own reading in the details)",
      R.map((r) => r.churn.uniform.frames.p95Frames),
      f1,
      '≤ 16.7',
      (m) => m <= 1000 / 60 + 1e-9,
    ),
    row(
      `the same for ${HOT_SECONDS} s with ${(WATCH_SHARE * 100).toFixed(0)}% of the changes on the ${WATCHED_ROWS} rows on screen: longest main-thread task, ms`,
      R.map((r) => r.churn.hot.trace.main?.longestMs),
      f1,
      '≤ 50',
      (m) => m <= 50,
    ),
    row(
      "… p95 frame, ms (gaps in whole 60 Hz frames; the clock's own reading in the details)",
      R.map((r) => r.churn.hot.frames.p95Frames),
      f1,
      '≤ 16.7',
      (m) => m <= 1000 / 60 + 1e-9,
    ),
    row(
      'JS heap after the snapshot, page + worker, MB (as is)',
      R.map((r) => r.heapSnapshot.totalMB),
      f0,
      '≤ 250',
      (m) => m <= 250,
    ),
    row(
      'JS heap after the churn, page + worker, MB (as is)',
      R.map((r) => r.churn.heap.totalMB),
      f0,
      '≤ 250',
      (m) => m <= 250,
    ),
    `| initial JS of the page, gzip, kB (${res.size.page.files.length} file${res.size.page.files.length === 1 ? '' : 's'}) | | **${kB(res.size.page.gzip)}** | | ≤ 300 ${res.size.page.gzip <= 300_000 ? '✅' : '❌'} |`,
    `| the engine's worker, loaded at start too, gzip, kB | | **${kB(res.size.worker.gzip)}** | | |`,
    '',
    'Details, min / median / max over the rounds:',
    '',
    '| measure | min | median | max |',
    '|---|---:|---:|---:|',
  ];
  const d = (label, xs, fmt) => {
    const s = spread(xs);
    lines.push(`| ${label} | ${fmt(s.min)} | ${fmt(s.median)} | ${fmt(s.max)} |`);
  };
  const ms = (k) => R.map(k);
  d(
    'the same loads under Playwright: first rows painted, ms',
    ms((r) => r.playwright.app.firstRowsMs),
    f0,
  );
  d(
    '… whole snapshot in the store (app), ms',
    ms((r) => r.playwright.app.snapshotMs),
    f0,
  );
  d(
    '… whole snapshot parsed (floor), ms',
    ms((r) => r.playwright.floor.snapshotMs),
    f0,
  );
  d(
    '… app ÷ floor',
    ms((r) => r.playwright.ratio),
    times,
  );
  d(
    'first rows in the DOM (before their paint), ms',
    ms((r) => r.app.firstRowsDomMs),
    f0,
  );
  d(
    'app: `subscribed` received (after the page, its worker and the schema loaded), ms',
    ms((r) => r.app.subscribedMs),
    f0,
  );
  d(
    'app: DOMContentLoaded, ms',
    ms((r) => r.app.domContentLoadedMs),
    f0,
  );
  d(
    'app: first contentful paint, ms',
    ms((r) => r.app.fcpMs),
    f0,
  );
  d(
    'app: gateway resyncs during the load (the gateway dropped the page as slow and sent the snapshot again)',
    ms((r) => r.app.resyncs),
    f0,
  );
  d(
    'floor: gateway resyncs during the load',
    ms((r) => r.floor.resyncs),
    f0,
  );
  d(
    'floor: WebSocket open, ms',
    ms((r) => r.floor.openMs),
    f0,
  );
  d(
    'floor: first snapshot chunk parsed, ms',
    ms((r) => r.floor.firstChunkMs),
    f0,
  );
  d(
    'JS heap after the snapshot, page, MB (as is)',
    ms((r) => r.heapSnapshot.pageMB),
    f0,
  );
  d(
    '… after a forced GC',
    ms((r) => r.heapSnapshot.pageGcMB),
    f0,
  );
  d(
    'JS heap after the snapshot, worker, MB',
    ms((r) => r.heapSnapshot.workerMB),
    f0,
  );
  d(
    '… after a forced GC',
    ms((r) => r.heapSnapshot.workerGcMB),
    f0,
  );
  d(
    'renderer process RSS after the snapshot, MiB',
    ms((r) => r.heapSnapshot.rendererRssMiB),
    f0,
  );
  d(
    'idle page, 3 s: p50 / p95 frame, ms',
    ms((r) => r.scroll.idle.p50),
    f1,
  );
  d(
    '… p95 frame, ms',
    ms((r) => r.scroll.idle.p95),
    f1,
  );
  d(
    '… frames over 33 ms',
    ms((r) => r.scroll.idle.overShare),
    pct,
  );
  d(
    `scrolling top → bottom in ${c.scrollSeconds} s (${f0(R[0].scroll.full.distance)} px): frames drawn`,
    ms((r) => r.scroll.full.frames),
    f0,
  );
  d(
    '… px per frame (rows: ÷ 32)',
    ms((r) => r.scroll.full.pxPerFrame),
    f0,
  );
  d(
    '… p50 frame, ms',
    ms((r) => r.scroll.full.p50),
    f1,
  );
  d(
    '… longest frame, ms',
    ms((r) => r.scroll.full.max),
    f0,
  );
  d(
    '… long tasks (> 50 ms) on the main thread',
    ms((r) => r.scroll.full.longtasks?.count),
    f0,
  );
  d(
    '… longest task, ms',
    ms((r) => r.scroll.full.longtasks?.longest),
    f0,
  );
  d(
    '… main-thread CPU time per frame (trace, thread clock: what the page itself costs, whatever else runs), ms',
    ms((r) => r.scroll.full.mainCpuPerFrameMs),
    f1,
  );
  d(
    '… longest main-thread task, ms (trace)',
    ms((r) => r.scroll.full.trace?.main?.longestMs),
    f0,
  );
  d(
    '… its CPU time, ms',
    ms((r) => r.scroll.full.trace?.main?.longestCpuMs),
    f0,
  );
  d(
    '… frames whose viewport showed rows not loaded yet',
    ms((r) => r.scroll.full.blankShare),
    pct,
  );
  d(
    '… after the last step, time until the screen is filled, ms',
    ms((r) => r.scroll.full.settleMs),
    f0,
  );
  d(
    'scrolling at wheel speed (6,000 px/s for 10 s): frames drawn',
    ms((r) => r.scroll.wheel.frames),
    f0,
  );
  d(
    '… frames over 33 ms',
    ms((r) => r.scroll.wheel.overShare),
    pct,
  );
  d(
    '… p50 frame, ms',
    ms((r) => r.scroll.wheel.p50),
    f1,
  );
  d(
    '… p95 frame, ms',
    ms((r) => r.scroll.wheel.p95),
    f1,
  );
  d(
    '… frames with rows not loaded yet',
    ms((r) => r.scroll.wheel.blankShare),
    pct,
  );
  d(
    `churn view \`?where=${CHURN_FILTER}&sort=${CHURN_SORT}\`: rows in the view`,
    ms((r) => r.churn.viewCount),
    f0,
  );
  d(
    '… navigation → first rows painted, ms',
    ms((r) => r.churn.load.firstRowsMs),
    f0,
  );
  for (const [key, what] of [
    ['uniform', 'churn, changes anywhere'],
    ['hot', `churn, ${(WATCH_SHARE * 100).toFixed(0)}% on the rows on screen`],
  ]) {
    const P = (f) => ms((r) => f(r.churn[key]));
    d(
      `${what}: row changes sent per second`,
      P((x) => x.writer.rate),
      f0,
    );
    d(
      '… p50 frame, ms',
      P((x) => x.frames.p50),
      f1,
    );
    d(
      "… p95 frame as the page's clock read it (0.1 ms steps), ms",
      P((x) => x.frames.p95),
      (v) => (v === undefined ? '–' : v.toFixed(2)),
    );
    d(
      '… frames over 33 ms',
      P((x) => x.frames.overShare),
      pct,
    );
    d(
      '… longest frame, ms',
      P((x) => x.frames.max),
      f0,
    );
    d(
      '… main thread busy (trace: top-level tasks ÷ time)',
      P((x) => x.trace.main?.busyShare),
      pct,
    );
    d(
      '… main-thread CPU time (trace, thread clock) ÷ time',
      P((x) => (x.trace.main ? x.trace.main.cpuMs / x.trace.windowMs : undefined)),
      pct,
    );
    d(
      '… main-thread tasks over 50 ms (trace)',
      P((x) => x.trace.main?.over50),
      f0,
    );
    d(
      '… CPU time of the longest main-thread task, ms',
      P((x) => x.trace.main?.longestCpuMs),
      f1,
    );
    d(
      '… long tasks the page observed (> 50 ms)',
      P((x) => x.longtasks?.count),
      f0,
    );
    d(
      '… longest long animation frame, ms',
      P((x) => x.loafs?.longest),
      f0,
    );
    d(
      '… engine worker busy (trace)',
      P((x) => x.trace.workers[0]?.busyShare),
      pct,
    );
    d(
      '… engine worker CPU time ÷ time',
      P((x) => (x.trace.workers[0] ? x.trace.workers[0].cpuMs / x.trace.windowMs : undefined)),
      pct,
    );
    d(
      "… engine worker's longest task, ms",
      P((x) => x.trace.workers[0]?.longestMs),
      f1,
    );
    d(
      '… commit → new value in the grid, rows on screen: changes seen',
      P((x) => x.latency.n),
      f0,
    );
    d(
      '… p50, ms',
      P((x) => x.latency.p50),
      f0,
    );
    d(
      '… p95, ms',
      P((x) => x.latency.p95),
      f0,
    );
    d(
      '… max, ms',
      P((x) => x.latency.max),
      f0,
    );
    d(
      '… gateway resyncs during the churn',
      P((x) => x.resyncsDuring),
      f0,
    );
    d(
      '… gateway CPU (share of a core)',
      P((x) => x.cpu.gw),
      f2,
    );
    d(
      '… ovsdb-server CPU (share of a core)',
      P((x) => x.cpu.server),
      f2,
    );
  }
  d(
    'JS heap after the churn, page, MB',
    ms((r) => r.churn.heap.pageMB),
    f0,
  );
  d(
    '… after a forced GC',
    ms((r) => r.churn.heap.pageGcMB),
    f0,
  );
  d(
    'JS heap after the churn, worker, MB',
    ms((r) => r.churn.heap.workerMB),
    f0,
  );
  d(
    '… after a forced GC',
    ms((r) => r.churn.heap.workerGcMB),
    f0,
  );
  d(
    'renderer process RSS after the churn, MiB',
    ms((r) => r.churn.heap.rendererRssMiB),
    f0,
  );
  d(
    'churn view: time until it was live (not resyncing) for 3 s before the churn started, ms',
    ms((r) => r.churn.settledMs),
    f0,
  );
  d(
    'churn: gateway resyncs, load of the churn view to the end',
    ms((r) => r.churn.resyncs),
    f0,
  );
  const errors = R.flatMap((r) => [...(r.appErrors ?? []), ...(r.churn.errors ?? [])]);
  lines.push(
    '',
    `Snapshot: ${R[0].floor.chunks} chunks, ${R[0].floor.rows.toLocaleString('en-US')} rows, ${R[0].floor.mb.toFixed(1)} MB of JSON text. ` +
      `Churn: ${c.rate.toLocaleString('en-US')} row changes/s asked, each setting \`options:bench\` of one port to the writer's clock, the changes due every 5 ms in one transaction; first ${c.seconds} s on rows anywhere in the table (about half of them in the view), then ${HOT_SECONDS} s with ${(WATCH_SHARE * 100).toFixed(0)}% of them on the ${R[0].churn.watched} rows on screen (each then changes about 5 times a second and flashes). ` +
      `Failed changes: ${R.map((r) => r.churn.uniform.writer.failed + r.churn.hot.writer.failed).join(' / ')}. Top rows of the churn view in the expected order: ${R.every((r) => r.churn.orderOk) ? 'yes' : '**no**'}. ` +
      `After each phase, changed rows on screen showing their last value: ${R.map((r) => `${r.churn.uniform.upToDate}/${r.churn.uniform.changedWatched} and ${r.churn.hot.upToDate}/${r.churn.hot.changedWatched}`).join('; ')}; changed rows off screen found at their place with their last value: ${R.map((r) => `${r.churn.uniform.sampled.filter((x) => x.ok).length}/${r.churn.uniform.sampled.length} and ${r.churn.hot.sampled.filter((x) => x.ok).length}/${r.churn.hot.sampled.length}`).join('; ')}. ` +
      `JS the first load fetched: ${res.fetched.map((f) => `\`${f}\``).join(', ')} (raw: page ${kB(res.size.page.raw)} kB, worker ${kB(res.size.worker.raw)} kB; CSS ${kB(res.size.css.gzip)} kB gzip; lazy chunks not loaded at start: ${res.size.lazy.files.map((f) => `${f.file.replace('/assets/', '')} ${kB(f.gzip)} kB gzip`).join(', ') || 'none'}). ` +
      `Page errors: ${errors.length ? errors.join('; ') : 'none'}.`,
  );
  lines.push(
    '',
    `Machine load (\`/proc/loadavg\`) before: ${res.loadBefore}; after: ${res.loadAfter}. Gateway RSS at the end: ${f0(res.gatewayRssMiB)} MiB.`,
  );
  if (long) {
    const a = long.app ?? {};
    const fl = long.floor ?? {};
    lines.push(
      '',
      `**${long.rows.toLocaleString('en-US')} rows** (\`--long\`; ${long.switches.toLocaleString('en-US')} switches × ${long.ports} ports, ports only; loaded in ${f0(long.load?.seconds)} s; ovsdb-server RSS ${f0(long.serverRssMiB)} MiB; gateway ready after ${f0(long.gatewayReadySeconds)} s with ${f0(long.gatewayRssMiB)} MiB RSS, \`--max-old-space-size=8192\`), one attempt each, ${long.timeoutSeconds} s allowed:`,
      '',
      '| measure | app | floor |',
      '|---|---:|---:|',
      `| outcome | ${a.error ? `**${a.crashed ? 'crashed' : 'failed'}**: ${a.error}${a.waitedSeconds ? ` (after ${f0(a.waitedSeconds)} s)` : ''}` : a.crashed ? '**crashed**' : 'loaded'} | ${fl.error ? `**failed**: ${fl.error}${fl.waitedSeconds ? ` (after ${f0(fl.waitedSeconds)} s)` : ''}` : 'loaded'} |`,
      `| navigation → first rows painted, ms | ${f0(a.timings?.firstRowsMs)} | |`,
      `| navigation → whole snapshot, ms | ${f0(a.timings?.snapshotMs)} | ${f0(fl.snapshotMs)} |`,
      `| JS heap page / worker, as is (after GC), MB | ${a.heap?.error ? a.heap.error : `${f0(a.heap?.pageMB)} (${f0(a.heap?.pageGcMB)}) / ${f0(a.heap?.workerMB)} (${f0(a.heap?.workerGcMB)})`} | |`,
      `| renderer RSS, MiB | ${f0(a.heap?.rendererRssMiB)} | |`,
      `| responsive: a round trip into the page, ms; idle p95 frame, ms | ${f0(a.evaluateMs)}; ${f1(a.idle?.p95)} | |`,
      `| jump to the middle of the table → rows shown, ms | ${f0(a.jump?.ms)} | |`,
      `| wheel-speed scroll 5 s: frames over 33 ms; p95 frame; frames with rows not loaded | ${pct(a.wheel?.overShare)}; ${f1(a.wheel?.p95)} ms; ${pct(a.wheel?.blankShare)} | |`,
      `| gateway RSS at the end, MiB | ${f0(long.gatewayRssEndMiB)} | |`,
    );
  }
  return lines.join('\n');
}

// ---- command line (bench/run.mjs) --------------------------------------------------------------------

export const BROWSER_ABOUT =
  'the web app in headless Chromium, 100k-row table: first rows, snapshot vs a bare page, scrolling, 1,000 changes/s, heap, initial JS (--long: 1M rows)';

export const BROWSER_USAGE = `browser options:
  --switches S [${BROWSER_DEFAULTS.switches}] --ports P [${BROWSER_DEFAULTS.ports}]   standard dataset size (S×P Logical_Switch_Port rows)
  --rounds N [${BROWSER_DEFAULTS.rounds}]   rounds of loads, scrolling and churn (min / median / max reported)
  --rate N [${BROWSER_DEFAULTS.rate}] --seconds N [${BROWSER_DEFAULTS.seconds}]   row changes per second on the filtered view, and for how long
  --long (or OVSDB_WEB_BENCH_LONG=1)   also the ${(BROWSER_DEFAULTS.longSwitches * BROWSER_DEFAULTS.longPorts).toLocaleString('en-US')}-row run (adds about 10 minutes)
  --profile-dir DIR   CPU profiles (page and worker) of round 1's load, scroll and churn, summarized`;

/** `node bench/run.mjs browser [flags]`: the flags, the run, and what run.mjs prints and writes. */
export async function runBrowser(flags, log) {
  const keys = ['switches', 'ports', 'rounds', 'rate', 'seconds'];
  const cfg = { ...BROWSER_DEFAULTS };
  for (const key of keys) {
    if (flags[key] === undefined) continue;
    const n = Number(flags[key]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${key} must be a positive integer`);
    cfg[key] = n;
  }
  cfg.long = flags.long === true || process.env.OVSDB_WEB_BENCH_LONG === '1';
  if (typeof flags['profile-dir'] === 'string') cfg.profileDir = flags['profile-dir'];
  const res = await browserBench(cfg, log);
  const changed = keys.filter((k) => cfg[k] !== BROWSER_DEFAULTS[k]);
  const command = [
    'node bench/run.mjs browser',
    ...changed.map((k) => `--${k} ${cfg[k]}`),
    ...(cfg.long ? ['--long'] : []),
  ].join(' ');
  let markdown = browserMarkdown(res);
  if (res.profileText) markdown += `\n\n\`\`\`text\n${res.profileText}\n\`\`\``;
  return { command, markdown, json: res };
}
