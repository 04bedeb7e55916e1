/**
 * The open row, beside the table: live from the engine (a change flashes its columns; a delete says so), its
 * references both ways and its recent history from the gateway, refreshed when the row changes.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { TableSchema, WireRow } from '@ovsdb-web/client/core';
import type { RowHistory, RowReferences } from '@ovsdb-web/protocol';
import { RowDetail } from '@ovsdb-web/ui';
import { engine } from '../app/engine.js';
import { get } from '../api/rest.js';
import { useStore } from '../hooks/use-store.js';
import { copyText } from '../app/clipboard.js';
import { rowCommands } from './commands.js';
import { AclsTab, MentionsTab } from './OvnTabs.js';

interface Props {
  remote: string;
  db: string;
  table: TableSchema;
  uuid: string;
  onClose: () => void;
  onRef: (table: string, uuid: string) => void;
  /** Start editing or deleting the row (absent when this session may not edit). */
  onEdit?: ((kind: 'update' | 'delete', base: WireRow) => void) | undefined;
  /** Start a new ACL attached to this row (switch or port group). */
  onNewAcl?: (() => void) | undefined;
  editBlocked?: string | undefined;
  /** The database is OVN_Northbound: show the OVN tabs. */
  ovn?: boolean;
}

function ovnTabs(p: Props, row: WireRow | undefined): { id: string; title: string; content: ReactNode }[] | undefined {
  if (!p.ovn) return undefined;
  const name = typeof row?.name === 'string' ? row.name : undefined;
  const openAcl = (u: string): void => p.onRef('ACL', u);
  const tabs: { id: string; title: string; content: ReactNode }[] = [];
  if (p.table.name === 'Logical_Switch' || p.table.name === 'Port_Group') {
    tabs.push({
      id: 'acls',
      title: 'ACLs',
      content: <AclsTab remote={p.remote} db={p.db} owner={p.uuid} onOpen={openAcl} onNew={p.onNewAcl} />,
    });
  }
  if ((p.table.name === 'Port_Group' || p.table.name === 'Address_Set') && name) {
    tabs.push({
      id: 'mentions',
      title: 'Used by',
      content: (
        <MentionsTab
          remote={p.remote}
          db={p.db}
          name={name}
          kind={p.table.name === 'Port_Group' ? 'port-group' : 'address-set'}
          onOpen={openAcl}
        />
      ),
    });
  }
  return tabs;
}

function rowPath(p: Props): string {
  return `/api/v1/remotes/${encodeURIComponent(p.remote)}/dbs/${encodeURIComponent(p.db)}/tables/${encodeURIComponent(p.table.name)}/rows/${encodeURIComponent(p.uuid)}`;
}

export function RowPanel(props: Props): ReactNode {
  const watch = useMemo(
    () => engine.watchRow({ remote: props.remote, db: props.db, table: props.table.name }, props.uuid),
    [props.remote, props.db, props.table.name, props.uuid],
  );
  useEffect(() => () => watch.close(), [watch]);
  const snap = useStore(watch.store);
  const [refs, setRefs] = useState<RowReferences | undefined>(undefined);
  const [history, setHistory] = useState<RowHistory | undefined>(undefined);
  const version = Array.isArray(snap.row?._version) ? String(snap.row._version[1]) : '';

  // References and history are the gateway's; ask again whenever the row changes.
  useEffect(() => {
    let live = true;
    const base = rowPath(props);
    void get(`${base}/references`).then(
      (j) => live && setRefs(j as unknown as RowReferences),
      () => live && setRefs({ table: props.table.name, uuid: props.uuid, outgoing: [], incoming: [] }),
    );
    void get(`${base}/history`).then(
      (j) => live && setHistory(j as unknown as RowHistory),
      () => live && setHistory(undefined),
    );
    return () => {
      live = false;
    };
    // `props` is read for the path only; the row's version is what should trigger a refresh.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.remote, props.db, props.table.name, props.uuid, version]);

  const labels = useMemo(() => {
    const out: Record<string, string> = {};
    for (const r of [...(refs?.outgoing ?? []), ...(refs?.incoming ?? [])]) if (r.label) out[r.uuid] = r.label;
    return out;
  }, [refs]);

  const deleted = snap.phase === 'live' && snap.row === undefined;
  if (snap.phase === 'live' && !snap.row && !refs?.outgoing.length && history?.versions.length === 0) {
    return (
      <aside className="ow-panel" aria-label={`${props.table.name} row ${props.uuid}`}>
        <div className="ow-panel-head">
          <div className="ow-panel-title">
            <span className="ow-panel-table">{props.table.name}</span>
            <h2>Row not found</h2>
          </div>
          <button type="button" className="ow-icon-button" aria-label="Close" onClick={props.onClose}>
            ✕
          </button>
        </div>
        <p className="ow-panel-body">
          There is no row {props.uuid} in {props.table.name}.
        </p>
      </aside>
    );
  }
  return (
    <RowDetail
      table={props.table}
      uuid={props.uuid}
      row={snap.row}
      deleted={deleted}
      ctx={{ labels, onRef: props.onRef }}
      changed={snap.changed}
      changedAt={snap.at}
      outgoing={refs?.outgoing}
      incoming={refs?.incoming}
      history={history?.versions}
      commands={rowCommands(props.db, props.table.name, props.uuid)}
      onCopy={copyText}
      onClose={props.onClose}
      tabs={ovnTabs(props, snap.row)}
      actions={
        props.onEdit && snap.row ? (
          <>
            <button type="button" className="ow-button" onClick={() => snap.row && props.onEdit?.('update', snap.row)}>
              Edit
            </button>
            <button
              type="button"
              className="ow-button ow-danger"
              onClick={() => snap.row && props.onEdit?.('delete', snap.row)}
            >
              Delete
            </button>
          </>
        ) : props.editBlocked ? (
          <span className="ow-readonly" title={props.editBlocked}>
            read-only
          </span>
        ) : null
      }
    />
  );
}
