#!/usr/bin/env node
// Entry point of the `ovsdb-embedded` command (see cli.ts).
import { UsageError } from '@ovsdb-web/client';
import { USAGE, runCli } from './cli.js';

runCli(process.argv.slice(2)).then(
  (server) => {
    const stop = (): void => {
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (err: unknown) => {
    process.stderr.write(`ovsdb-embedded: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exit(1);
  },
);
