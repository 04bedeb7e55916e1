/**
 * Listening and graceful shutdown: SIGINT/SIGTERM close the WebSocket sessions (code 1001), the OVSDB
 * connections and the audit log, then exit.
 */
import type { FastifyInstance } from 'fastify';
import type { ListenAddress } from './config.js';

export async function listen(app: FastifyInstance, at: ListenAddress): Promise<string> {
  const address = await app.listen({ host: at.host, port: at.port });
  return address;
}

export function closeOnSignals(app: FastifyInstance, extra?: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // A stuck close must not keep the process alive forever.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app
      .close()
      .then(() => extra?.())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'error while shutting down');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
