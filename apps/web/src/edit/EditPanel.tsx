/**
 * The edit panel beside the table: the form (or what a delete removes), the plan with its guards and checks,
 * dry run, commit, and after a commit the new rows and Revert. Live updates never close or reset it; when a
 * row it read changes, it says so and offers to rebase or discard.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Json, WireRow } from '@ovsdb-web/client/core';
import type { Reference, RowReferences } from '@ovsdb-web/protocol';
import { DatumView, Field, MatchEditor, PlanView, RefPicker, formatOperations, type RefSearch } from '@ovsdb-web/ui';
import { cmsOwner, type MatchContext, type Problem } from '@ovsdb-web/ovn';
import { get, post } from '../api/rest.js';
import { engine } from '../app/engine.js';
import { useStore } from '../hooks/use-store.js';
import { copyText } from '../app/clipboard.js';
import { EditSession, isRequired, type EditMode } from './session.js';
import { asOvsdbClient, labelOf, type ParentRef } from './ops.js';
import { FollowThrough } from './FollowThrough.js';

interface Props {
  session: EditSession;
  onClose: () => void;
  onOpenRow: (table: string, uuid: string) => void;
  /** Start another edit (a revert) in the panel. */
  onEdit: (mode: EditMode) => void;
}

/** Tables whose rows OVN's rules check as they are edited. */
const OVN_TABLES = new Set(['ACL', 'Logical_Switch_Port', 'Port_Group', 'Address_Set']);
/** Logical_Switch_Port columns ovn-northd writes; an operator's value would be overwritten. */
const NORTHD_COLUMNS = new Set(['up', 'tag', 'dynamic_addresses']);

function ovnPath(session: EditSession): string {
  return `/api/v1/remotes/${encodeURIComponent(session.remote)}/dbs/${encodeURIComponent(session.db)}/ovn`;
}

function externalIds(row: WireRow | undefined): Map<string, string> {
  const w = row?.external_ids;
  const out = new Map<string, string>();
  if (Array.isArray(w) && w[0] === 'map')
    for (const [k, v] of w[1]) if (typeof k === 'string' && typeof v === 'string') out.set(k, v);
  return out;
}

export function EditPanel({ session, onClose, onOpenRow, onEdit }: Props): ReactNode {
  const s = useStore(session.store);
  const table = session.table();
  const mode = s.mode;
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [confirmText, setConfirmText] = useState('');

  const refSearch: RefSearch = useMemo(
    () => async (t: string, q: string) => {
      const rows = (await get(
        `/api/v1/remotes/${encodeURIComponent(session.remote)}/dbs/${encodeURIComponent(session.db)}/tables/${encodeURIComponent(t)}/labels?limit=30&q=${encodeURIComponent(q)}`,
      )) as unknown as { uuid: string; label?: string }[];
      setLabels((old) => {
        const next = { ...old };
        for (const r of rows) if (r.label) next[r.uuid] = r.label;
        return next;
      });
      return rows;
    },
    [session.remote, session.db],
  );

  // Labels for the references the row already holds, and (for a delete) who references it.
  const uuid = mode.kind === 'update' || mode.kind === 'delete' ? mode.uuid : undefined;
  const [refs, setRefs] = useState<RowReferences | undefined>(undefined);
  useEffect(() => {
    if (!uuid || !table) return;
    let live = true;
    void get(
      `/api/v1/remotes/${encodeURIComponent(session.remote)}/dbs/${encodeURIComponent(session.db)}/tables/${encodeURIComponent(table.name)}/rows/${uuid}/references`,
    ).then((j) => {
      if (!live) return;
      const r = j as unknown as RowReferences;
      setRefs(r);
      setLabels((old) => {
        const next = { ...old };
        for (const x of [...r.outgoing, ...r.incoming]) if (x.label) next[x.uuid] = x.label;
        return next;
      });
      if (mode.kind === 'delete')
        session.setReferrers(
          r.incoming
            .filter((x) => x.refType === 'strong')
            .map((x: Reference) => ({ table: x.table, uuid: x.uuid, column: x.column })),
        );
    });
    return () => {
      live = false;
    };
  }, [uuid, table, session, mode.kind]);

  // The row the edit read, live: a change underneath makes the edit stale (it is never closed for it).
  useEffect(() => {
    if (!uuid || !table) return;
    const w = engine.watchRow({ remote: session.remote, db: session.db, table: table.name }, uuid);
    const off = w.store.subscribe(() => {
      const snap = w.store.get();
      if (snap.phase === 'live') session.observe(snap.row);
    });
    return () => {
      off();
      w.close();
    };
  }, [uuid, table, session]);

  // OVN's own rules for the tables the guided editors know, checked by the gateway on the whole database.
  const ovnTable =
    session.schema.name === 'OVN_Northbound' &&
    table !== undefined &&
    OVN_TABLES.has(table.name) &&
    (mode.kind === 'insert' || mode.kind === 'update');
  const [ovn, setOvn] = useState<{ errors: Problem[]; warnings: Problem[] }>({ errors: [], warnings: [] });
  const [matchContext, setMatchContext] = useState<MatchContext | undefined>(undefined);
  useEffect(() => {
    if (!ovnTable || table.name !== 'ACL') return;
    let live = true;
    void get(`${ovnPath(session)}/match-context`).then((j) => {
      if (!live) return;
      const c = j as unknown as { addressSets: Record<string, string[]>; portGroups: Record<string, string[]> };
      setMatchContext({
        addressSets: new Map(Object.entries(c.addressSets)),
        portGroups: new Map(Object.entries(c.portGroups)),
      });
    });
    return () => {
      live = false;
    };
  }, [ovnTable, table, session]);
  useEffect(() => {
    if (!ovnTable) return;
    let live = true;
    const t = setTimeout(() => {
      const parent = s.parent;
      const body: Json = {
        table: table.name,
        row: s.values as unknown as Json,
        ...(mode.kind === 'update' ? { uuid: mode.uuid } : {}),
        ...(table.name === 'ACL' && parent && (parent.table === 'Logical_Switch' || parent.table === 'Port_Group')
          ? { attachedTo: [{ table: parent.table, uuid: parent.uuid }] }
          : {}),
        ...(table.name === 'Logical_Switch_Port' && parent?.table === 'Logical_Switch'
          ? { logicalSwitch: parent.uuid }
          : {}),
      };
      post(`${ovnPath(session)}/check`, body).then(
        (r) => live && setOvn(r as unknown as { errors: Problem[]; warnings: Problem[] }),
        () => live && setOvn({ errors: [], warnings: [] }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [ovnTable, table, s.values, s.parent, mode, session]);
  const ovnError = (c: string): Problem | undefined => ovn.errors.find((e) => e.column === c);
  const ovnWarnings = (c: string): string[] => ovn.warnings.filter((w) => w.column === c).map((w) => w.message);
  const ovnBlocked = ovnTable && ovn.errors.length > 0;

  const owner = table?.columns.has('external_ids') ? cmsOwner(externalIds(s.base)) : undefined;
  const confirmWord = s.base ? labelOf(s.base, uuid ?? '') : '';
  const confirmed = !owner || confirmText === confirmWord;
  const built = s.built;
  const plan = s.plan.state === 'ready' ? s.plan.response : undefined;
  const checks = [...(plan?.checks ?? []), ...s.serverChecks];
  const done = s.commit.state === 'done' ? s.commit.outcome : undefined;
  const revert = done?.revert;
  const theirs = session.theirChanges();
  const title =
    mode.kind === 'insert'
      ? `New ${mode.table}`
      : mode.kind === 'update'
        ? `Edit ${labelOf(s.base, mode.uuid)}`
        : mode.kind === 'delete'
          ? `Delete ${labelOf(s.base, mode.uuid)}`
          : mode.title;
  // Rows the edit inserts have no name on the server yet: show the one typed.
  const planLabels = { ...labels };
  for (const e of plan?.effects ?? [])
    if (e.kind === 'insert')
      planLabels[e.uuid] = `(new) ${typeof e.after?.name === 'string' && e.after.name !== '' ? e.after.name : e.table}`;
  const ctx = { labels: planLabels, onRef: onOpenRow };

  return (
    <aside className="ow-panel ow-edit-panel" aria-label={title}>
      <div className="ow-panel-head">
        <div className="ow-panel-title">
          <span className="ow-panel-table">{mode.kind === 'raw' ? 'transaction' : mode.table}</span>
          <h2>{title}</h2>
        </div>
        <button type="button" className="ow-icon-button" aria-label="Close" title="Close" onClick={onClose}>
          ✕
        </button>
      </div>
      <div className="ow-panel-body">
        {done && (
          <div className="ow-banner ow-banner-ok" role="status">
            <b>Committed.</b>
            {done.inserted.length > 0 && (
              <>
                {' '}
                New:{' '}
                {done.inserted.map((r) => (
                  <a
                    key={r.uuid}
                    href="#"
                    onClick={(e) => {
                      e.preventDefault();
                      onOpenRow(r.table, r.uuid);
                    }}
                  >
                    {r.table} {r.label}
                  </a>
                ))}
              </>
            )}
            {revert && revert.operations.length > 0 && (
              <button
                type="button"
                className="ow-button"
                onClick={() =>
                  onEdit({
                    kind: 'raw',
                    title: `Revert: ${title}`,
                    operations: revert.operations,
                    guards: revert.guards,
                  })
                }
              >
                Revert
              </button>
            )}
          </div>
        )}

        {owner && s.commit.state !== 'done' && (
          <div className="ow-banner ow-banner-warn" role="alert">
            <b>Managed by {owner.owner}</b> (external_ids:{owner.key}): a manual change will likely be reverted or
            fought by {owner.owner}. To go on, type <code>{confirmWord}</code>:
            <input
              className="ow-input"
              aria-label="Confirm by typing the row name"
              value={confirmText}
              onChange={(e) => setConfirmText(e.target.value)}
            />
          </div>
        )}
        {(theirs.length > 0 || s.gone) && s.commit.state !== 'done' && (
          <div className="ow-banner ow-banner-stale" role="alert">
            {s.gone ? (
              <b>This row was deleted by someone else.</b>
            ) : (
              <>
                <b>Stale:</b> the row changed since this edit read it ({theirs.join(', ')}). A commit now would be
                refused by its guard.
                {table && (
                  <table className="ow-diff ow-stale-table">
                    <thead>
                      <tr>
                        <th>column</th>
                        <th>base</th>
                        <th>theirs</th>
                        <th>mine</th>
                      </tr>
                    </thead>
                    <tbody>
                      {theirs.flatMap((c) => {
                        const type = table.columns.get(c)?.type;
                        if (!type) return [];
                        return (
                          <tr key={c}>
                            <th>{c}</th>
                            <td>
                              <DatumView type={type} value={s.base?.[c]} ctx={ctx} />
                            </td>
                            <td>
                              <DatumView type={type} value={s.theirs?.[c]} ctx={ctx} />
                            </td>
                            <td>
                              <DatumView type={type} value={s.values[c]} ctx={ctx} />
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                )}
                <div className="ow-banner-actions">
                  <button type="button" className="ow-button" onClick={() => session.rebase()}>
                    Rebase
                  </button>
                  <button type="button" className="ow-button" onClick={() => session.discard()}>
                    Discard my changes
                  </button>
                </div>
              </>
            )}
          </div>
        )}

        {table && (mode.kind === 'insert' || mode.kind === 'update') && (
          <form
            className="ow-form"
            onSubmit={(e) => e.preventDefault()}
            aria-label={`${mode.table} columns`}
            hidden={done !== undefined}
          >
            {mode.kind === 'insert' && !table.isRoot && (
              <ParentChooser
                table={table.name}
                session={session}
                refSearch={refSearch}
                labels={labels}
                parent={s.parent}
              />
            )}
            {[...table.columns.values()].map((col) => {
              const northdOwned = ovnTable && table.name === 'Logical_Switch_Port' && NORTHD_COLUMNS.has(col.name);
              const isMatch = ovnTable && table.name === 'ACL' && col.name === 'match';
              const ovnErr = ovnError(col.name);
              return (
                <Field
                  key={col.name}
                  column={col.name}
                  type={col.type}
                  value={s.values[col.name]}
                  onChange={(v) => session.setValue(col.name, v)}
                  error={isMatch ? undefined : (s.errors[col.name] ?? ovnErr?.message)}
                  warnings={ovnWarnings(col.name)}
                  changed={
                    mode.kind === 'update' && JSON.stringify(s.base?.[col.name]) !== JSON.stringify(s.values[col.name])
                  }
                  readOnly={(mode.kind === 'update' && !col.mutable) || northdOwned}
                  readOnlyReason={northdOwned ? 'written by ovn-northd' : !col.mutable ? 'immutable' : undefined}
                  required={isRequired(table, col.name)}
                  refSearch={refSearch}
                  labels={labels}
                  editor={
                    isMatch
                      ? (id) => (
                          <MatchEditor
                            id={id}
                            value={typeof s.values.match === 'string' ? s.values.match : ''}
                            onChange={(text) => session.setValue('match', text)}
                            context={matchContext}
                            external={
                              s.errors.match
                                ? { message: s.errors.match }
                                : ovnErr
                                  ? { message: ovnErr.message, offset: ovnErr.offset }
                                  : undefined
                            }
                          />
                        )
                      : undefined
                  }
                />
              );
            })}
          </form>
        )}
        {mode.kind === 'delete' && table && (
          <div className="ow-delete-summary">
            <p>
              {table.isRoot
                ? `The row is deleted. Rows it references that nothing else keeps are deleted by ovsdb-server; a strong reference to it from another row makes the commit fail.`
                : `${table.name} is not a root table: the edit removes the references to it (${(s.referrers ?? []).map((r) => `${r.table}.${r.column}`).join(', ') || 'none'}) and ovsdb-server deletes it.`}
            </p>
            {refs && refs.incoming.length > 0 && (
              <p className="ow-muted">
                Referenced by:{' '}
                {refs.incoming
                  .map((r) => `${r.table} ${r.label ?? r.uuid.slice(0, 8)} (${r.column}, ${r.refType})`)
                  .join('; ')}
              </p>
            )}
          </div>
        )}
        {s.formError && (
          <p className="ow-form-error" role="alert">
            {s.formError}
          </p>
        )}

        <div className="ow-plan-actions">
          <button
            type="button"
            className="ow-button"
            disabled={!session.valid || s.plan.state === 'loading'}
            onClick={() => void session.preview()}
          >
            Preview
          </button>
          <button
            type="button"
            className="ow-button"
            disabled={!session.valid || ovnBlocked || s.busy !== undefined}
            onClick={() => void session.dryRun()}
          >
            {s.busy === 'dry-run' ? 'Dry run…' : 'Dry run'}
          </button>
          <button
            type="button"
            className="ow-button ow-primary"
            disabled={!session.valid || ovnBlocked || !confirmed || s.busy !== undefined || s.commit.state === 'done'}
            onClick={() => void session.commit()}
          >
            {s.busy === 'commit' ? 'Committing…' : 'Commit'}
          </button>
          {session.schema.name === 'OVN_Northbound' &&
            session.schema.tables.has('NB_Global') &&
            s.commit.state !== 'done' && (
              <label
                className="ow-check-label"
                title="Increment NB_Global.nb_cfg with the commit and follow ovn-northd (ovn-nbctl --wait=sb)"
              >
                <input type="checkbox" checked={s.bumpNbCfg} onChange={(e) => session.setBumpNbCfg(e.target.checked)} />{' '}
                wait for ovn-northd
              </label>
            )}
          {built && (
            <span className="ow-plan-copy">
              <button
                type="button"
                className="ow-link-button"
                onClick={() => copyText(formatOperations(session.db, built.operations), 'the transaction JSON')}
              >
                Copy JSON
              </button>
              <button
                type="button"
                className="ow-link-button"
                onClick={() => copyText(asOvsdbClient(session.db, built.operations), 'the ovsdb-client command')}
              >
                Copy as ovsdb-client transact
              </button>
            </span>
          )}
        </div>

        {s.commit.state === 'failed' && (
          <div className={`ow-banner ${s.commit.conflict ? 'ow-banner-stale' : 'ow-banner-bad'}`} role="alert">
            <b>{s.commit.conflict ? 'Conflict' : 'Refused'}:</b> {s.commit.message}
          </div>
        )}
        {done && session.schema.name === 'OVN_Northbound' && <FollowThrough remote={session.remote} outcome={done} />}
        {s.plan.state === 'error' && (
          <p className="ow-form-error" role="alert">
            {s.plan.message}
          </p>
        )}
        <PlanView
          schema={session.schema}
          effects={plan?.effects}
          problems={plan?.problems ?? []}
          guards={(built?.guards ?? []).map((g) => ({ table: g.table, label: g.label, columns: g.columns }))}
          checks={checks}
          caveats={plan ? plan.caveats : []}
          transaction={built ? formatOperations(session.db, built.operations) : ''}
          ctx={ctx}
          newNames={Object.fromEntries(Object.entries(plan?.newRows ?? {}).map(([name, u]) => [u, `(new) ${name}`]))}
        />
      </div>
    </aside>
  );
}

/** Where a new row of a non-root table goes: a row of a table that references it, and the column. */
function ParentChooser({
  table,
  session,
  refSearch,
  labels,
  parent,
}: {
  table: string;
  session: EditSession;
  refSearch: RefSearch;
  labels: Record<string, string>;
  parent: ParentRef | undefined;
}): ReactNode {
  const options = useMemo(() => {
    const out: { table: string; column: string }[] = [];
    for (const t of session.schema.tables.values()) {
      for (const c of t.columns.values()) {
        const k = c.type.key;
        if (
          k.type === 'uuid' &&
          k.refTable === table &&
          k.refType !== 'weak' &&
          c.type.value === undefined &&
          c.type.max > 1
        )
          out.push({ table: t.name, column: c.name });
      }
    }
    return out;
  }, [session.schema, table]);
  const [choice, setChoice] = useState(() =>
    Math.max(
      0,
      options.findIndex((o) => o.table === parent?.table && o.column === parent.column),
    ),
  );
  // A preset parent ("New ACL here") is shown by name: look it up once.
  useEffect(() => {
    if (parent && labels[parent.uuid] === undefined) void refSearch(parent.table, parent.uuid);
    // Only when the parent changes; labels fill in as a result.
  }, [parent, refSearch]); // eslint-disable-line react-hooks/exhaustive-deps
  const opt = options[choice];
  return (
    <div className="ow-form-field ow-parent" role="group" aria-label="Add to">
      <div className="ow-form-label">
        <span className="ow-field-name">Add to</span>
        <span className="ow-field-type">the row that will reference the new {table}</span>
      </div>
      {options.length > 1 && (
        <select
          className="ow-input ow-select"
          aria-label="Referencing column"
          value={choice}
          onChange={(e) => setChoice(Number(e.target.value))}
        >
          {options.map((o, i) => (
            <option key={`${o.table}.${o.column}`} value={i}>
              {o.table}.{o.column}
            </option>
          ))}
        </select>
      )}
      {opt && (
        <RefPicker
          id="ow-parent-picker"
          table={opt.table}
          value={parent?.uuid}
          labels={labels}
          search={refSearch}
          placeholder={`choose a ${opt.table} (its ${opt.column})…`}
          onChange={(u) =>
            session.setParent(u === undefined ? undefined : { table: opt.table, uuid: u, column: opt.column })
          }
        />
      )}
      {options.length === 0 && <p className="ow-muted">No table references {table} strongly; it cannot be kept.</p>}
    </div>
  );
}
