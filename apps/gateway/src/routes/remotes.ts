/** Who am I, the remotes and their status, and per-database counts and change rates. */
import type { FastifyInstance } from 'fastify';
import { schemas, type DatabaseStats, type RemoteStatus, type WhoAmI } from '@ovsdb-web/protocol';
import type { Gateway } from '../app.js';

interface DbParams {
  remote: string;
  db: string;
}

export async function remoteRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.get<{ Reply: WhoAmI }>('/api/v1/whoami', { schema: { response: { 200: schemas.whoAmI } } }, async (req) => ({
    name: req.principal.name,
    role: req.principal.role,
    readOnly: gateway.config.readOnly,
    authRequired: gateway.tokens !== undefined,
  }));

  app.get<{ Reply: RemoteStatus[] }>(
    '/api/v1/remotes',
    { schema: { response: { 200: { type: 'array', items: schemas.remoteStatus } } } },
    async () => [...gateway.remotes.values()].map((r) => r.status()),
  );

  app.get<{ Params: DbParams; Reply: DatabaseStats }>(
    '/api/v1/remotes/:remote/dbs/:db/stats',
    { schema: { params: schemas.dbParams, response: { 200: schemas.databaseStats } } },
    async (req) => {
      const remote = gateway.remotes.remote(req.params.remote);
      return remote.feed(req.params.db).stats(remote.databaseState());
    },
  );
}
