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

export interface MemberPolicy {
  /** Require the leader of every clustered database (and refuse relays). */
  leaderOnly: boolean;
}

/**
 * Why this member must not be used, or undefined when it is fine. Records the index it shows.
 *
 * Staleness is checked first and whatever `leaderOnly` says: a member whose log is behind what this client
 * already saw would make the cache go back in time (it answers a resume with `found: false` and an old
 * snapshot). A member cut off from its cluster is refused for the same reason, as ovsdb-cs does.
 */
function judge(row: DatabaseRow, view: ClusterView, policy: MemberPolicy): string | undefined {
  if (row.model === 'relay')
    return policy.leaderOnly ? `it is a relay for ${row.name}, not a member that can take writes` : undefined;
  if (row.model !== 'clustered') return undefined;
  const seen = view.seenIndex.get(row.name);
  if (row.index !== undefined && seen !== undefined && BigInt(row.index) < BigInt(seen)) {
    return `its log of ${row.name} is at index ${row.index}, behind index ${seen} already seen (stale member)`;
  }
  if (!row.connected) return `it is not connected to the cluster of ${row.name}`;
  if (policy.leaderOnly && !row.leader) return `it is not the leader of ${row.name}`;
  if (row.index !== undefined) view.seenIndex.set(row.name, row.index);
  return undefined;
}

function rowsOfSelect(reply: Json): JsonObject[] {
  const rows = Array.isArray(reply) && isJsonObject(reply[0]) && Array.isArray(reply[0].rows) ? reply[0].rows : [];
  return rows.filter(isJsonObject);
}

/** Throws `ClusterMemberRejected` if the member is stale, cut off, or (with `leaderOnly`) a follower or relay. */
export async function checkMember(
  conn: RpcConnection,
  remote: string,
  view: ClusterView,
  policy: MemberPolicy = { leaderOnly: true },
): Promise<void> {
  let reply: Json;
  try {
    reply = await conn.request('transact', [
      '_Server',
      { op: 'select', table: 'Database', where: [], columns: COLUMNS },
    ]);
  } catch (err) {
    // Servers before 2.9 have no _Server database: nothing to check.
    if (err instanceof OvsdbError && (err.error === 'unknown database' || err.error === 'syntax error')) return;
    throw err;
  }
  for (const r of rowsOfSelect(reply)) {
    const why = judge(readRow(r), view, policy);
    if (why) throw new ClusterMemberRejected(remote, why);
  }
}

let watchCounter = 0;

/**
 * Check the member and keep watching it: monitor `_Server.Database` on this session, throw
 * `ClusterMemberRejected` if the initial state already rules the member out, and later call `lost` as
 * soon as it stops being usable (it lost leadership or its cluster connection, or fell behind). Doing
 * the check and the watch with one request leaves no gap in which a change of leader goes unnoticed.
 * Returns undefined (and watches nothing) when nothing on the server is clustered.
 */
export async function watchMember(
  conn: RpcConnection,
  remote: string,
  view: ClusterView,
  policy: MemberPolicy,
  lost: (why: string) => void,
): Promise<(() => void) | undefined> {
  const id = `_server${++watchCounter}`;
  const rows = new Map<string, DatabaseRow>();
  let live = false;
  let reported = false;
  const apply = (updates: Json): void => {
    if (!isJsonObject(updates) || !isJsonObject(updates.Database)) return;
    for (const [uuid, ru] of Object.entries(updates.Database)) {
      if (!isJsonObject(ru)) continue;
      const body = ru.initial ?? ru.insert ?? ru.modify;
      if ('delete' in ru) rows.delete(uuid);
      else if (isJsonObject(body)) rows.set(uuid, readRow(body, rows.get(uuid)));
    }
    if (!live || reported) return;
    for (const row of rows.values()) {
      const why = judge(row, view, policy);
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
    if (err instanceof OvsdbError && err.error === 'unknown database') return undefined;
    if (err instanceof OvsdbError && err.error === 'unknown method') {
      // No monitor_cond (before 2.9): check once, watch nothing.
      await checkMember(conn, remote, view, policy);
      return undefined;
    }
    throw err;
  }
  apply(initial);
  for (const row of rows.values()) {
    const why = judge(row, view, policy);
    if (why) {
      sub.dispose();
      throw new ClusterMemberRejected(remote, why);
    }
  }
  if (![...rows.values()].some((r) => r.model === 'clustered')) {
    sub.dispose();
    await conn.request('monitor_cancel', [id]).catch(() => undefined);
    return undefined;
  }
  live = true;
  return () => sub.dispose();
}
