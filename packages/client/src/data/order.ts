/**
 * ovsdb-server's total order on datums of one column type (what `select` results, index clashes and our
 * sorted views follow): fewer members first; then members in order, keys before values. Sets and maps are
 * held in canonical order, so comparing member by member is comparing the sorted members.
 */
import { isMapDatum, type Atom, type Datum } from './value.js';
import { compareAtoms } from './atom.js';

export function compareDatums(a: Datum, b: Datum): number {
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return a.size < b.size ? -1 : 1;
    const c = compareLists([...a.keys()], [...b.keys()]);
    return c !== 0 ? c : compareLists([...a.values()], [...b.values()]);
  }
  const la = members(a);
  const lb = members(b);
  if (la.length !== lb.length) return la.length < lb.length ? -1 : 1;
  return compareLists(la, lb);
}

function members(d: Datum): readonly Atom[] {
  if (Array.isArray(d)) return d as readonly Atom[];
  if (isMapDatum(d)) return [...d.keys()];
  return [d as Atom];
}

function compareLists(a: readonly Atom[], b: readonly Atom[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareAtoms(a[i] as Atom, b[i] as Atom);
    if (c !== 0) return c;
  }
  return 0;
}
