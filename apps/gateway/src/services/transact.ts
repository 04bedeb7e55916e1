/**
 * A transaction from a browser, start to end: who may, the schema and cache checks (nothing reaches OVSDB
 * unless they pass), a dry run (the operations followed by `abort`) or a commit tagged with an OVSDB
 * `comment` naming the user, a deadline, and an answer that never calls a transaction failed when its
 * outcome is unknown. The route audits every attempt, including those refused here.
 */
import { randomUUID } from 'node:crypto';
import {
  ReplyLostError,
  RpcError,
  TransactionError,
  checkAgainstCache,
  isJsonObject,
  validateTransaction,
  type DatabaseSchema,
  type Json,
} from '@ovsdb-web/client';
import type { TransactResponse } from '@ovsdb-web/protocol';
import type { RemoteConnection } from '../feeds/remote.js';
import type { Principal } from '../plugins/auth.js';
import { ApiError, badRequest, forbidden, notFound, unavailable } from '../plugins/errors.js';

export interface TransactSettings {
  readOnly: boolean;
  timeoutMs: number;
}

export interface TransactAttempt {
  principal: Principal;
  remote: RemoteConnection;
  db: string;
  operations: readonly Json[];
  dryRun: boolean;
}

/** What the route records beside the answer. */
export interface TransactOutcome {
  response: TransactResponse;
  comment?: string;
}

export async function runTransaction(
  settings: TransactSettings,
  attempt: TransactAttempt,
  onComment: (comment: string) => void,
): Promise<TransactOutcome> {
  const { principal, remote, db, operations, dryRun } = attempt;
  if (settings.readOnly) throw forbidden('the gateway runs with --read-only: transactions are refused');
  checkWaitTimeouts(operations, settings.timeoutMs);
  if (remote.client.status !== 'connected')
    throw unavailable(`remote ${remote.name} is ${remote.client.status}; nothing was sent`);
  let schema: DatabaseSchema;
  try {
    schema = await remote.client.getSchema(db);
  } catch (err) {
    if (err instanceof RpcError && err.error === 'unknown database')
      throw notFound(`remote ${remote.name} has no database ${db}`);
    throw err;
  }
  validateTransaction(schema, operations);
  // The gateway mirrors whole tables, so references and unique indexes can be checked here too.
  const feed = remote.findFeed(db);
  if (feed) checkAgainstCache(schema, operations, feed.cache);

  const comment = `ovsdb-web: ${principal.name} (${principal.role}) txn ${randomUUID()}`;
  const ops: Json[] = dryRun ? [...operations, { op: 'abort' }] : [...operations, { op: 'comment', comment }];
  if (!dryRun) onComment(comment);
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const results = await remote.client.transact(db, ops, { validate: false, signal });
    return { response: { results: results.slice(0, operations.length) }, ...(dryRun ? {} : { comment }) };
  } catch (err) {
    // A dry run ends in our own abort: every real operation passed the server's checks.
    if (
      dryRun &&
      err instanceof TransactionError &&
      err.error === 'aborted' &&
      err.operationIndex === operations.length
    ) {
      return { response: { results: err.results.slice(0, operations.length), dryRun: true } };
    }
    if (signal.aborted && !(err instanceof TransactionError)) {
      throw new ApiError(
        'outcome_unknown',
        `OVSDB did not answer within ${settings.timeoutMs} ms; the transaction ${dryRun ? 'was a dry run and changed nothing' : 'may or may not have been committed: check the rows before retrying'}`,
        {
          outcome: dryRun ? 'not_committed' : 'unknown',
          ...(dryRun ? {} : { comment }),
          timeoutMs: settings.timeoutMs,
        },
      );
    }
    if (err instanceof ReplyLostError) {
      throw new ApiError(
        'outcome_unknown',
        dryRun
          ? `${err.message} before OVSDB answered; a dry run changes nothing`
          : `${err.message} before OVSDB answered: the transaction may or may not have been committed; check the rows before retrying`,
        {
          outcome: dryRun ? 'not_committed' : 'unknown',
          ...(dryRun ? {} : { comment }),
        },
      );
    }
    throw err;
  }
}

/** A `wait` that could outlast the gateway's deadline would turn a refusal into an unknown outcome. */
function checkWaitTimeouts(operations: readonly Json[], limitMs: number): void {
  operations.forEach((op, i) => {
    if (!isJsonObject(op) || op.op !== 'wait' || op.timeout === undefined) return;
    const t = op.timeout;
    if (typeof t === 'number' && t > limitMs) {
      throw badRequest(
        `operation ${i} (wait): timeout ${t} ms is longer than the gateway's transaction deadline of ${limitMs} ms (--transact-timeout)`,
        {
          operationIndex: i,
          op: 'wait',
          field: 'timeout',
        },
      );
    }
    if (typeof t === 'bigint')
      throw badRequest(`operation ${i} (wait): timeout is out of range`, {
        operationIndex: i,
        op: 'wait',
        field: 'timeout',
      });
  });
}
