/**
 * The remotes a gateway serves, by name, as a Fastify decorator (`app.remotes`): feeds looked up with errors
 * that say why one is missing, status for `/api/v1/remotes` and dashboards, and one close for shutdown.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { DatabaseStats, RemoteStatus } from '@ovsdb-web/protocol';
import type { GatewayConfig } from '../config.js';
import { notFound } from '../plugins/errors.js';
import type { Feed } from './feed.js';
import { RemoteConnection } from './remote.js';

export class Remotes {
  private readonly byName = new Map<string, RemoteConnection>();

  constructor(config: GatewayConfig, log: FastifyBaseLogger) {
    for (const r of config.remotes) this.byName.set(r.name, new RemoteConnection(r, config, log));
  }

  values(): IterableIterator<RemoteConnection> {
    return this.byName.values();
  }

  get(name: string): RemoteConnection | undefined {
    return this.byName.get(name);
  }

  /** The remote, or a not_found naming the ones there are. */
  remote(name: string): RemoteConnection {
    const r = this.byName.get(name);
    if (!r) throw notFound(`no remote named ${name}; configured: ${[...this.byName.keys()].join(', ')}`);
    return r;
  }

  feed(remote: string, db: string): Feed {
    return this.remote(remote).feed(db);
  }

  status(): { remotes: RemoteStatus[]; databases: DatabaseStats[] } {
    const remotes: RemoteStatus[] = [];
    const databases: DatabaseStats[] = [];
    for (const r of this.byName.values()) {
      remotes.push(r.status());
      databases.push(...r.stats());
    }
    return { remotes, databases };
  }

  async close(): Promise<void> {
    await Promise.all([...this.byName.values()].map((r) => r.close()));
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    remotes: Remotes;
  }
}

export const remotesPlugin = fp(
  async (app: FastifyInstance, opts: { config: GatewayConfig }) => {
    const remotes = new Remotes(opts.config, app.log);
    app.decorate('remotes', remotes);
    app.addHook('onClose', async () => remotes.close());
  },
  { name: 'ovsdb-web-remotes' },
);
