/**
 * The `/api/v1` routes. Inputs are declared as JSON schemas so Fastify validates them before a handler
 * runs; OVSDB-level checks (tables, columns, values) come from the client library's schema model.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  OvsdbError,
  RpcError,
  TransactionError,
  validateTransaction,
  checkAgainstCache,
  type Json,
  type Operation,
  type OperationResult,
  type Row,
} from '@ovsdb-web/client';
import { requireRole, type Gateway } from './app.js';
import type { RemoteHandle, Feed } from './remotes.js';
import { ApiError, badRequest, forbidden, notFound, unavailable } from './errors.js';
import { parseSort, parseWhere } from './where.js';
import { StreamSession } from './stream/session.js';
import { isLoopback } from './config.js';

interface DbParams {
  remote: string;
  db: string;
}

const dbParams = {
  type: 'object',
  required: ['remote', 'db'],
  properties: { remote: { type: 'string' }, db: { type: 'string' } },
} as const;

export function registerRoutes(app: FastifyInstance, gateway: Gateway): void {
  const handle = (name: string): RemoteHandle => {
    const r = gateway.remotes.get(name);
    if (!r) throw notFound(`no remote named ${name}; configured: ${[...gateway.remotes.keys()].join(', ')}`);
    return r;
  };
  const feedOf = (p: DbParams): Feed => {
    const r = handle(p.remote);
    const feed = r.feeds.get(p.db);
    if (feed) return feed;
    if (r.client.status !== 'connected') throw unavailable(`remote ${p.remote} is ${r.client.status}${r.status().lastError ? `: ${r.status().lastError}` : ''}`);
    throw notFound(`remote ${p.remote} has no database ${p.db}; it has ${[...r.feeds.keys()].join(', ')}`);
  };

  app.get('/api/v1/whoami', async (req) => ({ name: req.principal.name, role: req.principal.role, readOnly: gateway.config.readOnly }));

  app.get('/api/v1/remotes', async () => [...gateway.remotes.values()].map((r) => r.status()));

  app.get<{ Params: DbParams }>('/api/v1/remotes/:remote/dbs/:db/schema', { schema: { params: dbParams } }, async (req) => feedOf(req.params).schema.json);

  app.get<{ Params: DbParams & { table: string }; Querystring: { limit?: number; offset?: number; sort?: string; where?: string | string[] } }>(
    '/api/v1/remotes/:remote/dbs/:db/tables/:table/rows',
    {
      schema: {
        params: { ...dbParams, required: ['remote', 'db', 'table'], properties: { ...dbParams.properties, table: { type: 'string' } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 0, maximum: 100_000, default: 1_000 },
            offset: { type: 'integer', minimum: 0, default: 0 },
            sort: { type: 'string' },
            where: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          },
        },
      },
    },
    async (req) => {
      const feed = feedOf(req.params);
      const cache = feed.monitor.cache.tables.get(req.params.table);
      if (!cache) throw notFound(`table ${req.params.table} is not monitored in ${req.params.db}; tables: ${[...feed.monitor.cache.tables.keys()].join(', ')}`);
      const where = req.query.where === undefined ? [] : Array.isArray(req.query.where) ? req.query.where : [req.query.where];
      const predicates = parseWhere(cache.schema, where);
      let rows: Row[] = cache.rows();
      if (predicates.length > 0) rows = rows.filter((r) => predicates.every((p) => p(r)));
      if (req.query.sort) rows.sort(parseSort(cache.schema, req.query.sort));
      const offset = req.query.offset ?? 0;
      const limit = req.query.limit ?? 1_000;
      return { total: rows.length, rows: rows.slice(offset, offset + limit).map((r) => feed.wire(cache.schema, r)) };
    },
  );

  app.post<{ Params: DbParams; Body: { operations: Json[]; dryRun?: boolean } }>(
    '/api/v1/remotes/:remote/dbs/:db/transact',
    {
      schema: {
        params: dbParams,
        body: {
          type: 'object',
          required: ['operations'],
          additionalProperties: false,
          properties: {
            operations: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'object', required: ['op'], properties: { op: { type: 'string' } } } },
            dryRun: { type: 'boolean' },
          },
        },
      },
    },
    async (req) => transact(gateway, req, handle(req.params.remote), req.params.db, req.body.operations, req.body.dryRun === true),
  );

  app.get('/api/v1/stream', {
    websocket: true,
    preValidation: async (req) => checkOrigin(gateway, req),
  }, (socket, req) => {
    const session = new StreamSession(
      socket,
      req.principal,
      {
        feed: (remote, db) => gateway.remotes.get(remote)?.feeds.get(db),
        describe: (remote) => {
          const r = gateway.remotes.get(remote);
          if (!r) return undefined;
          const s = r.status();
          return s.status === 'connected' ? `remote ${remote} serves ${s.databases.join(', ')}` : `remote ${remote} is ${s.status}${s.lastError ? `: ${s.lastError}` : ''}`;
        },
      },
      gateway.metrics,
      gateway.limits,
      req.log,
    );
    gateway.sessions.add(session);
    socket.on('close', () => gateway.sessions.delete(session));
  });
}

/**
 * Browsers send `Origin` on WebSocket upgrades and any page can open one, so only the gateway's own
 * origin (and configured ones) may stream; a loopback page is accepted for a loopback-only gateway.
 */
function checkOrigin(gateway: Gateway, req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin === undefined) return; // not a browser
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw forbidden(`Origin ${JSON.stringify(origin)} is not a URL`);
  }
  if (host === req.headers.host || gateway.config.allowOrigins.includes(origin)) return;
  const hostname = new URL(origin).hostname.replace(/^\[|\]$/g, '');
  if (!gateway.tokens && isLoopback(hostname) && isLoopback(gateway.config.listen.host)) return;
  throw forbidden(`WebSocket from origin ${origin} is not allowed (allowed: the gateway's own, ${gateway.config.allowOrigins.join(', ') || 'no others'}; see --allow-origin)`);
}

function takeToken(gateway: Gateway, user: string): boolean {
  const rate = gateway.config.transactRate;
  const burst = Math.max(1, rate * 2);
  const now = Date.now();
  const b = gateway.buckets.get(user) ?? { tokens: burst, at: now };
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
  b.at = now;
  gateway.buckets.set(user, b);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

async function transact(gateway: Gateway, req: FastifyRequest, remote: RemoteHandle, db: string, operations: Json[], dryRun: boolean): Promise<{ results: OperationResult[]; dryRun?: true }> {
  const started = performance.now();
  const principal = req.principal;
  let result: Json | undefined;
  let error: Json | undefined;
  try {
    requireRole(req, 'editor');
    if (gateway.config.readOnly) throw forbidden('the gateway runs with --read-only: transactions are refused');
    if (!takeToken(gateway, principal.name)) {
      throw new ApiError(429, 'rate_limited', `too many transactions from ${principal.name}; at most ${gateway.config.transactRate}/s`);
    }
    if (remote.client.status !== 'connected') throw unavailable(`remote ${remote.config.name} is ${remote.client.status}`);
    let schema;
    try {
      schema = await remote.client.getSchema(db);
    } catch (err) {
      if (err instanceof RpcError && err.error === 'unknown database') throw notFound(`remote ${remote.config.name} has no database ${db}`);
      throw err;
    }
    validateTransaction(schema, operations);
    // The gateway mirrors whole tables, so references and unique indexes can be checked here too.
    const feed = remote.feeds.get(db);
    if (feed) checkAgainstCache(schema, operations, feed.monitor.cache);
    const ops: Json[] = dryRun
      ? [...operations, { op: 'abort' }]
      : [...operations, { op: 'comment', comment: `ovsdb-web: ${principal.name} (${principal.role})` }];
    try {
      const results = await remote.client.transact(db, ops as unknown as Operation[], { validate: false });
      const out = results.slice(0, operations.length);
      result = out as Json;
      gateway.metrics.transactDuration.observe({ result: 'ok' }, (performance.now() - started) / 1000);
      return { results: out };
    } catch (err) {
      // A dry run ends in our own abort: every real operation passed the server's checks.
      if (dryRun && err instanceof TransactionError && err.error === 'aborted' && err.operationIndex === operations.length) {
        const out = err.results.slice(0, operations.length);
        result = out as Json;
        gateway.metrics.transactDuration.observe({ result: 'dry_run' }, (performance.now() - started) / 1000);
        return { results: out, dryRun: true };
      }
      throw err;
    }
  } catch (err) {
    error = err instanceof ApiError ? err.toBody().error : err instanceof OvsdbError ? (err.toJSON() as unknown as Json) : { message: (err as Error).message };
    if (!(err instanceof ApiError && (err.statusCode === 403 || err.statusCode === 429))) {
      gateway.metrics.transactDuration.observe({ result: 'error' }, (performance.now() - started) / 1000);
    }
    throw err instanceof Error ? err : badRequest(String(err));
  } finally {
    await gateway.audit
      .write({
        time: new Date().toISOString(),
        user: principal.name,
        role: principal.role,
        clientAddress: req.ip,
        ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
        remote: remote.config.name,
        db,
        dryRun,
        operations: operations as Json,
        ...(result !== undefined ? { result } : {}),
        ...(error !== undefined ? { error } : {}),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      })
      .catch((err: unknown) => req.log.error({ err }, 'could not write the audit log'));
  }
}
