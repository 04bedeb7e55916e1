/**
 * `where` conditions (RFC 7047 §5.1 plus ovsdb-server's extensions: `< <= > >=` on optional integers and
 * reals, and the literals `true`/`false`), parsed and type-checked like ovsdb-server and evaluated on
 * typed rows, as a `select` does ("all" clauses) or as `monitor_cond` does ("any" clause).
 */
import type { Json } from '../wire/json.js';
import { CONDITION_FUNCTIONS, type ConditionFunction, type WireCondition } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import { columnOf, isOptional, isScalar, type ColumnType, type TableSchema } from '../schema/schema.js';
import type { Atom, Datum, MapDatum, Row, SetDatum } from './value.js';
import { atomEquals, compareAtoms, compareUtf8, syntaxError, syntaxText, type DecodeContext } from './atom.js';
import { datumEquals, datumFromWire, datumToWire, defaultDatum, typeToEnglish } from './datum.js';

export interface ConditionClause {
  readonly column: string;
  readonly function: ConditionFunction;
  /** The argument, in the representation of `argType`. */
  readonly value: Datum;
  readonly columnType: ColumnType;
  /** The column type as relaxed for this function (includes: min 0; excludes: any size; `<`...: scalar). */
  readonly argType: ColumnType;
}

/** A clause, or one of the constant conditions `true` and `false`. */
export type ParsedCondition = boolean | ConditionClause;

export type ConditionMode = 'all' | 'any';

function isRelational(f: ConditionFunction): boolean {
  return f === '<' || f === '<=' || f === '>' || f === '>=';
}

/** Parse one clause of a `where` array (`ctx.namedUuids: 'allow'` inside a transaction). */
export function parseCondition(table: TableSchema, json: Json, ctx?: DecodeContext): ParsedCondition {
  if (typeof json === 'boolean') return json;
  if (!Array.isArray(json) || json.length !== 3 || typeof json[0] !== 'string' || typeof json[1] !== 'string') {
    throw syntaxError(json, 'Parse error in condition.');
  }
  const name = json[0];
  const fname = json[1];
  const column = columnOf(table, name);
  if (column === undefined)
    throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`, syntaxText(json));
  if (!(CONDITION_FUNCTIONS as readonly string[]).includes(fname)) {
    throw new OvsdbError('unknown function', `No function named ${fname}.`);
  }
  const fn = fname as ConditionFunction;
  const type = column.type;
  let argType: ColumnType = type;
  if (isRelational(fn)) {
    const k = type.key.type;
    if (!(isScalar(type) || isOptional(type)) || (k !== 'integer' && k !== 'real')) {
      throw syntaxError(
        json,
        `Type mismatch: "${fn}" operator may not be applied to column ${name} of type ${typeToEnglish(type)}.`,
      );
    }
    // An ordering needs a value to compare with, even on an optional column.
    if (!isScalar(type)) argType = { key: type.key, min: 1, max: 1 };
  } else if (fn === 'includes' && !isScalar(type)) {
    argType = { ...type, min: 0 };
  } else if (fn === 'excludes' && !isScalar(type)) {
    argType = { ...type, min: 0, max: Infinity };
  }
  const value = datumFromWire(argType, json[2] as Json, ctx);
  return { column: name, function: fn, value, columnType: type, argType };
}

// ovsdb-server's clause order: functions by expected selectivity, then _uuid/_version, then column name.
const FUNCTION_RANK: Readonly<Record<ConditionFunction, number>> = {
  '==': 2,
  includes: 3,
  '<=': 4,
  '<': 5,
  '>=': 6,
  '>': 7,
  excludes: 8,
  '!=': 9,
};

function clauseRank(c: ParsedCondition): number {
  return typeof c === 'boolean' ? (c ? 1 : 0) : FUNCTION_RANK[c.function];
}

function columnRank(name: string): number {
  return name === '_uuid' ? 0 : name === '_version' ? 1 : 2;
}

function compareClauses(a: ParsedCondition, b: ParsedCondition): number {
  const r = clauseRank(a) - clauseRank(b);
  if (r !== 0) return r;
  const ca = typeof a === 'boolean' ? '_uuid' : a.column;
  const cb = typeof b === 'boolean' ? '_uuid' : b.column;
  const s = columnRank(ca) - columnRank(cb);
  return s !== 0 ? s : compareUtf8(ca, cb);
}

/**
 * Parse a `where` array. The clauses come back in ovsdb-server's normal order (which does not change
 * their meaning: `all` and `any` are both commutative).
 */
export function parseConditions(table: TableSchema, wire: Json, ctx?: DecodeContext): ParsedCondition[] {
  if (!Array.isArray(wire)) throw syntaxError(wire, "Type mismatch for member 'where'.");
  const out = wire.map((c) => parseCondition(table, c, ctx));
  return out.sort(compareClauses);
}

/** Encode conditions as a `where` array (one-element sets as bare atoms, like ovsdb-server). */
export function conditionsToWire(conds: readonly ParsedCondition[]): WireCondition[] {
  return conds.map((c) => (typeof c === 'boolean' ? c : [c.column, c.function, datumToWire(c.argType, c.value)]));
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** Whether every member of sorted `sub` is in sorted `sup`. */
function includesAll(sup: SetDatum, sub: SetDatum): boolean {
  let i = 0;
  for (const y of sub) {
    for (;;) {
      if (i >= sup.length) return false;
      const c = compareAtoms(sup[i] as Atom, y);
      if (c < 0) {
        i++;
        continue;
      }
      if (c > 0) return false;
      i++;
      break;
    }
  }
  return true;
}

/** Whether sorted sets share a member. */
function intersects(a: SetDatum, b: SetDatum): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compareAtoms(a[i] as Atom, b[j] as Atom);
    if (c === 0) return true;
    if (c < 0) i++;
    else j++;
  }
  return false;
}

function hasPair(m: MapDatum, k: Atom, v: Atom): boolean {
  const w = m.get(k);
  return w !== undefined && atomEquals(w, v);
}

function mapIncludesAll(field: MapDatum, arg: MapDatum): boolean {
  if (arg.size > field.size) return false;
  for (const [k, v] of arg) if (!hasPair(field, k, v)) return false;
  return true;
}

function mapExcludesAll(field: MapDatum, arg: MapDatum): boolean {
  for (const [k, v] of arg) if (hasPair(field, k, v)) return false;
  return true;
}

function asSet(d: Datum): SetDatum {
  return Array.isArray(d) ? (d as SetDatum) : [d as Atom];
}

function evaluateClause(c: ConditionClause, row: Row): boolean {
  const field: Datum = Object.hasOwn(row, c.column) ? (row[c.column] as Datum) : defaultDatum(c.columnType);
  const fn = c.function;
  if (isRelational(fn)) {
    let x: Atom;
    if (Array.isArray(field)) {
      // An empty optional column has no value to order: the comparison is false.
      if (field.length === 0) return false;
      x = field[0] as Atom;
    } else {
      x = field as Atom;
    }
    const cmp = compareAtoms(x, c.value as Atom);
    switch (fn) {
      case '<':
        return cmp < 0;
      case '<=':
        return cmp <= 0;
      case '>':
        return cmp > 0;
      default:
        return cmp >= 0;
    }
  }
  if (isScalar(c.columnType)) {
    const eq = atomEquals(field as Atom, c.value as Atom);
    return fn === '==' || fn === 'includes' ? eq : !eq;
  }
  if (field instanceof Map) {
    const arg = c.value as MapDatum;
    switch (fn) {
      case '==':
        return datumEquals(c.columnType, field, arg);
      case '!=':
        return !datumEquals(c.columnType, field, arg);
      case 'includes':
        return mapIncludesAll(field, arg);
      default:
        return mapExcludesAll(field, arg);
    }
  }
  const set = asSet(field);
  const arg = asSet(c.value);
  switch (fn) {
    case '==':
      return datumEquals(c.argType, set, arg);
    case '!=':
      return !datumEquals(c.argType, set, arg);
    case 'includes':
      return includesAll(set, arg);
    default:
      return !intersects(set, arg);
  }
}

/** Evaluate one condition on a typed row; columns missing from the row take their default value. */
export function evaluateCondition(c: ParsedCondition, row: Row): boolean {
  return typeof c === 'boolean' ? c : evaluateClause(c, row);
}

/**
 * `'all'`: every clause holds (a `select`'s `where`). `'any'`: some clause holds (a `monitor_cond`
 * condition). No clauses at all match every row in both modes.
 */
export function evaluateConditions(conds: readonly ParsedCondition[], row: Row, mode: ConditionMode = 'all'): boolean {
  const n = conds.length;
  if (n === 0) return true;
  if (mode === 'all') {
    for (const c of conds) if (!evaluateCondition(c, row)) return false;
    return true;
  }
  for (const c of conds) if (evaluateCondition(c, row)) return true;
  return false;
}
