#!/usr/bin/env node
// The one test command: system packages if missing, build, every vitest suite, lint, then a plain summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
};

if (run('bash', ['scripts/ensure-system-deps.sh']) !== 0) process.exit(1);
// Some tests run the built command lines (dist/); the type-check reads src/ and covers the tests too.
if (run(process.execPath, ['scripts/build.mjs']) !== 0) process.exit(1);
if (run(process.execPath, ['scripts/typecheck.mjs']) !== 0) process.exit(1);

mkdirSync('.test-results', { recursive: true });
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const status = run(process.execPath, [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=.test-results/vitest.json',
  ...process.argv.slice(2),
]);

let summary;
try {
  summary = JSON.parse(readFileSync('.test-results/vitest.json', 'utf8'));
} catch {
  console.error('vitest wrote no results file');
  process.exit(status || 1);
}
const skipped = summary.numPendingTests + summary.numTodoTests;
const line = `vitest: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`;
console.log(line);
if (summary.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}

// Lint after the tests, so their report prints whatever lint finds; either failing fails the run.
const lint = run(process.execPath, ['scripts/lint.mjs']);
if (status !== 0) console.error(`test: vitest failed (exit ${status})`);
if (lint !== 0) console.error(`test: lint failed (exit ${lint}): see the lint: lines above`);
// The vitest summary stays the last line.
console.log(line);
process.exit(status !== 0 ? status : lint);
