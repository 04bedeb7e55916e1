/**
 * One database as the server serves it: the committed state, its transaction history, the monitors that
 * watch it, and the pending transactions (`wait` with a timeout) that are re-run after each commit until
 * they complete or time out, as ovsdb-server's triggers are.
 *
 * `commit` is the single place where changes become visible: it applies them, records them in the history
 * and the log, and delivers every monitor's updates synchronously, so that they are written before the
 * reply to the transaction that caused them.
 */
import { parseDatabaseSchema, type Json, type JsonObject, ZERO_UUID } from '@ovsdb-web/client';
import { Database, newUuid, type CommitChange } from './database.js';
import { TxnHistory } from './history.js';
import { executeTransaction, type ExecuteOptions, type TransactOutcome } from './transaction.js';

export interface CommitInfo {
  readonly txnId: string;
  readonly changes: readonly CommitChange[];
  readonly comments: readonly string[];
  readonly durable: boolean;
}

export type CommitListener = (db: ServedDatabase, commit: CommitInfo) => void;

/** A transaction waiting for its `wait` operations to be satisfied. */
export interface Trigger {
  readonly operations: readonly Json[];
  readonly options: Omit<ExecuteOptions, 'elapsedMs'>;
  /** `performance.now()`-style time the request arrived, in ms. */
  readonly received: number;
  /** Called once with the final results (not called when cancelled). */
  readonly complete: (results: Json[]) => void;
  timer?: ReturnType<typeof setTimeout> | undefined;
}

export interface ServedDatabaseOptions {
  readonly historySize?: number;
  readonly now?: () => number;
  /** Contents to serve (a database read from a file); by default the database starts empty. */
  readonly contents?: Database;
  /**
   * Refuse every change, from clients and from `execute` alike, with ovsdb-server's read-only answer: the
   * database shows what a file holds and nothing may make it differ.
   */
  readonly readOnly?: boolean;
  /** Where the contents came from (a file path), for messages. */
  readonly source?: string;
}

export class ServedDatabase {
  readonly readOnly: boolean;
  readonly source: string | undefined;
  /** The id of the last committed transaction; the all-zero UUID before the first. */
  lastTxnId: string = ZERO_UUID;
  private current: Database;
  private currentSchema: JsonObject;
  private txnHistory: TxnHistory;
  private readonly historySize: number;
  private readonly listeners = new Set<CommitListener>();
  private readonly triggers = new Set<Trigger>();
  private runningTriggers = false;
  private triggersDirty = false;
  private readonly now: () => number;

  constructor(
    /** The schema exactly as given (what `get_schema` returns). */
    schemaJson: JsonObject,
    opts: ServedDatabaseOptions = {},
  ) {
    this.currentSchema = schemaJson;
    this.current = opts.contents ?? new Database(parseDatabaseSchema(schemaJson));
    this.historySize = opts.historySize ?? 1000;
    this.txnHistory = new TxnHistory(this.historySize, () => this.current.rowCount);
    this.now = opts.now ?? (() => performance.now());
    this.readOnly = opts.readOnly === true;
    this.source = opts.source;
  }

  /** The committed state. A `convert` replaces it with a new object. */
  get db(): Database {
    return this.current;
  }

  /** The schema `get_schema` returns. */
  get schemaJson(): JsonObject {
    return this.currentSchema;
  }

  get history(): TxnHistory {
    return this.txnHistory;
  }

  get name(): string {
    return this.current.name;
  }

  /**
   * Serve converted contents under a new schema (the `convert` method). The history goes (its row versions
   * belong to the old schema), so no client can resume across the conversion; the conversion itself counts
   * as a transaction and gets an id. Waiting transactions are the caller's to cancel first.
   */
  replaceContents(schemaJson: JsonObject, db: Database): void {
    this.currentSchema = schemaJson;
    this.current = db;
    this.txnHistory = new TxnHistory(this.historySize, () => this.current.rowCount);
    this.lastTxnId = newUuid();
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Make changes committed; returns the new transaction id, or undefined when there was nothing to do. */
  commit(
    changes: readonly CommitChange[],
    comments: readonly string[] = [],
    durable = false,
    txnId = newUuid(),
  ): string | undefined {
    if (changes.length === 0) return undefined;
    this.db.apply(changes);
    this.history.push(txnId, changes);
    this.lastTxnId = txnId;
    const info: CommitInfo = { txnId, changes, comments, durable };
    for (const l of [...this.listeners]) l(this, info);
    this.runTriggers();
    return txnId;
  }

  /** Run a transaction and commit it if it succeeds. */
  execute(operations: readonly Json[], opts: ExecuteOptions = {}): TransactOutcome {
    const outcome = executeTransaction(this.db, operations, this.readOnly ? { ...opts, readOnly: true } : opts);
    if (outcome.kind === 'done') this.commit(outcome.changes, outcome.comments, outcome.durable);
    return outcome;
  }

  /**
   * Run a transaction that may wait: resolves `trigger.complete` now or after a later commit or its
   * timeout. Returns false if it completed at once.
   */
  executeOrWait(trigger: Trigger): boolean {
    const outcome = this.execute(trigger.operations, { ...trigger.options, elapsedMs: 0 });
    if (outcome.kind === 'done') {
      trigger.complete(outcome.results);
      return false;
    }
    this.triggers.add(trigger);
    this.armTimer(trigger, outcome.timeoutMs);
    return true;
  }

  cancel(trigger: Trigger): void {
    if (trigger.timer !== undefined) clearTimeout(trigger.timer);
    this.triggers.delete(trigger);
  }

  get pendingTriggers(): number {
    return this.triggers.size;
  }

  /** Stop every pending trigger without completing it (server shutdown). */
  dropTriggers(): void {
    for (const t of this.triggers) if (t.timer !== undefined) clearTimeout(t.timer);
    this.triggers.clear();
  }

  private armTimer(t: Trigger, timeoutMs: number): void {
    if (t.timer !== undefined) clearTimeout(t.timer);
    t.timer = undefined;
    if (!Number.isFinite(timeoutMs)) return;
    const delay = Math.max(0, t.received + timeoutMs - this.now());
    t.timer = setTimeout(
      () => {
        t.timer = undefined;
        if (this.triggers.has(t)) this.retry(t);
      },
      Math.ceil(delay) + 1,
    );
  }

  private retry(t: Trigger): void {
    const elapsed = Math.round(this.now() - t.received);
    const outcome = this.execute(t.operations, { ...t.options, elapsedMs: elapsed });
    if (!this.triggers.has(t)) return; // cancelled meanwhile
    if (outcome.kind === 'done') {
      this.cancel(t);
      t.complete(outcome.results);
    } else {
      this.armTimer(t, outcome.timeoutMs);
    }
  }

  /** Re-run waiting transactions after a commit; commits they make re-run the others again. */
  private runTriggers(): void {
    if (this.triggers.size === 0) return;
    if (this.runningTriggers) {
      this.triggersDirty = true;
      return;
    }
    this.runningTriggers = true;
    try {
      do {
        this.triggersDirty = false;
        for (const t of [...this.triggers]) if (this.triggers.has(t)) this.retry(t);
        // A commit made by a retried transaction re-enters runTriggers, which sets triggersDirty; TypeScript keeps
        // the narrowing to `false` from the assignment above across those calls.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by re-entrant calls during the loop
      } while (this.triggersDirty);
    } finally {
      this.runningTriggers = false;
    }
  }
}
