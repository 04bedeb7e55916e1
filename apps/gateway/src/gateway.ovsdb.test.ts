/**
 * The gateway against the real ovsdb-server 3.1: REST rows and WebSocket subscribers must equal
 * `ovsdb-client dump` after ovn-nbctl churn and after the server restarts; roles, read-only mode,
 * invalid input and slow clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { OvsdbClient, parseDatabaseSchema, parseJson, type DatabaseSchema, type Json } from '@ovsdb-web/client';
import { startOvsdbServer, ovnNbctl, ovsdbDump, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import type { ErrorBody, TransactResponse } from '@ovsdb-web/protocol';
import { buildApp, type Gateway } from './app.js';
import { TokenStore } from './plugins/auth.js';
import type { GatewayConfig } from './config.js';
import { StreamClient, canonical, canonicalDump, sameStore, type Store } from './test-support.js';

const NB = 'OVN_Northbound';
const TOKENS = {
  viewer: 'viewer-token-0123456789',
  editor: 'editor-token-0123456789',
  admin: 'admin-token-01234567890',
};

let server: OvsdbServerProcess;
let dir: string;
let schema: DatabaseSchema;

function config(over: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    remotes: [{ name: 'nb', remote: server.unixRemote! }],
    listen: { host: '127.0.0.1', port: 0 },
    readOnly: false,
    tables: new Map(),
    columns: new Map(),
    allowOrigins: [],
    transactRate: 1_000,
    transactTimeoutMs: 30_000,
    probeIntervalMs: 5_000,
    history: { batches: 2_000, bytes: 64 * 1024 * 1024 },
    logLevel: 'silent',
    ...over,
  };
}

const tokenStore = TokenStore.parse(
  JSON.stringify({ tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: `${role}-user`, role, token })) }),
  'test',
);

async function start(
  over: Partial<GatewayConfig> = {},
  limits = {},
): Promise<{ app: FastifyInstance; gateway: Gateway; url: string }> {
  const { app, gateway } = await buildApp(config(over), { logger: false, tokens: tokenStore, limits });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const remote = gateway.remotes.get('nb')!;
  const deadline = Date.now() + 10_000;
  while (!remote.findFeed(NB)) {
    if (Date.now() > deadline) throw new Error('gateway did not start monitoring');
    await new Promise((r) => setTimeout(r, 20));
  }
  await remote.ready();
  return { app, gateway, url: address };
}

const auth = (role: keyof typeof TOKENS): Record<string, string> => ({ authorization: `Bearer ${TOKENS[role]}` });

async function restRows(
  app: FastifyInstance,
  table: string,
  query = '',
): Promise<{ total: number; rows: Record<string, Json>[] }> {
  const res = await app.inject({
    url: `/api/v1/remotes/nb/dbs/${NB}/tables/${table}/rows?limit=100000${query}`,
    headers: auth('viewer'),
  });
  expect(res.statusCode, res.body).toBe(200);
  return parseJson(res.body) as unknown as { total: number; rows: Record<string, Json>[] };
}

async function restStore(app: FastifyInstance, tables: readonly string[]): Promise<Store> {
  const out: Store = {};
  for (const t of tables) {
    const { rows } = await restRows(app, t);
    out[t] = {};
    for (const r of rows) out[t][(r._uuid as [string, string])[1]] = canonical(schema, t, r);
  }
  return out;
}

async function dumpStore(tables: readonly string[]): Promise<Store> {
  return canonicalDump(schema, await ovsdbDump(server.unixRemote!, NB, { parse: (t) => parseJson(t) }), tables);
}

/** Let the gateway catch up: one round trip on its own session after everything the server sent. */
async function settle(gateway: Gateway): Promise<void> {
  await gateway.remotes.get('nb')!.client.echo();
  await new Promise((r) => setTimeout(r, 60));
}

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  dir = await mkdtemp(join(tmpdir(), 'gateway-test-'));
  const c = await OvsdbClient.connect(server.unixRemote!);
  schema = await c.getSchema(NB);
  await c.close();
  await ovnNbctl(
    server.unixRemote!,
    'ls-add',
    'sw0',
    '--',
    'lsp-add',
    'sw0',
    'p0',
    '--',
    'lsp-set-addresses',
    'p0',
    '00:00:00:00:00:01 10.0.0.1',
    '--',
    'pg-add',
    'pg0',
    'p0',
    '--',
    'acl-add',
    'pg0',
    'to-lport',
    '1000',
    'outport == @pg0 && ip4',
    'allow-related',
  );
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('REST', () => {
  let app: FastifyInstance;
  let gateway: Gateway;
  beforeAll(async () => ({ app, gateway } = await start({ auditLog: join(dir, 'audit.jsonl') })));
  afterAll(async () => app.close());

  it('lists remotes with their status and databases', async () => {
    const res = await app.inject({ url: '/api/v1/remotes', headers: auth('viewer') });
    expect(res.statusCode).toBe(200);
    const [nb] = res.json<{ name: string; status: string; databases: string[] }[]>();
    expect(nb).toMatchObject({ name: 'nb', remote: server.unixRemote, status: 'connected' });
    expect(nb!.databases).toEqual(expect.arrayContaining([NB, '_Server']));
  });

  it('serves the schema exactly as the server gave it', async () => {
    const res = await app.inject({ url: `/api/v1/remotes/nb/dbs/${NB}/schema`, headers: auth('viewer') });
    expect(parseDatabaseSchema(parseJson(res.body)).tables.size).toBe(schema.tables.size);
    expect(res.json<{ version: string }>().version).toBe(schema.version);
  });

  it('serves rows equal to ovsdb-client dump for every table after ovn-nbctl churn', async () => {
    for (let i = 1; i <= 20; i++) {
      await ovnNbctl(
        server.unixRemote!,
        'lsp-add',
        'sw0',
        `c${i}`,
        '--',
        'lsp-set-addresses',
        `c${i}`,
        `00:00:00:00:01:${(i + 16).toString(16)} 10.0.1.${i}`,
      );
      if (i % 3 === 0) await ovnNbctl(server.unixRemote!, 'lsp-del', `c${i - 1}`);
      if (i % 5 === 0)
        await ovnNbctl(server.unixRemote!, 'set', 'Logical_Switch_Port', `c${i}`, `external_ids:batch=${i}`);
    }
    await settle(gateway);
    const tables = [...schema.tables.keys()];
    expect(await restStore(app, tables)).toEqual(await dumpStore(tables));
    const one = await restRows(app, 'Logical_Switch_Port', '&where=name%3Dp0');
    expect(one.rows[0]).toHaveProperty('_version');
  });

  it('filters with RFC 7047 conditions and with ovn-nbctl find syntax, sorts and pages', async () => {
    const byJson = await restRows(app, 'Logical_Switch_Port', `&where=${encodeURIComponent('[["name","==","c4"]]')}`);
    expect(byJson.rows.map((r) => r.name)).toEqual(['c4']);
    const byFind = await restRows(app, 'Logical_Switch_Port', `&where=${encodeURIComponent('external_ids:batch=10')}`);
    expect(byFind.rows.map((r) => r.name)).toEqual(['c10']);
    const superset = await restRows(
      app,
      'Logical_Switch_Port',
      `&where=${encodeURIComponent('addresses{>=}"00:00:00:00:00:01 10.0.0.1"')}`,
    );
    expect(superset.rows.map((r) => r.name)).toEqual(['p0']);
    const sorted = await restRows(app, 'Logical_Switch_Port', '&sort=-name&where=name!%3Dp0');
    const names = sorted.rows.map((r) => r.name as string);
    expect(names).toEqual([...names].sort().reverse());
    const res = await app.inject({
      url: `/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port/rows?sort=name&offset=2&limit=3`,
      headers: auth('viewer'),
    });
    const page = res.json<{ total: number; rows: { name: string }[] }>();
    expect(page.rows.map((r) => r.name)).toEqual([...names, 'p0'].sort().slice(2, 5));
    expect(page.total).toBe(sorted.total + 1);
  });

  it('refuses a bad filter with a message naming it', async () => {
    const res = await app.inject({
      url: `/api/v1/remotes/nb/dbs/${NB}/tables/ACL/rows?where=${encodeURIComponent('priority=high')}`,
      headers: auth('viewer'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error.message).toMatch(/priority=high.*not an integer/);
    const res2 = await app.inject({ url: `/api/v1/remotes/nb/dbs/${NB}/tables/Nope/rows`, headers: auth('viewer') });
    expect(res2.statusCode).toBe(404);
    expect(res2.json()).toEqual({ error: { code: 'not_found', message: expect.stringMatching(/table Nope/) } });
  });

  it('commits a transaction, tags it with a comment naming the user, and audits it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      headers: auth('editor'),
      payload: { operations: [{ op: 'insert', table: 'Logical_Switch', row: { name: 'from-rest' } }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<TransactResponse>().results).toEqual([{ uuid: ['uuid', expect.any(String)] }]);
    const log = execFileSync('ovsdb-tool', ['show-log', server.dbPath(NB)]).toString();
    expect(log).toMatch(/ovsdb-web: editor-user \(editor\)/);
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.at(-1)).toMatchObject({
      user: 'editor-user',
      role: 'editor',
      remote: 'nb',
      db: NB,
      dryRun: false,
      clientAddress: '127.0.0.1',
      result: res.json<TransactResponse>().results,
    });
    expect(audit.at(-1)!.durationMs).toEqual(expect.any(Number));
  });

  it('runs a dry run through the server and commits nothing', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      headers: auth('editor'),
      payload: { dryRun: true, operations: [{ op: 'insert', table: 'Logical_Switch', row: { name: 'dry' } }] },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ dryRun: true, results: [{ uuid: ['uuid', expect.any(String)] }] });
    const bad = await app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      headers: auth('editor'),
      payload: {
        dryRun: true,
        operations: [
          { op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'sw0']] },
          {
            op: 'wait',
            table: 'Logical_Switch',
            where: [['name', '==', 'sw0']],
            columns: ['name'],
            until: '!=',
            rows: [],
            timeout: 0,
          },
        ],
      },
    });
    expect(bad.statusCode).toBe(409);
    expect(bad.json<ErrorBody>().error.details).toMatchObject({ operationIndex: 1, op: 'wait', error: 'timed out' });
    const dump = await ovsdbDump(server.unixRemote!, NB);
    expect(Object.values(dump.Logical_Switch!).map((r) => r.name)).not.toContain('dry');
    expect(Object.values(dump.Logical_Switch!).map((r) => r.name)).toContain('sw0');
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.filter((a) => a.dryRun === true)).toHaveLength(2);
  });

  it('refuses invalid bodies and invalid operations with nothing applied', async () => {
    const before = await dumpStore([...schema.tables.keys()]);
    const cases: [unknown, number, string][] = [
      [{}, 400, 'bad_request'],
      [{ operations: [] }, 400, 'bad_request'],
      [{ operations: [{ table: 'x' }] }, 400, 'bad_request'],
      [
        {
          operations: [
            { op: 'insert', table: 'ACL', row: { priority: 40000, direction: 'to-lport', match: '1', action: 'drop' } },
          ],
        },
        400,
        'invalid_transaction',
      ],
      [
        {
          operations: [
            { op: 'insert', table: 'Logical_Switch', row: { name: 'ok' } },
            { op: 'insert', table: 'Logical_Switch', row: { nope: 1 } },
          ],
        },
        400,
        'invalid_transaction',
      ],
      // Found in the gateway's cache: a port that does not exist, and a second port named p0.
      [
        {
          operations: [
            {
              op: 'insert',
              table: 'Logical_Switch',
              row: { name: 'dangling', ports: ['uuid', '11111111-2222-3333-4444-555555555555'] },
            },
          ],
        },
        400,
        'invalid_transaction',
      ],
      [
        { operations: [{ op: 'insert', table: 'Logical_Switch_Port', row: { name: 'p0' } }] },
        400,
        'invalid_transaction',
      ],
      [
        {
          operations: [
            { op: 'insert', table: 'Logical_Switch', row: { name: 'half' } },
            { op: 'delete', table: 'Port_Group', where: [['name', '==', 'pg0']] },
            { op: 'delete', table: 'Logical_Switch_Port', where: [['name', '==', 'p0']] },
          ],
        },
        409,
        'transaction_failed',
      ],
    ];
    for (const [payload, status, code] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
        headers: auth('editor'),
        payload: payload as Record<string, unknown>,
      });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json<ErrorBody>().error.code).toBe(code);
    }
    const priority = await app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      headers: auth('editor'),
      payload: {
        operations: [
          { op: 'insert', table: 'ACL', row: { priority: 40000, direction: 'to-lport', match: '1', action: 'drop' } },
        ],
      },
    });
    expect(priority.json<ErrorBody>().error.details).toMatchObject({
      operationIndex: 0,
      op: 'insert',
      table: 'ACL',
      column: 'priority',
      error: 'constraint violation',
    });
    const notJson = await app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      headers: { ...auth('editor'), 'content-type': 'application/json' },
      payload: '{"operations": [',
    });
    expect(notJson.statusCode).toBe(400);
    expect(await dumpStore([...schema.tables.keys()])).toEqual(before);
  });
});

describe('auth and roles', () => {
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => ({ app, url } = await start()));
  afterAll(async () => app.close());
  const transact = (headers: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      headers,
      payload: { operations: [{ op: 'comment', comment: 'x' }] },
    });

  it('needs a valid token (401), and the role that may act (403)', async () => {
    expect((await app.inject({ url: '/api/v1/remotes' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/api/v1/remotes', headers: { authorization: 'Bearer wrong-token-000000' } })).json(),
    ).toEqual({
      error: { code: 'unauthorized', message: 'the bearer token is not valid' },
    });
    expect((await transact(auth('viewer'))).statusCode).toBe(403);
    expect((await transact(auth('editor'))).statusCode).toBe(200);
    expect((await transact(auth('admin'))).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const metrics = await app.inject({ url: '/metrics', headers: auth('viewer') });
    expect(metrics.body).toMatch(/ovsdb_web_cached_rows\{remote="nb",db="OVN_Northbound",table="Logical_Switch"\} \d+/);
    expect(metrics.body).toMatch(/ovsdb_web_transact_duration_seconds_count\{result="ok"\} [1-9]/);
  });

  it('refuses a WebSocket upgrade without a token and from a foreign origin', async () => {
    const ws = `${url.replace('http', 'ws')}/api/v1/stream`;
    await expect(new StreamClient(ws, schema).opened()).rejects.toThrow(/401/);
    await expect(
      new StreamClient(ws, schema, { token: TOKENS.viewer, origin: 'https://evil.example' }).opened(),
    ).rejects.toThrow(/403/);
    const ok = new StreamClient(ws, schema, { token: TOKENS.viewer, origin: url });
    await ok.opened();
    expect(ok.ws.protocol).toBe('ovsdb-web.v1');
    ok.close();
  });

  it('refuses every transaction in read-only mode', async () => {
    const ro = await start({ readOnly: true });
    try {
      const res = await ro.app.inject({
        method: 'POST',
        url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
        headers: auth('admin'),
        payload: { operations: [{ op: 'comment', comment: 'x' }] },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json<ErrorBody>().error.message).toMatch(/read-only/);
      expect((await ro.app.inject({ url: '/api/v1/whoami', headers: auth('admin') })).json()).toEqual({
        name: 'admin-user',
        role: 'admin',
        readOnly: true,
        authRequired: true,
      });
    } finally {
      await ro.app.close();
    }
  });

  it('rate-limits transactions per user', async () => {
    const rl = await start({ transactRate: 1 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        codes.push(
          (
            await rl.app.inject({
              method: 'POST',
              url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
              headers: auth('editor'),
              payload: { operations: [{ op: 'comment', comment: 'x' }] },
            })
          ).statusCode,
        );
      }
      expect(codes.slice(0, 2)).toEqual([200, 200]);
      expect(codes).toContain(429);
    } finally {
      await rl.app.close();
    }
  });
});

describe('WebSocket stream', () => {
  let app: FastifyInstance;
  let gateway: Gateway;
  let ws: string;
  const TABLES = ['Logical_Switch', 'Logical_Switch_Port', 'Port_Group', 'ACL'];
  beforeAll(async () => {
    let url: string;
    ({ app, gateway, url } = await start());
    ws = `${url.replace('http', 'ws')}/api/v1/stream`;
  });
  afterAll(async () => app.close());

  it('sends a snapshot, then ordered deltas that converge with ovsdb-client dump', async () => {
    const clients = await Promise.all(
      [0, 1, 2].map(async () => {
        const c = new StreamClient(ws, schema, { token: TOKENS.viewer });
        await c.opened();
        c.subscribe({ id: 's1', remote: 'nb', db: NB, tables: TABLES });
        return c;
      }),
    );
    for (const c of clients) await c.waitFor(() => c.snapshotDone('s1'), 10_000, 'snapshot');
    expect(sameStore(clients[0]!.store(), await dumpStore(TABLES))).toBe(true);
    for (let i = 0; i < 30; i++) {
      await ovnNbctl(
        server.unixRemote!,
        'lsp-add',
        'sw0',
        `ws${i}`,
        '--',
        'lsp-set-addresses',
        `ws${i}`,
        `00:00:00:00:02:${(i + 16).toString(16)}`,
      );
      if (i % 4 === 3) await ovnNbctl(server.unixRemote!, 'lsp-del', `ws${i - 2}`);
    }
    await ovnNbctl(server.unixRemote!, 'acl-add', 'pg0', 'from-lport', '900', 'inport == @pg0', 'drop');
    await settle(gateway);
    const expected = await dumpStore(TABLES);
    for (const c of clients) {
      await c
        .waitFor(() => sameStore(c.store(), expected), 5_000, 'convergence')
        .catch((err: unknown) => {
          for (const t of TABLES) {
            const a = c.store()[t] ?? {};
            const b = expected[t] ?? {};
            for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
              if (a[k] !== b[k]) console.log('DIFF', t, k, a[k]?.slice(0, 300), '\n   vs', b[k]?.slice(0, 300));
          }
          throw err;
        });
      const seqs = c.messages.filter((m) => m.type === 'delta').map((m) => (m as { seq: number }).seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      c.close();
    }
  });

  it('filters rows and columns per subscription, with rows entering and leaving as deltas', async () => {
    const c = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c.opened();
    c.subscribe({
      id: 'f',
      remote: 'nb',
      db: NB,
      tables: ['Logical_Switch_Port'],
      where: { Logical_Switch_Port: [['external_ids', 'includes', ['map', [['team', 'blue']]]]] },
      columns: { Logical_Switch_Port: ['name', 'external_ids'] },
    });
    await c.waitFor(() => c.snapshotDone('f'));
    expect(Object.keys(c.store().Logical_Switch_Port ?? {})).toHaveLength(0);
    await ovnNbctl(server.unixRemote!, 'set', 'Logical_Switch_Port', 'p0', 'external_ids:team=blue');
    await c.waitFor(() => Object.keys(c.store().Logical_Switch_Port ?? {}).length === 1, 5_000, 'row to enter');
    const inserted = c.messages.find((m) => m.type === 'delta')!;
    expect(inserted).toMatchObject({ changes: [{ kind: 'insert', row: { name: 'p0' } }] });
    expect(Object.keys((inserted as { changes: { row: object }[] }).changes[0]!.row).sort()).toEqual([
      '_uuid',
      '_version',
      'external_ids',
      'name',
    ]);
    await ovnNbctl(server.unixRemote!, 'remove', 'Logical_Switch_Port', 'p0', 'external_ids', 'team');
    await c.waitFor(() => Object.keys(c.store().Logical_Switch_Port ?? {}).length === 0, 5_000, 'row to leave');
    c.close();
  });

  it('resumes a reconnecting browser from its last sequence, or sends a fresh snapshot', async () => {
    const c1 = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c1.opened();
    c1.subscribe({ id: 'r', remote: 'nb', db: NB, tables: ['Logical_Switch'] });
    await c1.waitFor(() => c1.snapshotDone('r'));
    const before = c1.state('r');
    const seq = before.cursor!.seq;
    c1.close();
    await ovnNbctl(server.unixRemote!, 'ls-add', 'while-away');
    await settle(gateway);
    const c2 = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c2.opened();
    c2.subscribe({ id: 'r', remote: 'nb', db: NB, tables: ['Logical_Switch'] }, before);
    await c2.waitFor(
      () => Object.values(c2.store().Logical_Switch ?? {}).some((r) => r.includes('while-away')),
      5_000,
      'resumed delta',
    );
    expect(c2.messages[0]).toMatchObject({ type: 'subscribed', resumed: true });
    expect(c2.messages.some((m) => m.type === 'snapshot')).toBe(false);
    expect(c2.store().Logical_Switch).toEqual((await dumpStore(['Logical_Switch'])).Logical_Switch);
    c2.close();
    const c3 = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c3.opened();
    c3.subscribe(
      { id: 'r', remote: 'nb', db: NB, tables: ['Logical_Switch'] },
      { ...before, cursor: { epoch: 'another-gateway', seq } },
    );
    await c3.waitFor(() => c3.snapshotDone('r'));
    expect(c3.messages[0]).toMatchObject({ type: 'subscribed', resumed: false });
    c3.close();
  });

  it('after the OVSDB server restarts, subscribers get the true difference, not a blank table', async () => {
    const c = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c.opened();
    c.subscribe({ id: 'x', remote: 'nb', db: NB, tables: ['Logical_Switch'] });
    await c.waitFor(() => c.snapshotDone('x'));
    const snapshots = c.messages.filter((m) => m.type === 'snapshot').length;
    await server.restart({
      whileDown: () => {
        execFileSync('ovsdb-tool', [
          'transact',
          server.dbPath(NB),
          JSON.stringify([NB, { op: 'insert', table: 'Logical_Switch', row: { name: 'born-offline' } }]),
        ]);
      },
    });
    await c.waitFor(
      () => Object.values(c.store().Logical_Switch ?? {}).some((r) => r.includes('born-offline')),
      15_000,
      'resync delta',
    );
    const resync = c.messages.filter((m) => m.type === 'delta' && (m as { resync?: boolean }).resync);
    expect(resync).toHaveLength(1);
    const changes = (resync[0] as { changes: { kind: string; columns?: string[] }[] }).changes;
    // ovsdb-server gives every row a new _version when it reloads its file: reported as what it is.
    expect(changes.filter((x) => x.kind === 'insert')).toHaveLength(1);
    expect(
      changes
        .filter((x) => x.kind !== 'insert')
        .every((x) => x.kind === 'modify' && JSON.stringify(x.columns) === '["_version"]'),
    ).toBe(true);
    expect(c.messages.filter((m) => m.type === 'snapshot').length).toBe(snapshots);
    expect(c.store().Logical_Switch).toEqual((await dumpStore(['Logical_Switch'])).Logical_Switch);
    // REST answers from the same resynchronised cache.
    const tables = [...schema.tables.keys()];
    expect(await restStore(app, tables)).toEqual(await dumpStore(tables));
    c.close();
  });

  it('answers bad messages with an error and keeps the connection', async () => {
    const c = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c.opened();
    c.ws.send('not json');
    c.send({ type: 'subscribe', id: 'y', remote: 'nb', db: NB, tables: ['Nope'] });
    c.send({ type: 'subscribe', id: 'z', remote: 'nowhere', db: NB });
    c.send({ type: 'subscribe', id: 'w', remote: 'nb', db: 'No_Such_Db' });
    c.send({ type: 'ping', data: 7 });
    await c.waitFor(() => c.messages.some((m) => m.type === 'pong'));
    expect(c.messages.slice(0, 4)).toEqual([
      { type: 'error', error: { code: 'bad_message', message: expect.stringMatching(/^message is not valid JSON/) } },
      {
        type: 'error',
        id: 'y',
        error: { code: 'not_found', message: expect.stringMatching(/table Nope is not monitored/) },
      },
      { type: 'error', id: 'z', error: { code: 'not_found', message: 'no remote named nowhere; configured: nb' } },
      {
        type: 'error',
        id: 'w',
        error: { code: 'not_found', message: expect.stringMatching(/has no database No_Such_Db/) },
      },
    ]);
    c.close();
  });
});

describe('a held snapshot (holdSnapshot)', () => {
  // Two rows a chunk, so the snapshot of Logical_Switch_Port is several chunks.
  const limits = { snapshotChunkRows: 2, snapshotHoldMs: 1_500 };
  let app: FastifyInstance;
  let gateway: Gateway;
  let ws: string;
  beforeAll(async () => {
    let url: string;
    ({ app, gateway, url } = await start({}, limits));
    ws = `${url.replace('http', 'ws')}/api/v1/stream`;
    for (let i = 0; i < 5; i++) await ovnNbctl(server.unixRemote!, 'lsp-add', 'sw0', `held${i}`);
  });
  afterAll(async () => app.close());
  const chunks = (c: StreamClient, id: string): number =>
    c.messages.filter((m) => m.type === 'snapshot' && m.id === id).length;

  it('sends the first chunk, the rest on snapshot-continue, then the changes made meanwhile', async () => {
    const c = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c.opened();
    c.subscribe({ id: 'h', remote: 'nb', db: NB, tables: ['Logical_Switch_Port'], holdSnapshot: true });
    await c.waitFor(() => chunks(c, 'h') === 1, 10_000, 'the first chunk');
    // A change while the rest is held, and a pong to show the connection still answers.
    await ovnNbctl(server.unixRemote!, 'lsp-add', 'sw0', 'held-meanwhile');
    await settle(gateway);
    c.send({ type: 'ping', data: 'during' });
    await c.waitFor(() => c.messages.some((m) => m.type === 'pong'), 5_000, 'pong');
    expect(chunks(c, 'h')).toBe(1);
    expect(c.messages.some((m) => m.type === 'delta')).toBe(false);

    c.send({ type: 'snapshot-continue', id: 'h' });
    await c.waitFor(() => c.snapshotDone('h'), 10_000, 'the rest of the snapshot');
    expect(chunks(c, 'h')).toBeGreaterThan(2);
    const expected = await dumpStore(['Logical_Switch_Port']);
    await c.waitFor(() => sameStore(c.store('h'), expected), 5_000, 'the change made during the hold');
    expect(c.ignored).toEqual([]);
    // Again, when nothing is held: nothing happens. For a subscription that does not exist: an error.
    c.send({ type: 'snapshot-continue', id: 'h' });
    c.send({ type: 'snapshot-continue', id: 'nope' });
    c.send({ type: 'ping', data: 'after' });
    await c.waitFor(() => c.messages.some((m) => m.type === 'pong' && m.data === 'after'), 5_000, 'pong');
    expect(c.messages.filter((m) => m.type === 'error')).toEqual([
      { type: 'error', id: 'nope', error: { code: 'not_found', message: 'no subscription "nope" on this connection' } },
    ]);
    c.close();
  });

  it('sends the rest by itself after the hold limit', async () => {
    const c = new StreamClient(ws, schema, { token: TOKENS.viewer });
    await c.opened();
    const arrived: number[] = [];
    c.ws.on('message', () => arrived.push(Date.now()));
    c.subscribe({ id: 'h', remote: 'nb', db: NB, tables: ['Logical_Switch_Port'], holdSnapshot: true });
    await c.waitFor(() => c.snapshotDone('h'), 10_000, 'the whole snapshot without snapshot-continue');
    // messages[0] is `subscribed`, [1] the first chunk, [2] the second: held for the limit in between.
    expect(c.messages.slice(0, 3).map((m) => m.type)).toEqual(['subscribed', 'snapshot', 'snapshot']);
    expect(arrived[2]! - arrived[1]!).toBeGreaterThanOrEqual(limits.snapshotHoldMs - 100);
    c.close();
  });
});

describe('a stalled WebSocket client', () => {
  it('is dropped to "resync needed" instead of buffering without bound, then resynchronised', async () => {
    const limits = { maxBufferedBytes: 64 * 1024, resumeBelowBytes: 16 * 1024, stallTimeoutMs: 20_000 };
    const { app, gateway, url } = await start({}, limits);
    try {
      const c = new StreamClient(`${url.replace('http', 'ws')}/api/v1/stream`, schema, { token: TOKENS.viewer });
      await c.opened();
      c.subscribe({ id: 'slow', remote: 'nb', db: NB, tables: ['Logical_Switch_Port'] });
      await c.waitFor(() => c.snapshotDone('slow'));
      // Stop reading: the kernel buffers fill, then the gateway's send queue grows.
      const socket = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
      socket.pause();
      const big = 'x'.repeat(4000);
      const client = gateway.remotes.get('nb')!.client;
      for (let round = 0; round < 60; round++) {
        await client.transact(NB, [
          {
            op: 'update',
            table: 'Logical_Switch_Port',
            where: [],
            row: { external_ids: ['map', [['pad', `${big}${round}`]]] },
          },
        ]);
        await new Promise((r) => setTimeout(r, 25));
      }
      const [session] = gateway.sessions;
      const buffered = (session as unknown as { ws: WebSocket }).ws.bufferedAmount;
      const resyncs = (await gateway.metrics.resyncs.get()).values[0]?.value ?? 0;
      expect(resyncs).toBeGreaterThanOrEqual(1);
      // Bounded: the queue stopped growing at the limit plus at most one message.
      expect(buffered).toBeLessThan(limits.maxBufferedBytes + 2 * 1024 * 1024);
      socket.resume();
      await c.waitFor(() => c.messages.some((m) => m.type === 'resync'), 15_000, 'resync notice');
      await settle(gateway);
      const expected = (await dumpStore(['Logical_Switch_Port'])).Logical_Switch_Port;
      await c.waitFor(
        () => sameStore({ t: c.store().Logical_Switch_Port ?? {} }, { t: expected ?? {} }),
        15_000,
        'convergence after resync',
      );
      c.close();
    } finally {
      await app.close();
    }
  });
});
