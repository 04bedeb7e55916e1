/**
 * Wire encoding on the server side: rows and datums as ovsdb-server sends them, and the compact sorted-key
 * JSON it quotes in error `syntax` members (the text forms inside error details are the client's `datumText`).
 *
 * Encoding a row is the hot path of an initial monitor reply, so each committed row's encoding is computed
 * once and kept beside the (immutable) row object until the row is replaced.
 */
import {
  datumToWire,
  formatReal,
  isDefaultDatum,
  parseJson,
  type ColumnSchema,
  type ColumnType,
  type Datum,
  type Json,
  type Row,
  type WireDatum,
  type WireRow,
} from '@ovsdb-web/client';
import type { TableStore } from './database.js';

/**
 * Compact JSON with object keys sorted and numbers printed as ovsdb-server prints them (reals, and
 * integers too large for int64, with 15 significant digits), the way it quotes a value in an error's
 * `syntax` member.
 */
export function sortedJsonText(json: Json): string {
  if (json === null) return 'null';
  switch (typeof json) {
    case 'string':
      return JSON.stringify(json);
    case 'boolean':
      return json ? 'true' : 'false';
    case 'bigint':
      return json >= -(2n ** 63n) && json < 2n ** 63n ? json.toString() : formatReal(Number(json));
    case 'number':
      if (Number.isInteger(json) && Math.abs(json) < 2 ** 63)
        return Number.isSafeInteger(json) ? String(json) : BigInt(json).toString();
      return formatReal(json);
    default:
      break;
  }
  if (Array.isArray(json)) return `[${json.map(sortedJsonText).join(',')}]`;
  const keys = Object.keys(json).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJsonText(json[k] as Json)}`).join(',')}}`;
}

/** Re-render a `syntax` text made by the data layer (plain JSON) the way ovsdb-server would print it. */
export function ovsSyntaxText(text: string): string {
  try {
    return sortedJsonText(parseJson(text));
  } catch {
    return text;
  }
}

// ovsdb-server prints reals with 15 significant digits; sending the same digits keeps our values identical
// to its values once parsed (a stored 0.1 + 0.2 is sent as 0.3 by both).
function roundReal(x: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(15)) : x;
}

function roundWire(w: WireDatum): WireDatum {
  if (typeof w === 'number') return roundReal(w);
  if (Array.isArray(w) && w[0] === 'set') return ['set', (w[1] as WireDatum[]).map((a) => roundWire(a))] as WireDatum;
  if (Array.isArray(w) && w[0] === 'map') {
    return ['map', (w[1] as [WireDatum, WireDatum][]).map(([k, v]) => [roundWire(k), roundWire(v)])] as WireDatum;
  }
  return w;
}

function hasReal(type: ColumnType): boolean {
  return type.key.type === 'real' || type.value?.type === 'real';
}

/** A datum in wire notation, exactly as ovsdb-server sends it. */
export function encodeDatum(type: ColumnType, d: Datum): WireDatum {
  const w = datumToWire(type, d);
  return hasReal(type) ? roundWire(w) : w;
}

/** Encode an update2 diff (already wire notation from `diffDatum`) with reals as the server sends them. */
export function encodeDiff(type: ColumnType, w: WireDatum): WireDatum {
  return hasReal(type) ? roundWire(w) : w;
}

const UUID_TYPE: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };
const encoded = new WeakMap<Row, WireRow>();

/**
 * `_uuid`, `_version` and every column that does not hold its default value, encoded once per row
 * version. update2 `initial`/`insert` send exactly the non-default columns; other forms start from this.
 */
export function encodeRow(table: TableStore, row: Row): WireRow {
  let w = encoded.get(row);
  if (w !== undefined) return w;
  w = {};
  w._uuid = encodeDatum(UUID_TYPE, row._uuid as Datum);
  w._version = encodeDatum(UUID_TYPE, row._version as Datum);
  for (const col of table.columns) {
    const d = row[col.name] as Datum;
    if (d === table.defaults[col.name] || isDefaultDatum(col.type, d)) continue;
    w[col.name] = encodeDatum(col.type, d);
  }
  encoded.set(row, w);
  return w;
}

const defaultWire = new WeakMap<ColumnSchema, WireDatum>();

function defaultOf(table: TableStore, col: ColumnSchema): WireDatum {
  let w = defaultWire.get(col);
  if (w === undefined) defaultWire.set(col, (w = encodeDatum(col.type, table.defaults[col.name] as Datum)));
  return w;
}

/** The given columns of a row; default-valued ones are left out unless `withDefaults`. */
export function pickColumns(
  table: TableStore,
  row: Row,
  columns: readonly ColumnSchema[],
  withDefaults: boolean,
): WireRow {
  const all = encodeRow(table, row);
  const out: WireRow = {};
  for (const col of columns) {
    const w = all[col.name];
    if (w !== undefined) out[col.name] = w;
    else if (withDefaults) out[col.name] = defaultOf(table, col);
  }
  return out;
}
