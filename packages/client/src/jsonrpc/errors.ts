import { stringifyJson, type Json } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';

/**
 * The peer sent bytes that are not a valid JSON-RPC 1.0 message stream. ovsdb-server answers these by
 * dropping the connection, and so do we: after one, nothing later on the stream can be trusted.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- makes `message` required (Error's is optional)
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * An error reply from the server. It is an `OvsdbError` so that `error`, `details` and `syntax` read the
 * same whether the failure was found locally or by ovsdb-server.
 */
export class RpcError extends OvsdbError {
  override readonly name: string = 'RpcError';
  constructor(
    readonly method: string,
    /** The `error` member exactly as received (a string or an object). */
    readonly payload: Json,
  ) {
    const e = OvsdbError.fromJson(payload);
    super(e.error, e.details, e.syntax);
    this.message = `${method}: ${e.message}`;
  }
}

/** Every request that can no longer be answered fails with this, as does anything sent afterwards. */
export class DisconnectedError extends Error {
  override readonly name: string = 'DisconnectedError';
  constructor(
    /** The remote in OVS syntax, or a caller-chosen label; undefined when unknown. */
    readonly remote: string | undefined,
    /** Short human reason, e.g. "closed by client" or "peer closed the connection". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`connection${remote ? ` to ${remote}` : ''} closed: ${reason}`, options);
  }
}

/**
 * The request was written but the connection closed before its reply came, so whether the server acted on
 * it is unknown: a transaction may have been committed. Callers must not report it as failed. It reads like
 * the connection's own close error (same reason and cause) and keeps it as `closed`.
 */
export class ReplyLostError extends DisconnectedError {
  override readonly name = 'ReplyLostError';
  constructor(
    readonly method: string,
    readonly closed: DisconnectedError,
  ) {
    super(closed.remote, closed.reason, closed.cause === undefined ? undefined : { cause: closed.cause });
  }
}

/** A reply whose id matches no request we are waiting for. The connection carries on. */
export class UnexpectedReplyError extends Error {
  override readonly name = 'UnexpectedReplyError';
  constructor(readonly id: Json) {
    super(`reply with unknown id ${stringifyJson(id)}`);
  }
}
