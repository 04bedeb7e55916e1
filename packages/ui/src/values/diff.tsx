/**
 * What changed in a value, as an operator reads it: for a set, the members added and removed; for a map, the
 * keys added, removed and changed; for a single value, old → new. A port added to a 200-port switch shows
 * as one added chip, not two walls of 200.
 */
import type { ReactNode } from 'react';
import { stringifyJson, type ColumnType, type WireAtom, type WireDatum } from '@ovsdb-web/client/core';
import { DatumView, type ValueContext } from './datum.js';

function atoms(w: WireDatum | undefined): WireAtom[] {
  if (w === undefined) return [];
  if (Array.isArray(w) && w[0] === 'set') return w[1];
  if (Array.isArray(w) && w[0] === 'map') return [];
  return [w];
}

function pairs(w: WireDatum | undefined): [WireAtom, WireAtom][] {
  return Array.isArray(w) && w[0] === 'map' ? w[1] : [];
}

const key = (a: WireAtom): string => stringifyJson(a);

export interface DatumDiff {
  added: WireAtom[];
  removed: WireAtom[];
  /** Maps: keys whose value changed, with both values. */
  changed: { key: WireAtom; old: WireAtom; new: WireAtom }[];
  addedPairs: [WireAtom, WireAtom][];
  removedPairs: [WireAtom, WireAtom][];
}

export function diffDatums(type: ColumnType, old: WireDatum | undefined, now: WireDatum | undefined): DatumDiff {
  const d: DatumDiff = { added: [], removed: [], changed: [], addedPairs: [], removedPairs: [] };
  if (type.value !== undefined) {
    const before = new Map(pairs(old).map((p) => [key(p[0]), p]));
    const after = new Map(pairs(now).map((p) => [key(p[0]), p]));
    for (const [k, p] of after) {
      const b = before.get(k);
      if (!b) d.addedPairs.push(p);
      else if (key(b[1]) !== key(p[1])) d.changed.push({ key: p[0], old: b[1], new: p[1] });
    }
    for (const [k, p] of before) if (!after.has(k)) d.removedPairs.push(p);
    return d;
  }
  const before = new Map(atoms(old).map((a) => [key(a), a]));
  const after = new Map(atoms(now).map((a) => [key(a), a]));
  for (const [k, a] of after) if (!before.has(k)) d.added.push(a);
  for (const [k, a] of before) if (!after.has(k)) d.removed.push(a);
  return d;
}

/** A change to one column: single values as old → new, sets and maps as what was added, removed, changed. */
export function ChangeView({
  type,
  old,
  now,
  ctx,
}: {
  type: ColumnType;
  old: WireDatum | undefined;
  now: WireDatum | undefined;
  ctx: ValueContext;
}): ReactNode {
  if (type.max <= 1 && type.value === undefined) {
    return (
      <span className="ow-change-value">
        <span className="ow-old">
          <DatumView type={type} value={old} ctx={ctx} />
        </span>
        <span className="ow-arrow">→</span>
        <span className="ow-new">
          <DatumView type={type} value={now} ctx={ctx} />
        </span>
      </span>
    );
  }
  const d = diffDatums(type, old, now);
  const one: ColumnType = { key: type.key, min: 1, max: 1 };
  const setOf = (as: WireAtom[]): WireDatum => ['set', as];
  const mapOf = (ps: [WireAtom, WireAtom][]): WireDatum => ['map', ps];
  const setType: ColumnType = { ...type, min: 0, max: Infinity };
  return (
    <span className="ow-change-value">
      {d.added.length > 0 && (
        <span className="ow-added" title="added">
          + <DatumView type={setType} value={setOf(d.added)} ctx={ctx} />
        </span>
      )}
      {d.removed.length > 0 && (
        <span className="ow-removed" title="removed">
          − <DatumView type={setType} value={setOf(d.removed)} ctx={ctx} />
        </span>
      )}
      {d.addedPairs.length > 0 && (
        <span className="ow-added" title="added">
          + <DatumView type={setType} value={mapOf(d.addedPairs)} ctx={ctx} />
        </span>
      )}
      {d.removedPairs.length > 0 && (
        <span className="ow-removed" title="removed">
          − <DatumView type={setType} value={mapOf(d.removedPairs)} ctx={ctx} />
        </span>
      )}
      {d.changed.map((c, i) => (
        <span className="ow-changed" key={i}>
          <DatumView type={one} value={c.key} ctx={ctx} />
          <span className="ow-eq">=</span>
          <span className="ow-old">
            <DatumView type={{ key: type.value ?? type.key, min: 1, max: 1 }} value={c.old} ctx={ctx} />
          </span>
          <span className="ow-arrow">→</span>
          <DatumView type={{ key: type.value ?? type.key, min: 1, max: 1 }} value={c.new} ctx={ctx} />
        </span>
      ))}
      {d.added.length + d.removed.length + d.addedPairs.length + d.removedPairs.length + d.changed.length === 0 && (
        <span className="ow-muted">no difference</span>
      )}
    </span>
  );
}
