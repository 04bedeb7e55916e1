/**
 * The gateway as an attacker meets it, against a real ovsdb-server: every route × every credential × every
 * spelling of its path; hostile bodies, queries and WebSocket messages; a frozen server. Each case here was
 * a defect once (the auth bypass by percent-encoding, the one-message crash, coerced bodies, lost audit
 * records, a committed transaction reported as failed, a frozen unix server nobody noticed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { OvsdbClient, parseJson, type DatabaseSchema } from '@ovsdb-web/client';
import { schemas, type ErrorBody } from '@ovsdb-web/protocol';
import { Ajv } from 'ajv';
import { ovnNbctl, ovsdbDump, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { buildApp } from './app.js';
import { TokenStore } from './plugins/auth.js';
import type { GatewayConfig } from './config.js';
import { StreamClient } from './test-support.js';

const NB = 'OVN_Northbound';
const TOKENS = {
  viewer: 'viewer-token-0123456789',
  editor: 'editor-token-0123456789',
  admin: 'admin-token-01234567890',
} as const;
type Who = 'none' | 'bad' | keyof typeof TOKENS;
const tokenStore = TokenStore.parse(
  JSON.stringify({ tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: `${role}-user`, role, token })) }),
  'test',
);

let server: OvsdbServerProcess;
let dir: string;
let schema: DatabaseSchema;

function config(remote: string, over: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    remotes: [{ name: 'nb', remote }],
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

async function start(
  over: Partial<GatewayConfig> = {},
  opts: { tokens?: TokenStore | null; remote?: string; logger?: Writable } = {},
) {
  const tokens = opts.tokens === null ? undefined : (opts.tokens ?? tokenStore);
  const { app, gateway } = await buildApp(config(opts.remote ?? server.unixRemote!, over), {
    logger: opts.logger ? { level: 'info', stream: opts.logger } : false,
    ...(tokens ? { tokens } : {}),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const remote = gateway.remotes.get('nb')!;
  const deadline = Date.now() + 10_000;
  while (!remote.findFeed(NB)) {
    if (Date.now() > deadline) throw new Error('gateway did not start monitoring');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { app, gateway, url };
}

const headers = (who: Who): Record<string, string> =>
  who === 'none' ? {} : { authorization: `Bearer ${who === 'bad' ? 'not-a-real-token-000000' : TOKENS[who]}` };

async function switches(): Promise<string[]> {
  const dump = await ovsdbDump(server.unixRemote!, NB);
  return Object.values(dump.Logical_Switch ?? {}).map((r) => String(r.name));
}

async function auditLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const deep = (n: number, inner = '1'): string => '['.repeat(n) + inner + ']'.repeat(n);

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true, tcp: true });
  dir = await mkdtemp(join(tmpdir(), 'gateway-security-'));
  const c = await OvsdbClient.connect(server.unixRemote!);
  schema = await c.getSchema(NB);
  await c.close();
  await ovnNbctl(server.unixRemote!, 'ls-add', 'sw0');
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('every route decides authentication on the route that matched', () => {
  let app: FastifyInstance;
  let url: string;
  const audit = () => join(dir, 'routes-audit.jsonl');
  beforeAll(async () => ({ app, url } = await start({ auditLog: audit() })));
  afterAll(async () => app.close());

  const uuid = '8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01';
  const ROUTES: { method: 'GET' | 'POST'; path: string; role: 'public' | 'viewer' | 'editor'; body?: object }[] = [
    { method: 'GET', path: '/healthz', role: 'public' },
    { method: 'GET', path: '/metrics', role: 'viewer' },
    { method: 'GET', path: '/api/v1/whoami', role: 'viewer' },
    { method: 'GET', path: '/api/v1/remotes', role: 'viewer' },
    { method: 'GET', path: `/api/v1/remotes/nb/dbs/${NB}/stats`, role: 'viewer' },
    { method: 'GET', path: `/api/v1/remotes/nb/dbs/${NB}/schema`, role: 'viewer' },
    { method: 'GET', path: `/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows`, role: 'viewer' },
    { method: 'GET', path: `/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows/${uuid}`, role: 'viewer' },
    { method: 'GET', path: `/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows/${uuid}/history`, role: 'viewer' },
    {
      method: 'GET',
      path: `/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows/${uuid}/references`,
      role: 'viewer',
    },
    {
      method: 'POST',
      path: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      role: 'editor',
      body: { operations: [{ op: 'comment', comment: 'probe' }], dryRun: true },
    },
  ];
  const SPELLINGS: [string, (p: string) => string][] = [
    ['plain', (p) => p],
    ['percent-encoded', (p) => p.replace(/^\/(a|m|h)/, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`)],
    ['with a query string', (p) => `${p}?x=1`],
    ['with a trailing slash', (p) => `${p}/`],
    ['in upper case', (p) => p.toUpperCase()],
  ];
  const WHO: Who[] = ['none', 'bad', 'viewer', 'editor', 'admin'];
  const rank = { public: -1, viewer: 0, editor: 1, admin: 2 } as const;

  it.each(ROUTES.flatMap((r) => SPELLINGS.map(([s, f]) => [`${r.method} ${r.path} ${s}`, r, f] as const)))(
    '%s',
    async (_name, route, spell) => {
      for (const who of WHO) {
        const res = await app.inject({
          method: route.method,
          url: spell(route.path),
          headers: headers(who),
          ...(route.body ? { payload: route.body } : {}),
        });
        const path = spell(route.path);
        // API answers always have the documented error shape; other paths may be the web app's page.
        if (res.statusCode >= 400 && /^\/(api|%61pi|metrics|%6detrics)/i.test(path)) {
          expect(res.json<{ error?: { code?: string } }>().error?.code, `${who}: ${res.body}`).toEqual(
            expect.any(String),
          );
        }
        if (route.role === 'public') {
          expect(res.statusCode, `${who}: ${res.body}`).not.toBe(401);
          continue;
        }
        // Nothing is ever served to 'none' or 'bad'; a role too low never gets a 2xx (404 when the spelling is no route).
        if (who === 'none' || who === 'bad') expect(res.statusCode, `${who} ${path}: ${res.body}`).toBe(401);
        else if (rank[who] < rank[route.role])
          expect([403, 404], `${who} ${path}: ${res.body}`).toContain(res.statusCode);
        else expect([200, 400, 404], `${who} ${path}: ${res.body}`).toContain(res.statusCode);
      }
    },
  );

  it('an encoded path, a query string or a trailing slash never reaches data without a token', async () => {
    expect((await app.inject({ url: '/%61pi/v1/whoami' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics?x=1' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/%6detrics' })).statusCode).toBe(401);
    const before = await switches();
    const res = await app.inject({
      method: 'POST',
      url: `/%61pi/v1/remotes/nb/dbs/${NB}/transact`,
      payload: { operations: [{ op: 'insert', table: 'Logical_Switch', row: { name: 'bypass' } }] },
    });
    expect(res.statusCode).toBe(401);
    expect(await switches()).toEqual(before);
    expect((await auditLines(audit())).at(-1)).toMatchObject({
      status: 401,
      user: 'anonymous',
      error: { code: 'unauthorized' },
    });
    const ws = new StreamClient(`${url.replace('http', 'ws')}/%61pi/v1/stream`, schema);
    await expect(ws.opened()).rejects.toThrow(/401/);
  });

  it('serves the web app to anyone but never an API path through the fallback', async () => {
    expect((await app.inject({ url: '/remotes/nb/dbs/OVN_Northbound/tables/ACL' })).statusCode).toBe(404);
    const api = await app.inject({ url: '/api/v1/nope' });
    expect(api.statusCode).toBe(401);
    const known = await app.inject({ url: '/api/v1/nope', headers: headers('viewer') });
    expect(known.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /api/v1/nope' } });
  });
});

describe('the web app is served with a strict policy', () => {
  let app: FastifyInstance;
  const inline = "\n      document.documentElement.dataset.theme = 'dark';\n    ";
  beforeAll(async () => {
    const web = join(dir, 'web');
    await mkdir(join(web, 'assets'), { recursive: true });
    await writeFile(
      join(web, 'index.html'),
      `<!doctype html><html><head><script type="module" src="/assets/app.js"></script><script>${inline}</script></head><body></body></html>`,
    );
    await writeFile(join(web, 'assets/app.js'), 'export {};\n');
    ({ app } = await start({ staticDir: web }));
  });
  afterAll(async () => app.close());

  it('the page: its scripts only (the inline one by hash), never framed; assets same-origin only', async () => {
    const hash = createHash('sha256').update(inline, 'utf8').digest('base64');
    for (const url of ['/', '/remotes/nb/dbs/OVN_Northbound/tables/ACL?where=x', '/index.html']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp.split('; '), url).toEqual(
        expect.arrayContaining([
          "default-src 'self'",
          `script-src 'self' 'sha256-${hash}'`,
          "connect-src 'self'",
          "frame-ancestors 'none'",
          "object-src 'none'",
        ]),
      );
      expect(res.headers, url).toMatchObject({
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      });
    }
    const asset = await app.inject({ url: '/assets/app.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers).toMatchObject({
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
    });
    expect(asset.headers['content-security-policy']).toBeUndefined();
  });
});

describe('bodies, queries and messages are exactly what the schema says, or refused', () => {
  let app: FastifyInstance;
  let url: string;
  const audit = () => join(dir, 'input-audit.jsonl');
  beforeAll(async () => ({ app, url } = await start({ auditLog: audit() })));
  afterAll(async () => app.close());
  const transact = (payload: unknown, extra: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
      headers: { ...headers('editor'), 'content-type': 'application/json', ...extra },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  it('refuses a dryRun that is not a boolean, unknown fields and coerced ops, committing nothing', async () => {
    const insert = { op: 'insert', table: 'Logical_Switch', row: { name: 'coerced' } };
    for (const body of [
      { operations: [insert], dry_run: true },
      { operations: [insert], dryRun: null },
      { operations: [insert], dryRun: 0 },
      { operations: [insert], dryRun: 'false' },
      { operations: [{ ...insert, op: ['insert'] }] },
    ]) {
      const res = await transact(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json<ErrorBody>().error.code).toBe('bad_request');
      expect(res.json<ErrorBody>().error.message).toMatch(/body/);
    }
    expect(await switches()).not.toContain('coerced');
  });

  it('refuses deep JSON with 400 and still audits the attempt', async () => {
    const before = (await auditLines(audit())).length;
    const res = await transact(
      `{"operations":[{"op":"insert","table":"Logical_Switch","row":{"name":${deep(100_000, '"x"')}}}]}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error.message).toMatch(/nested more than 64 levels/);
    const where = await app.inject({
      url: `/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows?where=${encodeURIComponent(deep(3_000))}`,
      headers: headers('viewer'),
    });
    expect(where.statusCode).toBe(400);
    expect(where.json<ErrorBody>().error.message).toMatch(/nested more than 32 levels/);
    const lines = await auditLines(audit());
    expect(lines.length).toBe(before + 1);
    expect(lines.at(-1)).toMatchObject({ status: 400, user: 'editor-user', error: { code: 'bad_request' } });
  });

  it('audits every attempt refused before the handler: schema, bad JSON, too large, forbidden', async () => {
    const before = (await auditLines(audit())).length;
    expect((await transact({ nope: 1 })).statusCode).toBe(400);
    expect((await transact('{"operations": [')).statusCode).toBe(400);
    expect(
      (await transact(`{"operations":[{"op":"comment","comment":"${'x'.repeat(17 * 1024 * 1024)}"}]}`)).statusCode,
    ).toBe(413);
    expect((await transact({ operations: [{ op: 'comment', comment: 'x' }] }, headers('viewer'))).statusCode).toBe(403);
    const lines = (await auditLines(audit())).slice(before);
    expect(lines.map((l) => l.status)).toEqual([400, 400, 413, 403]);
    expect(lines[2]).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(lines[3]).toMatchObject({ user: 'viewer-user', error: { code: 'forbidden' } });
  });

  it('answers oversized headers with the documented error shape', async () => {
    const res = await fetch(`${url}/api/v1/remotes`, {
      headers: { ...headers('viewer'), 'x-big': 'y'.repeat(20_000) },
    });
    expect(res.status).toBe(431);
    expect(await res.json()).toEqual({
      error: { code: 'headers_too_large', message: 'request headers are too large' },
    });
  });

  it('a hostile WebSocket message gets an error and the gateway lives on', async () => {
    const c = new StreamClient(`${url.replace('http', 'ws')}/api/v1/stream`, schema, { token: TOKENS.viewer });
    await c.opened();
    c.ws.send(`{"type":"ping","data":${deep(6000)}}`);
    c.ws.send(`{"type":${deep(6000)}}`);
    c.ws.send('{"type":"subscribe","id":"a","remote":"nb","db":"OVN_Northbound","columns":{"ACL":"match"}}');
    c.ws.send(`{"type":"subscribe","id":"b","remote":"nb","db":"OVN_Northbound","where":{"ACL":[${deep(40, '"x"')}]}}`);
    c.ws.send(
      '{"type":"subscribe","id":"c","remote":"nb","db":"OVN_Northbound","tables":["ACL"],"where":{"ACL":[["priority","~~",1]]}}',
    );
    c.send({ type: 'ping', data: 'alive' });
    await c.waitFor(() => c.messages.some((m) => m.type === 'pong'), 5_000, 'pong');
    const errors = c.messages.filter((m) => m.type === 'error');
    expect(errors.map((e) => [e.id, e.error.code])).toEqual([
      [undefined, 'bad_message'],
      [undefined, 'bad_message'],
      ['a', 'bad_message'],
      [undefined, 'bad_message'],
      ['c', 'bad_request'],
    ]);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    c.close();
  });

  it('response bodies match the declared response schemas', async () => {
    const ajv = new Ajv({ strict: false });
    const check = async (path: string, schema: object) => {
      const res = await app.inject({ url: path, headers: headers('viewer') });
      expect(res.statusCode, res.body).toBe(200);
      const ok = ajv.validate(schema, parseJson(res.body));
      expect(ok, JSON.stringify(ajv.errors)).toBe(true);
    };
    await check('/api/v1/whoami', schemas.whoAmI);
    await check('/api/v1/remotes', { type: 'array', items: schemas.remoteStatus });
    await check(`/api/v1/remotes/nb/dbs/${NB}/stats`, schemas.databaseStats);
    await check(`/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows`, schemas.rowsPage);
    const sw = (
      await app.inject({
        url: `/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows?where=name%3Dsw0`,
        headers: headers('viewer'),
      })
    ).json<{ rows: { _uuid: [string, string] }[] }>();
    const u = sw.rows[0]!._uuid[1];
    await check(`/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows/${u}/history`, schemas.rowHistory);
    await check(`/api/v1/remotes/nb/dbs/${NB}/tables/Logical_Switch/rows/${u}/references`, schemas.rowReferences);
    const err = await app.inject({ url: `/api/v1/remotes/nb/dbs/${NB}/tables/Nope/rows`, headers: headers('viewer') });
    expect(ajv.validate(schemas.errorBody, err.json()), JSON.stringify(ajv.errors)).toBe(true);
  });
});

describe('without --auth', () => {
  it('answers only to loopback Host names (no DNS rebinding)', async () => {
    const { app } = await start({}, { tokens: null });
    try {
      expect((await app.inject({ url: '/api/v1/whoami', headers: { host: '127.0.0.1:8080' } })).json()).toMatchObject({
        name: 'local',
        role: 'admin',
        authRequired: false,
      });
      expect((await app.inject({ url: '/api/v1/whoami', headers: { host: 'localhost:8080' } })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/v1/whoami', headers: { host: '[::1]:8080' } })).statusCode).toBe(200);
      const evil = await app.inject({ url: '/api/v1/whoami', headers: { host: 'evil.example:8080' } });
      expect(evil.statusCode).toBe(403);
      expect(evil.json<ErrorBody>().error.message).toMatch(/Host "evil.example:8080" is not this gateway/);
    } finally {
      await app.close();
    }
  });
});

describe('logs', () => {
  it('never contain a query string, so a token put in a URL is not logged', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const { app } = await start({}, { logger: sink });
    try {
      await app.inject({ url: `/api/v1/remotes?token=${TOKENS.admin}`, headers: headers('viewer') });
      await app.inject({ url: `/api/v1/remotes?access_token=${TOKENS.editor}` });
      const text = lines.join('');
      expect(text).toMatch(/\/api\/v1\/remotes/);
      for (const t of Object.values(TOKENS)) expect(text).not.toContain(t);
    } finally {
      await app.close();
    }
  });
});

describe('a frozen ovsdb-server', () => {
  it('on TCP: a transaction without an answer in time is reported as of unknown outcome, not as failed', async () => {
    const auditFile = join(dir, 'frozen-audit.jsonl');
    const { app } = await start(
      { transactTimeoutMs: 1_500, probeIntervalMs: 30_000, auditLog: auditFile },
      { remote: server.tcpRemote! },
    );
    try {
      server.sigstop();
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
        headers: headers('editor'),
        payload: { operations: [{ op: 'insert', table: 'Logical_Switch', row: { name: 'while-frozen' } }] },
      });
      expect(res.statusCode, res.body).toBe(504);
      const body = res.json<{
        error: { code: string; message: string; details: { outcome: string; comment: string } };
      }>();
      expect(body.error.code).toBe('outcome_unknown');
      expect(body.error.details.outcome).toBe('unknown');
      expect(body.error.message).toMatch(/may or may not have been committed/);
      server.sigcont();
      // The server wakes up and commits what it had read: "unknown" was the truth, "failed" would have been a lie.
      const deadline = Date.now() + 10_000;
      while (!(await switches()).includes('while-frozen')) {
        if (Date.now() > deadline) throw new Error('the transaction never landed');
        await new Promise((r) => setTimeout(r, 100));
      }
      const log = await readFile(server.dbPath(NB)).catch(() => Buffer.alloc(0));
      expect(log.toString()).toContain(body.error.details.comment);
      expect((await auditLines(auditFile)).at(-1)).toMatchObject({
        status: 504,
        error: { code: 'outcome_unknown' },
        comment: body.error.details.comment,
      });
    } finally {
      server.sigcont();
      await app.close();
    }
  });

  it('on a unix socket: the probe notices, the status says so, and transactions are not left hanging', async () => {
    const { app, gateway } = await start({ transactTimeoutMs: 2_000, probeIntervalMs: 500 });
    try {
      server.sigstop();
      const remote = gateway.remotes.get('nb')!;
      const deadline = Date.now() + 10_000;
      while (remote.client.status === 'connected') {
        if (Date.now() > deadline) throw new Error('the frozen server was never noticed');
        await new Promise((r) => setTimeout(r, 100));
      }
      const status = (await app.inject({ url: '/api/v1/remotes', headers: headers('viewer') })).json<
        { status: string; problem?: string; lastError?: string }[]
      >();
      expect(status[0]!.status).not.toBe('connected');
      expect(status[0]!.problem).toBe('unresponsive');
      const started = Date.now();
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
        headers: headers('editor'),
        payload: { operations: [{ op: 'comment', comment: 'x' }] },
      });
      expect([503, 504]).toContain(res.statusCode);
      expect(Date.now() - started).toBeLessThan(20_000);
      const wait = await app.inject({
        method: 'POST',
        url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
        headers: headers('editor'),
        payload: {
          operations: [
            { op: 'wait', table: 'Logical_Switch', where: [], columns: ['name'], until: '==', rows: [], timeout: 1e9 },
          ],
        },
      });
      expect(wait.statusCode).toBe(400);
    } finally {
      server.sigcont();
      await app.close();
    }
  });
});

describe('delta history', () => {
  it('is bounded in bytes: a browser too far behind gets a fresh snapshot instead of the old batches', async () => {
    const { app, gateway, url } = await start({ history: { batches: 2_000, bytes: 200_000 } });
    try {
      const c1 = new StreamClient(`${url.replace('http', 'ws')}/api/v1/stream`, schema, { token: TOKENS.viewer });
      await c1.opened();
      c1.subscribe({ id: 'h', remote: 'nb', db: NB, tables: ['Logical_Switch'] });
      await c1.waitFor(() => c1.snapshotDone('h'));
      const before = c1.state('h');
      c1.close();
      const client = gateway.remotes.get('nb')!.client;
      for (let i = 0; i < 40; i++) {
        await client.transact(NB, [
          {
            op: 'update',
            table: 'Logical_Switch',
            where: [['name', '==', 'sw0']],
            row: { external_ids: ['map', [['pad', `${'x'.repeat(10_000)}${i}`]]] },
          },
        ]);
      }
      const c2 = new StreamClient(`${url.replace('http', 'ws')}/api/v1/stream`, schema, { token: TOKENS.viewer });
      await c2.opened();
      c2.subscribe({ id: 'h', remote: 'nb', db: NB, tables: ['Logical_Switch'] }, before);
      await c2.waitFor(() => c2.snapshotDone('h'), 5_000, 'a fresh snapshot');
      expect(c2.messages[0]).toMatchObject({ type: 'subscribed', resumed: false });
      c2.close();
    } finally {
      await app.close();
    }
  });
});
