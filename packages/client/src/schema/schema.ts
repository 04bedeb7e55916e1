/**
 * The database schema model (RFC 7047 §3.2), parsed from the JSON that `get_schema` returns or an
 * `.ovsschema` file holds. Defaults are filled in (min/max 1, mutable, isRoot false, refType strong) so
 * that the rest of the library never has to remember them.
 */
import type { Json, JsonObject } from '../wire/json.js';
import { isJsonObject } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';
export const ATOMIC_TYPES: readonly AtomicType[] = ['integer', 'real', 'boolean', 'string', 'uuid'];

/** The typed value of one atom (see data/value.ts for how each atomic type is represented). */
export type AtomValue = number | bigint | boolean | string;

export interface BaseType {
  readonly type: AtomicType;
  /** Allowed values, already converted to atom values of `type`. */
  readonly enum?: readonly AtomValue[];
  readonly minInteger?: number | bigint;
  readonly maxInteger?: number | bigint;
  readonly minReal?: number;
  readonly maxReal?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly refTable?: string;
  readonly refType?: 'strong' | 'weak';
}

export interface ColumnType {
  readonly key: BaseType;
  readonly value?: BaseType;
  readonly min: number;
  /** `Infinity` for "unlimited". */
  readonly max: number;
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  readonly mutable: boolean;
  readonly ephemeral: boolean;
}

export interface TableSchema {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ColumnSchema>;
  readonly isRoot: boolean;
  readonly maxRows?: number;
  readonly indexes: readonly (readonly string[])[];
}

export interface DatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly cksum?: string;
  readonly tables: ReadonlyMap<string, TableSchema>;
  /** The schema JSON exactly as received, for callers that pass it on (the gateway's schema route). */
  readonly json: JsonObject;
}

/** `_uuid` and `_version` exist in every table though no schema lists them. */
export const UUID_BASE: BaseType = { type: 'uuid' };
export const IMPLICIT_COLUMNS: ReadonlyMap<string, ColumnSchema> = new Map([
  ['_uuid', { name: '_uuid', type: { key: UUID_BASE, min: 1, max: 1 }, mutable: false, ephemeral: false }],
  ['_version', { name: '_version', type: { key: UUID_BASE, min: 1, max: 1 }, mutable: false, ephemeral: false }],
]);

export function isScalar(t: ColumnType): boolean {
  return t.value === undefined && t.min === 1 && t.max === 1;
}
export function isMap(t: ColumnType): boolean {
  return t.value !== undefined;
}
/** ovsdb-server calls a type composite when it may hold more than one element; diffs toggle only those. */
export function isComposite(t: ColumnType): boolean {
  return t.max > 1;
}
export function isOptional(t: ColumnType): boolean {
  return t.value === undefined && t.min === 0 && t.max === 1;
}

/** Look up a column, including `_uuid` and `_version`. */
export function columnOf(table: TableSchema, name: string): ColumnSchema | undefined {
  return table.columns.get(name) ?? IMPLICIT_COLUMNS.get(name);
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

function schemaError(path: string, message: string): OvsdbError {
  return new OvsdbError('syntax error', `${path}: ${message}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function asInteger(v: Json | undefined, path: string): number | bigint {
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw schemaError(path, 'integer out of int64 range');
    return v;
  }
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw schemaError(path, 'expected an integer');
}

function asNumber(v: Json | undefined, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw schemaError(path, 'expected a number');
}

function asCount(v: Json | undefined, path: string): number {
  const n = asInteger(v, path);
  if (typeof n === 'bigint' || n < 0) throw schemaError(path, 'expected a non-negative integer');
  return n;
}

function parseEnumAtom(type: AtomicType, v: Json, path: string): AtomValue {
  switch (type) {
    case 'integer':
      return asInteger(v, path);
    case 'real':
      return asNumber(v, path);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'uuid':
      if (Array.isArray(v) && v[0] === 'uuid' && typeof v[1] === 'string') return v[1];
      break;
  }
  throw schemaError(path, `enum value is not a ${type}`);
}

export function parseBaseType(json: Json, path: string): BaseType {
  if (typeof json === 'string') {
    if (!(ATOMIC_TYPES as readonly string[]).includes(json)) throw schemaError(path, `unknown atomic type "${json}"`);
    return { type: json as AtomicType };
  }
  if (!isJsonObject(json)) throw schemaError(path, 'expected a type name or object');
  const typeName = json.type;
  if (typeof typeName !== 'string' || !(ATOMIC_TYPES as readonly string[]).includes(typeName)) {
    throw schemaError(`${path}.type`, `unknown atomic type ${JSON.stringify(typeName)}`);
  }
  const type = typeName as AtomicType;
  const base: { -readonly [K in keyof BaseType]: BaseType[K] } = { type };
  if (json.enum !== undefined) {
    const e = json.enum;
    // An enum is itself a set: ["set", [...]] or a single atom.
    const items: Json[] = Array.isArray(e) && e[0] === 'set' && Array.isArray(e[1]) ? e[1] : [e];
    base.enum = items.map((item, i) => parseEnumAtom(type, item, `${path}.enum[${i}]`));
  }
  if (type === 'integer') {
    if (json.minInteger !== undefined) base.minInteger = asInteger(json.minInteger, `${path}.minInteger`);
    if (json.maxInteger !== undefined) base.maxInteger = asInteger(json.maxInteger, `${path}.maxInteger`);
  }
  if (type === 'real') {
    if (json.minReal !== undefined) base.minReal = asNumber(json.minReal, `${path}.minReal`);
    if (json.maxReal !== undefined) base.maxReal = asNumber(json.maxReal, `${path}.maxReal`);
  }
  if (type === 'string') {
    if (json.minLength !== undefined) base.minLength = asCount(json.minLength, `${path}.minLength`);
    if (json.maxLength !== undefined) base.maxLength = asCount(json.maxLength, `${path}.maxLength`);
  }
  if (type === 'uuid') {
    if (json.refTable !== undefined) {
      if (typeof json.refTable !== 'string') throw schemaError(`${path}.refTable`, 'expected a table name');
      base.refTable = json.refTable;
      base.refType = 'strong';
    }
    if (json.refType !== undefined) {
      if (json.refType !== 'strong' && json.refType !== 'weak')
        throw schemaError(`${path}.refType`, 'expected "strong" or "weak"');
      if (base.refTable !== undefined) base.refType = json.refType;
    }
  }
  return base;
}

export function parseColumnType(json: Json, path: string): ColumnType {
  if (typeof json === 'string') return { key: parseBaseType(json, path), min: 1, max: 1 };
  if (!isJsonObject(json)) throw schemaError(path, 'expected a type');
  const key = parseBaseType(json.key ?? null, `${path}.key`);
  const value = json.value === undefined ? undefined : parseBaseType(json.value, `${path}.value`);
  const min = json.min === undefined ? 1 : asCount(json.min, `${path}.min`);
  let max: number;
  if (json.max === undefined) max = 1;
  else if (json.max === 'unlimited') max = Infinity;
  else max = asCount(json.max, `${path}.max`);
  if (min > 1) throw schemaError(`${path}.min`, 'min must be 0 or 1');
  if (max < 1 || max < min) throw schemaError(`${path}.max`, 'max must be at least 1 and at least min');
  return value === undefined ? { key, min, max } : { key, value, min, max };
}

export function parseTableSchema(name: string, json: Json, path = `table ${name}`): TableSchema {
  if (!isJsonObject(json)) throw schemaError(path, 'expected an object');
  if (!isJsonObject(json.columns)) throw schemaError(`${path}.columns`, 'expected an object');
  const columns = new Map<string, ColumnSchema>();
  for (const [cname, cjson] of Object.entries(json.columns)) {
    if (cname.startsWith('_')) throw schemaError(`${path}.columns`, `column name "${cname}" is reserved`);
    if (!isJsonObject(cjson)) throw schemaError(`${path}.columns.${cname}`, 'expected an object');
    const type = parseColumnType(cjson.type ?? null, `${path}.columns.${cname}.type`);
    const weak = type.key.refType === 'weak' || type.value?.refType === 'weak';
    // ovsdb-server forces columns with weak references mutable: removing a dangling reference mutates them.
    const mutable = weak ? true : cjson.mutable !== false;
    columns.set(cname, { name: cname, type, mutable, ephemeral: cjson.ephemeral === true });
  }
  const indexes: string[][] = [];
  if (json.indexes !== undefined) {
    if (!Array.isArray(json.indexes)) throw schemaError(`${path}.indexes`, 'expected an array');
    for (const [i, idx] of json.indexes.entries()) {
      if (!Array.isArray(idx) || idx.length === 0 || !idx.every((c) => typeof c === 'string')) {
        throw schemaError(`${path}.indexes[${i}]`, 'expected a non-empty array of column names');
      }
      for (const c of idx) {
        if (!columns.has(c)) throw schemaError(`${path}.indexes[${i}]`, `index refers to unknown column "${c}"`);
      }
      indexes.push(idx);
    }
  }
  const table: { -readonly [K in keyof TableSchema]: TableSchema[K] } = {
    name,
    columns,
    isRoot: json.isRoot === true,
    indexes,
  };
  if (json.maxRows !== undefined) table.maxRows = asCount(json.maxRows, `${path}.maxRows`);
  return table;
}

/** Parse a database schema; throws an `OvsdbError` ("syntax error") naming the offending member. */
export function parseDatabaseSchema(json: Json): DatabaseSchema {
  if (!isJsonObject(json)) throw schemaError('schema', 'expected an object');
  if (typeof json.name !== 'string') throw schemaError('schema.name', 'expected a string');
  if (!isJsonObject(json.tables)) throw schemaError('schema.tables', 'expected an object');
  const tables = new Map<string, TableSchema>();
  for (const [tname, tjson] of Object.entries(json.tables)) tables.set(tname, parseTableSchema(tname, tjson));
  // ovsdb-server treats every table as a root when no table says isRoot (schemas older than the flag),
  // so nothing is garbage-collected in such a database.
  if (tables.size > 0 && ![...tables.values()].some((t) => t.isRoot)) {
    for (const [name, t] of tables) tables.set(name, { ...t, isRoot: true });
  }
  for (const table of tables.values()) {
    for (const col of table.columns.values()) {
      for (const base of [col.type.key, col.type.value]) {
        if (base?.refTable !== undefined && !tables.has(base.refTable)) {
          throw schemaError(
            `table ${table.name}.columns.${col.name}`,
            `refTable "${base.refTable}" is not a table of this schema`,
          );
        }
      }
    }
  }
  const schema: { -readonly [K in keyof DatabaseSchema]: DatabaseSchema[K] } = {
    name: json.name,
    version: typeof json.version === 'string' ? json.version : '',
    tables,
    json,
  };
  if (typeof json.cksum === 'string') schema.cksum = json.cksum;
  return schema;
}

/**
 * A table of a schema, or a clear error naming what is missing. An OvsdbError, not a MisuseError: the
 * transaction builder uses it, and these are ovsdb-server's kind and words for an operation on such a table.
 */
export function tableOf(schema: DatabaseSchema, name: string): TableSchema {
  const t = schema.tables.get(name);
  if (!t) throw new OvsdbError('syntax error', `No table named ${name}.`);
  return t;
}
