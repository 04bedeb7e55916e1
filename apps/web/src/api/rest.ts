/**
 * The gateway's REST API from the page: JSON with exact 64-bit integers, the token as a bearer header, and
 * errors as `ApiFailure` values carrying the gateway's code and message.
 */
import { parseJson, stringifyJson, type Json } from '@ovsdb-web/client/core';
import type { ErrorCode } from '@ovsdb-web/protocol';
import { isErrorCode } from '@ovsdb-web/protocol';
import { authHeaders } from '../app/token.js';
import { takeEarly } from '../app/early.js';

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

let token: string | undefined;

export function setToken(t: string | undefined): void {
  token = t;
}

export function request(method: 'GET' | 'POST', path: string, body?: Json): Promise<Json> {
  // The boot script may have asked already (see app/early.ts).
  const early = method === 'GET' ? takeEarly(path, token) : undefined;
  if (early) return replyOf(early);
  return replyOf(
    fetch(path, {
      method,
      headers: {
        ...authHeaders(token),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: stringifyJson(body) } : {}),
    }),
  );
}

/** A response of the gateway as JSON, or its error as an `ApiFailure`. */
async function replyOf(response: Promise<Response>): Promise<Json> {
  let res: Response;
  try {
    res = await response;
  } catch (err) {
    throw new ApiFailure(0, 'network', `cannot reach the gateway: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let json: Json = null;
  try {
    json = text === '' ? null : parseJson(text);
  } catch {
    if (res.ok) throw new ApiFailure(res.status, 'internal', 'the gateway answered with something that is not JSON');
  }
  if (res.ok) return json;
  const e = json !== null && typeof json === 'object' && !Array.isArray(json) ? json.error : undefined;
  if (
    e !== null &&
    typeof e === 'object' &&
    !Array.isArray(e) &&
    isErrorCode(e.code) &&
    typeof e.message === 'string'
  ) {
    throw new ApiFailure(res.status, e.code, e.message, e.details);
  }
  throw new ApiFailure(res.status, 'internal', `the gateway answered ${res.status}`);
}

export const get = (path: string): Promise<Json> => request('GET', path);
export const post = (path: string, body: Json): Promise<Json> => request('POST', path, body);
