/**
 * `ovsdb-embedded`: run the embedded server standalone.
 *
 *   ovsdb-embedded --schema FILE [--schema FILE...] --remote punix:PATH|ptcp:PORT[:IP] [--remote ...]
 *                  [--db-file PATH] [--read-only]
 *
 * Remotes use ovsdb-server's passive syntax. With --db-file, committed transactions are appended to that
 * file and replayed at the next start.
 */
import { readFileSync } from 'node:fs';
import { OvsdbServer } from './server.js';

export interface CliOptions {
  readonly schemas: string[];
  readonly remotes: ({ kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number })[];
  readonly dbFile?: string;
  readonly readOnly: boolean;
}

export const USAGE =
  'usage: ovsdb-embedded --schema FILE [--schema FILE...] --remote punix:PATH|ptcp:PORT[:IP] [--remote ...] [--db-file PATH] [--read-only]';

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

function parseRemote(text: string): CliOptions['remotes'][number] {
  if (text.startsWith('punix:') && text.length > 6) return { kind: 'unix', path: text.slice(6) };
  const m = /^ptcp:(\d+)(?::(.+))?$/.exec(text);
  if (m) {
    const port = Number(m[1]);
    if (port > 65535) throw new CliUsageError(`bad port in ${text}`);
    return { kind: 'tcp', port, host: m[2] ?? '127.0.0.1' };
  }
  throw new CliUsageError(`unsupported remote ${text} (expected punix:PATH or ptcp:PORT[:IP])`);
}

export function parseCli(argv: readonly string[]): CliOptions {
  const schemas: string[] = [];
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
      if (v === undefined) throw new CliUsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--schema':
        schemas.push(value());
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
        throw new CliUsageError(`unknown argument ${arg}`);
    }
  }
  if (schemas.length === 0) throw new CliUsageError('at least one --schema is required');
  if (remotes.length === 0) throw new CliUsageError('at least one --remote is required');
  return dbFile === undefined ? { schemas, remotes, readOnly } : { schemas, remotes, dbFile, readOnly };
}

/** Start a server as the options say; resolves with it once it listens. Prints the remotes it serves. */
export async function runCli(argv: readonly string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<OvsdbServer> {
  const opts = parseCli(argv);
  const server = new OvsdbServer({
    readOnly: opts.readOnly,
    ...(opts.dbFile === undefined ? {} : { storage: { path: opts.dbFile } }),
  });
  for (const file of opts.schemas) log(`serving database ${server.addDatabase(readFileSync(file, 'utf8'))}`);
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
