import { describe, expect, it } from 'vitest';
import { encodeServerMessage, type ServerMessage } from '@ovsdb-web/protocol';
import { StreamConnection, type SocketLike } from './connection.js';

/** A socket the test drives: what the page sent, and gateway messages pushed in. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly protocols: string[]) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(msg: ServerMessage): void {
    this.onmessage?.({ data: encodeServerMessage(msg) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
}

function harness(opts: { auth?: 'ok' | 'unauthorized' } = {}) {
  const sockets: FakeSocket[] = [];
  const timers: (() => void)[] = [];
  const conn = new StreamConnection({
    url: 'ws://gw/api/v1/stream',
    token: 'tok-0123456789abcdef',
    createSocket: (_url, protocols) => {
      const s = new FakeSocket(protocols);
      sockets.push(s);
      return s;
    },
    checkAuth: () => Promise.resolve(opts.auth ?? 'ok'),
    setTimer: (fn) => {
      timers.push(fn);
      return timers.length;
    },
    clearTimer: () => undefined,
    random: () => 0.5,
    heartbeatMs: 1_000_000,
  });
  const fire = (): void => {
    for (const t of timers.splice(0)) t();
  };
  return { conn, sockets, fire };
}

const snapshot = (seq: number, last: boolean, rows: object[] = []): ServerMessage => ({
  type: 'snapshot',
  id: 's1',
  epoch: 'e',
  seq,
  table: 'T',
  rows: rows as never,
  last,
});

describe('StreamConnection', () => {
  it('offers the protocol and the token, and subscribes once open', () => {
    const { conn, sockets } = harness();
    conn.subscribe({ remote: 'nb', db: 'D', tables: ['T'] }, () => undefined);
    expect(sockets[0]?.protocols).toEqual(['ovsdb-web.v1', 'bearer.tok-0123456789abcdef']);
    expect(sockets[0]?.sent).toEqual([]);
    sockets[0]!.open();
    expect(sockets[0]?.sent).toEqual([{ type: 'subscribe', id: 's1', remote: 'nb', db: 'D', tables: ['T'] }]);
    expect(conn.state).toBe('live');
  });

  it('after a lost connection, reconnects and subscribes again from the last batch it applied', () => {
    const { conn, sockets, fire } = harness();
    const kinds: string[] = [];
    conn.subscribe({ remote: 'nb', db: 'D', tables: ['T'] }, (a) => kinds.push(a.kind));
    sockets[0]!.open();
    sockets[0]!.push({ type: 'subscribed', id: 's1', epoch: 'e', seq: 4, resumed: false, tables: ['T'] });
    sockets[0]!.push(snapshot(4, true, [{ _uuid: ['uuid', 'u1'], n: 1 }]));
    sockets[0]!.push({ type: 'delta', id: 's1', epoch: 'e', seq: 6, time: 0, changes: [] });
    sockets[0]!.drop();
    expect(conn.state).toBe('reconnecting');
    fire();
    sockets[1]!.open();
    expect(sockets[1]?.sent).toEqual([
      { type: 'subscribe', id: 's1', remote: 'nb', db: 'D', tables: ['T'], since: { epoch: 'e', seq: 6 } },
    ]);
    expect(kinds).toEqual(['subscribed', 'snapshot', 'delta']);
  });

  it('says the token was refused when the upgrade fails and whoami answers 401', async () => {
    const { conn, sockets } = harness({ auth: 'unauthorized' });
    const states: string[] = [];
    conn.onState((s) => states.push(s));
    sockets[0]!.drop();
    await new Promise((r) => setTimeout(r, 0));
    expect(states).toEqual(['auth-failed']);
    expect(sockets).toHaveLength(1);
  });

  it('asks once for the rest of a held snapshot, and does not hold it again after a reconnect', () => {
    const { conn, sockets, fire } = harness();
    const held = conn.subscribe({ remote: 'nb', db: 'D', tables: ['T'], holdSnapshot: true }, () => undefined);
    const plain = conn.subscribe({ remote: 'nb', db: 'D', tables: ['U'] }, () => undefined);
    sockets[0]!.open();
    expect(sockets[0]?.sent).toEqual([
      { type: 'subscribe', id: 's1', remote: 'nb', db: 'D', tables: ['T'], holdSnapshot: true },
      { type: 'subscribe', id: 's2', remote: 'nb', db: 'D', tables: ['U'] },
    ]);
    held.continueSnapshot();
    held.continueSnapshot();
    plain.continueSnapshot();
    expect(sockets[0]?.sent.slice(2)).toEqual([{ type: 'snapshot-continue', id: 's1' }]);
    sockets[0]!.drop();
    fire();
    sockets[1]!.open();
    expect(sockets[1]?.sent).toEqual([
      { type: 'subscribe', id: 's1', remote: 'nb', db: 'D', tables: ['T'] },
      { type: 'subscribe', id: 's2', remote: 'nb', db: 'D', tables: ['U'] },
    ]);
  });

  it('keeps integers beyond 2^53 exact while some subscription may hold them, and then only', () => {
    const { conn, sockets } = harness();
    const seen: unknown[] = [];
    const a = conn.subscribe({ remote: 'nb', db: 'D', tables: ['T'] }, (applied) => {
      if (applied.kind === 'snapshot-chunk') seen.push(applied.chunk.rows[0]?.n);
    });
    const b = conn.subscribe({ remote: 'nb', db: 'D', tables: ['U'] }, () => undefined);
    sockets[0]!.open();
    sockets[0]!.push({ type: 'subscribed', id: 's1', epoch: 'e', seq: 1, resumed: false, tables: ['T'] });
    const chunk = '{"type":"snapshot","id":"s1","epoch":"e","seq":1,"table":"T","last":false,';
    const push = (): void =>
      sockets[0]!.onmessage?.({ data: `${chunk}"rows":[{"_uuid":["uuid","u"],"n":9007199254740993}]}` });
    push();
    a.setBigIntegers(false);
    push(); // the other one still may
    b.setBigIntegers(false);
    push();
    b.setBigIntegers(true);
    b.close(); // a closed subscription no longer counts
    push();
    expect(seen).toEqual([9007199254740993n, 9007199254740993n, 9007199254740992, 9007199254740992]);
  });

  it('forgets a closed subscription and tells the gateway', () => {
    const { conn, sockets } = harness();
    const h = conn.subscribe({ remote: 'nb', db: 'D' }, () => undefined);
    sockets[0]!.open();
    h.close();
    expect(sockets[0]?.sent.at(-1)).toEqual({ type: 'unsubscribe', id: 's1' });
  });
});
