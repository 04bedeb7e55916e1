/**
 * A browser that falls behind while its snapshot is still being sent (found by the long fault run,
 * scripts/faults.mjs): the gateway drops it to "resync needed" mid-snapshot, and once it drains sends a
 * fresh snapshot. That fresh snapshot must replace the one in progress, not run beside it: two (or three)
 * snapshots of one subscription interleaved on the wire leave the browser with rows mixed from both, the
 * reducer ignoring the chunks after the first `last` one, and without the changes between them. Before the
 * fix this failed in 3 of 4 runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, parseJson, type DatabaseSchema, type Json } from '@ovsdb-web/client';
import { ovsdbDump, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { NB, eventually, startGateway, type RunningGateway } from '../fault-support.js';
import { StreamClient, canonicalDump, sameStore } from '../test-support.js';

let server: OvsdbServerProcess;
let schema: DatabaseSchema;
let writer: OvsdbClient;
let gw: RunningGateway;
const PORTS = 200;
const PAD = 20_000;

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  writer = await OvsdbClient.connect(server.unixRemote!);
  schema = await writer.getSchema(NB);
  // About 4 MB of ports: more than the kernel's socket buffers take while nobody reads.
  const ops: Json[] = [];
  for (let i = 0; i < PORTS; i++)
    ops.push({
      op: 'insert',
      table: 'Logical_Switch_Port',
      'uuid-name': `p${i}`,
      row: { name: `p${i}`, external_ids: ['map', [['pad', `${i}`.padEnd(PAD, 'x')]]] },
    });
  ops.push({
    op: 'insert',
    table: 'Logical_Switch',
    row: { name: 'sw0', ports: ['set', Array.from({ length: PORTS }, (_, i) => ['named-uuid', `p${i}`])] },
  });
  await writer.transact(NB, ops);
  gw = await startGateway(server.unixRemote!, {
    limits: { maxBufferedBytes: 32 * 1024, resumeBelowBytes: 31 * 1024, snapshotChunkRows: 2, stallTimeoutMs: 60_000 },
  });
});
afterAll(async () => {
  await gw?.app.close();
  await writer?.close();
  await server?.stop();
});

describe('a browser that stalls while its snapshot is being sent', () => {
  it('gets one consistent fresh snapshot after it drains, and then every change', async () => {
    const c = new StreamClient(gw.ws, schema);
    await c.opened();
    c.subscribe({
      id: 'ls',
      remote: 'nb',
      db: NB,
      tables: ['Logical_Switch'],
      columns: { Logical_Switch: ['name', 'other_config'] },
    });
    await c.waitFor(() => c.state('ls').phase === 'live', 10_000, 'the small snapshot');
    // ws.pause(), not the socket's: ws resumes a paused socket itself once its receiver drains.
    const socket = c.ws;
    socket.pause();
    c.subscribe({ id: 'ports', remote: 'nb', db: NB, tables: ['Logical_Switch_Port'] });
    const resyncs = async (): Promise<number> => (await gw.gateway.metrics.resyncs.get()).values[0]?.value ?? 0;
    // The big snapshot waits for room; a change for the other subscription makes the gateway look at the
    // queue, find it over the limit, and drop the browser to "resync needed".
    for (let i = 0; (await resyncs()) === 0; i++) {
      if (i > 100) throw new Error('the browser was never dropped to "resync needed"');
      await writer.transact(NB, [
        {
          op: 'update',
          table: 'Logical_Switch',
          where: [['name', '==', 'sw0']],
          row: { other_config: ['map', [['tick', String(i)]]] },
        },
      ]);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Changes while it is stalled, to rows the first snapshot already captured.
    for (let i = 0; i < 10; i++) {
      await writer.transact(NB, [
        {
          op: 'mutate',
          table: 'Logical_Switch_Port',
          where: [['name', '==', `p${i * 7}`]],
          mutations: [['external_ids', 'insert', ['map', [['changed', 'while-stalled']]]]],
        },
      ]);
    }
    // It reads again, slowly (in short bursts): the snapshot in progress goes on a chunk at a time, and the
    // queue drains between bursts — when the gateway sends the fresh snapshot.
    const slow = setInterval(() => {
      socket.resume();
      setTimeout(() => socket.pause(), 5);
    }, 40);
    try {
      await eventually(() => c.messages.some((m) => m.type === 'resync'), 'the resync notice', 20_000);
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      clearInterval(slow);
      setTimeout(() => socket.resume(), 10);
    }
    await writer.echo();
    const dump = canonicalDump(schema, await ovsdbDump(server.unixRemote!, NB, { parse: (t) => parseJson(t) }), [
      'Logical_Switch_Port',
    ]);
    await c
      .waitFor(
        () => c.state('ports').phase === 'live' && sameStore(c.store('ports'), dump),
        30_000,
        'the ports to equal ovsdb-client dump',
      )
      .catch((err: unknown) => {
        const got = c.store('ports').Logical_Switch_Port ?? {};
        const want = dump.Logical_Switch_Port ?? {};
        const wrong = Object.keys(want).filter((u) => got[u] !== want[u]);
        throw new Error(
          `${(err as Error).message.slice(0, 200)}\n${wrong.length} of ${Object.keys(want).length} rows differ; reducer ignored: ${JSON.stringify(c.ignored.slice(0, 5))}`,
        );
      });
    expect(c.ignored).toEqual([]);
    c.close();
  });
});
