/**
 * Cluster awareness through the `_Server` database (ovsdb-server(7) §"Database Monitoring"): a member
 * serves a clustered database usefully only while it is connected to its cluster and, for writes and
 * fresh reads, is the leader. A member whose log index is behind what this client has already seen is
 * stale (it would show the past) and is refused too.
 */
import type { Json, JsonObject } from '../wire/json.js';
import { isJsonObject } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import type { RpcConnection } from '../jsonrpc/connection.js';

export interface ClusterView {
  /** The highest log index seen per clustered database, across every member this client used. */
  seenIndex: Map<string, number | bigint>;
}

export class ClusterMemberRejected extends Error {
  override readonly name = 'ClusterMemberRejected';
  constructor(
    readonly remote: string,
    readonly reason: string,
  ) {
    super(`${remote}: ${reason}`);
  }
}

interface DatabaseRow {
  name: string;
  model: string;
  connected: boolean;
  leader: boolean;
  index: number | bigint | undefined;
}

const COLUMNS = ['name', 'model', 'connected', 'leader', 'index'];

function readRow(row: JsonObject, prev?: DatabaseRow): DatabaseRow {
  const idx = row.index;
  let index = prev?.index;
  if (idx !== undefined) {
    // An optional integer: a bare atom, or ["set", []] / ["set", [n]].
    if (typeof idx === 'number' || typeof idx === 'bigint') index = idx;
    else if (Array.isArray(idx) && idx[0] === 'set' && Array.isArray(idx[1])) {
      const v = idx[1][0];
      index = typeof v === 'number' || typeof v === 'bigint' ? v : undefined;
    }
  }
  return {
    name: typeof row.name === 'string' ? row.name : (prev?.name ?? ''),
    model: typeof row.model === 'string' ? row.model : (prev?.model ?? ''),
    connected: typeof row.connected === 'boolean' ? row.connected : (prev?.connected ?? false),
    leader: typeof row.leader === 'boolean' ? row.leader : (prev?.leader ?? false),
    index,
  };
}

/** Why this member must not be used, or undefined when it is fine. Records the indexes it shows. */
function judge(row: DatabaseRow, view: ClusterView): string | undefined {
  if (row.model === 'relay') return `it is a relay for ${row.name}, not a member that can take writes`;
  if (row.model !== 'clustered') return undefined;
  if (!row.connected) return `it is not connected to the cluster of ${row.name}`;
  if (!row.leader) return `it is not the leader of ${row.name}`;
  const seen = view.seenIndex.get(row.name);
  if (row.index !== undefined) {
    if (seen !== undefined && BigInt(row.index) < BigInt(seen)) {
      return `its log of ${row.name} is at index ${row.index}, behind index ${seen} already seen (stale member)`;
    }
    view.seenIndex.set(row.name, row.index);
  }
  return undefined;
}

/** Throws `ClusterMemberRejected` if the member is a follower, disconnected, stale or a relay. */
export async function checkMember(conn: RpcConnection, remote: string, view: ClusterView): Promise<void> {
  let reply: Json;
  try {
    reply = await conn.request('transact', ['_Server', { op: 'select', table: 'Database', where: [], columns: COLUMNS }]);
  } catch (err) {
    // Servers before 2.9 have no _Server database: nothing to check.
    if (err instanceof OvsdbError && (err.error === 'unknown database' || err.error === 'syntax error')) return;
    throw err;
  }
  const rows = Array.isArray(reply) && isJsonObject(reply[0]) && Array.isArray(reply[0].rows) ? reply[0].rows : [];
  for (const r of rows) {
    if (!isJsonObject(r)) continue;
    const why = judge(readRow(r), view);
    if (why) throw new ClusterMemberRejected(remote, why);
  }
}

let watchCounter = 0;

/**
 * Follow `_Server.Database` on this session and call `lost` as soon as the member stops being usable
 * (it lost leadership, or its cluster connection). Returns undefined when nothing here is clustered.
 */
export async function watchLeadership(conn: RpcConnection, view: ClusterView, lost: (why: string) => void): Promise<(() => void) | undefined> {
  const id = `_server${++watchCounter}`;
  const rows = new Map<string, DatabaseRow>();
  let reported = false;
  const apply = (updates: Json): void => {
    if (!isJsonObject(updates) || !isJsonObject(updates.Database)) return;
    for (const [uuid, ru] of Object.entries(updates.Database)) {
      if (!isJsonObject(ru)) continue;
      const body = ru.initial ?? ru.insert ?? ru.modify;
      if ('delete' in ru) rows.delete(uuid);
      else if (isJsonObject(body)) rows.set(uuid, readRow(body, rows.get(uuid)));
    }
    if (reported) return;
    for (const row of rows.values()) {
      const why = judge(row, view);
      if (why) {
        reported = true;
        lost(`member no longer usable: ${why}`);
        return;
      }
    }
  };
  const sub = conn.onNotification('update2', (params) => {
    if (params[0] === id) apply(params[1] ?? null);
  });
  let initial: Json;
  try {
    initial = await conn.request('monitor_cond', ['_Server', id, { Database: [{ columns: COLUMNS }] }]);
  } catch (err) {
    sub.dispose();
    if (err instanceof OvsdbError && (err.error === 'unknown database' || err.error === 'unknown method')) return undefined;
    throw err;
  }
  apply(initial);
  if (![...rows.values()].some((r) => r.model === 'clustered')) {
    sub.dispose();
    await conn.request('monitor_cancel', [id]).catch(() => undefined);
    return undefined;
  }
  return () => sub.dispose();
}
