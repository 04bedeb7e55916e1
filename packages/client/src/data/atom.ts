/**
 * Atoms: one integer, real, boolean, string or uuid, decoded from wire notation with its base type in
 * hand and checked against that type's constraints, with ovsdb-server's error strings and wording.
 *
 * Representation follows data/value.ts. Integers are normalized so that a value has exactly one form
 * (`number` when safe, `bigint` otherwise), which is what lets `===`, `Map` keys and `Set`s work on atoms.
 */
import type { Json } from '../wire/json.js';
import { stringifyJson } from '../wire/json.js';
import type { WireAtom } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import type { AtomicType, AtomValue, BaseType } from '../schema/schema.js';
import { NamedUuid, type Atom } from './value.js';

export interface DecodeContext {
  /**
   * `'allow'` inside transactions, where `["named-uuid", id]` refers to a row inserted by the same
   * transaction. Everywhere else (updates, select results) a named-uuid is a syntax error, as it is for
   * ovsdb-server outside a symbol table.
   */
  readonly namedUuids?: 'allow' | 'reject';
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
// 2^63 is exact as a double; an integral double is int64 iff -2^63 <= x < 2^63.
const TWO_POW_63 = 9223372036854775808;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = -MAX_SAFE_BIG;

// ---------------------------------------------------------------------------------------------------------
// Errors

/**
 * The compact JSON of a value as ovsdb-server writes it in an error's `syntax` member (object keys sorted,
 * which only matters for objects).
 */
export function syntaxText(json: Json): string {
  return stringifyJson(sortKeys(json));
}

function sortKeys(json: Json): Json {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(sortKeys);
  const out: Record<string, Json> = {};
  for (const k of Object.keys(json).sort()) {
    Object.defineProperty(out, k, {
      value: sortKeys(json[k] as Json),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function syntaxError(json: Json, details: string): OvsdbError {
  return new OvsdbError('syntax error', details, syntaxText(json));
}

function constraintViolation(details: string): OvsdbError {
  return new OvsdbError('constraint violation', details);
}

// ---------------------------------------------------------------------------------------------------------
// Integers

/** The single representation of an integer value: `number` when safe, else `bigint`. */
export function normalizeInteger(v: number | bigint): number | bigint {
  if (typeof v === 'number') return v === 0 ? 0 : v; // folds -0
  return v >= MIN_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v;
}

/** An int64 from JSON, or undefined when the value is not an integer in range (`1.0` counts as integer). */
function integerFromJson(v: unknown): number | bigint | undefined {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v;
    if (Number.isInteger(v) && v >= -TWO_POW_63 && v < TWO_POW_63) return BigInt(v);
    return undefined;
  }
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) return undefined;
    return v >= MIN_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v;
  }
  return undefined;
}

/**
 * A real from JSON. ovsdb-server prints reals with 15 significant digits, so a stored ±DBL_MAX arrives as
 * 1.79769313486232e+308, which no double can hold; clamping restores the value the server meant.
 */
function realFromJson(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (v === Infinity) return Number.MAX_VALUE;
    if (v === -Infinity) return -Number.MAX_VALUE;
    // OVS's JSON reader turns "-0.0" into the integer 0, so a real never arrives as -0.
    return Number.isNaN(v) ? undefined : v === 0 ? 0 : v;
  }
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// UUIDs and ids

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** The lower-case form of a UUID string, or undefined when it is not one. */
export function canonicalUuid(s: string): string | undefined {
  if (s.length !== 36) return undefined;
  let upper = false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return undefined;
    } else if (!isHex(c)) {
      return undefined;
    } else if (c >= 0x41 && c <= 0x46) {
      upper = true;
    }
  }
  return upper ? s.toLowerCase() : s;
}

/** RFC 7047 `<id>`: a letter or underscore, then letters, digits and underscores. */
export function isId(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
    if (!alpha && (i === 0 || c < 0x30 || c > 0x39)) return false;
  }
  return true;
}

function uuidFromJson(wire: Json, ctx: DecodeContext | undefined): string | NamedUuid {
  if (Array.isArray(wire) && wire.length === 2) {
    const tag = wire[0];
    const text = wire[1];
    if (typeof text === 'string') {
      if (tag === 'uuid') {
        const u = canonicalUuid(text);
        if (u === undefined) throw syntaxError(wire, `"${text}" is not a valid UUID`);
        return u;
      }
      if (tag === 'named-uuid' && ctx?.namedUuids === 'allow') {
        if (!isId(text)) throw syntaxError(wire, 'named-uuid string is not a valid <id>');
        return new NamedUuid(text);
      }
    }
  }
  throw syntaxError(wire, 'expected ["uuid", <string>]');
}

// ---------------------------------------------------------------------------------------------------------
// Strings

// String.prototype.isWellFormed exists from Node 20 but not in the ES2022 lib typings.
const nativeIsWellFormed = (String.prototype as unknown as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** The first unpaired surrogate's index, or -1. Only an unpaired surrogate makes a JS string unencodable. */
function loneSurrogateIndex(s: string): number {
  if (nativeIsWellFormed?.call(s)) return -1;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/** Unicode code points in a well-formed string: OVS limits string lengths in UTF-8 characters. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

function hexByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Why a byte string is not valid UTF-8, worded as ovsdb-server words it ("invalid UTF-8 sequence 0xc0"),
 * or undefined when it is valid. For transports that see raw bytes; decoded JS strings go through
 * `atomFromWire`, which rejects the one flaw a JS string can carry (an unpaired surrogate).
 */
export function utf8Error(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0)
        lo = 0xa0; // overlong
      else if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0)
        lo = 0x90; // overlong
      else if (b === 0xf4) hi = 0x8f; // beyond U+10FFFF
    } else {
      return `invalid UTF-8 sequence ${hexByte(b)}`;
    }
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      const ok = c !== undefined && (k === 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xbf);
      if (!ok) {
        const seq: string[] = [];
        for (let j = 0; j <= k && i + j < n; j++) seq.push(hexByte(bytes[i + j] as number));
        return `invalid UTF-8 sequence ${seq.join(' ')}`;
      }
    }
    i += len;
  }
  return undefined;
}

/** The UTF-8 bytes that an unpaired surrogate would produce, reported the way `utf8Error` reports them. */
function surrogateError(c: number): string {
  return `not a valid UTF-8 string: invalid UTF-8 sequence 0xed ${hexByte(0x80 | ((c >> 6) & 0x3f))}`;
}

/**
 * Code-point (= UTF-8 byte) order of two strings. UTF-16 unit order differs from it only where both units
 * are >= 0xD800 (surrogates sort below U+E000..U+FFFF in UTF-16 but above them in UTF-8).
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Text forms used in error details (ovsdb-server's `ovsdb_atom_to_string`)

/** `%.15g`, the way ovsdb-server prints reals. */
export function formatReal(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const sci = x.toExponential(14);
  const e = sci.indexOf('e');
  const exp = Number(sci.slice(e + 1));
  if (exp < -4 || exp >= 15) {
    const mant = stripZeros(sci.slice(0, e));
    const abs = exp < 0 ? -exp : exp;
    return `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return stripZeros(x.toFixed(14 - exp));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 0x30) end--;
  if (s.charCodeAt(end - 1) === 0x2e) end--;
  return s.slice(0, end);
}

function isAsciiAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Whether ovsdb-server (and ovs-vsctl) quote a string when writing it as text: a string is printed bare
 * only when it looks like an identifier (a letter or `_`, then letters, digits, `_`, `-`, `.`) and cannot be
 * mistaken for a boolean or a UUID.
 */
export function stringNeedsQuotes(s: string): boolean {
  const c0 = s.charCodeAt(0);
  if (!(isAsciiAlpha(c0) || c0 === 0x5f)) return true;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isAsciiAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e)) return true;
  }
  return s === 'true' || s === 'false' || canonicalUuid(s) !== undefined;
}

/** An atom as ovsdb-server writes it in messages: `5`, `1.5`, `true`, `abc`, `"a b"`, a bare UUID. */
export function atomToString(atom: Atom): string {
  if (typeof atom === 'string') return stringNeedsQuotes(atom) ? JSON.stringify(atom) : atom;
  if (typeof atom === 'number')
    return Number.isInteger(atom) && Math.abs(atom) < 1e15 ? String(atom) : formatReal(atom);
  if (atom instanceof NamedUuid) return atom.name;
  return String(atom);
}

function valueToString(type: AtomicType, v: AtomValue): string {
  if (type === 'uuid' && typeof v === 'string') return v;
  return type === 'real' && typeof v === 'number' ? formatReal(v) : atomToString(v);
}

// ---------------------------------------------------------------------------------------------------------
// Order and equality

function typeRank(a: Atom): number {
  switch (typeof a) {
    case 'number':
    case 'bigint':
      return 0;
    case 'boolean':
      return 1;
    case 'string':
      return 2;
    default:
      return 3;
  }
}

/**
 * ovsdb-server's canonical order: numbers ascending, false < true, strings by UTF-8 bytes, uuids by
 * (lower-case) text, which for fixed-width hex is their numeric order. Named uuids, which the server would
 * have resolved, sort after real ones, by name.
 */
export function compareAtoms(a: Atom, b: Atom): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'string' && tb === 'string') return compareUtf8(a as string, b as string);
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    // Relational operators compare number and bigint exactly.
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  if (ta === 'boolean' && tb === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof NamedUuid && b instanceof NamedUuid) return compareUtf8(a.name, b.name);
  return typeRank(a) - typeRank(b);
}

export function atomEquals(a: Atom, b: Atom): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  // Only an unnormalized integer (5 vs 5n) can be equal without being identical.
  if (ta === 'bigint' || tb === 'bigint') {
    return (ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint') && compareAtoms(a, b) === 0;
  }
  return a instanceof NamedUuid && b instanceof NamedUuid && a.name === b.name;
}

// ---------------------------------------------------------------------------------------------------------
// Constraints

// Enum membership is tested once per atom, so each base type's enum becomes a Set the first time.
const enumSets = new WeakMap<BaseType, Set<AtomValue>>();

function enumSetOf(base: BaseType, values: readonly AtomValue[]): Set<AtomValue> {
  let set = enumSets.get(base);
  if (set === undefined) {
    set = new Set();
    for (const v of values) {
      if (typeof v === 'bigint' || (base.type === 'integer' && typeof v === 'number')) set.add(normalizeInteger(v));
      else if (base.type === 'uuid' && typeof v === 'string') set.add(canonicalUuid(v) ?? v);
      else set.add(v);
    }
    enumSets.set(base, set);
  }
  return set;
}

function enumText(base: BaseType, values: readonly AtomValue[]): string {
  const sorted = [...enumSetOf(base, values)].sort(compareAtoms);
  return `[${sorted.map((v) => valueToString(base.type, v)).join(', ')}]`;
}

function rangeError(value: string, lo: string | undefined, hi: string | undefined, below: boolean): OvsdbError {
  if (lo !== undefined && hi !== undefined)
    return constraintViolation(`${value} is not in the valid range ${lo} to ${hi} (inclusive)`);
  if (below) return constraintViolation(`${value} is less than minimum allowed value ${lo}`);
  return constraintViolation(`${value} is greater than maximum allowed value ${hi}`);
}

function checkConstraints(base: BaseType, atom: AtomValue): void {
  const e = base.enum;
  if (e !== undefined && !enumSetOf(base, e).has(atom)) {
    throw constraintViolation(
      `${valueToString(base.type, atom)} is not one of the allowed values (${enumText(base, e)})`,
    );
  }
  switch (base.type) {
    case 'integer': {
      // ovsdb-server stores "no bound" as the int64 extremes, so an explicit extreme is no bound either.
      const lo = base.minInteger === undefined || base.minInteger <= INT64_MIN ? undefined : base.minInteger;
      const hi = base.maxInteger === undefined || base.maxInteger >= INT64_MAX ? undefined : base.maxInteger;
      const v = atom as number | bigint;
      if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) {
        throw rangeError(
          String(v),
          lo === undefined ? undefined : String(lo),
          hi === undefined ? undefined : String(hi),
          lo !== undefined && v < lo,
        );
      }
      return;
    }
    case 'real': {
      const lo = base.minReal === undefined || base.minReal <= -Number.MAX_VALUE ? undefined : base.minReal;
      const hi = base.maxReal === undefined || base.maxReal >= Number.MAX_VALUE ? undefined : base.maxReal;
      const v = atom as number;
      if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) {
        throw rangeError(
          formatReal(v),
          lo === undefined ? undefined : formatReal(lo),
          hi === undefined ? undefined : formatReal(hi),
          lo !== undefined && v < lo,
        );
      }
      return;
    }
    case 'string': {
      const s = atom as string;
      // ovsdb-server's JSON lexer refuses "\u0000" outright and drops the whole connection over it.
      if (s.includes('\0')) throw new OvsdbError('syntax error', 'strings may not contain the NUL character (U+0000)');
      const bad = loneSurrogateIndex(s);
      if (bad >= 0) throw constraintViolation(surrogateError(s.charCodeAt(bad)));
      const minLen = base.minLength;
      const maxLen = base.maxLength;
      if (minLen === undefined && maxLen === undefined) return;
      const n = codePointLength(s);
      if (minLen !== undefined && n < minLen) {
        throw constraintViolation(`"${s}" length ${n} is less than minimum allowed length ${minLen}`);
      }
      if (maxLen !== undefined && n > maxLen) {
        throw constraintViolation(`"${s}" length ${n} is greater than maximum allowed length ${maxLen}`);
      }
      return;
    }
    default:
      return;
  }
}

function hasValueConstraints(base: BaseType): boolean {
  return (
    base.enum !== undefined ||
    base.type === 'string' ||
    base.minInteger !== undefined ||
    base.maxInteger !== undefined ||
    base.minReal !== undefined ||
    base.maxReal !== undefined
  );
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'bigint') return `integer ${v}`;
  if (typeof v === 'number') return `number ${v}`;
  if (v === null) return 'null';
  if (v instanceof NamedUuid) return `named-uuid ${v.name}`;
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Map) return 'a Map';
  return typeof v;
}

function isAtomOfType(type: AtomicType, atom: Atom): boolean {
  switch (type) {
    case 'integer':
      return typeof atom === 'bigint' ? atom >= INT64_MIN && atom <= INT64_MAX : Number.isSafeInteger(atom);
    case 'real':
      return typeof atom === 'number' && Number.isFinite(atom);
    case 'boolean':
      return typeof atom === 'boolean';
    case 'string':
      return typeof atom === 'string';
    case 'uuid':
      return atom instanceof NamedUuid || (typeof atom === 'string' && canonicalUuid(atom) === atom);
  }
}

/**
 * Check a typed atom against its base type: the representation (`syntax error`) and then the enum, range
 * and length constraints (`constraint violation`, worded as ovsdb-server words it).
 */
export function checkAtom(base: BaseType, atom: Atom): void {
  if (!isAtomOfType(base.type, atom))
    throw new OvsdbError('syntax error', `expected ${base.type}, got ${describe(atom)}`);
  if (!(atom instanceof NamedUuid) && hasValueConstraints(base)) checkConstraints(base, atom);
}

// ---------------------------------------------------------------------------------------------------------
// Wire conversion

/** Decode and validate one atom of wire notation. */
export function atomFromWire(base: BaseType, wire: Json, ctx?: DecodeContext): Atom {
  let atom: AtomValue;
  switch (base.type) {
    case 'integer': {
      const v = integerFromJson(wire);
      if (v === undefined) throw syntaxError(wire, 'expected integer');
      atom = v;
      break;
    }
    case 'real': {
      const v = realFromJson(wire);
      if (v === undefined) throw syntaxError(wire, 'expected real');
      atom = v;
      break;
    }
    case 'boolean':
      if (typeof wire !== 'boolean') throw syntaxError(wire, 'expected boolean');
      atom = wire;
      break;
    case 'string':
      if (typeof wire !== 'string') throw syntaxError(wire, 'expected string');
      atom = wire;
      break;
    case 'uuid': {
      const u = uuidFromJson(wire, ctx);
      if (typeof u !== 'string') return u; // a named-uuid's target is unknown until the transaction commits
      atom = u;
      break;
    }
  }
  if (hasValueConstraints(base)) checkConstraints(base, atom);
  return atom;
}

/**
 * `atomFromWire` for one base type without a context, cut down to the values a server normally sends:
 * the returned function gives the atom, or `undefined` for anything it does not handle itself (other
 * notations, enums of integers, uuids or booleans, reals, every error). Callers then use `atomFromWire`,
 * so results and errors stay exactly that function's. Decoding a monitor's rows calls this once per
 * value, and the generic path's checks of which constraints a type has dominate there.
 */
export function atomDecoder(base: BaseType): (wire: Json) => Atom | undefined {
  const none = (): undefined => undefined;
  switch (base.type) {
    case 'string': {
      const allowed = base.enum === undefined ? undefined : new Set(base.enum);
      const minLen = base.minLength ?? 0;
      const maxLen = base.maxLength ?? Infinity;
      return (w) => {
        if (typeof w !== 'string' || (allowed !== undefined && !allowed.has(w)) || w.includes('\0')) return undefined;
        if (!(nativeIsWellFormed !== undefined ? nativeIsWellFormed.call(w) : loneSurrogateIndex(w) < 0))
          return undefined;
        // UTF-16 units are never fewer than code points, so most strings need no count.
        if (minLen === 0 && w.length <= maxLen) return w;
        const n = codePointLength(w);
        return n >= minLen && n <= maxLen ? w : undefined;
      };
    }
    case 'integer': {
      if (base.enum !== undefined) return none;
      const lo = base.minInteger ?? -Infinity;
      const hi = base.maxInteger ?? Infinity;
      return (w) =>
        typeof w === 'number' && Number.isSafeInteger(w) && w >= lo && w <= hi ? (w === 0 ? 0 : w) : undefined;
    }
    case 'boolean':
      if (base.enum !== undefined) return none;
      return (w) => (typeof w === 'boolean' ? w : undefined);
    case 'uuid':
      if (base.enum !== undefined) return none;
      return (w) =>
        Array.isArray(w) && w.length === 2 && w[0] === 'uuid' && typeof w[1] === 'string'
          ? canonicalUuid(w[1])
          : undefined;
    default:
      return none;
  }
}

/** Encode a typed atom in wire notation. */
export function atomToWire(base: BaseType, atom: Atom): WireAtom {
  switch (base.type) {
    case 'integer':
      if (typeof atom === 'number' || typeof atom === 'bigint') return atom;
      break;
    case 'real':
      if (typeof atom === 'number') return atom;
      if (typeof atom === 'bigint') return Number(atom);
      break;
    case 'boolean':
      if (typeof atom === 'boolean') return atom;
      break;
    case 'string':
      if (typeof atom === 'string') return atom;
      break;
    case 'uuid':
      if (typeof atom === 'string') return ['uuid', atom];
      if (atom instanceof NamedUuid) return ['named-uuid', atom.name];
      break;
  }
  throw new OvsdbError('syntax error', `expected ${base.type}, got ${describe(atom)}`);
}

const ALLOW_NAMED: DecodeContext = { namedUuids: 'allow' };

/**
 * Lenient typed input for builders: a JS value of the right kind (integers as `number` or `bigint`, uuids
 * as UUID strings, `NamedUuid`s or their wire forms), validated against the base type. Builders fill
 * transactions, so named uuids are allowed unless `ctx.namedUuids` is `'reject'`.
 */
export function atomFromValue(base: BaseType, value: unknown, ctx?: DecodeContext): Atom {
  let atom: AtomValue | undefined;
  switch (base.type) {
    case 'integer':
      atom = integerFromJson(value);
      break;
    case 'real':
      atom = typeof value === 'number' && !Number.isFinite(value) ? undefined : realFromJson(value);
      break;
    case 'boolean':
    case 'string':
      atom = typeof value === base.type ? (value as boolean | string) : undefined;
      break;
    case 'uuid':
      if (value instanceof NamedUuid) {
        if (ctx?.namedUuids === 'reject')
          throw new OvsdbError('syntax error', `named-uuid ${value.name} is not allowed here`);
        if (!isId(value.name))
          throw new OvsdbError('syntax error', 'named-uuid string is not a valid <id>', value.name);
        return value;
      }
      if (typeof value === 'string') atom = canonicalUuid(value);
      else if (Array.isArray(value)) {
        const u = uuidFromJson(value as Json, ctx?.namedUuids === 'reject' ? ctx : ALLOW_NAMED);
        if (typeof u !== 'string') return u;
        atom = u;
      }
      break;
  }
  if (atom === undefined) throw new OvsdbError('syntax error', `expected ${base.type}, got ${describe(value)}`);
  if (hasValueConstraints(base)) checkConstraints(base, atom);
  return atom;
}

/** RFC 7047 defaults: 0, 0.0, false, "", the all-zero uuid. */
export function defaultAtom(type: AtomicType): AtomValue {
  switch (type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
  }
}
