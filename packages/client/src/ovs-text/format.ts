/**
 * OVSDB values in the text notation that ovsdb-server uses in error details and that ovs-vsctl, ovn-nbctl
 * and `ovsdb-client` print and accept: `1`, `lsp1`, `"a b"`, `[a, b]`, `{k=v}`, `[]`. A scalar column prints
 * its atom alone; a set or map prints brackets whenever it may hold more than one member or is empty.
 */
import type { ColumnType } from '../schema/schema.js';
import { isMapDatum, type Atom, type Datum } from '../data/value.js';
import { atomToString, formatReal, stringNeedsQuotes } from '../data/atom.js';

/** One atom as text; reals as ovsdb-server prints them (`%.15g`). */
export function atomText(type: ColumnType['key'], a: Atom): string {
  if (typeof a === 'string') return stringNeedsQuotes(a) ? JSON.stringify(a) : a;
  return type.type === 'real' && typeof a === 'number' ? formatReal(a) : atomToString(a);
}

export function datumText(type: ColumnType, d: Datum): string {
  let parts: string[];
  let n: number;
  if (isMapDatum(d)) {
    const valueType = type.value ?? type.key;
    parts = [...d].map(([k, v]) => `${atomText(type.key, k)}=${atomText(valueType, v)}`);
    n = d.size;
  } else if (Array.isArray(d)) {
    parts = (d as readonly Atom[]).map((a) => atomText(type.key, a));
    n = d.length;
  } else {
    parts = [atomText(type.key, d as Atom)];
    n = 1;
  }
  const text = parts.join(', ');
  if (type.max <= 1 && n > 0) return text;
  return type.value !== undefined ? `{${text}}` : `[${text}]`;
}
