/**
 * Rows: a JSON object of column name → wire datum, decoded with the table schema (including `_uuid` and
 * `_version`, which no schema lists).
 */
import type { Json } from '../wire/json.js';
import type { WireRow } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import { IMPLICIT_COLUMNS, type ColumnSchema, type TableSchema } from '../schema/schema.js';
import type { Datum, Row } from './value.js';
import { datumFromWire, datumToWire, defaultDatum, type DatumContext } from './datum.js';
import { syntaxText } from './atom.js';

export interface RowDecodeOptions extends DatumContext {
  /** Give every schema column missing from the wire row its default value (update2 omits defaults). */
  readonly fillDefaults?: boolean;
}

function columnFor(table: TableSchema, name: string, wire: Json): ColumnSchema {
  const col = table.columns.get(name) ?? IMPLICIT_COLUMNS.get(name);
  if (col === undefined)
    throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`, syntaxText(wire));
  return col;
}

/** Decode a row object. Unknown columns are an `unknown column` error, as ovsdb-server reports them. */
export function rowFromWire(table: TableSchema, wire: Json, opts?: RowDecodeOptions): Row {
  if (wire === null || typeof wire !== 'object' || Array.isArray(wire)) {
    throw new OvsdbError('syntax error', `row of table ${table.name} must be a JSON object`, syntaxText(wire));
  }
  const row: Record<string, Datum> = {};
  for (const name in wire) {
    const col = columnFor(table, name, wire);
    row[name] = datumFromWire(col.type, wire[name] as Json, opts);
  }
  if (opts?.fillDefaults === true) {
    for (const col of table.columns.values()) {
      // hasOwn: a column may be called e.g. "constructor", which a plain object inherits.
      if (!Object.hasOwn(row, col.name)) row[col.name] = defaultDatum(col.type);
    }
  }
  return row;
}

/** Encode a typed row (any subset of the table's columns) in wire notation. */
export function rowToWire(table: TableSchema, row: Row): WireRow {
  const out: WireRow = {};
  for (const name of Object.keys(row)) {
    const col = table.columns.get(name) ?? IMPLICIT_COLUMNS.get(name);
    if (col === undefined) throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`);
    out[name] = datumToWire(col.type, row[name] as Datum);
  }
  return out;
}
