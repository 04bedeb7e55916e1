/**
 * Problems of an OVN Northbound database, live: bad or dangling matches, duplicate, shadowed and
 * overlapping ACLs, an IP used twice on a switch, missing meters — what `ovsdb-web lint` reports, each
 * linked to its row.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { get } from '../api/rest.js';
import { navigate, tablePath } from '../app/router.js';

interface ProblemRow {
  severity: 'error' | 'warning';
  table: string;
  uuid: string;
  column?: string;
  code: string;
  message: string;
  label?: string;
}

export function ProblemsPage({ remote, db }: { remote: string; db: string }): ReactNode {
  const [problems, setProblems] = useState<ProblemRow[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [show, setShow] = useState<'all' | 'error' | 'warning'>('all');
  const [text, setText] = useState('');
  useEffect(() => {
    let live = true;
    let seq = -1;
    const load = (): void => {
      get(`/api/v1/remotes/${encodeURIComponent(remote)}/dbs/${encodeURIComponent(db)}/problems`).then(
        (j) => {
          if (!live) return;
          const body = j as unknown as { seq: number; problems: ProblemRow[] };
          if (body.seq !== seq) setProblems(body.problems);
          seq = body.seq;
          setError(undefined);
        },
        (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
      );
    };
    load();
    const t = setInterval(load, 3_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [remote, db]);
  const shown = useMemo(() => {
    const q = text.toLowerCase();
    return (problems ?? []).filter(
      (p) =>
        (show === 'all' || p.severity === show) &&
        (!q || `${p.table} ${p.label ?? ''} ${p.code} ${p.message}`.toLowerCase().includes(q)),
    );
  }, [problems, show, text]);
  const errors = problems?.filter((p) => p.severity === 'error').length ?? 0;
  const warnings = (problems?.length ?? 0) - errors;
  return (
    <div className="ow-problems-page">
      <div className="ow-toolbar">
        <h1 className="ow-page-title ow-inline">Problems</h1>
        <span className="ow-pill ow-pill-bad">{errors} errors</span>
        <span className="ow-pill ow-pill-warn">{warnings} warnings</span>
        <select
          className="ow-input ow-select"
          aria-label="Severity"
          value={show}
          onChange={(e) => setShow(e.target.value as 'all' | 'error' | 'warning')}
        >
          <option value="all">errors and warnings</option>
          <option value="error">errors</option>
          <option value="warning">warnings</option>
        </select>
        <input
          className="ow-input"
          aria-label="Filter"
          placeholder="Filter problems…"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <span className="ow-muted ow-small">
          The same checks as <code>ovsdb-web lint</code>, refreshed as the database changes.
        </span>
      </div>
      {error && (
        <p className="ow-error-text" role="alert">
          {error}
        </p>
      )}
      {problems === undefined && !error && <p className="ow-muted">Checking…</p>}
      {problems?.length === 0 && <p className="ow-ok-text">No problem found.</p>}
      <ul className="ow-problem-list" aria-label="Problems">
        {shown.map((p, i) => (
          <li key={`${p.uuid}/${p.code}/${i}`} className={`ow-problem ow-problem-${p.severity}`}>
            <span className={`ow-pill ow-pill-${p.severity === 'error' ? 'bad' : 'warn'}`}>{p.severity}</span>
            <a
              href={tablePath(remote, db, p.table, p.uuid)}
              onClick={(e) => {
                e.preventDefault();
                navigate(tablePath(remote, db, p.table, p.uuid));
              }}
            >
              {p.table} {p.label ?? p.uuid.slice(0, 8)}
            </a>
            {p.column && <code className="ow-muted">{p.column}</code>}
            <span className="ow-problem-message">{p.message}</span>
            <span className="ow-muted ow-small">{p.code}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
