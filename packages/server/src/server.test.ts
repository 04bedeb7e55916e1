/**
 * The server over its transports: methods, `_Server`, locks, waiting transactions and cancel, ordering of
 * updates and replies, and sessions ending. Behaviour expected here is what ovsdb-server 3.1 does (see
 * shared/reference/ovsdb-server-conformance.md).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OvsdbClient, RpcConnection, RpcError, parseJson, type Json, type JsonObject } from '@ovsdb-web/client';
import { EmbeddedServer } from './server.js';
import { fileURLToPath } from 'node:url';

const NB = readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newServer(opts: ConstructorParameters<typeof EmbeddedServer>[0] = {}): EmbeddedServer {
  const server = new EmbeddedServer(opts);
  server.addDatabase(NB);
  cleanups.push(() => server.close());
  return server;
}

/** A raw JSON-RPC session over the in-process transport, recording notifications. */
function connect(server: EmbeddedServer): { conn: RpcConnection; notes: [string, Json[]][] } {
  const conn = new RpcConnection(server.connectInProcess());
  const notes: [string, Json[]][] = [];
  conn.onAnyNotification((method, params) => notes.push([method, params]));
  cleanups.push(() => conn.close());
  return { conn, notes };
}

async function rpcError(p: Promise<unknown>): Promise<Json> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RpcError) return err.payload;
    throw err;
  }
  throw new Error('expected an error reply');
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('EmbeddedServer methods', () => {
  it('answers list_dbs, get_schema, echo and get_server_id over the in-process transport', async () => {
    const server = newServer({ serverId: '11111111-2222-3333-4444-555555555555' });
    const { conn } = connect(server);
    expect(await conn.request('list_dbs', [])).toEqual(['OVN_Northbound', '_Server']);
    const schema = (await conn.request('get_schema', ['OVN_Northbound'])) as JsonObject;
    expect(schema.name).toBe('OVN_Northbound');
    expect(await conn.request('echo', ['hello', 42])).toEqual(['hello', 42]);
    expect(await conn.request('get_server_id', [])).toBe('11111111-2222-3333-4444-555555555555');
    expect(await rpcError(conn.request('get_schema', ['Nope']))).toEqual({
      syntax: '["Nope"]',
      details: 'get_schema request specifies unknown database Nope',
      error: 'unknown database',
    });
    expect(await rpcError(conn.request('frobnicate', []))).toBe('unknown method');
    // cancel is a notification; sent as a request it is an unknown method, as ovsdb-server says.
    expect(await rpcError(conn.request('cancel', ['x']))).toBe('unknown method');
  });

  it('closes the session on a protocol error, without a reply', async () => {
    const server = newServer();
    const stream = server.connectInProcess();
    const closed = new Promise<void>((resolve) => stream.on('close', () => resolve()));
    stream.resume();
    stream.write('{"method":"list_dbs","params":{},"id":1}');
    await closed;
    expect(server.sessionCount).toBe(0);
  });

  it('serves OvsdbClient over a unix socket and TCP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovsdb-embedded-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = newServer();
    const addr = await server.listen({ unix: join(dir, 'nb.sock'), tcp: { port: 0 } });
    for (const remote of [`unix:${addr.unix as string}`, `tcp:127.0.0.1:${addr.tcp?.port as number}`]) {
      const client = await OvsdbClient.connect(remote);
      const [r] = await client.transact('OVN_Northbound', [
        { op: 'insert', table: 'Logical_Switch', row: { name: `via-${remote.slice(0, 3)}` } },
      ]);
      expect(r).toHaveProperty('uuid');
      await client.close();
    }
    expect(
      server.transact('OVN_Northbound', [{ op: 'select', table: 'Logical_Switch', where: [], columns: ['name'] }]),
    ).toEqual([{ rows: [{ name: 'via-uni' }, { name: 'via-tcp' }] }]);
  });
});

describe('_Server database', () => {
  it('describes every database as a standalone leader and refuses writes', async () => {
    const server = newServer();
    const { conn } = connect(server);
    const [sel] = (await conn.request('transact', [
      '_Server',
      {
        op: 'select',
        table: 'Database',
        where: [],
        columns: ['name', 'model', 'connected', 'leader', 'schema', 'cid', 'sid', 'index'],
      },
    ])) as [{ rows: JsonObject[] }];
    const byName = new Map(sel.rows.map((r) => [r.name, r]));
    expect([...byName.keys()].sort()).toEqual(['OVN_Northbound', '_Server']);
    const nb = byName.get('OVN_Northbound') as JsonObject;
    expect(nb).toMatchObject({
      model: 'standalone',
      connected: true,
      leader: true,
      cid: ['set', []],
      sid: ['set', []],
      index: ['set', []],
    });
    expect(parseJson(nb.schema as string)).toMatchObject({ name: 'OVN_Northbound' });

    const insert = await conn.request('transact', [
      '_Server',
      { op: 'insert', table: 'Database', row: { name: 'x', model: 'standalone' } },
    ]);
    expect(insert).toEqual([
      { details: 'insert operation not allowed on table in reserved database _Server', error: 'not allowed' },
    ]);
  });

  it('shows databases added later to _Server monitors', async () => {
    const server = newServer();
    const { conn, notes } = connect(server);
    const initial = (await conn.request('monitor_cond', [
      '_Server',
      's',
      { Database: [{ columns: ['name'] }] },
    ])) as JsonObject;
    expect(Object.values(initial.Database as JsonObject).map((r) => (r as JsonObject).initial)).toHaveLength(2);
    server.addDatabase(
      readFileSync(fileURLToPath(new URL('../../client/test-fixtures/every-type.ovsschema', import.meta.url)), 'utf8'),
    );
    await tick(5);
    expect(notes).toHaveLength(1);
    expect(JSON.stringify(notes[0])).toContain('"insert":{"name":"EveryType"}');
  });
});

describe('updates and replies', () => {
  it('sends the updates a transaction causes before its reply, to every session', async () => {
    const server = newServer();
    const a = connect(server);
    const b = connect(server);
    for (const s of [a, b])
      await s.conn.request('monitor_cond', ['OVN_Northbound', 'm', { Logical_Switch: [{ columns: ['name'] }] }]);
    const seenBeforeReply: number[] = [];
    const reply = a.conn.request('transact', [
      'OVN_Northbound',
      { op: 'insert', table: 'Logical_Switch', row: { name: 'ls1' } },
    ]);
    void reply.then(() => seenBeforeReply.push(a.notes.length));
    await reply;
    await tick(5);
    expect(seenBeforeReply).toEqual([1]);
    expect(b.notes).toHaveLength(1);
    expect(a.notes[0]?.[0]).toBe('update2');
  });

  it('releases monitors when a session goes away', async () => {
    const server = newServer();
    const a = connect(server);
    await a.conn.request('monitor_cond', ['OVN_Northbound', 'm', { Logical_Switch: [{}] }]);
    await a.conn.close();
    await tick(5);
    expect(server.sessionCount).toBe(0);
    expect(server.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: {} }])[0]).toHaveProperty(
      'uuid',
    );
  });
});

describe('locks', () => {
  it('queues, grants, steals and releases locks with locked/stolen notifications', async () => {
    const server = newServer();
    const a = connect(server);
    const b = connect(server);
    expect(await a.conn.request('lock', ['L'])).toEqual({ locked: true });
    expect(await b.conn.request('lock', ['L'])).toEqual({ locked: false });
    expect(await rpcError(a.conn.request('lock', ['L']))).toEqual({
      syntax: '["L"]',
      details: 'must issue "unlock" before new "lock"',
      error: 'syntax error',
    });
    const assertOp = ['OVN_Northbound', { op: 'assert', lock: 'L' }];
    expect(await a.conn.request('transact', assertOp)).toEqual([{}]);
    expect(await b.conn.request('transact', assertOp)).toEqual([
      { details: 'Asserted lock L not held.', error: 'not owner' },
    ]);

    expect(await a.conn.request('unlock', ['L'])).toEqual({});
    await tick(5);
    expect(b.notes).toEqual([['locked', ['L']]]);

    expect(await a.conn.request('steal', ['L'])).toEqual({ locked: true });
    await tick(5);
    expect(b.notes[1]).toEqual(['stolen', ['L']]);

    // The owner disconnects: the robbed session is next in line again.
    await a.conn.close();
    await tick(5);
    expect(b.notes[2]).toEqual(['locked', ['L']]);
    expect(await b.conn.request('transact', assertOp)).toEqual([{}]);
    expect(await rpcError(b.conn.request('unlock', ['M']))).toMatchObject({
      details: 'unlock: "unlock" without "lock" or "steal"',
    });
  });
});

describe('waiting transactions', () => {
  const waitForChange = (timeout?: number): Json[] => [
    'OVN_Northbound',
    {
      op: 'wait',
      table: 'Logical_Switch',
      where: [['name', '==', 'ls1']],
      columns: ['name'],
      until: '!=',
      rows: [{ name: 'ls1' }],
      ...(timeout === undefined ? {} : { timeout }),
    },
    { op: 'insert', table: 'Logical_Switch', row: { name: 'after-wait' } },
  ];

  it('completes a wait when another session commits the awaited change', async () => {
    const server = newServer();
    server.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'ls1' } }]);
    const a = connect(server);
    const b = connect(server);
    let done = false;
    const pending = a.conn.request('transact', waitForChange(10_000)).then((r) => {
      done = true;
      return r;
    });
    await tick(20);
    expect(done).toBe(false);
    // Other requests on the same session are still served meanwhile.
    expect(await a.conn.request('echo', [1])).toEqual([1]);
    await b.conn.request('transact', [
      'OVN_Northbound',
      { op: 'update', table: 'Logical_Switch', where: [['name', '==', 'ls1']], row: { name: 'ls2' } },
    ]);
    const results = (await pending) as Json[];
    expect(results).toHaveLength(2);
    expect(results[1]).toHaveProperty('uuid');
  });

  it('times out after the wait timeout', async () => {
    const server = newServer();
    server.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'ls1' } }]);
    const { conn } = connect(server);
    const started = Date.now();
    const results = (await conn.request('transact', waitForChange(100))) as JsonObject[];
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(results[0]?.error).toBe('timed out');
    expect(results[0]?.details).toMatch(/^"wait" timed out after \d+ ms$/);
    expect(results[1]).toBeNull();
  });

  it('rejects a duplicate request id while waiting, and cancels: silently, or with "canceled" when change-aware', async () => {
    const server = newServer();
    server.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'ls1' } }]);
    const stream = server.connectInProcess();
    const received: JsonObject[] = [];
    stream.on('data', (chunk: Buffer) => {
      for (const text of chunk.toString('utf8').split(/(?<=\})(?=\{)/)) received.push(JSON.parse(text) as JsonObject);
    });
    cleanups.push(() => void stream.destroy());
    const send = (msg: JsonObject): void => void stream.write(JSON.stringify(msg));
    send({ method: 'transact', id: 'w1', params: waitForChange() });
    send({ method: 'transact', id: 'w1', params: ['OVN_Northbound', { op: 'comment', comment: 'dup id' }] });
    await tick(10);
    expect(received).toEqual([
      {
        id: 'w1',
        error: {
          syntax: '["OVN_Northbound",{"comment":"dup id","op":"comment"}]',
          details: 'transact: duplicate request ID',
          error: 'syntax error',
        },
      },
    ]);
    send({ method: 'cancel', id: null, params: ['w1'] });
    send({ method: 'echo', id: 'e', params: [] });
    await tick(10);
    expect(received.slice(1)).toEqual([{ id: 'e', result: [], error: null }]);

    send({ method: 'set_db_change_aware', id: 'a', params: [true] });
    send({ method: 'transact', id: 'w2', params: waitForChange() });
    send({ method: 'cancel', id: null, params: ['w2'] });
    await tick(10);
    expect(received.slice(2)).toEqual([
      { id: 'a', result: {}, error: null },
      { id: 'w2', error: 'canceled' },
    ]);
    // The cancelled transaction never ran.
    expect(
      server.transact('OVN_Northbound', [
        { op: 'select', table: 'Logical_Switch', where: [['name', '==', 'after-wait']] },
      ]),
    ).toEqual([{ rows: [] }]);
  });
});
