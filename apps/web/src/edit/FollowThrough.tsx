/**
 * After an OVN Northbound commit, follow it through: ovn-northd picks it up (`sb_cfg` reaches the commit's
 * `nb_cfg`, as `ovn-nbctl --wait=sb` waits for), the hypervisors apply it (`hv_cfg`), and the southbound
 * logical flows made for each changed row (ovn-northd stamps `external_ids:stage-hint` with the first eight
 * hex digits of the row's uuid) can be read. A new ACL that produced no flow gets a warning.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { isJsonObject, type Json } from '@ovsdb-web/client/core';
import { get } from '../api/rest.js';
import type { CommitOutcome } from './session.js';

interface Flow {
  uuid: string;
  pipeline: string;
  table_id: number;
  priority: number;
  match: string;
  actions: string;
}

const TRACED = new Set([
  'ACL',
  'Logical_Switch_Port',
  'Logical_Router_Port',
  'NAT',
  'Logical_Router_Policy',
  'Logical_Router_Static_Route',
  'Load_Balancer',
]);

function num(j: Json | undefined): number | undefined {
  return typeof j === 'number' ? j : undefined;
}

function text(j: Json | undefined): string {
  return typeof j === 'string' ? j : '';
}

export function FollowThrough({ remote, outcome }: { remote: string; outcome: CommitOutcome }): ReactNode {
  const [cfg, setCfg] = useState<{ nb: number; sb: number; hv: number } | undefined>(undefined);
  const [sbRemote, setSbRemote] = useState<string | null | undefined>(undefined);
  const [flows, setFlows] = useState<Record<string, Flow[]>>({});
  const [timedOut, setTimedOut] = useState(false);
  const target = outcome.nbCfg;
  const caughtUp = target !== undefined && cfg !== undefined && cfg.sb >= target;

  useEffect(() => {
    void get('/api/v1/remotes').then((j) => {
      const list = Array.isArray(j) ? j : [];
      const sb = list.find(
        (r) => isJsonObject(r) && Array.isArray(r.databases) && r.databases.includes('OVN_Southbound'),
      );
      setSbRemote(
        isJsonObject(sb ?? null) && typeof (sb as { name?: unknown }).name === 'string'
          ? (sb as { name: string }).name
          : null,
      );
    });
  }, []);

  // Wait for ovn-northd (and the hypervisors) to reach the commit's nb_cfg.
  useEffect(() => {
    if (target === undefined) return;
    let live = true;
    const started = Date.now();
    const poll = (): void => {
      void get(`/api/v1/remotes/${encodeURIComponent(remote)}/dbs/OVN_Northbound/tables/NB_Global/rows`).then((j) => {
        if (!live) return;
        const row = isJsonObject(j) && Array.isArray(j.rows) ? j.rows[0] : undefined;
        if (isJsonObject(row ?? null)) {
          const r = row as Record<string, Json>;
          const next = { nb: num(r.nb_cfg) ?? 0, sb: num(r.sb_cfg) ?? 0, hv: num(r.hv_cfg) ?? 0 };
          setCfg(next);
          if (next.sb >= target && next.hv >= target) return;
        }
        if (Date.now() - started > 30_000) {
          setTimedOut(true);
          return;
        }
        setTimeout(poll, 400);
      });
    };
    poll();
    return () => {
      live = false;
    };
  }, [remote, target]);

  // Then read the logical flows made for each changed row.
  useEffect(() => {
    if (!sbRemote || (target !== undefined && !caughtUp)) return;
    let live = true;
    for (const c of outcome.changed) {
      if (c.kind === 'delete' || !TRACED.has(c.table)) continue;
      const hint = c.uuid.slice(0, 8);
      void get(
        `/api/v1/remotes/${encodeURIComponent(sbRemote)}/dbs/OVN_Southbound/tables/Logical_Flow/rows?limit=200&sort=table_id,-priority&where=${encodeURIComponent(`external_ids:stage-hint=${hint}`)}`,
      ).then((j) => {
        if (!live) return;
        const rows = isJsonObject(j) && Array.isArray(j.rows) ? j.rows : [];
        const list: Flow[] = rows.filter(isJsonObject).map((r) => ({
          uuid: Array.isArray(r._uuid) ? text(r._uuid[1]) : '',
          pipeline: text(r.pipeline),
          table_id: num(r.table_id) ?? 0,
          priority: num(r.priority) ?? 0,
          match: text(r.match),
          actions: text(r.actions),
        }));
        setFlows((f) => ({ ...f, [c.uuid]: list }));
      });
    }
    return () => {
      live = false;
    };
  }, [sbRemote, caughtUp, target, outcome.changed]);

  const traced = outcome.changed.filter((c) => c.kind !== 'delete' && TRACED.has(c.table));
  return (
    <section className="ow-follow" aria-label="Follow through">
      <h3>Follow through</h3>
      {target === undefined ? (
        <p className="ow-muted">The commit did not bump nb_cfg, so there is nothing to wait for.</p>
      ) : (
        <p>
          nb_cfg <b>{target}</b> · ovn-northd (sb_cfg){' '}
          <b className={cfg && cfg.sb >= target ? 'ow-ok-text' : ''}>{cfg?.sb ?? '…'}</b> · hypervisors (hv_cfg){' '}
          <b className={cfg && cfg.hv >= target ? 'ow-ok-text' : ''}>{cfg?.hv ?? '…'}</b>
          {timedOut && !caughtUp && (
            <span className="ow-error-text"> — ovn-northd has not caught up after 30 s; is it running?</span>
          )}
          {timedOut && caughtUp && cfg.hv < target && (
            <span className="ow-muted"> — no hypervisor has reported it (none may be connected).</span>
          )}
        </p>
      )}
      {sbRemote === null && (
        <p className="ow-muted">The gateway has no OVN_Southbound remote: the logical flows cannot be shown.</p>
      )}
      {sbRemote &&
        traced.map((c) => {
          const list = flows[c.uuid];
          return (
            <div key={c.uuid} className="ow-follow-row">
              <div className="ow-muted">
                {c.table} {c.uuid.slice(0, 8)}:{' '}
                {list === undefined ? 'looking…' : `${list.length} logical flow${list.length === 1 ? '' : 's'}`}
              </div>
              {list?.length === 0 && c.table === 'ACL' && c.kind === 'insert' && (caughtUp || target === undefined) && (
                <div className="ow-form-warning" role="alert">
                  This new ACL produced no logical flow: ovn-northd did not use it (is it attached to a switch or port
                  group with ports?).
                </div>
              )}
              {list && list.length > 0 && (
                <ul className="ow-flows">
                  {list.map((f) => (
                    <li key={f.uuid}>
                      <code>
                        {f.pipeline} table={f.table_id} priority={f.priority}
                      </code>
                      <code className="ow-match-text">match=({f.match})</code>
                      <code className="ow-match-text">actions=({f.actions})</code>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          );
        })}
    </section>
  );
}
