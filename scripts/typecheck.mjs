#!/usr/bin/env node
// Type-checks every package with its tests (tsconfig.json), reading other packages' sources through the
// `source` export condition, so no build is needed first; plus the browser-only configurations
// (tsconfig.core.json: the client core without Node's types) and the end-to-end tests (tsconfig.e2e.json).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const configs = [];
for (const root of ['packages', 'apps']) {
  for (const name of readdirSync(root).sort()) {
    for (const file of ['tsconfig.json', 'tsconfig.core.json', 'tsconfig.e2e.json']) {
      if (existsSync(`${root}/${name}/${file}`)) configs.push(`${root}/${name}/${file}`);
    }
  }
}
let failed = 0;
for (const config of configs) {
  process.stdout.write(`typecheck ${config}\n`);
  try {
    execFileSync(process.execPath, [tsc, '-p', config, '--noEmit'], { stdio: 'inherit' });
  } catch {
    failed++;
  }
}
if (failed > 0) {
  console.error(`typecheck: ${failed} of ${configs.length} configurations have errors`);
  process.exit(1);
}
