/**
 * The page at `/` when no built SPA is configured: what the gateway serves and where, so an operator who
 * opens the address sees live status instead of a 404.
 */
import type { Gateway } from './app.js';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function landingPage(gateway: Gateway): string {
  const rows = [...gateway.remotes.values()]
    .map((r) => {
      const s = r.status();
      const dbs = s.databases
        .map((db) => {
          const feed = r.feeds.get(db);
          const tables = feed ? [...feed.monitor.cache.tables.values()].filter((t) => t.size > 0) : [];
          const links = tables
            .map((t) => `<a href="/api/v1/remotes/${encodeURIComponent(s.name)}/dbs/${encodeURIComponent(db)}/tables/${encodeURIComponent(t.name)}/rows?limit=50">${escape(t.name)}</a> (${t.size})`)
            .join(', ');
          return `<li><b>${escape(db)}</b> — <a href="/api/v1/remotes/${encodeURIComponent(s.name)}/dbs/${encodeURIComponent(db)}/schema">schema</a>; ${links || 'no rows'}</li>`;
        })
        .join('');
      return `<tr><td>${escape(s.name)}</td><td><code>${escape(s.remote)}</code></td><td>${escape(s.status)}${s.lastError ? ` — ${escape(s.lastError)}` : ''}</td><td><ul>${dbs}</ul></td></tr>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OVSDB Web gateway</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}td,th{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}ul{margin:0;padding-left:1rem}</style>
</head><body>
<h1>OVSDB Web gateway</h1>
<p>The web UI is not built into this gateway (no <code>--static</code> directory), so this page lists what the API serves.
See <code>docs/API.md</code> for the REST routes and the WebSocket protocol at <code>/api/v1/stream</code>.</p>
<table><thead><tr><th>remote</th><th>address</th><th>status</th><th>databases (tables with rows)</th></tr></thead><tbody>${rows}</tbody></table>
<p><a href="/api/v1/remotes">/api/v1/remotes</a> · <a href="/healthz">/healthz</a> · <a href="/metrics">/metrics</a>${gateway.config.readOnly ? ' · read-only mode' : ''}</p>
</body></html>`;
}
