/**
 * GET requests the boot script sends before the app has loaded, for the app's REST calls to pick up (see
 * `request`): `whoami` is the round trip between the app's first render and its first page.
 */
import { authHeaders } from './token.js';

const early = new Map<string, { token: string | undefined; response: Promise<Response> }>();

export function getEarly(path: string, token: string | undefined): void {
  const response = fetch(path, { headers: authHeaders(token) });
  // Not read when the app asks with another token: the failure is the app's to report, not an unhandled one.
  response.catch(() => undefined);
  early.set(path, { token, response });
}

/** The early response for this path, once, when it was asked with this token. */
export function takeEarly(path: string, token: string | undefined): Promise<Response> | undefined {
  const e = early.get(path);
  early.delete(path);
  return e && e.token === token ? e.response : undefined;
}
