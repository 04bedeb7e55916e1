/**
 * URLs mirror the REST paths, so a link can be guessed and shared:
 *   /                                              dashboard
 *   /remotes/:remote/dbs/:db/tables/:table         a table (?where=…&sort=…&columns=…)
 *   /remotes/:remote/dbs/:db/tables/:table/rows/:uuid   the same, with a row open
 *   /remotes/:remote/dbs/:db/schema                the schema
 *   /remotes/:remote/dbs/:db/changes               the change log
 *   /remotes/:remote/dbs/:db/problems              OVN problems (OVN_Northbound)
 *   /audit                                         the audit log (admins)
 */
import { Store } from './store.js';

export type Route =
  | { page: 'dashboard' }
  | { page: 'table'; remote: string; db: string; table: string; uuid: string | undefined }
  | { page: 'schema'; remote: string; db: string }
  | { page: 'changes'; remote: string; db: string }
  | { page: 'audit' }
  | { page: 'problems'; remote: string; db: string }
  | { page: 'not-found'; path: string };

export interface Location {
  pathname: string;
  search: string;
}

function seg(s: string | undefined): string {
  try {
    return decodeURIComponent(s ?? '');
  } catch {
    return s ?? '';
  }
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'dashboard' };
  if (parts.length === 1 && parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'remotes' && parts[2] === 'dbs' && parts.length >= 4) {
    const remote = seg(parts[1]);
    const db = seg(parts[3]);
    if (
      parts[4] === 'tables' &&
      parts[5] !== undefined &&
      (parts.length === 6 || (parts.length === 8 && parts[6] === 'rows'))
    ) {
      return {
        page: 'table',
        remote,
        db,
        table: seg(parts[5]),
        uuid: parts[7] === undefined ? undefined : seg(parts[7]).toLowerCase(),
      };
    }
    if (parts.length === 5 && parts[4] === 'schema') return { page: 'schema', remote, db };
    if (parts.length === 5 && parts[4] === 'changes') return { page: 'changes', remote, db };
    if (parts.length === 5 && parts[4] === 'problems') return { page: 'problems', remote, db };
  }
  return { page: 'not-found', path: pathname };
}

const enc = encodeURIComponent;

export function dbPath(remote: string, db: string): string {
  return `/remotes/${enc(remote)}/dbs/${enc(db)}`;
}

export function tablePath(remote: string, db: string, table: string, uuid?: string): string {
  return `${dbPath(remote, db)}/tables/${enc(table)}${uuid ? `/rows/${enc(uuid)}` : ''}`;
}

export const location = new Store<Location>({ pathname: window.location.pathname, search: window.location.search });

window.addEventListener('popstate', () =>
  location.set({ pathname: window.location.pathname, search: window.location.search }),
);

/** Go to `href` (path and query) without a reload; `replace` for changes that should not add history. */
export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(href, window.location.origin);
  if (url.pathname === window.location.pathname && url.search === window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  location.set({ pathname: url.pathname, search: url.search });
}

/** The query of the current location with some keys set (or removed when empty). */
export function withQuery(search: string, changes: Record<string, string | undefined>): string {
  const q = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
