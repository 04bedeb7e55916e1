/**
 * Helpers for the gateway's tests: a WebSocket stream client that applies what it receives with the same
 * reducer the web app runs (`applyServerMessage` from @ovsdb-web/protocol), and canonical forms to compare
 * against `ovsdb-client dump`.
 */
import WebSocket from 'ws';
import { rowFromWire, rowToWire, stringifyJson, type DatabaseSchema, type Json } from '@ovsdb-web/client';
import {
  STREAM_PROTOCOL,
  STREAM_TOKEN_PREFIX,
  applyServerMessage,
  createSubscriptionState,
  parseServerMessage,
  TableRows,
  type ServerMessage,
  type SubscriptionState,
} from '@ovsdb-web/protocol';

export type Store = Record<string, Record<string, string>>;

/** Canonical text of a row in wire notation, `_uuid`/`_version` dropped, through the schema. */
export function canonical(schema: DatabaseSchema, table: string, wire: Record<string, unknown>): string {
  const t = schema.tables.get(table);
  if (!t) throw new Error(`no table ${table}`);
  const picked: Record<string, Json> = {};
  for (const k of Object.keys(wire).sort()) if (k !== '_uuid' && k !== '_version') picked[k] = wire[k] as Json;
  return stringifyJson(rowToWire(t, rowFromWire(t, picked)));
}

export function canonicalDump(
  schema: DatabaseSchema,
  dump: Record<string, Record<string, Record<string, unknown>>>,
  tables?: readonly string[],
): Store {
  const out: Store = {};
  for (const [table, rows] of Object.entries(dump)) {
    if (tables && !tables.includes(table)) continue;
    out[table] = {};
    for (const [uuid, row] of Object.entries(rows)) out[table][uuid] = canonical(schema, table, row);
  }
  return out;
}

export class StreamClient {
  readonly messages: ServerMessage[] = [];
  /** Per subscription id, the reducer's state. */
  readonly subscriptions = new Map<string, SubscriptionState>();
  /** Messages the reducer ignored (a delta already applied, one out of phase): a correct gateway sends none. */
  readonly ignored: { id: string; type: string; seq?: number; reason: string }[] = [];
  private waiters: (() => void)[] = [];
  readonly ws: WebSocket;

  constructor(
    url: string,
    readonly schema: DatabaseSchema,
    opts: { token?: string; origin?: string } = {},
  ) {
    const protocols = [STREAM_PROTOCOL, ...(opts.token ? [`${STREAM_TOKEN_PREFIX}${opts.token}`] : [])];
    this.ws = new WebSocket(url, protocols, opts.origin ? { origin: opts.origin } : {});
    this.ws.on('message', (data) => {
      const msg = parseServerMessage(String(data));
      this.messages.push(msg);
      if ('id' in msg) {
        const state = this.subscriptions.get(msg.id);
        if (state) {
          const applied = applyServerMessage(state, msg);
          if (applied.kind === 'ignored')
            this.ignored.push({
              id: msg.id,
              type: msg.type,
              ...('seq' in msg ? { seq: msg.seq } : {}),
              reason: applied.reason,
            });
        }
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => {
        // With this listener ws leaves the request open; a browser would drop it. (Not destroying it
        // here would also show whether the gateway closes refused upgrades by itself: it does.)
        reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
      });
    });
  }

  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Subscribe; `from` continues the state of another client's subscription (a browser that reconnects). */
  subscribe(msg: { id: string; remote: string; db: string; [k: string]: unknown }, from?: SubscriptionState): void {
    const state = from
      ? { ...from, rows: new Map([...from.rows].map(([t, r]) => [t, copyRows(r)])) }
      : createSubscriptionState(msg.id, { snapshot: msg.snapshot !== false });
    this.subscriptions.set(msg.id, state);
    this.send({ type: 'subscribe', ...msg, ...(from?.cursor ? { since: from.cursor } : {}) });
  }

  state(id: string): SubscriptionState {
    const s = this.subscriptions.get(id);
    if (!s) throw new Error(`no subscription ${id}`);
    return s;
  }

  /** The rows of a subscription as canonical text by table and uuid (every subscription, merged, when no id). */
  store(id?: string): Store {
    const out: Store = {};
    for (const [sid, s] of this.subscriptions) {
      if (id !== undefined && sid !== id) continue;
      for (const [table, rows] of s.rows) {
        const t = (out[table] ??= {});
        for (const [uuid, r] of rows) t[uuid] = canonical(this.schema, table, r);
      }
    }
    return out;
  }

  snapshotDone(id: string): boolean {
    return this.messages.some((m) => m.type === 'snapshot' && m.id === id && m.last) && this.state(id).phase === 'live';
  }

  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-3), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 500)}`,
        );
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
    JSON.stringify(
      Object.keys(s ?? {})
        .filter((t) => Object.keys(s?.[t] ?? {}).length > 0)
        .sort()
        .map((t) => [t, Object.entries(s?.[t] ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))]),
    );
  return norm(a) === norm(b);
}

function copyRows(rows: TableRows): TableRows {
  const copy = new TableRows();
  for (const [uuid, row] of rows) copy.set(uuid, row);
  return copy;
}
