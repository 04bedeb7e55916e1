/**
 * Differential test: monitors whose table has several monitor-requests, each with its own `columns` and
 * `select` (RFC 7047 §4.1.5), against the real ovsdb-server 3.1. The same monitors are opened with
 * `monitor`, `monitor_cond` and `monitor_cond_since` on both servers, the same transactions run on both,
 * and every reply and notification must be identical once the values that legitimately differ are
 * masked: `_version` UUIDs and the transaction ids of update3 (a standalone ovsdb-server always sends
 * the zero UUID there). Rows get the same UUIDs on both sides through the `uuid` member of `insert`.
 *
 * The last test runs `ovsdb-client monitor` itself with the column groups of the issue
 * (`'name,!modify' 'external_ids,!insert,!initial,!delete'`) against both servers.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcConnection, RpcError, stringifyJson, type Json, type JsonObject } from '@ovsdb-web/client';
import { OVN_NB_SCHEMA, startOvsdbServer, type OvsdbServerProcess as RealServer } from '@ovsdb-web/testing';
import { EmbeddedServer } from './server.js';
import { sortKeysDeep } from './test-support.js';

const DB = 'OVN_Northbound';
const ZERO = '00000000-0000-0000-0000-000000000000';
const LS_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const LS_B = 'aaaaaaaa-0000-4000-8000-00000000000b';
const LSP_1 = 'bbbbbbbb-0000-4000-8000-000000000001';
const LSP_2 = 'bbbbbbbb-0000-4000-8000-000000000002';
// The zero UUID is not kept: a standalone ovsdb-server sends it as every last-txn-id, we send real ids.
const FIXED = new Set([LS_A, LS_B, LSP_1, LSP_2]);
const METHODS = ['monitor', 'monitor_cond', 'monitor_cond_since'] as const;
type Method = (typeof METHODS)[number];

/** Monitor requests per table; `where` members are dropped for `monitor`, which has no conditions. */
const SPECS: Record<string, JsonObject> = {
  'the issue: name without modify, external_ids for modify only': {
    Logical_Switch: [
      { columns: ['name'], select: { modify: false } },
      { columns: ['external_ids'], select: { insert: false, initial: false, delete: false } },
    ],
  },
  'three requests, a condition on the first and another on the third': {
    Logical_Switch: [
      { columns: ['name'], where: [['name', '!=', 'x']], select: { delete: false } },
      { columns: ['ports'], select: { initial: false } },
      { columns: ['other_config'], where: [['name', '==', 'nothing']], select: { insert: false } },
    ],
  },
  'a request with no columns that selects modify only': {
    Logical_Switch: [
      { columns: [], select: { initial: false, insert: false, delete: false } },
      { columns: ['name', 'external_ids'], select: { modify: false } },
    ],
  },
  'all columns in one request, one more table with two requests': {
    Logical_Switch: [{ select: { initial: false } }],
    Logical_Switch_Port: [
      { columns: ['name', 'addresses'], select: { delete: false } },
      { columns: ['up', 'tag_request'], select: { insert: false, initial: false } },
    ],
  },
  // ovsdb-server looks a table's condition up by name in a hash map holding one entry per request: which
  // request's `where` counts depends on the map's layout (here the second of four).
  'four requests, each with its own condition': {
    Logical_Switch: [
      { columns: ['name'], where: [['name', '==', 'a']] },
      { columns: ['external_ids'], where: [['name', 'includes', 'b']], select: { initial: false } },
      { columns: ['other_config'], where: [['name', '==', 'b2']] },
      { columns: ['ports'], where: [['name', '!=', 'zz']], select: { delete: false } },
    ],
    Logical_Switch_Port: [{ columns: ['name'], where: [['name', '==', 'p2']] }, { columns: ['up'] }],
  },
  'the same column in two requests (an error)': {
    Logical_Switch: [{ columns: ['name'] }, { columns: ['external_ids', 'name'], select: { insert: false } }],
  },
};

/** The transactions every monitor sees, in order. */
const STEPS: { readonly title: string; readonly ops: Json[] }[] = [
  {
    title: 'insert switch b',
    ops: [
      { op: 'insert', table: 'Logical_Switch', uuid: LS_B, row: { name: 'b', external_ids: ['map', [['k', '2']]] } },
    ],
  },
  { title: 'rename b', ops: [update(LS_B, { name: 'b2' })] },
  { title: 'change external_ids', ops: [update(LS_B, { external_ids: ['map', [['k', '3']]] })] },
  { title: 'change a column no request names', ops: [update(LS_B, { other_config: ['map', [['o', '1']]] })] },
  { title: 'change name and external_ids', ops: [update(LS_B, { name: 'b3', external_ids: ['map', [['k', '4']]] })] },
  {
    title: 'add a port',
    ops: [
      {
        op: 'insert',
        table: 'Logical_Switch_Port',
        uuid: LSP_2,
        'uuid-name': 'p',
        row: { name: 'p2', addresses: 'x' },
      },
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['_uuid', '==', ['uuid', LS_B]]],
        mutations: [['ports', 'insert', ['named-uuid', 'p']]],
      },
    ],
  },
  {
    title: 'change the port',
    ops: [{ op: 'update', table: 'Logical_Switch_Port', where: [], row: { up: true, tag_request: 7, addresses: 'y' } }],
  },
  { title: 'switch a leaves the condition', ops: [update(LS_A, { name: 'x' })] },
  { title: 'switch a comes back', ops: [update(LS_A, { name: 'a' })] },
  {
    title: 'delete switch b and, with it, its port',
    ops: [{ op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'b3']] }],
  },
];

function update(uuid: string, row: JsonObject): Json {
  return { op: 'update', table: 'Logical_Switch', where: [['_uuid', '==', ['uuid', uuid]]], row };
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Mask what differs between the servers for no fault of either (see the header). */
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

function withoutWhere(requests: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [table, reqs] of Object.entries(requests)) {
    out[table] = (reqs as JsonObject[]).map((r) => {
      const rest = { ...r };
      delete rest.where;
      return rest;
    });
  }
  return out;
}

interface Side {
  readonly label: string;
  readonly socket: string;
  readonly conns: RpcConnection[];
  /** Per monitor id: the masked replies and notifications received so far. */
  readonly seen: Map<string, Json[]>;
}

function connect(side: Side): RpcConnection {
  const conn = new RpcConnection(net.createConnection(side.socket));
  side.conns.push(conn);
  return conn;
}

async function reply(p: Promise<Json>): Promise<Json> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof RpcError) return { error: err.payload };
    throw err;
  }
}

describe('monitors with several requests per table, against ovsdb-server', () => {
  let dir: string;
  let sides: Side[] = [];
  // Undefined until started, so that a failed start stops only what did start.
  let real: RealServer | undefined;
  let ours: EmbeddedServer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ovsdb-monreq-'));
    real = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA] });
    ours = new EmbeddedServer();
    ours.addDatabase(readFileSync(OVN_NB_SCHEMA, 'utf8'));
    const addr = await ours.listen({ unix: join(dir, 'ours.sock') });
    sides = [
      { label: 'real', socket: (real.unixRemote as string).slice('unix:'.length), conns: [], seen: new Map() },
      { label: 'ours', socket: addr.unix as string, conns: [], seen: new Map() },
    ];
  }, 30_000);

  afterAll(async () => {
    for (const s of sides) for (const c of s.conns) await c.close();
    await ours?.close();
    await real?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the same replies and notifications as ovsdb-server for every request shape', async () => {
    // One switch (and one port) exists before the monitors start, so that initial replies have rows.
    const setup: Json[] = [
      {
        op: 'insert',
        table: 'Logical_Switch_Port',
        uuid: LSP_1,
        'uuid-name': 'p',
        row: { name: 'p1', addresses: 'z' },
      },
      { op: 'insert', table: 'Logical_Switch', uuid: LS_A, row: { name: 'a', ports: ['named-uuid', 'p'] } },
    ];
    const writers = sides.map((s) => connect(s));
    for (const w of writers) expect(await w.request('transact', [DB, ...setup])).toHaveLength(2);

    // Every spec × method gets its own connection, so the order between monitors never matters.
    let n = 0;
    const monitors: { id: string; method: Method; conns: RpcConnection[] }[] = [];
    for (const [title, spec] of Object.entries(SPECS)) {
      for (const method of METHODS) {
        const id = `m${n++}`;
        const requests = method === 'monitor' ? withoutWhere(spec) : spec;
        const params: Json[] = [DB, id, requests];
        if (method === 'monitor_cond_since') params.push(ZERO);
        const conns = sides.map((s) => {
          const conn = connect(s);
          conn.onAnyNotification((m, p) => s.seen.get(id)?.push(mask([m, ...p])));
          return conn;
        });
        const replies = await Promise.all(conns.map((c) => reply(c.request(method, params))));
        sides.forEach((s, i) => s.seen.set(id, [mask(replies[i] as Json)]));
        const [a, b] = sides.map((s) => s.seen.get(id));
        expect(b, `${title} / ${method}: reply`).toEqual(a);
        monitors.push({ id, method, conns });
      }
    }
    // A standalone ovsdb-server never finds a transaction to resume from; neither may we, from the zero id.
    for (const m of monitors.filter((x) => x.method === 'monitor_cond_since')) {
      const first = sides[1]?.seen.get(m.id)?.[0];
      if (Array.isArray(first)) expect(first[0]).toBe(false);
    }

    const compare = (when: string): void => {
      for (const m of monitors) {
        const [a, b] = sides.map((s) => s.seen.get(m.id));
        expect(b, `${m.id} (${m.method}) after ${when}`).toEqual(a);
      }
    };
    for (const [k, step] of STEPS.entries()) {
      // Halfway, every conditional monitor changes its Logical_Switch condition (and its id).
      if (k === 5) {
        for (const m of monitors.filter((x) => x.method !== 'monitor')) {
          const change = { Logical_Switch: [{ where: [['name', '!=', 'b3']] }] };
          const replies = await Promise.all(
            m.conns.map((c) => reply(c.request('monitor_cond_change', [m.id, m.id, change]))),
          );
          sides.forEach((s, i) => s.seen.get(m.id)?.push(mask(replies[i] as Json)));
        }
        compare('monitor_cond_change');
      }
      const results = await Promise.all(writers.map((w) => w.request('transact', [DB, ...step.ops])));
      expect(mask(results[1] as Json), step.title).toEqual(mask(results[0] as Json));
      // Each side's notifications for a transaction arrive before its reply; an echo on every monitor's
      // own connection makes sure they have all been read.
      for (const m of monitors) await Promise.all(m.conns.map((c) => c.request('echo', [])));
      compare(step.title);
    }
    // Something was actually compared: every monitor that started saw updates.
    const seenCounts = monitors.map((m) => sides[0]?.seen.get(m.id)?.length ?? 0);
    expect(seenCounts.filter((c) => c > 3).length).toBeGreaterThan(monitors.length / 2);
  }, 60_000);

  it('agrees with ovsdb-client monitor and its column groups', async () => {
    const args = (socket: string): string[] => [
      '--format=json',
      'monitor',
      `unix:${socket}`,
      DB,
      'Logical_Switch',
      'name,!modify',
      'external_ids,!insert,!initial,!delete',
    ];
    const outputs = await Promise.all(
      sides.map(async (s) => {
        const child = spawn('ovsdb-client', args(s.socket), { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        try {
          // The initial contents come first; wait (bounded) until they are printed.
          const deadline = Date.now() + 10_000;
          while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          return { child, exited, text: () => out };
        } catch (err) {
          child.kill('SIGKILL');
          throw err;
        }
      }),
    );
    try {
      const writers = sides.map((s) => connect(s));
      const ops: Json[][] = [
        [
          {
            op: 'insert',
            table: 'Logical_Switch',
            uuid: LS_B,
            row: { name: 'c', external_ids: ['map', [['k', '1']]] },
          },
        ],
        [update(LS_B, { name: 'c2' })],
        [update(LS_B, { external_ids: ['map', [['k', '2']]] })],
        [{ op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'c2']] }],
      ];
      for (const o of ops) await Promise.all(writers.map((w) => w.request('transact', [DB, ...o])));
      // ovsdb-client prints each update as it arrives; give both a bounded moment to catch up.
      const deadline = Date.now() + 10_000;
      const lines = (t: string): number => t.split('\n').filter((l) => l.trim() !== '').length;
      while (Date.now() < deadline && outputs.some((o) => lines(o.text()) < 5))
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      for (const o of outputs) o.child.kill('SIGTERM');
      await Promise.all(outputs.map((o) => o.exited));
    }
    const [a, b] = outputs.map((o) => o.text().replace(UUID_RE, (u) => (FIXED.has(u) ? u : '<uuid>')));
    expect(stringifyJson(b as string)).toBe(stringifyJson(a as string));
    expect((a as string).split('\n').filter((l) => l.trim() !== '').length).toBeGreaterThanOrEqual(5);
  }, 40_000);
});
