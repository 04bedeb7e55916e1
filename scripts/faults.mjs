#!/usr/bin/env node
// Long fault runs, outside CI: the gateway's fault suites (apps/gateway/src/faults*.ovsdb.test.ts) with
// FAULT_SCALE times the churn (ovn-nbctl steps and sample-churn seconds) and every fault repeated
// FAULT_ROUNDS times, printing one line per fault (churn, deltas, resyncs, time by phase).
//
//   node scripts/faults.mjs                          # FAULT_SCALE=10, FAULT_ROUNDS=3 (about 25 minutes on 2 cores)
//   FAULT_SCALE=3 FAULT_ROUNDS=10 node scripts/faults.mjs
//   node scripts/faults.mjs cluster                  # only files matching "cluster"
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const filters = process.argv.slice(2);
const files = filters.length > 0 ? filters.map((f) => `faults.${f}`) : ['apps/gateway/src/faults'];
const env = {
  ...process.env,
  FAULT_SCALE: process.env.FAULT_SCALE ?? '10',
  FAULT_ROUNDS: process.env.FAULT_ROUNDS ?? '3',
  FAULT_REPORT: '1',
};
console.log(
  `faults: FAULT_SCALE=${env.FAULT_SCALE} FAULT_ROUNDS=${env.FAULT_ROUNDS}, files matching ${files.join(' ')}`,
);
const started = Date.now();
// One file at a time: each starts its own servers, and the cluster suite wants the cores.
const r = spawnSync(
  process.execPath,
  [vitest, 'run', '--testTimeout=86400000', '--hookTimeout=300000', '--maxWorkers=1', ...files],
  { stdio: 'inherit', env },
);
console.log(`faults: finished in ${((Date.now() - started) / 1000).toFixed(0)} s with status ${r.status}`);
process.exit(r.status ?? 1);
