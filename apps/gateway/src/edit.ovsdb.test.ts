/**
 * The routes behind editing, against the real ovsdb-server: `plan` (what a transaction would do, the cascade
 * included, with the gateway's checks) and `audit` (the log of attempts, for admins).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ovnNbctl, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import type { AuditPage, PlanResponse } from '@ovsdb-web/protocol';
import { buildApp } from './app.js';
import { TokenStore } from './plugins/auth.js';
import type { GatewayConfig } from './config.js';

const NB = 'OVN_Northbound';
const TOKENS = {
  viewer: 'viewer-token-0123456789',
  editor: 'editor-token-0123456789',
  admin: 'admin-token-01234567890',
} as const;
const tokens = TokenStore.parse(
  JSON.stringify({ tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: `${role}-user`, role, token })) }),
  'test',
);
const auth = (role: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[role]}` });

let server: OvsdbServerProcess;
let dir: string;
let app: Awaited<ReturnType<typeof buildApp>>['app'];

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  dir = await mkdtemp(join(tmpdir(), 'gateway-edit-'));
  await ovnNbctl(
    server.unixRemote!,
    'ls-add',
    'sw0',
    '--',
    'lsp-add',
    'sw0',
    'p1',
    '--',
    'lsp-add',
    'sw0',
    'p2',
    '--',
    'pg-add',
    'pg1',
    'p1',
  );
  const config: GatewayConfig = {
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
    auditLog: join(dir, 'audit.jsonl'),
  };
  ({ app } = await buildApp(config, { logger: false, tokens }));
  const deadline = Date.now() + 10_000;
  while (
    (await app.inject({ url: `/api/v1/remotes/nb/dbs/${NB}/stats`, headers: auth('viewer') })).statusCode !== 200
  ) {
    if (Date.now() > deadline) throw new Error('the gateway did not start monitoring');
    await new Promise((r) => setTimeout(r, 50));
  }
});
afterAll(async () => {
  await app?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function plan(operations: unknown[]): Promise<PlanResponse> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/remotes/nb/dbs/${NB}/plan`,
    headers: auth('editor'),
    payload: { operations },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<PlanResponse>();
}

describe('plan', () => {
  it('shows the cascade of removing a port from its switch, and sends nothing', async () => {
    const p1 = (
      await ovnNbctl(server.unixRemote!, '--bare', '--columns=_uuid', 'find', 'Logical_Switch_Port', 'name=p1')
    ).trim();
    const p = await plan([
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['name', '==', 'sw0']],
        mutations: [['ports', 'delete', ['uuid', p1]]],
      },
    ]);
    expect(p.effects.map((e) => [e.table, e.kind, e.cause])).toEqual([
      ['Logical_Switch', 'update', 'operation'],
      ['Logical_Switch_Port', 'delete', 'unreferenced'],
      ['Port_Group', 'update', 'weak-reference'],
    ]);
    expect(p.checks.every((c) => c.ok && c.by === 'gateway')).toBe(true);
    expect(p.caveats.join(' ')).toMatch(/referential integrity, unique indexes and maxRows only at commit/);
    expect(
      await ovnNbctl(server.unixRemote!, '--bare', '--columns=name', 'find', 'Logical_Switch_Port', 'name=p1'),
    ).toMatch(/p1/);
  });

  it('reports a schema mistake and a blocked delete as failed checks, not errors', async () => {
    const bad = await plan([
      { op: 'insert', table: 'ACL', row: { priority: 40000, direction: 'to-lport', match: '1', action: 'drop' } },
    ]);
    expect(bad.checks).toEqual([
      expect.objectContaining({ by: 'gateway', name: 'schema', ok: false, operationIndex: 0, column: 'priority' }),
    ]);
    const blocked = await plan([{ op: 'delete', table: 'Logical_Switch_Port', where: [['name', '==', 'p2']] }]);
    expect(blocked.problems.map((p) => p.kind)).toEqual(['blocked-delete']);
    expect(blocked.checks.find((c) => c.name === 'commit-rules')).toMatchObject({ ok: false });
  });

  it('refuses a body that is not operations', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/remotes/nb/dbs/${NB}/plan`,
      headers: auth('editor'),
      payload: { operations: [{ op: 'nope' }] },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('audit', () => {
  it('lists attempts newest first with filters, for admins only', async () => {
    const transact = (role: keyof typeof TOKENS, operations: unknown[], dryRun = false) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
        headers: auth(role),
        payload: { operations, ...(dryRun ? { dryRun } : {}) },
      });
    expect(
      (await transact('editor', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'audited' } }])).statusCode,
    ).toBe(200);
    expect(
      (await transact('admin', [{ op: 'insert', table: 'Address_Set', row: { name: 'as1' } }], true)).statusCode,
    ).toBe(200);
    expect((await transact('viewer', [{ op: 'comment', comment: 'x' }])).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/audit', headers: auth('editor') })).statusCode).toBe(403);
    const all = (await app.inject({ url: '/api/v1/audit', headers: auth('admin') })).json<AuditPage>();
    expect(all.enabled).toBe(true);
    expect(all.entries.slice(0, 3).map((e) => [e.user, e.status, e.dryRun])).toEqual([
      ['viewer-user', 403, false],
      ['admin-user', 200, true],
      ['editor-user', 200, false],
    ]);
    const byTable = (
      await app.inject({ url: '/api/v1/audit?table=Logical_Switch&result=ok', headers: auth('admin') })
    ).json<AuditPage>();
    expect(byTable.entries.map((e) => e.user)).toEqual(['editor-user']);
    expect(byTable.entries[0]!.comment).toMatch(/^ovsdb-web: editor-user \(editor\) txn /);
    const dry = (await app.inject({ url: '/api/v1/audit?result=dry_run', headers: auth('admin') })).json<AuditPage>();
    expect(dry.entries.map((e) => e.user)).toEqual(['admin-user']);
    expect((await app.inject({ url: '/api/v1/audit?since=yesterday', headers: auth('admin') })).statusCode).toBe(400);
    const paged = (
      await app.inject({ url: '/api/v1/audit?limit=1&offset=1', headers: auth('admin') })
    ).json<AuditPage>();
    expect(paged.total).toBe(all.total);
    expect(paged.entries.map((e) => e.user)).toEqual(['admin-user']);
  });
});
