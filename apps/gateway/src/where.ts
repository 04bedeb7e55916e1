/**
 * Row filters for the REST rows route, in two notations:
 * - RFC 7047 conditions as JSON: `[["name","==","sw0"],["priority",">",100]]`;
 * - ovn-nbctl / ovs-vsctl `find` clauses: `name=sw0`, `external_ids:owner=me`, `addresses{>=}"0a:00:00:00:00:01 10.0.0.5"`,
 *   `priority>=1000`, with the value written as those tools write it (bare or quoted strings, `[a,b]`
 *   sets, `{k=v}` maps).
 * Both become predicates evaluated against cached rows.
 */
import {
  OvsdbError,
  atomFromValue,
  columnOf,
  compareAtoms,
  datumEquals,
  evaluateConditions,
  isScalar,
  parseConditions,
  parseJson,
  type Atom,
  type BaseType,
  type ColumnType,
  type Datum,
  type Row,
  type TableSchema,
} from '@ovsdb-web/client';

export type RowPredicate = (row: Row) => boolean;

const OPERATORS = ['{!=}', '{<=}', '{>=}', '{=}', '{<}', '{>}', '!=', '<=', '>=', '=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

export function parseWhere(table: TableSchema, clauses: readonly string[]): RowPredicate[] {
  const out: RowPredicate[] = [];
  for (const raw of clauses) {
    const text = raw.trim();
    if (text === '') continue;
    if (text.startsWith('[')) {
      let json;
      try {
        json = parseJson(text);
      } catch (err) {
        throw new OvsdbError('syntax error', `where: not valid JSON: ${(err as Error).message}`);
      }
      const conds = parseConditions(table, json);
      out.push((row) => evaluateConditions(conds, row, 'all'));
    } else out.push(parseFindClause(table, text));
  }
  return out;
}

function parseFindClause(table: TableSchema, text: string): RowPredicate {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::((?:"(?:[^"\\]|\\.)*")|[^!=<>{}]+))?\s*(\{!=\}|\{<=\}|\{>=\}|\{=\}|\{<\}|\{>\}|!=|<=|>=|=|<|>)(.*)$/s.exec(text);
  if (!m) {
    throw new OvsdbError('syntax error', `where ${JSON.stringify(text)}: expected COLUMN[:KEY]OP VALUE with OP one of ${OPERATORS.join(' ')}`);
  }
  const [, name, keyText, opText, valueText] = m as unknown as [string, string, string | undefined, Operator, string];
  const column = columnOf(table, name);
  if (!column) throw new OvsdbError('unknown column', `where ${JSON.stringify(text)}: no column ${name} in table ${table.name}`);
  const type = column.type;
  const op = opText;
  if (keyText !== undefined) {
    if (!type.value) throw new OvsdbError('syntax error', `where ${JSON.stringify(text)}: ${name} is not a map, so it has no keys`);
    const key = parseAtom(type.key, new Reader(keyText.trim()), text);
    const valueBase = type.value;
    const valueType: ColumnType = { key: valueBase, min: 0, max: 1 };
    const expected = parseDatum(valueType, valueText, text);
    return (row) => {
      const v = (row[name] as ReadonlyMap<Atom, Atom> | undefined)?.get(key);
      return compare(valueType, v === undefined ? [] : [v], expected, op);
    };
  }
  const expected = parseDatum(type, valueText, text);
  return (row) => compare(type, row[name] as Datum, expected, op);
}

function compare(type: ColumnType, actual: Datum, expected: Datum, op: Operator): boolean {
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

class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }
  peek(): string | undefined {
    return this.text[this.pos];
  }
  done(): boolean {
    this.skipWs();
    return this.pos >= this.text.length;
  }
}

function parseDatum(type: ColumnType, text: string, clause: string): Datum {
  const r = new Reader(text.trim());
  let datum: Datum;
  if (type.value) {
    const pairs = new Map<Atom, Atom>();
    const braced = r.peek() === '{';
    if (braced) r.pos++;
    while (!r.done() && r.peek() !== '}') {
      const k = parseAtom(type.key, r, clause, '=');
      r.skipWs();
      if (r.peek() !== '=') throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: expected key=value in a map`);
      r.pos++;
      const v = parseAtom(type.value, r, clause, ',}');
      pairs.set(k, v);
      r.skipWs();
      if (r.peek() === ',') r.pos++;
    }
    if (braced) {
      if (r.peek() !== '}') throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: missing } at the end of the map`);
      r.pos++;
    }
    datum = new Map([...pairs].sort((a, b) => compareAtoms(a[0], b[0])));
  } else if (isScalar(type)) {
    datum = parseAtom(type.key, r, clause, '');
  } else {
    const atoms: Atom[] = [];
    const bracketed = r.peek() === '[';
    if (bracketed) r.pos++;
    while (!r.done() && r.peek() !== ']') {
      atoms.push(parseAtom(type.key, r, clause, ',]'));
      r.skipWs();
      if (r.peek() === ',') r.pos++;
    }
    if (bracketed) {
      if (r.peek() !== ']') throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: missing ] at the end of the set`);
      r.pos++;
    }
    atoms.sort(compareAtoms);
    datum = atoms.filter((a, i) => i === 0 || compareAtoms(atoms[i - 1] as Atom, a) !== 0);
  }
  if (!r.done()) throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: unexpected text after the value: ${JSON.stringify(r.text.slice(r.pos))}`);
  return datum;
}

/** One atom: a quoted string (JSON escapes), or bare text up to one of `stops`. */
function parseAtom(base: BaseType, r: Reader, clause: string, stops = ''): Atom {
  r.skipWs();
  let text: string;
  if (r.peek() === '"') {
    const start = r.pos;
    r.pos++;
    while (r.pos < r.text.length && r.text[r.pos] !== '"') r.pos += r.text[r.pos] === '\\' ? 2 : 1;
    if (r.pos >= r.text.length) throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: unterminated quoted string`);
    r.pos++;
    text = JSON.parse(r.text.slice(start, r.pos)) as string;
  } else {
    const start = r.pos;
    while (r.pos < r.text.length && !stops.includes(r.text[r.pos] as string)) r.pos++;
    text = r.text.slice(start, r.pos).trim();
  }
  let value: unknown = text;
  if (base.type === 'integer') {
    if (!/^-?\d+$/.test(text)) throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: ${JSON.stringify(text)} is not an integer`);
    const n = Number(text);
    value = Number.isSafeInteger(n) ? n : BigInt(text);
  } else if (base.type === 'real') {
    value = Number(text);
    if (text === '' || !Number.isFinite(value)) throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: ${JSON.stringify(text)} is not a number`);
  } else if (base.type === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: ${JSON.stringify(text)} is not true or false`);
    value = text === 'true';
  }
  try {
    // Checks uuid syntax and normalises; constraints (enum, ranges) do not apply to a filter's value.
    return atomFromValue({ type: base.type }, value);
  } catch (err) {
    throw new OvsdbError('syntax error', `where ${JSON.stringify(clause)}: ${(err as OvsdbError).details ?? (err as Error).message}`);
  }
}

/** `sort=name,-priority`: a comparator over rows; `-` sorts descending. Unknown columns are refused. */
export function parseSort(table: TableSchema, spec: string): (a: Row, b: Row) => number {
  const keys = spec.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const desc = s.startsWith('-');
    const name = desc ? s.slice(1) : s;
    const column = columnOf(table, name);
    if (!column) throw new OvsdbError('unknown column', `sort: no column ${name} in table ${table.name}`);
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

function compareDatums(a: Datum, b: Datum): number {
  const la = a instanceof Map ? [...a.keys()] : Array.isArray(a) ? (a as Atom[]) : [a as Atom];
  const lb = b instanceof Map ? [...b.keys()] : Array.isArray(b) ? (b as Atom[]) : [b as Atom];
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const c = compareAtoms(la[i] as Atom, lb[i] as Atom);
    if (c !== 0) return c;
  }
  return la.length - lb.length;
}
