/**
 * Edits as an operator makes them — insert this row, change these columns of that row, delete that one —
 * turned into the smallest RFC 7047 operations that do exactly that, each row the edit read guarded by a
 * `wait` on what it read, so a commit never overwrites a change the operator did not see:
 * - a changed scalar column becomes one `update`; a changed set or map becomes a `mutate` that inserts what
 *   was added and deletes what was removed (other members, perhaps changed meanwhile by someone else, stay);
 * - a row of a non-root table is inserted together with the reference that keeps it (ovsdb-server deletes
 *   an unreferenced one at once), and "deleting" one means removing the references to it;
 * - every updated or deleted row gets a `wait` (timeout 0) on the columns the edit changes, or on every
 *   column read for a delete. Never on `_version`: each member of a RAFT cluster (and a restarted server) gives a
 *   row its own `_version`, so a guard on it fails after a failover though nothing changed.
 * Pure and browser-safe: the page builds, previews and tests operations without a server.
 */
import {
  stringifyJson,
  type ColumnType,
  type DatabaseSchema,
  type Json,
  type TableSchema,
  type WireAtom,
  type WireDatum,
  type WireRow,
} from '@ovsdb-web/client/core';

export interface ParentRef {
  /** The row that will reference the new one, its table and the column (a set of uuids). */
  table: string;
  uuid: string;
  column: string;
}

export type Edit =
  | { kind: 'insert'; table: string; values: Record<string, WireDatum>; parent?: ParentRef | undefined }
  | { kind: 'update'; table: string; uuid: string; base: WireRow; values: Record<string, WireDatum> }
  | { kind: 'delete'; table: string; uuid: string; base: WireRow; referrers?: readonly ParentRef[] | undefined };

export interface Guard {
  table: string;
  uuid: string;
  columns: string[];
  /** Which operation carries it. */
  operationIndex: number;
  label: string;
}

export interface BuiltOperations {
  operations: Json[];
  guards: Guard[];
  /** For each insert edit (by position in the edit list), the index of its insert operation. */
  inserts: Map<number, number>;
}

const key = (a: Json): string => stringifyJson(a);

function members(w: WireDatum | undefined): WireAtom[] {
  if (w === undefined) return [];
  if (Array.isArray(w) && w[0] === 'set') return w[1];
  if (Array.isArray(w) && w[0] === 'map') return [];
  return [w];
}

function pairs(w: WireDatum | undefined): [WireAtom, WireAtom][] {
  return Array.isArray(w) && w[0] === 'map' ? w[1] : [];
}

function same(a: WireDatum | undefined, b: WireDatum | undefined, type: ColumnType): boolean {
  if (type.value !== undefined) {
    const pa = pairs(a)
      .map((p) => key(p))
      .sort();
    const pb = pairs(b)
      .map((p) => key(p))
      .sort();
    return pa.length === pb.length && pa.every((k, i) => k === pb[i]);
  }
  const ka = members(a)
    .map((x) => key(x))
    .sort();
  const kb = members(b)
    .map((x) => key(x))
    .sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

function isComposite(type: ColumnType): boolean {
  return type.value !== undefined || type.max > 1;
}

const byUuid = (uuid: string): Json => [['_uuid', '==', ['uuid', uuid]]];

export function labelOf(row: WireRow | undefined, uuid: string): string {
  const n = row?.name;
  return typeof n === 'string' && n !== '' ? n : uuid.slice(0, 8);
}

/** The mutations that turn `old` into `now` for a set or map column. */
export function columnMutations(
  column: string,
  type: ColumnType,
  old: WireDatum | undefined,
  now: WireDatum | undefined,
): Json[] {
  const out: Json[] = [];
  if (type.value !== undefined) {
    const before = new Map(pairs(old).map((p) => [key(p[0]), p]));
    const after = new Map(pairs(now).map((p) => [key(p[0]), p]));
    const removeKeys: WireAtom[] = [];
    const insert: [WireAtom, WireAtom][] = [];
    for (const [k, p] of before) {
      const a = after.get(k);
      if (!a || key(a[1]) !== key(p[1])) removeKeys.push(p[0]);
    }
    for (const [k, p] of after) {
      const b = before.get(k);
      if (!b || key(b[1]) !== key(p[1])) insert.push(p);
    }
    // Deleting a key, then inserting it with its new value, changes one key without touching the others.
    if (removeKeys.length > 0) out.push([column, 'delete', ['set', removeKeys]]);
    if (insert.length > 0) out.push([column, 'insert', ['map', insert]]);
    return out;
  }
  const before = new Map(members(old).map((a) => [key(a), a]));
  const after = new Map(members(now).map((a) => [key(a), a]));
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, a]) => a);
  const added = [...after].filter(([k]) => !before.has(k)).map(([, a]) => a);
  if (removed.length > 0) out.push([column, 'delete', ['set', removed]]);
  if (added.length > 0) out.push([column, 'insert', ['set', added]]);
  return out;
}

/** The operations for a list of edits, in order: guards first, then the changes. */
export function buildOperations(schema: DatabaseSchema, edits: readonly Edit[], comment?: string): BuiltOperations {
  const operations: Json[] = [];
  const guards: Guard[] = [];
  const inserts = new Map<number, number>();
  const guard = (table: TableSchema, uuid: string, base: WireRow, columns: string[]): void => {
    const row: Record<string, Json> = {};
    for (const c of columns) {
      const type = table.columns.get(c)?.type;
      const v = base[c];
      if (v !== undefined) row[c] = v;
      else if (type)
        row[c] = type.value !== undefined ? ['map', []] : isComposite(type) || type.min === 0 ? ['set', []] : null;
    }
    guards.push({ table: table.name, uuid, columns, operationIndex: operations.length, label: labelOf(base, uuid) });
    operations.push({
      op: 'wait',
      table: table.name,
      where: byUuid(uuid),
      columns,
      until: '==',
      rows: [row],
      timeout: 0,
    });
  };

  // Guards go first so that a stale edit fails before it changes anything.
  for (const e of edits) {
    const table = schema.tables.get(e.table);
    if (!table || e.kind === 'insert') continue;
    if (e.kind === 'update') {
      const changed = Object.keys(e.values).filter((c) => {
        const type = table.columns.get(c)?.type;
        return type !== undefined && !same(e.base[c], e.values[c], type);
      });
      if (changed.length > 0) guard(table, e.uuid, e.base, changed);
    } else {
      // The columns the row was read with (a gateway may monitor only some).
      guard(
        table,
        e.uuid,
        e.base,
        Object.keys(e.base).filter((c) => table.columns.has(c)),
      );
    }
  }

  edits.forEach((e, index) => {
    const table = schema.tables.get(e.table);
    if (!table) return;
    if (e.kind === 'insert') {
      const name = `new_${e.table.toLowerCase()}_${index}`;
      inserts.set(index, operations.length);
      operations.push({ op: 'insert', table: e.table, 'uuid-name': name, row: { ...e.values } });
      if (e.parent)
        operations.push({
          op: 'mutate',
          table: e.parent.table,
          where: byUuid(e.parent.uuid),
          mutations: [[e.parent.column, 'insert', ['set', [['named-uuid', name]]]]],
        });
      return;
    }
    if (e.kind === 'update') {
      const scalars: Record<string, Json> = {};
      const mutations: Json[] = [];
      for (const [c, v] of Object.entries(e.values)) {
        const type = table.columns.get(c)?.type;
        if (!type || same(e.base[c], v, type)) continue;
        if (isComposite(type)) mutations.push(...columnMutations(c, type, e.base[c], v));
        else scalars[c] = v;
      }
      if (Object.keys(scalars).length > 0)
        operations.push({ op: 'update', table: e.table, where: byUuid(e.uuid), row: scalars });
      if (mutations.length > 0) operations.push({ op: 'mutate', table: e.table, where: byUuid(e.uuid), mutations });
      return;
    }
    if (!table.isRoot && e.referrers && e.referrers.length > 0) {
      // A non-root row goes when nothing references it: remove the references, the server collects it.
      for (const r of e.referrers)
        operations.push({
          op: 'mutate',
          table: r.table,
          where: byUuid(r.uuid),
          mutations: [[r.column, 'delete', ['set', [['uuid', e.uuid]]]]],
        });
      return;
    }
    operations.push({ op: 'delete', table: e.table, where: byUuid(e.uuid) });
  });
  if (comment) operations.push({ op: 'comment', comment });
  return { operations, guards, inserts };
}

/** `ovsdb-client transact` for the same operations (to run by hand, e.g. on another system). */
export function asOvsdbClient(db: string, operations: readonly Json[]): string {
  const text = stringifyJson([db, ...operations]).replace(/'/g, "'\\''");
  return `ovsdb-client transact '${text}'`;
}
