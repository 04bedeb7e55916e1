/**
 * `mutate` mutations (RFC 7047 §5.1), parsed and type-checked like ovsdb-server and applied to typed rows
 * with its int64 overflow, division and constraint rules and error strings.
 */
import type { Json } from '../wire/json.js';
import { MUTATORS, type Mutator, type WireMutation } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import { columnOf, isScalar, type BaseType, type ColumnType, type TableSchema } from '../schema/schema.js';
import { isMapDatum, type Atom, type Datum, type MapDatum, type Row, type SetDatum } from './value.js';
import {
  atomEquals,
  checkAtom,
  compareAtoms,
  INT64_MAX,
  INT64_MIN,
  normalizeInteger,
  syntaxError,
  syntaxText,
  type DecodeContext,
} from './atom.js';
import { datumEquals, datumFromWire, datumToWire, defaultDatum, EMPTY_MAP, EMPTY_SET, typeToEnglish } from './datum.js';

export interface ParsedMutation {
  readonly column: string;
  readonly mutator: Mutator;
  /** The argument, in the representation of `argType`. */
  readonly value: Datum;
  readonly columnType: ColumnType;
  /**
   * The type the argument was parsed with: a constraint-free scalar for arithmetic; the column type with
   * min 0 for insert (and any size for delete); for a map delete by keys, a set of the key type.
   */
  readonly argType: ColumnType;
}

export interface MutationResult {
  /** The mutated row, or the same row object when nothing changed. */
  readonly row: Row;
  readonly changed: boolean;
}

function isArithmetic(m: Mutator): boolean {
  return m === '+=' || m === '-=' || m === '*=' || m === '/=' || m === '%=';
}

// ovsdb-server's notion of a set type includes optional columns (anything non-scalar without values).
function isSetType(t: ColumnType): boolean {
  return t.value === undefined && !isScalar(t);
}

/** Parse one mutation `[column, mutator, value]` (`ctx.namedUuids: 'allow'` inside a transaction). */
export function parseMutation(table: TableSchema, json: Json, ctx?: DecodeContext): ParsedMutation {
  if (!Array.isArray(json) || json.length !== 3 || typeof json[0] !== 'string' || typeof json[1] !== 'string') {
    throw syntaxError(json, 'Parse error in mutation.');
  }
  const name = json[0];
  const mname = json[1];
  const column = columnOf(table, name);
  if (column === undefined)
    throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`, syntaxText(json));
  if (!column.mutable) {
    throw new OvsdbError(
      'constraint violation',
      `Cannot mutate immutable column ${name} in table ${table.name}.`,
      syntaxText(json),
    );
  }
  if (!(MUTATORS as readonly string[]).includes(mname))
    throw new OvsdbError('unknown mutator', `No mutator named ${mname}.`);
  const mutator = mname as Mutator;
  const type = column.type;
  const mismatch = (): OvsdbError =>
    syntaxError(
      json,
      `Type mismatch: "${mutator}" operator may not be applied to column ${name} of type ${typeToEnglish(type)}.`,
    );
  const arg = json[2] as Json;

  if (isArithmetic(mutator)) {
    const k = type.key.type;
    if (
      !(isScalar(type) || isSetType(type)) ||
      (k !== 'integer' && k !== 'real') ||
      (mutator === '%=' && k === 'real')
    ) {
      throw mismatch();
    }
    // The operand is unconstrained; only the result has to satisfy the column's constraints.
    const argType: ColumnType = { key: { type: k }, min: 1, max: 1 };
    return { column: name, mutator, value: datumFromWire(argType, arg, ctx), columnType: type, argType };
  }

  if (!isSetType(type) && type.value === undefined) throw mismatch();
  const argType: ColumnType = { ...type, min: 0, max: mutator === 'delete' ? Infinity : type.max };
  if (mutator === 'delete' && type.value !== undefined) {
    try {
      return { column: name, mutator, value: datumFromWire(argType, arg, ctx), columnType: type, argType };
    } catch {
      // A map delete also takes a set of keys.
      const keysType: ColumnType = { key: type.key, min: 0, max: Infinity };
      return { column: name, mutator, value: datumFromWire(keysType, arg, ctx), columnType: type, argType: keysType };
    }
  }
  return { column: name, mutator, value: datumFromWire(argType, arg, ctx), columnType: type, argType };
}

/** Parse a `mutations` array; the order is kept, since mutations apply in sequence. */
export function parseMutations(table: TableSchema, wire: Json, ctx?: DecodeContext): ParsedMutation[] {
  if (!Array.isArray(wire)) throw syntaxError(wire, "Type mismatch for member 'mutations'.");
  return wire.map((m) => parseMutation(table, m, ctx));
}

export function mutationsToWire(mutations: readonly ParsedMutation[]): WireMutation[] {
  return mutations.map((m) => [m.column, m.mutator, datumToWire(m.argType, m.value)]);
}

// ---------------------------------------------------------------------------------------------------------
// Arithmetic

function rangeError(mutator: Mutator): OvsdbError {
  return new OvsdbError('range error', `Result of "${mutator}" operation is out of range.`);
}
function domainError(): OvsdbError {
  return new OvsdbError('domain error', 'Division by zero.');
}

function bigIntOp(mutator: Mutator, x: bigint, y: bigint): bigint {
  switch (mutator) {
    case '+=':
      return x + y;
    case '-=':
      return x - y;
    case '*=':
      return x * y;
    case '/=':
      return x / y; // truncates toward zero, like C
    default:
      return x % y; // sign of the dividend, like C
  }
}

function integerOp(mutator: Mutator, x: number | bigint, y: number | bigint): number | bigint {
  if (y === 0 && (mutator === '/=' || mutator === '%=')) throw domainError();
  if (typeof x === 'number' && typeof y === 'number') {
    // Safe operands: a double result that is still a safe integer is exact (rounding cannot carry a
    // result from beyond 2^53 back inside), and truncated division of safe integers is exact too.
    let r: number;
    switch (mutator) {
      case '+=':
        r = x + y;
        break;
      case '-=':
        r = x - y;
        break;
      case '*=':
        r = x * y;
        break;
      case '/=':
        r = Math.trunc(x / y);
        break;
      default:
        r = x % y;
        break;
    }
    if (Number.isSafeInteger(r)) return r + 0; // folds -0
  }
  const bx = BigInt(x);
  const by = BigInt(y);
  // C traps INT64_MIN / -1; ovsdb-server refuses it for "%=" as well, though the remainder would be 0.
  if (by === -1n && bx === INT64_MIN && (mutator === '/=' || mutator === '%=')) throw rangeError(mutator);
  const r = bigIntOp(mutator, bx, by);
  if (r < INT64_MIN || r > INT64_MAX) throw rangeError(mutator);
  return normalizeInteger(r);
}

function realOp(mutator: Mutator, x: number, y: number): number {
  let r: number;
  switch (mutator) {
    case '+=':
      r = x + y;
      break;
    case '-=':
      r = x - y;
      break;
    case '*=':
      r = x * y;
      break;
    default:
      if (y === 0) throw domainError();
      r = x / y;
      break;
  }
  if (!(r >= -Number.MAX_VALUE && r <= Number.MAX_VALUE)) throw rangeError(mutator);
  return r + 0; // folds -0, which decoding never produces either
}

function arithmetic(base: BaseType, mutator: Mutator, x: Atom, y: Atom): Atom {
  return base.type === 'integer'
    ? integerOp(mutator, x as number | bigint, y as number | bigint)
    : realOp(mutator, x as number, y as number);
}

// ---------------------------------------------------------------------------------------------------------
// Set and map operations (both operands sorted)

function setUnion(a: SetDatum, b: SetDatum): SetDatum {
  if (b.length === 0) return a;
  const out: Atom[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compareAtoms(a[i] as Atom, b[j] as Atom);
    if (c < 0) out.push(a[i++] as Atom);
    else if (c > 0) out.push(b[j++] as Atom);
    else {
      out.push(a[i++] as Atom);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++] as Atom);
  while (j < b.length) out.push(b[j++] as Atom);
  return out;
}

function setDifference(a: SetDatum, b: SetDatum): SetDatum {
  if (b.length === 0 || a.length === 0) return a;
  const out: Atom[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && compareAtoms(b[j] as Atom, x) < 0) j++;
    if (j < b.length && compareAtoms(b[j] as Atom, x) === 0) continue;
    out.push(x);
  }
  return out.length === 0 ? EMPTY_SET : out;
}

function mapInsert(a: MapDatum, b: MapDatum): MapDatum {
  let missing = false;
  for (const k of b.keys()) {
    if (!a.has(k)) {
      missing = true;
      break;
    }
  }
  // Existing keys keep their values: insert never overwrites.
  if (!missing) return a;
  const pairs: [Atom, Atom][] = [...a];
  for (const [k, v] of b) if (!a.has(k)) pairs.push([k, v]);
  pairs.sort((p, q) => compareAtoms(p[0], q[0]));
  return new Map(pairs);
}

function mapDelete(a: MapDatum, arg: Datum): MapDatum {
  const out = new Map<Atom, Atom>();
  if (isMapDatum(arg)) {
    // Pairs: a pair goes only when both key and value match.
    for (const [k, v] of a) {
      const w = arg.get(k);
      if (w === undefined || !atomEquals(v, w)) out.set(k, v);
    }
  } else {
    const keys = new Set<Atom>(arg as SetDatum);
    for (const [k, v] of a) if (!keys.has(k)) out.set(k, v);
  }
  if (out.size === a.size) return a;
  return out.size === 0 ? EMPTY_MAP : out;
}

function checkCount(type: ColumnType, n: number): void {
  if (n < type.min || n > type.max) {
    throw new OvsdbError('constraint violation', `Attempted to store ${n} elements in ${typeToEnglish(type)}.`);
  }
}

function applyOne(m: ParsedMutation, current: Datum): Datum {
  const type = m.columnType;
  if (isArithmetic(m.mutator)) {
    const y = m.value as Atom;
    if (isScalar(type)) {
      const r = arithmetic(type.key, m.mutator, current as Atom, y);
      checkAtom(type.key, r);
      return r;
    }
    const set = current as SetDatum;
    if (set.length === 0) return set;
    // Like ovsdb-server: every element is computed (range errors first), then constraints are checked.
    const out = new Array<Atom>(set.length);
    for (let i = 0; i < set.length; i++) out[i] = arithmetic(type.key, m.mutator, set[i] as Atom, y);
    for (const atom of out) checkAtom(type.key, atom);
    out.sort(compareAtoms);
    for (let i = 1; i < out.length; i++) {
      if (compareAtoms(out[i - 1] as Atom, out[i] as Atom) === 0) {
        throw new OvsdbError('constraint violation', `Result of "${m.mutator}" operation contains duplicates.`);
      }
    }
    return out;
  }
  let result: Datum;
  if (type.value !== undefined) {
    const map = current as MapDatum;
    result = m.mutator === 'insert' ? mapInsert(map, m.value as MapDatum) : mapDelete(map, m.value);
    checkCount(type, result.size);
  } else {
    const set = current as SetDatum;
    result = m.mutator === 'insert' ? setUnion(set, m.value as SetDatum) : setDifference(set, m.value as SetDatum);
    checkCount(type, result.length);
  }
  return result;
}

/**
 * Apply mutations in order to a typed row (columns missing from it start from their defaults). Throws
 * the `OvsdbError` ovsdb-server would return: `domain error`, `range error` or `constraint violation`.
 * `changed` is whether any mutated column ended with a different value.
 */
export function applyMutations(table: TableSchema, row: Row, mutations: readonly ParsedMutation[]): MutationResult {
  if (mutations.length === 0) return { row, changed: false };
  let out: Record<string, Datum> | undefined;
  for (const m of mutations) {
    if (columnOf(table, m.column) === undefined)
      throw new OvsdbError('unknown column', `No column ${m.column} in table ${table.name}.`);
    const src = out ?? row;
    const current = Object.hasOwn(src, m.column) ? (src[m.column] as Datum) : defaultDatum(m.columnType);
    const next = applyOne(m, current);
    if (next !== current) {
      out ??= { ...row };
      out[m.column] = next;
    }
  }
  if (out === undefined) return { row, changed: false };
  for (const m of mutations) {
    const before = Object.hasOwn(row, m.column) ? (row[m.column] as Datum) : defaultDatum(m.columnType);
    if (!datumEquals(m.columnType, before, out[m.column] as Datum)) return { row: out, changed: true };
  }
  return { row, changed: false };
}
