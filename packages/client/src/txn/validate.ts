/**
 * Checks a transaction (RFC 7047 operations in wire notation) against a database schema before anything
 * is sent: unknown tables and columns, wrong types, constraint and size violations, immutable columns,
 * malformed members and named-uuids that no insert defines. The first problem is returned as a
 * `TransactionValidationError` naming the operation and column; the `error` kind is the one ovsdb-server
 * would have answered with, so callers can handle both the same way.
 */
import type { Json, JsonObject } from '../wire/json.js';
import { ID_PATTERN, UUID_PATTERN, isJsonObject } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import { OPERATION_NAMES, type Operation } from '../wire/operation.js';
import { columnOf, type ColumnSchema, type DatabaseSchema, type TableSchema } from '../schema/schema.js';
import { NamedUuid, type Datum } from '../data/value.js';
import { datumFromWire, datumToWire, defaultDatum } from '../data/datum.js';
import { parseConditions } from '../data/condition.js';
import { parseMutations } from '../data/mutation.js';
import { TransactionValidationError } from './errors.js';

class Check {
  op: string | undefined;
  table: string | undefined;
  constructor(readonly index: number) {}

  fail(error: string, details: string, column?: string): never {
    throw new TransactionValidationError(error, details, this.index, this.op, this.table, column);
  }

  /** Re-throw an error from the data layer with this operation's context added. */
  wrap<T>(column: string | undefined, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof TransactionValidationError) throw err;
      if (err instanceof OvsdbError) this.fail(err.error, err.details ?? err.message, column);
      throw err;
    }
  }
}

interface Context {
  schema: DatabaseSchema;
  definedNames: Map<string, number>;
  referencedNames: Map<string, { index: number; op: string; table: string; column: string }>;
}

const SET_MEMBERS: Record<string, readonly string[]> = {
  insert: ['op', 'table', 'row', 'uuid-name', 'uuid'],
  select: ['op', 'table', 'where', 'columns'],
  update: ['op', 'table', 'where', 'row'],
  mutate: ['op', 'table', 'where', 'mutations'],
  delete: ['op', 'table', 'where'],
  wait: ['op', 'table', 'where', 'columns', 'until', 'rows', 'timeout'],
  commit: ['op', 'durable'],
  abort: ['op'],
  comment: ['op', 'comment'],
  assert: ['op', 'lock'],
};

/** Validate `operations`; throws `TransactionValidationError` at the first problem. */
export function validateTransaction(schema: DatabaseSchema, operations: readonly (Operation | Json)[]): void {
  const ctx: Context = { schema, definedNames: new Map(), referencedNames: new Map() };
  operations.forEach((op, index) => validateOperation(ctx, op as Json, new Check(index)));
  for (const [name, ref] of ctx.referencedNames) {
    if (!ctx.definedNames.has(name)) {
      const c = new Check(ref.index);
      c.op = ref.op;
      c.table = ref.table;
      c.fail(
        'referential integrity violation',
        `named-uuid "${name}" is not defined by any insert operation of this transaction`,
        ref.column,
      );
    }
  }
}

function validateOperation(ctx: Context, json: Json, c: Check): void {
  if (!isJsonObject(json)) c.fail('syntax error', 'an operation must be a JSON object');
  const opName = json.op;
  if (typeof opName !== 'string') c.fail('syntax error', 'missing "op" member');
  if (!(OPERATION_NAMES as readonly string[]).includes(opName)) {
    c.fail('syntax error', `unknown operation "${opName}"; expected one of ${OPERATION_NAMES.join(', ')}`);
  }
  c.op = opName;
  const allowed = SET_MEMBERS[opName] ?? [];
  for (const key of Object.keys(json)) {
    if (!allowed.includes(key)) c.fail('syntax error', `unknown member "${key}" in ${opName} operation`);
  }

  switch (opName) {
    case 'commit':
      if (typeof json.durable !== 'boolean') c.fail('syntax error', '"durable" must be a boolean');
      return;
    case 'abort':
      return;
    case 'comment':
      if (typeof json.comment !== 'string') c.fail('syntax error', '"comment" must be a string');
      return;
    case 'assert':
      if (typeof json.lock !== 'string') c.fail('syntax error', '"lock" must be a string');
      return;
    default:
      break;
  }

  const table = requireTable(ctx, json, c);
  switch (opName) {
    case 'insert':
      validateInsert(ctx, json, table, c);
      return;
    case 'select':
      validateWhere(ctx, json, table, c);
      if (json.columns !== undefined) validateColumnList(json.columns, table, c, 'columns');
      return;
    case 'update':
      validateWhere(ctx, json, table, c);
      validateRow(ctx, json.row, table, c, 'update');
      return;
    case 'mutate':
      validateWhere(ctx, json, table, c);
      validateMutations(ctx, json.mutations, table, c);
      return;
    case 'delete':
      validateWhere(ctx, json, table, c);
      return;
    case 'wait':
      validateWait(ctx, json, table, c);
      return;
  }
}

function requireTable(ctx: Context, json: JsonObject, c: Check): TableSchema {
  if (typeof json.table !== 'string') c.fail('syntax error', 'missing "table" member');
  c.table = json.table;
  const table = ctx.schema.tables.get(json.table);
  if (!table) c.fail('syntax error', `No table named ${json.table}.`);
  return table;
}

function validateInsert(ctx: Context, json: JsonObject, table: TableSchema, c: Check): void {
  const name = json['uuid-name'];
  if (name !== undefined) {
    if (typeof name !== 'string' || !ID_PATTERN.test(name)) {
      c.fail(
        'syntax error',
        `uuid-name ${JSON.stringify(name)} is not an <id> (a letter or _, then letters, digits or _)`,
      );
    }
    if (ctx.definedNames.has(name)) {
      c.fail(
        'duplicate uuid-name',
        `uuid-name "${name}" is already defined by operation ${ctx.definedNames.get(name)}`,
      );
    }
    ctx.definedNames.set(name, c.index);
  }
  if (json.uuid !== undefined && (typeof json.uuid !== 'string' || !UUID_PATTERN.test(json.uuid))) {
    c.fail('syntax error', `"uuid" ${JSON.stringify(json.uuid)} is not a UUID`);
  }
  if (json.row !== undefined) validateRow(ctx, json.row, table, c, 'insert');
  const given = isJsonObject(json.row) ? json.row : {};
  for (const column of table.columns.values()) {
    if (column.name in given) continue;
    const problem = defaultProblem(column);
    if (problem)
      c.fail(problem.error, `a value must be given: the default ${problem.details ?? ''}`.trim(), column.name);
  }
}

const defaultProblems = new WeakMap<ColumnSchema, OvsdbError | null>();

/** An omitted column gets its type's default, which a schema's constraints may forbid (an enum without ""). */
function defaultProblem(column: ColumnSchema): OvsdbError | null {
  let p = defaultProblems.get(column);
  if (p === undefined) {
    try {
      datumFromWire(column.type, datumToWire(column.type, defaultDatum(column.type)));
      p = null;
    } catch (err) {
      if (!(err instanceof OvsdbError)) throw err;
      p = err;
    }
    defaultProblems.set(column, p);
  }
  return p;
}

function validateRow(
  ctx: Context,
  row: Json | undefined,
  table: TableSchema,
  c: Check,
  purpose: 'insert' | 'update',
): void {
  if (!isJsonObject(row)) c.fail('syntax error', '"row" must be a JSON object of column values');
  for (const [name, value] of Object.entries(row)) {
    const column = requireColumn(table, name, c);
    if (name === '_uuid' || name === '_version') {
      c.fail('constraint violation', `column ${name} is read-only`, name);
    }
    if (purpose === 'update' && !column.mutable) {
      c.fail('constraint violation', `cannot update immutable column ${name} of table ${table.name}`, name);
    }
    const datum = c.wrap(name, () => datumFromWire(column.type, value, { namedUuids: 'allow' }));
    noteNamedUuids(ctx, datum, c, name);
  }
}

function validateWhere(ctx: Context, json: JsonObject, table: TableSchema, c: Check): void {
  if (!Array.isArray(json.where)) c.fail('syntax error', '"where" must be an array of conditions');
  c.wrap(undefined, () => parseConditions(table, json.where ?? [], { namedUuids: 'allow' }));
  noteNamedUuidsInJson(ctx, json.where, c, undefined);
}

function validateMutations(ctx: Context, mutations: Json | undefined, table: TableSchema, c: Check): void {
  if (!Array.isArray(mutations)) c.fail('syntax error', '"mutations" must be an array of mutations');
  for (const m of mutations) {
    const column = Array.isArray(m) && typeof m[0] === 'string' ? m[0] : undefined;
    if (column !== undefined) {
      const col = columnOf(table, column);
      if (col && (!col.mutable || column === '_uuid' || column === '_version')) {
        c.fail('constraint violation', `cannot mutate immutable column ${column} of table ${table.name}`, column);
      }
    }
    c.wrap(column, () => parseMutations(table, [m], { namedUuids: 'allow' }));
  }
  noteNamedUuidsInJson(ctx, mutations, c, undefined);
}

function validateWait(ctx: Context, json: JsonObject, table: TableSchema, c: Check): void {
  validateWhere(ctx, json, table, c);
  const columns = validateColumnList(json.columns, table, c, 'columns');
  if (json.until !== '==' && json.until !== '!=') c.fail('syntax error', '"until" must be "==" or "!="');
  if (
    json.timeout !== undefined &&
    (typeof json.timeout !== 'number' || !Number.isInteger(json.timeout) || json.timeout < 0)
  ) {
    c.fail('syntax error', '"timeout" must be a non-negative integer (milliseconds)');
  }
  if (!Array.isArray(json.rows)) c.fail('syntax error', '"rows" must be an array of rows');
  for (const row of json.rows) {
    if (!isJsonObject(row)) c.fail('syntax error', 'each of "rows" must be a JSON object');
    for (const [name, value] of Object.entries(row)) {
      const column = requireColumn(table, name, c);
      if (!columns.includes(name)) c.fail('syntax error', `row column ${name} is not in "columns"`, name);
      const datum = c.wrap(name, () => datumFromWire(column.type, value, { namedUuids: 'allow' }));
      noteNamedUuids(ctx, datum, c, name);
    }
  }
}

function validateColumnList(json: Json | undefined, table: TableSchema, c: Check, member: string): string[] {
  if (!Array.isArray(json) || !json.every((x) => typeof x === 'string')) {
    c.fail('syntax error', `"${member}" must be an array of column names`);
  }
  for (const name of json) requireColumn(table, name, c);
  return json;
}

function requireColumn(table: TableSchema, name: string, c: Check): ColumnSchema {
  const column = columnOf(table, name);
  if (!column) c.fail('unknown column', `No column ${name} in table ${table.name}.`, name);
  return column;
}

function noteNamedUuids(ctx: Context, datum: Datum, c: Check, column: string): void {
  const visit = (a: unknown): void => {
    if (a instanceof NamedUuid && !ctx.referencedNames.has(a.name)) {
      ctx.referencedNames.set(a.name, { index: c.index, op: c.op ?? '', table: c.table ?? '', column });
    }
  };
  if (datum instanceof Map) {
    for (const [k, v] of datum) {
      visit(k);
      visit(v);
    }
  } else if (Array.isArray(datum)) datum.forEach(visit);
  else visit(datum);
}

/** Conditions and mutations are parsed by the data layer; find their named-uuids in the wire form. */
function noteNamedUuidsInJson(ctx: Context, json: Json | undefined, c: Check, column: string | undefined): void {
  if (!Array.isArray(json)) return;
  if (json.length === 2 && json[0] === 'named-uuid' && typeof json[1] === 'string') {
    if (!ctx.referencedNames.has(json[1])) {
      ctx.referencedNames.set(json[1], { index: c.index, op: c.op ?? '', table: c.table ?? '', column: column ?? '' });
    }
    return;
  }
  for (const item of json) {
    const col = Array.isArray(item) && item.length === 3 && typeof item[0] === 'string' ? item[0] : column;
    noteNamedUuidsInJson(ctx, item, c, col);
  }
}
