/**
 * The cache of one monitor: a `TableCache` per monitored table, and the appliers that turn `update`,
 * `update2`/`update3` table-updates and full snapshots into row changes.
 *
 * Every applier decodes the whole message first and only then touches the tables, so a malformed update
 * leaves the cache as it was, and a reader (or an event listener) never sees half of a message applied.
 */
import type { Json, JsonObject } from '../wire/json.js';
import { isJsonObject } from '../wire/notation.js';
import { MisuseError, OvsdbError } from '../wire/errors.js';
import type { Row } from '../data/value.js';
import { evaluateConditions, type ParsedCondition } from '../data/condition.js';
import type { TableCache } from './table-cache.js';

export type ChangeKind = 'insert' | 'modify' | 'delete';

export interface RowChange {
  readonly table: string;
  readonly uuid: string;
  readonly kind: ChangeKind;
  /** The row before the change (modify, delete). */
  readonly old?: Row;
  /** The row after the change (insert, modify). */
  readonly new?: Row;
  /** For modify: the columns whose values changed. */
  readonly columns?: readonly string[];
}

/** Everything one update message (or one resync) changed, in order. */
export interface ChangeBatch {
  readonly db: string;
  /** The `last-txn-id` of an update3, when the server sends one. */
  readonly txnId?: string;
  /**
   * True when the batch is the difference between the cache before a reconnect (or a schema change)
   * and the server's fresh snapshot, rather than one transaction's update.
   */
  readonly resync: boolean;
  readonly changes: readonly RowChange[];
}

type Pending =
  | { table: TableCache; uuid: string; row: Row; old: Row | undefined; changed: readonly string[] | undefined }
  | { table: TableCache; uuid: string; row: undefined; old: Row };

export class DatabaseCache {
  readonly tables: ReadonlyMap<string, TableCache>;

  constructor(
    readonly db: string,
    tables: readonly TableCache[],
  ) {
    this.tables = new Map(tables.map((t) => [t.name, t]));
  }

  table(name: string): TableCache {
    const t = this.tables.get(name);
    if (!t)
      throw new MisuseError(
        'not-monitored',
        `table ${name} is not in this monitor's cache (it holds ${[...this.tables.keys()].join(', ')})`,
      );
    return t;
  }

  /** Total rows over all tables. */
  get size(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size;
    return n;
  }

  /**
   * Apply an `update2`/`update3` table-updates object (RFC 7047 ext §4.1.14). Rows inserted or in the
   * initial state omit default-valued columns; modifies carry diffs (sets toggle, maps add/remove/replace,
   * scalars the new value).
   */
  applyUpdate2(updates: Json): RowChange[] {
    const pending: Pending[] = [];
    for (const [table, tu] of this.tableUpdates(updates)) {
      for (const uuid in tu) {
        const ru = tu[uuid] as Json;
        if (!isJsonObject(ru)) throw malformed(table.name, uuid);
        const old = table.get(uuid);
        if (ru.initial !== undefined || ru.insert !== undefined) {
          pending.push({
            table,
            uuid,
            row: table.decodeRow(uuid, (ru.initial ?? ru.insert) as Json),
            old,
            changed: undefined,
          });
        } else if (ru.modify !== undefined) {
          // A server message that does not fit the cache: see malformed() for why an OvsdbError.
          if (!old)
            throw new OvsdbError(
              'syntax error',
              `modify of row ${uuid} in table ${table.name}, which the cache does not hold`,
            );
          const { row, changed } = table.applyModify(old, ru.modify);
          pending.push({ table, uuid, row, old, changed });
        } else if ('delete' in ru) {
          if (old) pending.push({ table, uuid, row: undefined, old });
        } else throw malformed(table.name, uuid);
      }
    }
    return this.commit(pending);
  }

  /**
   * Apply an RFC 7047 `update` (§4.1.6): `new` is the whole monitored row, `old` the previous values of
   * the changed columns. `filters` emulate `monitor_cond` conditions on servers that only have `monitor`:
   * a row that stops matching is reported deleted.
   */
  applyUpdate1(updates: Json, filters?: ReadonlyMap<string, readonly ParsedCondition[]>): RowChange[] {
    const pending: Pending[] = [];
    for (const [table, tu] of this.tableUpdates(updates)) {
      const filter = filters?.get(table.name);
      for (const uuid in tu) {
        const ru = tu[uuid] as Json;
        if (!isJsonObject(ru)) throw malformed(table.name, uuid);
        const old = table.get(uuid);
        if (ru.new !== undefined) {
          const row = table.decodeRow(uuid, ru.new);
          if (filter && filter.length > 0 && !evaluateConditions(filter, row, 'any')) {
            if (old) pending.push({ table, uuid, row: undefined, old });
            continue;
          }
          pending.push({ table, uuid, row, old, changed: old ? table.changedColumns(old, row) : undefined });
        } else if (ru.old !== undefined) {
          if (old) pending.push({ table, uuid, row: undefined, old });
        } else throw malformed(table.name, uuid);
      }
    }
    return this.commit(pending);
  }

  /**
   * Replace the whole cache with a fresh snapshot (`initial` rows, or v1 rows with `new`) and return the
   * true difference: rows that appeared, changed or vanished since the cache was last current. Rows that
   * did not change keep their object identity.
   */
  replaceWith(snapshot: Json, version: 1 | 2, filters?: ReadonlyMap<string, readonly ParsedCondition[]>): RowChange[] {
    const fresh = new Map<TableCache, Map<string, Row>>();
    for (const t of this.tables.values()) fresh.set(t, new Map());
    for (const [table, uuid, row] of this.snapshotRows(snapshot, version, filters))
      (fresh.get(table) as Map<string, Row>).set(uuid, row);
    const pending: Pending[] = [];
    for (const [table, rows] of fresh) {
      for (const [uuid, row] of rows) {
        const old = table.get(uuid);
        if (!old) pending.push({ table, uuid, row, old, changed: undefined });
        else {
          const changed = table.changedColumns(old, row);
          if (changed.length > 0) pending.push({ table, uuid, row, old, changed });
        }
      }
      for (const [uuid, old] of table.tableRows()) {
        if (!rows.has(uuid)) pending.push({ table, uuid, row: undefined, old });
      }
    }
    return this.commit(pending);
  }

  /**
   * Fill an empty cache from a snapshot, as `replaceWith` would, without computing the change list: for
   * a cache nobody has seen yet, every row is an insert nobody is told about. Skipping the staging maps
   * and the per-row change records roughly halves what an initial sync allocates besides the rows.
   * A malformed snapshot leaves the cache empty, as it was.
   */
  load(snapshot: Json, version: 1 | 2, filters?: ReadonlyMap<string, readonly ParsedCondition[]>): void {
    if (this.size > 0) throw new MisuseError('not-empty', 'load() fills an empty cache only; use replaceWith()');
    try {
      for (const [table, uuid, row] of this.snapshotRows(snapshot, version, filters)) table.put(uuid, row);
    } catch (err) {
      this.clear();
      throw err;
    }
  }

  /** Drop every row (no events: used when a monitor is closed). */
  clear(): void {
    for (const t of this.tables.values()) t.clear();
  }

  /** The whole rows of a snapshot (`initial`/`insert`, or v1 `new`), decoded, minus those `filters` exclude. */
  private *snapshotRows(
    snapshot: Json,
    version: 1 | 2,
    filters?: ReadonlyMap<string, readonly ParsedCondition[]>,
  ): Generator<[TableCache, string, Row]> {
    for (const [table, tu] of this.tableUpdates(snapshot)) {
      const filter = filters?.get(table.name);
      for (const uuid in tu) {
        const ru = tu[uuid] as Json;
        if (!isJsonObject(ru)) throw malformed(table.name, uuid);
        // A snapshot holds whole rows only; a diff or a delete here means the message is not what we
        // asked for, and silently skipping it would leave rows missing from the cache.
        const wire = version === 2 ? (ru.initial ?? ru.insert) : ru.new;
        if (wire === undefined) throw malformed(table.name, uuid);
        const row = table.decodeRow(uuid, wire);
        if (filter && filter.length > 0 && !evaluateConditions(filter, row, 'any')) continue;
        yield [table, uuid, row];
      }
    }
  }

  /** The monitored tables' table-updates; a malformed message throws as `malformed()` explains. */
  private *tableUpdates(updates: Json): Generator<[TableCache, JsonObject]> {
    if (!isJsonObject(updates)) throw new OvsdbError('syntax error', 'table-updates must be a JSON object');
    for (const name in updates) {
      const table = this.tables.get(name);
      const tu = updates[name] as Json;
      if (!table) continue; // not monitored here (schema skew or a server that sends more): ignore
      if (!isJsonObject(tu)) throw new OvsdbError('syntax error', `table-update for ${name} must be a JSON object`);
      yield [table, tu];
    }
  }

  private commit(pending: readonly Pending[]): RowChange[] {
    const changes = new Array<RowChange>(pending.length);
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i] as Pending;
      const name = p.table.name;
      if (p.row === undefined) {
        p.table.remove(p.uuid);
        changes[i] = { table: name, uuid: p.uuid, kind: 'delete', old: p.old };
      } else if (p.old === undefined) {
        p.table.put(p.uuid, p.row);
        changes[i] = { table: name, uuid: p.uuid, kind: 'insert', new: p.row };
      } else {
        const changed = p.changed ?? p.table.changedColumns(p.old, p.row);
        p.table.put(p.uuid, p.row, changed);
        changes[i] = { table: name, uuid: p.uuid, kind: 'modify', old: p.old, new: p.row, columns: changed };
      }
    }
    return changes;
  }
}

/**
 * A server message that is not valid table-updates. That is the server's fault, not the caller's, so not a
 * `MisuseError`; nor a `ProtocolError`, which means the JSON-RPC stream itself is broken and ends the
 * connection, whereas here the monitor resynchronises on the same one. It is a "syntax error", the kind
 * ovsdb-server's own IDL gives a `<table-updates>` it cannot parse (and ovsdb-server any malformed JSON).
 */
function malformed(table: string, uuid: string): OvsdbError {
  return new OvsdbError('syntax error', `malformed row-update for row ${uuid} of table ${table}`);
}
