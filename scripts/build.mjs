#!/usr/bin/env node
// Builds the workspace: `tsc -b` follows the project references in tsconfig.build.json (each package after
// the packages it imports), then the web app is bundled by Vite when it exists.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
if (existsSync('apps/web/package.json')) {
  const pkg = createRequire(new URL('../apps/web/package.json', import.meta.url)).resolve('vite/package.json');
  const vite = join(dirname(pkg), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { stdio: 'inherit', cwd: 'apps/web' });
}
