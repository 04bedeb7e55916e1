/**
 * `GET /api/v1/stream`: the WebSocket. Authentication happened on the upgrade request like on any route;
 * here only the Origin is checked, since any page a browser shows can try to open a WebSocket.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Gateway } from '../app.js';
import { isLoopback } from '../config.js';
import { forbidden } from '../plugins/errors.js';
import { StreamSession } from '../stream/session.js';

export async function streamRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.get(
    '/api/v1/stream',
    { websocket: true, preValidation: async (req) => checkOrigin(gateway, req) },
    (socket, req) => {
      const session = new StreamSession(
        socket,
        req.principal,
        gateway.remotes,
        gateway.metrics,
        gateway.limits,
        req.log,
      );
      gateway.sessions.add(session);
      socket.on('close', () => gateway.sessions.delete(session));
    },
  );
}

/**
 * Only the gateway's own origin (and configured ones) may stream; a loopback page may use a loopback-only
 * gateway without auth.
 */
function checkOrigin(gateway: Gateway, req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin === undefined) return; // not a browser
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw forbidden(`Origin ${JSON.stringify(origin.slice(0, 200))} is not a URL`);
  }
  if (url.host === req.headers.host || gateway.config.allowOrigins.includes(origin)) return;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (!gateway.tokens && isLoopback(hostname) && isLoopback(gateway.config.listen.host)) return;
  throw forbidden(
    `WebSocket from origin ${origin.slice(0, 200)} is not allowed (allowed: the gateway's own, ${gateway.config.allowOrigins.join(', ') || 'no others'}; see --allow-origin)`,
  );
}
