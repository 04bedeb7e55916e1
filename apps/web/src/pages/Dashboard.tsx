/**
 * Every remote with its status in plain words, the member in use and the cluster leader, its databases and
 * every table with a live row count and its change rate over the last five minutes.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { DatabaseStats, RemoteStatus } from '@ovsdb-web/protocol';
import { Sparkline } from '@ovsdb-web/ui';
import { useStore } from '../hooks/use-store.js';
import { engine } from '../app/engine.js';
import { dbPath, tablePath } from '../app/router.js';
import { Link } from '../app/Link.js';
import { formatCount } from '../app/format.js';

const PROBLEM: Record<NonNullable<RemoteStatus['problem']>, string> = {
  unreachable: 'remote unreachable',
  auth: 'authentication failed',
  tls: 'TLS failed',
  not_leader: 'no cluster leader reachable',
  unresponsive: 'server stopped answering',
  protocol: 'protocol error',
  other: 'error',
};

function statusWords(r: RemoteStatus, dbs: DatabaseStats[]): { tone: 'ok' | 'warn' | 'bad'; text: string } {
  if (r.status === 'connected') {
    if (dbs.some((d) => d.state === 'resyncing')) return { tone: 'warn', text: 'resync in progress' };
    return { tone: 'ok', text: 'connected' };
  }
  if (r.status === 'connecting') return { tone: 'warn', text: 'connecting' };
  if (r.problem) return { tone: 'bad', text: PROBLEM[r.problem] };
  return { tone: 'bad', text: r.status };
}

export function Dashboard(): ReactNode {
  const { remotes, databases, received } = useStore(engine.status);
  if (!received) return <div className="ow-page-loading">Loading status…</div>;
  if (remotes.length === 0) return <div className="ow-page-loading">This gateway serves no remote.</div>;
  return (
    <div className="ow-dashboard">
      <h1 className="ow-page-title">Dashboard</h1>
      {remotes.map((r) => (
        <RemoteCard key={r.name} remote={r} databases={databases.filter((d) => d.remote === r.name)} />
      ))}
    </div>
  );
}

function RemoteCard({ remote, databases }: { remote: RemoteStatus; databases: DatabaseStats[] }): ReactNode {
  const words = statusWords(remote, databases);
  return (
    <section className="ow-card" aria-label={`Remote ${remote.name}`}>
      <header className="ow-card-head">
        <h2>{remote.name}</h2>
        <span className={`ow-pill ow-pill-${words.tone}`}>{words.text}</span>
        <code className="ow-muted ow-remote-text">{remote.remote}</code>
      </header>
      <dl className="ow-facts">
        {remote.member && (
          <>
            <dt>member in use</dt>
            <dd>
              <code>{remote.member}</code>
            </dd>
          </>
        )}
        {remote.clustered && (
          <>
            <dt>cluster leader</dt>
            <dd>
              <code>{remote.leader ?? 'unknown'}</code>
            </dd>
          </>
        )}
        {remote.lastError && (
          <>
            <dt>last error</dt>
            <dd className="ow-error-text">{remote.lastError}</dd>
          </>
        )}
      </dl>
      {databases
        .filter((d) => d.db !== '_Server')
        .map((d) => (
          <DatabaseBlock key={d.db} stats={d} />
        ))}
    </section>
  );
}

function DatabaseBlock({ stats }: { stats: DatabaseStats }): ReactNode {
  const [all, setAll] = useState(false);
  const tables = useMemo(
    () => [...stats.tables].sort((a, b) => b.rows - a.rows || a.name.localeCompare(b.name)),
    [stats.tables],
  );
  const shown = all ? tables : tables.filter((t) => t.rows > 0);
  const total = tables.reduce((s, t) => s + t.rows, 0);
  const minutes = (stats.bucketMs * (stats.tables[0]?.changes.length ?? 0)) / 60_000;
  return (
    <div className="ow-db">
      <div className="ow-db-head">
        <h3>{stats.db}</h3>
        <span className="ow-muted">
          {formatCount(total)} rows in {tables.length} tables · {stats.state === 'live' ? 'live' : stats.state}
        </span>
        <span className="ow-db-links">
          <Link href={`${dbPath(stats.remote, stats.db)}/schema`}>Schema</Link>
          <Link href={`${dbPath(stats.remote, stats.db)}/changes`}>Change log</Link>
          {stats.db === 'OVN_Northbound' && <Link href={`${dbPath(stats.remote, stats.db)}/problems`}>Problems</Link>}
        </span>
      </div>
      <table className="ow-stats">
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col" className="ow-num-col">
              Rows
            </th>
            <th scope="col">Changes, last {minutes} min</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => {
            const sum = t.changes.reduce((a, b) => a + b, 0);
            return (
              <tr key={t.name}>
                <td>
                  <Link href={tablePath(stats.remote, stats.db, t.name)}>{t.name}</Link>
                </td>
                <td className="ow-num-col">{formatCount(t.rows)}</td>
                <td className="ow-spark-cell">
                  <Sparkline values={t.changes} label={`${t.name}: ${sum} changes in the last ${minutes} minutes`} />
                  <span className="ow-muted">{sum > 0 ? formatCount(sum) : ''}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {tables.length > shown.length || all ? (
        <button type="button" className="ow-link-button" onClick={() => setAll((a) => !a)}>
          {all ? 'Hide empty tables' : `Show ${tables.length - shown.length} empty tables`}
        </button>
      ) : null}
    </div>
  );
}
