/**
 * Transaction failures as values. Both kinds name the operation that failed (its index in the array
 * that was passed to `transact`, and its `op`), so a caller can point at the exact thing to fix.
 */
import { OvsdbError, type OvsdbErrorKind } from '../wire/errors.js';
import type { OperationResult } from '../wire/operation.js';

/** Found by checking the operations against the schema: nothing was sent. */
export class TransactionValidationError extends OvsdbError {
  override readonly name = 'TransactionValidationError';
  constructor(
    error: OvsdbErrorKind,
    details: string,
    readonly operationIndex: number,
    readonly op: string | undefined,
    readonly table?: string,
    readonly column?: string,
  ) {
    super(error, details);
    const where = [`operation ${operationIndex}${op ? ` (${op}` : ''}${table ? ` on ${table}` : ''}${op ? ')' : ''}`];
    if (column !== undefined) where.push(`column ${column}`);
    this.message = `${where.join(', ')}: ${error}: ${details}`;
  }
}

/**
 * The server refused the transaction. `operationIndex` is the failing operation, or `-1` when the error
 * was found at commit time (ovsdb-server then appends one extra result after the operations' results).
 */
export class TransactionError extends OvsdbError {
  override readonly name = 'TransactionError';
  constructor(
    error: OvsdbErrorKind,
    details: string | undefined,
    syntax: string | undefined,
    readonly operationIndex: number,
    readonly op: string | undefined,
    readonly results: readonly OperationResult[],
  ) {
    super(error, details, syntax);
    const where = operationIndex < 0 ? 'commit' : `operation ${operationIndex}${op ? ` (${op})` : ''}`;
    this.message = `transaction failed at ${where}: ${error}${details ? `: ${details}` : ''}`;
  }
}
