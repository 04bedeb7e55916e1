/**
 * The WebSocket protocol of `/api/v1/stream` (JSON text frames). docs/API.md describes it for clients.
 *
 * Client → gateway: subscribe, unsubscribe, ping.
 * Gateway → client: subscribed, snapshot (chunks), delta, resync, error, pong, bye.
 */
import type { Json, WireCondition, WireRow } from '@ovsdb-web/client';

export interface SubscribeMessage {
  type: 'subscribe';
  /** Chosen by the client; names the subscription in every later message. */
  id: string;
  remote: string;
  db: string;
  /** Table names; omitted or empty means every monitored table. */
  tables?: string[];
  /** Per table, RFC 7047 conditions that ALL must hold for a row to be sent. */
  where?: Record<string, WireCondition[]>;
  /** Per table, the columns to send (default: all). */
  columns?: Record<string, string[]>;
  /** Resume after a reconnect: the epoch and last seq this client applied. */
  since?: { epoch: string; seq: number };
}

export interface UnsubscribeMessage {
  type: 'unsubscribe';
  id: string;
}

export interface PingMessage {
  type: 'ping';
  data?: Json;
}

export type ClientMessage = SubscribeMessage | UnsubscribeMessage | PingMessage;

export interface RowDelta {
  table: string;
  uuid: string;
  kind: 'insert' | 'modify' | 'delete';
  /** The whole row after the change (insert, modify), columns filtered as subscribed. */
  row?: WireRow;
  /** For modify: the columns that changed. */
  columns?: string[];
}

export type ServerMessage =
  | { type: 'subscribed'; id: string; epoch: string; seq: number; resumed: boolean; tables: string[] }
  | { type: 'snapshot'; id: string; epoch: string; seq: number; table: string; rows: (WireRow & { _uuid: Json })[]; last: boolean }
  | { type: 'delta'; id: string; epoch: string; seq: number; resync?: boolean; changes: RowDelta[] }
  | { type: 'resync'; id: string; reason: string }
  | { type: 'error'; id?: string; error: { code: string; message: string; details?: Json } }
  | { type: 'pong'; data?: Json };

export function parseClientMessage(text: string): ClientMessage {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new ProtocolViolation('message is not valid JSON');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new ProtocolViolation('message must be a JSON object');
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'ping':
      return m as unknown as PingMessage;
    case 'unsubscribe':
      if (typeof m.id !== 'string') throw new ProtocolViolation('unsubscribe needs a string "id"');
      return { type: 'unsubscribe', id: m.id };
    case 'subscribe': {
      for (const k of ['id', 'remote', 'db'] as const) {
        if (typeof m[k] !== 'string' || m[k] === '') throw new ProtocolViolation(`subscribe needs a non-empty string "${k}"`);
      }
      if (m.tables !== undefined && (!Array.isArray(m.tables) || !m.tables.every((t) => typeof t === 'string'))) {
        throw new ProtocolViolation('subscribe "tables" must be an array of table names');
      }
      for (const k of ['where', 'columns'] as const) {
        if (m[k] !== undefined && (typeof m[k] !== 'object' || m[k] === null || Array.isArray(m[k]))) {
          throw new ProtocolViolation(`subscribe "${k}" must be an object keyed by table`);
        }
      }
      if (m.since !== undefined) {
        const s = m.since as Record<string, unknown> | null;
        if (typeof s !== 'object' || s === null || typeof s.epoch !== 'string' || typeof s.seq !== 'number' || !Number.isInteger(s.seq)) {
          throw new ProtocolViolation('subscribe "since" must be {"epoch": string, "seq": integer}');
        }
      }
      return m as unknown as SubscribeMessage;
    }
    default:
      throw new ProtocolViolation(`unknown message type ${JSON.stringify(m.type)}; expected subscribe, unsubscribe or ping`);
  }
}

export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}
