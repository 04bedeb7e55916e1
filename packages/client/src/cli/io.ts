/**
 * What every `ovsdb-*` command line shares: where it writes (so tests can capture it), the one error type for
 * mistakes the user has to fix (bad flags, unreadable files), and the exit status those get.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const nodeIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Exit status for anything the user has to fix: arguments, files, the remote or the database. */
export const EXIT_USAGE = 2;

/** A mistake in how a command was called; its message says what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
