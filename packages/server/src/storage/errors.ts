/**
 * What can be wrong with a database file, as one error type: the file, the byte offset of the record at
 * fault (when one is), a machine-readable kind and a sentence for people.
 */

export type DatabaseFileProblem =
  /** The file could not be read at all. */
  | 'unreadable'
  /** Not an ovsdb-server file: the first line is not an `OVSDB JSON` or `OVSDB CLUSTER` header. */
  | 'not-ovsdb'
  /** A record header that cannot be parsed, or one whose kind differs from the file's first record. */
  | 'bad-header'
  /** A whole record whose SHA-1 is not the one its header gives. */
  | 'checksum'
  /** A whole record with a valid checksum that is not valid JSON. */
  | 'bad-json'
  /** Valid JSON that is not what such a record must hold (schema, transaction, RAFT entry). */
  | 'bad-record'
  /** The file ends before its first record (the schema) is complete: there is nothing to load. */
  | 'truncated'
  /** A clustered file of a server that never finished joining its cluster: it holds no data. */
  | 'no-data';

export class DatabaseFileError extends Error {
  override readonly name = 'DatabaseFileError';

  constructor(
    readonly path: string,
    readonly problem: DatabaseFileProblem,
    /** Byte offset of the record at fault (its header line's first byte), when there is one. */
    readonly offset: number | undefined,
    /** What was wrong, without the file name and offset. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${offset === undefined ? '' : `record at byte offset ${offset}: `}${detail}`, options);
  }
}

/** Where a record was read from, for error messages. */
export interface RecordPlace {
  readonly path: string;
  readonly offset: number;
}

export function recordError(at: RecordPlace, detail: string, options?: ErrorOptions): DatabaseFileError {
  return new DatabaseFileError(at.path, 'bad-record', at.offset, detail, options);
}

/** Something about a file that loaded anyway, worth telling whoever opened it. */
export interface DatabaseFileWarning {
  readonly path: string;
  /**
   * `truncated`: the file ends inside a record (as a crash while writing leaves it); what came before it
   * was loaded. `uncommitted`: a clustered file holds log entries after the last commit index it
   * records; they were left out.
   */
  readonly kind: 'truncated' | 'uncommitted';
  /** Byte offset of the incomplete record, or of the first entry left out. */
  readonly offset: number;
  readonly message: string;
}
