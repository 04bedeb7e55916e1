/** `/healthz` (public: load balancers probe it) and `/metrics` (Prometheus text, viewer role). */
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../app.js';

export async function healthRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.get('/healthz', { config: { public: true } }, async () => ({
    status: 'ok',
    remotes: [...gateway.remotes.values()].map((r) => ({ name: r.name, status: r.client.status })),
  }));
  app.get('/metrics', async (_req, reply) => {
    reply.type(gateway.metrics.registry.contentType);
    return reply.send(await gateway.metrics.registry.metrics());
  });
}
