/**
 * `POST …/transact`. Every attempt is audited once, by this route's `onSend` hook, whatever ended it:
 * a commit, a dry run, a check that refused it, or a refusal before the handler ran (no token, a body that is
 * not JSON or not what the schema says, a body too large, a rate limit). The hook reads what the handler
 * left on the request and the status of the answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isJsonObject, type Json } from '@ovsdb-web/client';
import { schemas, type TransactRequest, type TransactResponse } from '@ovsdb-web/protocol';
import type { Gateway } from '../app.js';
import { ApiError, toApiError } from '../plugins/errors.js';
import { runTransaction } from '../services/transact.js';

interface DbParams {
  remote: string;
  db: string;
}

/** What the handler learned, for the audit record. */
interface AuditNotes {
  result?: Json;
  error?: Json;
  comment?: string;
}

export async function transactRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  const notes = new WeakMap<FastifyRequest, AuditNotes>();
  const notesOf = (req: FastifyRequest): AuditNotes => {
    let n = notes.get(req);
    if (!n) notes.set(req, (n = {}));
    return n;
  };
  // Errors anywhere in this route's life (auth, body parsing, validation, the handler) pass through here.
  app.setErrorHandler((err, req, reply) => {
    const api = toApiError(err, req.log);
    notesOf(req).error = {
      code: api.code,
      message: api.message,
      ...(api.details !== undefined ? { details: api.details } : {}),
    };
    return reply.code(api.statusCode).send(api.toBody());
  });
  // onSend, not onResponse: the answer leaves only once its audit record is written.
  app.addHook('onSend', async (req, reply, payload) => {
    const n = notesOf(req);
    const body: unknown = req.body;
    const ms = reply.elapsedTime;
    const params = (isJsonObject(req.params as Json) ? req.params : {}) as Partial<DbParams>;
    const operations =
      isJsonObject(body as Json) && Array.isArray((body as { operations?: unknown }).operations)
        ? (body as { operations: Json }).operations
        : undefined;
    const dryRun = isJsonObject(body as Json) && (body as { dryRun?: unknown }).dryRun === true;
    const result = reply.statusCode < 300 ? 'ok' : 'error';
    if (reply.statusCode !== 403 && reply.statusCode !== 429 && reply.statusCode !== 401) {
      gateway.metrics.transactDuration.observe({ result: dryRun && result === 'ok' ? 'dry_run' : result }, ms / 1000);
    }
    await gateway.audit
      .write({
        time: new Date().toISOString(),
        user: req.principal.name,
        role: req.principal.role,
        clientAddress: req.ip,
        ...(typeof req.headers['user-agent'] === 'string'
          ? { userAgent: req.headers['user-agent'].slice(0, 256) }
          : {}),
        remote: typeof params.remote === 'string' ? params.remote : '',
        db: typeof params.db === 'string' ? params.db : '',
        dryRun,
        ...(operations !== undefined
          ? { operations }
          : { body: { bytes: Number(req.headers['content-length'] ?? 0) || 0 } }),
        status: reply.statusCode,
        ...(n.result !== undefined ? { result: n.result } : {}),
        ...(n.error !== undefined
          ? { error: n.error }
          : reply.statusCode >= 300
            ? { error: { code: 'refused', message: `answered ${reply.statusCode} before the transaction was read` } }
            : {}),
        ...(n.comment !== undefined ? { comment: n.comment } : {}),
        durationMs: Math.round(ms * 1000) / 1000,
      })
      .catch((err: unknown) => req.log.error({ err }, 'could not write the audit log'));
    return payload;
  });

  app.post<{ Params: DbParams; Body: TransactRequest; Reply: TransactResponse }>(
    '/api/v1/remotes/:remote/dbs/:db/transact',
    {
      config: {
        role: 'editor',
        // A two-second window holding twice the rate: N per second on average, bursts of 2N.
        rateLimit: {
          max: Math.max(1, Math.round(2 * gateway.config.transactRate)),
          timeWindow: 2_000,
          keyGenerator: (req: FastifyRequest) => req.principal.name,
          errorResponseBuilder: (_req: FastifyRequest, ctx: { max: number }) =>
            new ApiError(
              'rate_limited',
              `too many transactions; at most ${ctx.max} per 2 seconds per user (--transact-rate)`,
            ),
        },
      },
      schema: { params: schemas.dbParams, body: schemas.transactBody, response: { 200: schemas.transactResponse } },
    },
    async (req) => {
      const n = notesOf(req);
      const outcome = await runTransaction(
        { readOnly: gateway.config.readOnly, timeoutMs: gateway.config.transactTimeoutMs },
        {
          principal: req.principal,
          remote: gateway.remotes.remote(req.params.remote),
          db: req.params.db,
          operations: req.body.operations,
          dryRun: req.body.dryRun === true,
        },
        (comment) => (n.comment = comment),
      );
      n.result = outcome.response.results as Json;
      return outcome.response;
    },
  );
}
