// In-process CPU profiling of one phase (node:inspector), summarized as self time per function, so a
// result below target comes with where the time went, not just that it was slow.
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

export async function profile(fn, outFile) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  let result;
  try {
    result = await fn();
  } finally {
    const { profile: p } = await session.post('Profiler.stop');
    session.disconnect();
    if (outFile) await writeFile(outFile, JSON.stringify(p));
    result = { result, summary: summarize(p) };
  }
  return result;
}

/** Self time by function (top `limit`), and by source file: the two views that point at a hotspot. */
export function summarize(p, limit = 25) {
  const dt = new Map();
  const { samples, timeDeltas } = p;
  for (let i = 0; i < samples.length; i++) dt.set(samples[i], (dt.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const total = [...dt.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byFile = new Map();
  for (const node of p.nodes) {
    const t = dt.get(node.id) ?? 0;
    if (t === 0) continue;
    const cf = node.callFrame;
    const file = cf.url ? cf.url.replace(/^file:\/\/.*?\/(packages|bench|node_modules)\//, '$1/') : '(native)';
    const fnKey = `${cf.functionName || '(anonymous)'} ${file}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + t);
    byFile.set(file, (byFile.get(file) ?? 0) + t);
  }
  const top = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, t]) => ({ what: k, ms: t / 1000, pct: (100 * t) / total }));
  return { totalMs: total / 1000, functions: top(byFn), files: top(byFile) };
}

export function formatSummary(s, limit = 15) {
  const rows = (list) =>
    list.slice(0, limit).map((r) => `  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.what}`);
  return [
    `CPU profile: ${s.totalMs.toFixed(0)} ms sampled`,
    'self time by function:',
    ...rows(s.functions),
    'self time by file:',
    ...rows(s.files),
  ].join('\n');
}
