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
import type { Atom, Datum, Row } from '../data/value.js';
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

const CLAUSE = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)(?::("(?:[^"\\]|\\.)*"|[^!=<>{}]+))?\s*(\{!=\}|\{<=\}|\{>=\}|\{=\}|\{<\}|\{>\}|!=|<=|>=|=|<|>)/s;

export function parseFindClause(table: TableSchema, clause: string): FindClause {
  const m = CLAUSE.exec(clause);
  if (!m) {
    throw new FilterError(`expected COLUMN[:KEY]OP VALUE with OP one of ${FIND_OPERATORS.join(' ')}`, clause, clause.length - clause.trimStart().length);
  }
  const [whole, lead, name, keyText, op] = m as unknown as [string, string, string, string | undefined, FindOperator];
  const column = columnOf(table, name);
  if (!column) throw new FilterError(`no column ${name} in table ${table.name}`, clause, lead.length);
  const type = column.type;
  const valueStart = whole.length;
  if (keyText === undefined) return { column: name, op, value: parseDatum(type, new Reader(clause, valueStart)), type };
  const keyStart = lead.length + name.length + 1;
  if (!type.value) throw new FilterError(`${name} is not a map, so it has no keys`, clause, keyStart - 1);
  const key = parseAtom(type.key, new Reader(clause, keyStart, keyStart + keyText.trimEnd().length), '');
  const valueType: ColumnType = { key: type.value, min: 0, max: 1 };
  return { column: name, key, op, value: parseDatum(valueType, new Reader(clause, valueStart)), type: valueType };
}

export function findPredicate(c: FindClause): RowPredicate {
  if (c.key !== undefined) {
    const key = c.key;
    return (row) => {
      const v = (row[c.column] as ReadonlyMap<Atom, Atom> | undefined)?.get(key);
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
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const a = single(actual);
      const b = single(expected);
      if (a === undefined || b === undefined) return false;
      const c = compareAtoms(a, b);
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
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

function single(d: Datum): Atom | undefined {
  if (Array.isArray(d)) return d.length === 1 ? (d[0] as Atom) : undefined;
  if (d instanceof Map) return undefined;
  return d as Atom;
}

/** Whether every element (or key=value pair) of `inner` is in `outer`. */
function contains(outer: Datum, inner: Datum): boolean {
  if (outer instanceof Map || inner instanceof Map) {
    if (!(outer instanceof Map) || !(inner instanceof Map)) return false;
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

function parseDatum(type: ColumnType, r: Reader): Datum {
  r.skipWs();
  let datum: Datum;
  if (type.value) {
    const pairs = new Map<Atom, Atom>();
    const braced = r.peek() === '{';
    if (braced) r.pos++;
    while (!r.done() && r.peek() !== '}') {
      const k = parseAtom(type.key, r, '=');
      r.skipWs();
      if (r.peek() !== '=') r.fail('expected key=value in a map');
      r.pos++;
      const v = parseAtom(type.value, r, ',}');
      pairs.set(k, v);
      r.skipWs();
      if (r.peek() === ',') r.pos++;
    }
    if (braced) {
      if (r.peek() !== '}') r.fail('missing } at the end of the map');
      r.pos++;
    }
    datum = new Map([...pairs].sort((a, b) => compareAtoms(a[0], b[0])));
  } else if (isScalar(type)) {
    datum = parseAtom(type.key, r, '');
  } else {
    const atoms: Atom[] = [];
    const bracketed = r.peek() === '[';
    if (bracketed) r.pos++;
    while (!r.done() && r.peek() !== ']') {
      atoms.push(parseAtom(type.key, r, ',]'));
      r.skipWs();
      if (r.peek() === ',') r.pos++;
    }
    if (bracketed) {
      if (r.peek() !== ']') r.fail('missing ] at the end of the set');
      r.pos++;
    }
    atoms.sort(compareAtoms);
    datum = atoms.filter((a, i) => i === 0 || compareAtoms(atoms[i - 1] as Atom, a) !== 0);
  }
  if (!r.done()) r.fail(`unexpected text after the value: ${JSON.stringify(r.clause.slice(r.pos, r.end))}`);
  return datum;
}

/** One atom: a quoted string (JSON escapes), or bare text up to one of `stops`. */
function parseAtom(base: BaseType, r: Reader, stops: string): Atom {
  r.skipWs();
  const start = r.pos;
  let text: string;
  if (r.peek() === '"') {
    r.pos++;
    while (r.pos < r.end && r.clause[r.pos] !== '"') r.pos += r.clause[r.pos] === '\\' ? 2 : 1;
    if (r.pos >= r.end) r.fail('unterminated quoted string', start);
    r.pos++;
    try {
      text = JSON.parse(r.clause.slice(start, r.pos)) as string;
    } catch {
      r.fail('bad escape in a quoted string', start);
    }
  } else {
    while (r.pos < r.end && !stops.includes(r.clause[r.pos] as string)) r.pos++;
    text = r.clause.slice(start, r.pos).trim();
  }
  let value: unknown = text;
  if (base.type === 'integer') {
    if (!/^-?\d+$/.test(text)) r.fail(`${JSON.stringify(text)} is not an integer`, start);
    const n = Number(text);
    value = Number.isSafeInteger(n) ? n : BigInt(text);
  } else if (base.type === 'real') {
    value = Number(text);
    if (text === '' || !Number.isFinite(value)) r.fail(`${JSON.stringify(text)} is not a number`, start);
  } else if (base.type === 'boolean') {
    if (text !== 'true' && text !== 'false') r.fail(`${JSON.stringify(text)} is not true or false`, start);
    value = text === 'true';
  }
  try {
    // Checks uuid syntax and normalises; constraints (enum, ranges) do not apply to a filter's value.
    return atomFromValue({ type: base.type }, value);
  } catch (err) {
    if (err instanceof OvsdbError) r.fail(err.details ?? err.message, start);
    throw err;
  }
}

/** `sort=name,-priority`: a comparator over rows in ovsdb-server's order; `-` sorts descending. */
export function parseSort(table: TableSchema, spec: string): (a: Row, b: Row) => number {
  const keys = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const desc = s.startsWith('-');
      const name = desc ? s.slice(1) : s;
      if (!columnOf(table, name)) throw new FilterError(`no column ${name} in table ${table.name}`, spec, spec.indexOf(name), 'sort');
      return { name, desc };
    });
  return (a, b) => {
    for (const k of keys) {
      const c = compareDatums(a[k.name] as Datum, b[k.name] as Datum);
      if (c !== 0) return k.desc ? -c : c;
    }
    return compareAtoms(a._uuid as Atom, b._uuid as Atom);
  };
}
