#!/usr/bin/env node
// Builds every workspace package that has a tsconfig.build.json, dependencies first.
// Plain tsc per package keeps this independent of how pnpm was launched (npx, global, corepack).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
// Order matters: a package must come after the packages it imports.
const order = ['packages/testing', 'packages/client', 'packages/server', 'apps/gateway'];
const typecheck = process.argv.includes('--typecheck');
for (const dir of order) {
  if (!existsSync(`${dir}/tsconfig.build.json`)) continue;
  process.stdout.write(`build ${dir}\n`);
  execFileSync(process.execPath, [tsc, '-p', `${dir}/tsconfig.build.json`], { stdio: 'inherit' });
  // The build leaves tests out; the test run also type-checks them (tsconfig.json includes everything).
  if (typecheck) execFileSync(process.execPath, [tsc, '-p', `${dir}/tsconfig.json`], { stdio: 'inherit' });
}
