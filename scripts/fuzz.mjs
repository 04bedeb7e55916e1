#!/usr/bin/env node
// Long fuzz runs, outside CI: every `*.fuzz.test.ts` (the JSON-RPC framer, the data decoder, the transaction
// validator, the gateway's stream handler and REST routes) with many more cases than the CI default and no
// per-test time limit. Each fuzz test reads FUZZ_RUNS; FUZZ_SEED replays a failure fast-check reported.
//
//   node scripts/fuzz.mjs                         # FUZZ_RUNS=10000 (tens of minutes on 2 cores)
//   FUZZ_RUNS=100000 node scripts/fuzz.mjs        # hours: the gateway suites do a round trip per case
//   FUZZ_RUNS=100000 node scripts/fuzz.mjs reader datum validate   # only files matching these filters
//   FUZZ_SEED=123 FUZZ_RUNS=1 node scripts/fuzz.mjs transact
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const filters = process.argv.slice(2);
const files =
  filters.length > 0 ? filters.map((f) => (f.includes('fuzz') ? f : `${f}.fuzz.test.ts`)) : ['.fuzz.test.ts'];
const env = { ...process.env, FUZZ_RUNS: process.env.FUZZ_RUNS ?? '10000', FUZZ_REPORT: '1' };
console.log(
  `fuzz: FUZZ_RUNS=${env.FUZZ_RUNS}${env.FUZZ_SEED ? ` FUZZ_SEED=${env.FUZZ_SEED}` : ''}, files matching ${files.join(' ')}`,
);
const started = Date.now();
const r = spawnSync(process.execPath, [vitest, 'run', '--testTimeout=86400000', '--hookTimeout=120000', ...files], {
  stdio: 'inherit',
  env,
});
console.log(`fuzz: finished in ${((Date.now() - started) / 1000).toFixed(0)} s with status ${r.status}`);
process.exit(r.status ?? 1);
