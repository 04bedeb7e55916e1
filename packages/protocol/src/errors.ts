/**
 * One list of error codes for REST answers and stream `error` messages, each with its HTTP status. A REST
 * error body is always `{ "error": { "code", "message", "details"? } }`.
 */
import type { Json } from '@ovsdb-web/client/core';

export const ERROR_STATUS = {
  /** Malformed request: body, query, parameters, a filter or sort. `details` names the field. */
  bad_request: 400,
  /** A stream message that is not part of the protocol. */
  bad_message: 400,
  /** The operations break the schema or the cached data; nothing was sent to OVSDB. */
  invalid_transaction: 400,
  unauthorized: 401,
  /** The role may not do this, the gateway is read-only, or the Origin/Host is not allowed. */
  forbidden: 403,
  not_found: 404,
  /** A stream subscription id already in use. */
  conflict: 409,
  /** OVSDB refused the transaction; `details` has its own words and the failing operation. */
  transaction_failed: 409,
  /** A `wait` guard failed: a row the edit read changed since. Nothing was applied. */
  guard_failed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  rate_limited: 429,
  /** Too many stream subscriptions on one connection. */
  too_many: 429,
  internal: 500,
  /** The remote is not connected now, or still loading its databases (the gateway keeps at it); nothing was sent. */
  unavailable: 503,
  /** The transaction was sent but no answer came in time: it may or may not have been committed. */
  outcome_unknown: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as readonly ErrorCode[];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: Json;
}

export interface ErrorBody {
  error: ErrorInfo;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}
