/**
 * Editors for OVSDB values, one per column type, working in RFC 7047 notation: a scalar as an input (a
 * select for enums and booleans, a picker for references), an optional value that can be left unset, a set
 * as chips with an "add" box, a map as key = value rows. Each field is labelled with its column name and
 * shows its error (judged by the caller) under it.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { BaseType, ColumnType, WireAtom, WireDatum } from '@ovsdb-web/client/core';
import { constraintText, shortUuid, typeText } from '../values/datum.js';

export interface RefOption {
  uuid: string;
  label?: string | undefined;
}

/** Finds rows of `table` to pick from, by (part of) their name or uuid. */
export type RefSearch = (table: string, query: string) => Promise<RefOption[]>;

function atoms(w: WireDatum | undefined): WireAtom[] {
  if (w === undefined) return [];
  if (Array.isArray(w) && w[0] === 'set') return w[1];
  if (Array.isArray(w) && w[0] === 'map') return [];
  return [w];
}

function pairs(w: WireDatum | undefined): [WireAtom, WireAtom][] {
  return Array.isArray(w) && w[0] === 'map' ? w[1] : [];
}

/** Text typed for an atom → the atom in wire notation (numbers stay text when they are not numbers, for the validator to name). */
export function atomFromText(base: BaseType, text: string): WireAtom {
  switch (base.type) {
    case 'integer': {
      const t = text.trim();
      if (!/^-?\d+$/.test(t)) return text;
      const n = Number(t);
      return Number.isSafeInteger(n) ? n : BigInt(t);
    }
    case 'real': {
      const n = Number(text.trim());
      return text.trim() === '' || Number.isNaN(n) ? text : n;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'uuid':
      return ['uuid', text.trim()];
    default:
      return text;
  }
}

export function atomToText(a: WireAtom | undefined): string {
  if (a === undefined) return '';
  if (Array.isArray(a)) return a[1];
  return String(a);
}

/** What a scalar column holds when the form leaves it alone (shown as a hint, never sent). */
function defaultHint(base: BaseType): string | undefined {
  if (base.enum) return base.enum.map(String).includes('') ? '""' : undefined;
  if (base.type === 'boolean') return 'false';
  if (base.type === 'integer' || base.type === 'real') {
    const min = base.type === 'integer' ? base.minInteger : base.minReal;
    const max = base.type === 'integer' ? base.maxInteger : base.maxReal;
    return (min === undefined || Number(min) <= 0) && (max === undefined || Number(max) >= 0) ? '0' : undefined;
  }
  if (base.type === 'string') return (base.minLength ?? 0) === 0 ? 'empty' : undefined;
  return undefined;
}

function AtomInput({
  id,
  base,
  value,
  onChange,
  refSearch,
  labels,
  multiline,
  required,
}: {
  id: string;
  base: BaseType;
  value: WireAtom | undefined;
  onChange: (a: WireAtom | undefined) => void;
  refSearch: RefSearch | undefined;
  labels: Readonly<Record<string, string>>;
  multiline?: boolean;
  required: boolean;
}): ReactNode {
  const hint = required ? defaultHint(base) : undefined;
  if (base.type === 'uuid' && base.refTable !== undefined && refSearch) {
    return (
      <RefPicker
        id={id}
        table={base.refTable}
        value={value === undefined ? undefined : atomToText(value)}
        labels={labels}
        search={refSearch}
        onChange={(u) => onChange(u === undefined ? undefined : ['uuid', u])}
      />
    );
  }
  if (base.enum || base.type === 'boolean') {
    const options = base.enum ? base.enum.map((e) => String(e)) : ['true', 'false'];
    return (
      <select
        id={id}
        className="ow-input ow-select"
        value={value === undefined ? '' : atomToText(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : atomFromText(base, e.target.value))}
      >
        {(!required || value === undefined) && (
          <option value="">{!required ? '(unset)' : hint !== undefined ? `(default: ${hint})` : 'choose…'}</option>
        )}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  const text = value === undefined ? '' : atomToText(value);
  const common = {
    id,
    className: 'ow-input ow-field-input',
    value: text,
    spellCheck: false,
    placeholder: !required ? '(unset)' : hint !== undefined ? `default: ${hint}` : '',
    onChange: (e: { target: { value: string } }) =>
      onChange(e.target.value === '' && !required ? undefined : atomFromText(base, e.target.value)),
  };
  if (multiline) return <textarea {...common} rows={3} />;
  return (
    <input
      {...common}
      type="text"
      inputMode={base.type === 'integer' || base.type === 'real' ? 'numeric' : undefined}
    />
  );
}

/** Choose a row by name: type part of it, pick from the matches. */
export function RefPicker({
  id,
  table,
  value,
  labels,
  search,
  onChange,
  placeholder,
}: {
  id: string;
  table: string;
  value: string | undefined;
  labels: Readonly<Record<string, string>>;
  search: RefSearch;
  onChange: (uuid: string | undefined) => void;
  placeholder?: string;
}): ReactNode {
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<RefOption[]>([]);
  const [at, setAt] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    let live = true;
    const t = setTimeout(() => {
      void search(table, query).then((o) => {
        if (live) {
          setOptions(o);
          setAt(0);
        }
      });
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [open, query, table, search]);
  const pick = (o: RefOption | undefined): void => {
    if (!o) return;
    onChange(o.uuid);
    setOpen(false);
    setQuery('');
  };
  const shown = value === undefined ? '' : (labels[value] ?? shortUuid(value));
  return (
    <div className="ow-refpicker" ref={box} onBlur={(e) => !box.current?.contains(e.relatedTarget) && setOpen(false)}>
      <input
        id={id}
        className="ow-input ow-field-input"
        role="combobox"
        aria-expanded={open}
        aria-autocomplete="list"
        placeholder={placeholder ?? `search ${table} by name…`}
        value={open ? query : shown}
        onFocus={() => setOpen(true)}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setAt((a) => Math.min(options.length - 1, a + 1));
          else if (e.key === 'ArrowUp') setAt((a) => Math.max(0, a - 1));
          else if (e.key === 'Enter') pick(options[at]);
          else if (e.key === 'Escape') setOpen(false);
          else return;
          e.preventDefault();
        }}
      />
      {open && (
        <ul className="ow-ref-options" role="listbox" aria-label={`${table} rows`}>
          {options.map((o, i) => (
            <li
              key={o.uuid}
              role="option"
              aria-selected={i === at}
              className={i === at ? 'ow-active' : ''}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(o)}
            >
              <span>{o.label ?? shortUuid(o.uuid)}</span>
              <span className="ow-muted ow-mono-small">{shortUuid(o.uuid)}</span>
            </li>
          ))}
          {options.length === 0 && <li className="ow-muted">No {table} row matches</li>}
        </ul>
      )}
    </div>
  );
}

function SetEditor({
  id,
  type,
  value,
  onChange,
  refSearch,
  labels,
}: {
  id: string;
  type: ColumnType;
  value: WireDatum | undefined;
  onChange: (w: WireDatum) => void;
  refSearch: RefSearch | undefined;
  labels: Readonly<Record<string, string>>;
}): ReactNode {
  const list = atoms(value);
  const [draft, setDraft] = useState('');
  const add = (a: WireAtom): void => {
    if (list.some((x) => JSON.stringify(x) === JSON.stringify(a))) return;
    onChange(['set', [...list, a]]);
  };
  const refTable = type.key.type === 'uuid' ? type.key.refTable : undefined;
  return (
    <div className="ow-set-editor">
      <div className="ow-chips">
        {list.map((a, i) => {
          const text = type.key.type === 'uuid' && Array.isArray(a) ? (labels[a[1]] ?? shortUuid(a[1])) : atomToText(a);
          return (
            <span className="ow-chip ow-chip-edit" key={i}>
              {text}
              <button
                type="button"
                aria-label={`Remove ${text}`}
                onClick={() => onChange(['set', list.filter((_, j) => j !== i)])}
              >
                ×
              </button>
            </span>
          );
        })}
        {list.length === 0 && <span className="ow-empty">empty</span>}
      </div>
      {refTable !== undefined && refSearch ? (
        <RefPicker
          id={id}
          table={refTable}
          value={undefined}
          labels={labels}
          search={refSearch}
          onChange={(u) => u && add(['uuid', u])}
          placeholder={`add a ${refTable}…`}
        />
      ) : (
        <input
          id={id}
          className="ow-input ow-field-input"
          placeholder="add a value, Enter"
          value={draft}
          spellCheck={false}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' || draft === '') return;
            e.preventDefault();
            add(atomFromText(type.key, draft));
            setDraft('');
          }}
        />
      )}
    </div>
  );
}

function MapEditor({
  id,
  type,
  value,
  onChange,
}: {
  id: string;
  type: ColumnType;
  value: WireDatum | undefined;
  onChange: (w: WireDatum) => void;
}): ReactNode {
  const list = pairs(value);
  const valueBase = type.value ?? type.key;
  const set = (i: number, k: string | undefined, v: string | undefined): void => {
    const next = list.map((p, j) =>
      j === i
        ? ([
            k === undefined ? p[0] : atomFromText(type.key, k),
            v === undefined ? p[1] : atomFromText(valueBase, v),
          ] as [WireAtom, WireAtom])
        : p,
    );
    onChange(['map', next]);
  };
  return (
    <div className="ow-map-editor">
      {list.map(([k, v], i) => (
        <div className="ow-map-row" key={i}>
          <input
            className="ow-input ow-map-key"
            aria-label={`key ${i + 1}`}
            value={atomToText(k)}
            spellCheck={false}
            onChange={(e) => set(i, e.target.value, undefined)}
          />
          <span className="ow-eq">=</span>
          <input
            className="ow-input ow-map-value"
            aria-label={`value of ${atomToText(k)}`}
            value={atomToText(v)}
            spellCheck={false}
            onChange={(e) => set(i, undefined, e.target.value)}
          />
          <button
            type="button"
            className="ow-icon-button"
            aria-label={`Remove key ${atomToText(k)}`}
            onClick={() => onChange(['map', list.filter((_, j) => j !== i)])}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        id={id}
        className="ow-link-button"
        onClick={() => onChange(['map', [...list, [atomFromText(type.key, ''), atomFromText(valueBase, '')]]])}
      >
        + add key
      </button>
    </div>
  );
}

export interface FieldProps {
  column: string;
  type: ColumnType;
  value: WireDatum | undefined;
  onChange: (value: WireDatum | undefined) => void;
  error: string | undefined;
  /** Changed from the row as read (shown). */
  changed: boolean;
  readOnly: boolean;
  readOnlyReason?: string | undefined;
  /** Marked with an asterisk: a value the server would refuse to default (an enum without "", a reference, a key column). */
  required?: boolean | undefined;
  refSearch?: RefSearch | undefined;
  labels: Readonly<Record<string, string>>;
  /** An editor of the caller's in place of the one for the type (e.g. the OVN match editor). */
  editor?: ((id: string) => ReactNode) | undefined;
  /** Advice that does not block (shown under the field). */
  warnings?: readonly string[] | undefined;
}

/** One column of a form: label (the column name), its type, the editor and its error. */
export function Field(props: FieldProps): ReactNode {
  const id = useId();
  const { type, value } = props;
  const scalar = type.max <= 1 && type.value === undefined;
  const isScalarRequired = type.min >= 1 && scalar;
  const required = props.required ?? isScalarRequired;
  const constraints = [
    ...constraintText(type.key),
    ...(type.value ? constraintText(type.value).map((c) => `value ${c}`) : []),
  ];
  let editor: ReactNode;
  if (props.editor && !props.readOnly) {
    editor = props.editor(id);
  } else if (props.readOnly) {
    editor = (
      <span className="ow-readonly-value">
        {value === undefined ? '—' : scalar ? atomToText(atoms(value)[0]) : JSON.stringify(value)}
      </span>
    );
  } else if (type.value !== undefined) {
    editor = <MapEditor id={id} type={type} value={value} onChange={props.onChange} />;
  } else if (!scalar) {
    editor = (
      <SetEditor
        id={id}
        type={type}
        value={value}
        onChange={props.onChange}
        refSearch={props.refSearch}
        labels={props.labels}
      />
    );
  } else {
    editor = (
      <AtomInput
        id={id}
        base={type.key}
        value={atoms(value)[0]}
        required={isScalarRequired}
        multiline={props.column === 'match'}
        refSearch={props.refSearch}
        labels={props.labels}
        onChange={(a) =>
          props.onChange(
            a === undefined ? (isScalarRequired ? undefined : ['set', []]) : isScalarRequired ? a : ['set', [a]],
          )
        }
      />
    );
  }
  const labelId = `${id}-label`;
  return (
    <div
      className={`ow-form-field${props.error ? ' ow-form-bad' : ''}${props.changed ? ' ow-form-changed' : ''}`}
      role={scalar ? undefined : 'group'}
      aria-labelledby={scalar ? undefined : labelId}
    >
      <div className="ow-form-label">
        <label id={labelId} htmlFor={scalar && !props.readOnly ? id : undefined} className="ow-field-name">
          {props.column}
        </label>
        {required && !props.readOnly && (
          <span className="ow-required" title="required" aria-hidden="true">
            *
          </span>
        )}
        <span className="ow-field-type" title={constraints.join('; ')}>
          {typeText(type)}
          {constraints.length > 0 && ` · ${constraints.join('; ')}`}
          {props.readOnly && props.readOnlyReason ? ` · ${props.readOnlyReason}` : ''}
        </span>
      </div>
      {editor}
      {props.error && (
        <div className="ow-form-error" role="alert">
          {props.error}
        </div>
      )}
      {props.warnings?.map((w, i) => (
        <div key={i} className="ow-form-warning">
          {w}
        </div>
      ))}
    </div>
  );
}
