/**
 * Fuzzing `POST …/transact` on a live gateway (real ovsdb-server behind it): bodies built from plausible
 * operations (inserts that may clash with a unique index, deletes, updates, mutations, waits that may fail,
 * dry runs), the same with parts broken, random JSON, and bodies that are not JSON at all. Properties, for
 * every attempt:
 *   - the answer is 200, or a 4xx with the `{ "error": { "code", "message" } }` shape and the status of its
 *     code — never a 5xx;
 *   - nothing is applied unless the answer was 200 for a body that was not a dry run (the database,
 *     watched through a monitor on another session, is unchanged otherwise);
 *   - exactly one audit line is written, carrying that status.
 *
 * Runs: `FUZZ_RUNS` (default 120 here; `FUZZ_RUNS=100000 pnpm fuzz` for a long run), `FUZZ_SEED` to replay.
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, rowToWire, stringifyJson, type Json, type Monitor } from '@ovsdb-web/client';
import { ERROR_STATUS } from '@ovsdb-web/protocol';
import { ovnNbctl, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { NB, startGateway, type RunningGateway } from '../fault-support.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };

let server: OvsdbServerProcess;
let gw: RunningGateway;
let dir: string;
let watcher: OvsdbClient;
let monitor: Monitor;

const auditFile = (): string => join(dir, 'audit.jsonl');

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  dir = await mkdtemp(join(tmpdir(), 'transact-fuzz-'));
  await ovnNbctl(
    server.unixRemote!,
    'ls-add',
    'sw0',
    '--',
    'ls-add',
    'sw1',
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
  gw = await startGateway(server.unixRemote!, {
    config: { auditLog: join(dir, 'audit.jsonl'), transactRate: 1_000_000, transactTimeoutMs: 10_000 },
  });
  watcher = await OvsdbClient.connect(server.unixRemote!);
  monitor = await watcher.monitor(NB, { tables: '*' });
});
afterAll(async () => {
  await watcher?.close();
  await gw?.app.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The whole database as text, from a monitor on a session of its own (after an echo, it is current). */
async function snapshot(): Promise<string> {
  await watcher.echo();
  const out: string[] = [];
  for (const [name, table] of monitor.cache.tables) {
    const rows = table
      .rows()
      .map((r) => stringifyJson(rowToWire(table.schema, r) as Json))
      .sort();
    out.push(`${name}:${rows.join(',')}`);
  }
  return out.join('\n');
}

/** The audit file's size now, and the lines written after a size. */
async function auditSize(): Promise<number> {
  return (await stat(auditFile()).catch(() => ({ size: 0 }))).size;
}
async function auditLinesAfter(offset: number): Promise<string[]> {
  const fh = await open(auditFile(), 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    return buf.toString('utf8').split('\n').filter(Boolean);
  } finally {
    await fh.close();
  }
}

/** Rows the fuzz adds pile up; drop them now and then so each check stays cheap. */
async function tidy(): Promise<void> {
  await watcher
    .transact(
      NB,
      [
        {
          op: 'delete',
          table: 'Logical_Switch',
          where: [['name', 'includes', ['set', ['sw2', 'fz-a', 'fz-b', '', 'fz-ref']]]],
        },
      ],
      { validate: false },
    )
    .catch(() => undefined);
}

// ---- generators --------------------------------------------------------------------------------------

const lsName = fc.constantFrom('sw0', 'sw1', 'sw2', 'fz-a', 'fz-b', '');
const lspName = fc.constantFrom('p0', 'p1', 'fz-p', 'fz-q');
const uuid = fc.constantFrom('8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01', '00000000-0000-0000-0000-000000000000');
const op = fc.oneof(
  lsName.map((name) => ({ op: 'insert', table: 'Logical_Switch', row: { name } })),
  fc.tuple(lspName, lsName).map(([p, ls]) => [
    {
      op: 'insert',
      table: 'Logical_Switch_Port',
      'uuid-name': 'np',
      row: { name: p, addresses: ['set', ['00:00:00:00:00:09']] },
    },
    {
      op: 'mutate',
      table: 'Logical_Switch',
      where: [['name', '==', ls]],
      mutations: [['ports', 'insert', ['set', [['named-uuid', 'np']]]]],
    },
  ]),
  lsName.map((name) => ({ op: 'delete', table: 'Logical_Switch', where: [['name', '==', name]] })),
  fc.tuple(lsName, fc.string({ maxLength: 10 })).map(([name, v]) => ({
    op: 'update',
    table: 'Logical_Switch',
    where: [['name', '==', name]],
    row: { other_config: ['map', [['fz', v]]] },
  })),
  fc
    .tuple(fc.integer({ min: -5, max: 40_000 }))
    .map(([p]) => ({ op: 'mutate', table: 'ACL', where: [], mutations: [['priority', '+=', p]] })),
  fc.tuple(lsName, fc.constantFrom('==', '!='), fc.nat({ max: 50 })).map(([name, until, timeout]) => ({
    op: 'wait',
    table: 'Logical_Switch',
    where: [['name', '==', name]],
    columns: ['name'],
    until,
    rows: [],
    timeout,
  })),
  uuid.map((u) => ({ op: 'insert', table: 'Logical_Switch', row: { name: 'fz-ref', ports: ['set', [['uuid', u]]] } })),
  fc.string({ maxLength: 20 }).map((comment) => ({ op: 'comment', comment })),
  fc.constant({ op: 'select', table: 'Logical_Switch', where: [], columns: ['name'] }),
  fc.constant({ op: 'abort' }),
);
const plausible = fc
  .tuple(fc.array(op, { minLength: 1, maxLength: 4 }), fc.option(fc.boolean(), { nil: undefined }))
  .map(([ops, dryRun]) => ({ operations: ops.flat() as Json[], ...(dryRun === undefined ? {} : { dryRun }) }));

/** A body with something broken: a member dropped, changed or added, somewhere in it. */
const broken = plausible.chain((body) => {
  const ops = body.operations as Record<string, Json>[];
  return fc.oneof(
    fc
      .tuple(fc.nat({ max: ops.length - 1 }), fc.string({ maxLength: 8 }), fc.jsonValue())
      .map(([i, k, v]) => ({ ...body, operations: ops.map((o, j) => (j === i ? { ...o, [k]: v as Json } : o)) })),
    fc
      .tuple(fc.nat({ max: ops.length - 1 }), fc.jsonValue())
      .map(([i, v]) => ({ ...body, operations: ops.map((o, j) => (j === i ? (v as Json) : o)) })),
    fc
      .tuple(
        fc.nat({ max: ops.length - 1 }),
        fc.constantFrom('op', 'table', 'where', 'row', 'mutations', 'columns', 'until', 'rows'),
      )
      .map(([i, k]) => ({
        ...body,
        operations: ops.map((o, j) => {
          if (j !== i) return o;
          const { [k]: _dropped, ...rest } = o;
          return rest;
        }),
      })),
    fc.jsonValue().map((v) => ({ ...body, dryRun: v as Json })),
    fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue()).map(([k, v]) => ({ ...body, [k]: v as Json })),
  );
});

interface Attempt {
  payload: string;
  contentType: string;
  /** The body as the gateway should read it, when it is JSON. */
  body?: unknown;
}
const toAttempt = (body: unknown): Attempt => ({
  payload: JSON.stringify(body) ?? 'null',
  contentType: 'application/json',
  body,
});
const attempt: fc.Arbitrary<Attempt> = fc.oneof(
  { weight: 4, arbitrary: plausible.map(toAttempt) },
  { weight: 4, arbitrary: broken.map(toAttempt) },
  { weight: 1, arbitrary: fc.jsonValue().map(toAttempt) },
  {
    weight: 1,
    arbitrary: fc.record({ operations: fc.jsonValue(), dryRun: fc.jsonValue() }, { requiredKeys: [] }).map(toAttempt),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 40 }).map((payload) => ({ payload, contentType: 'application/json' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        plausible,
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
      )
      .map(([b, contentType]) => ({
        payload: JSON.stringify(b),
        contentType,
        ...(contentType.startsWith('application/json') ? { body: b } : {}),
      })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 60, max: 5_000 }).map((n) => ({
      payload: `{"operations":[{"op":"comment","comment":${'['.repeat(n)}${']'.repeat(n)}}]}`,
      contentType: 'application/json',
    })),
  },
);

describe('POST transact under random bodies', () => {
  it('answers 200 or a 4xx with the error shape, applies nothing unless committed, and audits every attempt once', async () => {
    let committed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(attempt, async (a) => {
        const before = await snapshot();
        const auditAt = await auditSize();
        const res = await gw.app.inject({
          method: 'POST',
          url: `/api/v1/remotes/nb/dbs/${NB}/transact`,
          headers: a.contentType === '' ? {} : { 'content-type': a.contentType },
          payload: a.payload,
        });
        const status = res.statusCode;
        expect(status === 200 || (status >= 400 && status < 500), `HTTP ${status}: ${res.body.slice(0, 400)}`).toBe(
          true,
        );
        let parsed: unknown;
        try {
          parsed = JSON.parse(res.body);
        } catch {
          throw new Error(`not JSON (HTTP ${status}): ${res.body.slice(0, 200)}`);
        }
        const body = a.body as { dryRun?: unknown; operations?: unknown[] } | undefined;
        const dryRun = body?.dryRun === true;
        if (status === 200) {
          const results = (parsed as { results?: unknown[] }).results;
          expect(Array.isArray(results)).toBe(true);
          expect(results!.length).toBe(body?.operations?.length);
          if (dryRun) expect(parsed).toMatchObject({ dryRun: true });
          else committed++;
        } else {
          refused++;
          const err = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
          expect(Object.keys(parsed as object)).toEqual(['error']);
          expect(typeof err?.code).toBe('string');
          expect(typeof err?.message).toBe('string');
          expect((ERROR_STATUS as Record<string, number>)[err!.code as string], `code ${String(err?.code)}`).toBe(
            status,
          );
        }
        if (status !== 200 || dryRun)
          expect(await snapshot(), `HTTP ${status} ${a.payload.slice(0, 300)} changed the database`).toBe(before);
        const audit = await auditLinesAfter(auditAt);
        expect(audit.length, `audit lines after ${a.payload.slice(0, 200)}`).toBe(1);
        expect(JSON.parse(audit[0]!)).toMatchObject({ status, dryRun });
        if (status === 200 && !dryRun && committed % 25 === 0) await tidy();
      }),
      { numRuns: RUNS, ...SEED },
    );
    if (process.env.FUZZ_REPORT === '1')
      console.log(`transact fuzz: ${RUNS} attempts, ${committed} committed, ${refused} refused`);
    expect(committed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
