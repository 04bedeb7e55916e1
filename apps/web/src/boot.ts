/**
 * The page's first script, a few kilobytes that run while the app's bundle still downloads and parses: it
 * starts the engine's worker, connects the stream with the tab's token, starts loading the table in the URL
 * and asks `whoami`, so the first rows are on their way before React has rendered anything. (A wrong or
 * missing token only costs a refused stream; the app then says why.)
 */
import { postToEngine } from './app/engine-worker.js';
import { readToken } from './app/token.js';
import { parseRoute } from './app/router.js';
import { getEarly } from './app/early.js';

const token = readToken();
getEarly('/api/v1/whoami', token);
postToEngine({ type: 'connect', base: window.location.origin, token });
const route = parseRoute(window.location.pathname);
if (route.page === 'table')
  postToEngine({ type: 'table.prefetch', target: { remote: route.remote, db: route.db, table: route.table } });
