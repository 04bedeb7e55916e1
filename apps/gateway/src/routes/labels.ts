/**
 * `GET …/tables/:table/labels?q=…&limit=…`: rows of a table by name, for pickers that choose a referenced
 * row ("add to switch …"): those whose name or uuid contains `q`, case-insensitively, names first.
 */
import type { FastifyInstance } from 'fastify';
import { schemas } from '@ovsdb-web/protocol';
import type { Gateway } from '../app.js';
import { notFound } from '../plugins/errors.js';

interface TableParams {
  remote: string;
  db: string;
  table: string;
}

export interface RowLabel {
  uuid: string;
  label?: string;
}

export async function labelRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.get<{ Params: TableParams; Querystring: { q?: string; limit?: number }; Reply: RowLabel[] }>(
    '/api/v1/remotes/:remote/dbs/:db/tables/:table/labels',
    {
      schema: {
        params: schemas.tableParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 256 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
      },
    },
    async (req) => {
      const feed = gateway.remotes.feed(req.params.remote, req.params.db);
      if (!feed.table(req.params.table))
        throw notFound(`table ${req.params.table} is not monitored in ${req.params.db}`);
      const q = (req.query.q ?? '').toLowerCase();
      const out: RowLabel[] = [];
      for (const row of feed.rows(req.params.table)) {
        const uuid = row._uuid as string;
        const name = typeof row.name === 'string' && row.name !== '' ? row.name : undefined;
        if (q && !(name?.toLowerCase().includes(q) ?? false) && !uuid.includes(q)) continue;
        out.push(name === undefined ? { uuid } : { uuid, label: name });
      }
      out.sort(
        (a, b) =>
          (a.label === undefined ? 1 : 0) - (b.label === undefined ? 1 : 0) ||
          (a.label ?? a.uuid).localeCompare(b.label ?? b.uuid),
      );
      return out.slice(0, req.query.limit ?? 50);
    },
  );
}
