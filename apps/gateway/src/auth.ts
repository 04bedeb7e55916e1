/**
 * Tokens and roles. The auth file maps bearer tokens (or their SHA-256) to a name and a role:
 * `viewer` reads, `editor` also transacts, `admin` may do everything. Roles are enforced here, in the
 * gateway, never only in the browser.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from './config.js';

export type Role = 'viewer' | 'editor' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

export interface Principal {
  name: string;
  role: Role;
}

/** Everyone is this when the gateway runs without an auth file (loopback only). */
export const LOCAL_ADMIN: Principal = { name: 'local', role: 'admin' };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class TokenStore {
  private constructor(private readonly byDigest: ReadonlyMap<string, Principal>) {}

  get size(): number {
    return this.byDigest.size;
  }

  /** Who holds `token`, or undefined. Looks up the digest, so stored plain tokens are never compared as text. */
  identify(token: string): Principal | undefined {
    return this.byDigest.get(sha256Hex(token));
  }

  static parse(text: string, source: string): TokenStore {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`--auth ${source}: not valid JSON (${(err as Error).message})`);
    }
    const tokens = (json as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(tokens) || tokens.length === 0) {
      throw new ConfigError(`--auth ${source}: expected {"tokens":[{"name","role","token"|"tokenSha256"}, ...]} with at least one token`);
    }
    const byDigest = new Map<string, Principal>();
    tokens.forEach((t: unknown, i) => {
      const where = `--auth ${source}: tokens[${i}]`;
      if (typeof t !== 'object' || t === null) throw new ConfigError(`${where} must be an object`);
      const e = t as Record<string, unknown>;
      if (typeof e.name !== 'string' || e.name === '') throw new ConfigError(`${where}: "name" must be a non-empty string`);
      if (typeof e.role !== 'string' || !(ROLES as readonly string[]).includes(e.role)) {
        throw new ConfigError(`${where} (${e.name}): "role" must be one of ${ROLES.join(', ')}`);
      }
      const hasPlain = e.token !== undefined;
      const hasHash = e.tokenSha256 !== undefined;
      if (hasPlain === hasHash) throw new ConfigError(`${where} (${e.name}): give exactly one of "token" and "tokenSha256"`);
      let digest: string;
      if (hasPlain) {
        if (typeof e.token !== 'string' || e.token.length < 16) throw new ConfigError(`${where} (${e.name}): "token" must be a string of at least 16 characters`);
        digest = sha256Hex(e.token);
      } else {
        if (typeof e.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(e.tokenSha256)) {
          throw new ConfigError(`${where} (${e.name}): "tokenSha256" must be 64 hex digits`);
        }
        digest = e.tokenSha256.toLowerCase();
      }
      if (byDigest.has(digest)) throw new ConfigError(`${where} (${e.name}): the same token is listed twice`);
      byDigest.set(digest, { name: e.name, role: e.role as Role });
    });
    return new TokenStore(byDigest);
  }

  static async load(path: string): Promise<TokenStore> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`--auth ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return TokenStore.parse(text, path);
  }
}

/** The WebSocket subprotocol that carries a token, since browsers cannot set headers on an upgrade. */
export const WS_PROTOCOL = 'ovsdb-web.v1';
export const WS_TOKEN_PREFIX = 'bearer.';

/** The bearer token of a request: the Authorization header, else a `bearer.<token>` WebSocket subprotocol. */
export function tokenFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith(WS_TOKEN_PREFIX)) return t.slice(WS_TOKEN_PREFIX.length);
    }
  }
  return undefined;
}
