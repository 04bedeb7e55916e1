/**
 * Values rendered for their OVSDB type, straight from RFC 7047 notation: atoms as text, a uuid that
 * references a row as that row's name (clickable), sets as chips, maps as `key=value` chips, an empty
 * optional value dimmed, long text elided with the whole of it on hover.
 */
import type { ReactNode } from 'react';
import { atomText, type BaseType, type ColumnType, type WireAtom, type WireDatum } from '@ovsdb-web/client/core';

export interface ValueContext {
  /** Row names by uuid, for references. */
  labels: Readonly<Record<string, string>>;
  /** Follow a reference (absent: references are not links). */
  onRef?: ((table: string, uuid: string) => void) | undefined;
}

export function shortUuid(uuid: string): string {
  return uuid.slice(0, 8);
}

function atomValue(a: WireAtom): string | number | bigint | boolean {
  return Array.isArray(a) ? a[1] : a;
}

/** An atom as ovs-vsctl would print it, for titles and copying. */
export function wireAtomText(base: BaseType, a: WireAtom): string {
  const v = atomValue(a);
  return typeof v === 'string' && base.type !== 'string' ? v : atomText(base, v);
}

function members(w: WireDatum | undefined): WireAtom[] | [WireAtom, WireAtom][] {
  if (w === undefined) return [];
  if (Array.isArray(w) && w[0] === 'set') return w[1];
  if (Array.isArray(w) && w[0] === 'map') return w[1];
  return [w];
}

/** The whole value as text, as ovs-vsctl prints it (for titles, copy and CSV). */
export function datumTitle(type: ColumnType, w: WireDatum | undefined): string {
  const isMap = type.value !== undefined;
  const parts = isMap
    ? (members(w) as [WireAtom, WireAtom][]).map(
        ([k, v]) => `${wireAtomText(type.key, k)}=${wireAtomText(type.value ?? type.key, v)}`,
      )
    : (members(w) as WireAtom[]).map((a) => wireAtomText(type.key, a));
  const text = parts.join(', ');
  if (type.max <= 1 && parts.length > 0) return text;
  return isMap ? `{${text}}` : `[${text}]`;
}

export function isEmptyDatum(w: WireDatum | undefined): boolean {
  return w === undefined || (Array.isArray(w) && (w[0] === 'set' || w[0] === 'map') && w[1].length === 0);
}

/** What an empty value shows: `{}` for a map, `[]` for a set, `—` for an absent optional value. */
export function emptyDatumText(type: ColumnType): string {
  return type.value ? '{}' : type.max > 1 ? '[]' : '—';
}

function AtomView({ base, atom, ctx }: { base: BaseType; atom: WireAtom; ctx: ValueContext }): ReactNode {
  const v = atomValue(atom);
  if (base.type === 'uuid' && typeof v === 'string') {
    const label = ctx.labels[v];
    const text = label ?? shortUuid(v);
    const ref = base.refTable;
    if (ref && ctx.onRef) {
      const onRef = ctx.onRef;
      return (
        <a
          className={`ow-ref${label ? '' : ' ow-ref-uuid'}`}
          href="#"
          title={`${ref} ${v}`}
          onClick={(e) => {
            e.preventDefault();
            e.stopPropagation();
            onRef(ref, v);
          }}
        >
          {text}
        </a>
      );
    }
    return (
      <span className={label ? 'ow-uuid-label' : 'ow-uuid'} title={v}>
        {text}
      </span>
    );
  }
  const plain = plainAtom(base, atom);
  return plain ? <span className={plain.cls}>{plain.text}</span> : <span className="ow-empty">""</span>;
}

/**
 * A plain atom (not a reference, not the empty string) as a class and its text, so the chip or cell that holds
 * it carries both: one element per value instead of two. A grid row shows a few dozen values, and every
 * element is style, layout and paint work on each scroll step.
 */
function plainAtom(base: BaseType, atom: WireAtom): { cls: string; text: string } | undefined {
  const v = atomValue(atom);
  if (base.type === 'uuid' && typeof v === 'string') return undefined;
  if (typeof v === 'boolean') return { cls: `ow-bool-${String(v)}`, text: String(v) };
  if (typeof v === 'number' || typeof v === 'bigint')
    return { cls: 'ow-num', text: base.type === 'real' ? atomText(base, v) : String(v) };
  return v === '' ? undefined : { cls: 'ow-str', text: v };
}

/**
 * A datum in a cell (one line; chips clip at the cell's edge) or in a detail view (`block`: chips wrap).
 * `title` on the outer element carries the whole value.
 */
export function DatumView({
  type,
  value,
  ctx,
  block = false,
  titled = true,
}: {
  type: ColumnType;
  value: WireDatum | undefined;
  ctx: ValueContext;
  block?: boolean;
  /** False where the holder sets the title itself when the pointer is over it (the grid, see GridRowView). */
  titled?: boolean;
}): ReactNode {
  if (isEmptyDatum(value)) return <span className="ow-empty">{emptyDatumText(type)}</span>;
  const cls = block ? 'ow-datum ow-datum-block' : 'ow-datum';
  const title = titled ? datumTitle(type, value) : undefined;
  if (type.value !== undefined) {
    const pairs = members(value) as [WireAtom, WireAtom][];
    const valueBase = type.value;
    return (
      <span className={cls} title={title}>
        {!block && pairs.length > 2 && <span className="ow-count-chip">{pairs.length}</span>}
        {pairs.map(([k, v], i) => {
          const pk = plainAtom(type.key, k);
          const pv = plainAtom(valueBase, v);
          return (
            <span className={pv ? `ow-chip ow-pair ${pv.cls}` : 'ow-chip ow-pair'} key={i}>
              <span className="ow-key">{pk ? pk.text : <AtomView base={type.key} atom={k} ctx={ctx} />}</span>=
              {pv ? pv.text : <AtomView base={valueBase} atom={v} ctx={ctx} />}
            </span>
          );
        })}
      </span>
    );
  }
  const atoms = members(value) as WireAtom[];
  // In a one-line cell a long set is clipped: say up front how many there are.
  const count = !block && atoms.length > 2 ? <span className="ow-count-chip">{atoms.length}</span> : null;
  if (type.max <= 1) {
    const atom = atoms[0] as WireAtom;
    const plain = plainAtom(type.key, atom);
    return plain ? (
      <span className={`${cls} ow-scalar ${plain.cls}`} title={title}>
        {plain.text}
      </span>
    ) : (
      <span className={`${cls} ow-scalar`} title={title}>
        <AtomView base={type.key} atom={atom} ctx={ctx} />
      </span>
    );
  }
  return (
    <span className={cls} title={title}>
      {count}
      {atoms.map((a, i) => {
        const plain = plainAtom(type.key, a);
        return plain ? (
          <span className={`ow-chip ${plain.cls}`} key={i}>
            {plain.text}
          </span>
        ) : (
          <span className="ow-chip" key={i}>
            <AtomView base={type.key} atom={a} ctx={ctx} />
          </span>
        );
      })}
    </span>
  );
}

/** A column type in the notation of the schema documentation: `set of 0 or more strings`, `map string → uuid`. */
export function typeText(type: ColumnType): string {
  const base = (b: BaseType): string => {
    return b.refTable ? `${b.type} → ${b.refTable}${b.refType === 'weak' ? ' (weak)' : ''}` : b.type;
  };
  if (type.value)
    return `map ${base(type.key)} → ${base(type.value)}${type.max === Infinity ? '' : `, at most ${type.max}`}`;
  if (type.min === 1 && type.max === 1) return base(type.key);
  if (type.min === 0 && type.max === 1) return `optional ${base(type.key)}`;
  return `set of ${type.min}${type.max === Infinity ? ' or more' : `..${type.max}`} ${base(type.key)}`;
}

/** Constraints of a base type in words: ranges, lengths, enums. */
export function constraintText(b: BaseType): string[] {
  const out: string[] = [];
  if (b.enum) out.push(`one of ${b.enum.map((e) => (typeof e === 'string' ? e : String(e))).join(', ')}`);
  if (b.minInteger !== undefined || b.maxInteger !== undefined)
    out.push(`${b.minInteger ?? '−∞'} to ${b.maxInteger ?? '∞'}`);
  if (b.minReal !== undefined || b.maxReal !== undefined) out.push(`${b.minReal ?? '−∞'} to ${b.maxReal ?? '∞'}`);
  if (b.minLength !== undefined || b.maxLength !== undefined)
    out.push(`length ${b.minLength ?? 0} to ${b.maxLength ?? '∞'}`);
  return out;
}
