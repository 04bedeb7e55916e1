/**
 * Differential test of `convert` (ovsdb-server(7)) against the real ovsdb-server 3.1: the same data, the
 * same conversions (OVN Northbound with columns and tables added, removed or retyped, references made weak,
 * roots dropped) and the same invalid requests on both servers. Compared: the reply, what every other
 * client sees (change-aware clients get `monitor_canceled` for each monitor of the database and "canceled"
 * for a waiting transaction; other clients are disconnected, the caller once it has its reply), the
 * schema `get_schema` returns afterwards, and the whole contents. UUIDs are the same on both sides (rows
 * are inserted with the `uuid` member); `_version`s are masked.
 *
 * Two behaviours are compared with something else than the standalone ovsdb-server, because there it
 * fails: a standalone ovsdb-server 3.1.0 leaves the `schema` column of `_Server`'s `Database` row as it
 * was, while a clustered one (and ovsdb-server(5)) shows the new schema, so ours is compared with a
 * clustered server; and a value the new type cannot hold makes ovsdb-server 3.1.0 crash, so our error
 * there is checked against its own wording for that value, the one `transact` gives.
 */
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcConnection, RpcError, type Json, type JsonObject } from '@ovsdb-web/client';
import {
  OVN_NB_SCHEMA,
  startCluster,
  startOvsdbServer,
  type OvsdbServerProcess as RealServer,
} from '@ovsdb-web/testing';
import { EmbeddedServer } from './server.js';
import { sortKeysDeep } from './test-support.js';

const DB = 'OVN_Northbound';
const BASE = JSON.parse(readFileSync(OVN_NB_SCHEMA, 'utf8')) as JsonObject;
const U = {
  sw0: 'aaaaaaaa-0000-4000-8000-000000000000',
  sw1: 'aaaaaaaa-0000-4000-8000-000000000001',
  p1: 'bbbbbbbb-0000-4000-8000-000000000001',
  acl: 'cccccccc-0000-4000-8000-000000000001',
  as1: 'dddddddd-0000-4000-8000-000000000001',
  global: 'eeeeeeee-0000-4000-8000-000000000001',
};
const FIXED = new Set(Object.values(U));

const SEED: Json[] = [
  {
    op: 'insert',
    table: 'Logical_Switch_Port',
    uuid: U.p1,
    row: { name: 'p1', addresses: ['set', ['00:00:00:00:00:01 10.0.0.1', '00:00:00:00:00:02']], tag_request: 7 },
  },
  {
    op: 'insert',
    table: 'Logical_Switch',
    uuid: U.sw0,
    row: { name: 'sw0', ports: ['uuid', U.p1], other_config: ['map', [['a', '1']]] },
  },
  {
    op: 'insert',
    table: 'ACL',
    uuid: U.acl,
    row: { priority: 100, direction: 'from-lport', match: 'ip4', action: 'allow' },
  },
  {
    op: 'insert',
    table: 'Logical_Switch',
    uuid: U.sw1,
    row: { name: 'sw1', acls: ['uuid', U.acl], other_config: ['map', [['a', '1']]] },
  },
  {
    op: 'insert',
    table: 'Address_Set',
    uuid: U.as1,
    row: { name: 'as1', addresses: ['set', ['10.0.0.1', '10.0.0.2']] },
  },
  { op: 'insert', table: 'NB_Global', uuid: U.global, row: { name: 'global' } },
];

type Edit = (s: JsonObject) => void;

function schemaWith(edit: Edit): JsonObject {
  const s = structuredClone(BASE);
  edit(s);
  return s;
}

function tables(s: JsonObject): Record<string, JsonObject> {
  return s.tables as Record<string, JsonObject>;
}

function columns(s: JsonObject, table: string): Record<string, JsonObject> {
  return tables(s)[table]?.columns as Record<string, JsonObject>;
}

/** Conversions that succeed. */
const CONVERSIONS: Record<string, Edit> = {
  'the same schema': () => undefined,
  'a column added': (s) => {
    s.version = '7.0.1';
    columns(s, 'Logical_Switch').extra = { type: 'string' };
  },
  'a column and a table removed': (s) => {
    delete columns(s, 'Logical_Switch').other_config;
    delete tables(s).Meter;
  },
  'an integer column made real': (s) => {
    columns(s, 'Logical_Switch_Port').tag_request = { type: { key: 'real', min: 0, max: 1 } };
  },
  'strong references made weak (unreferenced ports are collected)': (s) => {
    ((columns(s, 'Logical_Switch').ports?.type as JsonObject).key as JsonObject).refType = 'weak';
  },
  'a root table made non-root (everything it held is collected)': (s) => {
    (tables(s).Logical_Switch as JsonObject).isRoot = false;
  },
  'a range widened, an index added, an enum sorted differently': (s) => {
    ((columns(s, 'ACL').priority?.type as JsonObject).key as JsonObject).maxInteger = 65535;
    (tables(s).Logical_Switch as JsonObject).indexes = [['name']];
    (((columns(s, 'ACL').action?.type as JsonObject).key as JsonObject).enum as Json[])[1] = [
      'allow',
      'reject',
      'drop',
      'allow-related',
      'allow-stateless',
      'pass',
    ];
  },
  'columns made ephemeral and immutable': (s) => {
    columns(s, 'Address_Set').addresses = {
      type: { key: 'string', min: 0, max: 'unlimited' },
      ephemeral: true,
      mutable: false,
    };
    columns(s, 'Logical_Switch').ports = {
      type: { key: { type: 'uuid', refTable: 'Logical_Switch_Port' }, min: 0, max: 'unlimited' },
      ephemeral: true,
    };
  },
};

/** Requests that fail; the database must be left as it was. */
const INVALID: Record<string, () => Json[]> = {
  'one parameter': () => [DB],
  'three parameters': () => [DB, BASE, 1],
  'a database name that is not a string': () => [5, BASE],
  'an unknown database': () => ['Nope', { ...BASE, name: 'Nope' }],
  'a schema that is not an object': () => [DB, 'x'],
  'a schema without tables': () => {
    const rest = { ...BASE };
    delete rest.tables;
    return [DB, rest];
  },
  'a schema for another database': () => [DB, { ...BASE, name: 'Other' }],
  'a bad version': () => [DB, { ...BASE, version: 'x.y' }],
  'an unknown atomic type': () => [DB, schemaWith((s) => (columns(s, 'ACL').priority = { type: 'float' }))],
  'a reference to a table that is gone': () => [DB, schemaWith((s) => delete tables(s).Logical_Switch_Port)],
  'a table removed that several columns still reference': () => [DB, schemaWith((s) => delete tables(s).Address_Set)],
  'a reserved table name': () => [DB, schemaWith((s) => (tables(s)._T = { columns: { a: { type: 'string' } } }))],
  'a table name that is not an id': () => [
    DB,
    schemaWith((s) => (tables(s)['bad-name'] = { columns: { a: { type: 'string' } } })),
  ],
  'maxRows 0': () => [DB, schemaWith((s) => ((tables(s).ACL as JsonObject).maxRows = 0))],
  'a table without columns': () => [DB, schemaWith((s) => (tables(s).Extra = { columns: {} }))],
  'a reserved column name': () => [DB, schemaWith((s) => (columns(s, 'ACL')._c = { type: 'string' }))],
  'an unknown member in a column': () => [
    DB,
    schemaWith((s) => (columns(s, 'ACL').priority = { type: 'integer', color: 'red' })),
  ],
  'min 2': () => [DB, schemaWith((s) => (columns(s, 'ACL').name = { type: { key: 'string', min: 2, max: 3 } }))],
  'max 0': () => [DB, schemaWith((s) => (columns(s, 'ACL').name = { type: { key: 'string', min: 0, max: 0 } }))],
  'max "lots"': () => [DB, schemaWith((s) => (columns(s, 'ACL').name = { type: { key: 'string', max: 'lots' } }))],
  'refType "soft"': () => [
    DB,
    schemaWith((s) => (((columns(s, 'Logical_Switch').ports?.type as JsonObject).key as JsonObject).refType = 'soft')),
  ],
  'refType without refTable': () => [
    DB,
    schemaWith((s) => (columns(s, 'ACL').meter = { type: { key: { type: 'uuid', refType: 'weak' }, min: 0 } })),
  ],
  'minInteger above maxInteger': () => [
    DB,
    schemaWith(
      (s) => (columns(s, 'ACL').priority = { type: { key: { type: 'integer', minInteger: 5, maxInteger: 1 } } }),
    ),
  ],
  'minLength on an integer': () => [
    DB,
    schemaWith((s) => (columns(s, 'ACL').priority = { type: { key: { type: 'integer', minLength: 1 } } })),
  ],
  'an enum of the wrong type': () => [
    DB,
    schemaWith((s) => (columns(s, 'ACL').priority = { type: { key: { type: 'integer', enum: ['set', ['a']] } } })),
  ],
  'an empty index': () => [DB, schemaWith((s) => ((tables(s).ACL as JsonObject).indexes = [[]]))],
  'an index on an unknown column': () => [DB, schemaWith((s) => ((tables(s).ACL as JsonObject).indexes = [['nope']]))],
  'an index on an ephemeral column': () => [
    DB,
    schemaWith((s) => ((tables(s).Connection as JsonObject).indexes = [['is_connected']])),
  ],
  'an index the data breaks': () => [
    DB,
    schemaWith((s) => ((tables(s).Logical_Switch as JsonObject).indexes = [['other_config']])),
  ],
  'maxRows the data breaks': () => [DB, schemaWith((s) => ((tables(s).Logical_Switch as JsonObject).maxRows = 1))],
  'references retargeted to rows that do not exist': () => [
    DB,
    schemaWith((s) => (((columns(s, 'Logical_Switch').ports?.type as JsonObject).key as JsonObject).refTable = 'ACL')),
  ],
};

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function mask(v: Json): Json {
  const walk = (x: Json, key?: string): Json => {
    if (key === '_version') return '<version>';
    if (typeof x === 'string') return x.replace(UUID_RE, (u) => (FIXED.has(u) ? u : '<uuid>'));
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map((e) => walk(e));
    const out: JsonObject = {};
    for (const [k, val] of Object.entries(x)) out[k] = walk(val, k);
    return out;
  };
  return sortKeysDeep(walk(v));
}

/**
 * ovsdb-server names the two rows of an index clash in an order that varies from run to run (the same
 * conversion of the same rows gave both orders); either order is a correct report, so compare them as a set.
 */
function rowsUnordered(v: Json): Json {
  const text = JSON.stringify(v);
  const m = /First row, with UUID ([0-9a-f-]{36}), (.*?)\. {2}Second row, with UUID ([0-9a-f-]{36}), (.*?)\./.exec(
    text,
  );
  if (m === null) return v;
  const rows = [`${m[1]} ${m[2]}`, `${m[3]} ${m[4]}`].sort();
  return JSON.parse(text.replace(m[0], `rows: ${rows.join('; ')}.`)) as Json;
}

/** A client connection that records everything it receives, in order, and when it is closed. */
class Client {
  readonly conn: RpcConnection;
  readonly events: Json[] = [];
  closed = false;

  constructor(socket: string) {
    this.conn = new RpcConnection(net.createConnection(socket));
    this.conn.onAnyNotification((method, params) => this.events.push(mask([method, ...params])));
    this.conn.onClose(() => {
      this.closed = true;
    });
  }

  /** Send a request; its answer (result or error) is recorded when it arrives, after what came before it. */
  send(method: string, params: Json[]): Promise<Json> {
    return this.conn.request(method, params).then(
      (r) => {
        this.events.push(mask(['reply', method, r]));
        return r;
      },
      (err: unknown) => {
        const e: Json = err instanceof RpcError ? err.payload : String(err);
        if (err instanceof RpcError) this.events.push(mask(['error', method, e]));
        return { error: e };
      },
    );
  }
}

interface Pair {
  readonly real: RealServer;
  readonly ours: EmbeddedServer;
  readonly sockets: [string, string];
  readonly clients: Client[];
}

async function startPair(dir: string, tag: string): Promise<Pair> {
  const real = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA] });
  const ours = new EmbeddedServer();
  ours.addDatabase(readFileSync(OVN_NB_SCHEMA, 'utf8'));
  const { unix } = await ours.listen({ unix: join(dir, `${tag}.sock`) });
  const pair: Pair = {
    real,
    ours,
    sockets: [(real.unixRemote as string).slice('unix:'.length), unix as string],
    clients: [],
  };
  for (const seed of await both(pair, (c) => c.send('transact', [DB, ...SEED]))) {
    expect((seed as Json[]).some((r) => r !== null && typeof r === 'object' && 'error' in r)).toBe(false);
  }
  return pair;
}

async function stopPair(p: Pair | undefined): Promise<void> {
  if (p === undefined) return;
  for (const c of p.clients) if (!c.closed) await c.conn.close();
  await p.ours.close();
  await p.real.stop();
}

function clients(p: Pair): [Client, Client] {
  const cs = p.sockets.map((s) => new Client(s)) as [Client, Client];
  p.clients.push(...cs);
  return cs;
}

/** Run `fn` with a fresh client on each side; returns the two results. */
async function both<T>(p: Pair, fn: (c: Client) => Promise<T>): Promise<[T, T]> {
  const [a, b] = clients(p);
  return [await fn(a), await fn(b)];
}

/** Everything in the database, as a fresh monitor's initial rows. */
async function contents(p: Pair): Promise<[Json, Json]> {
  const [a, b] = await both(p, async (c) => {
    const schema = (await c.conn.request('get_schema', [DB])) as JsonObject;
    const request: JsonObject = {};
    for (const t of Object.keys(schema.tables as JsonObject)) request[t] = [{}];
    return c.conn.request('monitor_cond', [DB, 'all', request]);
  });
  return [mask(a), mask(b)];
}

async function settle(cs: Client[]): Promise<void> {
  // Each open connection answers an echo only after everything sent to it before.
  await Promise.all(cs.filter((c) => !c.closed).map((c) => c.conn.request('echo', []).catch(() => undefined)));
  await new Promise((r) => setTimeout(r, 50));
}

describe('convert, against ovsdb-server', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ovsdb-convert-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [title, edit] of Object.entries(CONVERSIONS)) {
    for (const callerAware of [false, true]) {
      if (callerAware && title !== 'a column added') continue;
      it(`converts with ${title}, as ovsdb-server does${callerAware ? ' (change-aware caller)' : ''}`, async () => {
        let p: Pair | undefined;
        try {
          p = await startPair(dir, `c${Math.random().toString(36).slice(2)}`);
          const pair = p;
          const schema = schemaWith(edit);
          // On each side: a change-aware client with monitors on the database (one of them v1), on _Server
          // and a waiting transaction; a plain client with a monitor; an idle plain client; the caller,
          // with its own monitor.
          const aware = clients(pair);
          const plain = clients(pair);
          const idle = clients(pair);
          const caller = clients(pair);
          const waits: Promise<Json>[] = [];
          for (let i = 0; i < 2; i++) {
            const a = aware[i] as Client;
            await a.send('set_db_change_aware', [true]);
            await a.send('monitor_cond', [DB, 'nbmon', { Logical_Switch: [{ columns: ['name', 'ports'] }] }]);
            await a.send('monitor', [DB, ['v1', 1], { ACL: {} }]);
            await a.send('monitor_cond', [
              '_Server',
              'srv',
              { Database: [{ columns: ['name', 'model', 'connected', 'leader'] }] },
            ]);
            waits.push(
              a.send('transact', [
                DB,
                {
                  op: 'wait',
                  table: 'Logical_Switch',
                  where: [],
                  columns: ['name'],
                  until: '==',
                  rows: [],
                  timeout: 60_000,
                },
              ]),
            );
            await (plain[i] as Client).send('monitor_cond', [DB, 'plainmon', { ACL: [{}] }]);
            await (idle[i] as Client).send('echo', []);
            if (callerAware) await (caller[i] as Client).send('set_db_change_aware', [true]);
            await (caller[i] as Client).send('monitor_cond', [DB, 'mine', { Address_Set: [{ columns: ['name'] }] }]);
          }
          const all = [...aware, ...plain, ...idle, ...caller];
          await settle(all);
          for (const c of all) c.events.length = 0;

          const replies = await Promise.all(caller.map((c) => c.send('convert', [DB, schema])));
          expect(mask(replies[1] as Json)).toEqual(mask(replies[0] as Json));
          expect(replies[0]).toEqual({});
          await Promise.all(waits);
          await settle(all);
          for (const [who, pairOf] of [
            ['change-aware client', aware],
            ['plain client', plain],
            ['idle client', idle],
            ['caller', caller],
          ] as const) {
            const [r, o] = pairOf;
            expect(o.events, `${who}: what it received`).toEqual(r.events);
            expect(o.closed, `${who}: disconnected`).toBe(r.closed);
          }
          // What ovsdb-server did, spelled out (ours matched it above).
          expect(aware[0].events).toEqual(
            expect.arrayContaining([
              ['monitor_canceled', 'nbmon'],
              ['monitor_canceled', ['v1', 1]],
              ['error', 'transact', 'canceled'],
            ]),
          );
          expect([aware[0].closed, plain[0].closed, idle[0].closed, caller[0].closed]).toEqual([
            false,
            true,
            true,
            !callerAware,
          ]);
          if (callerAware)
            expect(caller[0].events).toEqual([
              ['monitor_canceled', 'mine'],
              ['reply', 'convert', {}],
            ]);

          const [schemaReal, schemaOurs] = await both(pair, (c) => c.conn.request('get_schema', [DB]));
          expect(sortKeysDeep(schemaOurs)).toEqual(sortKeysDeep(schemaReal));
          const [real, ours] = await contents(pair);
          expect(ours).toEqual(real);
          // Writes work under the new schema.
          const write = [{ op: 'insert', table: 'NB_Global', uuid: 'eeeeeeee-0000-4000-8000-000000000002', row: {} }];
          const [w1, w2] = await both(pair, (c) => c.send('transact', [DB, ...write]));
          expect(mask(w2)).toEqual(mask(w1));
        } finally {
          await stopPair(p);
        }
      }, 30_000);
    }
  }

  describe('invalid conversions', () => {
    let p: Pair;
    beforeAll(async () => {
      p = await startPair(dir, 'invalid');
    }, 30_000);
    afterAll(() => stopPair(p));

    for (const [title, params] of Object.entries(INVALID)) {
      it(`refuses ${title} as ovsdb-server does`, async () => {
        const before = await contents(p);
        const [real, ours] = await both(p, (c) => c.send('convert', params()));
        expect(rowsUnordered(ours)).toEqual(rowsUnordered(real));
        expect(real).toHaveProperty('error');
        expect(await contents(p)).toEqual(before);
      });
    }
  });

  it('shows the new schema in _Server as a clustered ovsdb-server does', async () => {
    // Clustered ovsdb-server 3.1.0 cannot convert to a schema with ephemeral columns (its members then
    // fail to read their own log), so the schema here has none.
    const schema = schemaWith((s) => {
      s.version = '7.0.1';
      columns(s, 'Logical_Switch').extra = { type: 'string' };
      for (const t of Object.values(tables(s)))
        for (const c of Object.values(t.columns as Record<string, JsonObject>)) delete c.ephemeral;
    });
    const seen: Json[] = [];
    const cluster = await startCluster({ size: 1 });
    const ours = new EmbeddedServer();
    try {
      ours.addDatabase(readFileSync(OVN_NB_SCHEMA, 'utf8'));
      const { unix } = await ours.listen({ unix: join(dir, 'srv.sock') });
      const member = cluster.members[0];
      if (member === undefined) throw new Error('no member');
      for (const socket of [member.unixRemote.slice('unix:'.length), unix as string]) {
        const watcher = new Client(socket);
        await watcher.send('set_db_change_aware', [true]);
        await watcher.send('monitor_cond', [
          '_Server',
          'srv',
          { Database: [{ columns: ['schema'], where: [['name', '==', DB]] }] },
        ]);
        watcher.events.length = 0;
        const caller = new Client(socket);
        await caller.send('set_db_change_aware', [true]);
        expect(await caller.send('convert', [DB, schema])).toEqual({});
        const deadline = Date.now() + 10_000;
        while (watcher.events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const update = watcher.events[0] as Json[];
        const rows = Object.values((update[2] as JsonObject).Database as JsonObject) as JsonObject[];
        seen.push((rows[0]?.modify as JsonObject).schema as Json);
        await watcher.conn.close();
        await caller.conn.close();
      }
    } finally {
      await ours.close();
      await cluster.stop();
    }
    expect(typeof seen[0]).toBe('string');
    expect(seen[1]).toBe(seen[0]);
    expect(JSON.parse(seen[1] as string)).toMatchObject({ version: '7.0.1' });
  }, 60_000);
});
