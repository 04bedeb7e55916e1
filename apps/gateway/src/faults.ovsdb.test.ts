/**
 * The gateway's robustness promise, proved under faults against the real ovsdb-server 3.1: while a writer
 * drives churn (ovn-nbctl steps and the sample churn through the client library), 20 WebSocket subscribers
 * watch; one fault is injected — ovsdb-server restarted, frozen (SIGSTOP past the probe interval, on unix
 * and on tcp), the TCP path stalled or cut in the middle of a large update, the gateway restarted, every
 * browser's connection dropped — and once the churn is over every subscriber must hold exactly what
 * `ovsdb-client dump` shows (nothing lost), with sequence numbers rising within each epoch and no delta the
 * reducer had to ignore as already applied (nothing sent twice). RAFT faults: faults.cluster.ovsdb.test.ts.
 *
 * CI runs small bounds; `FAULT_SCALE=10 pnpm faults` (scripts/faults.mjs) runs ten times the churn and
 * repeats every fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, parseJson, type DatabaseSchema } from '@ovsdb-web/client';
import {
  ovnNbctl,
  ovsdbDump,
  transactViaCli,
  startOvsdbServer,
  OVN_NB_SCHEMA,
  type OvsdbServerProcess,
} from '@ovsdb-web/testing';
import { k8sDataset, loadDataset } from '@ovsdb-web/server/sample';
import {
  NB,
  REPORT,
  ROUNDS,
  SCALE,
  SUBSCRIBERS,
  describeRun,
  dumpWithVersions,
  eventually,
  runFault,
  seedForChurn,
  startGateway,
  type ChurnPlan,
  type FaultContext,
  type FaultRunResult,
} from './fault-support.js';
import { TcpProxy } from './test-proxy.js';
import type { StreamLimits } from './stream/session.js';

const PROBE_MS = 500;

let server: OvsdbServerProcess;
let schema: DatabaseSchema;
let writer: OvsdbClient;
let runs = 0;

function plan(): ChurnPlan {
  runs++;
  return {
    rate: 150,
    durationMs: 2_500 * SCALE,
    nbctlSteps: 12 * SCALE,
    deadlineMs: 40_000 * SCALE,
    seed: runs,
    prefix: `f${runs}`,
  };
}

/** Run the churn with `fault` a third of the way in, against a gateway on `remote`; check everything. */
async function underFault(
  name: string,
  remote: string,
  fault: (ctx: FaultContext) => Promise<void>,
  opts: { disconnects?: boolean; limits?: Partial<StreamLimits> } = {},
): Promise<FaultRunResult> {
  const p = plan();
  const r = await runFault({
    ...(opts.limits ? { limits: opts.limits } : {}),
    schema,
    gatewayRemote: remote,
    nbctlRemote: server.unixRemote!,
    writer,
    nbctl: ovnNbctl,
    dump: () =>
      dumpWithVersions(
        () => ovsdbDump(server.unixRemote!, NB, { parse: (t) => parseJson(t) }),
        (ops) => transactViaCli(server.unixRemote!, NB, ops),
      ),
    plan: p,
    subscribers: SUBSCRIBERS,
    fault,
    convergeTimeoutMs: 20_000 * SCALE,
  });
  if (REPORT) console.log(describeRun(name, r));
  expect(r.problems).toEqual([]);
  expect(r.restDifferences).toEqual([]);
  expect(r.nbctlSteps).toBe(p.nbctlSteps);
  expect(r.churn.ok).toBeGreaterThan(r.churn.sent / 2);
  // The stream really ran through the fault, not only through a final snapshot.
  expect(r.deltas.deltas).toBeGreaterThan(SUBSCRIBERS * 5);
  if (opts.disconnects !== false) expect(r.disconnects).toBeGreaterThanOrEqual(1);
  return r;
}

/** Freeze something until the gateway's probe has given up on it, and a probe interval longer. */
async function frozenUntilNoticed(ctx: FaultContext, freeze: () => void, thaw: () => void): Promise<void> {
  const conn = ctx.gw.gateway.remotes.get('nb')!;
  freeze();
  try {
    await eventually(() => conn.client.status !== 'connected', 'the probe to notice', 10 * PROBE_MS);
    await new Promise((r) => setTimeout(r, PROBE_MS));
  } finally {
    thaw();
  }
}

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true, tcp: true });
  writer = await OvsdbClient.connect(server.unixRemote!, { reconnect: { initialDelayMs: 50, maxDelayMs: 250 } });
  schema = await writer.getSchema(NB);
  await loadDataset(writer, k8sDataset({ nodes: 2, podsPerNode: 12, namespaces: 3 }));
  await seedForChurn(ovnNbctl, server.unixRemote!);
});
afterAll(async () => {
  await writer?.close();
  await server?.stop();
});

describe.each(Array.from({ length: ROUNDS }, (_, i) => [i + 1]))(
  'round %i: 20 subscribers equal ovsdb-client dump after churn',
  (round) => {
    it('when ovsdb-server restarts', async () => {
      const r = await underFault(`restart #${round}`, server.unixRemote!, async () => server.restart());
      // A standalone server cannot resume a monitor: the gateway resynchronised and sent the difference.
      expect(r.deltas.resync).toBeGreaterThanOrEqual(1);
    });

    it('when ovsdb-server is frozen (SIGSTOP) past the probe interval, on unix', async () => {
      await underFault(`SIGSTOP unix #${round}`, server.unixRemote!, (ctx) =>
        frozenUntilNoticed(
          ctx,
          () => server.sigstop(),
          () => server.sigcont(),
        ),
      );
    });

    it('when ovsdb-server is frozen (SIGSTOP) past the probe interval, on tcp', async () => {
      await underFault(`SIGSTOP tcp #${round}`, server.tcpRemote!, (ctx) =>
        frozenUntilNoticed(
          ctx,
          () => server.sigstop(),
          () => server.sigcont(),
        ),
      );
    });

    it('when the TCP path stalls for longer than the probe interval', async () => {
      const proxy = await TcpProxy.start(server.tcpRemote!);
      try {
        await underFault(`proxy stall #${round}`, proxy.remote, (ctx) =>
          frozenUntilNoticed(
            ctx,
            () => proxy.stall(),
            () => proxy.resume(),
          ),
        );
        expect(proxy.stats.connections).toBeGreaterThanOrEqual(2);
      } finally {
        await proxy.close();
      }
    });

    it('when the TCP connection is cut in the middle of a large update', async () => {
      const proxy = await TcpProxy.start(server.tcpRemote!);
      const marker = `cut-${round}-${runs}-pad`;
      try {
        const r = await underFault(`proxy cut #${round}`, proxy.remote, async () => {
          // One transaction touching every port with 2 KB each: an update of hundreds of kilobytes. 4 KB past
          // the first row that carries the marker the connection is cut, inside that frame.
          const cut = proxy.cutAfter(4_096, { marker });
          await writer.transact(NB, [
            {
              op: 'mutate',
              table: 'Logical_Switch_Port',
              where: [],
              mutations: [['options', 'insert', ['map', [[marker, 'x'.repeat(2_000)]]]]],
            },
          ]);
          await cut;
        });
        expect(proxy.stats.cuts).toBe(1);
        expect(proxy.stats.connections).toBeGreaterThanOrEqual(2);
        // The update the gateway lost came back as the difference after its resync.
        expect(r.deltas.resync).toBeGreaterThanOrEqual(1);
      } finally {
        await proxy.close();
      }
    });

    it('when two browsers stop reading while megabytes of updates pass: they are resynchronised, not buffered for', async () => {
      const r = await underFault(
        `browsers stall #${round}`,
        server.unixRemote!,
        async (ctx) => {
          // Browsers 0 and 1 (whole rows of every table) freeze; megabytes of updates then queue up for each
          // (the kernel's socket buffers on loopback take several of them before the gateway's queue grows).
          const resume = ctx.subs.pauseReading([0, 1]);
          const key = `stall-${round}-${runs}`;
          const resyncs = async (): Promise<number> =>
            (await ctx.gw.gateway.metrics.resyncs.get()).values[0]?.value ?? 0;
          try {
            // Bounded by time, not by a count of writes: on a busy machine the gateway coalesces several of
            // these writes into one delta (the same rows, the latest value), so a fixed count sent too little
            // to fill the kernel's buffers (16-29 writes were needed on an idle machine, 40 were not enough in
            // CI). Every write flushes, and a flush is where the gateway notices the backlog.
            const deadline = Date.now() + 20_000;
            for (let i = 0; Date.now() < deadline && (await resyncs()) === 0; i++) {
              await writer.transact(NB, [
                {
                  op: 'mutate',
                  table: 'Logical_Switch_Port',
                  where: [],
                  mutations: [
                    ['options', 'delete', ['set', [key]]],
                    ['options', 'insert', ['map', [[key, `${i}`.padEnd(16_000, 'y')]]]],
                  ],
                },
              ]);
            }
            await eventually(
              async () => (await resyncs()) >= 1,
              'a frozen browser to be dropped to "resync needed"',
              10_000,
            );
          } finally {
            resume();
          }
          await writer.transact(NB, [
            {
              op: 'mutate',
              table: 'Logical_Switch_Port',
              where: [],
              mutations: [['options', 'delete', ['set', [key]]]],
            },
          ]);
        },
        { disconnects: false, limits: { maxBufferedBytes: 256 * 1024, resumeBelowBytes: 64 * 1024 } },
      );
      expect(r.deltas.resyncNotices).toBeGreaterThanOrEqual(1);
    });

    it('when the gateway restarts: browsers subscribe with since and get a snapshot of the new epoch', async () => {
      const r = await underFault(
        `gateway restart #${round}`,
        server.unixRemote!,
        async (ctx) => {
          const port = Number(new URL(ctx.gw.url).port);
          const epoch = ctx.gw.gateway.remotes.get('nb')!.findFeed(NB)!.epoch;
          await ctx.gw.app.close();
          ctx.gw = await startGateway(server.unixRemote!, { port });
          expect(ctx.gw.gateway.remotes.get('nb')!.findFeed(NB)!.epoch).not.toBe(epoch);
          await ctx.subs.reconnect(ctx.gw.ws);
        },
        { disconnects: false },
      );
      // A new epoch: the old cursors cannot be resumed.
      expect(r.resumed.resumed).toBe(0);
    });

    it('when every browser connection drops: they resume with since and get only the deltas they missed', async () => {
      const r = await underFault(
        `browsers drop #${round}`,
        server.unixRemote!,
        (ctx) => ctx.subs.reconnect(ctx.gw.ws, { drop: true }),
        { disconnects: false },
      );
      expect(r.resumed.fresh).toBe(0);
      expect(r.resumed.resumed).toBeGreaterThanOrEqual(SUBSCRIBERS);
    });
  },
);
