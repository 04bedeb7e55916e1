/**
 * Typed ("idiomatic") values, decoded from wire notation with the column's type in hand.
 *
 * | OVSDB            | TypeScript                                                         |
 * |------------------|--------------------------------------------------------------------|
 * | integer          | `number`, or `bigint` when outside ±(2^53-1) (never both for one value) |
 * | real             | `number`                                                           |
 * | boolean          | `boolean`                                                          |
 * | string           | `string`                                                           |
 * | uuid             | `string` (the lower-case UUID text); `NamedUuid` inside a transaction |
 * | scalar column    | the atom (type min = max = 1, no value type)                       |
 * | set column       | `readonly Atom[]` in canonical order, no duplicates (optional too) |
 * | map column       | `ReadonlyMap<Atom, Atom>` iterated in canonical key order          |
 *
 * Canonical order is ovsdb-server's: numbers ascending, false < true, strings by UTF-8 bytes, uuids by text.
 */
import type { AtomValue } from '../schema/schema.js';

/** A reference to a row inserted earlier in the same transaction, by its `uuid-name`. */
export class NamedUuid {
  constructor(readonly name: string) {}
  toString(): string {
    return `named-uuid:${this.name}`;
  }
}
export function namedUuid(name: string): NamedUuid {
  return new NamedUuid(name);
}

export type Atom = AtomValue | NamedUuid;
export type SetDatum = readonly Atom[];
export type MapDatum = ReadonlyMap<Atom, Atom>;
export type Datum = Atom | SetDatum | MapDatum;

export function isSetDatum(d: Datum): d is SetDatum {
  return Array.isArray(d);
}
/** `d instanceof Map`, keeping the atom types (a plain `instanceof Map` narrows to `Map<any, any>`). */
export function isMapDatum(d: Datum): d is MapDatum {
  return d instanceof Map;
}

/** One row: column name → datum. Rows from the cache carry `_uuid` (and `_version` when monitored). */
export type Row = Readonly<Record<string, Datum>>;
