/**
 * One subscription of one browser: which tables, rows (`where`, all clauses must hold) and columns it wants,
 * and the changes waiting to be sent, coalesced per row so that a busy row costs one message per flush:
 *   insert + modify → insert (the newest row)      insert + delete → nothing
 *   modify + modify → modify (union of columns)     modify + delete → delete
 *   delete + insert → insert (the row the client holds is replaced)
 * A row that starts matching `where` is sent as an insert, one that stops matching as a delete.
 */
import {
  evaluateConditions,
  parseConditions,
  type ParsedCondition,
  type Row,
  type RowChange,
  type TableSchema,
} from '@ovsdb-web/client';
import type { EncodedRowDelta, SubscribeMessage } from '@ovsdb-web/protocol';
import { ApiError, badRequest, notFound } from '../plugins/errors.js';
import type { Feed } from '../feeds/feed.js';

export class Subscription {
  readonly tables: ReadonlySet<string>;
  private readonly filters = new Map<string, readonly ParsedCondition[]>();
  private readonly columns = new Map<string, ReadonlySet<string>>();
  private readonly columnsKey = new Map<string, string>();
  /** Coalesced changes not yet sent, by `table/uuid`; Map order keeps each row's first position. */
  pending = new Map<string, EncodedRowDelta>();
  pendingResync = false;
  /** The feed seq the client will be at once everything queued so far is applied. */
  seq = 0;
  snapshotting = false;
  unsubscribe: (() => void) | undefined;
  readonly withSnapshot: boolean;
  /** Hold the first snapshot after its first chunk (`holdSnapshot`); cleared once it has been held. */
  holdSnapshot: boolean;
  /** Ends the hold in progress, if any (`snapshot-continue`, unsubscribe, close). */
  endHold: (() => void) | undefined;
  readonly withOld: boolean;

  /** Checks the request against the feed's schema; every mistake is a 4xx `ApiError`. */
  constructor(
    readonly id: string,
    readonly feed: Feed,
    msg: Pick<SubscribeMessage, 'db' | 'tables' | 'where' | 'columns' | 'snapshot' | 'old' | 'holdSnapshot'>,
  ) {
    const available = feed.tableNames();
    const tables = msg.tables && msg.tables.length > 0 ? msg.tables : available;
    for (const t of tables)
      if (!feed.table(t))
        throw notFound(`table ${t} is not monitored in ${msg.db} (monitored: ${available.join(', ')})`);
    this.tables = new Set(tables);
    this.withSnapshot = msg.snapshot !== false;
    this.withOld = msg.old === true;
    this.holdSnapshot = msg.holdSnapshot === true;
    for (const [t, where] of Object.entries(msg.where ?? {})) {
      const schema = feed.table(t);
      if (!schema || !this.tables.has(t))
        throw badRequest(`where names table ${t}, which this subscription does not include`);
      try {
        this.filters.set(t, parseConditions(schema, where));
      } catch (err) {
        throw err instanceof ApiError ? err : badRequest(`where for ${t}: ${(err as Error).message}`);
      }
    }
    for (const [t, cols] of Object.entries(msg.columns ?? {})) {
      const schema = feed.table(t);
      if (!schema || !this.tables.has(t))
        throw badRequest(`columns names table ${t}, which this subscription does not include`);
      for (const c of cols)
        if (!schema.columns.has(c) && c !== '_uuid' && c !== '_version')
          throw badRequest(`no column ${c} in table ${t}`);
      this.columns.set(t, new Set(cols));
    }
  }

  matches(table: string, row: Row | undefined): boolean {
    if (!row) return false;
    const f = this.filters.get(table);
    return !f || evaluateConditions(f, row, 'all');
  }

  /** The row as JSON text, projected to the subscribed columns; encoded once per row version and projection. */
  rowJson(table: TableSchema, row: Row): string {
    const cols = this.columns.get(table.name);
    if (!cols) return this.feed.json(table, row);
    let key = this.columnsKey.get(table.name);
    if (key === undefined) this.columnsKey.set(table.name, (key = [...cols].sort().join(',')));
    return this.feed.json(table, row, cols, key);
  }

  /** Fold one cache change into the pending set, as seen through this subscription's filter. */
  add(change: RowChange): void {
    if (!this.tables.has(change.table)) return;
    const table = this.feed.table(change.table);
    if (!table) return;
    const was = this.matches(change.table, change.old);
    const is = this.matches(change.table, change.new);
    if (!was && !is) return;
    let delta: EncodedRowDelta;
    const base = { table: change.table, uuid: change.uuid };
    const old = this.withOld && was && change.old ? { oldJson: this.rowJson(table, change.old) } : {};
    if (!was) delta = { ...base, kind: 'insert', rowJson: this.rowJson(table, change.new as Row) };
    else if (!is) delta = { ...base, kind: 'delete', ...old };
    else {
      const cols = this.columns.get(change.table);
      const changed = (change.columns ?? []).filter((c) => !cols || cols.has(c));
      if (change.columns && changed.length === 0) return; // only columns this client did not ask for
      delta = { ...base, kind: 'modify', rowJson: this.rowJson(table, change.new as Row), columns: changed, ...old };
    }
    const key = `${change.table}/${change.uuid}`;
    const prev = this.pending.get(key);
    const merged = prev ? coalesce(prev, delta) : delta;
    if (merged) this.pending.set(key, merged);
    else this.pending.delete(key);
  }

  /** Take what is pending, in order, leaving nothing behind. */
  take(): { changes: EncodedRowDelta[]; resync: boolean } {
    const changes = [...this.pending.values()];
    const resync = this.pendingResync;
    this.pending = new Map();
    this.pendingResync = false;
    return { changes, resync };
  }

  /** Forget what is pending (the client will get a fresh snapshot instead). */
  drop(): void {
    this.pending = new Map();
    this.pendingResync = false;
  }
}

/** The one change that has the effect of `prev` followed by `next` on the same row, or undefined for none. */
export function coalesce(prev: EncodedRowDelta, next: EncodedRowDelta): EncodedRowDelta | undefined {
  if (prev.kind === 'insert') {
    if (next.kind === 'delete') return undefined;
    return {
      table: next.table,
      uuid: next.uuid,
      kind: 'insert',
      ...(next.rowJson !== undefined ? { rowJson: next.rowJson } : {}),
    };
  }
  if (prev.kind === 'modify' && next.kind === 'modify') {
    const columns = [...new Set([...(prev.columns ?? []), ...(next.columns ?? [])])];
    // The client's "before" is the row before the first of the two changes.
    return { ...next, columns, ...(prev.oldJson !== undefined ? { oldJson: prev.oldJson } : {}) };
  }
  if (prev.kind === 'modify' && next.kind === 'delete') {
    return { ...next, ...(prev.oldJson !== undefined ? { oldJson: prev.oldJson } : {}) };
  }
  // delete then insert: the client replaces the row it holds.
  return next;
}
