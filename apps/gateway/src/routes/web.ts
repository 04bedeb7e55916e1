/**
 * The web app: its built files (public: the page must load before anyone can sign in) and, for any other
 * GET outside `/api/`, its `index.html`, so a deep link such as `/remotes/nb/dbs/OVN_Northbound/tables/ACL`
 * opens the app at that view. Unknown API paths get a 404 in the API's error shape.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Gateway } from '../app.js';
import { notFound } from '../plugins/errors.js';

const NO_APP = `<!doctype html><meta charset="utf-8"><title>OVSDB Web</title>
<p>The web app is not built. Run <code>pnpm build</code> (or start with <code>pnpm demo</code>), or pass <code>--static DIR</code>.
The API is at <a href="/api/v1/remotes">/api/v1/remotes</a>.</p>`;

export async function webRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  const dir = gateway.config.staticDir;
  const hasApp = dir !== undefined && existsSync(join(dir, 'index.html'));
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
        reply.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      },
    });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(NO_APP));
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const api = /^\/(api|metrics)(\/|$)/i.test(safeDecode(path));
    if ((req.method === 'GET' || req.method === 'HEAD') && !api) {
      if (hasApp) return reply.header('cache-control', 'no-cache').sendFile('index.html');
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
