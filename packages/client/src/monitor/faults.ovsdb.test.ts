/**
 * Monitors under faults against the real standalone ovsdb-server 3.1: a restart and a SIGSTOP while
 * ovn-nbctl streams 1,000 changes, the inactivity probe, backpressure from a slow `changes()` consumer,
 * and an online schema conversion. After each fault the cache must equal `ovsdb-client dump`, and the
 * events, replayed strictly onto the starting state, must give the same rows: nothing lost, nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startOvsdbServer,
  ovnNbctl,
  ovsdbClient,
  ovsdbDump,
  OVN_NB_SCHEMA,
  type OvsdbServerProcess,
} from '@ovsdb-web/testing';
import { OvsdbClient, type ConnectOptions, type ReconnectOptions } from '../client/client.js';
import { parseJson, type JsonObject } from '../wire/json.js';
import type { ChangeBatch } from '../cache/database-cache.js';
import type { Monitor } from './monitor.js';
import {
  Churn,
  canonicalCache,
  canonicalDump,
  canonicalServer,
  eventually,
  recordBatches,
  strictReplay,
  type Canonical,
} from './test-support.js';

const NB = 'OVN_Northbound';
const TABLES = ['Logical_Switch', 'Logical_Switch_Port'];
const FAST_RECONNECT: ReconnectOptions = { initialDelayMs: 50, maxDelayMs: 250 };
let server: OvsdbServerProcess;
const clients: OvsdbClient[] = [];

async function connect(remote: string, opts: ConnectOptions = {}): Promise<OvsdbClient> {
  const c = await OvsdbClient.connect(remote, { reconnect: FAST_RECONNECT, ...opts });
  clients.push(c);
  return c;
}

function once<T extends unknown[]>(subscribe: (l: (...args: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((...args) => {
      off();
      resolve(args);
    });
  });
}

async function dumped(m: Monitor, remote: string): Promise<Canonical> {
  return canonicalDump(m, await ovsdbDump(remote, NB, { parse: parseJson }));
}

/**
 * Run 1,000 changes through ovn-nbctl, inject `fault` a third of the way in, then check the cache
 * against the server's own dump and the recorded events against the cache.
 */
async function underChurn(
  client: OvsdbClient,
  prefix: string,
  fault: () => Promise<void>,
): Promise<{ batches: ChangeBatch[]; churn: Churn }> {
  const m = await client.monitor(NB, { tables: TABLES });
  const start = canonicalCache(m);
  const rec = recordBatches(m);
  const churn = new Churn({
    remote: server.unixRemote!,
    switchName: 'sw0',
    prefix,
    changes: 1_000,
    nbctl: ovnNbctl,
    deadlineMs: 45_000,
  });
  await churn.reached(Math.floor(churn.totalSteps / 3));
  await fault();
  await churn.done;
  expect(churn.steps).toBe(200);
  // The server sends updates before later replies: once echo returns, every committed change is here.
  await eventually(() => client.status === 'connected', 'the client to be connected');
  await client.echo();
  const cache = canonicalCache(m);
  expect(cache).toEqual(await dumped(m, server.unixRemote!));
  const { state, problems } = strictReplay(m, start, rec.batches);
  expect(problems).toEqual([]);
  expect(rec.problems).toEqual([]);
  expect(state).toEqual(cache);
  // The stream really ran through the monitor, not only through a final resync.
  expect(rec.batches.filter((b) => !b.resync).length).toBeGreaterThan(100);
  rec.stop();
  await m.close();
  return { batches: rec.batches, churn };
}

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true, tcp: true });
  await ovnNbctl(
    server.unixRemote!,
    'ls-add',
    'sw0',
    '--',
    'lsp-add',
    'sw0',
    'base',
    '--',
    'lsp-set-addresses',
    'base',
    '00:00:00:00:00:01 10.0.0.1',
  );
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await server?.stop();
});

describe('under a stream of 1,000 ovn-nbctl changes', () => {
  it('survives a server restart: resync reports the true difference, nothing lost or doubled', async () => {
    const client = await connect(server.unixRemote!);
    let disconnects = 0;
    client.on('disconnected', () => disconnects++);
    const { batches } = await underChurn(client, 'r', async () => {
      const back = once<[string]>((l) => client.on('connected', l));
      await server.restart();
      await back;
    });
    expect(disconnects).toBe(1);
    // Standalone servers never resume (found=false): at most one resync batch, the difference against
    // the pre-restart cache (empty, and then not emitted, when every commit reached us before the stop).
    expect(batches.filter((b) => b.resync).length).toBeLessThanOrEqual(1);
  });

  it('survives a SIGSTOPped server: the probe drops the session, it comes back after SIGCONT', async () => {
    const client = await connect(server.tcpRemote!, { inactivityProbeMs: 500 });
    const { churn } = await underChurn(client, 's', async () => {
      const down = once<[Error]>((l) => client.on('disconnected', l));
      const stoppedAt = Date.now();
      server.sigstop();
      try {
        await down;
        // Probe after 500 ms of silence, give up 500 ms later; the check runs every 125 ms.
        expect(Date.now() - stoppedAt).toBeLessThan(2_000);
        // Stay frozen a little longer, so reconnect attempts meet the frozen server too.
        await new Promise((r) => setTimeout(r, 700));
      } finally {
        server.sigcont();
      }
      await once<[string]>((l) => client.on('connected', l));
    });
    // ovn-nbctl (on the unix socket) simply waited; nothing needed a retry.
    expect(churn.retries).toBe(0);
  });
});

describe('inactivity probe', () => {
  it('keeps an idle tcp session up (echo answered) and drops a frozen one within about two probes', async () => {
    const client = await connect(server.tcpRemote!, { inactivityProbeMs: 300 });
    let disconnects = 0;
    client.on('disconnected', () => disconnects++);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(disconnects).toBe(0);
    // Echo replies keep arriving although nobody asked for anything.
    expect(Date.now() - client.connection.lastActivity).toBeLessThan(700);

    const down = once<[Error]>((l) => client.on('disconnected', l));
    const stoppedAt = Date.now();
    server.sigstop();
    try {
      const [err] = await down;
      const took = Date.now() - stoppedAt;
      expect(err.message).toMatch(/inactivity probe/);
      expect(took).toBeGreaterThanOrEqual(300);
      expect(took).toBeLessThan(1_000);
    } finally {
      server.sigcont();
    }
    await once<[string]>((l) => client.on('connected', l));
    expect(await client.echo('back')).toEqual(['back']);
  });
});

describe('backpressure', () => {
  it('pauses the socket for a slow changes() consumer, loses no batch, and the probe does not mistake it for a dead server', async () => {
    const client = await connect(server.tcpRemote!, { inactivityProbeMs: 300 });
    const writer = await connect(server.unixRemote!);
    const m = await client.monitor(NB, { tables: ['Logical_Switch'] });
    let disconnects = 0;
    client.on('disconnected', () => disconnects++);
    const seenByListener: ChangeBatch[] = [];
    m.on('change', (b) => seenByListener.push(b));

    const TXNS = 60;
    const consumed: ChangeBatch[] = [];
    let sawPaused = false;
    const consumer = (async () => {
      let rows = 0;
      for await (const b of m.changes({ highWaterMark: 5 })) {
        consumed.push(b);
        if (client.readingPaused) sawPaused = true;
        await new Promise((r) => setTimeout(r, 25));
        // Count rows, not batches: after a (wrong) reconnect a resync would carry many in one batch.
        rows += b.changes.length;
        if (rows >= TXNS) break;
      }
    })();
    // Pipelined: the server streams the updates as fast as it commits.
    await Promise.all(
      Array.from({ length: TXNS }, (_, i) =>
        writer.transact(NB, [{ op: 'insert', table: 'Logical_Switch', row: { name: `bp${i}` } }]),
      ),
    );
    await consumer;
    expect(sawPaused).toBe(true);
    expect(client.readingPaused).toBe(false);
    expect(consumed).toHaveLength(TXNS);
    // The listener and the iterator saw the same batches, in the same order.
    expect(consumed).toEqual(seenByListener.slice(0, TXNS));
    expect(consumed.flatMap((b) => b.changes.map((c) => c.new?.name))).toEqual(
      Array.from({ length: TXNS }, (_, i) => `bp${i}`),
    );
    expect(disconnects).toBe(0);
    await client.echo();
    expect(canonicalCache(m)).toEqual(await canonicalServer(client, await client.getSchema(NB), ['Logical_Switch']));
    await writer
      .transact(NB, [{ op: 'delete', table: 'Logical_Switch', where: [['name', 'includes', 'bp']] }], {
        validate: false,
      })
      .catch(() => undefined);
    await m.close();
  });
});

describe('online schema conversion', () => {
  let conv: OvsdbServerProcess;
  beforeAll(async () => {
    conv = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
    await ovnNbctl(conv.unixRemote!, 'ls-add', 'sw0', '--', 'ls-add', 'sw1', '--', 'lsp-add', 'sw0', 'p0');
  });
  afterAll(async () => {
    await conv?.stop();
  });

  it('re-monitors with the new schema after monitor_canceled and emits the difference', async () => {
    const client = await connect(conv.unixRemote!);
    const m = await client.monitor(NB, { tables: TABLES });
    const start = canonicalCache(m);
    const rec = recordBatches(m);
    const errors: Error[] = [];
    m.on('error', (e) => errors.push(e));

    // The NB schema plus one optional column (data cannot violate it: see conformance §4 on the crash).
    const schema = parseJson(readFileSync(OVN_NB_SCHEMA, 'utf8')) as JsonObject;
    const tables = schema.tables as JsonObject;
    const ls = tables.Logical_Switch as JsonObject;
    (ls.columns as JsonObject).test_note = { type: { key: 'string', min: 0, max: 1 } };
    schema.version = '7.0.99';
    const file = join(conv.dir, 'nb-plus.ovsschema');
    writeFileSync(file, JSON.stringify(schema));

    const resynced = once<[ChangeBatch]>((l) => m.on('change', l));
    await ovsdbClient(['convert', conv.unixRemote!, file]);
    const [batch] = await resynced;
    expect(batch.resync).toBe(true);
    // Every switch gained a column; the ports did not change.
    expect(batch.changes.map((c) => `${c.table}:${c.kind}:${(c.columns ?? []).join(',')}`).sort()).toEqual([
      'Logical_Switch:modify:test_note',
      'Logical_Switch:modify:test_note',
    ]);
    expect(m.cache.table('Logical_Switch').columns.map((c) => c.name)).toContain('test_note');
    expect((await client.getSchema(NB)).version).toBe('7.0.99');

    // Still live, on the new schema: a write to the new column and an ovn-nbctl change both arrive.
    await client.transact(NB, [
      { op: 'update', table: 'Logical_Switch', where: [['name', '==', 'sw1']], row: { test_note: 'hello' } },
    ]);
    expect(m.cache.table('Logical_Switch').find([['name', '==', 'sw1']])[0]?.test_note).toEqual(['hello']);
    await ovnNbctl(conv.unixRemote!, 'lsp-add', 'sw1', 'after-convert');
    await client.echo();
    expect(m.cache.table('Logical_Switch_Port').find([['name', '==', 'after-convert']])).toHaveLength(1);
    expect(canonicalCache(m)).toEqual(await dumped(m, conv.unixRemote!));
    const { state, problems } = strictReplay(m, start, rec.batches);
    expect(problems).toEqual([]);
    expect(rec.problems).toEqual([]);
    expect(state).toEqual(canonicalCache(m));
    expect(errors).toEqual([]);
    expect(client.status).toBe('connected');
    await m.close();
  });
});
