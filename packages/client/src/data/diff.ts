/**
 * update2 "modify" diffs (RFC 7047 extension, ovsdb-server's `ovsdb_datum_diff`/`ovsdb_datum_apply_diff`).
 *
 * Only composite columns (max > 1) are diffed: a set diff is the symmetric difference, a map diff the
 * removed pairs, the added pairs and the new value of each changed key. Scalars and max = 1 columns carry
 * the new value. Both sides are in canonical order, so every operation is one linear merge.
 */
import type { Json } from '../wire/json.js';
import type { WireAtom, WireDatum } from '../wire/notation.js';
import { OvsdbError } from '../wire/errors.js';
import { isComposite, type ColumnType } from '../schema/schema.js';
import type { Atom, Datum, MapDatum, SetDatum } from './value.js';
import { atomEquals, atomToWire, compareAtoms } from './atom.js';
import {
  datumEquals,
  datumFromWire,
  datumToWire,
  EMPTY_MAP,
  EMPTY_SET,
  setToWire,
  type DatumContext,
} from './datum.js';

const UNCHECKED_SIZE: DatumContext = { checkSize: false };

function asSet(d: Datum): SetDatum {
  if (!Array.isArray(d)) throw new OvsdbError('syntax error', 'expected a set datum');
  return d as SetDatum;
}
function asMap(d: Datum): MapDatum {
  if (!(d instanceof Map)) throw new OvsdbError('syntax error', 'expected a map datum');
  return d;
}

/** The symmetric difference of two sorted sets. */
function symmetricDifference(a: SetDatum, b: SetDatum): Atom[] {
  const out: Atom[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Atom;
    const y = b[j] as Atom;
    const c = compareAtoms(x, y);
    if (c < 0) {
      out.push(x);
      i++;
    } else if (c > 0) {
      out.push(y);
      j++;
    } else {
      i++;
      j++;
    }
  }
  while (i < a.length) out.push(a[i++] as Atom);
  while (j < b.length) out.push(b[j++] as Atom);
  return out;
}

/**
 * The update2 diff that turns `old` into `next`, or undefined when they are equal (ovsdb-server then leaves
 * the column out of the "modify" object).
 */
export function diffDatum(type: ColumnType, old: Datum, next: Datum): WireDatum | undefined {
  if (!isComposite(type)) return datumEquals(type, old, next) ? undefined : datumToWire(type, next);
  const valueBase = type.value;
  if (valueBase === undefined) {
    const d = symmetricDifference(asSet(old), asSet(next));
    return d.length === 0 ? undefined : setToWire(type.key, d);
  }
  const pairs: [WireAtom, WireAtom][] = [];
  const ia = asMap(old).entries();
  const ib = asMap(next).entries();
  let ra = ia.next();
  let rb = ib.next();
  while (ra.done !== true || rb.done !== true) {
    let c: number;
    if (ra.done === true) c = 1;
    else if (rb.done === true) c = -1;
    else c = compareAtoms(ra.value[0], rb.value[0]);
    if (c < 0) {
      const [k, v] = ra.value as [Atom, Atom];
      pairs.push([atomToWire(type.key, k), atomToWire(valueBase, v)]);
      ra = ia.next();
    } else if (c > 0) {
      const [k, v] = rb.value as [Atom, Atom];
      pairs.push([atomToWire(type.key, k), atomToWire(valueBase, v)]);
      rb = ib.next();
    } else {
      const [k, va] = ra.value as [Atom, Atom];
      const vb = (rb.value as [Atom, Atom])[1];
      if (!atomEquals(va, vb)) pairs.push([atomToWire(type.key, k), atomToWire(valueBase, vb)]);
      ra = ia.next();
      rb = ib.next();
    }
  }
  return pairs.length === 0 ? undefined : ['map', pairs];
}

// OVS's own wording, typo included, so that logs and tests compare with the server's.
function sizeError(): OvsdbError {
  return new OvsdbError('ovsdb error', 'Datum crated by diff has size error');
}

/**
 * Apply an update2 diff to the old value. Sets toggle each member; maps add absent keys, remove pairs
 * whose value matches and replace the rest; scalars and max = 1 columns take the diff as the new value.
 * The result must satisfy the column's size limits.
 */
export function applyDiff(type: ColumnType, old: Datum, diff: Json): Datum {
  if (!isComposite(type)) return datumFromWire(type, diff);
  const n = type.value === undefined ? applySetDiff(type, asSet(old), diff) : applyMapDiff(type, asMap(old), diff);
  const size = Array.isArray(n) ? n.length : (n as MapDatum).size;
  if (size < type.min || size > type.max) throw sizeError();
  return n;
}

function applySetDiff(type: ColumnType, old: SetDatum, diff: Json): SetDatum {
  const d = asSet(datumFromWire(type, diff, UNCHECKED_SIZE));
  if (d.length === 0) return old;
  const out = symmetricDifference(old, d);
  return out.length === 0 ? EMPTY_SET : out;
}

function applyMapDiff(type: ColumnType, old: MapDatum, diff: Json): MapDatum {
  const d = asMap(datumFromWire(type, diff, UNCHECKED_SIZE));
  if (d.size === 0) return old;
  const out = new Map<Atom, Atom>();
  const ia = old.entries();
  const ib = d.entries();
  let ra = ia.next();
  let rb = ib.next();
  while (ra.done !== true || rb.done !== true) {
    let c: number;
    if (ra.done === true) c = 1;
    else if (rb.done === true) c = -1;
    else c = compareAtoms(ra.value[0], rb.value[0]);
    if (c < 0) {
      const [k, v] = ra.value as [Atom, Atom];
      out.set(k, v);
      ra = ia.next();
    } else if (c > 0) {
      const [k, v] = rb.value as [Atom, Atom];
      out.set(k, v);
      rb = ib.next();
    } else {
      const [k, va] = ra.value as [Atom, Atom];
      const vb = (rb.value as [Atom, Atom])[1];
      if (!atomEquals(va, vb)) out.set(k, vb);
      ra = ia.next();
      rb = ib.next();
    }
  }
  return out.size === 0 ? EMPTY_MAP : out;
}
