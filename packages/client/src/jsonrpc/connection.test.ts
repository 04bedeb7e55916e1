import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { RpcConnection } from './connection.js';
import { DisconnectedError, ProtocolError, ReplyLostError, RpcError, UnexpectedReplyError } from './errors.js';
import { MessageReader } from './reader.js';

/** The far end of a unix socket, driven by the test: it sees parsed messages and writes raw text. */
class ScriptedPeer {
  readonly received: JsonObject[] = [];
  private waiters: (() => void)[] = [];
  ended = false;

  constructor(readonly socket: net.Socket) {
    const reader = new MessageReader(
      (m) => {
        this.received.push(m);
        this.wake();
      },
      (e) => {
        throw e;
      },
    );
    socket.on('data', (c: Buffer) => reader.push(c));
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Wait until at least n messages have arrived and return the nth (1-based). */
  async nth(n: number): Promise<JsonObject> {
    while (this.received.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.received[n - 1] as JsonObject;
  }

  async waitEnded(): Promise<void> {
    while (!this.ended) await new Promise<void>((r) => this.waiters.push(r));
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }
}

let dir: string;
let server: net.Server;
let sockPath: string;
const peers: ScriptedPeer[] = [];
let peerArrived: ((p: ScriptedPeer) => void) | undefined;
const open: RpcConnection[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rpcconn-'));
  sockPath = join(dir, 'peer.sock');
  server = net.createServer((s) => {
    const p = new ScriptedPeer(s);
    peers.push(p);
    peerArrived?.(p);
  });
  await new Promise<void>((r) => server.listen(sockPath, r));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  for (const p of peers.splice(0)) p.socket.destroy();
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function connect(): Promise<{ conn: RpcConnection; peer: ScriptedPeer; socket: net.Socket }> {
  const peerP = new Promise<ScriptedPeer>((r) => (peerArrived = r));
  const socket = net.connect({ path: sockPath });
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  const conn = new RpcConnection(socket, { remote: `unix:${sockPath}` });
  open.push(conn);
  return { conn, peer: await peerP, socket };
}

describe('RpcConnection requests and replies', () => {
  it('sends increasing integer ids and resolves results, keeping int64 exact', async () => {
    const { conn, peer } = await connect();
    const a = conn.request('list_dbs', []);
    const b = conn.request('echo', [9223372036854775807n, 'é']);
    expect(await peer.nth(1)).toEqual({ method: 'list_dbs', params: [], id: 1 });
    expect(await peer.nth(2)).toEqual({ method: 'echo', params: [9223372036854775807n, 'é'], id: 2 });
    peer.send(
      '{"id":2,"result":[9223372036854775807,"é"],"error":null}{"id":1,"result":["OVN_Northbound"],"error":null}',
    );
    expect(await a).toEqual(['OVN_Northbound']);
    expect(await b).toEqual([9223372036854775807n, 'é']);
    expect(conn.pendingRequests).toBe(0);
  });

  it('rejects with RpcError that keeps the server error object', async () => {
    const { conn, peer } = await connect();
    const p = conn.request('get_schema', ['nope']);
    await peer.nth(1);
    peer.send(
      '{"id":1,"result":null,"error":{"error":"unknown database","details":"get_schema asked for database nope which is not open","syntax":"[\\"nope\\"]"}}',
    );
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toBeInstanceOf(OvsdbError);
    const e = err as RpcError;
    expect(e.error).toBe('unknown database');
    expect(e.details).toBe('get_schema asked for database nope which is not open');
    expect(e.syntax).toBe('["nope"]');
    expect(e.method).toBe('get_schema');
    expect(e.message).toMatch(/^get_schema: unknown database: /);
  });

  it('treats a bare string error (what ovsdb-server sends for unknown methods) as an RpcError', async () => {
    const { conn, peer } = await connect();
    const p = conn.request('frobnicate', []);
    await peer.nth(1);
    peer.send('{"id":1,"result":null,"error":"unknown method"}');
    await expect(p).rejects.toMatchObject({ name: 'RpcError', error: 'unknown method', payload: 'unknown method' });
  });

  it('reports a reply with an unknown id through onError and keeps working', async () => {
    const { conn, peer } = await connect();
    const errors: Error[] = [];
    conn.onError((e) => errors.push(e));
    const p = conn.request('list_dbs', []);
    await peer.nth(1);
    peer.send('{"id":99,"result":[],"error":null}{"id":"x","result":[],"error":null}{"id":1,"result":[],"error":null}');
    expect(await p).toEqual([]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(UnexpectedReplyError);
    expect((errors[0] as UnexpectedReplyError).id).toBe(99);
    expect(errors[1]?.message).toBe('reply with unknown id "x"');
    expect(conn.closed).toBe(false);
  });

  it('rejects an aborted request and drops its late reply quietly', async () => {
    const { conn, peer } = await connect();
    const errors: Error[] = [];
    conn.onError((e) => errors.push(e));
    const ac = new AbortController();
    const p = conn.request('transact', ['db'], { signal: ac.signal, onAbort: (id) => conn.notify('cancel', [id]) });
    await peer.nth(1);
    ac.abort(new Error('user gave up'));
    await expect(p).rejects.toThrow('user gave up');
    expect(await peer.nth(2)).toEqual({ method: 'cancel', params: [1], id: null });
    const q = conn.request('list_dbs', []);
    await peer.nth(3);
    peer.send('{"id":1,"result":[],"error":null}{"id":2,"result":["x"],"error":null}');
    expect(await q).toEqual(['x']);
    expect(errors).toEqual([]);
    await expect(conn.request('x', [], { signal: AbortSignal.abort(new Error('pre')) })).rejects.toThrow('pre');
  });

  it('tracks lastActivity from received bytes and exposes bufferedBytes', async () => {
    const { conn, peer } = await connect();
    const before = conn.lastActivity;
    expect(conn.bufferedBytes).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    const p = conn.request('list_dbs', []);
    await peer.nth(1);
    peer.send(' ');
    await new Promise((r) => setTimeout(r, 20));
    expect(conn.lastActivity).toBeGreaterThan(before);
    peer.send('{"id":1,"result":[],"error":null}');
    await p;
  });
});

describe('RpcConnection ordering', () => {
  it('runs notification handlers before the reply that follows them resolves', async () => {
    const { conn, peer } = await connect();
    const log: string[] = [];
    conn.onNotification('update3', (params) => log.push(`update3 ${String(params[0])}`));
    conn.onAnyNotification((method) => log.push(`any ${method}`));
    const p = conn.request('monitor_cond_change', ['m-a', 'm-b', {}]).then(() => log.push('reply'));
    await peer.nth(1);
    // One write, so both arrive in the same read.
    peer.send('{"id":null,"method":"update3","params":["m-b","t",{}]}{"id":1,"result":{},"error":null}');
    await p;
    expect(log).toEqual(['update3 m-b', 'any update3', 'reply']);
  });

  it('lets the code awaiting a reply run before a notification that follows it in the same read', async () => {
    const { conn, peer } = await connect();
    const log: string[] = [];
    conn.onNotification('update2', () => log.push('update2'));
    const monitored = (async () => {
      const initial = await conn.request('monitor_cond', ['db', 'm', {}]);
      // A few more promise hops, as a cache layer would take before it is ready for updates.
      await Promise.resolve();
      await Promise.resolve();
      log.push(`initial ${JSON.stringify(initial)}`);
    })();
    await peer.nth(1);
    peer.send('{"id":1,"result":{"T":{}},"error":null}{"id":null,"method":"update2","params":["m",{}]}');
    await monitored;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['initial {"T":{}}', 'update2']);
  });

  it('delivers messages received just before the peer closes, then disconnects', async () => {
    const { conn, peer } = await connect();
    const log: string[] = [];
    conn.onNotification('locked', () => log.push('locked'));
    const a = conn.request('lock', ['L']);
    const b = conn.request('transact', ['db']);
    await peer.nth(2);
    peer.socket.end('{"id":1,"result":{"locked":false},"error":null}{"id":null,"method":"locked","params":["L"]}');
    expect(await a).toEqual({ locked: false });
    const err = await b.catch((e: unknown) => e);
    expect(log).toEqual(['locked']);
    expect(err).toBeInstanceOf(DisconnectedError);
    expect((err as DisconnectedError).message).toBe(
      `connection to unix:${sockPath} closed: peer closed the connection`,
    );
  });

  it('keeps dispatch going when a handler throws, reporting it through onError', async () => {
    const { conn, peer } = await connect();
    const errors: Error[] = [];
    const log: string[] = [];
    conn.onError((e) => errors.push(e));
    conn.onNotification('update', () => {
      throw new Error('handler bug');
    });
    const d = conn.onNotification('update', () => log.push('second'));
    const p = conn.request('x', []);
    await peer.nth(1);
    peer.send('{"id":null,"method":"update","params":[]}{"id":1,"result":1,"error":null}');
    expect(await p).toBe(1);
    expect(log).toEqual(['second']);
    expect(errors.map((e) => e.message)).toEqual(['handler bug']);
    d.dispose();
  });
});

describe('RpcConnection server requests', () => {
  it('answers echo with the same params and id', async () => {
    const { peer } = await connect();
    peer.send('{"id":"echo","method":"echo","params":[]}');
    expect(await peer.nth(1)).toEqual({ id: 'echo', result: [], error: null });
    peer.send('{"id":7,"method":"echo","params":["a",9223372036854775807,{"k":[1]}]}');
    expect(await peer.nth(2)).toEqual({ id: 7, result: ['a', 9223372036854775807n, { k: [1] }], error: null });
  });

  it('answers unknown methods with "unknown method", and writes members in a fixed order', async () => {
    const { peer } = await connect();
    const raw: Buffer[] = [];
    peer.socket.on('data', (c: Buffer) => raw.push(c));
    peer.send('{"id":[1,"q"],"method":"bogus","params":[]}');
    expect(await peer.nth(1)).toEqual({ id: [1, 'q'], result: null, error: 'unknown method' });
    expect(Buffer.concat(raw).toString()).toBe('{"id":[1,"q"],"result":null,"error":"unknown method"}');
  });

  it('routes requests to onRequest handlers, sync, async and failing', async () => {
    const { conn, peer } = await connect();
    conn.onRequest('sum', (params) => params.reduce<number>((s, v) => s + (v as number), 0));
    conn.onRequest('later', async (params) => {
      await new Promise((r) => setTimeout(r, 5));
      return { got: params };
    });
    conn.onRequest('nope', () => {
      throw new OvsdbError('not allowed', 'no thanks');
    });
    const mine = conn.onRequest('echo', () => 'overridden');
    peer.send(
      '{"id":1,"method":"later","params":[true]}{"id":2,"method":"sum","params":[1,2,3]}' +
        '{"id":3,"method":"nope","params":[]}{"id":4,"method":"echo","params":[]}',
    );
    await peer.nth(4);
    expect(peer.received).toEqual([
      { id: 2, result: 6, error: null },
      { id: 3, result: null, error: { error: 'not allowed', details: 'no thanks' } },
      { id: 4, result: 'overridden', error: null },
      { id: 1, result: { got: [true] }, error: null },
    ]);
    mine.dispose();
    peer.send('{"id":5,"method":"echo","params":[5]}');
    expect(await peer.nth(5)).toEqual({ id: 5, result: [5], error: null });
  });

  it('sends notifications with a null id', async () => {
    const { conn, peer } = await connect();
    conn.notify('cancel', [3]);
    expect(await peer.nth(1)).toEqual({ method: 'cancel', params: [3], id: null });
  });
});

describe('RpcConnection shutdown', () => {
  it('rejects pending requests when the peer drops the connection, and later calls at once', async () => {
    const { conn, peer } = await connect();
    const closes: DisconnectedError[] = [];
    conn.onClose((e) => closes.push(e));
    const p = conn.request('transact', ['db']);
    const q = conn.request('transact', ['db']);
    await peer.nth(2);
    peer.socket.destroy();
    const [ep, eq] = await Promise.all([p.catch((e: unknown) => e), q.catch((e: unknown) => e)]);
    // Requests in flight: their outcome is unknown, and they say so by type.
    expect(ep).toBeInstanceOf(ReplyLostError);
    expect(eq).toBeInstanceOf(ReplyLostError);
    const closed = conn.closeError;
    expect((ep as ReplyLostError).closed).toBe(closed);
    expect((ep as ReplyLostError).method).toBe('transact');
    expect((ep as ReplyLostError).message).toBe(closed?.message);
    expect(closes).toEqual([closed]);
    expect(conn.closed).toBe(true);
    await expect(conn.request('list_dbs', [])).rejects.toBe(closed);
    expect(() => conn.notify('cancel', [1])).toThrow(closed);
    const late: DisconnectedError[] = [];
    conn.onClose((e) => late.push(e));
    await Promise.resolve();
    expect(late).toEqual([closed]);
  });

  it('close() rejects pending requests, flushes what was written and ends the socket', async () => {
    const { conn, peer } = await connect();
    conn.notify('cancel', [0]);
    const p = conn.request('transact', ['db']);
    const closing = conn.close();
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DisconnectedError);
    expect((err as DisconnectedError).reason).toBe('closed by client');
    await closing;
    await peer.waitEnded();
    expect(peer.received).toEqual([
      { method: 'cancel', params: [0], id: null },
      { method: 'transact', params: ['db'], id: 1 },
    ]);
    await expect(conn.request('x', [])).rejects.toBeInstanceOf(DisconnectedError);
  });

  const malformed: [string, string][] = [
    ['malformed JSON', '{"id":1,"result":[1,,2],"error":null}'],
    ['a non-object message', '[1,2,3]'],
    ['params that are not an array', '{"id":5,"method":"echo","params":{}}'],
    ['a message with neither method nor id', '{"result":1}'],
    ['invalid UTF-8', '{"id":null,"method":"x","params":["\xff"]}'],
  ];

  it.each(malformed)('closes with a typed error on %s, with no unhandled rejection', async (_name, text) => {
    const { conn, peer, socket } = await connect();
    const closes: DisconnectedError[] = [];
    conn.onClose((e) => closes.push(e));
    const log: Json[] = [];
    conn.onNotification('before', (p) => log.push(p));
    const p = conn.request('transact', ['db']);
    await peer.nth(1);
    const bytes = text.includes('\xff') ? Buffer.from(text, 'latin1') : Buffer.from(text);
    peer.send(
      Buffer.concat([
        Buffer.from('{"id":null,"method":"before","params":[1]}'),
        bytes,
        Buffer.from('{"id":1,"result":1,"error":null}'),
      ]),
    );
    const err = await p.catch((e: unknown) => e);
    expect(log).toEqual([[1]]);
    expect(err).toBeInstanceOf(DisconnectedError);
    expect((err as DisconnectedError).reason).toMatch(/^protocol error: /);
    expect((err as DisconnectedError).cause).toBeInstanceOf(ProtocolError);
    expect(closes).toEqual([(err as ReplyLostError).closed]);
    await new Promise((r) => setImmediate(r));
    expect(socket.destroyed).toBe(true);
    await peer.waitEnded();
  });
});
