/**
 * `ovsdb-codegen`: generate TypeScript models from a schema file or from a live server.
 *
 * The logic lives in `main(argv, io)` so tests call it in-process; `bin.ts` is the executable that hands
 * it `process.argv` and turns its result into the exit code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { DatabaseSchema } from '../schema/schema.js';
import type { TlsOptions } from '../transport/connect.js';
import { DEFAULT_IMPORT_FROM, generateModels } from './generate.js';
import { readSchemaFile, SchemaFileError } from './schema-file.js';

import { EXIT_USAGE, UsageError, nodeIo, type CliIo } from '../cli/io.js';

export const USAGE = `Usage:
  ovsdb-codegen SCHEMA.ovsschema [-o OUT.ts] [--import-from MODULE]
  ovsdb-codegen --remote REMOTE --db NAME [-o OUT.ts] [--import-from MODULE]

Generates TypeScript row types, insert types and name constants for one OVSDB database.

Options:
  -o, --output FILE      write the module to FILE (default: standard output)
      --remote REMOTE    read the schema from a running server, e.g. unix:/run/ovn/ovnnb_db.sock,
                         tcp:127.0.0.1:6641 or ssl:10.0.0.5:6641
      --db NAME          the database to read from REMOTE, e.g. OVN_Northbound
      --private-key FILE, --certificate FILE, --ca-cert FILE
                         client PKI for ssl: remotes (as ovsdb-client takes them)
      --import-from MOD  module that exports Integer, Uuid and NamedUuid (default: ${DEFAULT_IMPORT_FROM})
  -h, --help             show this help

Exit status: 0 on success, 2 when the arguments, the schema or the server are not usable.
`;

interface Args {
  schemaPath?: string;
  remote?: string;
  db?: string;
  output?: string;
  importFrom?: string;
  tls?: TlsOptions;
  help: boolean;
}

function parseOrUsage(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        remote: { type: 'string' },
        db: { type: 'string' },
        'private-key': { type: 'string' },
        certificate: { type: 'string' },
        'ca-cert': { type: 'string' },
        'import-from': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    // parseArgs words its errors well ("Unknown option '--x'"); they only need to become usage errors.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function parse(argv: readonly string[]): Args {
  const parsed = parseOrUsage(argv);
  const { values, positionals } = parsed;
  const args: Args = { help: values.help === true };
  if (args.help) return args;
  if (positionals.length > 1)
    throw new UsageError(`expected one schema file, got ${positionals.length}: ${positionals.join(' ')}`);
  const schemaPath = positionals[0];
  if (schemaPath !== undefined && values.remote !== undefined)
    throw new UsageError('give either a schema file or --remote, not both');
  if (schemaPath === undefined && values.remote === undefined)
    throw new UsageError('missing schema file (or --remote and --db)');
  if (values.remote !== undefined && values.db === undefined) throw new UsageError('--remote needs --db NAME');
  if (values.remote === undefined && values.db !== undefined) throw new UsageError('--db only applies with --remote');
  if (schemaPath !== undefined) args.schemaPath = schemaPath;
  if (values.remote !== undefined) args.remote = values.remote;
  if (values.db !== undefined) args.db = values.db;
  if (values.output !== undefined) args.output = values.output;
  if (values['import-from'] !== undefined) args.importFrom = values['import-from'];
  const tls: TlsOptions = {};
  if (values['private-key'] !== undefined) tls.key = values['private-key'];
  if (values.certificate !== undefined) tls.cert = values.certificate;
  if (values['ca-cert'] !== undefined) tls.ca = values['ca-cert'];
  if (Object.keys(tls).length > 0) {
    if (args.remote === undefined)
      throw new UsageError('--private-key, --certificate and --ca-cert only apply with --remote');
    args.tls = tls;
  }
  return args;
}

async function fetchSchema(remote: string, db: string, tls: TlsOptions | undefined): Promise<DatabaseSchema> {
  // Loaded lazily: generating from a file should not pull in (or depend on) the networking stack.
  const { OvsdbClient } = await import('../client/client.js');
  const client = await OvsdbClient.connect(remote, tls ? { tls } : {});
  try {
    return await client.getSchema(db);
  } finally {
    await client.close();
  }
}

/** The header records how the file was made, so whoever reads it knows how to remake it. */
function commandLine(argv: readonly string[]): string {
  const shellSafe = /^[A-Za-z0-9_@%+=:,./-]+$/;
  return ['ovsdb-codegen', ...argv].map((a) => (shellSafe.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Run the CLI; resolves to the exit status instead of exiting, so it can run inside tests. */
export async function main(argv: readonly string[], io: CliIo = nodeIo): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`ovsdb-codegen: ${err.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }

  let schema: DatabaseSchema;
  try {
    if (args.schemaPath !== undefined) schema = await readSchemaFile(args.schemaPath);
    else schema = await fetchSchema(args.remote ?? '', args.db ?? '', args.tls);
  } catch (err) {
    if (err instanceof SchemaFileError) io.stderr(`ovsdb-codegen: ${err.message}\n`);
    else if (err instanceof Error)
      io.stderr(`ovsdb-codegen: cannot get schema ${args.db ?? ''} from ${args.remote ?? ''}: ${err.message}\n`);
    else io.stderr(`ovsdb-codegen: ${String(err)}\n`);
    return EXIT_USAGE;
  }

  const text = generateModels(schema, {
    header: `Command: ${commandLine(argv)}`,
    ...(args.importFrom !== undefined ? { importFrom: args.importFrom } : {}),
  });
  if (args.output === undefined) {
    io.stdout(text);
    return 0;
  }
  try {
    await mkdir(dirname(args.output), { recursive: true });
    await writeFile(args.output, text);
  } catch (err) {
    io.stderr(`ovsdb-codegen: cannot write ${args.output}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  io.stderr(`ovsdb-codegen: wrote ${args.output} (${schema.name} ${schema.version}, ${schema.tables.size} tables)\n`);
  return 0;
}
