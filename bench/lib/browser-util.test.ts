// The browser benchmark's pure helpers: what counts as the initial JS, frame statistics, trace and source-map
// reading. Wrong here means wrong numbers in docs/BENCHMARKS.md, so they are pinned down.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
// @ts-expect-error: plain ESM JavaScript without type declarations.
import {
  decodeSourceMap,
  frameStats,
  htmlScripts,
  initialJs,
  moduleRefs,
  originalPosition,
  quantile,
  spread,
  traceThreads,
} from './browser-util.mjs';

describe('initial JS', () => {
  it('reads the module scripts and preloads of index.html, not other scripts or styles', () => {
    const html = `<script>inline()</script><script type="module" crossorigin src="/assets/index-a.js"></script>
      <link rel="modulepreload" href="/assets/vendor-b.js"><link rel="stylesheet" href="/assets/index.css"><script src="/legacy.js"></script>`;
    expect(htmlScripts(html)).toEqual(['/assets/index-a.js', '/assets/vendor-b.js']);
  });

  it('tells static imports from lazy imports and workers in bundled code', () => {
    const code =
      'import{a as b}from"./vendor-1.js";import"./side.js";export{x}from`./re.js`;const p=import(`./Page-2.js`);' +
      'new Worker(new URL(`/assets/worker-3.js`,``+import.meta.url),{type:`module`});const s="not an import";';
    const refs = moduleRefs(code);
    expect(refs.static.sort()).toEqual(['./re.js', './side.js', './vendor-1.js']);
    expect(refs.dynamic).toEqual(['./Page-2.js']);
    expect(refs.workers).toEqual(['/assets/worker-3.js']);
  });

  it('sums gzip sizes of the entry, its static imports and, apart, the worker', () => {
    const dist = mkdtempSync(join(tmpdir(), 'browser-util-'));
    mkdirSync(join(dist, 'assets'));
    const files: Record<string, string> = {
      'index.html':
        '<script type="module" src="/assets/index.js"></script><link rel="stylesheet" href="/assets/a.css">',
      'assets/index.js':
        'import{v}from"./vendor.js";new Worker(new URL(`/assets/worker.js`,import.meta.url));import(`./Lazy.js`);'.repeat(
          3,
        ),
      'assets/vendor.js': 'export const v=1;'.repeat(50),
      'assets/worker.js': 'self.onmessage=()=>{};',
      'assets/Lazy.js': 'import{v}from"./vendor.js";export default v;',
      'assets/a.css': 'body{}',
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dist, f), text);
    const gz = (f: string): number => gzipSync(Buffer.from(files[f] as string)).length;
    const r = initialJs(dist);
    expect(r.page.files.map((f: { file: string }) => f.file).sort()).toEqual(['/assets/index.js', '/assets/vendor.js']);
    expect(r.page.gzip).toBe(gz('assets/index.js') + gz('assets/vendor.js'));
    expect(r.worker.gzip).toBe(gz('assets/worker.js'));
    expect(r.lazy.files.map((f: { file: string }) => f.file)).toEqual(['/assets/Lazy.js']);
    expect(r.css.raw).toBe(6);
  });
});

describe('statistics', () => {
  it('takes nearest-rank quantiles and min/median/max of what was measured', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.95)).toBe(5);
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([], 0.5)).toBeUndefined();
    expect(spread([3, undefined, 1, 2])).toEqual({ n: 3, min: 1, median: 2, max: 3 });
  });

  it('turns animation-frame timestamps into frame times and counts the ones over 33 ms', () => {
    const ts = [0, 16.7, 33.4, 83.4, 100.1, 116.8];
    const s = frameStats(ts);
    expect(s.frames).toBe(5);
    expect(s.over).toBe(1);
    expect(s.overShare).toBeCloseTo(0.2);
    expect(s.max).toBeCloseTo(50);
    expect(s.p50).toBeCloseTo(16.7);
  });

  it('counts frame times in whole 60 Hz frames for p95Frames: a 0.1 ms clock step is not a slow frame', () => {
    // 20 frames as a 0.1 ms clock reads them (one of them 16.8), then the same with one frame missed.
    const steady = [
      16.7, 16.6, 16.7, 16.8, 16.7, 16.6, 16.7, 16.7, 16.6, 16.8, 16.7, 16.6, 16.7, 16.7, 16.6, 16.7, 16.8, 16.6, 16.7,
      16.7,
    ];
    const at = (gaps: number[]) => gaps.reduce((ts, g) => [...ts, (ts.at(-1) ?? 0) + g], [0]);
    expect(frameStats(at(steady)).p95).toBeCloseTo(16.8);
    expect(frameStats(at(steady)).p95Frames).toBeCloseTo(1000 / 60);
    const missed = [...steady.slice(0, 18), 33.3, 33.4];
    expect(frameStats(at(missed)).p95Frames).toBeCloseTo(2000 / 60);
  });
});

describe('Chrome traces', () => {
  const meta = (pid: number, tid: number, name: string) => ({ ph: 'M', name: 'thread_name', pid, tid, args: { name } });
  const task = (pid: number, tid: number, ts: number, dur: number, tdur: number) => ({
    ph: 'X',
    name: 'ThreadControllerImpl::RunTask',
    cat: 'toplevel',
    pid,
    tid,
    ts,
    dur,
    tdur,
  });
  it('finds the page main thread and its worker by the marks, within the marked window', () => {
    const trace = {
      traceEvents: [
        meta(1, 10, 'CrRendererMain'),
        meta(1, 11, 'DedicatedWorker thread'),
        meta(2, 20, 'CrRendererMain'),
        { ph: 'I', name: 'start', pid: 1, tid: 10, ts: 1_000 },
        { ph: 'I', name: 'end', pid: 1, tid: 10, ts: 201_000 },
        task(1, 10, 0, 500, 500), // before the window
        task(1, 10, 10_000, 60_000, 20_000), // 60 ms wall, 20 ms CPU
        task(1, 10, 20_000, 1_000, 1_000), // nested in the one above: not counted again
        task(1, 10, 100_000, 10_000, 10_000),
        task(1, 11, 50_000, 100_000, 90_000),
        task(2, 20, 0, 300_000, 300_000), // another renderer
      ],
    };
    const t = traceThreads(trace, 'start', 'end');
    expect(t.marked).toBe(true);
    expect(t.windowMs).toBe(200);
    expect(t.main.tasks).toBe(2);
    expect(t.main.longestMs).toBe(60);
    expect(t.main.longestCpuMs).toBe(20);
    expect(t.main.over50).toBe(1);
    expect(t.main.busyShare).toBeCloseTo(70 / 200);
    expect(t.main.cpuMs).toBeCloseTo(30);
    expect(t.workers).toHaveLength(1);
    expect(t.workers[0].cpuMs).toBeCloseTo(90);
  });
});

describe('source maps', () => {
  it('maps a generated position back to its source, line and name', () => {
    // Generated line 0: column 0 → a.ts 1:1; column 10 → b.ts 3:5, name "foo". Line 1: column 2 → b.ts 4:1.
    const map = { version: 3, sources: ['a.ts', 'b.ts'], names: ['foo'], mappings: 'AAAA,UCEIA;EACJ' };
    const d = decodeSourceMap(map);
    expect(originalPosition(d, 0, 3)).toEqual({ source: 'a.ts', line: 1, column: 1, name: undefined });
    expect(originalPosition(d, 0, 12)).toEqual({ source: 'b.ts', line: 3, column: 5, name: 'foo' });
    expect(originalPosition(d, 1, 2)).toEqual({ source: 'b.ts', line: 4, column: 1, name: undefined });
    expect(originalPosition(d, 5, 0)).toBeUndefined();
  });
});
