/**
 * Schemas a client sends (the `convert` method): checked member by member with ovsdb-server's error wording
 * (ovsdb(7), "Schema Format"), and re-written in the canonical form ovsdb-server keeps and returns from
 * `get_schema` afterwards: members at their default left out (`min`/`max` 1, `isRoot` false, `refType`
 * strong, an unconstrained base type as just its name), enums sorted, a one-element enum as a bare atom.
 *
 * Tables and columns are visited in the server's hash order (shash-order.ts), so that when a schema has
 * several problems the one reported is the one ovsdb-server reports.
 */
import {
  OvsdbError,
  compareAtoms,
  datumFromWire,
  datumToWire,
  isId,
  parseDatabaseSchema,
  type Atom,
  type DatabaseSchema,
  type Json,
  type JsonObject,
} from '@ovsdb-web/client';
import {
  ObjectParser,
  OP_ARRAY,
  OP_BOOLEAN,
  OP_ID,
  OP_INTEGER,
  OP_OBJECT,
  OP_OPTIONAL,
  OP_REAL,
  OP_STRING,
} from './parser.js';
import { hashOrder } from './shash-order.js';
import { sortedJsonText } from './wire.js';

const ATOMIC = ['integer', 'real', 'boolean', 'string', 'uuid'] as const;
type Atomic = (typeof ATOMIC)[number];
const UINT_MAX = 4294967295;
/** Every JSON type, for members whose value is parsed further. */
const ANY_JSON = 0xff;

interface BaseOut {
  readonly type: Atomic;
  readonly json: Json;
  readonly refTable?: string;
  readonly strong: boolean;
}

interface ColumnOut {
  readonly json: JsonObject;
  readonly ephemeral: boolean;
  readonly refs: { readonly which: 'key' | 'value'; readonly base: BaseOut }[];
}

interface TableOut {
  readonly name: string;
  readonly json: JsonObject;
  readonly columns: Map<string, ColumnOut>;
  isRoot: boolean;
}

function syntax(json: Json | undefined, details: string): OvsdbError {
  return new OvsdbError('syntax error', details, json === undefined ? undefined : sortedJsonText(json));
}

function check(p: ObjectParser): void {
  const err = p.finish();
  if (err !== undefined) throw err;
}

/**
 * Check a schema as ovsdb-server does before converting to it; returns it parsed and in canonical form.
 * Throws the `OvsdbError` ovsdb-server would answer with.
 */
export function parseClientSchema(json: Json): { readonly schema: DatabaseSchema; readonly json: JsonObject } {
  const p = new ObjectParser(json, 'database schema');
  const name = p.member('name', OP_ID);
  const version = p.member('version', OP_STRING | OP_OPTIONAL);
  const cksum = p.member('cksum', OP_STRING | OP_OPTIONAL);
  const tablesJson = p.member('tables', OP_OBJECT);
  check(p);
  const obj = json as JsonObject;
  if (typeof version === 'string' && !/^\d+\.\d+\.\d+$/.test(version)) {
    throw syntax(obj, `schema version "${version}" not in format x.y.z`);
  }
  const tables: TableOut[] = [];
  const tjson = tablesJson as JsonObject;
  for (const tname of hashOrder(Object.keys(tjson))) {
    if (tname.startsWith('_')) throw syntax(obj, 'names beginning with "_" are reserved');
    if (!isId(tname)) throw syntax(obj, 'name must be a valid id');
    tables.push(parseTable(tname, tjson[tname] as Json));
  }
  // A schema in which no table says isRoot predates garbage collection: every table is then a root.
  const anyRoot = tables.some((t) => t.isRoot);
  if (!anyRoot) for (const t of tables) t.isRoot = true;
  const byName = new Map(tables.map((t) => [t.name, t]));
  // The parsed tables and columns go into hash maps of their own, in the order just parsed, and are
  // visited in those maps' order here (a table's map also holds `_uuid` and `_version`, added first).
  for (const tname of hashOrder(tables.map((t) => t.name))) {
    const t = byName.get(tname) as TableOut;
    const parsed = hashOrder([...t.columns.keys()]);
    for (const cname of hashOrder(['_uuid', '_version', ...parsed])) {
      for (const { which, base } of t.columns.get(cname)?.refs ?? []) {
        if (byName.has(base.refTable as string)) continue;
        throw syntax(undefined, `column ${cname} ${which} refers to undefined table ${base.refTable}`);
      }
    }
  }
  const out: JsonObject = { name: name as string };
  if (typeof version === 'string' && version !== '') out.version = version;
  if (typeof cksum === 'string' && cksum !== '') out.cksum = cksum;
  const defaultIsRoot = tables.every((t) => t.isRoot);
  const tablesOut: JsonObject = {};
  for (const t of tables) {
    const tj: JsonObject = { ...t.json };
    if (t.isRoot !== defaultIsRoot) tj.isRoot = t.isRoot;
    const cols: JsonObject = {};
    for (const [cname, col] of t.columns) {
      // A strong reference into a non-root table is always persistent (losing it on restart would lose
      // the row it keeps alive), so ovsdb-server drops "ephemeral" from such a column.
      const forced = col.refs.some(({ base }) => base.strong && byName.get(base.refTable as string)?.isRoot === false);
      const cj: JsonObject = { ...col.json };
      if (col.ephemeral && !forced) cj.ephemeral = true;
      cols[cname] = cj;
    }
    tj.columns = cols;
    tablesOut[t.name] = reorder(tj, ['mutable', 'isRoot', 'columns', 'maxRows', 'indexes']);
  }
  out.tables = tablesOut;
  return { schema: parseDatabaseSchema(out), json: out };
}

function reorder(obj: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) {
    const v = obj[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function parseTable(name: string, json: Json): TableOut {
  const p = new ObjectParser(json, `table schema for table ${name}`);
  const columnsJson = p.member('columns', OP_OBJECT);
  const mutable = p.member('mutable', OP_BOOLEAN | OP_OPTIONAL);
  const maxRows = p.member('maxRows', OP_INTEGER | OP_OPTIONAL);
  const isRoot = p.member('isRoot', OP_BOOLEAN | OP_OPTIONAL);
  const indexes = p.member('indexes', OP_ARRAY | OP_OPTIONAL);
  check(p);
  const obj = json as JsonObject;
  if (maxRows !== undefined && Number(maxRows) <= 0) throw syntax(obj, 'maxRows must be at least 1');
  const cjson = columnsJson as JsonObject;
  if (Object.keys(cjson).length === 0) throw syntax(obj, 'table must have at least one column');
  const columns = new Map<string, ColumnOut>();
  for (const cname of hashOrder(Object.keys(cjson))) {
    if (cname.startsWith('_')) throw syntax(obj, 'names beginning with "_" are reserved');
    if (!isId(cname)) throw syntax(obj, 'name must be a valid id');
    columns.set(cname, parseColumn(cname, cjson[cname] as Json));
  }
  const out: JsonObject = {};
  if (mutable === false) out.mutable = false;
  if (maxRows !== undefined && Number(maxRows) < UINT_MAX) out.maxRows = maxRows;
  if (indexes !== undefined && (indexes as Json[]).length > 0) {
    out.indexes = (indexes as Json[]).map((idx) => parseIndex(obj, idx, columns));
  }
  // Columns are re-ordered as the schema lists them: output key order carries no meaning.
  const ordered = new Map<string, ColumnOut>();
  for (const cname of Object.keys(cjson)) ordered.set(cname, columns.get(cname) as ColumnOut);
  return { name, json: out, columns: ordered, isRoot: isRoot === true };
}

function parseIndex(table: JsonObject, json: Json, columns: ReadonlyMap<string, ColumnOut>): Json {
  const bad = (): OvsdbError => syntax(json, 'array of distinct column names expected');
  if (!Array.isArray(json)) throw bad();
  const seen = new Set<string>();
  for (const c of json) {
    if (typeof c !== 'string') throw bad();
    if (!columns.has(c) && c !== '_uuid' && c !== '_version') throw syntax(json, `${c} is not a valid column name`);
    if (seen.has(c)) throw bad();
    seen.add(c);
  }
  if (json.length === 0) throw syntax(table, 'index must have at least one column');
  for (const c of json as string[]) {
    if (columns.get(c)?.ephemeral === true) throw syntax(table, `ephemeral columns (such as ${c}) may not be indexed`);
  }
  return json;
}

function parseColumn(name: string, json: Json): ColumnOut {
  const p = new ObjectParser(json, `schema for column ${name}`);
  const mutable = p.member('mutable', OP_BOOLEAN | OP_OPTIONAL);
  const ephemeral = p.member('ephemeral', OP_BOOLEAN | OP_OPTIONAL);
  const typeJson = p.member('type', OP_STRING | OP_OBJECT);
  check(p);
  const type = parseType(typeJson as Json);
  const refs = (['key', 'value'] as const).flatMap((which) => {
    const base = which === 'key' ? type.key : type.value;
    return base?.refTable === undefined ? [] : [{ which, base }];
  });
  const out: JsonObject = {};
  // Weak references are always mutable: deleting the referenced row changes them.
  const weak = refs.some(({ base }) => !base.strong);
  if (mutable === false && !weak) out.mutable = false;
  out.type = type.json;
  return { json: out, ephemeral: ephemeral === true, refs };
}

function parseType(json: Json): { json: Json; key: BaseOut; value: BaseOut | undefined } {
  if (typeof json === 'string') {
    const key = parseBase(json);
    return { json: key.json, key, value: undefined };
  }
  const p = new ObjectParser(json, 'ovsdb type');
  const keyJson = p.member('key', OP_STRING | OP_OBJECT);
  const valueJson = p.member('value', OP_STRING | OP_OBJECT | OP_OPTIONAL);
  const minJson = p.member('min', OP_INTEGER | OP_OPTIONAL);
  const maxJson = p.member('max', OP_INTEGER | OP_STRING | OP_OPTIONAL);
  check(p);
  const key = parseBase(keyJson as Json);
  const value = valueJson === undefined ? undefined : parseBase(valueJson);
  const count = (v: Json): number => {
    const n = Number(v);
    if (typeof v === 'string' || n < 0 || n >= UINT_MAX) throw syntax(v, 'bad min or max value');
    return n;
  };
  const min = minJson === undefined ? 1 : count(minJson);
  const max = maxJson === undefined ? 1 : maxJson === 'unlimited' ? UINT_MAX : count(maxJson);
  if (min > 1 || min > max || max < 1) throw syntax(json, 'ovsdb type fails constraint checks');
  const scalar = value === undefined && min === 1 && max === 1;
  if (scalar && typeof key.json === 'string') return { json: key.json, key, value };
  const out: JsonObject = { key: key.json };
  if (value !== undefined) out.value = value.json;
  if (min !== 1) out.min = min;
  if (max === UINT_MAX) out.max = 'unlimited';
  else if (max !== 1) out.max = max;
  return { json: out, key, value };
}

function atomicType(json: Json): Atomic {
  if (typeof json !== 'string') throw syntax(json, 'atomic-type expected');
  if (!(ATOMIC as readonly string[]).includes(json)) throw syntax(json, `"${json}" is not an atomic-type`);
  return json as Atomic;
}

function parseBase(json: Json): BaseOut {
  if (typeof json === 'string') return { type: atomicType(json), json, strong: true };
  const p = new ObjectParser(json, 'ovsdb type');
  const typeJson = p.member('type', OP_STRING);
  const err = p.error;
  if (err !== undefined) throw err;
  const type = atomicType(typeJson as Json);
  const out: JsonObject = { type };
  const enumJson = p.member('enum', ANY_JSON | OP_OPTIONAL);
  if (enumJson !== undefined) out.enum = parseEnum(type, enumJson);
  let refTable: string | undefined;
  let strong = true;
  const number = OP_INTEGER | OP_REAL;
  const pair = (lo: string, hi: string, types: number): void => {
    const a = p.member(lo, types | OP_OPTIONAL);
    const b = p.member(hi, types | OP_OPTIONAL);
    if (a !== undefined && b !== undefined && Number(a) > Number(b)) throw syntax(json, `${lo} exceeds ${hi}`);
    if (a !== undefined) out[lo] = a;
    if (b !== undefined) out[hi] = b;
  };
  switch (type) {
    case 'integer':
      pair('minInteger', 'maxInteger', OP_INTEGER);
      break;
    case 'real':
      pair('minReal', 'maxReal', number);
      break;
    case 'string': {
      for (const m of ['minLength', 'maxLength']) {
        const v = p.member(m, OP_INTEGER | OP_OPTIONAL);
        if (v !== undefined && (Number(v) < 0 || Number(v) > UINT_MAX)) {
          throw syntax(v, `${m} out of valid range 0 to ${UINT_MAX}`);
        }
      }
      const lo = (json as JsonObject).minLength;
      const hi = (json as JsonObject).maxLength;
      if (lo !== undefined && hi !== undefined && Number(lo) > Number(hi))
        throw syntax(json, 'minLength exceeds maxLength');
      if (lo !== undefined && Number(lo) !== 0) out.minLength = lo;
      if (hi !== undefined && Number(hi) !== UINT_MAX) out.maxLength = hi;
      break;
    }
    case 'uuid': {
      const rt = p.member('refTable', OP_ID | OP_OPTIONAL);
      if (typeof rt === 'string') {
        refTable = rt;
        out.refTable = rt;
        // Without a refTable, a refType is a member nobody reads: the parser reports it as not allowed.
        const kind = p.member('refType', OP_ID | OP_OPTIONAL);
        if (kind !== undefined) {
          if (kind !== 'strong' && kind !== 'weak') {
            throw syntax(json, `refType must be "strong" or "weak" (not "${kind as string}")`);
          }
          strong = kind === 'strong';
          if (!strong) out.refType = 'weak';
        }
      }
      break;
    }
    default:
      break;
  }
  check(p);
  const constrained = Object.keys(out).length > 1;
  const base: BaseOut = { type, json: constrained ? out : type, strong };
  return refTable === undefined ? base : { ...base, refTable };
}

/** An enum is a set of atoms of the base type; sorted, and a single atom when it has one member. */
function parseEnum(type: Atomic, json: Json): Json {
  const setType = { key: { type }, min: 0, max: Infinity };
  const d = datumFromWire(setType, json) as readonly Atom[];
  const sorted = [...d].sort(compareAtoms);
  if (sorted.length === 1) return datumToWire({ key: { type }, min: 1, max: 1 }, sorted[0] as Atom);
  return datumToWire(setType, sorted);
}
