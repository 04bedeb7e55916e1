/**
 * Canonical string keys for datums, so index lookups are plain `Map` gets. Two datums of one column type
 * get the same key exactly when `datumEquals` holds (sets and maps are already in canonical order).
 */
import type { Atom, Datum } from './value.js';
import { NamedUuid, isMapDatum } from './value.js';

function atomKey(a: Atom): string {
  switch (typeof a) {
    case 'string':
      return JSON.stringify(a);
    case 'number':
      // -0 and 0 are one value in OVSDB.
      return a === 0 ? '0' : String(a);
    case 'bigint':
      return a.toString();
    case 'boolean':
      return a ? 'true' : 'false';
    default:
      return a instanceof NamedUuid ? `@${a.name}` : String(a);
  }
}

export function datumKey(d: Datum): string {
  if (isMapDatum(d)) {
    let s = '{';
    for (const [k, v] of d) s += `${atomKey(k)}:${atomKey(v)},`;
    return `${s}}`;
  }
  if (Array.isArray(d)) {
    let s = '[';
    for (const a of d as readonly Atom[]) s += `${atomKey(a)},`;
    return `${s}]`;
  }
  return atomKey(d as Atom);
}

/** The key of several columns' datums together (a multi-column index). */
export function compositeKey(datums: readonly Datum[]): string {
  if (datums.length === 1) return datumKey(datums[0] as Datum);
  return datums.map(datumKey).join('|');
}
