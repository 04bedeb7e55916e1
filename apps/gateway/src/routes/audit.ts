/**
 * `GET /api/v1/audit` (admin): the audit log, newest first, filtered by user, remote, database, table,
 * result and time, and paged. Read from the log file the gateway appends to.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { isJsonObject, parseJson, type Json } from '@ovsdb-web/client';
import { schemas, type AuditEntry, type AuditPage } from '@ovsdb-web/protocol';
import type { Gateway } from '../app.js';
import { badRequest } from '../plugins/errors.js';

interface AuditQuery {
  user?: string;
  remote?: string;
  db?: string;
  table?: string;
  result?: 'ok' | 'error' | 'dry_run';
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

function time(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw badRequest(`${name} ${JSON.stringify(text)} is not a time (ISO 8601, e.g. 2026-11-30T08:00:00Z)`);
  return t;
}

function entryOf(j: Json): AuditEntry | undefined {
  if (
    !isJsonObject(j) ||
    typeof j.time !== 'string' ||
    typeof j.user !== 'string' ||
    typeof j.remote !== 'string' ||
    typeof j.db !== 'string'
  )
    return undefined;
  return {
    time: j.time,
    user: j.user,
    role: typeof j.role === 'string' ? j.role : '',
    clientAddress: typeof j.clientAddress === 'string' ? j.clientAddress : '',
    ...(typeof j.userAgent === 'string' ? { userAgent: j.userAgent } : {}),
    remote: j.remote,
    db: j.db,
    dryRun: j.dryRun === true,
    ...(j.operations !== undefined ? { operations: j.operations } : {}),
    ...(isJsonObject(j.body) && typeof j.body.bytes === 'number' ? { body: { bytes: j.body.bytes } } : {}),
    status: typeof j.status === 'number' ? j.status : j.error === undefined ? 200 : 0,
    ...(j.result !== undefined ? { result: j.result } : {}),
    ...(j.error !== undefined ? { error: j.error } : {}),
    ...(typeof j.comment === 'string' ? { comment: j.comment } : {}),
    durationMs: typeof j.durationMs === 'number' ? j.durationMs : 0,
  };
}

function touchesTable(e: AuditEntry, table: string): boolean {
  return Array.isArray(e.operations) && e.operations.some((op) => isJsonObject(op) && op.table === table);
}

export async function auditRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.get<{ Querystring: AuditQuery; Reply: AuditPage }>(
    '/api/v1/audit',
    { config: { role: 'admin' }, schema: { querystring: schemas.auditQuery, response: { 200: schemas.auditPage } } },
    async (req) => {
      const path = gateway.config.auditLog;
      if (!path) return { enabled: false, total: 0, entries: [] };
      const q = req.query;
      const since = time(q.since, 'since');
      const until = time(q.until, 'until');
      await gateway.audit.flushed();
      const text = await readFile(path, 'utf8').catch(() => '');
      const matching: AuditEntry[] = [];
      const lines = text.split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i] as string;
        if (line === '') continue;
        let e: AuditEntry | undefined;
        try {
          e = entryOf(parseJson(line));
        } catch {
          continue; // a torn line after a crash
        }
        if (!e) continue;
        if (q.user !== undefined && e.user !== q.user) continue;
        if (q.remote !== undefined && e.remote !== q.remote) continue;
        if (q.db !== undefined && e.db !== q.db) continue;
        if (q.table !== undefined && !touchesTable(e, q.table)) continue;
        const result = e.status < 300 ? (e.dryRun ? 'dry_run' : 'ok') : 'error';
        if (q.result !== undefined && result !== q.result) continue;
        const t = Date.parse(e.time);
        if (since !== undefined && t < since) continue;
        if (until !== undefined && t > until) continue;
        matching.push(e);
      }
      const offset = q.offset ?? 0;
      return { enabled: true, total: matching.length, entries: matching.slice(offset, offset + (q.limit ?? 100)) };
    },
  );
}
