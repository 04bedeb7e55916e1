/**
 * The generators on their own: sizes, batch limits, determinism, and that every batch passes the client's
 * schema validation (so a server would only refuse it for what validation cannot see, like duplicates).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseDatabaseSchema,
  parseJson,
  validateTransaction,
  type DatabaseSchema,
  type Operation,
} from '@ovsdb-web/client';
import { OVN_NB_SCHEMA, VSWITCH_SCHEMA } from '@ovsdb-web/testing';
import { k8sDataset, standardDataset, standardRowCount, STANDARD_PRESETS } from './ovn-nb.js';
import { openVSwitchDataset } from './open-vswitch.js';
import { packGroups } from './wire.js';
import type { SampleDataset } from './dataset.js';

const nbSchema = parseDatabaseSchema(parseJson(readFileSync(OVN_NB_SCHEMA, 'utf8')));
const vsSchema = parseDatabaseSchema(parseJson(readFileSync(VSWITCH_SCHEMA, 'utf8')));

function expectValid(schema: DatabaseSchema, ds: SampleDataset): void {
  ds.batches.forEach((batch, i) => {
    expect(() => validateTransaction(schema, batch), `batch ${i}`).not.toThrow();
  });
}

/** Rows inserted per table, counted from the operations themselves. */
function insertedPerTable(ds: SampleDataset): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of ds.batches.flat()) if (op.op === 'insert') counts[op.table] = (counts[op.table] ?? 0) + 1;
  return counts;
}

function inserts(ds: SampleDataset, table: string): Extract<Operation, { op: 'insert' }>[] {
  return ds.batches
    .flat()
    .filter((op): op is Extract<Operation, { op: 'insert' }> => op.op === 'insert' && op.table === table);
}

function mapOf(datum: unknown): Map<string, string> {
  if (!Array.isArray(datum) || datum[0] !== 'map') return new Map();
  return new Map(datum[1] as [string, string][]);
}

describe('the standard dataset', () => {
  it('has exactly 30,200 rows at S=100, P=200, in transactions of at most 2,000 operations', () => {
    const ds = standardDataset(STANDARD_PRESETS.standard);
    expect(ds.db).toBe('OVN_Northbound');
    expect(ds.rowCounts).toEqual({ ACL: 10_000, Logical_Switch: 100, Logical_Switch_Port: 20_000, Port_Group: 100 });
    expect(ds.totalRows).toBe(30_200);
    expect(insertedPerTable(ds)).toEqual(ds.rowCounts);
    expect(Math.max(...ds.batches.map((b) => b.length))).toBeLessThanOrEqual(2_000);
    expect(ds.barriers).toEqual([]);
    expectValid(nbSchema, ds);
  });

  it('has S + S·P + S + S·⌊P/2⌋ rows at S=500 too', () => {
    const ds = standardDataset(STANDARD_PRESETS['standard-500']);
    expect(ds.totalRows).toBe(standardRowCount(500, 200));
    expect(ds.totalRows).toBe(151_000);
    expect(ds.rowCounts).toEqual({ ACL: 50_000, Logical_Switch: 500, Logical_Switch_Port: 100_000, Port_Group: 500 });
  });

  it('splits a switch that does not fit one transaction, adding the rest by mutate after a barrier', () => {
    const ds = standardDataset({ switches: 3, ports: 101, maxOpsPerBatch: 40 });
    expect(ds.totalRows).toBe(standardRowCount(3, 101));
    expect(insertedPerTable(ds)).toEqual(ds.rowCounts);
    expect(Math.max(...ds.batches.map((b) => b.length))).toBeLessThanOrEqual(40);
    expect(ds.barriers.length).toBe(1);
    // Everything after the barrier reaches its switch or port group by name.
    const later = ds.batches.slice(ds.barriers[0]).flat();
    expect(
      later
        .filter((op) => op.op === 'mutate')
        .every((op) => op.op === 'mutate' && op.where[0]?.toString().startsWith('name,==')),
    ).toBe(true);
    expectValid(nbSchema, ds);
  });

  it('is the same for the same seed and differs for another', () => {
    const a = JSON.stringify(standardDataset({ switches: 4, ports: 6, seed: 7 }));
    expect(JSON.stringify(standardDataset({ switches: 4, ports: 6, seed: 7 }))).toBe(a);
    expect(JSON.stringify(standardDataset({ switches: 4, ports: 6, seed: 8 }))).not.toBe(a);
  });

  it('gives every port a MAC and IP from its switch subnet, with port security to match', () => {
    const ds = standardDataset({ switches: 2, ports: 3 });
    const ls = inserts(ds, 'Logical_Switch').map((op) => mapOf(op.row?.other_config).get('subnet'));
    expect(ls).toEqual(['10.128.0.0/23', '10.128.2.0/23']);
    const first = inserts(ds, 'Logical_Switch_Port')[0]?.row;
    expect(first?.name).toBe('ls0-p0');
    expect(first?.addresses).toEqual(['set', ['0a:58:0a:80:00:03 10.128.0.3']]);
    expect(first?.port_security).toEqual(first?.addresses);
  });

  it('refuses sizes it cannot address', () => {
    expect(() => standardDataset({ switches: 0 })).toThrow(RangeError);
    expect(() => standardDataset({ switches: 513 })).toThrow(/switches/);
    expect(() => standardDataset({ ports: 1.5 })).toThrow(/ports/);
  });
});

describe('the ovn-kubernetes shaped dataset', () => {
  const ds = k8sDataset({
    nodes: 4,
    podsPerNode: 20,
    namespaces: 5,
    policiesPerNamespace: 2,
    servicesPerNamespace: 2,
    seed: 3,
  });
  const names = (table: string): Set<string> => new Set(inserts(ds, table).map((op) => String(op.row?.name)));

  it('passes validation and counts its rows right', () => {
    expectValid(nbSchema, ds);
    expect(insertedPerTable(ds)).toEqual(ds.rowCounts);
    expect(ds.rowCounts).toMatchObject({
      NB_Global: 1,
      // Cluster router plus one gateway router per node.
      Logical_Router: 5,
      // join, and per node its switch and external switch.
      Logical_Switch: 9,
      // Per node 20 pods, stor-, k8s- (management), jtor-GR, etor-GR, localnet; plus the cluster router's jtor.
      Logical_Switch_Port: 4 * 25 + 1,
      Logical_Router_Port: 1 + 4 * 3,
      NAT: 4,
      Address_Set: 5,
      Load_Balancer: 10,
      Load_Balancer_Group: 1,
    });
  });

  it('pairs every router-type switch port with a router port that exists', () => {
    const lrps = names('Logical_Router_Port');
    const routerLsps = inserts(ds, 'Logical_Switch_Port').filter((op) => op.row?.type === 'router');
    expect(routerLsps.length).toBe(1 + 4 * 3);
    for (const op of routerLsps) expect(lrps.has(mapOf(op.row?.options).get('router-port') ?? '')).toBe(true);
  });

  it('writes ACL matches that name existing port groups and address sets', () => {
    const pgs = names('Port_Group');
    const sets = names('Address_Set');
    const acls = inserts(ds, 'ACL');
    expect(acls.length).toBeGreaterThan(10);
    for (const acl of acls) {
      const match = String(acl.row?.match);
      for (const [, pg] of match.matchAll(/@(\w+)/g)) expect(pgs.has(pg ?? ''), match).toBe(true);
      for (const [, as] of match.matchAll(/\$(\w+)/g)) expect(sets.has(as ?? ''), match).toBe(true);
      expect(match).toMatch(/(outport|inport) == @/);
    }
    expect(
      acls.some((a) =>
        /^ip4\.src == \{\$a\d+\} && outport == @a\d+ && tcp && tcp\.dst == \d+$/.test(String(a.row?.match)),
      ),
    ).toBe(true);
  });

  it('puts pod IPs into namespace address sets and pods into policy port groups', () => {
    const mutations = ds.batches.flat().filter((op) => op.op === 'mutate');
    const asInserts = mutations.filter((op) => op.op === 'mutate' && op.table === 'Address_Set');
    const ips = asInserts.flatMap((op) => (op.op === 'mutate' ? (op.mutations[0]?.[2] as ['set', string[]])[1] : []));
    expect(ips.length).toBe(4 * 20);
    expect(new Set(ips).size).toBe(ips.length);
    expect(
      mutations.some((op) => op.op === 'mutate' && op.table === 'Port_Group' && op.mutations[0]?.[0] === 'ports'),
    ).toBe(true);
  });

  it('attaches the cluster load-balancer group to every node switch and gateway router', () => {
    const attach = ds.batches
      .flat()
      .filter((op) => op.op === 'mutate' && op.mutations[0]?.[0] === 'load_balancer_group');
    expect(attach.length).toBe(8);
    const lb = inserts(ds, 'Load_Balancer')[0]?.row;
    expect(String(lb?.name)).toMatch(/^Service_.+\/.+_TCP_cluster$/);
    expect([...mapOf(lb?.vips).keys()][0]).toMatch(/^10\.96\.\d+\.\d+:\d+$/);
  });

  it('can leave NB_Global out for a database that already has one', () => {
    expect(k8sDataset({ nodes: 1, nbGlobal: false }).rowCounts.NB_Global).toBeUndefined();
  });

  it('stays within the batch limit with many pods per node', () => {
    const big = k8sDataset({ nodes: 2, podsPerNode: 300, maxOpsPerBatch: 200 });
    expect(Math.max(...big.batches.map((b) => b.length))).toBeLessThanOrEqual(200);
    expect(big.rowCounts.Logical_Switch_Port).toBe(2 * 305 + 1);
    expectValid(nbSchema, big);
  });
});

describe('the Open_vSwitch dataset', () => {
  it('has one root row, two bridges and a port per interface, and passes validation', () => {
    const ds = openVSwitchDataset({ pods: 30, tunnels: 5, maxOpsPerBatch: 21 });
    expect(ds.db).toBe('Open_vSwitch');
    expect(ds.rowCounts).toEqual({ Bridge: 2, Interface: 6 + 35, Open_vSwitch: 1, Port: 6 + 35 });
    expect(Math.max(...ds.batches.slice(1).map((b) => b.length))).toBeLessThanOrEqual(21);
    expectValid(vsSchema, ds);
    const veth = inserts(ds, 'Interface').find((op) => mapOf(op.row?.external_ids).has('sandbox'));
    expect(mapOf(veth?.row?.external_ids).get('attached_mac')).toMatch(/^0a:58:/);
  });
});

describe('packGroups', () => {
  const g = (phase: number, n: number): { phase: number; ops: Operation[] } => ({
    phase,
    ops: Array.from({ length: n }, () => ({ op: 'comment', comment: `p${phase}` })),
  });

  it('fills batches up to the limit without splitting a group, phase by phase', () => {
    const { batches, barriers } = packGroups([g(0, 3), g(1, 2), g(0, 3), g(0, 5), g(1, 2)], 6);
    expect(batches.map((b) => b.length)).toEqual([6, 5, 4]);
    expect(barriers).toEqual([2]);
  });
});
