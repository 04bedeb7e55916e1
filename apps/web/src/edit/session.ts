/**
 * One edit, from the form to the commit and back (no React here; the panel renders its `Store`):
 * the values typed, each checked as typed with the client core's validator; the operations they make
 * (`ops.ts`); the plan the gateway works out for them; a dry run; the commit, whose failure is mapped back to
 * the field or operation it names; and, after a commit, the inverse transaction that reverts it.
 *
 * The rows the edit read are watched: when one changes underneath, the edit turns stale and shows base /
 * theirs / mine; the open form is never closed or reset by a live update.
 */
import {
  OvsdbError,
  TransactionValidationError,
  datumFromWire,
  defaultDatum,
  datumToWire,
  isJsonObject,
  validateTransaction,
  type ColumnType,
  type DatabaseSchema,
  type Json,
  type TableSchema,
  type WireDatum,
  type WireRow,
} from '@ovsdb-web/client/core';
import type { PlanCheck, PlanResponse, TransactResponse } from '@ovsdb-web/protocol';
import { ApiFailure, post } from '../api/rest.js';
import { Store } from '../app/store.js';
import { buildOperations, labelOf, type BuiltOperations, type Edit, type Guard, type ParentRef } from './ops.js';

export type EditMode =
  | { kind: 'insert'; table: string }
  | { kind: 'update'; table: string; uuid: string }
  | { kind: 'delete'; table: string; uuid: string }
  /** Operations made elsewhere (a revert, a bulk edit), shown and committed through the same plan. */
  | { kind: 'raw'; title: string; operations: Json[]; guards: Guard[] };

export interface CommitOutcome {
  results: Json[];
  /** The nb_cfg the commit set, when it bumped it. */
  nbCfg: number | undefined;
  /** Rows the commit changed (real uuids), for following them into the southbound database. */
  changed: { table: string; uuid: string; kind: 'insert' | 'update' | 'delete' }[];
  /** New rows: table, uuid and a label, for links. */
  inserted: { table: string; uuid: string; label: string }[];
  revert: { operations: Json[]; guards: Guard[] } | undefined;
}

export interface EditState {
  mode: EditMode;
  /** The row as the edit read it (update, delete). */
  base: WireRow | undefined;
  values: Record<string, WireDatum>;
  parent: ParentRef | undefined;
  referrers: ParentRef[] | undefined;
  errors: Record<string, string>;
  /** A problem with the whole edit (not one field). */
  formError: string | undefined;
  built: BuiltOperations | undefined;
  plan:
    | { state: 'none' }
    | { state: 'loading' }
    | { state: 'ready'; response: PlanResponse }
    | { state: 'error'; message: string };
  serverChecks: PlanCheck[];
  busy: 'dry-run' | 'commit' | undefined;
  commit:
    | { state: 'none' }
    | { state: 'done'; outcome: CommitOutcome }
    | { state: 'failed'; message: string; conflict: boolean; operationIndex: number | undefined };
  /** The row changed since the edit read it: what it is now. */
  theirs: WireRow | undefined;
  gone: boolean;
  /** OVN: bump NB_Global.nb_cfg with the commit, to follow ovn-northd (what `ovn-nbctl --wait` does). */
  bumpNbCfg: boolean;
}

const byUuid = (uuid: string): Json => [['_uuid', '==', ['uuid', uuid]]];

/** The server would refuse the column's default: an enum without it, a required reference, a key column. */
export function isRequired(table: TableSchema, column: string): boolean {
  const type = table.columns.get(column)?.type;
  if (!type || type.min < 1 || type.max !== 1 || type.value !== undefined) return false;
  if (table.indexes.some((ix) => ix.includes(column))) return true;
  const k = type.key;
  try {
    datumFromWire(type, datumToWire(type, defaultDatum(type)));
  } catch {
    return true;
  }
  return k.type === 'uuid' && k.refTable !== undefined;
}

function fieldError(type: ColumnType, value: WireDatum | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    datumFromWire(type, value);
    return undefined;
  } catch (err) {
    if (err instanceof OvsdbError) return err.details ?? err.message;
    return err instanceof Error ? err.message : String(err);
  }
}

let sessions = 0;

export class EditSession {
  readonly store: Store<EditState>;
  /** Unique per page load: a new edit gets a fresh panel. */
  readonly id = ++sessions;
  private planSeq = 0;

  constructor(
    readonly remote: string,
    readonly db: string,
    readonly schema: DatabaseSchema,
    mode: EditMode,
    base: WireRow | undefined,
    private readonly user: string,
  ) {
    const values: Record<string, WireDatum> = {};
    if (mode.kind === 'update' && base)
      for (const [k, v] of Object.entries(base)) if (k !== '_uuid' && k !== '_version') values[k] = v;
    this.store = new Store<EditState>({
      mode,
      base,
      values,
      parent: undefined,
      referrers: undefined,
      errors: {},
      formError: undefined,
      built: undefined,
      plan: { state: 'none' },
      serverChecks: [],
      busy: undefined,
      commit: { state: 'none' },
      theirs: undefined,
      gone: false,
      bumpNbCfg: false,
    });
    this.rebuild();
  }

  setBumpNbCfg(on: boolean): void {
    this.update({ bumpNbCfg: on });
    this.rebuild();
  }

  get state(): EditState {
    return this.store.get();
  }

  table(): TableSchema | undefined {
    const m = this.state.mode;
    return m.kind === 'raw' ? undefined : this.schema.tables.get(m.table);
  }

  private update(patch: Partial<EditState>): void {
    this.store.set({ ...this.state, ...patch });
  }

  setValue(column: string, value: WireDatum | undefined): void {
    const values = Object.fromEntries(Object.entries(this.state.values).filter(([c]) => c !== column));
    if (value !== undefined) values[column] = value;
    this.update({ values });
    this.rebuild();
  }

  setParent(parent: ParentRef | undefined): void {
    this.update({ parent });
    this.rebuild();
  }

  setReferrers(referrers: ParentRef[]): void {
    this.update({ referrers });
    this.rebuild();
  }

  /** The edits the form stands for. */
  edits(): Edit[] {
    const s = this.state;
    const m = s.mode;
    const table = this.table();
    if (m.kind === 'raw' || !table) return [];
    if (m.kind === 'insert') {
      const values: Record<string, WireDatum> = {};
      for (const [k, v] of Object.entries(s.values)) if (table.columns.has(k)) values[k] = v;
      return [{ kind: 'insert', table: m.table, values, parent: s.parent }];
    }
    if (!s.base) return [];
    if (m.kind === 'update') return [{ kind: 'update', table: m.table, uuid: m.uuid, base: s.base, values: s.values }];
    return [{ kind: 'delete', table: m.table, uuid: m.uuid, base: s.base, referrers: s.referrers }];
  }

  /** Check every field and the whole transaction; the plan is out of date after any change. */
  private rebuild(): void {
    const s = this.state;
    const m = s.mode;
    this.planSeq++;
    if (m.kind === 'raw') {
      this.update({
        built: this.withNbCfg({ operations: m.operations, guards: m.guards, inserts: new Map() }),
        plan: { state: 'none' },
        serverChecks: [],
        formError: undefined,
      });
      return;
    }
    const table = this.table();
    const errors: Record<string, string> = {};
    if (table && m.kind !== 'delete') {
      for (const [c, v] of Object.entries(s.values)) {
        const col = table.columns.get(c);
        if (!col) continue;
        const e = fieldError(col.type, v);
        if (e) errors[c] = e;
        if (m.kind === 'update' && !col.mutable && s.base && JSON.stringify(s.base[c]) !== JSON.stringify(v))
          errors[c] = `${c} is immutable: it cannot change once the row exists`;
      }
      if (m.kind === 'insert') {
        for (const c of table.columns.keys())
          if (isRequired(table, c) && s.values[c] === undefined && !errors[c]) errors[c] = `${c} is required`;
      }
    }
    let formError: string | undefined;
    if (table && m.kind === 'insert' && !table.isRoot && !s.parent) {
      formError = `${table.name} is not a root table: ovsdb-server deletes a row nothing references. Choose where to add it.`;
    }
    const built = this.withNbCfg(buildOperations(this.schema, this.edits(), `ovsdb-web: ${this.user}`));
    if (Object.keys(errors).length === 0 && !formError) {
      try {
        validateTransaction(this.schema, built.operations);
      } catch (err) {
        if (err instanceof TransactionValidationError) {
          if (err.column && table?.columns.has(err.column) && err.table === table.name)
            errors[err.column] = err.details ?? err.message;
          else formError = err.message;
        } else throw err;
      }
    }
    this.update({ errors, formError, built, plan: { state: 'none' }, serverChecks: [], commit: { state: 'none' } });
  }

  /** With `bumpNbCfg`: increment NB_Global.nb_cfg and read it back, in the same transaction. */
  private withNbCfg(built: BuiltOperations): BuiltOperations {
    if (!this.state.bumpNbCfg || !this.schema.tables.has('NB_Global')) return built;
    return {
      ...built,
      operations: [
        ...built.operations,
        { op: 'mutate', table: 'NB_Global', where: [], mutations: [['nb_cfg', '+=', 1]] },
        { op: 'select', table: 'NB_Global', where: [], columns: ['nb_cfg'] },
      ],
    };
  }

  get valid(): boolean {
    return (
      Object.keys(this.state.errors).length === 0 &&
      !this.state.formError &&
      (this.state.built?.operations.length ?? 0) > 0
    );
  }

  private path(what: string): string {
    return `/api/v1/remotes/${encodeURIComponent(this.remote)}/dbs/${encodeURIComponent(this.db)}/${what}`;
  }

  /** Ask the gateway what the edit would do (nothing is sent to OVSDB). */
  async preview(): Promise<void> {
    const built = this.state.built;
    if (!built || built.operations.length === 0) return;
    const seq = this.planSeq;
    this.update({ plan: { state: 'loading' } });
    try {
      const response = (await post(this.path('plan'), { operations: built.operations })) as unknown as PlanResponse;
      if (seq === this.planSeq) this.update({ plan: { state: 'ready', response } });
    } catch (err) {
      if (seq === this.planSeq)
        this.update({ plan: { state: 'error', message: err instanceof Error ? err.message : String(err) } });
    }
  }

  /** The operations followed by `abort`: ovsdb-server evaluates them and commits nothing. */
  async dryRun(): Promise<void> {
    const built = this.state.built;
    if (!built || !this.valid) return;
    const seq = this.planSeq;
    this.update({ busy: 'dry-run' });
    let check: PlanCheck;
    try {
      await post(this.path('transact'), { operations: withoutComment(built.operations), dryRun: true });
      check = {
        by: 'server',
        name: 'dry-run',
        ok: true,
        message:
          'ovsdb-server evaluated every operation (conditions, mutations, constraints, wait guards) and would accept them',
      };
    } catch (err) {
      const message =
        err instanceof ApiFailure ? describeFailure(err, built) : err instanceof Error ? err.message : String(err);
      check = { by: 'server', name: 'dry-run', ok: false, message };
    }
    if (seq === this.planSeq) this.update({ busy: undefined, serverChecks: [check] });
    else this.update({ busy: undefined });
  }

  async commit(): Promise<void> {
    const built = this.state.built;
    if (!built || !this.valid) return;
    this.update({ busy: 'commit' });
    if (this.state.plan.state !== 'ready') await this.preview();
    const plan = this.state.plan.state === 'ready' ? this.state.plan.response : undefined;
    try {
      const res = (await post(this.path('transact'), {
        operations: withoutComment(built.operations),
      })) as unknown as TransactResponse;
      const results = res.results as unknown as Json[];
      const inserted = this.insertedRows(built, results);
      const outcome: CommitOutcome = {
        results,
        inserted,
        revert: undefined,
        nbCfg: nbCfgOf(built, results),
        changed: changedRows(plan, inserted),
      };
      if (plan) outcome.revert = revertOf(this.schema, plan, built, results);
      this.update({ busy: undefined, commit: { state: 'done', outcome } });
    } catch (err) {
      const conflict = err instanceof ApiFailure && err.code === 'guard_failed';
      const opIndex =
        err instanceof ApiFailure &&
        isJsonObject(err.details ?? null) &&
        typeof (err.details as { operationIndex?: unknown }).operationIndex === 'number'
          ? (err.details as { operationIndex: number }).operationIndex
          : undefined;
      const message =
        err instanceof ApiFailure ? describeFailure(err, built) : err instanceof Error ? err.message : String(err);
      const errors = { ...this.state.errors };
      const table = this.table();
      // The server names the failing operation; when it is one that sets columns of this form, mark them.
      if (opIndex !== undefined && table && !conflict) {
        const op = built.operations[opIndex];
        if (isJsonObject(op) && isJsonObject(op.row ?? null))
          for (const c of Object.keys(op.row as object)) if (table.columns.has(c)) errors[c] = message;
      }
      this.update({ busy: undefined, errors, commit: { state: 'failed', message, conflict, operationIndex: opIndex } });
    }
  }

  private insertedRows(built: BuiltOperations, results: Json[]): CommitOutcome['inserted'] {
    const out: CommitOutcome['inserted'] = [];
    for (const [, opIndex] of built.inserts) {
      const r = results[opIndex];
      const op = built.operations[opIndex];
      if (!isJsonObject(r) || !Array.isArray(r.uuid) || typeof r.uuid[1] !== 'string' || !isJsonObject(op)) continue;
      const row = isJsonObject(op.row ?? null) ? (op.row as WireRow) : undefined;
      if (typeof op.table === 'string') out.push({ table: op.table, uuid: r.uuid[1], label: labelOf(row, r.uuid[1]) });
    }
    return out;
  }

  /** The row the edit read changed (or went) underneath. */
  observe(row: WireRow | undefined): void {
    const s = this.state;
    if (!s.base || s.mode.kind === 'insert' || s.mode.kind === 'raw' || s.commit.state === 'done') return;
    if (!row) {
      this.update({ gone: true });
      return;
    }
    // Compared by value, not `_version`: a failover to another cluster member, or a restarted server, gives
    // every row a new `_version` without changing it.
    const base = s.base;
    const same = Object.keys({ ...base, ...row }).every(
      (k) => k === '_version' || JSON.stringify(base[k]) === JSON.stringify(row[k]),
    );
    this.update({ theirs: same ? undefined : row, gone: false });
  }

  /** Columns changed by someone else since the edit read the row. */
  theirChanges(): string[] {
    const { base, theirs } = this.state;
    if (!base || !theirs) return [];
    return Object.keys({ ...base, ...theirs }).filter(
      (k) => k !== '_version' && JSON.stringify(base[k]) !== JSON.stringify(theirs[k]),
    );
  }

  /** Take their row as the new base and keep my changes (the guards then protect their version). */
  rebase(): void {
    const { theirs, values, base, mode } = this.state;
    if (!theirs || !base) return;
    const next: Record<string, WireDatum> = {};
    if (mode.kind === 'update') {
      for (const [k, v] of Object.entries(theirs)) if (k !== '_uuid' && k !== '_version') next[k] = v;
      // Mine wins where I changed a column; theirs everywhere else.
      for (const [k, v] of Object.entries(values)) if (JSON.stringify(base[k]) !== JSON.stringify(v)) next[k] = v;
    }
    this.update({ base: theirs, theirs: undefined, values: mode.kind === 'update' ? next : values });
    this.rebuild();
  }

  /** Start again from the row as it is now. */
  discard(): void {
    const { theirs, mode } = this.state;
    if (!theirs) return;
    const values: Record<string, WireDatum> = {};
    if (mode.kind === 'update')
      for (const [k, v] of Object.entries(theirs)) if (k !== '_uuid' && k !== '_version') values[k] = v;
    this.update({ base: theirs, theirs: undefined, values });
    this.rebuild();
  }
}

function nbCfgOf(built: BuiltOperations, results: readonly Json[]): number | undefined {
  const i = built.operations.findIndex((o) => isJsonObject(o) && o.op === 'select' && o.table === 'NB_Global');
  const r = i >= 0 ? results[i] : undefined;
  const rows = isJsonObject(r ?? null) ? (r as { rows?: unknown }).rows : undefined;
  const v = Array.isArray(rows) && isJsonObject(rows[0] as Json) ? (rows[0] as { nb_cfg?: unknown }).nb_cfg : undefined;
  return typeof v === 'number' ? v : undefined;
}

/** The rows a commit changed, by real uuid: the plan's effects with inserted rows' placeholders resolved. */
function changedRows(plan: PlanResponse | undefined, inserted: CommitOutcome['inserted']): CommitOutcome['changed'] {
  if (!plan) return inserted.map((r) => ({ table: r.table, uuid: r.uuid, kind: 'insert' as const }));
  const placeholders = new Set(Object.values(plan.newRows));
  const out: CommitOutcome['changed'] = plan.effects
    .filter((e) => !placeholders.has(e.uuid) && e.table !== 'NB_Global')
    .map((e) => ({ table: e.table, uuid: e.uuid, kind: e.kind }));
  for (const r of inserted) out.push({ table: r.table, uuid: r.uuid, kind: 'insert' });
  return out;
}

function withoutComment(ops: readonly Json[]): Json[] {
  // The gateway adds its own comment naming the user; ours would be a second one.
  return ops.filter((o) => !(isJsonObject(o) && o.op === 'comment'));
}

function describeFailure(err: ApiFailure, built: BuiltOperations): string {
  const d = err.details;
  const index =
    isJsonObject(d ?? null) && typeof (d as { operationIndex?: unknown }).operationIndex === 'number'
      ? (d as { operationIndex: number }).operationIndex
      : undefined;
  if (err.code === 'guard_failed' && index !== undefined) {
    const g = built.guards.find((x) => x.operationIndex === index);
    if (g)
      return `Conflict: ${g.table} ${g.label} changed after this edit read it (${g.columns.join(', ')}); nothing was applied. Review the change and rebase or discard.`;
  }
  return err.message;
}

/**
 * The transaction that undoes a commit, from the plan's before and after rows: updated rows get their old
 * values back, deleted rows are inserted again with the same uuid and values, inserted rows go. Guarded:
 * it applies only if those rows are still as the commit left them.
 */
export function revertOf(
  schema: DatabaseSchema,
  plan: PlanResponse,
  built: BuiltOperations,
  results: readonly Json[],
): { operations: Json[]; guards: Guard[] } {
  const realUuid = new Map<string, string>();
  for (const [name, placeholder] of Object.entries(plan.newRows)) {
    const opIndex = built.operations.findIndex((o) => isJsonObject(o) && o['uuid-name'] === name);
    const r = results[opIndex];
    if (isJsonObject(r) && Array.isArray(r.uuid) && typeof r.uuid[1] === 'string') realUuid.set(placeholder, r.uuid[1]);
  }
  const real = (u: string): string => realUuid.get(u) ?? u;
  const fix = (j: Json): Json => {
    if (Array.isArray(j)) {
      if (j.length === 2 && j[0] === 'uuid' && typeof j[1] === 'string') return ['uuid', real(j[1])];
      return j.map(fix);
    }
    if (isJsonObject(j)) return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, fix(v)]));
    return j;
  };
  const edits: Edit[] = [];
  for (const e of plan.effects) {
    // nb_cfg only ever grows: a revert is a new change for ovn-northd to follow, not a step back.
    if (e.kind !== 'update' || !e.before || !e.after || !schema.tables.has(e.table) || e.table === 'NB_Global')
      continue;
    const values: Record<string, WireDatum> = {};
    for (const c of e.columns) if (c.old !== undefined) values[c.column] = fix(c.old) as WireDatum;
    edits.push({ kind: 'update', table: e.table, uuid: real(e.uuid), base: fix(e.after) as WireRow, values });
  }
  const { operations, guards } = buildOperations(schema, edits);
  for (const e of plan.effects) {
    const table = schema.tables.get(e.table);
    if (!table) continue;
    const uuid = real(e.uuid);
    if (e.kind === 'delete' && e.before) {
      const row: Record<string, Json> = {};
      for (const [k, v] of Object.entries(e.before)) if (k !== '_uuid' && k !== '_version') row[k] = v;
      guards.push({
        table: e.table,
        uuid,
        columns: ['_uuid'],
        operationIndex: operations.length,
        label: labelOf(e.before, uuid),
      });
      // Only if the row has not come back meanwhile; then the same row, with the same uuid.
      operations.push({
        op: 'wait',
        table: e.table,
        where: byUuid(uuid),
        columns: ['_uuid'],
        until: '==',
        rows: [],
        timeout: 0,
      });
      operations.push({ op: 'insert', table: e.table, uuid, row });
    } else if (e.kind === 'insert' && table.isRoot) {
      // A new row of a non-root table goes by itself once the reference to it is reverted.
      operations.push({ op: 'delete', table: e.table, where: byUuid(uuid) });
    }
  }
  return { operations, guards };
}
