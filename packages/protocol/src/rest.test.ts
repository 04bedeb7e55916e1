import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { schemas } from './rest.js';

// The gateway compiles these with Ajv in strict mode; every schema must compile and say what it means.
const ajv = new Ajv({ strict: true, allErrors: true, coerceTypes: false });

describe('route schemas', () => {
  it.each(Object.keys(schemas) as (keyof typeof schemas)[])('%s compiles in strict mode', (name) => {
    expect(() => ajv.compile(schemas[name])).not.toThrow();
  });

  it('the transact body takes exactly operations and a boolean dryRun', () => {
    const ok = ajv.compile(schemas.transactBody);
    expect(ok({ operations: [{ op: 'insert', table: 'T', row: {} }] })).toBe(true);
    expect(ok({ operations: [{ op: 'select', table: 'T', where: [] }], dryRun: true })).toBe(true);
    for (const bad of [
      { operations: [{ op: 'insert' }], dry_run: true },
      { operations: [{ op: 'insert' }], dryRun: null },
      { operations: [{ op: 'insert' }], dryRun: 0 },
      { operations: [{ op: 'insert' }], dryRun: 'false' },
      { operations: [{ op: ['insert'] }] },
      { operations: [{ op: 'drop' }] },
      { operations: [] },
      { operations: {} },
    ]) {
      expect(ok(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('error bodies use the shared codes', () => {
    const ok = ajv.compile(schemas.errorBody);
    expect(ok({ error: { code: 'not_found', message: 'x' } })).toBe(true);
    expect(ok({ error: { code: 'oops', message: 'x' } })).toBe(false);
  });

  it('row parameters need a uuid', () => {
    const ok = ajv.compile(schemas.rowParams);
    expect(ok({ remote: 'nb', db: 'D', table: 'T', uuid: '8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01' })).toBe(true);
    expect(ok({ remote: 'nb', db: 'D', table: 'T', uuid: 'x' })).toBe(false);
  });
});
