/**
 * `POST …/plan`: what a transaction would do, worked out on the gateway's copy of the whole database, and the
 * checks the gateway can make — nothing is sent to OVSDB. A dry run (`transact` with `dryRun`) adds the
 * server's own checks; the caveats say what only a commit can check.
 */
import type { FastifyInstance } from 'fastify';
import {
  checkAgainstCache,
  planTransaction,
  TransactionValidationError,
  validateTransaction,
  type Json,
} from '@ovsdb-web/client';
import { schemas, type PlanCheck, type PlanRequest, type PlanResponse } from '@ovsdb-web/protocol';
import type { Gateway } from '../app.js';

interface DbParams {
  remote: string;
  db: string;
}

export const PLAN_CAVEATS = [
  'A dry run sends the operations followed by "abort": ovsdb-server evaluates conditions, mutations, constraints and wait guards, but checks referential integrity, unique indexes and maxRows only at commit.',
  'Other clients may change the database between this plan and the commit; the wait guards make such a commit fail instead of overwriting their change.',
];

function failedCheck(name: PlanCheck['name'], err: TransactionValidationError): PlanCheck {
  return {
    by: 'gateway',
    name,
    ok: false,
    message: err.message,
    operationIndex: err.operationIndex,
    ...(err.table ? { table: err.table } : {}),
    ...(err.column ? { column: err.column } : {}),
  };
}

export async function planRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.post<{ Params: DbParams; Body: PlanRequest; Reply: PlanResponse }>(
    '/api/v1/remotes/:remote/dbs/:db/plan',
    { schema: { params: schemas.dbParams, body: schemas.planBody, response: { 200: schemas.planResponse } } },
    async (req) => {
      const feed = gateway.remotes.feed(req.params.remote, req.params.db);
      const ops: Json[] = req.body.operations;
      const checks: PlanCheck[] = [];
      try {
        validateTransaction(feed.schema, ops);
        checks.push({
          by: 'gateway',
          name: 'schema',
          ok: true,
          message: 'tables, columns, types, ranges, enums, lengths and set sizes are valid',
        });
      } catch (err) {
        if (!(err instanceof TransactionValidationError)) throw err;
        checks.push(failedCheck('schema', err));
        return { effects: [], problems: [], checks, newRows: {}, caveats: PLAN_CAVEATS };
      }
      try {
        checkAgainstCache(feed.schema, ops, feed.cache);
        checks.push({
          by: 'gateway',
          name: 'references',
          ok: true,
          message: 'strong references point to existing rows; no unique index clashes with existing rows',
        });
      } catch (err) {
        if (!(err instanceof TransactionValidationError)) throw err;
        checks.push(failedCheck(err.error === 'constraint violation' ? 'unique-indexes' : 'references', err));
      }
      const plan = planTransaction(feed.schema, feed.cache, ops);
      checks.push(
        plan.problems.length === 0
          ? {
              by: 'gateway',
              name: 'commit-rules',
              ok: true,
              message: 'wait guards hold now; no delete is blocked by a strong reference',
            }
          : { by: 'gateway', name: 'commit-rules', ok: false, message: plan.problems.map((p) => p.message).join('; ') },
      );
      return { effects: plan.effects, problems: plan.problems, checks, newRows: plan.newRows, caveats: PLAN_CAVEATS };
    },
  );
}
