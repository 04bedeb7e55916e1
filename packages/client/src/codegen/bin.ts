#!/usr/bin/env node
// The `ovsdb-codegen` executable. Kept apart from cli.ts so importing the CLI (as the tests do) never
// runs it; setting exitCode rather than calling exit lets pending output drain first.
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(
      `ovsdb-codegen: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
