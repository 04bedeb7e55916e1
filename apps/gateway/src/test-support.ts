/**
 * Helpers for the gateway's tests: a WebSocket stream client that applies snapshots and deltas to a
 * local store (as a browser would), and canonical forms to compare against `ovsdb-client dump`.
 */
import WebSocket from 'ws';
import { parseJson, rowFromWire, rowToWire, stringifyJson, type DatabaseSchema, type Json } from '@ovsdb-web/client';
import type { ServerMessage } from './stream/protocol.js';

export type Store = Record<string, Record<string, string>>;

/** Canonical text of a row in wire notation, `_uuid`/`_version` dropped, through the schema. */
export function canonical(schema: DatabaseSchema, table: string, wire: Record<string, unknown>): string {
  const t = schema.tables.get(table);
  if (!t) throw new Error(`no table ${table}`);
  const picked: Record<string, Json> = {};
  for (const k of Object.keys(wire).sort()) if (k !== '_uuid' && k !== '_version') picked[k] = wire[k] as Json;
  return stringifyJson(rowToWire(t, rowFromWire(t, picked)) as Json);
}

export function canonicalDump(schema: DatabaseSchema, dump: Record<string, Record<string, Record<string, unknown>>>, tables?: readonly string[]): Store {
  const out: Store = {};
  for (const [table, rows] of Object.entries(dump)) {
    if (tables && !tables.includes(table)) continue;
    out[table] = {};
    for (const [uuid, row] of Object.entries(rows)) (out[table] as Record<string, string>)[uuid] = canonical(schema, table, row);
  }
  return out;
}

export class StreamClient {
  readonly messages: ServerMessage[] = [];
  readonly store: Store = {};
  epoch = '';
  seq = 0;
  private waiters: (() => void)[] = [];
  readonly ws: WebSocket;

  constructor(url: string, readonly schema: DatabaseSchema, opts: { token?: string; origin?: string } = {}) {
    const protocols = ['ovsdb-web.v1', ...(opts.token ? [`bearer.${opts.token}`] : [])];
    this.ws = new WebSocket(url, protocols, opts.origin ? { origin: opts.origin } : {});
    this.ws.on('message', (data) => {
      const msg = parseJson(data.toString()) as unknown as ServerMessage;
      this.messages.push(msg);
      this.apply(msg);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (req, res) => {
        // With this listener ws leaves the request open; a browser would drop it. (Not destroying it
        // here would also show whether the gateway closes refused upgrades by itself: it does.)
        void req;
        reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
      });
    });
  }

  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  private apply(msg: ServerMessage): void {
    if (msg.type === 'subscribed') {
      this.epoch = msg.epoch;
      if (!msg.resumed) this.seq = msg.seq;
    } else if (msg.type === 'snapshot') {
      const rows = (this.store[msg.table] ??= {});
      // The first chunk of a snapshot replaces what the client held for that table.
      if (!this.snapshotting.has(msg.table)) {
        this.store[msg.table] = {};
        this.snapshotting.add(msg.table);
      }
      const target = this.store[msg.table] ?? rows;
      for (const r of msg.rows) target[(r._uuid as [string, string])[1]] = canonical(this.schema, msg.table, r);
      this.seq = msg.seq;
      if (msg.last) this.snapshotting.clear();
    } else if (msg.type === 'delta') {
      for (const c of msg.changes) {
        const rows = (this.store[c.table] ??= {});
        if (c.kind === 'delete') delete rows[c.uuid];
        else rows[c.uuid] = canonical(this.schema, c.table, c.row as Record<string, unknown>);
      }
      this.seq = msg.seq;
    }
  }

  private readonly snapshotting = new Set<string>();

  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-3)).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Equality of two stores regardless of the order rows arrived in. */
export function sameStore(a: Store | undefined, b: Store | undefined): boolean {
  const norm = (s: Store | undefined): string =>
    JSON.stringify(Object.keys(s ?? {}).sort().map((t) => [t, Object.entries((s ?? {})[t] ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))]));
  return norm(a) === norm(b);
}
