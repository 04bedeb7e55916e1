/**
 * Typed values (the forms of `value.ts`: arrays for sets, Map or plain objects for maps) encoded as RFC 7047
 * notation for rows, conditions and mutations, checked against the column types. The transaction builder,
 * the cache's `find` and monitor conditions all encode through here.
 */
import { type TableSchema, type ColumnType, columnOf, isScalar } from '../schema/schema.js';
import { OvsdbError } from '../wire/errors.js';
import type { ConditionFunction, Mutator, WireCondition, WireDatum, WireMutation, WireRow } from '../wire/notation.js';
import { datumFromValue, datumToWire } from './datum.js';

/** A condition with a typed value: `['name', '==', 'ls1']`, or the constants `true`/`false`. */
export type Condition = readonly [column: string, fn: ConditionFunction, value: unknown] | boolean;
/** A mutation with a typed value: `['ports', 'insert', [port]]`. */
export type Mutation = readonly [column: string, mutator: Mutator, value: unknown];
/** Column values in the typed form of `data/value.ts` (sets as arrays, maps as Map or plain objects). */
export type RowValues = Readonly<Record<string, unknown>>;

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

export function encodeMutation(table: TableSchema, m: Mutation): WireMutation {
  return [m[0], m[1], encodeValue(table, m[0], m[1], m[2])];
}
