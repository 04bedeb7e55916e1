/**
 * `ovsdb-embedded`: run the embedded server standalone.
 *
 *   ovsdb-embedded [--schema FILE...] [--file DBFILE...] --remote punix:PATH|ptcp:PORT[:IP] [--remote ...]
 *                  [--db-file PATH] [--read-only]
 *
 * Remotes use ovsdb-server's passive syntax. `--schema` serves a new, empty database; `--file` serves the
 * contents of a database file ovsdb-server wrote (standalone or clustered), read-only. With --db-file,
 * committed transactions of the `--schema` databases are appended to that file and replayed at the next
 * start.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '@ovsdb-web/client';
import { EmbeddedServer } from './server.js';
import { loadDatabaseFile } from './storage/load.js';

export interface CliOptions {
  readonly schemas: string[];
  /** Database files to serve read-only. */
  readonly files: string[];
  readonly remotes: ({ kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number })[];
  readonly dbFile?: string;
  readonly readOnly: boolean;
}

export const USAGE =
  'usage: ovsdb-embedded [--schema FILE...] [--file DBFILE...] --remote punix:PATH|ptcp:PORT[:IP] [--remote ...]\n' +
  '                      [--db-file PATH] [--read-only]\n' +
  '  --schema FILE   serve a new, empty database with this schema\n' +
  '  --file DBFILE   serve a database file written by ovsdb-server (standalone or clustered), read-only';

function parseRemote(text: string): CliOptions['remotes'][number] {
  if (text.startsWith('punix:') && text.length > 6) return { kind: 'unix', path: text.slice(6) };
  const m = /^ptcp:(\d+)(?::(.+))?$/.exec(text);
  if (m) {
    const port = Number(m[1]);
    if (port > 65535) throw new UsageError(`bad port in ${text}`);
    return { kind: 'tcp', port, host: m[2] ?? '127.0.0.1' };
  }
  throw new UsageError(`unsupported remote ${text} (expected punix:PATH or ptcp:PORT[:IP])`);
}

export function parseCli(argv: readonly string[]): CliOptions {
  const schemas: string[] = [];
  const files: string[] = [];
  const remotes: CliOptions['remotes'] = [];
  let dbFile: string | undefined;
  let readOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--schema':
        schemas.push(value());
        break;
      case '--file':
        files.push(value());
        break;
      case '--remote':
        remotes.push(parseRemote(value()));
        break;
      case '--db-file':
        dbFile = value();
        break;
      case '--read-only':
        readOnly = true;
        break;
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  if (schemas.length === 0 && files.length === 0) {
    throw new UsageError('at least one --schema or --file is required');
  }
  if (remotes.length === 0) throw new UsageError('at least one --remote is required');
  return dbFile === undefined ? { schemas, files, remotes, readOnly } : { schemas, files, remotes, dbFile, readOnly };
}

/** Start a server as the options say; resolves with it once it listens. Prints the remotes it serves. */
export async function runCli(
  argv: readonly string[],
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<EmbeddedServer> {
  const opts = parseCli(argv);
  const server = new EmbeddedServer({
    readOnly: opts.readOnly,
    ...(opts.dbFile === undefined ? {} : { storage: { path: opts.dbFile } }),
  });
  try {
    for (const file of opts.schemas) log(`serving database ${server.addDatabase(readFileSync(file, 'utf8'))}`);
    for (const path of opts.files) {
      const file = await loadDatabaseFile(path);
      const name = server.addDatabaseFile(file);
      log(`serving database ${name} read-only from ${path} (${file.format}, ${file.database.rowCount} rows)`);
      for (const w of file.warnings) log(`warning: ${w.message}`);
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  for (const r of opts.remotes) {
    if (r.kind === 'unix') {
      const a = await server.listen({ unix: r.path });
      log(`listening on unix:${a.unix}`);
    } else {
      const a = await server.listen({ tcp: { host: r.host, port: r.port } });
      log(`listening on tcp:${a.tcp?.host}:${a.tcp?.port}`);
    }
  }
  return server;
}
