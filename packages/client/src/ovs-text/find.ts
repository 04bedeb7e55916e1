/**
 * Row filters in the two notations operators already know, both judged against a table schema:
 * - RFC 7047 conditions as JSON: `[["name","==","sw0"],["priority",">",100]]`;
 * - ovs-vsctl / ovn-nbctl `find` clauses: `name=sw0`, `external_ids:owner=me`, `priority>=1000`,
 *   `addresses{>=}"0a:00:00:00:00:01 10.0.0.5"`, with values written as those tools write them (bare or
 *   quoted strings, `[a,b]` sets, `{k=v}` maps).
 * A mistake is a `FilterError` that names the clause and the offset of the bad spot, so an editor can
 * underline it.
 */
import { OvsdbError } from '../wire/errors.js';
import { JsonSyntaxError, parseJson } from '../wire/json.js';
import { columnOf, isScalar, type BaseType, type ColumnType, type TableSchema } from '../schema/schema.js';
import { isMapDatum, type Atom, type Datum, type Row } from '../data/value.js';
import { atomFromValue, compareAtoms } from '../data/atom.js';
import { datumEquals } from '../data/datum.js';
import { compareDatums } from '../data/order.js';
import { evaluateConditions, parseConditions } from '../data/condition.js';

export type RowPredicate = (row: Row) => boolean;

/** The comparison of a `find` clause: plain ones compare one value, braced ones compare sets and maps. */
export const FIND_OPERATORS = ['{!=}', '{<=}', '{>=}', '{=}', '{<}', '{>}', '!=', '<=', '>=', '=', '<', '>'] as const;
export type FindOperator = (typeof FIND_OPERATORS)[number];

/** JSON in a filter is nested at most this deep; no valid condition comes close. */
export const MAX_FILTER_DEPTH = 32;

export class FilterError extends Error {
  override readonly name = 'FilterError';
  constructor(
    /** What was wrong, without the clause. */
    readonly reason: string,
    /** The clause as written. */
    readonly clause: string,
    /** Offset of the bad spot in `clause`. */
    readonly offset: number,
    what: 'filter' | 'sort' = 'filter',
  ) {
    super(`${what} ${JSON.stringify(clause)}: ${reason}`);
  }
}

export interface FindClause {
  readonly column: string;
  /** For `column:key` clauses on a map column: the key. */
  readonly key?: Atom;
  readonly op: FindOperator;
  /** The value, typed for the column (or, with a key, for one map value). */
  readonly value: Datum;
  readonly type: ColumnType;
}

/** Every clause must hold. Each clause is JSON conditions (starting with `[`) or one `find` clause. */
export function parseFilter(table: TableSchema, clauses: readonly string[]): RowPredicate[] {
  const out: RowPredicate[] = [];
  for (const raw of clauses) {
    const text = raw.trim();
    if (text === '') continue;
    out.push(text.startsWith('[') ? conditionsPredicate(table, raw) : findPredicate(parseFindClause(table, raw)));
  }
  return out;
}

function conditionsPredicate(table: TableSchema, clause: string): RowPredicate {
  const lead = clause.length - clause.trimStart().length;
  let json;
  try {
    json = parseJson(clause, { maxDepth: MAX_FILTER_DEPTH });
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new FilterError(`not valid JSON: ${err.reason}`, clause, err.position);
    throw err;
  }
  try {
    const conds = parseConditions(table, json);
    return (row) => evaluateConditions(conds, row, 'all');
  } catch (err) {
    if (err instanceof OvsdbError) throw new FilterError(err.details ?? err.message, clause, lead);
    throw err;
  }
}

const COLUMN = /(\s*)([A-Za-z_][A-Za-z0-9_]*)/y;
const OPERATOR = /\s*(\{!=\}|\{<=\}|\{>=\}|\{=\}|\{<\}|\{>\}|!=|<=|>=|=|<|>)/y;

/**
 * Unlike ovn-nbctl, on purpose: column names are exact (no abbreviations or case folding), `_uuid` and
 * `_version` are columns too, spaces may surround the column and the operator, and a value is not checked
 * against the column's constraints (outside them it just matches nothing). `{in}`, `{not-in}` and
 * `@name` uuids are not taken. Everything else follows ovs-vsctl(8) and lib/ovsdb-data.c.
 */
export function parseFindClause(table: TableSchema, clause: string): FindClause {
  const lead = clause.length - clause.trimStart().length;
  const syntax = (): FilterError =>
    new FilterError(`expected COLUMN[:KEY]OP VALUE with OP one of ${FIND_OPERATORS.join(' ')}`, clause, lead);
  COLUMN.lastIndex = 0;
  const m = COLUMN.exec(clause);
  if (!m) throw syntax();
  const name = m[2] as string;
  let pos = COLUMN.lastIndex;
  let keyToken: Token | undefined;
  if (clause[pos] === ':') {
    const r = new Reader(clause, pos + 1);
    keyToken = readToken(r);
    pos = r.pos;
  }
  OPERATOR.lastIndex = pos;
  const o = OPERATOR.exec(clause);
  if (!o) throw syntax();
  const op = o[1] as FindOperator;
  const valueStart = OPERATOR.lastIndex;
  const column = columnOf(table, name);
  if (!column) throw new FilterError(`no column ${name} in table ${table.name}`, clause, lead);
  const type = column.type;
  if (keyToken === undefined)
    return { column: name, op, value: parseDatum(type, new Reader(clause, valueStart)), type };
  if (!type.value) throw new FilterError(`${name} is not a map, so it has no keys`, clause, keyToken.start - 1);
  const [key] = tokenAtoms(type.key, keyToken, new Reader(clause, keyToken.start), false) as [Atom];
  // The value of one key, compared as a set of values (as ovs-vsctl does, any number of them).
  const valueType: ColumnType = { key: type.value, min: type.min, max: Infinity };
  return { column: name, key, op, value: parseDatum(valueType, new Reader(clause, valueStart)), type: valueType };
}

export function findPredicate(c: FindClause): RowPredicate {
  if (c.key !== undefined) {
    const key = c.key;
    // ovs-vsctl(8): a row without the key fails the arithmetic operators; the braced ones see an empty set.
    const braced = c.op.startsWith('{');
    return (row) => {
      const v = (row[c.column] as ReadonlyMap<Atom, Atom> | undefined)?.get(key);
      if (v === undefined && !braced) return false;
      return compare(c.type, v === undefined ? [] : [v], c.value, c.op);
    };
  }
  return (row) => compare(c.type, row[c.column] as Datum, c.value, c.op);
}

function compare(type: ColumnType, actual: Datum, expected: Datum, op: FindOperator): boolean {
  switch (op) {
    case '=':
    case '{=}':
      return datumEquals(type, actual, expected);
    case '!=':
    case '{!=}':
      return !datumEquals(type, actual, expected);
    // Whole values in ovsdb-server's order: fewer members first, so an empty optional value is below any.
    case '<':
      return compareDatums(actual, expected) < 0;
    case '>':
      return compareDatums(actual, expected) > 0;
    case '<=':
      return compareDatums(actual, expected) <= 0;
    case '>=':
      return compareDatums(actual, expected) >= 0;
    case '{<=}':
      return contains(expected, actual);
    case '{>=}':
      return contains(actual, expected);
    case '{<}':
      return contains(expected, actual) && !datumEquals(type, actual, expected);
    case '{>}':
      return contains(actual, expected) && !datumEquals(type, actual, expected);
  }
}

/** Whether every element (or key=value pair) of `inner` is in `outer`. */
function contains(outer: Datum, inner: Datum): boolean {
  if (outer instanceof Map || inner instanceof Map) {
    if (!isMapDatum(outer) || !isMapDatum(inner)) return false;
    for (const [k, v] of inner) {
      if (!outer.has(k) || compareAtoms(outer.get(k) as Atom, v) !== 0) return false;
    }
    return true;
  }
  const o = Array.isArray(outer) ? (outer as Atom[]) : [outer as Atom];
  const i = Array.isArray(inner) ? (inner as Atom[]) : [inner as Atom];
  return i.every((a) => o.some((b) => compareAtoms(a, b) === 0));
}

// ---- ovs-vsctl value syntax ------------------------------------------------------------------------

/** A cursor over `clause[pos, end)`; errors carry offsets into the whole clause. */
class Reader {
  constructor(
    readonly clause: string,
    public pos: number,
    readonly end = clause.length,
  ) {}
  skipWs(): void {
    while (this.pos < this.end && /\s/.test(this.clause[this.pos] as string)) this.pos++;
  }
  peek(): string | undefined {
    return this.pos < this.end ? this.clause[this.pos] : undefined;
  }
  done(): boolean {
    this.skipWs();
    return this.pos >= this.end;
  }
  fail(reason: string, at = this.pos): never {
    throw new FilterError(reason, this.clause, at);
  }
}

/** What ends a word outside quotes (ovsdb_token_is_delim). */
const DELIMITERS = ':=, []{}!<>';

interface Token {
  /** The word with backslash escapes outside quotes applied; quotes and escapes inside them kept. */
  readonly text: string;
  readonly start: number;
}

/** One word, as ovsdb_token_parse reads it: up to a delimiter outside double quotes. */
function readToken(r: Reader): Token {
  const start = r.pos;
  let text = '';
  let quoteAt = -1;
  while (r.pos < r.end) {
    const c = r.clause[r.pos] as string;
    if (c === '\\') {
      if (r.pos + 1 >= r.end) r.fail('backslash at the end of the clause');
      text += (quoteAt >= 0 ? c : '') + (r.clause[r.pos + 1] as string);
      r.pos += 2;
      continue;
    }
    if (quoteAt < 0 && DELIMITERS.includes(c)) break;
    if (c === '"') quoteAt = quoteAt < 0 ? r.pos : -1;
    text += c;
    r.pos++;
  }
  if (quoteAt >= 0) r.fail('unterminated quoted string', quoteAt);
  return { text, start };
}

/**
 * A set (`[a, b]`, `a b`, `a,b`) or map (`{k=v, ...}`, `k=v ...`) as ovsdb_datum_from_string reads it:
 * brackets optional except for an empty value, members separated by spaces or commas, no duplicates, and
 * as many members as the type allows (so a scalar column takes exactly one value).
 */
function parseDatum(type: ColumnType, r: Reader): Datum {
  const map = type.value;
  const [open, close, what] = map ? ['{', '}', 'map'] : ['[', ']', 'set'];
  r.skipWs();
  const start = r.pos;
  const bracketed = r.peek() === open;
  if (bracketed) r.pos++;
  else if (r.done())
    r.fail(isScalar(type) ? 'missing value' : `missing value (write ${open}${close} for an empty ${what})`);
  const pairs: [Atom, Atom | undefined][] = [];
  while (!r.done() && !(bracketed && r.peek() === close)) {
    const c = r.peek() as string;
    if (DELIMITERS.includes(c)) r.fail(`unexpected ${JSON.stringify(c)}`);
    const keys = tokenAtoms(type.key, readToken(r), r, !map);
    if (map) {
      r.skipWs();
      if (r.peek() !== '=') r.fail('expected key=value in a map');
      r.pos++;
      r.skipWs();
      pairs.push([keys[0] as Atom, tokenAtoms(map, readToken(r), r, false)[0]]);
    } else {
      for (const k of keys) pairs.push([k, undefined]);
    }
    r.skipWs();
    if (r.peek() === ',') r.pos++;
  }
  if (bracketed) {
    if (r.peek() !== close) r.fail(`missing ${close} at the end of the ${what}`);
    r.pos++;
    if (!r.done()) r.fail(`unexpected text after the value: ${JSON.stringify(r.clause.slice(r.pos, r.end))}`);
  }
  if (pairs.length < type.min) r.fail(`${pairs.length} values, but the column needs at least ${type.min}`, start);
  if (pairs.length > type.max) r.fail(`${pairs.length} values, but the column holds at most ${type.max}`, start);
  pairs.sort((a, b) => compareAtoms(a[0], b[0]));
  if (pairs.some(([k], i) => i > 0 && compareAtoms((pairs[i - 1] as [Atom, Atom | undefined])[0], k) === 0))
    r.fail(map ? 'the map has a duplicate key' : 'the set has a duplicate value', start);
  if (map) return new Map(pairs as [Atom, Atom][]);
  const atoms = pairs.map(([k]) => k);
  return isScalar(type) ? (atoms[0] as Atom) : atoms;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);
/** ovs-vsctl expands `lo-hi` in a set of integers, up to this many members (MAX_OVSDB_ATOM_RANGE_SIZE). */
const MAX_RANGE = 4096;

/**
 * The atom a word stands for (ovsdb_atom_from_string): a string is the word itself or, when it starts
 * with a quote, a JSON string; other types take the word as it is, quotes and all. In a set of integers
 * (`range`) `lo-hi` stands for every integer from lo to hi.
 */
function tokenAtoms(base: BaseType, token: Token, r: Reader, range: boolean): Atom[] {
  const { text, start } = token;
  const fail = (reason: string): never => r.fail(reason, start);
  let value: unknown = text;
  switch (base.type) {
    case 'string':
      if (text === '') fail('missing value (write "" for the empty string)');
      if (text.startsWith('"')) {
        if (text.length < 2 || !text.endsWith('"')) fail('unexpected text after the closing quote');
        try {
          value = JSON.parse(text) as string;
        } catch {
          fail('bad escape in a quoted string');
        }
      }
      break;
    case 'integer': {
      const span = range ? /^([+-]?\d+)-([+-]?\d+)$/.exec(text) : null;
      if (span) {
        const [lo, hi] = [BigInt(span[1] as string), BigInt(span[2] as string)];
        if (hi < lo) fail(`${JSON.stringify(text)} is not a valid range: it ends before it starts`);
        if (hi - lo >= BigInt(MAX_RANGE)) fail(`${JSON.stringify(text)} is a range of more than ${MAX_RANGE}`);
        const out: Atom[] = [];
        for (let i = lo; i <= hi; i++) out.push(atomOf(base, i, fail));
        return out;
      }
      if (!/^[+-]?\d+$/.test(text)) fail(`${JSON.stringify(text)} is not an integer`);
      const n = Number(text);
      value = Number.isSafeInteger(n) ? n : BigInt(text);
      break;
    }
    case 'real':
      value = Number(text);
      if (text === '' || !Number.isFinite(value)) fail(`${JSON.stringify(text)} is not a number`);
      break;
    case 'boolean':
      if (!TRUE_WORDS.has(text) && !FALSE_WORDS.has(text)) fail(`${JSON.stringify(text)} is not true or false`);
      value = TRUE_WORDS.has(text);
      break;
    case 'uuid':
      break;
  }
  return [atomOf(base, value, fail)];
}

function atomOf(base: BaseType, value: unknown, fail: (reason: string) => never): Atom {
  try {
    // Checks uuid syntax, int64 range and normalises; constraints (enum, ranges) do not apply to a filter.
    return atomFromValue({ type: base.type }, value);
  } catch (err) {
    if (err instanceof OvsdbError) fail(err.details ?? err.message);
    throw err;
  }
}

/** `sort=name,-priority`: a comparator over rows in ovsdb-server's order; `-` sorts descending. */
export function parseSort(table: TableSchema, spec: string): (a: Row, b: Row) => number {
  const keys: { name: string; desc: boolean }[] = [];
  let at = 0;
  for (const part of spec.split(',')) {
    const start = at;
    at += part.length + 1;
    const s = part.trim();
    if (s === '') continue;
    const desc = s.startsWith('-');
    const name = desc ? s.slice(1) : s;
    if (!columnOf(table, name))
      throw new FilterError(`no column ${name} in table ${table.name}`, spec, start + part.indexOf(name), 'sort');
    keys.push({ name, desc });
  }
  return (a, b) => {
    for (const k of keys) {
      const c = compareDatums(a[k.name] as Datum, b[k.name] as Datum);
      if (c !== 0) return k.desc ? -c : c;
    }
    return compareAtoms(a._uuid as Atom, b._uuid as Atom);
  };
}
