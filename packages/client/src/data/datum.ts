/**
 * Datums: the value of one column (a scalar atom, a set or a map), decoded from and encoded to wire
 * notation exactly as ovsdb-server does, with its size and duplicate checks and error texts.
 */
import type { Json } from '../wire/json.js';
import type { WireAtom, WireDatum } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import { isScalar, type BaseType, type ColumnType } from '../schema/schema.js';
import { isMapDatum, type Atom, type Datum, type MapDatum, type SetDatum } from './value.js';
import {
  atomDecoder,
  atomEquals,
  atomFromValue,
  atomFromWire,
  atomToWire,
  compareAtoms,
  defaultAtom,
  syntaxError,
  type DecodeContext,
} from './atom.js';

export interface DatumContext extends DecodeContext {
  /**
   * `false` skips the member-count check of sets and maps (not the exactly-one of scalars). OVS parses the
   * "new" side of a diff that way, and diff payloads may legitimately hold more members than `max`.
   */
  readonly checkSize?: boolean;
}

// The type guards live with the types; they are exported from here as before.
export { isSetDatum, isMapDatum } from './value.js';

// Datums are immutable, so every empty set or map can be one shared object. The shared map is a plain
// Map (so deep equality with `new Map()` holds) whose writers throw, so that a cast-away `ReadonlyMap`
// cannot corrupt every empty column at once.
function sealedEmptyMap(): MapDatum {
  const m = new Map<Atom, Atom>();
  const refuse = (): never => {
    throw new TypeError('datums are immutable');
  };
  for (const name of ['set', 'delete', 'clear']) Object.defineProperty(m, name, { value: refuse, enumerable: false });
  return Object.freeze(m);
}
export const EMPTY_SET: SetDatum = Object.freeze([]);
export const EMPTY_MAP: MapDatum = sealedEmptyMap();

// ---------------------------------------------------------------------------------------------------------
// Type descriptions (ovsdb-server's `ovsdb_type_to_english`)

/** "integer", "set of up to 1 booleans", "set of 1 to 2 integers", "map of (string, string) pairs"... */
export function typeToEnglish(type: ColumnType): string {
  const key = type.key.type;
  if (isScalar(type)) return key;
  let s = type.value === undefined ? 'set' : 'map';
  if (type.max === Infinity) s += type.min > 0 ? ` of ${type.min} or more` : ' of';
  else if (type.min > 0) s += ` of ${type.min} to ${type.max}`;
  else s += ` of up to ${type.max}`;
  return type.value === undefined ? `${s} ${key}s` : `${s} (${key}, ${type.value.type}) pairs`;
}

// ovsdb-server keeps "unlimited" as UINT_MAX and prints it that way.
function maxText(max: number): string {
  return max === Infinity ? '4294967295' : String(max);
}

function sizeError(wire: Json, kind: 'set' | 'map', type: ColumnType, n: number): OvsdbError {
  if (type.min === 1 && type.max === 1)
    return syntaxError(wire, `${kind} must have exactly one member but ${n} are present`);
  return syntaxError(wire, `${kind} must have ${type.min} to ${maxText(type.max)} members but ${n} are present`);
}

// ---------------------------------------------------------------------------------------------------------
// Sorting

/**
 * Put atoms in canonical order in place and reject duplicates. ovsdb-server sends sets sorted, so the
 * common case is one comparison per element and no sort.
 */
export function sortAtoms(atoms: Atom[], duplicateMessage = 'set contains duplicate'): Atom[] {
  for (let i = 1; i < atoms.length; i++) {
    const c = compareAtoms(atoms[i - 1] as Atom, atoms[i] as Atom);
    if (c < 0) continue;
    if (c === 0) throw new OvsdbError('ovsdb error', duplicateMessage);
    atoms.sort(compareAtoms);
    for (let j = 1; j < atoms.length; j++) {
      if (compareAtoms(atoms[j - 1] as Atom, atoms[j] as Atom) === 0)
        throw new OvsdbError('ovsdb error', duplicateMessage);
    }
    return atoms;
  }
  return atoms;
}

function comparePairs(a: readonly [Atom, Atom], b: readonly [Atom, Atom]): number {
  return compareAtoms(a[0], b[0]);
}

/** Build a map datum from pairs, sorting by key only when needed; duplicate keys are an error. */
export function mapFromPairs(keys: Atom[], values: Atom[], duplicateMessage = 'map contains duplicate key'): MapDatum {
  const n = keys.length;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    const c = compareAtoms(keys[i - 1] as Atom, keys[i] as Atom);
    if (c < 0) continue;
    if (c === 0) throw new OvsdbError('ovsdb error', duplicateMessage);
    sorted = false;
    break;
  }
  if (sorted) {
    const m = new Map<Atom, Atom>();
    for (let i = 0; i < n; i++) m.set(keys[i] as Atom, values[i] as Atom);
    return m;
  }
  const pairs = new Array<[Atom, Atom]>(n);
  for (let i = 0; i < n; i++) pairs[i] = [keys[i] as Atom, values[i] as Atom];
  pairs.sort(comparePairs);
  for (let i = 1; i < n; i++) {
    if (compareAtoms((pairs[i - 1] as [Atom, Atom])[0], (pairs[i] as [Atom, Atom])[0]) === 0)
      throw new OvsdbError('ovsdb error', duplicateMessage);
  }
  return new Map(pairs);
}

// ---------------------------------------------------------------------------------------------------------
// Wire decoding

function mapFromWire(type: ColumnType, valueBase: BaseType, wire: Json, ctx: DatumContext | undefined): MapDatum {
  const inner = Array.isArray(wire) && wire.length === 2 && wire[0] === 'map' ? wire[1] : undefined;
  if (!Array.isArray(inner)) throw syntaxError(wire, 'expected ["map", <array>]');
  const n = inner.length;
  if ((n < type.min || n > type.max) && ctx?.checkSize !== false) throw sizeError(wire, 'map', type, n);
  if (n === 0) return EMPTY_MAP;
  // ovsdb-server sends maps sorted: fill the Map directly and only fall back to sorting on disorder.
  const m = new Map<Atom, Atom>();
  let prev: Atom | undefined;
  for (let i = 0; i < n; i++) {
    const pair = inner[i] as Json;
    if (!Array.isArray(pair) || pair.length !== 2) throw syntaxError(pair, 'expected 2-element array');
    const k = atomFromWire(type.key, pair[0] as Json, ctx);
    const v = atomFromWire(valueBase, pair[1] as Json, ctx);
    if (prev !== undefined && compareAtoms(prev, k) >= 0) return unsortedMapFromWire(type, valueBase, inner, ctx);
    m.set(k, v);
    prev = k;
  }
  return m;
}

function unsortedMapFromWire(
  type: ColumnType,
  valueBase: BaseType,
  inner: Json[],
  ctx: DatumContext | undefined,
): MapDatum {
  const n = inner.length;
  const keys = new Array<Atom>(n);
  const values = new Array<Atom>(n);
  for (let i = 0; i < n; i++) {
    const pair = inner[i] as Json[];
    if (!Array.isArray(pair) || pair.length !== 2) throw syntaxError(pair, 'expected 2-element array');
    keys[i] = atomFromWire(type.key, pair[0] as Json, ctx);
    values[i] = atomFromWire(valueBase, pair[1] as Json, ctx);
  }
  return mapFromPairs(keys, values);
}

/**
 * Decode a column value: a scalar becomes its atom, a set (optional columns included) a sorted array, a map
 * a Map in key order. A bare atom is a one-element set; `["set", [...]]` is accepted for scalars too.
 */
export function datumFromWire(type: ColumnType, wire: Json, ctx?: DatumContext): Datum {
  const valueBase = type.value;
  if (valueBase !== undefined) return mapFromWire(type, valueBase, wire, ctx);
  if (Array.isArray(wire) && wire.length > 0 && wire[0] === 'set') {
    const inner = wire.length === 2 ? wire[1] : undefined;
    if (!Array.isArray(inner)) throw syntaxError(wire, 'expected ["set", <array>]');
    const n = inner.length;
    if (type.min === 1 && type.max === 1) {
      if (n !== 1) throw sizeError(wire, 'set', type, n);
      return atomFromWire(type.key, inner[0] as Json, ctx);
    }
    if ((n < type.min || n > type.max) && ctx?.checkSize !== false) throw sizeError(wire, 'set', type, n);
    if (n === 0) return EMPTY_SET;
    const atoms = new Array<Atom>(n);
    for (let i = 0; i < n; i++) atoms[i] = atomFromWire(type.key, inner[i] as Json, ctx);
    return sortAtoms(atoms);
  }
  const atom = atomFromWire(type.key, wire, ctx);
  return type.min === 1 && type.max === 1 ? atom : [atom];
}

/** Decodes the wire values of one column type; see `datumDecoder`. */
export type DatumDecoder = (wire: Json) => Datum;

/**
 * `datumFromWire(type, wire)` for many values of one column type, with the type's shape looked at once
 * instead of per value. Only the notations ovsdb-server sends are handled here; anything else (and every
 * error) goes through `datumFromWire`, so the results and errors are exactly its own.
 */
export function datumDecoder(type: ColumnType): DatumDecoder {
  const slow = (wire: Json): Datum => datumFromWire(type, wire);
  const key = atomDecoder(type.key);
  const { min, max } = type;
  if (type.value !== undefined) {
    const value = atomDecoder(type.value);
    return (wire) => {
      if (!Array.isArray(wire) || wire.length !== 2 || wire[0] !== 'map') return slow(wire);
      const inner = wire[1];
      if (!Array.isArray(inner) || inner.length < min || inner.length > max) return slow(wire);
      const n = inner.length;
      if (n === 0) return EMPTY_MAP;
      const m = new Map<Atom, Atom>();
      let prev: Atom | undefined;
      for (let i = 0; i < n; i++) {
        const pair = inner[i];
        if (!Array.isArray(pair) || pair.length !== 2) return slow(wire);
        const k = key(pair[0] as Json);
        const v = value(pair[1] as Json);
        // Out of order (or a duplicate key) is for the generic path to sort out or refuse.
        if (k === undefined || v === undefined || (prev !== undefined && compareAtoms(prev, k) >= 0)) return slow(wire);
        m.set(k, v);
        prev = k;
      }
      return m;
    };
  }
  if (min === 1 && max === 1) {
    return (wire) => {
      if (Array.isArray(wire) && wire[0] === 'set') return slow(wire);
      const a = key(wire);
      return a ?? slow(wire);
    };
  }
  return (wire) => {
    if (Array.isArray(wire) && wire[0] === 'set') {
      const inner = wire[1];
      if (wire.length !== 2 || !Array.isArray(inner) || inner.length < min || inner.length > max) return slow(wire);
      const n = inner.length;
      if (n === 0) return EMPTY_SET;
      const atoms = new Array<Atom>(n);
      for (let i = 0; i < n; i++) {
        const a = key(inner[i] as Json);
        if (a === undefined) return slow(wire);
        atoms[i] = a;
      }
      return sortAtoms(atoms);
    }
    const a = key(wire);
    return a === undefined ? slow(wire) : [a];
  };
}

// ---------------------------------------------------------------------------------------------------------
// Wire encoding

/** Encode a set's members the way ovsdb-server does: one member travels as a bare atom. */
export function setToWire(base: BaseType, atoms: SetDatum): WireDatum {
  if (atoms.length === 1) return atomToWire(base, atoms[0] as Atom);
  const out = new Array<WireAtom>(atoms.length);
  for (let i = 0; i < atoms.length; i++) out[i] = atomToWire(base, atoms[i] as Atom);
  return ['set', out];
}

export function mapToWire(keyBase: BaseType, valueBase: BaseType, map: MapDatum): WireDatum {
  const pairs: [WireAtom, WireAtom][] = [];
  for (const [k, v] of map) pairs.push([atomToWire(keyBase, k), atomToWire(valueBase, v)]);
  return ['map', pairs];
}

/**
 * Encode a column value exactly as ovsdb-server sends it: scalars bare, maps as `["map", [...]]`, sets as
 * `["set", [...]]` except that a one-element set is its bare atom.
 */
export function datumToWire(type: ColumnType, datum: Datum): WireDatum {
  if (type.value !== undefined) {
    if (!(datum instanceof Map))
      throw new OvsdbError('syntax error', `expected a map datum for ${typeToEnglish(type)}`);
    return mapToWire(type.key, type.value, datum);
  }
  if (Array.isArray(datum)) return setToWire(type.key, datum as SetDatum);
  if (datum instanceof Map)
    throw new OvsdbError('syntax error', `expected a set or atom for ${typeToEnglish(type)}, got a Map`);
  return atomToWire(type.key, datum as Atom);
}

// ---------------------------------------------------------------------------------------------------------
// Typed input

export interface ValueContext extends DecodeContext {
  /** Named in error details, for builders that know which column they fill. */
  readonly column?: string;
}

function withColumn(err: unknown, column: string | undefined): unknown {
  if (column === undefined || !(err instanceof OvsdbError)) return err;
  return new OvsdbError(err.error, `column ${column}: ${err.details ?? err.error}`, err.syntax);
}

function isWireCollection(v: unknown, tag: 'set' | 'map'): v is [string, Json[]] {
  return Array.isArray(v) && v.length === 2 && v[0] === tag && Array.isArray(v[1]);
}

function isWireUuidForm(v: unknown): boolean {
  return Array.isArray(v) && v.length === 2 && (v[0] === 'uuid' || v[0] === 'named-uuid') && typeof v[1] === 'string';
}

function isDecimalInteger(s: string): boolean {
  const start = s.charCodeAt(0) === 0x2d ? 1 : 0;
  if (s.length === start) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

// A plain object's keys are strings; turn them into atoms of the key type where that is unambiguous.
function keyFromProperty(base: BaseType, key: string): unknown {
  switch (base.type) {
    case 'integer':
      return isDecimalInteger(key) ? (Number.isSafeInteger(Number(key)) ? Number(key) : BigInt(key)) : key;
    case 'real':
      return key.trim() !== '' && Number.isFinite(Number(key)) ? Number(key) : key;
    case 'boolean':
      return key === 'true' ? true : key === 'false' ? false : key;
    default:
      return key;
  }
}

function countCheck(type: ColumnType, kind: 'set' | 'map', n: number): void {
  if (n < type.min || n > type.max) {
    if (type.min === 1 && type.max === 1)
      throw new OvsdbError('syntax error', `${kind} must have exactly one member but ${n} are present`);
    throw new OvsdbError(
      'syntax error',
      `${kind} must have ${type.min} to ${maxText(type.max)} members but ${n} are present`,
    );
  }
}

function datumFromValueInner(type: ColumnType, value: unknown, ctx: ValueContext | undefined): Datum {
  const valueBase = type.value;
  if (valueBase !== undefined) {
    if (isWireCollection(value, 'map')) return datumFromWire(type, value, ctx);
    const keys: Atom[] = [];
    const values: Atom[] = [];
    if (value instanceof Map) {
      for (const [k, v] of value as Map<unknown, unknown>) {
        keys.push(atomFromValue(type.key, k, ctx));
        values.push(atomFromValue(valueBase, v, ctx));
      }
    } else if (Array.isArray(value)) {
      for (const pair of value as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2)
          throw new OvsdbError('syntax error', 'expected an array of [key, value] pairs');
        keys.push(atomFromValue(type.key, pair[0], ctx));
        values.push(atomFromValue(valueBase, pair[1], ctx));
      }
    } else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [k, v] of Object.entries(value)) {
        keys.push(atomFromValue(type.key, keyFromProperty(type.key, k), ctx));
        values.push(atomFromValue(valueBase, v, ctx));
      }
    } else {
      throw new OvsdbError(
        'syntax error',
        `expected a Map, a plain object or [key, value] pairs for ${typeToEnglish(type)}, got ${typeof value}`,
      );
    }
    countCheck(type, 'map', keys.length);
    return keys.length === 0 ? EMPTY_MAP : mapFromPairs(keys, values);
  }
  const scalar = type.min === 1 && type.max === 1;
  let items: unknown[];
  if (isWireCollection(value, 'set')) return datumFromWire(type, value, ctx);
  if (value instanceof Set) items = [...(value as Set<unknown>)];
  else if (Array.isArray(value) && !(type.key.type === 'uuid' && isWireUuidForm(value))) items = value as unknown[];
  else {
    const atom = atomFromValue(type.key, value, ctx);
    return scalar ? atom : [atom];
  }
  countCheck(type, 'set', items.length);
  if (scalar) return atomFromValue(type.key, items[0], ctx);
  if (items.length === 0) return EMPTY_SET;
  const atoms = new Array<Atom>(items.length);
  for (let i = 0; i < items.length; i++) atoms[i] = atomFromValue(type.key, items[i], ctx);
  return sortAtoms(atoms);
}

/**
 * Lenient typed input for builders. A set column takes an array, a `Set` or a bare atom; a map column a
 * `Map`, a plain object or an array of `[key, value]` pairs; wire forms are accepted too. Everything is
 * validated (types, constraints, sizes, duplicates) and errors are `OvsdbError`s naming the problem.
 * Named uuids are allowed unless `ctx.namedUuids` is `'reject'`.
 */
export function datumFromValue(type: ColumnType, value: unknown, ctx?: ValueContext): Datum {
  const inner: ValueContext = ctx?.namedUuids === 'reject' ? ctx : { ...ctx, namedUuids: 'allow' };
  try {
    return datumFromValueInner(type, value, inner);
  } catch (err) {
    throw withColumn(err, ctx?.column);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Defaults and equality

/**
 * The value a column has when nothing was stored (RFC 7047 §5.1): min copies of the atomic default, so
 * scalars get 0, 0.0, false, "" or the all-zero uuid and optional sets and maps are empty.
 */
export function defaultDatum(type: ColumnType): Datum {
  const key = defaultAtom(type.key.type);
  if (type.value !== undefined) return type.min === 0 ? EMPTY_MAP : new Map([[key, defaultAtom(type.value.type)]]);
  if (type.min === 1 && type.max === 1) return key;
  return type.min === 0 ? EMPTY_SET : [key];
}

export function isDefaultDatum(type: ColumnType, d: Datum): boolean {
  return datumEquals(type, d, defaultDatum(type));
}

export function datumEquals(type: ColumnType, a: Datum, b: Datum): boolean {
  if (a === b) return true;
  if (type.value !== undefined || a instanceof Map) {
    if (!isMapDatum(a) || !isMapDatum(b) || a.size !== b.size) return false;
    const ib = b.entries();
    for (const [ka, va] of a) {
      const next = ib.next();
      if (next.done === true) return false;
      const [kb, vb] = next.value;
      if (!atomEquals(ka, kb) || !atomEquals(va, vb)) return false;
    }
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!atomEquals(a[i] as Atom, b[i] as Atom)) return false;
    return true;
  }
  return !(b instanceof Map) && atomEquals(a as Atom, b as Atom);
}
