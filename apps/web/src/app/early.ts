/**
 * Requests the boot script sends before the app has loaded, for the app to pick up: `whoami` is the round
 * trip between the app's first render and its first page.
 */
import { authHeaders } from './token.js';

let whoami: { token: string | undefined; response: Promise<Response> } | undefined;

export function askWhoAmIEarly(token: string | undefined): void {
  const response = fetch('/api/v1/whoami', { headers: authHeaders(token) });
  // Not read when the app asks with another token: the failure is the app's to report, not an unhandled one.
  response.catch(() => undefined);
  whoami = { token, response };
}

/** The early `whoami` response, once, when it was asked with this token. */
export function takeEarlyWhoAmI(token: string | undefined): Promise<Response> | undefined {
  const w = whoami;
  whoami = undefined;
  return w && w.token === token ? w.response : undefined;
}
