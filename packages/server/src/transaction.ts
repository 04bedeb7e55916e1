/**
 * `transact` (RFC 7047 §4.1.3, §5.2): runs the ten operations in order on a copy-on-write overlay of the
 * database, stops at the first failing operation (later results are null), and on success runs the
 * commit checks (commit.ts), whose error is appended after the results. Nothing reaches the committed
 * state here: the caller applies the returned changes, so it can also tell monitors, history and the log.
 *
 * Results and errors are worded as ovsdb-server 3.1 words them; the typed data layer of
 * `@ovsdb-web/client` does the parsing and checking of values, conditions and mutations.
 */
import {
  OvsdbError,
  applyMutations,
  canonicalUuid,
  compareAtoms,
  compareDatums,
  datumEquals,
  parseConditions,
  parseMutations,
  datumFromWire,
  IMPLICIT_COLUMNS,
  NamedUuid,
  isMapDatum,
  isSetDatum,
  type Atom,
  type ColumnSchema,
  type ColumnType,
  type Datum,
  type Json,
  type JsonObject,
  type Row,
} from '@ovsdb-web/client';
import type { DataCondition, DataMutation } from './data-types.js';
import { datumKey, newUuid, type Database, type CommitChange, type TableStore } from './database.js';
import { precommit } from './commit.js';
import { TxnState } from './txn-state.js';
import { ObjectParser, OP_ARRAY, OP_BOOLEAN, OP_ID, OP_INTEGER, OP_OBJECT, OP_OPTIONAL, OP_STRING } from './parser.js';
import { hashOrder } from './shash-order.js';
import { ovsSyntaxText, pickColumns, sortedJsonText } from './wire.js';

/** Options of `executeTransaction` and `ServedDatabase.execute` (the client's `transact` has `TransactOptions`). */
export interface ExecuteOptions {
  /** The server refuses every operation that could write. */
  readonly readOnly?: boolean;
  /** Whether the session holds lock `name` (for `assert`). */
  readonly ownsLock?: (name: string) => boolean;
  /**
   * Milliseconds since the request arrived. When set, an unsatisfied `wait` with a timeout not yet reached
   * makes the outcome `pending` (the caller re-runs the transaction later, like ovsdb-server's triggers);
   * when absent, such a wait fails at once.
   */
  readonly elapsedMs?: number;
}

export type TransactOutcome =
  | {
      readonly kind: 'done';
      readonly results: Json[];
      /** The row changes to apply; empty when the transaction failed or changed nothing. */
      readonly changes: CommitChange[];
      readonly comments: string[];
      readonly durable: boolean;
    }
  | {
      readonly kind: 'pending';
      /** When (ms since arrival) the earliest unsatisfied `wait` times out; Infinity for never. */
      readonly timeoutMs: number;
    };

interface SymbolEntry {
  uuid: string;
  created: boolean;
}

/** State of one execution, shared by its operations. */
interface Execution {
  readonly db: Database;
  readonly txn: TxnState;
  readonly symbols: Map<string, SymbolEntry>;
  readonly opts: ExecuteOptions;
  readonly comments: string[];
  durable: boolean;
  timeoutMs: number;
}

/**
 * What `wait` returns when its condition does not hold yet and may still come to (a timeout not reached, and
 * a caller that re-runs pending transactions): the transaction is pending, not failed. ovsdb-server signals
 * this internally with a "not supported" error that it turns into a trigger; an explicit value means no real
 * error can ever be mistaken for it.
 */
const WAIT_PENDING = Symbol('wait pending');

type Executor = (x: Execution, p: ObjectParser, result: JsonObject) => OvsdbError | typeof WAIT_PENDING | undefined;

const EXECUTORS: ReadonlyMap<string, { readonly readOnly: boolean; readonly run: Executor }> = new Map([
  ['insert', { readOnly: false, run: executeInsert }],
  ['select', { readOnly: true, run: executeSelect }],
  ['update', { readOnly: false, run: executeUpdate }],
  ['mutate', { readOnly: false, run: executeMutate }],
  ['delete', { readOnly: false, run: executeDelete }],
  ['wait', { readOnly: true, run: executeWait }],
  ['commit', { readOnly: false, run: executeCommit }],
  ['abort', { readOnly: true, run: executeAbort }],
  ['comment', { readOnly: true, run: executeComment }],
  ['assert', { readOnly: true, run: executeAssert }],
]);

/** Execute the operations of one `transact` request (its params after the database name). */
export function executeTransaction(
  db: Database,
  operations: readonly Json[],
  opts: ExecuteOptions = {},
): TransactOutcome {
  const x: Execution = {
    db,
    txn: new TxnState(db),
    symbols: new Map(),
    opts,
    comments: [],
    durable: false,
    timeoutMs: Infinity,
  };
  const n = operations.length;
  const results: Json[] = [];
  let failed = false;
  for (let i = 0; i < n; i++) {
    const p = new ObjectParser(operations[i] as Json, `ovsdb operation ${i + 1} of ${n}`);
    const opName = p.member('op', OP_ID);
    const result: JsonObject = {};
    let error: OvsdbError | undefined;
    let pending = false;
    // The name of an operation that writes; any other `op` is either read-only or a parse error.
    let writeOp: string | undefined;
    if (typeof opName === 'string') {
      const executor = EXECUTORS.get(opName);
      if (executor !== undefined) {
        if (!executor.readOnly) writeOp = opName;
        const r = runGuarded(() => executor.run(x, p, result));
        if (r === WAIT_PENDING) pending = true;
        else error = r;
      } else {
        p.raise(`No operation "${opName}"`);
      }
    }
    // A parse error overrides any other error and a pending wait, and an error overrides the result.
    const parseError = p.finish();
    if (parseError !== undefined) error = parseError;
    if (writeOp !== undefined && error === undefined) {
      if (opts.readOnly === true) {
        error = new OvsdbError(
          'not allowed',
          `${writeOp} operation not allowed when database server is in read only mode`,
        );
      } else if (db.name.startsWith('_')) {
        error = new OvsdbError(
          'not allowed',
          `${writeOp} operation not allowed on table in reserved database ${db.name}`,
        );
      }
    }
    if (error !== undefined) {
      results.push(errorJson(error));
      failed = true;
      break;
    }
    if (pending) return { kind: 'pending', timeoutMs: x.timeoutMs };
    results.push(result);
  }
  while (results.length < n) results.push(null);
  if (failed) return { kind: 'done', results, changes: [], comments: x.comments, durable: x.durable };
  const outcome = precommit(x.txn);
  if (outcome instanceof OvsdbError) {
    results.push(errorJson(outcome));
    return { kind: 'done', results, changes: [], comments: x.comments, durable: x.durable };
  }
  return { kind: 'done', results, changes: outcome, comments: x.comments, durable: x.durable };
}

/** An error result, with members in ovsdb-server's order (syntax, details, error). */
export function errorJson(e: OvsdbError): JsonObject {
  const o: JsonObject = {};
  if (e.syntax !== undefined) o.syntax = ovsSyntaxText(e.syntax);
  if (e.details !== undefined) o.details = e.details;
  o.error = e.error;
  return o;
}

function runGuarded<T>(fn: () => OvsdbError | T): OvsdbError | T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OvsdbError) return err;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parsing helpers

function parseTable(x: Execution, p: ObjectParser, member: string): TableStore | undefined {
  const name = p.member(member, OP_ID);
  if (typeof name !== 'string') return undefined;
  const table = x.db.table(name);
  if (table === undefined) p.raise(`No table named ${name}.`);
  return table;
}

/** The UUID a named-uuid stands for; a name not (yet) inserted gets a fresh UUID an insert may claim later. */
function symbolUuid(x: Execution, name: string): string {
  let s = x.symbols.get(name);
  if (s === undefined) x.symbols.set(name, (s = { uuid: newUuid(), created: false }));
  return s.uuid;
}

function resolveAtom(x: Execution, a: Atom): Atom {
  return a instanceof NamedUuid ? symbolUuid(x, a.name) : a;
}

/**
 * Replace named-uuids by the UUIDs they stand for. Sets and maps are re-sorted afterwards (named uuids sort
 * apart from real ones), which can also reveal a duplicate, just as ovsdb-server finds it.
 */
function resolveDatum(x: Execution, type: ColumnType, d: Datum): Datum {
  if (type.key.type !== 'uuid' && type.value?.type !== 'uuid') return d;
  if (d instanceof NamedUuid) return resolveAtom(x, d);
  if (isMapDatum(d)) {
    let named = false;
    for (const [k, v] of d) if (k instanceof NamedUuid || v instanceof NamedUuid) named = true;
    if (!named) return d;
    const pairs = [...d].map(([k, v]): [Atom, Atom] => [resolveAtom(x, k), resolveAtom(x, v)]);
    pairs.sort((a, b) => compareAtoms(a[0], b[0]));
    for (let i = 1; i < pairs.length; i++) {
      if (compareAtoms((pairs[i - 1] as [Atom, Atom])[0], (pairs[i] as [Atom, Atom])[0]) === 0) {
        throw new OvsdbError('ovsdb error', 'map contains duplicate key');
      }
    }
    return new Map(pairs);
  }
  if (isSetDatum(d)) {
    if (!d.some((a) => a instanceof NamedUuid)) return d;
    const out = d.map((a) => resolveAtom(x, a)).sort(compareAtoms);
    for (let i = 1; i < out.length; i++) {
      if (compareAtoms(out[i - 1] as Atom, out[i] as Atom) === 0)
        throw new OvsdbError('ovsdb error', 'set contains duplicate');
    }
    return out;
  }
  return d;
}

const IN_TXN = { namedUuids: 'allow' } as const;

/**
 * Decode a row object (only the columns it names), with named-uuids resolved. Members are decoded one by
 * one in the order ovsdb-server visits them, resolving as they go, so that the first problem found is the
 * one it reports.
 */
function parseRow(x: Execution, table: TableStore, json: Json): Row {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new OvsdbError('syntax error', 'row must be JSON object', sortedJsonText(json));
  }
  const out: Record<string, Datum> = {};
  for (const name of hashOrder(Object.keys(json))) {
    const col = columnOf(table, name);
    if (col === undefined)
      throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`, sortedJsonText(json));
    out[name] = resolveDatum(x, col.type, datumFromWire(col.type, json[name] as Json, IN_TXN));
  }
  return out;
}

function columnOf(table: TableStore, name: string): ColumnSchema | undefined {
  return table.schema.columns.get(name) ?? IMPLICIT_COLUMNS.get(name);
}

function parseWhere(x: Execution, table: TableStore, json: Json): DataCondition[] {
  return parseConditions(table.schema, json, IN_TXN).map((c) =>
    typeof c === 'boolean' ? c : { ...c, value: resolveDatum(x, c.argType, c.value) },
  );
}

function parseMutationList(x: Execution, table: TableStore, json: Json): DataMutation[] {
  return parseMutations(table.schema, json, IN_TXN).map((m) => ({ ...m, value: resolveDatum(x, m.argType, m.value) }));
}

/** A `columns` member: the named columns in order (no duplicates), or every column when absent. */
function columnSet(table: TableStore, json: Json | undefined): ColumnSchema[] {
  if (json === undefined) return allColumns(table);
  const fail = (details: string): OvsdbError => new OvsdbError('syntax error', details, sortedJsonText(json));
  if (!Array.isArray(json)) throw fail('array of distinct column names expected');
  const out: ColumnSchema[] = [];
  for (const item of json) {
    if (typeof item !== 'string') throw fail('array of distinct column names expected');
    const col = columnOf(table, item);
    if (col === undefined) throw fail(`${item} is not a valid column name`);
    if (out.includes(col)) throw fail('array of distinct column names expected');
    out.push(col);
  }
  return out;
}

function allColumns(table: TableStore): ColumnSchema[] {
  return [
    IMPLICIT_COLUMNS.get('_uuid') as ColumnSchema,
    IMPLICIT_COLUMNS.get('_version') as ColumnSchema,
    ...table.columns,
  ];
}

function projectionKey(row: Row, columns: readonly ColumnSchema[]): string {
  let s = '';
  for (const c of columns) s += `${datumKey(row[c.name] as Datum)}\u0001`;
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// The operations

function executeInsert(x: Execution, p: ObjectParser, result: JsonObject): OvsdbError | undefined {
  const table = parseTable(x, p, 'table');
  const uuidJson = p.member('uuid', OP_STRING | OP_OPTIONAL);
  const uuidName = p.member('uuid-name', OP_ID | OP_OPTIONAL);
  const rowJson = p.member('row', OP_OBJECT);
  if (p.error !== undefined || table === undefined || rowJson === undefined) return p.error;

  let rowUuid: string | undefined;
  if (typeof uuidJson === 'string') {
    rowUuid = canonicalUuid(uuidJson);
    if (rowUuid === undefined) return new OvsdbError('syntax error', 'bad uuid', sortedJsonText(uuidJson));
    if (x.txn.uuidTaken(table, rowUuid)) {
      return new OvsdbError(
        'duplicate uuid',
        'This UUID would duplicate a UUID already present within the table or deleted within the same transaction.',
        sortedJsonText(uuidJson),
      );
    }
  }
  if (typeof uuidName === 'string') {
    let sym = x.symbols.get(uuidName);
    if (sym === undefined) x.symbols.set(uuidName, (sym = { uuid: rowUuid ?? newUuid(), created: false }));
    if (sym.created) {
      return new OvsdbError(
        'duplicate uuid-name',
        'This "uuid-name" appeared on an earlier "insert" operation.',
        sortedJsonText(uuidName),
      );
    }
    if (rowUuid !== undefined) sym.uuid = rowUuid;
    else rowUuid = sym.uuid;
    sym.created = true;
  }
  rowUuid ??= newUuid();

  const given = parseRow(x, table, rowJson);
  // Defaults must satisfy the column's constraints too (an enum without "", a minInteger above 0...).
  for (const bad of table.badDefaults) if (!Object.hasOwn(given, bad.column)) return bad.error;
  const row: Record<string, Datum> = { ...table.defaults };
  for (const name of Object.keys(given)) if (name !== '_uuid' && name !== '_version') row[name] = given[name] as Datum;
  row._uuid = rowUuid;
  row._version = newUuid();
  x.txn.insert(table, row);
  result.uuid = ['uuid', rowUuid];
  return undefined;
}

function executeSelect(x: Execution, p: ObjectParser, result: JsonObject): OvsdbError | undefined {
  const table = parseTable(x, p, 'table');
  const where = p.member('where', OP_ARRAY);
  const columnsJson = p.member('columns', OP_ARRAY | OP_OPTIONAL);
  const sortJson = p.member('sort', OP_ARRAY | OP_OPTIONAL);
  if (p.error !== undefined || table === undefined || where === undefined) return p.error;
  const conds = parseWhere(x, table, where);
  const columns = columnSet(table, columnsJson);
  const sort = sortJson === undefined ? [] : columnSet(table, sortJson);

  let rows: Row[] = [];
  const distinct = columnsJson !== undefined && !columns.some((c) => c.name === '_uuid');
  const seen = distinct ? new Set<string>() : undefined;
  x.txn.query(table, conds, (row) => {
    if (seen !== undefined) {
      const key = projectionKey(row, columns);
      if (seen.has(key)) return;
      seen.add(key);
    }
    rows.push(row);
  });
  if (sort.length > 0 && rows.length > 1) {
    rows = rows.sort((a, b) => {
      for (const c of sort) {
        const r = compareDatums(a[c.name] as Datum, b[c.name] as Datum);
        if (r !== 0) return r;
      }
      return 0;
    });
  }
  result.rows = rows.map((r) => pickColumns(table, r, columns, true));
  return undefined;
}

function executeUpdate(x: Execution, p: ObjectParser, result: JsonObject): OvsdbError | undefined {
  const table = parseTable(x, p, 'table');
  const where = p.member('where', OP_ARRAY);
  const rowJson = p.member('row', OP_OBJECT);
  if (p.error !== undefined || table === undefined || where === undefined || rowJson === undefined) return p.error;
  const given = parseRow(x, table, rowJson);
  const names = Object.keys(given);
  for (const name of names) {
    const col = columnOf(table, name) as ColumnSchema;
    if (!col.mutable) {
      return new OvsdbError(
        'constraint violation',
        `Cannot update immutable column ${name} in table ${table.name}.`,
        sortedJsonText(p.json as JsonObject),
      );
    }
  }
  const conds = parseWhere(x, table, where);
  let count = 0;
  x.txn.query(table, conds, (row) => {
    count++;
    let same = true;
    for (const name of names) {
      const col = columnOf(table, name) as ColumnSchema;
      if (!datumEquals(col.type, row[name] as Datum, given[name] as Datum)) same = false;
    }
    if (!same) x.txn.modify(table, row._uuid as string, { ...row, ...given });
  });
  result.count = count;
  return undefined;
}

function executeMutate(x: Execution, p: ObjectParser, result: JsonObject): OvsdbError | undefined {
  const table = parseTable(x, p, 'table');
  const where = p.member('where', OP_ARRAY);
  const mutationsJson = p.member('mutations', OP_ARRAY);
  if (p.error !== undefined || table === undefined || where === undefined || mutationsJson === undefined)
    return p.error;
  const mutations = parseMutationList(x, table, mutationsJson);
  const conds = parseWhere(x, table, where);
  let count = 0;
  x.txn.query(table, conds, (row) => {
    count++;
    const r = applyMutations(table.schema, row, mutations);
    if (r.changed) x.txn.modify(table, row._uuid as string, r.row);
  });
  result.count = count;
  return undefined;
}

function executeDelete(x: Execution, p: ObjectParser, result: JsonObject): OvsdbError | undefined {
  const where = p.member('where', OP_ARRAY);
  const table = parseTable(x, p, 'table');
  if (p.error !== undefined || table === undefined || where === undefined) return p.error;
  const conds = parseWhere(x, table, where);
  let count = 0;
  x.txn.query(table, conds, (row) => {
    count++;
    x.txn.delete(table, row._uuid as string);
  });
  result.count = count;
  return undefined;
}

function executeWait(x: Execution, p: ObjectParser): OvsdbError | typeof WAIT_PENDING | undefined {
  const timeout = p.member('timeout', OP_INTEGER | OP_OPTIONAL);
  const where = p.member('where', OP_ARRAY);
  const columnsJson = p.member('columns', OP_ARRAY | OP_OPTIONAL);
  const until = p.member('until', OP_STRING);
  const rowsJson = p.member('rows', OP_ARRAY);
  const table = parseTable(x, p, 'table');
  if (p.error !== undefined || table === undefined || where === undefined || !Array.isArray(rowsJson)) return p.error;
  const conds = parseWhere(x, table, where);
  const columns = columnSet(table, columnsJson);
  let timeoutMs = Infinity;
  if (timeout !== undefined) {
    timeoutMs = Number(timeout);
    if (timeoutMs < 0) return new OvsdbError('syntax error', 'timeout must be nonnegative', sortedJsonText(timeout));
    if (timeoutMs < x.timeoutMs) x.timeoutMs = timeoutMs;
  }
  if (until !== '==' && until !== '!=') {
    return new OvsdbError('syntax error', '"until" must be "==" or "!="', sortedJsonText(until as Json));
  }
  const expected = new Set<string>();
  for (const rj of rowsJson) {
    const given = parseRow(x, table, rj);
    expected.add(projectionKey({ ...table.defaults, ...given }, columns));
  }
  // Equal when every matching row is one of the expected rows and as many distinct rows match.
  let unexpected = 0; // a count, not a flag: TypeScript does not see the callback below set a flag
  const actual = new Set<string>();
  x.txn.query(table, conds, (row) => {
    const key = projectionKey(row, columns);
    if (!expected.has(key)) {
      unexpected++;
      return false;
    }
    actual.add(key);
    return true;
  });
  const equal = unexpected === 0 && actual.size === expected.size;
  if ((until === '==') === equal) return undefined;
  const elapsed = x.opts.elapsedMs ?? 0;
  if (timeout !== undefined && (x.opts.elapsedMs === undefined || elapsed >= timeoutMs)) {
    return elapsed > 0
      ? new OvsdbError('timed out', `"wait" timed out after ${elapsed} ms`)
      : new OvsdbError('timed out', '"where" clause test failed');
  }
  // Only with `elapsedMs` (checked above): the caller turns this into a trigger that re-runs the transaction
  // after later commits.
  return WAIT_PENDING;
}

function executeCommit(x: Execution, p: ObjectParser): OvsdbError | undefined {
  const durable = p.member('durable', OP_BOOLEAN);
  if (durable === true) x.durable = true;
  return undefined;
}

function executeAbort(): OvsdbError | undefined {
  return new OvsdbError('aborted', 'aborted by request');
}

function executeComment(x: Execution, p: ObjectParser): OvsdbError | undefined {
  const comment = p.member('comment', OP_STRING);
  if (typeof comment === 'string') x.comments.push(comment);
  return undefined;
}

function executeAssert(x: Execution, p: ObjectParser): OvsdbError | undefined {
  const lock = p.member('lock', OP_ID);
  if (typeof lock !== 'string') return undefined;
  if (x.opts.ownsLock?.(lock) === true) return undefined;
  return new OvsdbError('not owner', `Asserted lock ${lock} not held.`);
}
