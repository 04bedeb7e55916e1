/**
 * Sample data, churn and the `ovsdb-sample` CLI against the real ovsdb-server. Row counts and references
 * are read back with `ovsdb-client`, not with our client, so the library under test does not judge itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, type CliIo, type Json, type Operation, type OperationResult } from '@ovsdb-web/client';
import {
  OVN_NB_SCHEMA,
  VSWITCH_SCHEMA,
  startOvsdbServer,
  transactViaCli,
  type Json as CliJson,
  type OvsdbServerProcess,
} from '@ovsdb-web/testing';
import { k8sDataset, standardDataset, STANDARD_PRESETS } from './ovn-nb.js';
import { openVSwitchDataset } from './open-vswitch.js';
import { LoadError, loadDataset, type Transactor } from './load.js';
import { runChurn } from './churn.js';
import { main } from './cli.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer } from '../server.js';

/** Rows per table as ovsdb-client sees them. */
async function countRows(remote: string, db: string, tables: readonly string[]): Promise<Record<string, number>> {
  const ops: CliJson[] = tables.map((table) => ({ op: 'select', table, where: [], columns: ['_uuid'] }));
  const results = await transactViaCli(remote, db, ops, { timeoutMs: 60_000 });
  return Object.fromEntries(
    tables.map((t, i) => {
      const r = results[i];
      const rows = r !== null && typeof r === 'object' && !Array.isArray(r) && Array.isArray(r.rows) ? r.rows : [];
      return [t, rows.length];
    }),
  );
}

/** Every row of `table`, with the named columns, as ovsdb-client returns them. */
async function selectRows(
  remote: string,
  db: string,
  table: string,
  columns: string[],
): Promise<Record<string, CliJson>[]> {
  const [r] = await transactViaCli(remote, db, [{ op: 'select', table, where: [], columns }], { timeoutMs: 60_000 });
  if (r === null || typeof r !== 'object' || Array.isArray(r) || !Array.isArray(r.rows)) throw new Error('no rows');
  return r.rows as Record<string, CliJson>[];
}

/** The uuids in a set column as the server writes it (a bare atom for one member). */
function uuidsOf(datum: CliJson | undefined): string[] {
  if (!Array.isArray(datum)) return [];
  if (datum[0] === 'uuid') return [String(datum[1])];
  if (datum[0] === 'set' && Array.isArray(datum[1])) return datum[1].map((u) => (Array.isArray(u) ? String(u[1]) : ''));
  return [];
}

let server: OvsdbServerProcess;
beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA, VSWITCH_SCHEMA] });
});
afterAll(async () => {
  await server?.stop();
});

async function freshNb(): Promise<{ client: OvsdbClient; server: OvsdbServerProcess; done: () => Promise<void> }> {
  const s = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA] });
  const client = await OvsdbClient.connect(s.remote);
  return {
    client,
    server: s,
    done: async () => {
      await client.close();
      await s.stop();
    },
  };
}

describe('loading into ovsdb-server', () => {
  it('stores the standard preset with exactly 30,200 rows', async () => {
    const { client, server: s, done } = await freshNb();
    try {
      const ds = standardDataset(STANDARD_PRESETS.standard);
      const stats = await loadDataset(client, ds, { pipeline: 8 });
      expect(stats.batches).toBe(ds.batches.length);
      expect(stats.operations).toBe(30_200);
      const counts = await countRows(s.remote, 'OVN_Northbound', [
        'Logical_Switch',
        'Logical_Switch_Port',
        'Port_Group',
        'ACL',
      ]);
      expect(counts).toEqual({ Logical_Switch: 100, Logical_Switch_Port: 20_000, Port_Group: 100, ACL: 10_000 });
    } finally {
      await done();
    }
  });

  it('stores a small k8s cluster whose references all hold', async () => {
    const { client, server: s, done } = await freshNb();
    try {
      const ds = k8sDataset({ nodes: 3, podsPerNode: 15, namespaces: 4, seed: 5 });
      await loadDataset(client, ds, { pipeline: 4 });
      expect(await countRows(s.remote, 'OVN_Northbound', Object.keys(ds.rowCounts))).toEqual(ds.rowCounts);

      // Each port belongs to exactly one switch (the server would have dropped an orphan silently).
      const lsps = new Set(
        (await selectRows(s.remote, 'OVN_Northbound', 'Logical_Switch_Port', ['_uuid'])).map(
          (r) => uuidsOf(r._uuid)[0],
        ),
      );
      const owned = (await selectRows(s.remote, 'OVN_Northbound', 'Logical_Switch', ['ports'])).flatMap((r) =>
        uuidsOf(r.ports),
      );
      expect(owned.length).toBe(lsps.size);
      expect(new Set(owned)).toEqual(lsps);

      // Port groups hold pods, and address sets hold the pods' IPs.
      const pgPorts = (await selectRows(s.remote, 'OVN_Northbound', 'Port_Group', ['ports'])).flatMap((r) =>
        uuidsOf(r.ports),
      );
      expect(pgPorts.length).toBeGreaterThan(0);
      for (const u of pgPorts) expect(lsps.has(u)).toBe(true);
      const ips = (await selectRows(s.remote, 'OVN_Northbound', 'Address_Set', ['addresses'])).flatMap((r) => {
        const a = r.addresses;
        return Array.isArray(a) && a[0] === 'set' ? (a[1] as CliJson[]) : typeof a === 'string' ? [a] : [];
      });
      expect(ips.length).toBe(3 * 15);
    } finally {
      await done();
    }
  });

  it('stores the Open_vSwitch sample', async () => {
    const client = await OvsdbClient.connect(server.remote);
    try {
      const ds = openVSwitchDataset({ pods: 12, tunnels: 3, maxOpsPerBatch: 10 });
      await loadDataset(client, ds, { pipeline: 3 });
      expect(await countRows(server.remote, 'Open_vSwitch', Object.keys(ds.rowCounts))).toEqual(ds.rowCounts);
    } finally {
      await client.close();
    }
  });

  it('reports the first batch the server refuses', async () => {
    const { client, done } = await freshNb();
    try {
      const ds = standardDataset({ switches: 2, ports: 2 });
      await loadDataset(client, ds);
      // Port names are a unique index: the same data again is refused at its first batch.
      const err = await loadDataset(client, ds).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LoadError);
      expect((err as LoadError).batchIndex).toBe(0);
      expect((err as LoadError).message).toMatch(/constraint violation|duplicate/i);
    } finally {
      await done();
    }
  });
});

describe('loadDataset pacing', () => {
  /** A stand-in server that records what is in flight and answers after a tick. */
  function recorder(): { client: Transactor; maxInFlight: () => number; log: string[] } {
    let inFlight = 0;
    let max = 0;
    const log: string[] = [];
    const client: Transactor = {
      async transact(_db: string, ops: readonly (Operation | Json)[]): Promise<OperationResult[]> {
        const tag = String((ops[0] as { comment?: string }).comment);
        log.push(`start ${tag} (${inFlight} in flight)`);
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return [];
      },
    };
    return { client, maxInFlight: () => max, log };
  }
  const batch = (tag: string): Operation[] => [{ op: 'comment', comment: tag }];

  it('keeps at most `pipeline` transactions in flight', async () => {
    const r = recorder();
    await loadDataset(
      r.client,
      'db',
      Array.from({ length: 20 }, (_, i) => batch(`b${i}`)),
      { pipeline: 5 },
    );
    expect(r.maxInFlight()).toBe(5);
  });

  it('starts a barrier batch only after every earlier batch has committed', async () => {
    const r = recorder();
    const batches = ['a', 'b', 'c', 'd', 'e'].map(batch);
    await loadDataset(r.client, 'db', batches, { pipeline: 8, barriers: [3] });
    expect(r.log).toContain('start d (0 in flight)');
    expect(r.log).toContain('start e (1 in flight)');
  });
});

// ---- churn ------------------------------------------------------------------------------------------

/** Ports, switches' port sets, port groups' port sets and ACL references, read back with ovsdb-client. */
async function nbState(
  remote: string,
): Promise<{ lsps: Set<string>; owned: string[]; pgPorts: string[]; acls: Set<string>; pgAcls: string[] }> {
  const lsps = new Set(
    (await selectRows(remote, 'OVN_Northbound', 'Logical_Switch_Port', ['_uuid'])).map(
      (r) => uuidsOf(r._uuid)[0] ?? '',
    ),
  );
  const owned = (await selectRows(remote, 'OVN_Northbound', 'Logical_Switch', ['ports'])).flatMap((r) =>
    uuidsOf(r.ports),
  );
  const pgs = await selectRows(remote, 'OVN_Northbound', 'Port_Group', ['ports', 'acls']);
  const acls = new Set(
    (await selectRows(remote, 'OVN_Northbound', 'ACL', ['_uuid'])).map((r) => uuidsOf(r._uuid)[0] ?? ''),
  );
  return {
    lsps,
    owned,
    pgPorts: pgs.flatMap((r) => uuidsOf(r.ports)),
    acls,
    pgAcls: pgs.flatMap((r) => uuidsOf(r.acls)),
  };
}

function expectConsistent(state: Awaited<ReturnType<typeof nbState>>): void {
  // Every port is in exactly one switch; port groups and ACL references point at rows that exist.
  expect(state.owned.length).toBe(state.lsps.size);
  expect(new Set(state.owned)).toEqual(state.lsps);
  for (const u of state.pgPorts) expect(state.lsps.has(u)).toBe(true);
  expect(state.pgAcls.length).toBe(state.acls.size);
}

describe('runChurn against ovsdb-server', () => {
  it('makes exactly `count` changes and leaves the database consistent', async () => {
    const { client, server: s, done } = await freshNb();
    try {
      const ds = k8sDataset({ nodes: 3, podsPerNode: 10, namespaces: 3, seed: 2 });
      await loadDataset(client, ds);
      const stats = await runChurn(client, { ratePerSec: 2_000, count: 300, seed: 9, runId: 't1' });
      expect(stats.sent).toBe(300);
      expect(stats.ok).toBe(300);
      expect(stats.failed).toBe(0);
      expect(stats.errors).toEqual([]);
      expect(stats.seeded).toEqual([]);
      const sum = Object.values(stats.byKind).reduce((n, k) => n + k.sent, 0);
      expect(sum).toBe(300);
      for (const kind of ['pod-add', 'pod-delete', 'acl-add', 'acl-delete', 'address-set'] as const) {
        expect(stats.byKind[kind].ok, kind).toBeGreaterThan(0);
      }

      const state = await nbState(s.remote);
      expectConsistent(state);
      const podDelta = stats.byKind['pod-add'].ok - stats.byKind['pod-delete'].ok;
      expect(state.lsps.size).toBe(ds.rowCounts.Logical_Switch_Port! + podDelta);
      expect(state.acls.size).toBe(ds.rowCounts.ACL! + stats.byKind['acl-add'].ok - stats.byKind['acl-delete'].ok);
      // Churn pods live on node switches only, never on join or external switches.
      const switches = await selectRows(s.remote, 'OVN_Northbound', 'Logical_Switch', ['name', 'ports']);
      const join = switches.find((r) => r.name === 'join');
      expect(uuidsOf(join?.ports).length).toBe(1 + 3);
    } finally {
      await done();
    }
  });

  it('stops by itself after durationMs, close to the asked rate', async () => {
    const { client, done } = await freshNb();
    try {
      await loadDataset(client, standardDataset({ switches: 2, ports: 4 }));
      const stats = await runChurn(client, { ratePerSec: 200, durationMs: 500, kinds: ['pod-add', 'pod-delete'] });
      expect(stats.sent).toBeGreaterThanOrEqual(80);
      expect(stats.sent).toBeLessThanOrEqual(101);
      expect(stats.ok).toBe(stats.sent);
      expect(stats.elapsedMs).toBeLessThan(1_500);
      expect(stats.achievedRate).toBeGreaterThan(120);
    } finally {
      await done();
    }
  });

  it('works on an empty database by creating a switch, port group and address set of its own', async () => {
    const { client, server: s, done } = await freshNb();
    try {
      const stats = await runChurn(client, { ratePerSec: 1_000, count: 60, seed: 4, runId: 'empty' });
      expect(stats.ok).toBe(60);
      expect(stats.seeded).toEqual([
        'Logical_Switch churn-ls-empty',
        'Port_Group churn_pg_empty',
        'Address_Set churn_as_empty',
      ]);
      expectConsistent(await nbState(s.remote));
    } finally {
      await done();
    }
  });

  it('insists on a bound and a positive rate', async () => {
    const fake: Transactor = { transact: () => Promise.resolve([]) };
    await expect(runChurn(fake, { ratePerSec: 10 })).rejects.toThrow(/bound/);
    await expect(runChurn(fake, { ratePerSec: 0, count: 1 })).rejects.toThrow(/ratePerSec/);
    await expect(runChurn(fake, { ratePerSec: 1, count: 1, kinds: { 'pod-add': 0 } })).rejects.toThrow(
      /positive weight/,
    );
  });
});

// ---- the CLI ------------------------------------------------------------------------------------------

async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const status = await main(argv, io);
  return { status, stdout, stderr };
}

describe('ovsdb-sample', () => {
  it('loads a k8s cluster and Open_vSwitch data, then churns it', async () => {
    const s = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA, VSWITCH_SCHEMA] });
    try {
      const load = await cli('load', '--remote', s.remote, '--switches', '2', '--ports', '5', '--ovs');
      expect(load.stderr).toBe('');
      expect(load.status).toBe(0);
      expect(load.stdout).toMatch(/^OVN_Northbound: \d+ rows in \d+ transactions/m);
      expect(load.stdout).toMatch(/^Open_vSwitch: 133 rows/m);
      const nb = k8sDataset({ nodes: 2, podsPerNode: 5 });
      expect(await countRows(s.remote, 'OVN_Northbound', ['Logical_Switch_Port', 'NB_Global'])).toEqual({
        Logical_Switch_Port: nb.rowCounts.Logical_Switch_Port,
        NB_Global: 1,
      });

      const churn = await cli('churn', '--remote', s.remote, '--rate', '500', '--count', '40', '--json');
      expect(churn.status).toBe(0);
      const stats = JSON.parse(churn.stdout) as { sent: number; ok: number };
      expect(stats).toMatchObject({ sent: 40, ok: 40 });
      expectConsistent(await nbState(s.remote));
    } finally {
      await s.stop();
    }
  });

  it('loads the standard preset at a chosen size', async () => {
    const s = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA] });
    try {
      const r = await cli('load', '--remote', s.remote, '--preset', 'standard', '--switches', '3', '--ports', '8');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('OVN_Northbound: 42 rows');
      expect(
        await countRows(s.remote, 'OVN_Northbound', ['Logical_Switch', 'Logical_Switch_Port', 'Port_Group', 'ACL']),
      ).toEqual({
        Logical_Switch: 3,
        Logical_Switch_Port: 24,
        Port_Group: 3,
        ACL: 12,
      });
    } finally {
      await s.stop();
    }
  });

  it('answers unusable arguments and remotes with status 2', async () => {
    expect((await cli()).status).toBe(2);
    expect((await cli('load')).stderr).toMatch(/--remote is required/);
    expect((await cli('dance', '--remote', server.remote)).stderr).toMatch(/unknown command/);
    expect((await cli('load', '--remote', server.remote, '--preset', 'huge')).stderr).toMatch(/unknown preset/);
    expect((await cli('churn', '--remote', server.remote, '--rate', '10')).stderr).toMatch(/--count, --duration/);
    expect(
      (await cli('churn', '--remote', server.remote, '--rate', '10', '--count', '1', '--kinds', 'nope')).status,
    ).toBe(2);
    expect((await cli('load', '--remote', 'unix:/nonexistent/sock')).status).toBe(2);
    const noNb = await startOvsdbServer({ schemas: [VSWITCH_SCHEMA] });
    try {
      expect((await cli('load', '--remote', noNb.remote)).stderr).toMatch(/no OVN_Northbound database/);
    } finally {
      await noNb.stop();
    }
    expect((await cli('--help')).stdout).toContain('ovsdb-sample load');
  });
});

describe('ovsdb-sample against the embedded server', () => {
  it('loads and churns our EmbeddedServer the same way, and ovsdb-client reads the result back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sample-embedded-'));
    const ours = new EmbeddedServer();
    ours.addDatabase(await readFile(OVN_NB_SCHEMA, 'utf8'));
    ours.addDatabase(await readFile(VSWITCH_SCHEMA, 'utf8'));
    const { unix } = await ours.listen({ unix: join(dir, 'db.sock') });
    const remote = `unix:${unix}`;
    try {
      const load = await cli('load', '--remote', remote, '--switches', '2', '--ports', '5', '--ovs');
      expect(load.status, load.stderr).toBe(0);
      const nb = k8sDataset({ nodes: 2, podsPerNode: 5 });
      // Read back by Open vSwitch's own ovsdb-client, speaking to our server.
      expect(await countRows(remote, 'OVN_Northbound', ['Logical_Switch_Port', 'NB_Global'])).toEqual({
        Logical_Switch_Port: nb.rowCounts.Logical_Switch_Port,
        NB_Global: 1,
      });
      const churn = await cli('churn', '--remote', remote, '--rate', '500', '--count', '40', '--json');
      expect(churn.status, churn.stderr).toBe(0);
      expect(JSON.parse(churn.stdout)).toMatchObject({ sent: 40, ok: 40 });
      expectConsistent(await nbState(remote));
    } finally {
      await ours.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
