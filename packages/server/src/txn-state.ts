/**
 * The copy-on-write overlay a transaction works on. Committed rows are never modified: a transaction
 * records, per touched row, the committed version (`old`) and its own current version (`new`), and every
 * read goes through the overlay. Aborting is dropping the overlay; committing hands its changes to
 * `Database.apply`. Cost is proportional to the rows touched, except for scans, which a `where` on `_uuid`
 * or on all columns of a unique index avoids.
 */
import { evaluateConditions, type ConditionClause, type Datum, type Row } from '@ovsdb-web/client';
import type { DataCondition } from './data-types.js';
import { indexKey, datumKey, type Database, type TableStore, type UniqueIndex } from './database.js';

export class TxnRow {
  /** Strong references to this row as of the transaction's current state (precommit keeps it current). */
  nRefs: number;
  /** Columns whose value differs from `old`; filled in at precommit. */
  changed: Set<string> | undefined;
  /** Set when the row left the transaction (inserted then deleted, or modified back to its old value). */
  dropped = false;

  /** The current version; undefined once deleted. Written only through `TxnState.setNew`. */
  new: Row | undefined;

  constructor(
    readonly table: TableStore,
    readonly uuid: string,
    readonly old: Row | undefined,
    current: Row | undefined,
  ) {
    this.new = current;
    this.nRefs = old === undefined ? 0 : table.strongRefs(uuid);
  }
}

export class TxnState {
  private readonly byTable = new Map<string, Map<string, TxnRow>>();
  /** Per unique index, key → UUIDs of transaction rows whose current version has that key. */
  private readonly overlayIndexes = new Map<UniqueIndex, Map<string, Set<string>>>();
  /** Every row that entered the transaction, in order; precommit walks this (and what it appends). */
  readonly order: TxnRow[] = [];

  constructor(readonly db: Database) {}

  find(table: TableStore, uuid: string): TxnRow | undefined {
    return this.byTable.get(table.name)?.get(uuid);
  }

  rowsOf(table: TableStore): ReadonlyMap<string, TxnRow> | undefined {
    return this.byTable.get(table.name);
  }

  /** Tables the transaction touched, in the order it first touched them. */
  touchedTables(): IterableIterator<string> {
    return this.byTable.keys();
  }

  get isEmpty(): boolean {
    return this.byTable.size === 0;
  }

  /** The row as the transaction currently sees it. */
  get(table: TableStore, uuid: string): Row | undefined {
    const tr = this.find(table, uuid);
    return tr === undefined ? table.rows.get(uuid) : tr.new;
  }

  /** Whether a UUID was ever in use in the table, committed or within this transaction. */
  uuidTaken(table: TableStore, uuid: string): boolean {
    return table.rows.has(uuid) || this.find(table, uuid) !== undefined;
  }

  private add(tr: TxnRow): TxnRow {
    let m = this.byTable.get(tr.table.name);
    if (m === undefined) this.byTable.set(tr.table.name, (m = new Map<string, TxnRow>()));
    m.set(tr.uuid, tr);
    this.order.push(tr);
    this.indexRow(tr, tr.new, 1);
    return tr;
  }

  /** Change a transaction row's current version; every write to `tr.new` goes through here. */
  setNew(tr: TxnRow, row: Row | undefined): void {
    if (tr.new === row) return;
    this.indexRow(tr, tr.new, -1);
    tr.new = row;
    this.indexRow(tr, row, 1);
  }

  private indexRow(tr: TxnRow, row: Row | undefined, delta: 1 | -1): void {
    if (row === undefined) return;
    for (const index of tr.table.indexes) {
      let m = this.overlayIndexes.get(index);
      if (m === undefined) this.overlayIndexes.set(index, (m = new Map<string, Set<string>>()));
      const key = indexKey(row, index.columns);
      let set = m.get(key);
      if (delta > 0) {
        if (set === undefined) m.set(key, (set = new Set()));
        set.add(tr.uuid);
      } else if (set !== undefined) {
        set.delete(tr.uuid);
        if (set.size === 0) m.delete(key);
      }
    }
  }

  /** The transaction's record of a row, pulling a committed row in unchanged if needed. */
  findOrMake(table: TableStore, uuid: string): TxnRow | undefined {
    const tr = this.find(table, uuid);
    if (tr !== undefined) return tr;
    const row = table.rows.get(uuid);
    return row === undefined ? undefined : this.add(new TxnRow(table, uuid, row, row));
  }

  insert(table: TableStore, row: Row): void {
    this.add(new TxnRow(table, row._uuid as string, undefined, row));
  }

  /** Replace the current version of an existing row. */
  modify(table: TableStore, uuid: string, row: Row): void {
    const tr = this.findOrMake(table, uuid);
    if (tr !== undefined) this.setNew(tr, row);
  }

  delete(table: TableStore, uuid: string): void {
    const tr = this.findOrMake(table, uuid);
    if (tr === undefined) return;
    if (tr.old === undefined) {
      // Inserted and deleted by the same transaction: as if it never was (references to it now dangle).
      this.drop(tr);
    } else {
      this.setNew(tr, undefined);
    }
  }

  drop(tr: TxnRow): void {
    this.indexRow(tr, tr.new, -1);
    tr.dropped = true;
    this.byTable.get(tr.table.name)?.delete(tr.uuid);
  }

  /** Number of rows the table will hold if the transaction commits now. */
  rowCount(table: TableStore): number {
    let n = table.rows.size;
    const m = this.byTable.get(table.name);
    if (m !== undefined) {
      for (const tr of m.values()) {
        if (tr.old === undefined && tr.new !== undefined) n++;
        else if (tr.old !== undefined && tr.new === undefined) n--;
      }
    }
    return n;
  }

  /**
   * Call `fn` for every row (current version) that satisfies all `conds`, until it returns false (a visitor
   * that returns nothing sees every row). `fn` may modify or delete the row it is given.
   */
  query(table: TableStore, conds: readonly DataCondition[], fn: ((row: Row) => boolean) | ((row: Row) => void)): void {
    const candidates = this.candidates(table, conds);
    if (candidates !== undefined) {
      for (const row of candidates) if (evaluateConditions(conds, row) && fn(row) === false) return;
      return;
    }
    const overlay = this.byTable.get(table.name);
    for (const [uuid, committed] of table.rows) {
      const tr = overlay?.get(uuid);
      const row = tr === undefined ? committed : tr.new;
      if (row !== undefined && evaluateConditions(conds, row) && fn(row) === false) return;
    }
    if (overlay !== undefined) {
      // Rows inserted by this transaction; copied because `fn` may change the overlay.
      for (const tr of [...overlay.values()]) {
        if (tr.old !== undefined || tr.new === undefined || tr.dropped) continue;
        const row = tr.new;
        if (evaluateConditions(conds, row) && fn(row) === false) return;
      }
    }
  }

  /**
   * A short list of rows that contains every match, when the conditions pin `_uuid` or every column of a
   * unique index with `==`; undefined when only a scan will do.
   */
  private candidates(table: TableStore, conds: readonly DataCondition[]): Row[] | undefined {
    let eq: Map<string, Datum> | undefined;
    for (const c of conds) {
      if (typeof c === 'boolean' || c.function !== '==') continue;
      const clause: ConditionClause = c;
      if (clause.column === '_uuid' && typeof clause.value === 'string') {
        const row = this.get(table, clause.value);
        return row === undefined ? [] : [row];
      }
      (eq ??= new Map()).set(clause.column, clause.value);
    }
    if (eq === undefined) return undefined;
    const index = table.indexes.find((ix) => ix.columns.every((col) => eq.has(col.name)));
    if (index === undefined) return undefined;
    return this.indexCandidates(table, index, eq);
  }

  private indexCandidates(table: TableStore, index: UniqueIndex, eq: Map<string, Datum>): Row[] {
    const out: Row[] = [];
    const key =
      index.columns.length === 1
        ? datumKey(eq.get((index.columns[0] as { name: string }).name) as Datum)
        : indexKey(Object.fromEntries(index.columns.map((c) => [c.name, eq.get(c.name) as Datum])), index.columns);
    const overlay = this.byTable.get(table.name);
    const uuid = index.rows.get(key);
    if (uuid !== undefined && overlay?.has(uuid) !== true) {
      const row = table.rows.get(uuid);
      if (row !== undefined) out.push(row);
    }
    // Rows the transaction touched that have the key now.
    const touched = this.overlayIndexes.get(index)?.get(key);
    if (touched !== undefined) {
      for (const u of touched) {
        const row = overlay?.get(u)?.new;
        if (row !== undefined) out.push(row);
      }
    }
    return out;
  }
}
