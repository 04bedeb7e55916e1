// Pure helpers of the browser benchmark (browser.mjs), apart so their test needs no browser: what the first
// page load fetches and its gzip size, frame-time statistics, and the main-thread / worker tasks of a
// Chrome trace.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

// ---- initial JS ---------------------------------------------------------------------------------------

/** `<script type="module" src>` and `<link rel="modulepreload" href>` of an index.html, as site paths. */
export function htmlScripts(html) {
  const out = [];
  for (const m of html.matchAll(/<script\b[^>]*>/g)) {
    const tag = m[0];
    const src = /\bsrc\s*=\s*["']([^"']+)["']/.exec(tag)?.[1];
    if (src && /\btype\s*=\s*["']module["']/.test(tag)) out.push(src);
  }
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    if (!/\brel\s*=\s*["']modulepreload["']/.test(tag)) continue;
    const href = /\bhref\s*=\s*["']([^"']+)["']/.exec(tag)?.[1];
    if (href) out.push(href);
  }
  return out;
}

/** Stylesheets an index.html links (reported beside the JS, not counted in it). */
export function htmlStyles(html) {
  const out = [];
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    if (!/\brel\s*=\s*["']stylesheet["']/.test(tag)) continue;
    const href = /\bhref\s*=\s*["']([^"']+)["']/.exec(tag)?.[1];
    if (href) out.push(href);
  }
  return out;
}

const Q = '["\'`]';
const STR = `${Q}([^"'\`]+)${Q}`;

/**
 * What a bundled ES module loads: static imports (`import … from "x"`, `import "x"`, `export … from "x"`),
 * which load with it; dynamic `import("x")`, which load later; and workers (`new Worker(new URL("x", …))`),
 * which start their own graph. Specifiers are returned as written.
 */
export function moduleRefs(code) {
  const stat = new Set();
  const dynamic = new Set();
  const workers = new Set();
  for (const m of code.matchAll(new RegExp(`\\bimport\\s*\\(\\s*${STR}\\s*\\)`, 'g'))) dynamic.add(m[1]);
  for (const m of code.matchAll(
    new RegExp(`(?:^|[;\\s}])(?:import|export)\\s*(?:[\\w$*{][^;()'"\`]*?\\bfrom\\s*)?${STR}`, 'g'),
  ))
    stat.add(m[1]);
  for (const m of code.matchAll(new RegExp(`new\\s+(?:Shared)?Worker\\s*\\(\\s*new\\s+URL\\s*\\(\\s*${STR}`, 'g')))
    workers.add(m[1]);
  for (const d of dynamic) stat.delete(d);
  return { static: [...stat], dynamic: [...dynamic], workers: [...workers] };
}

function resolveSitePath(from, spec) {
  if (spec.startsWith('/')) return spec;
  return posix.normalize(posix.join(posix.dirname(from), spec));
}

/**
 * The JS the first load of the built app fetches, with raw and gzip sizes (zlib, default level): the entry
 * scripts of index.html and their static imports; the engine's worker and its static imports separately;
 * dynamic imports (lazy pages) listed but not counted. `dist` is the built app directory.
 */
export function initialJs(dist) {
  const read = (sitePath) => readFileSync(join(dist, sitePath.replace(/^\//, '')));
  const sizeOf = (sitePath) => {
    const buf = read(sitePath);
    return { file: sitePath, raw: buf.length, gzip: gzipSync(buf).length };
  };
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const walk = (roots) => {
    const seen = new Set();
    const lazy = new Set();
    const workers = new Set();
    const queue = [...roots];
    while (queue.length > 0) {
      const p = queue.shift();
      if (seen.has(p)) continue;
      seen.add(p);
      const refs = moduleRefs(read(p).toString('utf8'));
      for (const s of refs.static) if (!/^[a-z]+:/i.test(s)) queue.push(resolveSitePath(p, s));
      for (const s of refs.dynamic) if (!/^[a-z]+:/i.test(s)) lazy.add(resolveSitePath(p, s));
      for (const s of refs.workers) if (!/^[a-z]+:/i.test(s)) workers.add(resolveSitePath(p, s));
    }
    return { files: [...seen], lazy: [...lazy].filter((f) => !seen.has(f)), workers: [...workers] };
  };
  const page = walk(htmlScripts(html));
  const worker = walk(page.workers);
  const total = (list) => list.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
  const pageFiles = page.files.map(sizeOf);
  const workerFiles = worker.files.map(sizeOf);
  const lazyFiles = [...new Set([...page.lazy, ...worker.lazy])].map(sizeOf);
  const cssFiles = htmlStyles(html).map(sizeOf);
  return {
    page: { files: pageFiles, ...total(pageFiles) },
    worker: { files: workerFiles, ...total(workerFiles) },
    lazy: { files: lazyFiles, ...total(lazyFiles) },
    css: { files: cssFiles, ...total(cssFiles) },
  };
}

// ---- statistics ---------------------------------------------------------------------------------------

/** The p-quantile (0..1) of `xs` by the nearest-rank method; undefined when empty. */
export function quantile(xs, p) {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

export function median(xs) {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** min / median / max of the defined numbers in `xs`. */
export function spread(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return { n: 0, min: undefined, median: undefined, max: undefined };
  return { n: v.length, min: Math.min(...v), median: median(v), max: Math.max(...v) };
}

/** A 60 Hz display's frame, ms. */
const FRAME_MS = 1000 / 60;

/**
 * Frame times from `requestAnimationFrame` timestamps (ms): the gaps between consecutive frames. A gap over
 * 33.4 ms means at least one frame of a 60 Hz display was missed. The page's clock has 0.1 ms steps, so a gap
 * of exactly one frame reads 16.6, 16.7 or 16.8 ms (an idle page's p95 is 16.8); `p95Frames` counts each gap in
 * whole display frames first (16.8 → 1 frame → 16.7 ms, 25 → 2 → 33.3), which is what a frame time is on a
 * display that shows a new picture only every 16.7 ms.
 */
export function frameStats(timestamps, overMs = 33.4) {
  const gaps = [];
  for (let i = 1; i < timestamps.length; i++) gaps.push(timestamps[i] - timestamps[i - 1]);
  if (gaps.length === 0)
    return {
      frames: 0,
      p50: undefined,
      p95: undefined,
      p95Frames: undefined,
      p99: undefined,
      max: undefined,
      over: 0,
      overShare: undefined,
      seconds: 0,
    };
  const over = gaps.filter((g) => g > overMs).length;
  return {
    frames: gaps.length,
    p50: quantile(gaps, 0.5),
    p95: quantile(gaps, 0.95),
    p95Frames:
      quantile(
        gaps.map((g) => Math.max(1, Math.round(g / FRAME_MS))),
        0.95,
      ) * FRAME_MS,
    p99: quantile(gaps, 0.99),
    max: Math.max(...gaps),
    over,
    overShare: over / gaps.length,
    seconds: (timestamps[timestamps.length - 1] - timestamps[0]) / 1000,
  };
}

// ---- Chrome traces ------------------------------------------------------------------------------------

const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask', 'ThreadPool_RunTask']);
const MARK_PHASES = new Set(['R', 'I', 'i', 'n', 'b', 'X']);

/**
 * Top-level tasks per thread of a Chrome trace (category `toplevel`), between the user-timing marks
 * `startMark` and `endMark` when the trace has them (else over the whole trace). For the page's main thread
 * (`CrRendererMain` of the renderer that has the marks, else the busiest one) and each `DedicatedWorker
 * thread` of that process: the longest task (wall clock, and its CPU time), tasks over 50 ms, the busy share
 * of the window and the CPU time. `threads` lists every thread of every process by CPU time, so the cost of
 * compositing and (software) raster shows too. CPU times come from the events' thread clock (`tdur`), so
 * they do not count time the thread waited for a core.
 */
export function traceThreads(trace, startMark, endMark) {
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const names = new Map();
  const processes = new Map();
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
    if (e.name === 'process_name') processes.set(e.pid, e.args?.name ?? '');
  }
  let start;
  let end;
  let markPid;
  for (const e of events) {
    if (!MARK_PHASES.has(e.ph)) continue;
    if (e.name === startMark) {
      start = e.ts;
      markPid = e.pid;
    }
    if (e.name === endMark) end = e.ts;
  }
  const byThread = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || !TASK_NAMES.has(e.name) || typeof e.dur !== 'number') continue;
    const key = `${e.pid}:${e.tid}`;
    let list = byThread.get(key);
    if (!list) byThread.set(key, (list = []));
    list.push(e);
  }
  const marked = start !== undefined && end !== undefined;
  let lo = marked ? start : Infinity;
  let hi = marked ? end : -Infinity;
  if (!marked) {
    for (const list of byThread.values()) {
      for (const e of list) {
        lo = Math.min(lo, e.ts);
        hi = Math.max(hi, e.ts + e.dur);
      }
    }
  }
  const windowUs = Math.max(1, hi - lo);
  const summarize = (key) => {
    const list = (byThread.get(key) ?? []).filter((e) => e.ts + e.dur > lo && e.ts < hi).sort((a, b) => a.ts - b.ts);
    let busy = 0;
    let cpu = 0;
    let longest = 0;
    let longestCpu = 0;
    let over50 = 0;
    let coveredTo = -Infinity;
    let tasks = 0;
    for (const e of list) {
      if (e.ts + e.dur <= coveredTo) continue; // nested in a task already counted
      tasks++;
      const s = Math.max(e.ts, lo, coveredTo);
      const f = Math.min(e.ts + e.dur, hi);
      if (f > s) busy += f - s;
      // CPU time of the part inside the window, pro rata.
      if (typeof e.tdur === 'number' && e.dur > 0) cpu += (e.tdur * Math.max(0, f - s)) / e.dur;
      coveredTo = Math.max(coveredTo, e.ts + e.dur);
      if (e.dur > longest) {
        longest = e.dur;
        longestCpu = e.tdur ?? NaN;
      }
      if (e.dur > 50_000) over50++;
    }
    const pid = Number(key.split(':')[0]);
    return {
      process: processes.get(pid) ?? String(pid),
      thread: names.get(key) ?? key,
      tasks,
      longestMs: longest / 1000,
      longestCpuMs: longestCpu / 1000,
      over50,
      busyShare: busy / windowUs,
      cpuMs: cpu / 1000,
    };
  };
  const threadsOf = (name, pid) =>
    [...byThread.keys()].filter((k) => names.get(k) === name && (pid === undefined || k.startsWith(`${pid}:`)));
  let mains = threadsOf('CrRendererMain', markPid);
  if (mains.length === 0) mains = threadsOf('CrRendererMain');
  const main = mains.map(summarize).sort((a, b) => b.busyShare - a.busyShare)[0];
  const pid = markPid ?? mains[0]?.split(':')[0];
  const workers = threadsOf('DedicatedWorker thread', pid)
    .map(summarize)
    .sort((a, b) => b.busyShare - a.busyShare);
  const threads = [...byThread.keys()]
    .map(summarize)
    .filter((t) => t.cpuMs > 0)
    .sort((a, b) => b.cpuMs - a.cpuMs);
  return { windowMs: windowUs / 1000, marked, main, workers, threads };
}

// ---- source maps --------------------------------------------------------------------------------------

const B64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** Decodes a source map v3 into per-generated-line segments [genCol, src, line, col, name?]. */
export function decodeSourceMap(map) {
  const lines = [];
  let src = 0;
  let line = 0;
  let col = 0;
  let name = 0;
  for (const textLine of map.mappings.split(';')) {
    const segs = [];
    let gen = 0;
    for (const seg of textLine.split(',')) {
      if (seg === '') continue;
      const vals = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.get(ch);
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      gen += vals[0];
      if (vals.length >= 4) {
        src += vals[1];
        line += vals[2];
        col += vals[3];
        if (vals.length >= 5) name += vals[4];
        segs.push(vals.length >= 5 ? [gen, src, line, col, name] : [gen, src, line, col]);
      }
    }
    lines.push(segs);
  }
  return { sources: map.sources, names: map.names ?? [], lines };
}

/** Original position of a generated (0-based line, column), or undefined. */
export function originalPosition(decoded, line, column) {
  const segs = decoded.lines[line];
  if (!segs || segs.length === 0) return undefined;
  let lo = 0;
  let hi = segs.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid][0] <= column) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return undefined;
  const s = segs[best];
  return {
    source: decoded.sources[s[1]],
    line: s[2] + 1,
    column: s[3] + 1,
    name: s.length >= 5 ? decoded.names[s[4]] : undefined,
  };
}
