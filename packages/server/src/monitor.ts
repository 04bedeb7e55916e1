/**
 * Monitors: `monitor` (RFC 7047 `update`), `monitor_cond` (`update2`), `monitor_cond_since` (`update3`),
 * their requests, conditions and select flags, and the updates ovsdb-server composes for them.
 *
 * update2 encoding (ovsdb-server's): `initial`/`insert` carry the monitored columns that are not at their
 * default; `delete` is null; `modify` carries only changed columns, as a diff for sets and maps of more
 * than one member (see `diffDatum`) and as the new value otherwise. A row that starts or stops matching a
 * condition is reported as inserted or deleted. `update` (v1) sends `new` with every monitored column and,
 * for a modification, `old` with the columns that changed.
 */
import {
  IMPLICIT_COLUMNS,
  OvsdbError,
  diffDatum,
  evaluateConditions,
  parseConditions,
  type ColumnSchema,
  type Datum,
  type Json,
  type JsonObject,
  type Row,
  type WireRow,
} from '@ovsdb-web/client';
import type { Database, CommitChange, TableStore } from './database.js';
import type { DataCondition } from './data-types.js';
import type { MergedChange } from './history.js';
import { hashOrder, lookupWinners } from './shash-order.js';
import { ObjectParser, OP_ARRAY, OP_BOOLEAN, OP_OBJECT, OP_OPTIONAL } from './parser.js';
import { encodeDiff, pickColumns, sortedJsonText } from './wire.js';

/** 1: `monitor`/`update`; 2: `monitor_cond`/`update2`; 3: `monitor_cond_since`/`update3`. */
export type MonitorVersion = 1 | 2 | 3;

export interface Select {
  initial: boolean;
  insert: boolean;
  delete: boolean;
  modify: boolean;
}

type UpdateKind = keyof Select;

export interface MonitoredTable {
  readonly table: TableStore;
  /** Every column sent for some kind of update, in the order the requests named them. */
  readonly columns: ColumnSchema[];
  /**
   * The columns sent for each kind of update. Each monitor-request of a table brings its own columns and
   * `select` flags (RFC 7047 §4.1.5), so a column named by a request without `modify` is left out of
   * `modify` updates even when another request of the same table selects them.
   */
  readonly sent: Record<UpdateKind, ColumnSchema[]>;
  /**
   * Columns whose change makes a `modify`: every column any request names, whatever its flags, plus those
   * any request's `where` tests (ovsdb-server tracks those too, so a change to them alone gives
   * `"modify": {}`).
   */
  readonly watched: ColumnSchema[];
  /** The union of the requests' flags: an update of a kind no request selects is not sent at all. */
  readonly select: Select;
  /** `undefined` (v1, or no `where`): every row. Otherwise a row matches when any clause holds. */
  conditions: DataCondition[] | undefined;
}

export type TableUpdates = JsonObject;

const UPDATE_KINDS: readonly UpdateKind[] = ['initial', 'insert', 'delete', 'modify'];

function newMonitoredTable(table: TableStore): MonitoredTable {
  return {
    table,
    columns: [],
    sent: { initial: [], insert: [], delete: [], modify: [] },
    watched: [],
    select: { initial: false, insert: false, delete: false, modify: false },
    conditions: undefined,
  };
}

/** Parse the `{table: request | [request...]}` object of a monitor request. */
export function parseMonitorRequests(db: Database, json: Json, version: MonitorVersion): Map<string, MonitoredTable> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new OvsdbError('syntax error', 'monitor-requests must be object', sortedJsonText(json));
  }
  const out = new Map<string, MonitoredTable>();
  // One condition per request, in the order ovsdb-server adds them to its map of conditions.
  const tableOfCondition: string[] = [];
  const conditions: (DataCondition[] | undefined)[] = [];
  for (const name of hashOrder(Object.keys(json))) {
    const value = json[name] as Json;
    const table = db.table(name);
    if (table === undefined) throw new OvsdbError('syntax error', `no table named ${name}`);
    let mt = out.get(name);
    if (mt === undefined) out.set(name, (mt = newMonitoredTable(table)));
    const requests = Array.isArray(value) ? value : [value];
    for (const req of requests) {
      conditions.push(parseOneRequest(mt, req, version));
      tableOfCondition.push(name);
    }
  }
  if (version !== 1) {
    // Every request's `where` is checked and its columns watched, but a table has one condition in effect:
    // the request ovsdb-server's lookup by table name happens to find (see `lookupWinners`).
    for (const [name, pos] of lookupWinners(tableOfCondition)) {
      (out.get(name) as MonitoredTable).conditions = conditions[pos];
    }
  }
  return out;
}

/** Parse one monitor-request into `mt`; returns its condition (undefined: no `where`, every row). */
function parseOneRequest(mt: MonitoredTable, req: Json, version: MonitorVersion): DataCondition[] | undefined {
  const table = mt.table;
  const p = new ObjectParser(req, `table ${table.name}`);
  const where = version === 1 ? undefined : p.member('where', OP_ARRAY | OP_OPTIONAL);
  const columns = p.member('columns', OP_ARRAY | OP_OPTIONAL);
  const selectJson = p.member('select', OP_OBJECT | OP_OPTIONAL);
  const err = p.finish();
  if (err) throw err;

  let select: Select = { initial: true, insert: true, delete: true, modify: true };
  if (selectJson !== undefined) {
    const sp = new ObjectParser(selectJson, `table ${table.name} select`);
    const flag = (n: keyof Select): boolean => {
      const v = sp.member(n, OP_BOOLEAN | OP_OPTIONAL);
      return v === undefined ? true : v === true;
    };
    select = { initial: flag('initial'), insert: flag('insert'), delete: flag('delete'), modify: flag('modify') };
    const serr = sp.finish();
    if (serr) throw serr;
  }
  for (const k of UPDATE_KINDS) if (select[k]) mt.select[k] = true;

  const add = (col: ColumnSchema): void => {
    if (mt.columns.includes(col)) {
      const syntax = columns === undefined ? undefined : sortedJsonText(columns);
      throw new OvsdbError('syntax error', `column ${col.name} mentioned more than once`, syntax);
    }
    mt.columns.push(col);
    for (const k of UPDATE_KINDS) if (select[k]) mt.sent[k].push(col);
    if (!mt.watched.includes(col)) mt.watched.push(col);
  };
  if (Array.isArray(columns)) {
    for (const c of columns) {
      if (typeof c !== 'string') {
        throw new OvsdbError('syntax error', 'array of column names expected', sortedJsonText(columns));
      }
      const col = table.schema.columns.get(c) ?? IMPLICIT_COLUMNS.get(c);
      if (col === undefined) {
        throw new OvsdbError('syntax error', `${c} is not a valid column name`, sortedJsonText(columns));
      }
      add(col);
    }
  } else {
    // Every column but _uuid (the row's key already says it); _version is included.
    add(IMPLICIT_COLUMNS.get('_version') as ColumnSchema);
    for (const col of table.columns) add(col);
  }
  const conds = where === undefined ? undefined : parseConditions(table.schema, where);
  watchConditionColumns(mt, conds);
  return conds;
}

function watchConditionColumns(mt: MonitoredTable, conds: readonly DataCondition[] | undefined): void {
  for (const c of conds ?? []) {
    if (typeof c === 'boolean') continue;
    const col = mt.table.schema.columns.get(c.column) ?? IMPLICIT_COLUMNS.get(c.column);
    if (col !== undefined && !mt.watched.includes(col)) mt.watched.push(col);
  }
}

function matches(mt: MonitoredTable, row: Row | undefined, conds = mt.conditions): boolean {
  if (row === undefined) return false;
  return conds === undefined || evaluateConditions(conds, row, 'any');
}

/**
 * One monitor a session serves (the server-side counterpart of the client's `Monitor`): the tables, columns
 * and conditions it asked for, and the updates each commit of its `ServedDatabase` causes for it.
 */
export class ServedMonitor {
  constructor(
    readonly db: Database,
    /** The monitor id, any JSON value; `monitor_cond_change` may change it. */
    public id: Json,
    readonly version: MonitorVersion,
    readonly tables: Map<string, MonitoredTable>,
  ) {}

  /** The reply to the monitor request: every selected row as `initial` (or v1 `new`). */
  initial(): TableUpdates {
    const out: TableUpdates = {};
    for (const [name, mt] of this.tables) {
      if (!mt.select.initial) continue;
      const rows: JsonObject = {};
      let any = false;
      for (const [uuid, row] of mt.table.rows) {
        if (!matches(mt, row)) continue;
        const cols = mt.sent.initial;
        rows[uuid] =
          this.version === 1
            ? { new: pickColumns(mt.table, row, cols, true) }
            : { initial: pickColumns(mt.table, row, cols, false) };
        any = true;
      }
      if (any) out[name] = rows;
    }
    return out;
  }

  /** The updates a commit causes for this monitor; undefined when it shows nothing. */
  updatesFor(changes: readonly CommitChange[]): TableUpdates | undefined {
    let out: TableUpdates | undefined;
    for (const ch of changes) {
      const mt = this.tables.get(ch.table);
      if (mt === undefined) continue;
      const u = this.rowUpdate(mt, ch.old, ch.new);
      if (u === undefined) continue;
      out ??= {};
      const t = (out[ch.table] ??= {}) as JsonObject;
      t[ch.uuid] = u;
    }
    return out;
  }

  /** Updates for the merged changes since a transaction (a `monitor_cond_since` resume). */
  updatesSince(merged: Map<string, Map<string, MergedChange>>): TableUpdates {
    const out: TableUpdates = {};
    for (const [table, rows] of merged) {
      const mt = this.tables.get(table);
      if (mt === undefined) continue;
      let t: JsonObject | undefined;
      for (const [uuid, m] of rows) {
        const u = this.rowUpdate(mt, m.old, m.new);
        if (u === undefined) continue;
        t ??= out[table] = {};
        t[uuid] = u;
      }
    }
    return out;
  }

  private rowUpdate(mt: MonitoredTable, old: Row | undefined, now: Row | undefined): Json | undefined {
    const table = mt.table;
    if (this.version === 1) {
      if (old !== undefined && now !== undefined) {
        // Whether anything changed is judged on every column the requests name; what is sent, on the columns
        // selected for `modify` (possibly none: then `{"new": {}, "old": {}}`, as ovsdb-server sends).
        if (!mt.select.modify || !anyChanged(mt.watched, old, now)) return undefined;
        const cols = mt.sent.modify;
        const changed = cols.filter((c) => old[c.name] !== now[c.name] && datumChanged(c, old, now));
        return { new: pickColumns(table, now, cols, true), old: pickColumns(table, old, changed, true) };
      }
      if (now !== undefined) {
        return mt.select.insert ? { new: pickColumns(table, now, mt.sent.insert, true) } : undefined;
      }
      if (old !== undefined) {
        return mt.select.delete ? { old: pickColumns(table, old, mt.sent.delete, true) } : undefined;
      }
      return undefined;
    }
    const wasIn = matches(mt, old);
    const isIn = matches(mt, now);
    if (wasIn && isIn) {
      if (!mt.select.modify) return undefined;
      if (!anyChanged(mt.watched, old as Row, now as Row)) return undefined;
      return { modify: modifyDiff(mt.sent.modify, old as Row, now as Row) };
    }
    if (isIn) return mt.select.insert ? { insert: pickColumns(table, now as Row, mt.sent.insert, false) } : undefined;
    if (wasIn) return mt.select.delete ? { delete: null } : undefined;
    return undefined;
  }

  /**
   * Replace the conditions of some tables (`monitor_cond_change`); returns the updates that bring the
   * client from the old selection to the new one: rows that now match as `insert`, rows that no longer
   * match as `delete`.
   */
  changeConditions(newConds: Map<string, DataCondition[] | undefined>): TableUpdates {
    const out: TableUpdates = {};
    if (this.version === 1) return out;
    for (const [name, conds] of newConds) {
      const mt = this.tables.get(name) as MonitoredTable;
      const before = mt.conditions;
      let t: JsonObject | undefined;
      for (const [uuid, row] of mt.table.rows) {
        const wasIn = matches(mt, row, before);
        const isIn = matches(mt, row, conds);
        if (wasIn === isIn || !(isIn ? mt.select.insert : mt.select.delete)) continue;
        t ??= out[name] = {};
        t[uuid] = isIn ? { insert: pickColumns(mt.table, row, mt.sent.insert, false) } : { delete: null };
      }
      mt.conditions = conds;
      watchConditionColumns(mt, conds);
    }
    return out;
  }
}

function datumChanged(c: ColumnSchema, old: Row, now: Row): boolean {
  return diffDatum(c.type, old[c.name] as Datum, now[c.name] as Datum) !== undefined;
}

function anyChanged(columns: readonly ColumnSchema[], old: Row, now: Row): boolean {
  for (const c of columns) if (old[c.name] !== now[c.name] && datumChanged(c, old, now)) return true;
  return false;
}

function modifyDiff(columns: readonly ColumnSchema[], old: Row, now: Row): WireRow {
  const out: WireRow = {};
  for (const c of columns) {
    const a = old[c.name] as Datum;
    const b = now[c.name] as Datum;
    if (a === b) continue;
    const d = diffDatum(c.type, a, b);
    if (d !== undefined) out[c.name] = encodeDiff(c.type, d);
  }
  return out;
}

/** Parse a `monitor_cond_change` request object into new conditions per table. */
export function parseConditionChange(monitor: ServedMonitor, json: Json): Map<string, DataCondition[] | undefined> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new OvsdbError('syntax error', 'monitor-cond-change-requests must be object');
  }
  const out = new Map<string, DataCondition[] | undefined>();
  for (const name of hashOrder(Object.keys(json))) {
    const value = json[name] as Json;
    const table = monitor.db.table(name);
    if (table === undefined) throw new OvsdbError('syntax error', `no table named ${name}`);
    const mt = monitor.tables.get(name);
    if (mt === undefined) throw new OvsdbError('syntax error', `no table named ${name} in monitor session`);
    if (!Array.isArray(value)) throw new OvsdbError('syntax error', `table ${name} no monitor-cond-change JSON array`);
    let conds = out.has(name) ? out.get(name) : mt.conditions;
    for (const req of value) {
      const p = new ObjectParser(req, `table ${name}`);
      const columns = p.member('columns', OP_ARRAY | OP_OPTIONAL);
      const where = p.member('where', OP_ARRAY | OP_OPTIONAL);
      const err = p.finish();
      if (err) throw err;
      if (columns !== undefined)
        throw new OvsdbError('syntax error', 'changing columns is unsupported', sortedJsonText(req));
      if (where !== undefined) conds = parseConditions(table.schema, where);
    }
    out.set(name, conds);
  }
  return out;
}
