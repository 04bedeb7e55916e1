/**
 * Commit-time checks and fix-ups, in ovsdb-server's order, each of which may fail the whole transaction
 * with an error that the reply carries as one extra element after the operations' results:
 *
 *  1. drop rows whose "modification" changed nothing;
 *  2. strong references: count them, refuse references to missing rows and deleting referenced rows;
 *  3. garbage-collect rows of non-root tables that nothing references any more (repeatedly);
 *  4. maxRows;
 *  5. weak references: remove references to rows that are gone, then enforce the column's minimum size;
 *  6. unique indexes;
 *  7. a fresh `_version` for every modified row.
 *
 * The result is the list of real row changes for `Database.apply`, monitors, history and the log.
 */
import {
  OvsdbError,
  compareDatums,
  datumEquals,
  datumText,
  isMapDatum,
  type Atom,
  type ColumnSchema,
  type Datum,
  type Row,
} from '@ovsdb-web/client';
import { forEachRef, indexKey, newUuid, strongRefChanges, type CommitChange, type TableStore } from './database.js';
import type { TxnRow, TxnState } from './txn-state.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Validate the transaction's changes; returns the changes to apply, or the commit error. */
export function precommit(txn: TxnState): CommitChange[] | OvsdbError {
  determineChanges(txn);
  const refError = updateRefCounts(txn);
  if (refError) return refError;
  collectGarbage(txn);
  const maxRowsError = checkMaxRows(txn);
  if (maxRowsError) return maxRowsError;
  const weakError = assessWeakRefs(txn);
  if (weakError) return weakError;
  const indexError = checkIndexes(txn);
  if (indexError) return indexError;
  return finish(txn);
}

/** Visit every live transaction row, including rows added while visiting. */
function forEachRow(txn: TxnState, fn: (tr: TxnRow) => OvsdbError | undefined): OvsdbError | undefined {
  // An array iterator reads the length at every step, so rows pushed while visiting are visited too.
  for (const tr of txn.order) {
    if (tr.dropped) continue;
    const err = fn(tr);
    if (err) return err;
  }
  return undefined;
}

function determineChanges(txn: TxnState): void {
  forEachRow(txn, (tr) => {
    if (tr.old !== undefined && tr.new !== undefined) {
      const changed = new Set<string>();
      for (const col of tr.table.columns) {
        const a = tr.old[col.name] as Datum;
        const b = tr.new[col.name] as Datum;
        if (a !== b && !datumEquals(col.type, a, b)) changed.add(col.name);
      }
      if (changed.size === 0) {
        // Restores the committed version: the row no longer takes part.
        txn.setNew(tr, tr.old);
        txn.drop(tr);
      } else {
        tr.changed = changed;
      }
    } else {
      tr.changed = new Set(tr.table.columns.map((c) => c.name));
    }
    return undefined;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Strong references

function refIntegrityError(tr: TxnRow, col: ColumnSchema, uuid: string, target: string): OvsdbError {
  return new OvsdbError(
    'referential integrity violation',
    `Table ${tr.table.name} column ${col.name} row ${tr.uuid} references nonexistent row ${uuid} in table ${target}.`,
  );
}

function updateRefCounts(txn: TxnState): OvsdbError | undefined {
  const err = forEachRow(txn, (tr) => {
    const changed = tr.changed;
    if (changed === undefined) return undefined; // pulled in by another row's references
    for (const col of tr.table.refColumns.strong) {
      if (!changed.has(col.name)) continue;
      const before = tr.old?.[col.name];
      const after = tr.new?.[col.name];
      const { removed, added } = strongRefChanges(col, before, after);
      for (const [t, u] of removed) adjust(txn, tr, t, u, -1);
      for (const [t, u] of added) {
        if (!adjust(txn, tr, t, u, 1)) return refIntegrityError(tr, col, u, t);
      }
    }
    return undefined;
  });
  if (err) return err;
  return forEachRow(txn, (tr) => {
    if (tr.new !== undefined || tr.nRefs === 0) return undefined;
    return new OvsdbError(
      'referential integrity violation',
      `cannot delete ${tr.table.name} row ${tr.uuid} because of ${tr.nRefs} remaining reference(s)`,
    );
  });
}

/** Count one reference from `src` to `table`/`uuid`; false when no such row exists or ever existed here. */
function adjust(txn: TxnState, src: TxnRow, table: string, uuid: string, delta: number): boolean {
  if (uuid === src.uuid) return true; // self references do not count
  const t = txn.db.table(table);
  const target = t === undefined ? undefined : txn.findOrMake(t, uuid);
  if (target === undefined) return false;
  target.nRefs += delta;
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Garbage collection

function collectGarbage(txn: TxnState): void {
  forEachRow(txn, (tr) => {
    if (tr.new !== undefined && tr.nRefs === 0) deleteGarbage(txn, tr);
    return undefined;
  });
}

function deleteGarbage(txn: TxnState, tr: TxnRow): void {
  if (tr.table.isRoot || tr.new === undefined) return;
  const row = tr.new;
  txn.setNew(tr, undefined);
  tr.changed = new Set(tr.table.columns.map((c) => c.name));
  for (const col of tr.table.refColumns.strong) {
    forEachRef(col.type, row[col.name] as Datum, 'strong', (t, u) => {
      if (u === tr.uuid) return;
      const ts = txn.db.table(t);
      const target = ts === undefined ? undefined : txn.findOrMake(ts, u);
      if (target?.new === undefined) return;
      target.nRefs -= 1;
      if (target.nRefs === 0) deleteGarbage(txn, target);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// maxRows

function checkMaxRows(txn: TxnState): OvsdbError | undefined {
  for (const name of txn.touchedTables()) {
    const table = txn.db.table(name) as TableStore;
    const max = table.schema.maxRows;
    if (max === undefined) continue;
    const n = txn.rowCount(table);
    if (n > max) {
      return new OvsdbError(
        'constraint violation',
        `transaction causes "${name}" table to contain ${n} rows, greater than the schema-defined limit of ${max} row(s)`,
      );
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Weak references

function assessWeakRefs(txn: TxnState): OvsdbError | undefined {
  return forEachRow(txn, (tr) => {
    if (tr.old !== undefined && tr.new === undefined) {
      // Rows that point at this one weakly must drop those references: bring them into the transaction.
      const referrers = tr.table.weakReferrers.get(tr.uuid);
      if (referrers !== undefined) {
        for (const ref of referrers) {
          const i = ref.indexOf('\n');
          const src = txn.db.table(ref.slice(0, i));
          if (src !== undefined) txn.findOrMake(src, ref.slice(i + 1));
        }
      }
      return undefined;
    }
    if (tr.new === undefined || tr.table.refColumns.weak.length === 0) return undefined;
    return removeDanglingWeakRefs(txn, tr);
  });
}

function removeDanglingWeakRefs(txn: TxnState, tr: TxnRow): OvsdbError | undefined {
  let row = tr.new as Row;
  for (const col of tr.table.refColumns.weak) {
    const d = row[col.name] as Datum;
    const type = col.type;
    const keyTable = type.key.refType === 'weak' ? txn.db.table(type.key.refTable as string) : undefined;
    const valueTable = type.value?.refType === 'weak' ? txn.db.table(type.value.refTable as string) : undefined;
    let zerosDropped = 0; // a number, not a flag: TypeScript does not see the closure below set a flag
    const alive = (table: TableStore | undefined, a: Atom): boolean => {
      if (table === undefined || typeof a !== 'string') return true;
      if (a === tr.uuid && table === tr.table) return true;
      if (txn.get(table, a) !== undefined) return true;
      if (a === ZERO_UUID) zerosDropped++;
      return false;
    };
    let next: Datum;
    let before: number;
    let after: number;
    if (isMapDatum(d)) {
      before = d.size;
      const m = new Map<Atom, Atom>();
      for (const [k, v] of d) if (alive(keyTable, k) && alive(valueTable, v)) m.set(k, v);
      after = m.size;
      next = after === before ? d : m;
    } else if (Array.isArray(d)) {
      before = d.length;
      const kept = (d as readonly Atom[]).filter((a) => alive(keyTable, a));
      after = kept.length;
      next = after === before ? d : kept;
    } else {
      before = 1;
      after = alive(keyTable, d as Atom) ? 1 : 0;
      next = d;
    }
    if (after === before) continue;
    row = { ...row, [col.name]: next };
    (tr.changed ??= new Set()).add(col.name);
    if (after < type.min) {
      txn.setNew(tr, row);
      if (zerosDropped > 0 && tr.old === undefined) {
        return new OvsdbError(
          'constraint violation',
          `Weak reference column "${col.name}" in "${tr.table.name}" row ${tr.uuid} (inserted within this transaction) contained all-zeros UUID (probably as the default value for this column) but deleting this value caused a constraint volation because this column is not allowed to be empty.`,
        );
      }
      return new OvsdbError(
        'constraint violation',
        `Deletion of ${before - after} weak reference(s) to deleted (or never-existing) rows from column "${col.name}" in "${tr.table.name}" row ${tr.uuid} ${tr.old === undefined ? '(inserted within this transaction) ' : ''}caused this column to become empty, but constraints on this column disallow an empty column.`,
      );
    }
  }
  if (row !== tr.new) txn.setNew(tr, row);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Unique indexes

function checkIndexes(txn: TxnState): OvsdbError | undefined {
  const seen = new Map<object, Map<string, TxnRow>>();
  return forEachRow(txn, (tr) => {
    const row = tr.new;
    if (row === undefined) return undefined;
    for (const index of tr.table.indexes) {
      const key = indexKey(row, index.columns);
      let mine = seen.get(index);
      if (mine === undefined) seen.set(index, (mine = new Map<string, TxnRow>()));
      const other = mine.get(key);
      if (other !== undefined) return indexClash(txn, index.columns, describeTxnRow(other), describeTxnRow(tr));
      const committed = index.rows.get(key);
      if (committed !== undefined && txn.find(tr.table, committed) === undefined) {
        const crow = tr.table.rows.get(committed) as Row;
        return indexClash(txn, index.columns, { row: crow, uuid: committed, txn: undefined }, describeTxnRow(tr));
      }
      mine.set(key, tr);
    }
    return undefined;
  });
}

interface ClashRow {
  row: Row;
  uuid: string;
  txn: TxnRow | undefined;
}

function describeTxnRow(tr: TxnRow): ClashRow {
  return { row: tr.new as Row, uuid: tr.uuid, txn: tr };
}

function indexClash(txn: TxnState, columns: readonly ColumnSchema[], x: ClashRow, y: ClashRow): OvsdbError {
  const table = (x.txn?.table ?? y.txn?.table) as TableStore;
  // ovsdb-server names the rows in a fixed order so that the message is reproducible: the greater row by
  // all of its columns comes first.
  let [a, b] = [x, y];
  if (compareRows(table, a.row, b.row) < 0) [a, b] = [b, a];
  const values = columns.map((c) => datumText(c.type, a.row[c.name] as Datum)).join(', ');
  const names = columns.map((c) => `"${c.name}"`);
  const on = columns.length === 1 ? `column ${names[0]}` : `columns ${englishList(names)}`;
  return new OvsdbError(
    'constraint violation',
    `Transaction causes multiple rows in "${table.name}" table to have identical values (${values}) for index on ${on}.  First row, with UUID ${a.uuid}, ${clashRowText(txn, columns, a)}  Second row, with UUID ${b.uuid}, ${clashRowText(txn, columns, b)}`,
  );
}

function englishList(items: string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

function compareRows(table: TableStore, a: Row, b: Row): number {
  for (const name of table.columnOrder) {
    const c = compareDatums(a[name] as Datum, b[name] as Datum);
    if (c !== 0) return c;
  }
  return 0;
}

function clashRowText(_txn: TxnState, columns: readonly ColumnSchema[], r: ClashRow): string {
  const tr = r.txn;
  if (tr?.changed === undefined || tr.changed.size === 0) {
    return 'existed in the database before this transaction and was not modified by the transaction.';
  }
  if (tr.old === undefined) return 'was inserted by this transaction.';
  const old = tr.old;
  if (columns.every((c) => datumEquals(c.type, old[c.name] as Datum, r.row[c.name] as Datum))) {
    return "existed in the database before this transaction, which modified some of the row's columns but not any columns in this index.";
  }
  const values = columns.map((c) => datumText(c.type, old[c.name] as Datum)).join(', ');
  return `had the following index values before the transaction: ${values}.`;
}

// ---------------------------------------------------------------------------------------------------------

function finish(txn: TxnState): CommitChange[] {
  const changes: CommitChange[] = [];
  for (const tr of txn.order) {
    if (tr.dropped) continue;
    if (tr.old === undefined && tr.new === undefined) continue;
    if (tr.old !== undefined && tr.new !== undefined) {
      if (tr.changed === undefined || tr.changed.size === 0) continue;
      const row = { ...tr.new, _version: newUuid() };
      txn.setNew(tr, row);
    }
    changes.push({ table: tr.table.name, uuid: tr.uuid, old: tr.old, new: tr.new });
  }
  return changes;
}
