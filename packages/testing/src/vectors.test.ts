import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_VECTORS_DIR, SHARED_VECTORS_DIR, ovsVectorPath } from './vectors.js';

describe('OVS test vectors', () => {
  it('ship with this package', () => {
    for (const f of ['execution.json', 'execution-head-extra.json', 'conditions.json', 'mutations.json', 'data.json']) {
      expect(readFileSync(ovsVectorPath(f), 'utf8').length).toBeGreaterThan(1000);
    }
  });
  it.runIf(SHARED_VECTORS_DIR !== undefined)("are the same as the project's shared copy", () => {
    const shared = SHARED_VECTORS_DIR as string;
    expect(readdirSync(BUNDLED_VECTORS_DIR).sort()).toEqual(readdirSync(shared).sort());
    for (const f of readdirSync(shared)) {
      expect(readFileSync(join(BUNDLED_VECTORS_DIR, f), 'utf8'), f).toBe(readFileSync(join(shared, f), 'utf8'));
    }
  });
});
