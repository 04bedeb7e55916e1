/**
 * Who is asking, decided on the route that matched — never on the raw URL, which can be spelled many ways
 * (`/%61pi/…`, `/api//…`, query strings) for one route. Deny by default: every route needs at least the
 * `viewer` role unless it declares `config: { public: true }` (health, the web app's files); a route that
 * needs more declares `config: { role }`. Roles are enforced here, never only in the browser.
 *
 * Without an auth file nobody is authenticated, so the gateway listens on loopback only and also checks
 * `Host`: a page from another site that rebinds its DNS name to 127.0.0.1 sends its own name as Host.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ROLES, STREAM_TOKEN_PREFIX, type Role } from '@ovsdb-web/protocol';
import { UsageError } from '@ovsdb-web/client';
import { isLoopback, type GatewayConfig } from '../config.js';
import { forbidden, unauthorized } from './errors.js';

export interface Principal {
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Served to anyone, without a token. */
    public?: boolean;
    /** The least role that may use the route (default viewer). */
    role?: Role;
  }
}

/** Everyone is this when the gateway runs without an auth file (loopback only). */
export const LOCAL_ADMIN: Principal = { name: 'local', role: 'admin' };
/** Who a public route sees before (or without) a token. */
export const ANONYMOUS: Principal = { name: 'anonymous', role: 'viewer' };

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
      throw new UsageError(`--auth ${source}: not valid JSON (${(err as Error).message})`);
    }
    const tokens = typeof json === 'object' && json !== null && 'tokens' in json ? json.tokens : undefined;
    if (!Array.isArray(tokens) || tokens.length === 0) {
      throw new UsageError(
        `--auth ${source}: expected {"tokens":[{"name","role","token"|"tokenSha256"}, ...]} with at least one token`,
      );
    }
    const byDigest = new Map<string, Principal>();
    tokens.forEach((t: unknown, i) => {
      const where = `--auth ${source}: tokens[${i}]`;
      if (typeof t !== 'object' || t === null) throw new UsageError(`${where} must be an object`);
      const e = t as Record<string, unknown>;
      if (typeof e.name !== 'string' || e.name === '')
        throw new UsageError(`${where}: "name" must be a non-empty string`);
      const role = ROLES.find((r) => r === e.role);
      if (!role) throw new UsageError(`${where} (${e.name}): "role" must be one of ${ROLES.join(', ')}`);
      const hasPlain = e.token !== undefined;
      const hasHash = e.tokenSha256 !== undefined;
      if (hasPlain === hasHash)
        throw new UsageError(`${where} (${e.name}): give exactly one of "token" and "tokenSha256"`);
      let digest: string;
      if (hasPlain) {
        if (typeof e.token !== 'string' || e.token.length < 16)
          throw new UsageError(`${where} (${e.name}): "token" must be a string of at least 16 characters`);
        digest = sha256Hex(e.token);
      } else {
        if (typeof e.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(e.tokenSha256)) {
          throw new UsageError(`${where} (${e.name}): "tokenSha256" must be 64 hex digits`);
        }
        digest = e.tokenSha256.toLowerCase();
      }
      if (byDigest.has(digest)) throw new UsageError(`${where} (${e.name}): the same token is listed twice`);
      byDigest.set(digest, { name: e.name, role });
    });
    return new TokenStore(byDigest);
  }

  static async load(path: string): Promise<TokenStore> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new UsageError(
        `--auth ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    return TokenStore.parse(text, path);
  }
}

/** The bearer token of a request: the Authorization header, else a `bearer.<token>` WebSocket subprotocol. */
export function tokenFrom(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith(STREAM_TOKEN_PREFIX)) return t.slice(STREAM_TOKEN_PREFIX.length);
    }
  }
  return undefined;
}

/** The hostname of a Host header (`[::1]:8080` → `::1`), lower-cased; undefined when it is not one. */
export function hostnameOf(host: string): string | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(host);
  return m ? (m[1] ?? m[2])?.toLowerCase() : undefined;
}

export interface AuthOptions {
  tokens: TokenStore | undefined;
  config: Pick<GatewayConfig, 'listen' | 'allowOrigins'>;
}

/** Whether the request is for a path the web app serves to anyone: a GET outside `/api/` that matched no route. */
function isAppPath(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = req.url.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  const normal = decoded.replace(/\/{2,}/g, '/').toLowerCase();
  return !normal.startsWith('/api/') && normal !== '/api' && !normal.startsWith('/metrics');
}

export const authPlugin = fp(
  async (app: FastifyInstance, opts: AuthOptions) => {
    const { tokens, config } = opts;
    const allowedHosts = new Set<string>(['localhost', config.listen.host.toLowerCase()]);
    for (const o of config.allowOrigins) {
      try {
        allowedHosts.add(new URL(o).hostname.replace(/^\[|\]$/g, '').toLowerCase());
      } catch {
        // Checked when the configuration was read.
      }
    }
    // Set by the hook below before any handler runs.
    const principals = new WeakMap<FastifyRequest, Principal>();
    app.decorateRequest('principal', {
      getter(this: FastifyRequest) {
        return principals.get(this) ?? ANONYMOUS;
      },
      setter(this: FastifyRequest, value: Principal) {
        principals.set(this, value);
      },
    });
    app.addHook('onRequest', async (req) => {
      req.principal = ANONYMOUS;
      if (!tokens) {
        const host = hostnameOf(req.headers.host ?? '');
        if (host === undefined || (!isLoopback(host) && !allowedHosts.has(host))) {
          throw forbidden(
            `Host ${JSON.stringify(req.headers.host ?? '')} is not this gateway; without --auth it answers only to loopback names`,
          );
        }
      }
      const config = req.routeOptions.config;
      const open = config.public === true || (req.is404 && isAppPath(req));
      let principal: Principal;
      if (!tokens) principal = LOCAL_ADMIN;
      else {
        const token = tokenFrom(req.headers);
        const who = token === undefined ? undefined : tokens.identify(token);
        if (!who && !open) {
          throw unauthorized(
            token === undefined
              ? 'a bearer token is required (Authorization: Bearer TOKEN, or the "bearer.TOKEN" WebSocket subprotocol)'
              : 'the bearer token is not valid',
          );
        }
        principal = who ?? ANONYMOUS;
      }
      req.principal = principal;
      const needed = config.role ?? 'viewer';
      if (!open && !roleAtLeast(principal.role, needed))
        throw forbidden(`${principal.name} has role ${principal.role}; this needs ${needed}`);
    });
  },
  { name: 'ovsdb-web-auth', dependencies: ['ovsdb-web-errors'] },
);
