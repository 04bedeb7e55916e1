/**
 * Errors as values. `OvsdbError` carries an RFC 7047 error object (`error`, `details`, `syntax`) exactly
 * as ovsdb-server words it, so the same value can be produced locally (validation, the embedded server)
 * or received from a real server. It is only for OVSDB's own error kinds: what ovsdb-server would answer.
 * A caller using this library wrongly (a monitor's cache before it is ready, a table it does not monitor,
 * an index it does not have) gets a `MisuseError` instead, which no server ever sends.
 */
import type { Json } from './json.js';

/** The `error` strings of RFC 7047 §4.1.3 / §5.2 plus those ovsdb-server adds. */
export type OvsdbErrorKind =
  | 'referential integrity violation'
  | 'constraint violation'
  | 'resources exhausted'
  | 'I/O error'
  | 'duplicate uuid-name'
  | 'domain error'
  | 'range error'
  | 'timed out'
  | 'not supported'
  | 'aborted'
  | 'not owner'
  | 'syntax error'
  | 'unknown column'
  | 'unknown mutator'
  | 'unknown database'
  | 'unknown method'
  | 'not allowed'
  | 'ovsdb error'
  | 'duplicate uuid'
  | (string & {});

export interface OvsdbErrorObject {
  error: OvsdbErrorKind;
  details?: string;
  syntax?: string;
}

export class OvsdbError extends Error {
  override readonly name: string = 'OvsdbError';
  readonly error: OvsdbErrorKind;
  readonly details: string | undefined;
  readonly syntax: string | undefined;

  constructor(error: OvsdbErrorKind, details?: string, syntax?: string) {
    super(details ? `${error}: ${details}` : error);
    this.error = error;
    this.details = details;
    this.syntax = syntax;
  }

  toJSON(): OvsdbErrorObject {
    const o: OvsdbErrorObject = { error: this.error };
    if (this.details !== undefined) o.details = this.details;
    if (this.syntax !== undefined) o.syntax = this.syntax;
    return o;
  }

  static fromJson(v: Json): OvsdbError {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.error === 'string') {
      const o = v;
      return new OvsdbError(
        o.error as string,
        typeof o.details === 'string' ? o.details : undefined,
        typeof o.syntax === 'string' ? o.syntax : undefined,
      );
    }
    return new OvsdbError(
      typeof v === 'string' ? v : 'ovsdb error',
      typeof v === 'string' ? undefined : JSON.stringify(v),
    );
  }
}

/** What a `MisuseError` is about. */
export type MisuseKind =
  /** A monitor's cache was read before the monitor received its initial state. */
  | 'not-ready'
  /** The monitor is not live: still starting, between sessions after a disconnect, or closed. */
  | 'not-live'
  /** A table this monitor (or its cache) does not hold, though the schema may have it. */
  | 'not-monitored'
  /** A table the database's schema does not have. */
  | 'unknown-table'
  /** A lookup by an index the table cache does not have. */
  | 'unknown-index'
  /** An argument that is wrong whatever the state, e.g. an index over a column the monitor does not hold. */
  | 'bad-argument'
  /** A cache filled in the wrong order: `load()` on a cache that already holds rows. */
  | 'not-empty';

/**
 * The caller used this library wrongly for its arguments or its current state. Found locally, never sent
 * by a server, and never one of OVSDB's error kinds (that is `OvsdbError`); nothing was sent to the server.
 */
export class MisuseError extends Error {
  override readonly name = 'MisuseError';
  constructor(
    readonly kind: MisuseKind,
    message: string,
  ) {
    super(message);
  }
}
