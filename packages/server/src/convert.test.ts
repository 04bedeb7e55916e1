/**
 * `convert` where ovsdb-server 3.1.0 cannot be compared with: a value the new column type cannot hold.
 * ovsdb-server crashes there (exit 139, in its error path); we answer with the error the value gives
 * under the new type and change nothing. The rest of `convert` is held to ovsdb-server by
 * convert.ovsdb.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcConnection, RpcError, type Json, type JsonObject } from '@ovsdb-web/client';
import { EmbeddedServer } from './server.js';

const NB_TEXT = readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8');
const DB = 'OVN_Northbound';
const SW = 'aaaaaaaa-0000-4000-8000-000000000000';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(): { server: EmbeddedServer; conn: RpcConnection } {
  const server = new EmbeddedServer();
  server.addDatabase(NB_TEXT);
  server.transact(DB, [
    {
      op: 'insert',
      table: 'Logical_Switch_Port',
      'uuid-name': 'p',
      row: { name: 'p1', addresses: ['set', ['a', 'b']] },
    },
    {
      op: 'insert',
      table: 'Logical_Switch',
      uuid: SW,
      row: { name: 'sw0', ports: ['named-uuid', 'p'], other_config: ['map', [['k', 'v']]] },
    },
  ]);
  const conn = new RpcConnection(server.connectInProcess());
  cleanups.push(async () => {
    await conn.close();
    await server.close();
  });
  return { server, conn };
}

function schemaWith(edit: (tables: Record<string, { columns: Record<string, JsonObject> }>) => void): JsonObject {
  const s = JSON.parse(NB_TEXT) as JsonObject;
  edit(s.tables as Record<string, { columns: Record<string, JsonObject> }>);
  return s;
}

async function errorOf(p: Promise<Json>): Promise<Json> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RpcError) return err.payload;
    throw err;
  }
  throw new Error('expected an error');
}

describe('convert with values the new types cannot hold', () => {
  const cases: [string, JsonObject, JsonObject][] = [
    [
      'a string column made integer',
      schemaWith((t) => (t.Logical_Switch!.columns.name = { type: 'integer' })),
      { error: 'syntax error', details: 'expected integer', syntax: '"sw0"' },
    ],
    [
      'an enum the value is not in',
      schemaWith(
        (t) => (t.Logical_Switch!.columns.name = { type: { key: { type: 'string', enum: ['set', ['x', 'y']] } } }),
      ),
      { error: 'constraint violation', details: 'sw0 is not one of the allowed values ([x, y])' },
    ],
    [
      'a set of two made a scalar',
      schemaWith((t) => (t.Logical_Switch_Port!.columns.addresses = { type: 'string' })),
      {
        error: 'syntax error',
        details: 'set must have exactly one member but 2 are present',
        syntax: '["set",["a","b"]]',
      },
    ],
    [
      'a map made a set',
      schemaWith(
        (t) => (t.Logical_Switch!.columns.other_config = { type: { key: 'string', min: 0, max: 'unlimited' } }),
      ),
      { error: 'syntax error', details: 'expected string', syntax: '["map",[["k","v"]]]' },
    ],
  ];
  for (const [title, schema, expected] of cases) {
    it(`answers ${title} with the value's error and changes nothing`, async () => {
      const { server, conn } = setup();
      await conn.request('set_db_change_aware', [true]);
      await conn.request('monitor_cond', [DB, 'm', { Logical_Switch: [{ columns: ['name'] }] }]);
      const before = server.transact(DB, [{ op: 'select', table: 'Logical_Switch', where: [] }]);
      expect(await errorOf(conn.request('convert', [DB, schema]))).toMatchObject(expected);
      expect(server.transact(DB, [{ op: 'select', table: 'Logical_Switch', where: [] }])).toEqual(before);
      // The monitor is still there.
      expect(await conn.request('monitor_cancel', ['m'])).toEqual({});
    });
  }
});

describe('convert on a server with a log file', () => {
  it('rewrites the log from the converted contents, so a restart with the new schema has them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovsdb-convert-log-'));
    try {
      const path = join(dir, 'nb.log');
      const schema = schemaWith((t) => (t.Logical_Switch!.columns.extra = { type: 'string' }));
      const first = new EmbeddedServer({ storage: { path } });
      first.addDatabase(NB_TEXT);
      first.transact(DB, [{ op: 'insert', table: 'Logical_Switch', uuid: SW, row: { name: 'sw0' } }]);
      const conn = new RpcConnection(first.connectInProcess());
      await conn.request('set_db_change_aware', [true]);
      expect(await conn.request('convert', [DB, schema])).toEqual({});
      first.transact(DB, [{ op: 'update', table: 'Logical_Switch', where: [], row: { extra: 'e' } }]);
      await conn.close();
      await first.close();

      const second = new EmbeddedServer({ storage: { path } });
      second.addDatabase(schema);
      const [r] = second.transact(DB, [
        { op: 'select', table: 'Logical_Switch', where: [], columns: ['name', 'extra'] },
      ]);
      expect(r).toEqual({ rows: [{ name: 'sw0', extra: 'e' }] });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
