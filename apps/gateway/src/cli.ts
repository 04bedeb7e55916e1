/**
 * `ovsdb-web serve | demo | codegen`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_USAGE, UsageError, nodeIo, type CliIo } from '@ovsdb-web/client';
import { buildApp } from './app.js';
import { checkExposure, parseDemoArgs, parseOpenArgs, parseServeArgs, type GatewayConfig } from './config.js';
import { startFileRemotes } from './files.js';
import { closeOnSignals, listen } from './server.js';

export const USAGE = `Usage:
  ovsdb-web serve --remote NAME=REMOTE [--remote NAME=REMOTE ...] [options]
  ovsdb-web open DBFILE [DBFILE ...] [options]     (ovsdb-server's own files, read-only)
  ovsdb-web demo [options] [--nodes N] [--pods-per-node N] [--churn CHANGES_PER_S] [--db-file PATH]
  ovsdb-web lint --remote [NAME=]REMOTE [--json]     (problems of an OVN_Northbound database)
  ovsdb-web codegen SCHEMA.ovsschema [-o OUT.ts]

Remotes use OVS syntax: unix:PATH, tcp:HOST:PORT, ssl:HOST:PORT, or a comma-separated list of them
for a clustered database (the gateway then talks to the leader). file:PATH[,file:PATH...] serves
ovsdb-server database files (standalone or clustered, e.g. from a must-gather) read-only.

Options (environment variable in brackets):
  --listen HOST:PORT        where to serve HTTP and WebSocket (default 127.0.0.1:8080) [OVSDB_WEB_LISTEN]
  --auth FILE               tokens and roles, {"tokens":[{"name","role","token"|"tokenSha256"}]} [OVSDB_WEB_AUTH];
                            without it the gateway listens on loopback only and everyone is admin
  --read-only               refuse every transaction [OVSDB_WEB_READ_ONLY]
  --audit-log FILE          append one JSON line per transaction attempt [OVSDB_WEB_AUDIT_LOG]
  --tls-key/--tls-cert/--tls-ca FILE   client key, certificate and CA for ssl: remotes
  --static DIR              serve this built web UI (default: apps/web/dist when it exists) [OVSDB_WEB_STATIC]
  --allow-origin ORIGIN     another origin allowed to open the WebSocket (repeatable)
  --transact-rate N         transactions per second per user (default 20) [OVSDB_WEB_TRANSACT_RATE]
  --transact-timeout MS     how long a transaction may wait for OVSDB before its outcome is reported as
                            unknown (default 30000) [OVSDB_WEB_TRANSACT_TIMEOUT]
  --probe-interval MS       echo probe on an idle OVSDB connection, unix sockets too; 0 turns it off
                            (default 5000) [OVSDB_WEB_PROBE_INTERVAL]
  --history-batches N       update batches kept per database for resuming browsers and row history (default 2000)
  --history-bytes SIZE      ... and at most this much memory for them, e.g. 64M (default 64M)
  --tables DB=T1,T2         monitor only these tables of DB (repeatable; default every table)
  --columns DB.TABLE=c1,c2  monitor only these columns (repeatable; default every column)
  --log-level LEVEL         fatal, error, warn, info, debug, trace or silent (default info) [OVSDB_WEB_LOG_LEVEL]
  --remote NAME=REMOTE      (serve) an OVSDB server to hold a connection to (repeatable) [OVSDB_WEB_REMOTES, space-separated]
`;

/** The built SPA next to this package, if there is one. */
function defaultStaticDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(here, '../../web/dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

async function run(config: GatewayConfig, io: CliIo, after?: () => Promise<void>): Promise<void> {
  checkExposure(config);
  if (!config.staticDir) {
    const d = defaultStaticDir();
    if (d) config.staticDir = d;
  }
  const { app, gateway } = await buildApp(config);
  if (!gateway.tokens) {
    app.log.warn(
      'no --auth file: every request is treated as the local admin, so the gateway listens on loopback only',
    );
  }
  if (config.readOnly) app.log.info('read-only mode: transactions are refused');
  closeOnSignals(app, after);
  const address = await listen(app, config.listen);
  io.stdout(`ovsdb-web: serving on ${address}${config.staticDir ? '' : ' (API only: no built web UI found)'}\n`);
}

/** Returns the exit code for errors found before serving; a running server exits through signals. */
export async function main(argv: readonly string[], io: CliIo = nodeIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
      case 'open': {
        const cfg = command === 'open' ? parseOpenArgs(rest) : parseServeArgs(rest);
        const files = await startFileRemotes(cfg.remotes, io);
        await run({ ...cfg, remotes: files.remotes }, io, () => files.stop());
        return 0;
      }
      case 'demo': {
        const cfg = parseDemoArgs(rest);
        // Loaded only here, so that `serve` never loads the embedded server.
        const { startDemo } = await import('./demo.js');
        const demo = await startDemo(cfg, io);
        await run({ ...cfg, remotes: demo.remotes }, io, () => demo.stop());
        return 0;
      }
      case 'lint': {
        const { lintMain } = await import('./ovn/lint-cli.js');
        return await lintMain(rest, io);
      }
      case 'codegen': {
        const { main: codegen } = await import('@ovsdb-web/client/codegen');
        return await codegen(rest, io);
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE);
        return command === undefined ? EXIT_USAGE : 0;
      default:
        io.stderr(`ovsdb-web: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return EXIT_USAGE;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`ovsdb-web: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`ovsdb-web: ${(err as Error).message}\n`);
    return 1;
  }
}
