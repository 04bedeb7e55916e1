/**
 * The audit log (admins): every transaction attempt — who, when, from where, what, and how it ended —
 * newest first, filtered by user, remote, database, table and result, with the operations and the rows
 * they name.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { isJsonObject, stringifyJson, type Json } from '@ovsdb-web/client/core';
import type { AuditEntry, AuditPage as AuditPageBody } from '@ovsdb-web/protocol';
import { get } from '../api/rest.js';
import { navigate, tablePath } from '../app/router.js';
import { formatCount } from '../app/format.js';

const PAGE = 50;

function rowsNamed(e: AuditEntry): { table: string; uuid: string }[] {
  const out: { table: string; uuid: string }[] = [];
  if (!Array.isArray(e.operations)) return out;
  for (const op of e.operations) {
    if (!isJsonObject(op) || typeof op.table !== 'string' || !Array.isArray(op.where)) continue;
    for (const c of op.where) {
      if (Array.isArray(c) && c[0] === '_uuid' && Array.isArray(c[2]) && typeof c[2][1] === 'string')
        out.push({ table: op.table, uuid: c[2][1] });
    }
  }
  if (Array.isArray(e.result)) {
    e.result.forEach((r, i) => {
      const op = Array.isArray(e.operations) ? e.operations[i] : undefined;
      if (
        isJsonObject(r) &&
        Array.isArray(r.uuid) &&
        typeof r.uuid[1] === 'string' &&
        isJsonObject(op) &&
        typeof op.table === 'string'
      )
        out.push({ table: op.table, uuid: r.uuid[1] });
    });
  }
  return out;
}

function summary(e: AuditEntry): string {
  if (!Array.isArray(e.operations)) return e.body ? `a ${e.body.bytes}-byte body that was not read` : '—';
  const counts = new Map<string, number>();
  for (const op of e.operations) {
    if (!isJsonObject(op)) continue;
    const k = `${typeof op.op === 'string' ? op.op : '?'}${typeof op.table === 'string' ? ` ${op.table}` : ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${n}× ${k}` : k)).join(', ');
}

function outcome(e: AuditEntry): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  if (e.status < 300) return e.dryRun ? { text: 'dry run', tone: 'warn' } : { text: 'committed', tone: 'ok' };
  const code =
    isJsonObject(e.error ?? null) && typeof (e.error as { code?: unknown }).code === 'string'
      ? (e.error as { code: string }).code
      : String(e.status);
  return { text: code.replace(/_/g, ' '), tone: 'bad' };
}

export function AuditPage(): ReactNode {
  const [filters, setFilters] = useState({ user: '', remote: '', db: '', table: '', result: '' });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<AuditPageBody | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState<number | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    const load = (): void => {
      get(`/api/v1/audit?${q.toString()}`).then(
        (j) => {
          if (!live) return;
          setPage(j as unknown as AuditPageBody);
          setError(undefined);
        },
        (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
      );
    };
    load();
    const t = setInterval(load, 5_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [filters, offset]);
  const set = (k: keyof typeof filters, v: string): void => {
    setFilters((f) => ({ ...f, [k]: v }));
    setOffset(0);
  };
  return (
    <div className="ow-audit-page">
      <div className="ow-toolbar">
        <h1 className="ow-page-title ow-inline">Audit log</h1>
        {(['user', 'remote', 'db', 'table'] as const).map((k) => (
          <input
            key={k}
            className="ow-input ow-audit-filter"
            aria-label={k}
            placeholder={k}
            value={filters[k]}
            onChange={(e) => set(k, e.target.value.trim())}
          />
        ))}
        <select
          className="ow-input ow-select"
          aria-label="result"
          value={filters.result}
          onChange={(e) => set('result', e.target.value)}
        >
          <option value="">any result</option>
          <option value="ok">committed</option>
          <option value="dry_run">dry run</option>
          <option value="error">refused or failed</option>
        </select>
        <span className="ow-count">{page ? `${formatCount(page.total)} attempts` : ''}</span>
      </div>
      {error && (
        <p className="ow-error-text" role="alert">
          {error}
        </p>
      )}
      {page && !page.enabled && (
        <p className="ow-muted">The gateway runs without --audit-log: no attempt is recorded.</p>
      )}
      <div className="ow-audit-list" role="list" aria-label="Audit entries">
        {page?.entries.map((e, i) => {
          const o = outcome(e);
          const rows = rowsNamed(e);
          return (
            <div key={`${e.time}/${i}`} className="ow-audit-entry" role="listitem">
              <button
                type="button"
                className="ow-audit-head"
                aria-expanded={open === i}
                onClick={() => setOpen(open === i ? undefined : i)}
              >
                <span className="ow-change-time">{new Date(e.time).toLocaleString(undefined, { hour12: false })}</span>
                <span className={`ow-pill ow-pill-${o.tone}`}>{o.text}</span>
                <span className="ow-audit-user">
                  {e.user} <span className="ow-muted">({e.role})</span>
                </span>
                <span className="ow-muted">
                  {e.remote}/{e.db}
                </span>
                <span className="ow-audit-summary">{summary(e)}</span>
                <span className="ow-muted ow-small">{Math.round(e.durationMs)} ms</span>
              </button>
              {open === i && (
                <div className="ow-audit-detail">
                  <p className="ow-muted ow-small">
                    from {e.clientAddress}
                    {e.userAgent ? ` · ${e.userAgent}` : ''}
                    {e.comment ? ` · ${e.comment}` : ''}
                  </p>
                  {rows.length > 0 && (
                    <p>
                      Rows:{' '}
                      {rows.map((r) => (
                        <a
                          key={`${r.table}/${r.uuid}`}
                          href={tablePath(e.remote, e.db, r.table, r.uuid)}
                          onClick={(ev) => {
                            ev.preventDefault();
                            navigate(tablePath(e.remote, e.db, r.table, r.uuid));
                          }}
                          className="ow-audit-row"
                        >
                          {r.table} {r.uuid.slice(0, 8)}
                        </a>
                      ))}
                    </p>
                  )}
                  <h4>Operations</h4>
                  <pre>
                    {Array.isArray(e.operations)
                      ? e.operations.map((op) => stringifyJson(op)).join('\n')
                      : '(not read)'}
                  </pre>
                  <h4>{e.status < 300 ? 'Result' : 'Error'}</h4>
                  <pre>{stringifyJson((e.status < 300 ? e.result : e.error) ?? (null as Json))}</pre>
                </div>
              )}
            </div>
          );
        })}
      </div>
      {page && page.total > PAGE && (
        <div className="ow-pager">
          <button
            type="button"
            className="ow-button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Newer
          </button>
          <span className="ow-muted">
            {offset + 1}–{Math.min(offset + PAGE, page.total)} of {page.total}
          </span>
          <button
            type="button"
            className="ow-button"
            disabled={offset + PAGE >= page.total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Older
          </button>
        </div>
      )}
    </div>
  );
}
