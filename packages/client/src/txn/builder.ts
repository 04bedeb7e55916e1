/**
 * A small fluent builder that turns typed values into RFC 7047 operations. Building only returns
 * operations; sending them is `OvsdbClient.transact`'s job (the same separation libovsdb keeps), so a
 * built transaction can be shown, stored or sent through the gateway as is.
 *
 * ```ts
 * const tx = new TransactionBuilder(schema);
 * const port = tx.insert('Logical_Switch_Port', { name: 'lsp1', addresses: ['00:00:00:00:00:01 10.0.0.1'] });
 * tx.mutate('Logical_Switch', [['name', '==', 'ls1']], [['ports', 'insert', [port]]]);
 * await client.transact('OVN_Northbound', tx.operations());
 * ```
 */
import { type DatabaseSchema, type TableSchema, type ColumnType, columnOf, isScalar, tableOf } from '../schema/schema.js';
import { OvsdbError } from '../wire/errors.js';
import type { ConditionFunction, Mutator, WireCondition, WireDatum, WireMutation, WireRow } from '../wire/notation.js';
import type { Operation, WaitOperation } from '../wire/operation.js';
import { NamedUuid } from '../data/value.js';
import { datumFromValue, datumToWire } from '../data/datum.js';

/** A condition with a typed value: `['name', '==', 'ls1']`, or the constants `true`/`false`. */
export type Condition = readonly [column: string, fn: ConditionFunction, value: unknown] | boolean;
/** A mutation with a typed value: `['ports', 'insert', [port]]`. */
export type Mutation = readonly [column: string, mutator: Mutator, value: unknown];
/** Column values in the typed form of `data/value.ts` (sets as arrays, maps as Map or plain objects). */
export type RowValues = Readonly<Record<string, unknown>>;

export class TransactionBuilder {
  private readonly ops: Operation[] = [];
  private nextName = 0;

  constructor(readonly schema: DatabaseSchema) {}

  /** Insert a row; returns the named-uuid that later operations can use to refer to it. */
  insert(table: string, row: RowValues = {}, opts: { uuidName?: string; uuid?: string } = {}): NamedUuid {
    const t = tableOf(this.schema, table);
    const name = opts.uuidName ?? `row${this.nextName++}`;
    const op: Operation = { op: 'insert', table, 'uuid-name': name, row: encodeRow(t, row) };
    if (opts.uuid !== undefined) op.uuid = opts.uuid;
    this.ops.push(op);
    return new NamedUuid(name);
  }

  select(table: string, where: readonly Condition[] = [], columns?: readonly string[]): this {
    const t = tableOf(this.schema, table);
    const op: Operation = { op: 'select', table, where: encodeConditions(t, where) };
    if (columns) op.columns = [...columns];
    this.ops.push(op);
    return this;
  }

  update(table: string, where: readonly Condition[], row: RowValues): this {
    const t = tableOf(this.schema, table);
    this.ops.push({ op: 'update', table, where: encodeConditions(t, where), row: encodeRow(t, row) });
    return this;
  }

  mutate(table: string, where: readonly Condition[], mutations: readonly Mutation[]): this {
    const t = tableOf(this.schema, table);
    this.ops.push({ op: 'mutate', table, where: encodeConditions(t, where), mutations: mutations.map((m) => encodeMutation(t, m)) });
    return this;
  }

  delete(table: string, where: readonly Condition[]): this {
    const t = tableOf(this.schema, table);
    this.ops.push({ op: 'delete', table, where: encodeConditions(t, where) });
    return this;
  }

  /**
   * Optimistic concurrency: fail the whole transaction unless the rows matching `where` have (`==`) or
   * no longer have (`!=`) exactly `rows` in `columns`. `timeout` 0 checks once.
   */
  wait(
    table: string,
    where: readonly Condition[],
    columns: readonly string[],
    until: '==' | '!=',
    rows: readonly RowValues[],
    timeout?: number,
  ): this {
    const t = tableOf(this.schema, table);
    const op: WaitOperation = { op: 'wait', table, where: encodeConditions(t, where), columns: [...columns], until, rows: rows.map((r) => encodeRow(t, r)) };
    if (timeout !== undefined) op.timeout = timeout;
    this.ops.push(op);
    return this;
  }

  commit(durable = false): this {
    this.ops.push({ op: 'commit', durable });
    return this;
  }

  abort(): this {
    this.ops.push({ op: 'abort' });
    return this;
  }

  comment(text: string): this {
    this.ops.push({ op: 'comment', comment: text });
    return this;
  }

  assert(lock: string): this {
    this.ops.push({ op: 'assert', lock });
    return this;
  }

  /** The operations built so far, in order (a copy: the builder can keep going). */
  operations(): Operation[] {
    return [...this.ops];
  }
}

function requireColumnType(table: TableSchema, column: string): ColumnType {
  const c = columnOf(table, column);
  if (!c) throw new OvsdbError('unknown column', `No column ${column} in table ${table.name}.`);
  return c.type;
}

export function encodeRow(table: TableSchema, row: RowValues): WireRow {
  const out: WireRow = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue;
    const type = requireColumnType(table, column);
    out[column] = datumToWire(type, datumFromValue(type, value));
  }
  return out;
}

/**
 * Condition and mutation values may be a subset of what the column holds (`ports includes [p]`, an
 * optional column compared with `<`), so they are encoded against the column type with its size limits
 * lifted; the server (and `validateTransaction`) judge the size rules that do apply.
 */
function relaxed(type: ColumnType): ColumnType {
  if (isScalar(type)) return type;
  return { ...type, min: 0, max: Infinity };
}

function encodeValue(table: TableSchema, column: string, fn: string, value: unknown): WireDatum {
  const type = requireColumnType(table, column);
  if (type.value !== undefined && fn === 'delete' && (Array.isArray(value) || value instanceof Set)) {
    // A map delete by keys: the value is a set of key atoms.
    const keys: ColumnType = { key: type.key, min: 0, max: Infinity };
    return datumToWire(keys, datumFromValue(keys, value instanceof Set ? [...value] : value));
  }
  const isScalarArith = ['+=', '-=', '*=', '/=', '%=', '<', '<=', '>', '>='].includes(fn);
  if (isScalarArith && !isScalar(type)) {
    // Arithmetic on a set applies to each element; comparisons on an optional column take one atom.
    const atom: ColumnType = { key: type.key, min: 1, max: 1 };
    return datumToWire(atom, datumFromValue(atom, value));
  }
  const t = relaxed(type);
  return datumToWire(t, datumFromValue(t, value));
}

export function encodeConditions(table: TableSchema, where: readonly Condition[]): WireCondition[] {
  return where.map((c) => (typeof c === 'boolean' ? c : [c[0], c[1], encodeValue(table, c[0], c[1], c[2])]));
}

function encodeMutation(table: TableSchema, m: Mutation): WireMutation {
  return [m[0], m[1], encodeValue(table, m[0], m[1], m[2])];
}
