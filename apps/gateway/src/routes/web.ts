/**
 * The web app: its built files (public: the page must load before anyone can sign in) and, for any other
 * GET outside `/api/`, its `index.html`, so a deep link such as `/remotes/nb/dbs/OVN_Northbound/tables/ACL`
 * opens the app at that view. Unknown API paths get a 404 in the API's error shape.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Gateway } from '../app.js';
import { notFound } from '../plugins/errors.js';

const NO_APP = `<!doctype html><meta charset="utf-8"><title>OVSDB Web</title>
<p>The web app is not built. Run <code>pnpm build</code> (or start with <code>pnpm demo</code>), or pass <code>--static DIR</code>.
The API is at <a href="/api/v1/remotes">/api/v1/remotes</a>.</p>`;

/**
 * The page's Content-Security-Policy: its own scripts (and its inline ones, by hash), styles, images and
 * workers only, connections to this gateway only (its WebSocket included), never framed (an editor that
 * commits transactions must not be clickjacked).
 */
function contentSecurityPolicy(indexHtml: string): string {
  const inline = [...indexHtml.matchAll(/<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' ${inline.join(' ')}`.trim(),
    // React sets style attributes (column widths, row offsets).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Headers of every file of the app. Not cross-origin isolation (COOP + COEP): tried, it made the first rows of
 * a 100,000-row table ~300 ms later and its whole snapshot ~0.8 s later in Chromium here (A/B, 8 loads each).
 */
function appHeaders(reply: FastifyReply, file: { page: boolean; csp?: string | undefined }): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cross-origin-resource-policy', 'same-origin');
  if (!file.page) return;
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  if (file.csp !== undefined) reply.header('content-security-policy', file.csp);
}

export async function webRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  const dir = gateway.config.staticDir;
  const hasApp = dir !== undefined && existsSync(join(dir, 'index.html'));
  const csp = hasApp ? contentSecurityPolicy(readFileSync(join(dir, 'index.html'), 'utf8')) : undefined;
  // Routes made in this scope (one per built file) are public.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), public: true };
  });
  if (hasApp) {
    await app.register(fastifyStatic, {
      root: dir,
      wildcard: false,
      // Hashed asset names never change content; the page itself must be revalidated.
      setHeaders: (reply, path) => {
        const page = path.endsWith('.html');
        reply.header('cache-control', page ? 'no-cache' : 'public, max-age=31536000, immutable');
        // Other pages in the directory (the benchmark's floor page) keep their inline scripts: no CSP.
        appHeaders(reply, { page, csp: path.endsWith('index.html') ? csp : undefined });
      },
    });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(NO_APP));
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const api = /^\/(api|metrics)(\/|$)/i.test(safeDecode(path));
    if ((req.method === 'GET' || req.method === 'HEAD') && !api) {
      if (hasApp) {
        appHeaders(reply, { page: true, csp });
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      return reply.code(404).type('text/html; charset=utf-8').send(NO_APP);
    }
    const err = notFound(`no route ${req.method} ${path.slice(0, 200)}`);
    return reply.code(404).send(err.toBody());
  });
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path).replace(/\/{2,}/g, '/');
  } catch {
    return path;
  }
}
