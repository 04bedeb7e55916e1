/**
 * The shell: header (where you are, the connection, who you are, the theme), the sidebar of remotes,
 * databases and tables with live counts, and the page for the URL. Keyboard: `/` focuses the filter (on a
 * table), `g` then `t` jumps to a table, Esc closes what is open.
 */
import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { DatabaseStats, RemoteStatus } from '@ovsdb-web/protocol';
import { useStore } from '../hooks/use-store.js';
import { engine } from './engine.js';
import { dbPath, location, parseRoute, tablePath, type Route } from './router.js';
import { canEdit, session, signOut, start } from './session.js';
import { Dashboard } from '../pages/Dashboard.js';
import { TablePage } from '../pages/TablePage.js';
import { SignIn } from '../pages/SignIn.js';
import { TableSwitcher } from './TableSwitcher.js';
import { ThemeToggle } from './theme.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { Link } from './Link.js';
import { NotFound } from './NotFound.js';
import { formatCount } from './format.js';

// Pages other than the dashboard and tables are loaded when first opened: the first paint of a table (what
// most links open) then waits for less script.
const SchemaPage = lazy(async () => ({ default: (await import('../pages/SchemaPage.js')).SchemaPage }));
const ChangesPage = lazy(async () => ({ default: (await import('../pages/ChangesPage.js')).ChangesPage }));
const AuditPage = lazy(async () => ({ default: (await import('../pages/AuditPage.js')).AuditPage }));
const ProblemsPage = lazy(async () => ({ default: (await import('../pages/ProblemsPage.js')).ProblemsPage }));

function Lazy({ what, children }: { what: string; children: ReactNode }): ReactNode {
  return <Suspense fallback={<div className="ow-page-loading">Loading the {what}…</div>}>{children}</Suspense>;
}

export function App(): ReactNode {
  const s = useStore(session);
  useEffect(() => {
    void start();
  }, []);
  if (s.kind === 'checking') return <div className="ow-splash">Connecting to the gateway…</div>;
  if (s.kind === 'needs-token') return <SignIn reason={s.reason} onToken={(t) => void start(t)} />;
  if (s.kind === 'unreachable') {
    return (
      <div className="ow-splash">
        <div className="ow-splash-card">
          <h1>Cannot reach the gateway</h1>
          <p>{s.message}</p>
          <button type="button" className="ow-button ow-primary" onClick={() => void start()}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  return <Shell />;
}

function Shell(): ReactNode {
  const loc = useStore(location);
  const route = useMemo(() => parseRoute(loc.pathname), [loc.pathname]);
  const status = useStore(engine.status);
  const s = useStore(session);
  const [switcher, setSwitcher] = useState(false);
  useEffect(() => engine.watchStatus(), []);

  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'g') {
        pendingG = Date.now();
        return;
      }
      if (e.key === 't' && Date.now() - pendingG < 1_500) {
        e.preventDefault();
        setSwitcher(true);
      }
      pendingG = 0;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const who = s.kind === 'signed-in' ? s.who : undefined;
  return (
    <div className="ow-app">
      <header className="ow-header">
        <Link href="/" className="ow-brand" aria-label="Dashboard">
          <span className="ow-logo" aria-hidden="true" />
          OVSDB Web
        </Link>
        <Breadcrumb route={route} />
        <div className="ow-header-right">
          <ConnectionBadge />
          {who?.role === 'admin' && (
            <Link href="/audit" className="ow-header-link">
              Audit log
            </Link>
          )}
          {who && (
            <span
              className="ow-who"
              title={
                who.readOnly
                  ? 'The gateway runs with --read-only: no transaction is accepted.'
                  : `Signed in as ${who.name}`
              }
            >
              <span className="ow-who-name">{who.name}</span>
              <span className={`ow-role ow-role-${who.role}`}>{who.role}</span>
              {!canEdit(s) && <span className="ow-readonly">read-only</span>}
            </span>
          )}
          {who?.authRequired && (
            <button type="button" className="ow-icon-button" onClick={signOut} title="Sign out" aria-label="Sign out">
              ⎋
            </button>
          )}
          <ThemeToggle />
        </div>
      </header>
      <div className="ow-body">
        <Sidebar remotes={status.remotes} databases={status.databases} route={route} />
        <main className="ow-main">
          <Page route={route} search={loc.search} />
        </main>
      </div>
      {switcher && <TableSwitcher databases={status.databases} onClose={() => setSwitcher(false)} />}
    </div>
  );
}

function Page({ route, search }: { route: Route; search: string }): ReactNode {
  switch (route.page) {
    case 'dashboard':
      return <Dashboard />;
    case 'table':
      return <TablePage key={`${route.remote}/${route.db}/${route.table}`} route={route} search={search} />;
    case 'schema':
      return (
        <Lazy what="schema view">
          <SchemaPage remote={route.remote} db={route.db} />
        </Lazy>
      );
    case 'changes':
      return (
        <Lazy what="change log">
          <ChangesPage key={`${route.remote}/${route.db}`} remote={route.remote} db={route.db} />
        </Lazy>
      );
    case 'audit':
      return (
        <Lazy what="audit log">
          <AuditPage />
        </Lazy>
      );
    case 'problems':
      return (
        <Lazy what="problems">
          <ProblemsPage key={`${route.remote}/${route.db}`} remote={route.remote} db={route.db} />
        </Lazy>
      );
    case 'not-found':
      return <NotFound what={`There is no page at ${route.path}.`} />;
  }
}

function Breadcrumb({ route }: { route: Route }): ReactNode {
  if (route.page === 'audit') {
    return (
      <nav className="ow-crumbs" aria-label="Location">
        <span className="ow-crumb ow-crumb-current">Audit log</span>
      </nav>
    );
  }
  if (route.page === 'dashboard' || route.page === 'not-found')
    return <nav className="ow-crumbs" aria-label="Location" />;
  return (
    <nav className="ow-crumbs" aria-label="Location">
      <span className="ow-crumb">{route.remote}</span>
      <span className="ow-crumb-sep">›</span>
      <Link href={`${dbPath(route.remote, route.db)}/schema`} className="ow-crumb">
        {route.db}
      </Link>
      {route.page === 'table' && (
        <>
          <span className="ow-crumb-sep">›</span>
          <Link href={tablePath(route.remote, route.db, route.table)} className="ow-crumb ow-crumb-current">
            {route.table}
          </Link>
        </>
      )}
      {route.page !== 'table' && (
        <>
          <span className="ow-crumb-sep">›</span>
          <span className="ow-crumb ow-crumb-current">
            {route.page === 'schema' ? 'Schema' : route.page === 'problems' ? 'Problems' : 'Change log'}
          </span>
        </>
      )}
    </nav>
  );
}

function Sidebar({
  remotes,
  databases,
  route,
}: {
  remotes: RemoteStatus[];
  databases: DatabaseStats[];
  route: Route;
}): ReactNode {
  const [hideEmpty, setHideEmpty] = useState(false);
  const current = route.page === 'table' ? route : undefined;
  return (
    <nav className="ow-sidebar" aria-label="Tables">
      <div className="ow-side-head">
        <span>Tables</span>
        <label className="ow-side-toggle" title="Hide tables without rows">
          <input type="checkbox" checked={hideEmpty} onChange={(e) => setHideEmpty(e.target.checked)} /> non-empty
        </label>
      </div>
      {remotes.map((r) => (
        <div key={r.name} className="ow-side-remote">
          <div className="ow-side-remote-name" title={r.remote}>
            <span
              className={`ow-dot ow-dot-${r.status === 'connected' ? 'ok' : r.status === 'connecting' ? 'warn' : 'bad'}`}
              aria-hidden="true"
            />
            {r.name}
          </div>
          {databases
            .filter((d) => d.remote === r.name && d.db !== '_Server')
            .map((d) => (
              <div key={d.db} className="ow-side-db">
                <div className="ow-side-db-name">
                  <span className="ow-side-db-title">{d.db}</span>
                  <span className="ow-side-db-links">
                    <Link href={`${dbPath(r.name, d.db)}/schema`}>schema</Link>
                    <Link href={`${dbPath(r.name, d.db)}/changes`}>changes</Link>
                    {d.db === 'OVN_Northbound' && <Link href={`${dbPath(r.name, d.db)}/problems`}>problems</Link>}
                  </span>
                </div>
                <ul>
                  {/* By name, a place that stays put (the gateway's order is its monitor's; row counts change). */}
                  {d.tables
                    .filter((t) => !hideEmpty || t.rows > 0)
                    .sort((a, b) => a.name.localeCompare(b.name, 'en'))
                    .map((t) => {
                      const active = current?.remote === r.name && current.db === d.db && current.table === t.name;
                      return (
                        <li key={t.name}>
                          <Link
                            href={tablePath(r.name, d.db, t.name)}
                            className={`ow-side-table${active ? ' ow-active' : ''}`}
                            aria-current={active ? 'page' : undefined}
                            aria-label={t.name}
                          >
                            <span className="ow-side-table-name">{t.name}</span>
                            <span className={`ow-side-count${t.rows === 0 ? ' ow-zero' : ''}`}>
                              {formatCount(t.rows)}
                            </span>
                          </Link>
                        </li>
                      );
                    })}
                </ul>
              </div>
            ))}
        </div>
      ))}
      {remotes.length === 0 && <p className="ow-side-empty">Waiting for the gateway…</p>}
    </nav>
  );
}
