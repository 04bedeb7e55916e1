#!/usr/bin/env node
// The `ovsdb-sample` executable. Kept apart from cli.ts so importing the CLI (as the tests do) never runs
// it. The first Ctrl-C stops churn gracefully (stats still print); a second one exits at once.
import { nodeIo } from '@ovsdb-web/client';
import { main } from './cli.js';

const stop = new AbortController();
process.on('SIGINT', () => {
  if (stop.signal.aborted) process.exit(130);
  stop.abort();
});

main(process.argv.slice(2), { ...nodeIo, signal: stop.signal }).then(
  (status) => {
    process.exitCode = status;
    process.removeAllListeners('SIGINT');
  },
  (err: unknown) => {
    process.stderr.write(
      `ovsdb-sample: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
