/**
 * What the page and the engine (in its worker) say to each other. The engine holds the socket, the rows and
 * every view's index; the page asks for the rows it shows and gets them as small windows, so 100,000 rows
 * and a thousand changes a second never reach the main thread.
 */
import type { WireDatum, WireRow } from '@ovsdb-web/client/core';
import type { DatabaseStats, RemoteStatus } from '@ovsdb-web/protocol';
import type { FilterProblem } from '../store/filter.js';
import type { SortKey, ViewRow, ViewSpec } from '../store/view.js';

export interface ViewTarget {
  remote: string;
  db: string;
  table: string;
}

export type EngineRequest =
  | { type: 'connect'; base: string; token: string | undefined }
  /**
   * Start loading a table before any view of it opens (the page asks for the table in its URL as soon as its
   * script runs, before it has rendered or signed in): held until a view or watch of it takes over, or briefly.
   */
  | { type: 'table.prefetch'; target: ViewTarget }
  | { type: 'view.open'; view: number; target: ViewTarget; spec: ViewSpec }
  | { type: 'view.spec'; view: number; spec: ViewSpec }
  /** The rows the grid shows (with overscan), and the row to keep in place when rows arrive above it. */
  | { type: 'view.range'; view: number; start: number; end: number; anchor: string | undefined }
  /** The page could not use the last window (it named a row the page did not hold): send the next one whole. */
  | { type: 'view.refresh'; view: number }
  /** The page has painted the view's first rows: the rest of the snapshot may come (see `holdSnapshot`). */
  | { type: 'view.shown'; view: number }
  | { type: 'view.pause'; view: number }
  | { type: 'view.resume'; view: number }
  | { type: 'view.close'; view: number }
  | { type: 'view.find'; view: number; req: number; text: string }
  | { type: 'view.locate'; view: number; req: number; uuid: string }
  | { type: 'view.export'; view: number; req: number; format: 'csv' | 'json'; columns: string[] }
  | { type: 'row.watch'; watch: number; target: ViewTarget; uuid: string }
  | { type: 'row.unwatch'; watch: number }
  | { type: 'status.watch' }
  | { type: 'status.unwatch' }
  | { type: 'changes.watch'; watch: number; remote: string; db: string }
  | { type: 'changes.unwatch'; watch: number };

/**
 * The stream in one word. `loading`: connected, and a table's first snapshot is still arriving (its rows so far
 * are shown, changes to it only once it is complete); `resyncing`: a table's snapshot is being sent again.
 */
export type ConnectionIndicator =
  'connecting' | 'loading' | 'live' | 'reconnecting' | 'resyncing' | 'auth-failed' | 'closed';

export type ViewPhase = 'loading' | 'live' | 'resyncing' | 'failed';

export interface ViewState {
  phase: ViewPhase;
  /** Rows in the table. */
  total: number;
  /**
   * Rows the view shows (after the filter). While a first snapshot arrives, as of the last window sent (the
   * grid's height between its redraws; `total` is the rows so far).
   */
  count: number;
  paused: boolean;
  pending: number;
  problem: FilterProblem | undefined;
  error: string | undefined;
  /** The sort in effect (the default one when none was asked). */
  sort: readonly SortKey[];
}

export interface ViewWindow {
  start: number;
  rows: ViewRow[];
  /** Names of the rows that the window's references point to, by uuid. */
  labels: Record<string, string>;
  /** Where the anchor row is now; the grid scrolls by the difference so it stays put. */
  anchorIndex: number | undefined;
  anchor: string | undefined;
  version: number;
}

/**
 * A row of a window as sent: whole, or only named (`kept`) when the window sent before held the same version
 * of it with the same mark. Scrolling moves the window a few rows at a time, so most of its rows are ones the
 * page already has; copying them to the page again cost more main-thread time than rendering the new ones.
 */
export type WindowRow = ViewRow | KeptRow;

export interface KeptRow {
  uuid: string;
  rev: number;
  kept: true;
}

/** A window as sent (see `WindowRow`); the page rebuilds the `ViewWindow` from it and the window before. */
export interface WindowMessage extends Omit<ViewWindow, 'rows'> {
  rows: WindowRow[];
}

export interface ColumnChange {
  column: string;
  old?: WireDatum;
  new?: WireDatum;
}

export interface ChangeEntry {
  /** Unique within the page. */
  id: number;
  time: number;
  table: string;
  uuid: string;
  kind: 'insert' | 'modify' | 'delete';
  label: string | undefined;
  changes: ColumnChange[];
  /** Names of the rows its values reference, by uuid. */
  labels: Record<string, string>;
  resync: boolean;
}

export type EngineEvent =
  | { type: 'connection'; state: ConnectionIndicator; detail: string | undefined }
  | { type: 'view.state'; view: number; state: ViewState }
  | { type: 'view.window'; view: number; window: WindowMessage }
  | { type: 'reply'; req: number; result: ReplyResult }
  | {
      type: 'row';
      watch: number;
      phase: ViewPhase;
      row: WireRow | undefined;
      changedColumns: readonly string[] | undefined;
      at: number;
      error: string | undefined;
    }
  | { type: 'status'; remotes: RemoteStatus[]; databases: DatabaseStats[] }
  | { type: 'changes'; watch: number; entries: ChangeEntry[]; error: string | undefined }
  /** Timing marks for benchmarks: absolute times (ms since the Unix epoch, sub-millisecond). */
  | { type: 'perf'; mark: 'snapshot-start' | 'snapshot'; table: string; rows: number; at: number };

export type ReplyResult =
  | { kind: 'find'; indexes: number[] }
  | { kind: 'locate'; index: number }
  | { kind: 'export'; text: string; rows: number }
  | { kind: 'error'; message: string };
