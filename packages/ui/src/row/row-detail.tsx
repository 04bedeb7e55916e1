/**
 * One row in full: every column with its type and value, the references it holds (followed to the target
 * row by name) and the rows that reference it, its recent versions with per-column differences, and
 * commands that show the same row from a shell.
 */
import { useState, type ReactNode } from 'react';
import type { TableSchema, WireRow } from '@ovsdb-web/client/core';
import { DatumView, datumTitle, typeText, type ValueContext } from '../values/datum.js';
import { ChangeView } from '../values/diff.js';

export interface DetailReference {
  column: string;
  in?: 'key' | 'value';
  table: string;
  uuid: string;
  label?: string;
  exists: boolean;
  refType: 'strong' | 'weak';
}

export interface DetailVersion {
  seq: number;
  time?: number;
  kind: 'initial' | 'insert' | 'modify' | 'delete';
  row?: WireRow;
  columns?: string[];
}

export interface RowDetailProps {
  table: TableSchema;
  uuid: string;
  row: WireRow | undefined;
  /** The row was deleted while shown. */
  deleted: boolean;
  ctx: ValueContext;
  /** Columns changed by the last update, flashed; `changedAt` restarts the flash. */
  changed?: readonly string[] | undefined;
  changedAt?: number;
  outgoing?: readonly DetailReference[] | undefined;
  incoming?: readonly DetailReference[] | undefined;
  history?: readonly DetailVersion[] | undefined;
  /** Commands that show this row (label → text). */
  commands: readonly { label: string; text: string }[];
  onCopy: (text: string, what: string) => void;
  onClose: () => void;
  /** Extra actions (edit, delete) placed in the header. */
  actions?: ReactNode;
  /** More tabs after the built-in ones (e.g. an OVN switch's ACLs). */
  tabs?: readonly { id: string; title: string; content: ReactNode }[] | undefined;
}

function RefList({
  refs,
  ctx,
  empty,
}: {
  refs: readonly DetailReference[] | undefined;
  ctx: ValueContext;
  empty: string;
}): ReactNode {
  if (refs === undefined) return <p className="ow-muted">Loading…</p>;
  if (refs.length === 0) return <p className="ow-muted">{empty}</p>;
  return (
    <ul className="ow-ref-list">
      {refs.map((r, i) => (
        <li key={`${r.table}/${r.uuid}/${r.column}/${i}`}>
          <span className="ow-ref-col">
            {r.column}
            {r.in ? ` (${r.in})` : ''}
          </span>
          <span className="ow-ref-arrow">{r.refType === 'weak' ? '⇢' : '→'}</span>
          <span className="ow-ref-table">{r.table}</span>
          {r.exists && ctx.onRef ? (
            <a
              href="#"
              className="ow-ref"
              title={r.uuid}
              onClick={(e) => {
                e.preventDefault();
                ctx.onRef?.(r.table, r.uuid);
              }}
            >
              {r.label ?? r.uuid.slice(0, 8)}
            </a>
          ) : (
            <span className={r.exists ? 'ow-ref' : 'ow-dangling'} title={r.uuid}>
              {r.label ?? r.uuid.slice(0, 8)}
              {!r.exists && ' (missing)'}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function when(t: number | undefined): string {
  if (t === undefined) return 'before the retained history';
  const d = new Date(t);
  return d.toLocaleTimeString(undefined, { hour12: false }) + `.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function History({
  table,
  versions,
  ctx,
}: {
  table: TableSchema;
  versions: readonly DetailVersion[] | undefined;
  ctx: ValueContext;
}): ReactNode {
  if (versions === undefined) return <p className="ow-muted">Loading…</p>;
  if (versions.length <= 1)
    return <p className="ow-muted">No change to this row among the updates the gateway retains.</p>;
  const items: ReactNode[] = [];
  for (let i = versions.length - 1; i >= 1; i--) {
    const v = versions[i] as DetailVersion;
    const before = (versions[i - 1] as DetailVersion).row;
    const cols = v.kind === 'modify' ? (v.columns ?? []).filter((c) => c !== '_version') : [];
    items.push(
      <li key={v.seq} className="ow-version">
        <div className="ow-version-head">
          <span className={`ow-kind ow-kind-${v.kind}`}>{v.kind}</span>
          <span className="ow-muted">{when(v.time)}</span>
          <span className="ow-muted">batch {v.seq}</span>
        </div>
        {cols.length > 0 && (
          <table className="ow-diff">
            <tbody>
              {cols.map((c) => {
                const type = table.columns.get(c)?.type;
                if (!type) return null;
                return (
                  <tr key={c}>
                    <th>{c}</th>
                    <td>
                      <ChangeView type={type} old={before?.[c]} now={v.row?.[c]} ctx={ctx} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </li>,
    );
  }
  return <ol className="ow-history">{items}</ol>;
}

export function RowDetail(props: RowDetailProps): ReactNode {
  const { table, uuid, row, ctx } = props;
  const [tab, setTab] = useState<string>('columns');
  const name = typeof row?.name === 'string' && row.name !== '' ? row.name : undefined;
  return (
    <aside className="ow-panel" aria-label={`${table.name} row ${name ?? uuid}`}>
      <div className="ow-panel-head">
        <div className="ow-panel-title">
          <span className="ow-panel-table">{table.name}</span>
          <h2>{name ?? uuid.slice(0, 8)}</h2>
          <button
            type="button"
            className="ow-uuid ow-copyable"
            title="Copy the uuid"
            onClick={() => props.onCopy(uuid, 'the uuid')}
          >
            {uuid}
          </button>
          {props.deleted && <span className="ow-deleted-note">This row was deleted.</span>}
        </div>
        <div className="ow-panel-actions">
          {props.actions}
          <button
            type="button"
            className="ow-icon-button"
            aria-label="Close"
            title="Close (Esc)"
            onClick={props.onClose}
          >
            ✕
          </button>
        </div>
      </div>
      <div className="ow-tabs" role="tablist">
        {(['columns', 'references', 'history'] as const).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={`ow-tab${tab === t ? ' ow-active' : ''}`}
            onClick={() => setTab(t)}
          >
            {t === 'columns'
              ? 'Columns'
              : t === 'references'
                ? `References${props.incoming ? ` (${(props.outgoing?.length ?? 0) + props.incoming.length})` : ''}`
                : 'History'}
          </button>
        ))}
        {props.tabs?.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={`ow-tab${tab === t.id ? ' ow-active' : ''}`}
            onClick={() => setTab(t.id)}
          >
            {t.title}
          </button>
        ))}
      </div>
      <div className="ow-panel-body">
        {tab === 'columns' && (
          <>
            <dl className="ow-fields">
              {[...table.columns.values()].map((col) => {
                const flash = props.changed?.includes(col.name);
                return (
                  <div
                    key={flash ? `${col.name}@${props.changedAt ?? 0}` : col.name}
                    className={`ow-field${flash ? ' ow-flash' : ''}`}
                  >
                    <dt>
                      <span className="ow-field-name">{col.name}</span>
                      <span className="ow-field-type">
                        {typeText(col.type)}
                        {!col.mutable && ' · immutable'}
                        {col.ephemeral && ' · ephemeral'}
                      </span>
                    </dt>
                    <dd>
                      <DatumView type={col.type} value={row?.[col.name]} ctx={ctx} block />
                      {row?.[col.name] !== undefined && (
                        <button
                          type="button"
                          className="ow-copy"
                          aria-label={`Copy ${col.name}`}
                          title="Copy the value"
                          onClick={() => props.onCopy(datumTitle(col.type, row[col.name]), col.name)}
                        >
                          ⧉
                        </button>
                      )}
                    </dd>
                  </div>
                );
              })}
              <div className="ow-field">
                <dt>
                  <span className="ow-field-name">_version</span>
                  <span className="ow-field-type">uuid · changes with every update</span>
                </dt>
                <dd className="ow-uuid">{Array.isArray(row?._version) ? String(row._version[1]) : '—'}</dd>
              </div>
            </dl>
            <section className="ow-commands" aria-label="Commands">
              <h3>Show from a shell</h3>
              {props.commands.map((c) => (
                <div key={c.label} className="ow-command">
                  <code>{c.text}</code>
                  <button type="button" className="ow-button" onClick={() => props.onCopy(c.text, c.label)}>
                    Copy as {c.label}
                  </button>
                </div>
              ))}
            </section>
          </>
        )}
        {tab === 'references' && (
          <>
            <section>
              <h3>References from this row</h3>
              <RefList refs={props.outgoing} ctx={ctx} empty="This row references no other row." />
            </section>
            <section>
              <h3>Referenced by</h3>
              <RefList refs={props.incoming} ctx={ctx} empty="No row references this one." />
            </section>
          </>
        )}
        {tab === 'history' && <History table={table} versions={props.history} ctx={ctx} />}
        {props.tabs?.find((t) => t.id === tab)?.content}
      </div>
    </aside>
  );
}
