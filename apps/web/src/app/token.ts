/** The tab's token for the gateway, kept in sessionStorage (storage may be off: then there is none). */
const KEY = 'ovsdb-web.token';

export function readToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function keepToken(token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // storage may be off; the session then lasts as long as the page
  }
}

/** The header that carries a token to the gateway's REST API (none without a token). */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
