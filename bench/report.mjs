#!/usr/bin/env node
// `pnpm bench`: every benchmark mode of bench/run.mjs, one after another on this machine, each repeated,
// then docs/BENCHMARKS.md regenerated: each mode's own tables (run.mjs --update-docs, between its
// `<!-- bench:NAME -->` markers), and a summary between `<!-- bench:summary -->` markers — machine, the exact
// commands, min / median / max of each headline ratio over every repetition (and every round a mode repeats
// inside itself), each against its target — with docs/benchmarks.svg charting those ratios. Prose outside
// the markers is left alone.
//
//   node bench/report.mjs                       # every mode; --repeat 3, except modes that repeat inside (1)
//   node bench/report.mjs --repeat 2 --only write,gateway,load
//   node bench/report.mjs --skip sync,browser --json-dir /tmp/bench-json   # keep every run's raw results
//   node bench/report.mjs --doc /tmp/B.md --svg /tmp/b.svg -- --seconds 10   # a trial: flags after -- go to run.mjs;
//                                               # with --doc elsewhere the mode sections are not rewritten
// Modes are discovered from `node bench/run.mjs --help`, so modes added there are run here too.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo, machineTable } from './lib/machine.mjs';
import { headlines, summarize } from './lib/headlines.mjs';
import { chartSvg } from './lib/chart.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN = fileURLToPath(new URL('./run.mjs', import.meta.url));
const DEFAULT_DOC = fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url));
const DEFAULT_SVG = fileURLToPath(new URL('../docs/benchmarks.svg', import.meta.url));
/** Modes that already repeat their measurement inside (rounds) and take long: run once unless told. */
const ONCE = new Set(['sync', 'file-load', 'browser']);

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const passthrough = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
const { values: opts } = parseArgs({
  args: dashdash >= 0 ? argv.slice(0, dashdash) : argv,
  options: {
    repeat: { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
    doc: { type: 'string' },
    svg: { type: 'string' },
    'json-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 16)
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n') + '\n',
  );
  process.exit(0);
}

const help = spawnSync(process.execPath, [RUN, '--help'], { encoding: 'utf8' });
const listed = /Usage: node bench\/run\.mjs \[([^\]]+)\]/.exec(help.stdout ?? '');
if (!listed) throw new Error(`cannot find the modes in \`node bench/run.mjs --help\`:\n${help.stdout}${help.stderr}`);
const allModes = listed[1].split('|');
let modes = [...allModes];
if (opts.only) modes = modes.filter((m) => opts.only.split(',').includes(m));
if (opts.skip) modes = modes.filter((m) => !opts.skip.split(',').includes(m));
const docPath = opts.doc ?? DEFAULT_DOC;
const svgPath = opts.svg ?? DEFAULT_SVG;
const updateSections = docPath === DEFAULT_DOC;
const log = (t) => process.stderr.write(`[bench:report] ${t}\n`);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// Every run's raw results; kept with --json-dir, otherwise removed at the end.
const dir = opts['json-dir'] ?? (await mkdtemp(join(tmpdir(), 'bench-report-')));
await mkdir(dir, { recursive: true });
const machine = await machineInfo();
const loadBefore = loadavg();
const started = Date.now();
const runs = [];
try {
  for (const mode of modes) {
    const repeat = opts.repeat !== undefined ? Number(opts.repeat) : ONCE.has(mode) ? 1 : 3;
    for (let r = 1; r <= repeat; r++) {
      const json = join(dir, `${mode}-${r}.json`);
      // Only the last repetition writes its tables into the document.
      const args = [
        RUN,
        mode,
        '--json',
        json,
        ...(updateSections && r === repeat ? ['--update-docs'] : []),
        ...passthrough,
      ];
      const command = `node ${relative(ROOT, RUN)} ${mode}${passthrough.length ? ` ${passthrough.join(' ')}` : ''}`;
      log(`${mode} ${r}/${repeat}: ${command}`);
      const t0 = Date.now();
      const res = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      const seconds = (Date.now() - t0) / 1000;
      let result;
      try {
        result = JSON.parse(await readFile(json, 'utf8')).results?.[mode];
      } catch {
        result = undefined;
      }
      runs.push({ mode, repeat: r, of: repeat, command, seconds, status: res.status ?? 1, result });
      log(
        `${mode} ${r}/${repeat}: ${res.status === 0 ? 'done' : `exit status ${res.status}`} in ${seconds.toFixed(0)} s`,
      );
    }
  }
} finally {
  if (!opts['json-dir']) await rm(dir, { recursive: true, force: true });
}

const found = headlines(runs);
const summary = summarize({
  machine,
  machineTable,
  runs,
  headlines: found,
  loadBefore,
  loadAfter: loadavg(),
  seconds: (Date.now() - started) / 1000,
  svg: relative(join(docPath, '..'), svgPath),
  allModes,
});
await writeFile(svgPath, chartSvg(found, { date: new Date().toISOString().slice(0, 10) }));
let doc = await readFile(docPath, 'utf8');
const re = /(<!-- bench:summary -->\n)[\s\S]*?(<!-- \/bench:summary -->)/;
if (!re.test(doc)) throw new Error(`${docPath} has no <!-- bench:summary --> section`);
doc = doc.replace(re, (_m, open, close) => `${open}${summary}\n${close}`);
await writeFile(docPath, doc);
log(`wrote the summary into ${docPath} and the chart to ${svgPath}`);
process.stdout.write(`${summary}\n`);
if (runs.some((r) => r.status !== 0)) process.exitCode = 1;
