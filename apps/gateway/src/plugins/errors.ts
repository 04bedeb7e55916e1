/**
 * One mapping from anything a handler can throw to the error shape both REST and the stream use
 * (`{ code, message, details? }` with a code from `@ovsdb-web/protocol`), and the REST error handlers built on
 * it. Client input can only ever produce a 4xx here; an unexpected exception becomes a logged 500 with no
 * internals in the answer.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  DisconnectedError,
  FilterError,
  JsonSyntaxError,
  MisuseError,
  OvsdbError,
  ReplyLostError,
  TransactionError,
  TransactionValidationError,
  type Json,
} from '@ovsdb-web/client';
import { ERROR_STATUS, ProtocolViolation, type ErrorBody, type ErrorCode, type ErrorInfo } from '@ovsdb-web/protocol';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
    this.statusCode = ERROR_STATUS[code];
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }

  toBody(): ErrorBody {
    return { error: this.toInfo() };
  }
}

export const badRequest = (message: string, details?: Json): ApiError => new ApiError('bad_request', message, details);
export const notFound = (message: string, details?: Json): ApiError => new ApiError('not_found', message, details);
export const unavailable = (message: string, details?: Json): ApiError => new ApiError('unavailable', message, details);
export const forbidden = (message: string): ApiError => new ApiError('forbidden', message);
export const unauthorized = (message: string): ApiError => new ApiError('unauthorized', message);

/** Fastify's own client-error codes (body limits, content types, validation) and what they mean to a caller. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_VALIDATION: 'bad_request',
};

interface FastifyishError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

function isFastifyish(err: unknown): err is FastifyishError & Error {
  return err instanceof Error;
}

/** Turn anything thrown while serving a request or a stream message into an `ApiError`. */
export function toApiError(err: unknown, log: FastifyBaseLogger): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof TransactionValidationError) {
    return new ApiError('invalid_transaction', err.message, {
      operationIndex: err.operationIndex,
      ...(err.op ? { op: err.op } : {}),
      ...(err.table ? { table: err.table } : {}),
      ...(err.column ? { column: err.column } : {}),
      error: err.error,
      ...(err.details ? { details: err.details } : {}),
    });
  }
  if (err instanceof TransactionError) {
    const guard = err.op === 'wait' && err.error === 'timed out';
    return new ApiError(
      guard ? 'guard_failed' : 'transaction_failed',
      guard ? `${err.message} (a row this edit read has changed since; nothing was applied)` : err.message,
      {
        operationIndex: err.operationIndex,
        ...(err.op ? { op: err.op } : {}),
        error: err.error,
        ...(err.details ? { details: err.details } : {}),
        results: err.results as Json,
      },
    );
  }
  if (err instanceof FilterError)
    return badRequest(err.message, { clause: err.clause, offset: err.offset, reason: err.reason });
  if (err instanceof JsonSyntaxError) return badRequest(`not valid JSON: ${err.message}`, { position: err.position });
  if (err instanceof ProtocolViolation) return new ApiError('bad_message', err.message);
  if (err instanceof ReplyLostError)
    return new ApiError(
      'outcome_unknown',
      `${err.message} before OVSDB answered ${err.method}; the outcome is unknown`,
      { outcome: 'unknown' },
    );
  if (err instanceof DisconnectedError) return unavailable(err.message);
  if (err instanceof MisuseError) return misuseError(err, log);
  if (err instanceof OvsdbError) {
    if (err.error === 'unknown database') return notFound(err.message, { error: err.error });
    return badRequest(err.message, { error: err.error, ...(err.details ? { details: err.details } : {}) });
  }
  if (isFastifyish(err)) {
    const code = typeof err.code === 'string' ? FASTIFY_CODES[err.code] : undefined;
    if (err.validation !== undefined) {
      return badRequest(err.message, { validation: sanitizeValidation(err.validation) });
    }
    if (code) return new ApiError(code, err.message);
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      const byStatus = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).find(
        ([, s]) => s === err.statusCode,
      )?.[0];
      return new ApiError(byStatus ?? 'bad_request', err.message);
    }
  }
  log.error({ err }, 'unexpected error');
  return new ApiError('internal', 'internal error; see the gateway log');
}

/**
 * A `MisuseError` of the client library: a monitor not ready or not live yet is the remote still loading (or
 * reconnecting), so try again later; a table, index or argument the request named that is not there is the
 * caller's; a cache filled wrongly can only be the gateway's own bug.
 */
function misuseError(err: MisuseError, log: FastifyBaseLogger): ApiError {
  const details = { kind: err.kind };
  switch (err.kind) {
    case 'not-ready':
    case 'not-live':
      return unavailable(err.message, details);
    case 'not-monitored':
    case 'unknown-table':
      return notFound(err.message, details);
    case 'unknown-index':
    case 'bad-argument':
      return badRequest(err.message, details);
    case 'not-empty':
      log.error({ err }, 'unexpected error');
      return new ApiError('internal', 'internal error; see the gateway log');
  }
}

/** Ajv's error objects, reduced to JSON that says which field broke which rule. */
function sanitizeValidation(v: unknown): Json {
  if (!Array.isArray(v)) return [];
  return v.slice(0, 10).map((e: unknown) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    return {
      field: typeof o.instancePath === 'string' ? o.instancePath : '',
      rule: typeof o.keyword === 'string' ? o.keyword : '',
      message: typeof o.message === 'string' ? o.message : '',
    };
  });
}

/** The REST error handler and the shape of Fastify's own 404. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, req, reply) => {
      const api = toApiError(err, req.log);
      return reply.code(api.statusCode).send(api.toBody());
    });
  },
  { name: 'ovsdb-web-errors' },
);

/**
 * Node answers some malformed requests before Fastify sees them (headers too large, bad HTTP); they get the
 * documented error body too.
 */
export function clientErrorResponse(err: Error & { code?: string }): string {
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const api = tooLarge
    ? new ApiError('headers_too_large', 'request headers are too large')
    : badRequest('malformed HTTP request');
  const body = JSON.stringify(api.toBody());
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
