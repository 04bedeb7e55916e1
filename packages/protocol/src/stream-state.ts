/**
 * The subscriber's side of the stream, headless: `applyServerMessage(state, msg)` folds the gateway's
 * messages for one subscription into its rows and resume cursor, and says what changed. The browser's store
 * and the gateway's tests both run it, so "what a subscriber sees" has one definition.
 *
 * A snapshot is staged and swapped in whole when its last chunk arrives, so a resync never shows a half
 * table. Rows are never mutated; a table's `TableRows` are updated in place (a copy per delta would cost
 * O(rows)) and the returned `changes` carry each row as it was and as it is, which is what a view needs to
 * update itself.
 */
import type { WireRow } from '@ovsdb-web/client/core';
import type { ErrorInfo } from './errors.js';
import type { Cursor, DeltaKind, ServerMessage } from './stream.js';
import { TableRows } from './table-rows.js';

export type SubscriptionPhase = 'subscribing' | 'snapshot' | 'live' | 'failed';

export interface SubscriptionState {
  readonly id: string;
  /** false for a change-log subscription: no snapshot, only changes. */
  readonly snapshot: boolean;
  phase: SubscriptionPhase;
  /** The last batch applied; what to resume from after a reconnect. */
  cursor: Cursor | undefined;
  /** Tables the gateway confirmed for this subscription. */
  tables: readonly string[];
  rows: Map<string, TableRows>;
  /** A snapshot being received. */
  staging: Map<string, TableRows> | undefined;
  error: ErrorInfo | undefined;
}

export function createSubscriptionState(id: string, opts: { snapshot?: boolean } = {}): SubscriptionState {
  return {
    id,
    snapshot: opts.snapshot !== false,
    phase: 'subscribing',
    cursor: undefined,
    tables: [],
    rows: new Map(),
    staging: undefined,
    error: undefined,
  };
}

export interface AppliedChange {
  table: string;
  uuid: string;
  kind: DeltaKind;
  /** The row now (insert, modify). */
  row?: WireRow;
  /** The row before (modify, delete; an insert that replaced a row the subscriber held). */
  old?: WireRow;
  /** For modify: the columns that changed. */
  columns?: readonly string[];
}

export interface SnapshotChunk {
  table: string;
  rows: readonly WireRow[];
}

export type Applied =
  | { kind: 'subscribed'; resumed: boolean }
  /**
   * A chunk of a snapshot still arriving, with its rows (already staged): a first load can show them before
   * the rest comes.
   */
  | { kind: 'snapshot-chunk'; chunk: SnapshotChunk }
  /** The snapshot is complete and replaced every table's rows; `chunk` is its final chunk. */
  | { kind: 'snapshot'; tables: readonly string[]; chunk: SnapshotChunk }
  | { kind: 'delta'; changes: AppliedChange[]; resync: boolean; time: number }
  /** The subscriber fell behind; a fresh snapshot follows (the current rows stay until it is complete). */
  | { kind: 'resync'; reason: string }
  | { kind: 'error'; error: ErrorInfo }
  | { kind: 'ignored'; reason: string };

/** Fold one message for this subscription into `state`. Messages for other ids are the caller's to route. */
export function applyServerMessage(state: SubscriptionState, msg: ServerMessage): Applied {
  switch (msg.type) {
    case 'subscribed':
      state.tables = msg.tables;
      state.error = undefined;
      if (msg.resumed) {
        state.phase = 'live';
        state.cursor = { epoch: msg.epoch, seq: state.cursor?.seq ?? msg.seq };
      } else if (state.snapshot) {
        state.phase = 'snapshot';
        state.staging = undefined;
      } else {
        state.phase = 'live';
        state.cursor = { epoch: msg.epoch, seq: msg.seq };
      }
      return { kind: 'subscribed', resumed: msg.resumed };
    case 'snapshot': {
      if (state.phase !== 'snapshot') return { kind: 'ignored', reason: `snapshot while ${state.phase}` };
      if (!state.staging) {
        state.staging = new Map();
        for (const t of state.tables) state.staging.set(t, new TableRows());
      }
      let rows = state.staging.get(msg.table);
      if (!rows) state.staging.set(msg.table, (rows = new TableRows()));
      rows.setRows(msg.rows);
      const chunk = { table: msg.table, rows: msg.rows };
      if (!msg.last) return { kind: 'snapshot-chunk', chunk };
      state.rows = state.staging;
      state.staging = undefined;
      state.cursor = { epoch: msg.epoch, seq: msg.seq };
      state.phase = 'live';
      return { kind: 'snapshot', tables: [...state.rows.keys()], chunk };
    }
    case 'delta': {
      if (state.phase !== 'live') return { kind: 'ignored', reason: `delta while ${state.phase}` };
      if (state.cursor && msg.epoch !== state.cursor.epoch)
        return { kind: 'ignored', reason: 'delta from another epoch' };
      if (state.cursor && msg.seq <= state.cursor.seq)
        return { kind: 'ignored', reason: `delta ${msg.seq} already applied` };
      const changes: AppliedChange[] = [];
      for (const c of msg.changes) {
        let rows = state.rows.get(c.table);
        if (!rows) state.rows.set(c.table, (rows = new TableRows()));
        const old = rows.get(c.uuid) ?? c.old;
        const applied: AppliedChange = { table: c.table, uuid: c.uuid, kind: c.kind };
        if (old) applied.old = old;
        if (c.kind === 'delete') rows.delete(c.uuid);
        else if (c.row) {
          rows.set(c.uuid, c.row);
          applied.row = c.row;
        }
        if (c.columns) applied.columns = c.columns;
        changes.push(applied);
      }
      state.cursor = { epoch: msg.epoch, seq: msg.seq };
      return { kind: 'delta', changes, resync: msg.resync === true, time: msg.time };
    }
    case 'resync':
      state.phase = 'snapshot';
      state.staging = undefined;
      return { kind: 'resync', reason: msg.reason };
    case 'error':
      state.phase = 'failed';
      state.error = msg.error;
      return { kind: 'error', error: msg.error };
    case 'status':
    case 'pong':
      return { kind: 'ignored', reason: `${msg.type} is not about a subscription` };
  }
}
