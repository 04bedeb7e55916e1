/**
 * JSON-RPC 1.0 message shapes as OVSDB uses them (RFC 7047 §4): every message carries an `id`, and a
 * notification is a request whose id is null. Replies carry both `result` and `error`, one of them null.
 */
import type { Json, JsonObject } from '../wire/json.js';
import { ProtocolError } from './errors.js';

export interface RequestMessage {
  method: string;
  params: Json[];
  /** Never null: a null id would make this a notification. */
  id: Json;
}

export interface NotificationMessage {
  method: string;
  params: Json[];
  id: null;
}

export interface ReplyMessage {
  id: Json;
  result: Json;
  error: Json;
}

export type OutgoingMessage = RequestMessage | NotificationMessage | ReplyMessage;

export type IncomingMessage =
  | { kind: 'request'; method: string; params: Json[]; id: Json }
  | { kind: 'notification'; method: string; params: Json[] }
  | { kind: 'reply'; id: Json; result: Json }
  | { kind: 'error'; id: Json; error: Json };

/**
 * Sort a received object into one of the four kinds, or throw `ProtocolError` for shapes ovsdb-server
 * would itself reject (non-string method, non-array params, neither method nor result/error). Unknown
 * extra members are tolerated so that a newer server adding fields does not break us.
 */
export function classifyMessage(msg: JsonObject): IncomingMessage {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(msg, k);
  if (has('method')) {
    const { method, params } = msg;
    if (typeof method !== 'string') throw new ProtocolError('"method" is not a string');
    if (!Array.isArray(params)) throw new ProtocolError(`"params" of ${JSON.stringify(method)} is not an array`);
    const id = has('id') ? (msg.id as Json) : null;
    return id === null ? { kind: 'notification', method, params } : { kind: 'request', method, params, id };
  }
  if (!has('id')) throw new ProtocolError('message has neither "method" nor "id"');
  const id = msg.id as Json;
  const error = has('error') ? (msg.error as Json) : null;
  if (error !== null) return { kind: 'error', id, error };
  if (!has('result')) throw new ProtocolError('reply has neither "result" nor "error"');
  return { kind: 'reply', id, result: msg.result as Json };
}
