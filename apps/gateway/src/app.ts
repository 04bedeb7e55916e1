/**
 * `buildApp(config)`: the Fastify application (REST, WebSocket stream, auth, audit, metrics, static
 * SPA). `server.ts` listens; tests use `app.inject` and real WebSocket clients against `listen({port: 0})`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import {
  DisconnectedError,
  OvsdbError,
  TransactionError,
  TransactionValidationError,
  parseJson,
  stringifyJson,
  type Json,
} from '@ovsdb-web/client';
import type { GatewayConfig } from './config.js';
import { LOCAL_ADMIN, TokenStore, WS_PROTOCOL, roleAtLeast, tokenFrom, type Principal, type Role } from './auth.js';
import { AuditLog } from './audit.js';
import { Metrics } from './metrics.js';
import { RemoteHandle } from './remotes.js';
import { ApiError, badRequest, forbidden, notFound, unauthorized } from './errors.js';
import { DEFAULT_LIMITS, StreamSession, type StreamLimits } from './stream/session.js';
import { registerRoutes } from './routes.js';
import { landingPage } from './landing.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  limits?: Partial<StreamLimits>;
  /** Token store to use instead of loading `config.authFile` (tests). */
  tokens?: TokenStore;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly remotes: ReadonlyMap<string, RemoteHandle>;
  readonly tokens: TokenStore | undefined;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly limits: StreamLimits;
  readonly sessions: Set<StreamSession>;
  /** Token buckets for transact, per user. */
  readonly buckets: Map<string, { tokens: number; at: number }>;
}

export async function buildApp(config: GatewayConfig, opts: BuildOptions = {}): Promise<{ app: FastifyInstance; gateway: Gateway }> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    bodyLimit: 16 * 1024 * 1024,
    // Close keep-alive and half-upgraded connections on shutdown instead of waiting on them.
    forceCloseConnections: true,
    // A gateway behind a reverse proxy sees the proxy's address otherwise; only trust loopback proxies.
    trustProxy: 'loopback',
  });
  const tokens = opts.tokens ?? (config.authFile ? await TokenStore.load(config.authFile) : undefined);
  const audit = await AuditLog.open(config.auditLog);
  const remotes = new Map<string, RemoteHandle>();
  const metrics = new Metrics(() => remotes.values());
  const gateway: Gateway = {
    config,
    remotes,
    tokens,
    audit,
    metrics,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    sessions: new Set(),
    buckets: new Map(),
  };
  for (const r of config.remotes) remotes.set(r.name, new RemoteHandle(r, config, app.log));

  // int64 values must survive both ways: parse request bodies exactly, and write bigint back as digits.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(badRequest(`request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.setReplySerializer((payload) => stringifyJson(payload as Json));

  // First, so that its hooks run before ours: a refused upgrade must still get its socket closed.
  await app.register(websocket, {
    options: {
      maxPayload: 1024 * 1024,
      // Browsers offer ["ovsdb-web.v1", "bearer.<token>"]; answer with ours, never echo the token back.
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
  });

  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (req) => {
    req.principal = LOCAL_ADMIN;
  });
  app.addHook('onRequest', async (req) => {
    if (req.url === '/healthz' || (!req.url.startsWith('/api/') && req.url !== '/metrics')) return;
    req.principal = authenticate(gateway, req);
  });

  app.setErrorHandler((err, req, reply) => sendError(gateway, err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/') && config.staticDir && existsSync(join(config.staticDir, 'index.html'))) {
      return reply.sendFile('index.html');
    }
    return reply.code(404).send(notFound(`no route ${req.method} ${req.url.split('?')[0]}`).toBody());
  });

  if (config.staticDir && existsSync(config.staticDir)) {
    await app.register(fastifyStatic, { root: config.staticDir, wildcard: false });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(landingPage(gateway)));
  }

  app.get('/healthz', async () => {
    const list = [...remotes.values()].map((r) => r.status());
    return { status: 'ok', remotes: list.map((r) => ({ name: r.name, status: r.status })) };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return reply.send(await metrics.registry.metrics());
  });

  await app.register(async (scope) => registerRoutes(scope, gateway));

  app.addHook('onClose', async () => {
    for (const s of gateway.sessions) s.close();
    await Promise.all([...remotes.values()].map((r) => r.close()));
    await audit.close();
  });
  return { app, gateway };
}

function authenticate(gateway: Gateway, req: FastifyRequest): Principal {
  if (!gateway.tokens) return LOCAL_ADMIN;
  const token = tokenFrom(req.headers);
  if (!token) throw unauthorized('a bearer token is required (Authorization: Bearer TOKEN, or the "bearer.TOKEN" WebSocket subprotocol)');
  const who = gateway.tokens.identify(token);
  if (!who) throw unauthorized('the bearer token is not valid');
  return who;
}

export function requireRole(req: FastifyRequest, role: Role): void {
  if (!roleAtLeast(req.principal.role, role)) throw forbidden(`${req.principal.name} has role ${req.principal.role}; this needs ${role}`);
}

function sendError(gateway: Gateway, err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let api: ApiError;
  if (err instanceof ApiError) api = err;
  else if (err instanceof TransactionValidationError) {
    api = new ApiError(400, 'invalid_transaction', err.message, {
      operationIndex: err.operationIndex,
      ...(err.op ? { op: err.op } : {}),
      ...(err.table ? { table: err.table } : {}),
      ...(err.column ? { column: err.column } : {}),
      error: err.error,
      ...(err.details ? { details: err.details } : {}),
    });
  } else if (err instanceof TransactionError) {
    api = new ApiError(409, 'transaction_failed', err.message, {
      operationIndex: err.operationIndex,
      ...(err.op ? { op: err.op } : {}),
      error: err.error,
      ...(err.details ? { details: err.details } : {}),
      results: err.results as Json,
    });
  } else if (err instanceof DisconnectedError) api = new ApiError(503, 'unavailable', err.message);
  else if (err instanceof OvsdbError) {
    const status = err.error === 'unknown database' ? 404 : 400;
    api = new ApiError(status, status === 404 ? 'not_found' : 'bad_request', err.message, { error: err.error, ...(err.details ? { details: err.details } : {}) });
  } else if (typeof err === 'object' && err !== null && 'validation' in err) {
    api = new ApiError(400, 'bad_request', (err as unknown as Error).message, { validation: (err as { validation: Json }).validation });
  } else if (typeof err === 'object' && err !== null && typeof (err as { statusCode?: unknown }).statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
    const e = err as Error & { statusCode: number; code?: string };
    api = new ApiError(e.statusCode, e.code?.toLowerCase() ?? 'bad_request', e.message);
  } else {
    req.log.error({ err }, 'unexpected error');
    api = new ApiError(500, 'internal', 'internal error; see the gateway log');
  }
  void gateway;
  return reply.code(api.statusCode).send(api.toBody());
}
