/**
 * Errors as values. `OvsdbError` carries an RFC 7047 error object (`error`, `details`, `syntax`) exactly
 * as ovsdb-server words it, so the same value can be produced locally (validation, the embedded server)
 * or received from a real server.
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
