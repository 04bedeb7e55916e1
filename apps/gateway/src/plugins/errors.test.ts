/**
 * How errors become codes and statuses: the client library's `MisuseError` kinds (a monitor not ready or
 * not live → 503, a table not there → 404, an unknown index or a bad argument → 400, a cache filled wrongly
 * → a logged 500), next to OVSDB's own errors, which keep their mapping.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import {
  DatabaseCache,
  DisconnectedError,
  MisuseError,
  OvsdbError,
  TableCache,
  parseDatabaseSchema,
  parseJson,
  type MisuseKind,
} from '@ovsdb-web/client';
import { OVN_NB_SCHEMA } from '@ovsdb-web/testing';
import { errorsPlugin, toApiError } from './errors.js';

function quietLog(): FastifyBaseLogger & { error: ReturnType<typeof vi.fn> } {
  const log = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), trace: vi.fn(), fatal: vi.fn() };
  return log as unknown as FastifyBaseLogger & { error: ReturnType<typeof vi.fn> };
}

describe('toApiError and MisuseError', () => {
  const cases: [MisuseKind, string, number][] = [
    ['not-ready', 'unavailable', 503],
    ['not-live', 'unavailable', 503],
    ['not-monitored', 'not_found', 404],
    ['unknown-table', 'not_found', 404],
    ['unknown-index', 'bad_request', 400],
    ['bad-argument', 'bad_request', 400],
  ];
  it.each(cases)('maps kind %s to %s (%i), keeping the message and naming the kind', (kind, code, status) => {
    const log = quietLog();
    const api = toApiError(new MisuseError(kind, `the ${kind} message`), log);
    expect(api.code).toBe(code);
    expect(api.statusCode).toBe(status);
    expect(api.message).toBe(`the ${kind} message`);
    expect(api.details).toEqual({ kind });
    expect(log.error).not.toHaveBeenCalled();
  });

  it("logs a cache filled wrongly as the gateway's own bug, a 500 without internals", () => {
    const log = quietLog();
    const api = toApiError(new MisuseError('not-empty', 'load() fills an empty cache only; use replaceWith()'), log);
    expect(api.code).toBe('internal');
    expect(api.statusCode).toBe(500);
    expect(api.message).not.toMatch(/load\(\)/);
    expect(log.error).toHaveBeenCalledOnce();
  });

  it('maps what the real cache throws', () => {
    const nb = parseDatabaseSchema(parseJson(readFileSync(OVN_NB_SCHEMA, 'utf8')));
    const ls = nb.tables.get('Logical_Switch')!;
    const cache = new DatabaseCache('OVN_Northbound', [new TableCache(ls, [ls.columns.get('name')!])]);
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('did not throw');
    };
    const log = quietLog();
    expect(
      toApiError(
        thrown(() => cache.table('ACL')),
        log,
      ).statusCode,
    ).toBe(404);
    expect(
      toApiError(
        thrown(() => cache.table('Logical_Switch').lookup('nope', 'x')),
        log,
      ).statusCode,
    ).toBe(400);
  });

  it("leaves OVSDB's own errors and disconnects as they were", () => {
    const log = quietLog();
    expect(toApiError(new OvsdbError('unknown database', 'nope'), log).code).toBe('not_found');
    const syntax = toApiError(new OvsdbError('syntax error', 'No table named X.'), log);
    expect([syntax.code, syntax.details]).toEqual([
      'bad_request',
      { error: 'syntax error', details: 'No table named X.' },
    ]);
    expect(toApiError(new OvsdbError('not supported', 'x'), log).code).toBe('bad_request');
    expect(toApiError(new DisconnectedError('tcp:127.0.0.1:1', 'peer closed the connection'), log).code).toBe(
      'unavailable',
    );
    expect(new MisuseError('not-live', 'm')).not.toBeInstanceOf(OvsdbError);
  });

  it('answers a REST request with the status and the error body', async () => {
    const app = Fastify({ logger: false });
    await app.register(errorsPlugin);
    app.get('/not-live', () => {
      throw new MisuseError('not-live', 'monitor of OVN_Northbound is not live');
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/not-live' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        error: { code: 'unavailable', message: 'monitor of OVN_Northbound is not live', details: { kind: 'not-live' } },
      });
    } finally {
      await app.close();
    }
  });
});
