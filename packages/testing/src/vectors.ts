// Open vSwitch's own OVSDB test cases as JSON (see vectors/ovs/README.md). The project's shared copy
// lives beside the repository (`../shared/vectors/ovs`); a copy ships in this package so the tests do
// not depend on where the repository is checked out. vectors.test.ts keeps the two identical.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** packages/testing/vectors/ovs, from src/ or dist/. */
export const BUNDLED_VECTORS_DIR = resolve(here, '../vectors/ovs');

function repoRoot(): string | undefined {
  let dir = here;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** `../shared/vectors/ovs` next to the repository, when it is there. */
export const SHARED_VECTORS_DIR: string | undefined = (() => {
  const root = repoRoot();
  const dir = root ? resolve(root, '../shared/vectors/ovs') : undefined;
  return dir && existsSync(dir) ? dir : undefined;
})();

/** Path of a vector file, e.g. `ovsVectorPath('execution.json')`. */
export function ovsVectorPath(file: string): string {
  return join(BUNDLED_VECTORS_DIR, file);
}
