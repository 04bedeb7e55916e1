/**
 * `buildApp(config)`: the gateway as a Fastify application — plugins for errors, auth, remotes and rate
 * limits, then the routes, each an encapsulated plugin. `server.ts` listens; tests use `app.inject` and real
 * WebSocket clients against `listen({ port: 0 })`.
 *
 * Input is validated exactly as the route schemas say: bodies are never coerced or trimmed (a `"false"` is
 * not `false`, an unknown field is refused), query strings only have their numbers read as numbers, and JSON
 * nested deeper than any OVSDB request needs is refused before it is parsed.
 */
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import rateLimit from '@fastify/rate-limit';
import { Ajv } from 'ajv';
import { JsonSyntaxError, parseJson, stringifyJson, type Json } from '@ovsdb-web/client';
import { STREAM_PROTOCOL } from '@ovsdb-web/protocol';
import type { GatewayConfig } from './config.js';
import { authPlugin, TokenStore } from './plugins/auth.js';
import { AuditLog } from './plugins/audit.js';
import { badRequest, clientErrorResponse, errorsPlugin } from './plugins/errors.js';
import { Metrics } from './plugins/metrics.js';
import { remotesPlugin, type Remotes } from './feeds/remotes.js';
import { DEFAULT_LIMITS, type StreamLimits, type StreamSession } from './stream/session.js';
import { remoteRoutes } from './routes/remotes.js';
import { rowRoutes } from './routes/rows.js';
import { transactRoutes } from './routes/transact.js';
import { planRoutes } from './routes/plan.js';
import { auditRoutes } from './routes/audit.js';
import { labelRoutes } from './routes/labels.js';
import { ovnRoutes } from './ovn/routes.js';
import { streamRoutes } from './routes/stream.js';
import { healthRoutes } from './routes/health.js';
import { webRoutes } from './routes/web.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  limits?: Partial<StreamLimits>;
  /** Token store to use instead of loading `config.authFile` (tests). */
  tokens?: TokenStore;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly remotes: Remotes;
  readonly tokens: TokenStore | undefined;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly limits: StreamLimits;
  readonly sessions: Set<StreamSession>;
}

/** Request bodies nest at most this deep; an OVSDB transaction needs about ten levels. */
export const MAX_BODY_DEPTH = 64;

/** Logged requests: the path without its query string (a token pasted into a URL must not reach the log). */
function logRequest(req: FastifyRequest): { method: string; url: string; remoteAddress: string } {
  return { method: req.method, url: (req.url.split('?')[0] ?? '').slice(0, 512), remoteAddress: req.ip };
}

export async function buildApp(
  config: GatewayConfig,
  opts: BuildOptions = {},
): Promise<{ app: FastifyInstance; gateway: Gateway }> {
  const logger = opts.logger ?? { level: config.logLevel };
  const app = Fastify({
    logger:
      logger === false ? false : { ...(typeof logger === 'object' ? logger : {}), serializers: { req: logRequest } },
    bodyLimit: 16 * 1024 * 1024,
    // Close keep-alive and half-upgraded connections on shutdown instead of waiting on them.
    forceCloseConnections: true,
    // A gateway behind a reverse proxy sees the proxy's address otherwise; only trust loopback proxies.
    trustProxy: 'loopback',
    clientErrorHandler: (err, socket) => {
      if (socket.writable) socket.end(clientErrorResponse(err));
      else socket.destroy(err);
    },
  });

  const strict = new Ajv({
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: false,
    allErrors: false,
    strict: true,
  });
  // Query strings and path parameters are text by nature: only their declared numbers are read as numbers.
  const lenient = new Ajv({
    coerceTypes: true,
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: true,
  });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema));
  // Responses are written with exact 64-bit integers; the response schemas document them and the tests check them.
  app.setSerializerCompiler(() => (data) => stringifyJson(data as Json));
  app.setReplySerializer((payload) => stringifyJson(payload as Json));

  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJson(body as string, { maxDepth: MAX_BODY_DEPTH }));
    } catch (err) {
      done(
        err instanceof JsonSyntaxError
          ? badRequest(`request body is not valid JSON: ${err.message}`, { position: err.position })
          : (err as Error),
        undefined,
      );
    }
  });

  const tokens = opts.tokens ?? (config.authFile ? await TokenStore.load(config.authFile) : undefined);
  const audit = await AuditLog.open(config.auditLog);
  app.addHook('onClose', async () => audit.close());

  await app.register(errorsPlugin);
  // First among the request hooks that matter, so that a refused upgrade still gets its socket closed.
  await app.register(websocket, {
    options: {
      maxPayload: 1024 * 1024,
      // Browsers offer ["ovsdb-web.v1", "bearer.<token>"]; answer with ours, never echo the token back.
      handleProtocols: (protocols) => (protocols.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false),
    },
  });
  await app.register(authPlugin, { tokens, config });
  await app.register(rateLimit, { global: false, hook: 'preHandler' });
  await app.register(remotesPlugin, { config });

  const gateway: Gateway = {
    config,
    remotes: app.remotes,
    tokens,
    audit,
    metrics: new Metrics(() => app.remotes.values()),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    sessions: new Set(),
  };
  // Stream sessions go first on close, before the remotes they read from.
  app.addHook('preClose', async () => {
    for (const s of gateway.sessions) s.close();
  });

  await app.register(healthRoutes, { gateway });
  await app.register(remoteRoutes, { gateway });
  await app.register(rowRoutes, { gateway });
  await app.register(transactRoutes, { gateway });
  await app.register(planRoutes, { gateway });
  await app.register(auditRoutes, { gateway });
  await app.register(labelRoutes, { gateway });
  await app.register(ovnRoutes, { gateway });
  await app.register(streamRoutes, { gateway });
  await app.register(webRoutes, { gateway });
  return { app, gateway };
}
