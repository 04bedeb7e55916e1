/**
 * Reading a database: its schema, rows of a table (filtered, sorted, paged), one row, a row's recent
 * history and its references both ways. Everything is answered from the gateway's cache.
 */
import type { FastifyInstance } from 'fastify';
import { compareAtoms, parseFilter, parseSort, type Atom, type Row, type TableSchema } from '@ovsdb-web/client';
import { schemas, type RowHistory, type RowReferences, type RowsPage } from '@ovsdb-web/protocol';
import type { Gateway } from '../app.js';
import type { Feed } from '../feeds/feed.js';
import { notFound } from '../plugins/errors.js';

interface DbParams {
  remote: string;
  db: string;
}
interface TableParams extends DbParams {
  table: string;
}
interface RowParams extends TableParams {
  uuid: string;
}
interface RowsQuery {
  limit?: number;
  offset?: number;
  sort?: string;
  where?: string | string[];
}

function tableOf(feed: Feed, db: string, name: string): TableSchema {
  const t = feed.table(name);
  if (!t) throw notFound(`table ${name} is not monitored in ${db}; tables: ${feed.tableNames().join(', ')}`);
  return t;
}

export async function rowRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.get<{ Params: DbParams }>(
    '/api/v1/remotes/:remote/dbs/:db/schema',
    { schema: { params: schemas.dbParams } },
    async (req) => {
      return gateway.remotes.feed(req.params.remote, req.params.db).schema.json;
    },
  );

  app.get<{ Params: TableParams; Querystring: RowsQuery; Reply: RowsPage }>(
    '/api/v1/remotes/:remote/dbs/:db/tables/:table/rows',
    { schema: { params: schemas.tableParams, querystring: schemas.rowsQuery, response: { 200: schemas.rowsPage } } },
    async (req) => {
      const feed = gateway.remotes.feed(req.params.remote, req.params.db);
      const table = tableOf(feed, req.params.db, req.params.table);
      const where =
        req.query.where === undefined ? [] : Array.isArray(req.query.where) ? req.query.where : [req.query.where];
      const predicates = parseFilter(table, where);
      let rows: Row[] = feed.rows(table.name);
      if (predicates.length > 0) rows = rows.filter((r) => predicates.every((p) => p(r)));
      rows.sort(
        req.query.sort ? parseSort(table, req.query.sort) : (a, b) => compareAtoms(a._uuid as Atom, b._uuid as Atom),
      );
      const offset = req.query.offset ?? 0;
      const limit = req.query.limit ?? 1_000;
      return { total: rows.length, rows: rows.slice(offset, offset + limit).map((r) => feed.wire(table, r)) };
    },
  );

  app.get<{ Params: RowParams }>(
    '/api/v1/remotes/:remote/dbs/:db/tables/:table/rows/:uuid',
    { schema: { params: schemas.rowParams } },
    async (req) => {
      const feed = gateway.remotes.feed(req.params.remote, req.params.db);
      const table = tableOf(feed, req.params.db, req.params.table);
      const row = feed.row(table.name, req.params.uuid.toLowerCase());
      if (!row) throw notFound(`no row ${req.params.uuid} in ${table.name}`);
      return feed.wire(table, row);
    },
  );

  app.get<{ Params: RowParams; Reply: RowHistory }>(
    '/api/v1/remotes/:remote/dbs/:db/tables/:table/rows/:uuid/history',
    { schema: { params: schemas.rowParams, response: { 200: schemas.rowHistory } } },
    async (req) => {
      const feed = gateway.remotes.feed(req.params.remote, req.params.db);
      return feed.rowHistory(tableOf(feed, req.params.db, req.params.table), req.params.uuid.toLowerCase());
    },
  );

  app.get<{ Params: RowParams; Reply: RowReferences }>(
    '/api/v1/remotes/:remote/dbs/:db/tables/:table/rows/:uuid/references',
    { schema: { params: schemas.rowParams, response: { 200: schemas.rowReferences } } },
    async (req) => {
      const feed = gateway.remotes.feed(req.params.remote, req.params.db);
      return feed.references(tableOf(feed, req.params.db, req.params.table), req.params.uuid.toLowerCase());
    },
  );
}
