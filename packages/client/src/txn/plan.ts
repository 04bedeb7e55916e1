/**
 * What a transaction would do, worked out from a copy of the database before it is sent: the rows each
 * operation inserts, updates and deletes, and what ovsdb-server would do on its own at commit —
 * delete rows of non-root tables that no strong reference reaches any more, remove weak references to
 * deleted rows, and refuse a delete that a remaining strong reference forbids. Also which `wait` guards hold
 * now. This is the "plan" an operator reads before committing; the server stays the judge.
 *
 * The copy is an overlay on a monitor cache that mirrors whole tables: only the rows the transaction touches
 * are copied, so planning an edit of a 100,000-row database costs the rows involved plus one scan of the
 * tables that reference them.
 */
import { stringifyJson, type Json, type JsonObject } from '../wire/json.js';
import { isJsonObject } from '../wire/notation.js';
import type { WireRow } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import { columnOf, type BaseType, type DatabaseSchema, type TableSchema } from '../schema/schema.js';
import { isMapDatum, type Atom, type Datum, type Row, type SetDatum } from '../data/value.js';
import { datumEquals, datumFromWire, defaultDatum } from '../data/datum.js';
import { evaluateConditions, parseConditions } from '../data/condition.js';
import { applyMutations, parseMutations } from '../data/mutation.js';
import { rowToWire } from '../data/row.js';

/** What the plan reads: whole tables by name (a `DatabaseCache` fits). */
export interface PlanCacheView {
  readonly tables: ReadonlyMap<string, PlanTableView>;
}

export interface PlanTableView {
  rows(): Row[];
  get(uuid: string): Row | undefined;
}

export type EffectCause = 'operation' | 'unreferenced' | 'weak-reference';

export interface ColumnEffect {
  column: string;
  /** Wire notation, as the server would send it. */
  old?: Json;
  new?: Json;
}

export interface PlanEffect {
  table: string;
  uuid: string;
  kind: 'insert' | 'update' | 'delete';
  /** Why: an operation of the transaction, or the server's own referential rules at commit. */
  cause: EffectCause;
  /** The operation that made the change (the first one, when several touch the row). */
  operationIndex?: number;
  /** For an inserted row: the `uuid-name` that names it in the transaction. */
  uuidName?: string;
  columns: ColumnEffect[];
  /** The row before and after, in wire notation. */
  before?: WireRow;
  after?: WireRow;
}

export interface PlanProblem {
  kind: 'blocked-delete' | 'dangling-reference' | 'wait-unmet' | 'max-rows' | 'operation';
  table: string;
  uuid?: string;
  operationIndex?: number;
  message: string;
}

export interface TransactionPlan {
  effects: PlanEffect[];
  problems: PlanProblem[];
  /** Placeholder uuids given to rows the transaction inserts, by uuid-name. */
  newRows: Record<string, string>;
}

const PLACEHOLDER_PREFIX = 'fffffffe-0000-4000-8000-';

function placeholder(i: number): string {
  return `${PLACEHOLDER_PREFIX}${String(i).padStart(12, '0')}`;
}

/** Replace `["named-uuid", n]` by `["uuid", <placeholder of n>]` everywhere in `json`. */
function resolveNamed(json: Json, names: ReadonlyMap<string, string>): Json {
  if (Array.isArray(json)) {
    if (json.length === 2 && json[0] === 'named-uuid' && typeof json[1] === 'string') {
      const u = names.get(json[1]);
      if (u === undefined) throw new OvsdbError('syntax error', `named-uuid ${json[1]} is not defined by an insert`);
      return ['uuid', u];
    }
    return json.map((j) => resolveNamed(j, names));
  }
  if (isJsonObject(json)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(json)) out[k] = resolveNamed(v, names);
    return out;
  }
  return json;
}

interface Touched {
  table: string;
  uuid: string;
  cause: EffectCause;
  operationIndex?: number;
}

class Overlay {
  /** table → uuid → the row now, or null when deleted. */
  readonly rows = new Map<string, Map<string, Row | null>>();
  readonly touched = new Map<string, Touched>();

  constructor(private readonly cache: PlanCacheView) {}

  get(table: string, uuid: string): Row | undefined {
    const o = this.rows.get(table)?.get(uuid);
    if (o !== undefined) return o ?? undefined;
    return this.cache.tables.get(table)?.get(uuid);
  }

  original(table: string, uuid: string): Row | undefined {
    return this.cache.tables.get(table)?.get(uuid);
  }

  *all(table: string): Generator<Row> {
    const o = this.rows.get(table);
    for (const r of this.cache.tables.get(table)?.rows() ?? []) {
      const over = o?.get(r._uuid as string);
      if (over === undefined) yield r;
      else if (over !== null) yield over;
    }
    if (o) for (const [uuid, r] of o) if (r !== null && !this.cache.tables.get(table)?.get(uuid)) yield r;
  }

  set(table: string, uuid: string, row: Row | null, why: Omit<Touched, 'table' | 'uuid'>): void {
    let t = this.rows.get(table);
    if (!t) this.rows.set(table, (t = new Map<string, Row | null>()));
    t.set(uuid, row);
    const key = `${table}/${uuid}`;
    if (!this.touched.has(key)) this.touched.set(key, { table, uuid, ...why });
  }
}

function tableOf(schema: DatabaseSchema, name: unknown): TableSchema {
  const t = typeof name === 'string' ? schema.tables.get(name) : undefined;
  // The words and kind ovsdb-server answers for an operation on a table its schema lacks.
  if (!t) throw new OvsdbError('syntax error', `No table named ${String(name)}.`);
  return t;
}

function matching(overlay: Overlay, table: TableSchema, where: Json): Row[] {
  const conds = parseConditions(table, where);
  const out: Row[] = [];
  for (const r of overlay.all(table.name)) if (evaluateConditions(conds, r, 'all')) out.push(r);
  return out;
}

function decodeRow(table: TableSchema, wire: Json): Record<string, Datum> {
  if (!isJsonObject(wire)) throw new OvsdbError('syntax error', `row of table ${table.name} must be a JSON object`);
  const out: Record<string, Datum> = {};
  for (const [name, w] of Object.entries(wire)) {
    const col = columnOf(table, name);
    if (!col) throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`);
    out[name] = datumFromWire(col.type, w);
  }
  return out;
}

function uuidsOf(base: BaseType | undefined, datum: Datum | undefined, values: boolean): string[] {
  if (base?.type !== 'uuid' || datum === undefined) return [];
  let atoms: readonly Atom[];
  if (datum instanceof Map) atoms = values ? [...datum.values()] : [...datum.keys()];
  else atoms = Array.isArray(datum) ? (datum as readonly Atom[]) : [datum as Atom];
  return atoms.filter((a): a is string => typeof a === 'string');
}

/** Every reference a row holds: target table, uuid, strong or weak, and the column. */
function* refsOf(
  table: TableSchema,
  row: Row,
): Generator<{ to: string; uuid: string; strong: boolean; column: string }> {
  for (const col of table.columns.values()) {
    for (const [base, values] of [
      [col.type.key, false],
      [col.type.value, true],
    ] as const) {
      if (base?.type !== 'uuid' || base.refTable === undefined) continue;
      for (const u of uuidsOf(base, row[col.name], values))
        yield { to: base.refTable, uuid: u, strong: base.refType !== 'weak', column: col.name };
    }
  }
}

/** Remove `uuid` from a datum's uuid atoms referring to `target` (weak-reference removal). */
function withoutRef(
  datum: Datum,
  base: BaseType | undefined,
  valueBase: BaseType | undefined,
  target: string,
  uuid: string,
): Datum {
  if (isMapDatum(datum)) {
    const keyHit = base?.refTable === target;
    const valueHit = valueBase?.refTable === target;
    const out = new Map<Atom, Atom>();
    for (const [k, v] of datum) if (!(keyHit && k === uuid) && !(valueHit && v === uuid)) out.set(k, v);
    return out.size === datum.size ? datum : out;
  }
  if (Array.isArray(datum)) {
    const atoms = datum as SetDatum;
    const out = atoms.filter((a) => a !== uuid);
    return out.length === atoms.length ? atoms : out;
  }
  return datum === uuid ? [] : datum;
}

export function planTransaction(
  schema: DatabaseSchema,
  cache: PlanCacheView,
  operations: readonly Json[],
): TransactionPlan {
  const overlay = new Overlay(cache);
  const problems: PlanProblem[] = [];
  const names = new Map<string, string>();
  operations.forEach((op, i) => {
    if (isJsonObject(op) && op.op === 'insert' && typeof op['uuid-name'] === 'string')
      names.set(op['uuid-name'], typeof op.uuid === 'string' ? op.uuid : placeholder(i));
  });
  const uuidNames = new Map([...names].map(([n, u]) => [u, n]));

  operations.forEach((raw, index) => {
    if (!isJsonObject(raw)) return;
    const op = resolveNamed(raw, names) as JsonObject;
    try {
      switch (op.op) {
        case 'insert': {
          const table = tableOf(schema, op.table);
          const values = decodeRow(table, op.row ?? {});
          const uuid =
            typeof raw['uuid-name'] === 'string'
              ? (names.get(raw['uuid-name']) as string)
              : typeof op.uuid === 'string'
                ? op.uuid
                : placeholder(index);
          const row: Record<string, Datum> = { _uuid: uuid };
          for (const col of table.columns.values()) row[col.name] = values[col.name] ?? defaultDatum(col.type);
          overlay.set(table.name, uuid, row, { cause: 'operation', operationIndex: index });
          return;
        }
        case 'update': {
          const table = tableOf(schema, op.table);
          const values = decodeRow(table, op.row ?? {});
          for (const r of matching(overlay, table, op.where ?? []))
            overlay.set(
              table.name,
              r._uuid as string,
              { ...r, ...values },
              { cause: 'operation', operationIndex: index },
            );
          return;
        }
        case 'mutate': {
          const table = tableOf(schema, op.table);
          const mutations = parseMutations(table, op.mutations ?? []);
          for (const r of matching(overlay, table, op.where ?? [])) {
            const res = applyMutations(table, r, mutations);
            if (res.changed)
              overlay.set(table.name, r._uuid as string, res.row, { cause: 'operation', operationIndex: index });
          }
          return;
        }
        case 'delete': {
          const table = tableOf(schema, op.table);
          for (const r of matching(overlay, table, op.where ?? []))
            overlay.set(table.name, r._uuid as string, null, { cause: 'operation', operationIndex: index });
          return;
        }
        case 'wait': {
          const table = tableOf(schema, op.table);
          const found = matching(overlay, table, op.where ?? []);
          const columns = Array.isArray(op.columns) ? op.columns.filter((c): c is string => typeof c === 'string') : [];
          const expected = Array.isArray(op.rows) ? op.rows.map((w) => decodeRow(table, w)) : [];
          const same =
            found.length === expected.length &&
            expected.every((e) =>
              found.some((f) =>
                columns.every((c) => {
                  const type = columnOf(table, c)?.type;
                  return type !== undefined && datumEquals(type, f[c] as Datum, e[c] ?? defaultDatum(type));
                }),
              ),
            );
          if ((op.until === '==') !== same) {
            problems.push({
              kind: 'wait-unmet',
              table: table.name,
              operationIndex: index,
              message: `operation ${index} (wait): the rows of ${table.name} it guards ${op.until === '==' ? 'no longer are' : 'still are'} as the edit read them; the transaction would fail`,
            });
          }
          return;
        }
        default:
          return;
      }
    } catch (err) {
      if (!(err instanceof OvsdbError)) throw err;
      problems.push({
        kind: 'operation',
        table: typeof op.table === 'string' ? op.table : '',
        operationIndex: index,
        message: `operation ${index} (${typeof op.op === 'string' || op.op === undefined ? String(op.op) : stringifyJson(op.op)}): ${err.message}`,
      });
    }
  });

  commitRules(schema, overlay, problems);
  return { effects: effectsOf(schema, overlay, uuidNames), problems, newRows: Object.fromEntries(names) };
}

/** ovsdb-server's rules at commit: weak references to deleted rows go, unreachable non-root rows go, a strong reference to a deleted row fails. */
function commitRules(schema: DatabaseSchema, overlay: Overlay, problems: PlanProblem[]): void {
  // Which tables hold references to which, so a deleted row's referrers are found by scanning only those.
  const referrers = new Map<string, TableSchema[]>();
  for (const t of schema.tables.values()) {
    const targets = new Set<string>();
    for (const c of t.columns.values())
      for (const b of [c.type.key, c.type.value]) if (b?.refTable !== undefined) targets.add(b.refTable);
    for (const target of targets) {
      const list = referrers.get(target) ?? [];
      list.push(t);
      referrers.set(target, list);
    }
  }
  const deletedNow = (): { table: string; uuid: string }[] => {
    const out: { table: string; uuid: string }[] = [];
    for (const [table, rows] of overlay.rows)
      for (const [uuid, r] of rows) if (r === null && overlay.original(table, uuid)) out.push({ table, uuid });
    return out;
  };

  // Garbage collection to a fixpoint: each pass may unreference more rows.
  const handled = new Set<string>();
  for (let pass = 0; pass < 64; pass++) {
    const candidates = new Map<string, { table: string; uuid: string }>();
    for (const t of overlay.touched.values()) {
      const before = overlay.original(t.table, t.uuid);
      const after = overlay.get(t.table, t.uuid);
      const table = schema.tables.get(t.table);
      if (!table) continue;
      // Rows that lost a strong reference from this row, and new rows of non-root tables.
      for (const r of before ? refsOf(table, before) : []) {
        if (!r.strong) continue;
        const still = after ? [...refsOf(table, after)].some((x) => x.uuid === r.uuid && x.to === r.to) : false;
        if (!still) candidates.set(`${r.to}/${r.uuid}`, { table: r.to, uuid: r.uuid });
      }
      if (!before && after && !table.isRoot) candidates.set(`${t.table}/${t.uuid}`, { table: t.table, uuid: t.uuid });
    }
    let removed = false;
    for (const [key, c] of candidates) {
      if (handled.has(key)) continue;
      const table = schema.tables.get(c.table);
      if (!table || table.isRoot || !overlay.get(c.table, c.uuid)) continue;
      let reached = false;
      for (const from of referrers.get(c.table) ?? []) {
        for (const r of overlay.all(from.name)) {
          for (const ref of refsOf(from, r)) {
            if (ref.strong && ref.to === c.table && ref.uuid === c.uuid) {
              reached = true;
              break;
            }
          }
          if (reached) break;
        }
        if (reached) break;
      }
      if (!reached) {
        handled.add(key);
        overlay.set(c.table, c.uuid, null, { cause: 'unreferenced' });
        removed = true;
      }
    }
    if (!removed) break;
  }

  // Weak references to deleted rows are removed; strong ones make the commit fail.
  for (const d of deletedNow()) {
    for (const from of referrers.get(d.table) ?? []) {
      for (const r of [...overlay.all(from.name)]) {
        let next: Row = r;
        for (const col of from.columns.values()) {
          const k = col.type.key;
          const v = col.type.value;
          if (k.refTable !== d.table && v?.refTable !== d.table) continue;
          const datum = next[col.name] as Datum;
          const refs = [...uuidsOf(k, datum, false), ...uuidsOf(v, datum, true)];
          if (!refs.includes(d.uuid)) continue;
          const strong =
            (k.refTable === d.table && k.refType !== 'weak' && uuidsOf(k, datum, false).includes(d.uuid)) ||
            (v?.refTable === d.table && v.refType !== 'weak' && uuidsOf(v, datum, true).includes(d.uuid));
          if (strong) {
            problems.push({
              kind: 'blocked-delete',
              table: d.table,
              uuid: d.uuid,
              message: `${d.table} row ${d.uuid} cannot be deleted: ${from.name} row ${r._uuid as string} still references it from ${col.name} (a strong reference); ovsdb-server would refuse the transaction with "referential integrity violation"`,
            });
            continue;
          }
          next = { ...next, [col.name]: withoutRef(datum, k, v, d.table, d.uuid) };
        }
        if (next !== r) overlay.set(from.name, r._uuid as string, next, { cause: 'weak-reference' });
      }
    }
  }

  // Strong references to rows that do not exist (the cache must mirror whole tables for this to be true).
  for (const t of overlay.touched.values()) {
    const row = overlay.get(t.table, t.uuid);
    const table = schema.tables.get(t.table);
    if (!row || !table) continue;
    for (const ref of refsOf(table, row)) {
      if (ref.strong && !overlay.get(ref.to, ref.uuid)) {
        problems.push({
          kind: 'dangling-reference',
          table: t.table,
          uuid: t.uuid,
          ...(t.operationIndex !== undefined ? { operationIndex: t.operationIndex } : {}),
          message: `${t.table}.${ref.column} would reference ${ref.to} row ${ref.uuid}, which does not exist`,
        });
      }
    }
  }

  for (const [name, rows] of overlay.rows) {
    const table = schema.tables.get(name);
    if (table?.maxRows === undefined) continue;
    let n = 0;
    for (const _ of overlay.all(name)) n++;
    if (n > table.maxRows && [...rows.values()].some((r) => r !== null)) {
      problems.push({
        kind: 'max-rows',
        table: name,
        message: `${name} would hold ${n} rows; its schema allows at most ${table.maxRows}`,
      });
    }
  }
}

function effectsOf(schema: DatabaseSchema, overlay: Overlay, uuidNames: ReadonlyMap<string, string>): PlanEffect[] {
  const out: PlanEffect[] = [];
  for (const t of overlay.touched.values()) {
    const table = schema.tables.get(t.table);
    if (!table) continue;
    const before = overlay.original(t.table, t.uuid);
    const after = overlay.get(t.table, t.uuid);
    if (!before && !after) continue; // inserted then deleted in the same transaction
    const kind = !before ? 'insert' : !after ? 'delete' : 'update';
    const columns: ColumnEffect[] = [];
    for (const col of table.columns.values()) {
      const o = before?.[col.name];
      const n = after?.[col.name];
      if (o !== undefined && n !== undefined && datumEquals(col.type, o, n)) continue;
      if (kind === 'insert' && n !== undefined && datumEquals(col.type, n, defaultDatum(col.type))) continue;
      if (kind === 'delete') continue;
      const w: ColumnEffect = { column: col.name };
      const wb = before ? rowToWire(table, { [col.name]: o ?? defaultDatum(col.type) }) : undefined;
      const wa = after ? rowToWire(table, { [col.name]: n ?? defaultDatum(col.type) }) : undefined;
      if (wb) w.old = wb[col.name] as Json;
      if (wa) w.new = wa[col.name] as Json;
      columns.push(w);
    }
    if (kind === 'update' && columns.length === 0) continue;
    const e: PlanEffect = { table: t.table, uuid: t.uuid, kind, cause: t.cause, columns };
    if (t.operationIndex !== undefined) e.operationIndex = t.operationIndex;
    const name = uuidNames.get(t.uuid);
    if (name !== undefined && kind === 'insert') e.uuidName = name;
    if (before) e.before = rowToWire(table, before);
    if (after) e.after = rowToWire(table, after);
    out.push(e);
  }
  return out;
}
