/**
 * Fuzzing the WebSocket message handler of a live gateway (real ovsdb-server behind it): random client
 * messages — well-formed ones with random fields, the same with bytes changed, random JSON and text,
 * binary frames — on one connection. After every message a ping must still be answered on the same
 * connection; a message the protocol refuses gets exactly one `error` with a 4xx code (`bad_message`); a
 * well-formed one gets its normal answer or one 4xx error; the gateway never answers 5xx and never crashes
 * (an uncaught exception fails the run). At the end the same connection subscribes and converges with
 * `ovsdb-client dump`.
 *
 * Runs: `FUZZ_RUNS` (default 150 here; `FUZZ_RUNS=100000 pnpm fuzz` for a long run), `FUZZ_SEED` to replay.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, parseJson, type DatabaseSchema } from '@ovsdb-web/client';
import { ERROR_STATUS, parseClientMessage, type ServerMessage } from '@ovsdb-web/protocol';
import { ovnNbctl, ovsdbDump, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { NB, startGateway, type RunningGateway } from '../fault-support.js';
import { StreamClient, canonicalDump, sameStore } from '../test-support.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };

let server: OvsdbServerProcess;
let schema: DatabaseSchema;
let gw: RunningGateway;

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
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
    'acl-add',
    'sw0',
    'to-lport',
    '100',
    'ip4',
    'drop',
  );
  gw = await startGateway(server.unixRemote!);
});
afterAll(async () => {
  await gw?.app.close();
  await server?.stop();
});

// ---- generators --------------------------------------------------------------------------------------

const TABLES = ['Logical_Switch', 'Logical_Switch_Port', 'ACL', 'Port_Group', 'NB_Global'];
const ids = fc.constantFrom('a', 'b', 'c', 'd', 'ports', '', 'x'.repeat(200));
const names = fc.oneof(fc.constantFrom(...TABLES), fc.string({ maxLength: 12 }));
const column = fc.constantFrom('name', 'ports', 'priority', 'external_ids', 'addresses', 'up', 'nope', '_uuid');
const condition = fc.oneof(
  fc.tuple(
    column,
    fc.constantFrom('==', '!=', '<', 'includes', 'excludes', '~~'),
    fc.oneof(
      fc.jsonValue(),
      fc.constantFrom('sw0', 100, ['map', [['a', 'b']]], ['set', []], ['uuid', '8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01']),
    ),
  ),
  fc.jsonValue(),
);
const subscribe = fc.record(
  {
    type: fc.constant('subscribe'),
    id: ids,
    remote: fc.oneof(fc.constant('nb'), fc.string({ maxLength: 6 })),
    db: fc.oneof(fc.constant(NB), fc.constant('_Server'), fc.string({ maxLength: 6 })),
    tables: fc.oneof(fc.array(names, { maxLength: 3 }), fc.jsonValue()),
    where: fc.oneof(fc.dictionary(names, fc.array(condition, { maxLength: 3 }), { maxKeys: 2 }), fc.jsonValue()),
    columns: fc.oneof(fc.dictionary(names, fc.array(column, { maxLength: 3 }), { maxKeys: 2 }), fc.jsonValue()),
    since: fc.oneof(
      fc.record({ epoch: fc.string({ maxLength: 8 }), seq: fc.oneof(fc.nat(), fc.integer(), fc.double()) }),
      fc.jsonValue(),
    ),
    snapshot: fc.oneof(fc.boolean(), fc.jsonValue()),
    old: fc.oneof(fc.boolean(), fc.jsonValue()),
    holdSnapshot: fc.oneof(fc.boolean(), fc.jsonValue()),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ['type'] },
);
/** Subscribes that mostly succeed: real tables and columns, conditions of roughly the right shape. */
const plausible = fc
  .record(
    {
      id: fc.constantFrom('a', 'b', 'c', 'ports'),
      tables: fc.uniqueArray(fc.constantFrom(...TABLES), { minLength: 1, maxLength: 3 }),
      name: fc.constantFrom('sw0', 'p0', 'nope'),
      priority: fc.integer({ min: -1, max: 40_000 }),
      snapshot: fc.boolean(),
      old: fc.boolean(),
      hold: fc.boolean(),
      project: fc.boolean(),
    },
    { requiredKeys: ['id', 'tables'] },
  )
  .map((r) => ({
    type: 'subscribe',
    id: r.id,
    remote: 'nb',
    db: NB,
    tables: r.tables,
    ...(r.name !== undefined && r.tables.includes('Logical_Switch')
      ? { where: { Logical_Switch: [['name', '==', r.name]] } }
      : {}),
    ...(r.priority !== undefined && r.tables.includes('ACL')
      ? { where: { ACL: [['priority', '>=', r.priority]] } }
      : {}),
    ...(r.project && r.tables.includes('Logical_Switch_Port')
      ? { columns: { Logical_Switch_Port: ['name', 'up'] } }
      : {}),
    ...(r.snapshot !== undefined ? { snapshot: r.snapshot } : {}),
    ...(r.old !== undefined ? { old: r.old } : {}),
    ...(r.hold !== undefined ? { holdSnapshot: r.hold } : {}),
  }));
const other = fc.oneof(
  fc.record(
    { type: fc.constantFrom('unsubscribe', 'subscribe-status', 'snapshot-continue'), id: ids },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('ping'), data: fc.jsonValue() }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 10 }), fc.jsonValue()) }),
);
const wellFormed = fc
  .oneof({ weight: 3, arbitrary: subscribe }, { weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: other })
  .map((m) => JSON.stringify(m));

/** Text with one or a few characters changed, inserted or removed, or cut short. */
const mutated = wellFormed.chain((text) =>
  fc
    .array(
      fc.tuple(
        fc.nat({ max: Math.max(0, text.length - 1) }),
        fc.constantFrom('replace', 'insert', 'delete', 'cut'),
        fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '0', 'x', '\u0000', '😀'),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) => {
      let t = text;
      for (const [at, how, ch] of edits) {
        const i = Math.min(at, t.length);
        t =
          how === 'replace'
            ? t.slice(0, i) + ch + t.slice(i + 1)
            : how === 'insert'
              ? t.slice(0, i) + ch + t.slice(i)
              : how === 'delete'
                ? t.slice(0, i) + t.slice(i + 1)
                : t.slice(0, i);
      }
      return t;
    }),
);

const frame = fc.oneof(
  { weight: 4, arbitrary: wellFormed.map((text) => ({ text })) },
  { weight: 3, arbitrary: mutated.map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => ({ text: JSON.stringify(v) ?? 'null' })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }).map((text) => ({ text })) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 20_000 })
      .map((n) => ({ text: `{"type":"ping","data":${'['.repeat(n)}${']'.repeat(n)}}` })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ binary: Buffer.from(bytes) })) },
);

// ---- the run -----------------------------------------------------------------------------------------

const is4xx = (code: string): boolean => {
  const status = (ERROR_STATUS as Record<string, number>)[code];
  return status !== undefined && status >= 400 && status < 500;
};

describe('the stream under random client messages', () => {
  it('answers every message, keeps the connection usable, and every error is a 4xx', async () => {
    const c = new StreamClient(gw.ws, schema);
    await c.opened();
    let closed: number | undefined;
    c.ws.on('close', (code) => (closed = code));
    let n = 0;
    let refused = 0;
    let subscribed = 0;
    const live = new Set<string>();

    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        const marker = `probe-${n++}`;
        const from = c.messages.length;
        if ('binary' in f) c.ws.send(f.binary, { binary: true });
        else c.ws.send(f.text);
        c.send({ type: 'ping', data: marker });
        await c.waitFor(
          () => c.messages.slice(from).some((m) => m.type === 'pong' && m.data === marker) || closed !== undefined,
          5_000,
          `the pong ${marker}`,
        );
        expect(closed).toBeUndefined();
        const end = c.messages.findIndex((m, i) => i >= from && m.type === 'pong' && m.data === marker);
        const received: ServerMessage[] = c.messages.slice(from, end);
        const errors = received.flatMap((m) => (m.type === 'error' ? [m] : []));
        for (const e of errors) expect(is4xx(e.error.code), `${e.error.code}: ${e.error.message}`).toBe(true);
        // Direct answers to this message; snapshot chunks and status pushes of earlier subscriptions may
        // arrive in between.
        const answer = received.filter(
          (m) =>
            m.type !== 'snapshot' &&
            m.type !== 'delta' &&
            !(m.type === 'status' && !('text' in f && f.text.includes('subscribe-status'))),
        );

        let parsed: ReturnType<typeof parseClientMessage> | undefined;
        if ('text' in f) {
          try {
            parsed = parseClientMessage(f.text);
          } catch {
            parsed = undefined;
          }
        }
        if (parsed === undefined) {
          // Refused by the protocol (or a binary frame): exactly one bad_message, nothing else.
          refused++;
          expect(errors.map((e) => e.error.code)).toEqual(['bad_message']);
          expect(answer).toHaveLength(1);
          return;
        }
        switch (parsed.type) {
          case 'ping':
            expect(answer.filter((m) => m.type === 'pong')).toHaveLength(1);
            expect(errors).toEqual([]);
            break;
          case 'unsubscribe':
            expect(answer).toEqual([]);
            live.delete(parsed.id);
            break;
          case 'snapshot-continue':
            // Every subscription is dropped after its message (below): there is never one to continue.
            expect(errors.map((e) => e.error.code)).toEqual(['not_found']);
            expect(answer).toHaveLength(1);
            break;
          case 'subscribe-status':
          case 'subscribe': {
            const ok = answer.some((m) => (m.type === 'subscribed' || m.type === 'status') && m.id === parsed.id);
            expect(ok !== (errors.length === 1), JSON.stringify(answer).slice(0, 500)).toBe(true);
            expect(errors.length).toBeLessThanOrEqual(1);
            if (ok) {
              subscribed++;
              live.add(parsed.id);
            }
            break;
          }
        }
        // Keep room under the 64-subscription limit: drop what this message subscribed.
        for (const id of live) c.send({ type: 'unsubscribe', id });
        live.clear();
      }),
      { numRuns: RUNS, ...SEED },
    );
    // The fuzz reached both sides: messages refused by the parser, and subscriptions made.
    if (process.env.FUZZ_REPORT === '1')
      console.log(`stream fuzz: ${n} messages, ${refused} refused by the protocol, ${subscribed} subscriptions made`);
    expect(refused).toBeGreaterThan(RUNS / 10);
    expect(subscribed).toBeGreaterThan(RUNS / 20);

    // The same connection still does its job: a subscription that converges with the server.
    c.subscribe({ id: 'final', remote: 'nb', db: NB, tables: ['Logical_Switch', 'Logical_Switch_Port', 'ACL'] });
    await c.waitFor(() => c.state('final').phase === 'live', 10_000, 'the final snapshot');
    await ovnNbctl(server.unixRemote!, 'lsp-add', 'sw0', 'after-fuzz');
    const dump = canonicalDump(schema, await ovsdbDump(server.unixRemote!, NB, { parse: (t) => parseJson(t) }), [
      'Logical_Switch',
      'Logical_Switch_Port',
      'ACL',
    ]);
    await c.waitFor(() => sameStore(c.store('final'), dump), 10_000, 'convergence after the fuzz');
    expect((await gw.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    c.close();
  });

  it('closes only a connection whose frame is over the 1 MiB limit (1009), and the gateway serves the next one', async () => {
    const c = new StreamClient(gw.ws, schema);
    await c.opened();
    const closed = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    c.ws.send(`{"type":"ping","data":"${'x'.repeat(1024 * 1024 + 10)}"}`);
    expect(await closed).toBe(1009);
    const d = new StreamClient(gw.ws, schema);
    await d.opened();
    d.send({ type: 'ping', data: 'next' });
    await d.waitFor(() => d.messages.some((m) => m.type === 'pong'), 5_000, 'pong on a new connection');
    d.close();
  });
});
