/**
 * Reading wire rows (RFC 7047 notation, as the stream delivers them) without decoding whole tables: one
 * column's typed datum when a sort or filter needs it, a row's typed form for `find` clauses and conditions,
 * and its text for free-text search and CSV. Each result is cached per row object; rows are immutable, so a
 * new version is a new object and old entries go with the old rows.
 */
import {
  datumFromWire,
  datumText,
  defaultDatum,
  rowFromWire,
  type BaseType,
  type ColumnType,
  type Datum,
  type Row,
  type TableSchema,
  type WireRow,
} from '@ovsdb-web/client/core';

export const UUID_COLUMN: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };

export function uuidOfRow(row: WireRow): string {
  const u = row._uuid;
  return Array.isArray(u) && typeof u[1] === 'string' ? u[1] : '';
}

const safeInteger = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n);

/**
 * Whether rows of `table` (only `columns` of them, when given) may hold an integer beyond ±(2^53 − 1), which
 * `JSON.parse` would round: an integer column whose range (or enum) is not inside that. ovsdb-server keeps
 * every value in its column's range, so a table without one never sends such a number.
 */
export function mayHoldBigIntegers(table: TableSchema, columns?: readonly string[]): boolean {
  const big = (base: BaseType | undefined): boolean => {
    if (base?.type !== 'integer') return false;
    if (base.enum) return !base.enum.every(safeInteger);
    return !safeInteger(base.minInteger) || !safeInteger(base.maxInteger);
  };
  for (const [name, column] of table.columns)
    if ((!columns || columns.includes(name)) && (big(column.type.key) || big(column.type.value))) return true;
  return false;
}

export function columnType(table: TableSchema, column: string): ColumnType | undefined {
  if (column === '_uuid' || column === '_version') return UUID_COLUMN;
  return table.columns.get(column)?.type;
}

/** Per table schema, caches keyed by row object. */
export class RowReader {
  private readonly datums = new Map<string, WeakMap<WireRow, Datum>>();
  private readonly typed = new WeakMap<WireRow, Row>();
  private readonly texts = new WeakMap<WireRow, string>();

  constructor(readonly table: TableSchema) {}

  /** One column as a typed datum; a column the row does not carry reads as its default. */
  datum(row: WireRow, column: string): Datum {
    let cache = this.datums.get(column);
    if (!cache) this.datums.set(column, (cache = new WeakMap()));
    let d = cache.get(row);
    if (d === undefined) {
      const type = columnType(this.table, column);
      if (!type) return [];
      d = this.decode(type, row, column);
      cache.set(row, d);
    }
    return d;
  }

  /**
   * `datum` without remembering the result (the cached one when there is one): for a pass over every row
   * whose results are not needed again, where filling a WeakMap per row would cost more than decoding.
   */
  peekDatum(row: WireRow, column: string): Datum {
    const d = this.datums.get(column)?.get(row);
    if (d !== undefined) return d;
    const type = columnType(this.table, column);
    return type ? this.decode(type, row, column) : [];
  }

  private decode(type: ColumnType, row: WireRow, column: string): Datum {
    const wire = row[column];
    try {
      return wire === undefined ? defaultDatum(type) : datumFromWire(type, wire);
    } catch {
      return defaultDatum(type);
    }
  }

  /** The row with typed values, for conditions and `find` clauses. */
  row(row: WireRow): Row {
    let r = this.typed.get(row);
    if (!r) {
      try {
        r = rowFromWire(this.table, row);
      } catch {
        r = { _uuid: uuidOfRow(row) };
      }
      this.typed.set(row, r);
    }
    return r;
  }

  /** A column's value as ovs-vsctl prints it. */
  text(row: WireRow, column: string): string {
    const type = columnType(this.table, column);
    if (!type) return '';
    return datumText(type, this.datum(row, column));
  }

  /** Lower-case text of the whole row (uuid and every column), for free-text search. */
  searchText(row: WireRow): string {
    let t = this.texts.get(row);
    if (t === undefined) {
      const parts = [uuidOfRow(row)];
      for (const name of this.table.columns.keys()) if (row[name] !== undefined) parts.push(this.text(row, name));
      t = parts.join('\u0000').toLowerCase();
      this.texts.set(row, t);
    }
    return t;
  }
}
