/**
 * One call for "serve these database files": what `ovsdb-web open PATH...` and `serve --remote
 * NAME=file:PATH` need. Each file (standalone or clustered, as ovsdb-server wrote it) is read into a new
 * embedded server, read-only; several files of different databases (the NB and SB of one must-gather)
 * share the server. The server does not listen anywhere yet: call `listen` or `connectInProcess`.
 */
import { EmbeddedServer, type EmbeddedServerOptions } from './server.js';
import { loadDatabaseFile, type LoadedDatabaseFile } from './storage/load.js';

export type OpenDatabaseFilesOptions = Omit<EmbeddedServerOptions, 'storage' | 'readOnly'>;

export interface OpenedFile {
  readonly path: string;
  readonly database: string;
  readonly format: LoadedDatabaseFile['format'];
  /** Rows loaded, all tables together. */
  readonly rows: number;
}

export interface OpenedDatabaseFiles {
  readonly server: EmbeddedServer;
  /** The databases served, in the order of `paths`. */
  readonly databases: string[];
  /** One sentence per thing worth telling the user (a truncated file, uncommitted log entries left out). */
  readonly warnings: string[];
  readonly files: OpenedFile[];
}

/**
 * Load every file and serve it read-only from one new `EmbeddedServer`. Rejects with the file's
 * `DatabaseFileError` when one cannot be used, or an `OvsdbError` when two files hold the same database.
 */
export async function openDatabaseFiles(
  paths: readonly string[],
  opts: OpenDatabaseFilesOptions = {},
): Promise<OpenedDatabaseFiles> {
  const server = new EmbeddedServer(opts);
  const databases: string[] = [];
  const warnings: string[] = [];
  const files: OpenedFile[] = [];
  try {
    // One file at a time: each file's bytes can be dropped before the next one is read.
    for (const path of paths) {
      const file = await loadDatabaseFile(path);
      const name = server.addDatabaseFile(file);
      databases.push(name);
      warnings.push(...file.warnings.map((w) => w.message));
      files.push({ path, database: name, format: file.format, rows: file.database.rowCount });
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  return { server, databases, warnings, files };
}
