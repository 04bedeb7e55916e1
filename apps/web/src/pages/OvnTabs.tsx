/**
 * OVN views inside a row's panel: a switch's or port group's ACLs in `ovn-nbctl acl-list` order (with "New
 * ACL here"), and for a port group or address set the ACL matches that name it.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { lexMatch } from '@ovsdb-web/ovn';
import { get } from '../api/rest.js';

export interface AclSummary {
  uuid: string;
  name: string;
  direction: string;
  priority: number;
  match: string;
  action: string;
  log?: boolean;
  severity?: string;
  tier?: number;
}

function base(remote: string, db: string): string {
  return `/api/v1/remotes/${encodeURIComponent(remote)}/dbs/${encodeURIComponent(db)}/ovn`;
}

/** The match with its tokens coloured, read-only. */
export function MatchText({ text }: { text: string }): ReactNode {
  const out: ReactNode[] = [];
  let pos = 0;
  for (const t of lexMatch(text)) {
    if (t.start > pos) out.push(text.slice(pos, t.start));
    out.push(
      <span key={t.start} className={`ow-tok-${t.kind}`}>
        {text.slice(t.start, t.end)}
      </span>,
    );
    pos = t.end;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return <code className="ow-match-text">{out}</code>;
}

function AclTable({ acls, onOpen }: { acls: AclSummary[]; onOpen: (uuid: string) => void }): ReactNode {
  return (
    <table className="ow-acl-list">
      <thead>
        <tr>
          <th>dir</th>
          <th className="ow-num-col">prio</th>
          <th>match</th>
          <th>action</th>
        </tr>
      </thead>
      <tbody>
        {acls.map((a) => (
          <tr key={a.uuid} onClick={() => onOpen(a.uuid)} title={a.name ? `${a.name} — open the ACL` : 'open the ACL'}>
            <td className="ow-muted">{a.direction === 'from-lport' ? 'from' : 'to'}</td>
            <td className="ow-num-col">{a.priority}</td>
            <td>
              <MatchText text={a.match} />
            </td>
            <td>
              <span className={`ow-action ow-action-${a.action}`}>{a.action}</span>
              {a.log ? <span className="ow-muted ow-small"> log</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AclsTab({
  remote,
  db,
  owner,
  onOpen,
  onNew,
}: {
  remote: string;
  db: string;
  owner: string;
  onOpen: (uuid: string) => void;
  onNew: (() => void) | undefined;
}): ReactNode {
  const [acls, setAcls] = useState<AclSummary[] | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      get(`${base(remote, db)}/acls?owner=${owner}`).then(
        (j) => live && setAcls((j as unknown as { acls: AclSummary[] }).acls),
        () => live && setAcls([]),
      );
    };
    load();
    const t = setInterval(load, 3_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [remote, db, owner]);
  return (
    <section aria-label="ACLs">
      <div className="ow-tab-head">
        <h3>ACLs, as ovn-nbctl acl-list orders them</h3>
        {onNew && (
          <button type="button" className="ow-button" onClick={onNew}>
            New ACL here
          </button>
        )}
      </div>
      {acls === undefined ? (
        <p className="ow-muted">Loading…</p>
      ) : acls.length === 0 ? (
        <p className="ow-muted">No ACL.</p>
      ) : (
        <AclTable acls={acls} onOpen={onOpen} />
      )}
    </section>
  );
}

export function MentionsTab({
  remote,
  db,
  name,
  kind,
  onOpen,
}: {
  remote: string;
  db: string;
  name: string;
  kind: 'port-group' | 'address-set';
  onOpen: (uuid: string) => void;
}): ReactNode {
  const [acls, setAcls] = useState<AclSummary[] | undefined>(undefined);
  useEffect(() => {
    let live = true;
    get(`${base(remote, db)}/mentions?kind=${kind}&name=${encodeURIComponent(name)}`).then(
      (j) => live && setAcls((j as unknown as { acls: AclSummary[] }).acls),
      () => live && setAcls([]),
    );
    return () => {
      live = false;
    };
  }, [remote, db, name, kind]);
  return (
    <section aria-label="Used by">
      <h3>ACL matches that name {kind === 'port-group' ? `@${name}` : `$${name}`}</h3>
      {acls === undefined ? (
        <p className="ow-muted">Loading…</p>
      ) : acls.length === 0 ? (
        <p className="ow-muted">No ACL match names it.</p>
      ) : (
        <AclTable acls={acls} onOpen={onOpen} />
      )}
    </section>
  );
}
