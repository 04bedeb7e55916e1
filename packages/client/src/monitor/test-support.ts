/**
 * Test helpers shared by the monitor tests: canonical forms of a cache and of the server's rows, and
 * replaying change batches onto a starting state. Not exported from the package.
 */
import { stringifyJson, type Json } from '../wire/json.js';
import type { DatabaseSchema, TableSchema } from '../schema/schema.js';
import type { Row } from '../data/value.js';
import { rowFromWire, rowToWire } from '../data/row.js';
import type { ChangeBatch } from '../cache/database-cache.js';
import type { OvsdbClient } from '../client/client.js';
import type { Monitor } from './monitor.js';

/** table → uuid → row as canonical JSON text (columns sorted, `_uuid` left out). */
export type Canonical = Record<string, Record<string, string>>;

export function canonicalRow(table: TableSchema, row: Row, columns?: readonly string[]): string {
  const picked: Record<string, Row[string]> = {};
  for (const name of Object.keys(row).sort()) {
    if (name === '_uuid' || name === '_version') continue;
    if (columns && !columns.includes(name)) continue;
    picked[name] = row[name] as Row[string];
  }
  return stringifyJson(rowToWire(table, picked) as Json);
}

export function canonicalCache(m: Monitor): Canonical {
  const out: Canonical = {};
  for (const [name, table] of m.cache.tables) {
    const rows: Record<string, string> = {};
    for (const [uuid, row] of table.tableRows()) rows[uuid] = canonicalRow(table.schema, row);
    out[name] = rows;
  }
  return out;
}

/** The server's rows of `tables` (all columns, or `columns`) through a fresh select. */
export async function canonicalServer(
  client: OvsdbClient,
  schema: DatabaseSchema,
  tables: readonly string[],
  columns?: Readonly<Record<string, readonly string[]>>,
): Promise<Canonical> {
  const ops = tables.map((table) => ({ op: 'select' as const, table, where: [] }));
  const results = await client.transact(schema.name, ops);
  const out: Canonical = {};
  tables.forEach((table, i) => {
    const t = schema.tables.get(table);
    if (!t) throw new Error(`no table ${table}`);
    const rows: Record<string, string> = {};
    for (const wire of (results[i] as { rows: Record<string, Json>[] }).rows) {
      const row = rowFromWire(t, wire);
      rows[row._uuid as string] = canonicalRow(t, row, columns?.[table]);
    }
    out[table] = rows;
  });
  return out;
}

/** Apply change batches to a canonical starting state, as a subscriber that only saw events would. */
export function replay(m: Monitor, start: Canonical, batches: readonly ChangeBatch[]): Canonical {
  const state: Canonical = structuredClone(start);
  for (const b of batches) {
    for (const c of b.changes) {
      const rows = (state[c.table] ??= {});
      if (c.kind === 'delete') delete rows[c.uuid];
      else rows[c.uuid] = canonicalRow(m.cache.table(c.table).schema, c.new as Row);
    }
  }
  return state;
}
