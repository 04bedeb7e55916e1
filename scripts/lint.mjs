#!/usr/bin/env node
// Lints the workspace: ESLint (types, layering, cycles; no warning allowed), Prettier (formatting) and knip
// (unused files, exports and dependencies). Every tool runs even when an earlier one fails; one summary line
// per tool follows, and the exit status is non-zero if any failed. `pnpm format` fixes what can be fixed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The command-line script of a root dev dependency (from its package.json, since not all export it). */
function bin(name) {
  const dir = join(root, 'node_modules', name);
  const { bin: entry } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return join(dir, typeof entry === 'string' ? entry : entry[name]);
}

const steps = [
  { name: 'eslint', args: [bin('eslint'), '--max-warnings', '0', '.'], hint: 'pnpm format fixes some' },
  { name: 'prettier', args: [bin('prettier'), '--check', '--log-level', 'warn', '.'], hint: 'pnpm format' },
  { name: 'knip', args: [bin('knip'), '--no-progress'], hint: 'see knip.json' },
];

const results = steps.map((step) => {
  process.stdout.write(`lint: ${step.name}\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, step.args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { ...step, status: r.error ? 1 : (r.status ?? 1), error: r.error, seconds };
});

for (const r of results) {
  const outcome =
    r.status === 0 ? 'passed' : `FAILED (exit ${r.status}${r.error ? `: ${r.error.message}` : ''}; ${r.hint})`;
  console.log(`lint: ${r.name} ${outcome} in ${r.seconds} s`);
}
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
