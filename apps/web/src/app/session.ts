/**
 * Who the page acts as. A token (when the gateway needs one) is kept for the tab in sessionStorage and sent
 * on every request and on the stream; `whoami` says the name, role and whether the gateway is read-only.
 */
import { isJsonObject, type Json } from '@ovsdb-web/client/core';
import type { WhoAmI } from '@ovsdb-web/protocol';
import { ApiFailure, get, setToken } from '../api/rest.js';
import { Store } from './store.js';
import { engine } from './engine.js';
import { keepToken, readToken } from './token.js';

export type Session =
  | { kind: 'checking' }
  | { kind: 'signed-in'; who: WhoAmI }
  | { kind: 'needs-token'; reason: string | undefined }
  | { kind: 'unreachable'; message: string };

export const session = new Store<Session>({ kind: 'checking' });

function parseWhoAmI(j: Json): WhoAmI | undefined {
  if (!isJsonObject(j) || typeof j.name !== 'string' || typeof j.readOnly !== 'boolean') return undefined;
  const role = j.role === 'viewer' || j.role === 'editor' || j.role === 'admin' ? j.role : undefined;
  if (!role) return undefined;
  return { name: j.name, role, readOnly: j.readOnly, authRequired: j.authRequired === true };
}

/** Ask the gateway who this token is; connect the stream when it is someone. */
export async function start(token = readToken()): Promise<void> {
  setToken(token);
  session.set({ kind: 'checking' });
  try {
    const who = parseWhoAmI(await get('/api/v1/whoami'));
    if (!who) throw new ApiFailure(200, 'internal', 'the gateway answered whoami with something unexpected');
    if (token) keepToken(token);
    session.set({ kind: 'signed-in', who });
    engine.connect(window.location.origin, token);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) {
      session.set({ kind: 'needs-token', reason: token ? 'The gateway does not know this token.' : undefined });
      return;
    }
    session.set({ kind: 'unreachable', message: err instanceof Error ? err.message : String(err) });
  }
}

export function signOut(): void {
  keepToken(undefined);
  setToken(undefined);
  engine.connect(window.location.origin, undefined);
  session.set({ kind: 'needs-token', reason: undefined });
}

/** May this session change data? The gateway decides; this only says what the page should offer. */
export function canEdit(s: Session): boolean {
  return editBlockedBecause(s) === undefined;
}

/** Why this session cannot edit, in words for the page (undefined: it can). */
export function editBlockedBecause(s: Session): string | undefined {
  if (s.kind !== 'signed-in') return 'not signed in';
  if (s.who.readOnly) return 'The gateway runs with --read-only: it refuses every change.';
  if (s.who.role === 'viewer') return `Your role (${s.who.role}) can only read; editing needs editor or admin.`;
  return undefined;
}
