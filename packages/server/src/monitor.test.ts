/**
 * Monitors: resuming with monitor_cond_since from the transaction history (which the standalone
 * ovsdb-server cannot do), monitor_cond_change, select flags and the v1 format. The byte-level encoding of
 * updates is held to the real server by differential.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcConnection, RpcError, type Json, type JsonObject } from '@ovsdb-web/client';
import { EmbeddedServer } from './server.js';

const NB = readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8');
const ZERO = '00000000-0000-0000-0000-000000000000';
const LS_NAMES = { Logical_Switch: [{ columns: ['name', 'other_config'] }] };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(opts: ConstructorParameters<typeof EmbeddedServer>[0] = {}): {
  server: EmbeddedServer;
  conn: RpcConnection;
  notes: [string, Json[]][];
} {
  const server = new EmbeddedServer(opts);
  server.addDatabase(NB);
  const conn = new RpcConnection(server.connectInProcess());
  const notes: [string, Json[]][] = [];
  conn.onAnyNotification((method, params) => notes.push([method, params]));
  cleanups.push(async () => {
    await conn.close();
    await server.close();
  });
  return { server, conn, notes };
}

function insertSwitch(server: EmbeddedServer, name: string): string {
  const [r] = server.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name } }]) as [
    { uuid: [string, string] },
  ];
  return r.uuid[1];
}

function rename(server: EmbeddedServer, from: string, to: string): void {
  server.transact('OVN_Northbound', [
    { op: 'update', table: 'Logical_Switch', where: [['name', '==', from]], row: { name: to } },
  ]);
}

describe('monitor_cond_since', () => {
  it('resumes from a known transaction id with only the changes after it (found: true)', async () => {
    const { server, conn, notes } = setup();
    const a = insertSwitch(server, 'a');
    // A client monitors, remembers the last txn id of the update3 it saw, and goes away.
    const [found0, id0, initial] = (await conn.request('monitor_cond_since', [
      'OVN_Northbound',
      'm',
      LS_NAMES,
      ZERO,
    ])) as [boolean, string, JsonObject];
    expect(found0).toBe(false);
    expect(initial).toEqual({ Logical_Switch: { [a]: { initial: { name: 'a' } } } });
    const b = insertSwitch(server, 'b');
    expect(notes).toHaveLength(1);
    const [method, [monId, lastSeen, update]] = notes[0] as [string, [Json, string, JsonObject]];
    expect([method, monId]).toEqual(['update3', 'm']);
    expect(lastSeen).not.toBe(id0);
    expect(update).toEqual({ Logical_Switch: { [b]: { insert: { name: 'b' } } } });
    await conn.request('monitor_cancel', ['m']);

    // Meanwhile: a renamed, b deleted, c inserted and deleted again (nets out), d inserted.
    rename(server, 'a', 'a2');
    server.transact('OVN_Northbound', [{ op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'b']] }]);
    insertSwitch(server, 'c');
    server.transact('OVN_Northbound', [{ op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'c']] }]);
    const d = insertSwitch(server, 'd');
    const current = server.database('OVN_Northbound')?.lastTxnId;

    const [found, last, changes] = (await conn.request('monitor_cond_since', [
      'OVN_Northbound',
      'm2',
      LS_NAMES,
      lastSeen,
    ])) as [boolean, string, JsonObject];
    expect(found).toBe(true);
    expect(last).toBe(current);
    expect(changes).toEqual({
      Logical_Switch: { [a]: { modify: { name: 'a2' } }, [b]: { delete: null }, [d]: { insert: { name: 'd' } } },
    });

    // Resuming from the latest id: found, nothing to send.
    expect(await conn.request('monitor_cond_since', ['OVN_Northbound', 'm3', LS_NAMES, current as string])).toEqual([
      true,
      current as string,
      {},
    ]);
  });

  it('answers found: false with the full contents for an unknown or trimmed id', async () => {
    const { server, conn } = setup({ historySize: 3 });
    insertSwitch(server, 'x');
    const old = server.database('OVN_Northbound')?.lastTxnId as string;
    for (let i = 0; i < 5; i++) insertSwitch(server, `s${i}`);
    const [found, last, all] = (await conn.request('monitor_cond_since', ['OVN_Northbound', 'm', LS_NAMES, old])) as [
      boolean,
      string,
      JsonObject,
    ];
    expect(found).toBe(false);
    expect(last).toBe(server.database('OVN_Northbound')?.lastTxnId);
    expect(Object.keys(all.Logical_Switch as JsonObject)).toHaveLength(6);
    const [foundUnknown] = (await conn.request('monitor_cond_since', [
      'OVN_Northbound',
      'm2',
      LS_NAMES,
      'aaaaaaaa-0000-0000-0000-000000000001',
    ])) as [boolean];
    expect(foundUnknown).toBe(false);
    await expect(conn.request('monitor_cond_since', ['OVN_Northbound', 'm3', LS_NAMES, 'nope'])).rejects.toMatchObject({
      details: 'last-txn-id must be UUID format.',
    });
  });
});

describe('monitor_cond_change', () => {
  it('sends the difference under the new id before replying, then follows the new condition', async () => {
    const { server, conn, notes } = setup();
    const a = insertSwitch(server, 'a');
    const b = insertSwitch(server, 'b');
    const initial = await conn.request('monitor_cond', [
      'OVN_Northbound',
      'm1',
      { Logical_Switch: [{ columns: ['name'], where: [['name', '==', 'a']] }] },
    ]);
    expect(initial).toEqual({ Logical_Switch: { [a]: { initial: { name: 'a' } } } });
    const reply = await conn.request('monitor_cond_change', [
      'm1',
      'm2',
      { Logical_Switch: [{ where: [['name', '==', 'b']] }] },
    ]);
    expect(reply).toEqual({});
    expect(notes).toEqual([
      ['update2', ['m2', { Logical_Switch: { [a]: { delete: null }, [b]: { insert: { name: 'b' } } } }]],
    ]);
    rename(server, 'a', 'a1');
    rename(server, 'b', 'b1');
    expect(notes[1]).toEqual(['update2', ['m2', { Logical_Switch: { [b]: { delete: null } } }]]);
    expect(notes).toHaveLength(2);
    // The old id is gone.
    await expect(conn.request('monitor_cancel', ['m1'])).rejects.toBeInstanceOf(RpcError);
    expect(await conn.request('monitor_cancel', ['m2'])).toEqual({});
  });

  it('refuses to change columns, unknown monitors and tables not monitored', async () => {
    const { conn } = setup();
    await conn.request('monitor_cond', ['OVN_Northbound', 'm', { Logical_Switch: [{ columns: ['name'] }] }]);
    await expect(
      conn.request('monitor_cond_change', ['m', 'm', { Logical_Switch: [{ columns: ['name'] }] }]),
    ).rejects.toMatchObject({
      details: 'changing columns is unsupported',
    });
    await expect(conn.request('monitor_cond_change', ['zz', 'm', {}])).rejects.toMatchObject({
      details: 'unknown monitor session',
    });
    await expect(conn.request('monitor_cond_change', ['m', 'm', { ACL: [{ where: [] }] }])).rejects.toMatchObject({
      details: 'no table named ACL in monitor session',
    });
  });
});

describe('monitor requests', () => {
  it('honours select flags and sends v1 updates with old values of changed columns', async () => {
    const { server, conn, notes } = setup();
    const a = insertSwitch(server, 'a');
    expect(
      await conn.request('monitor', [
        'OVN_Northbound',
        'v1',
        { Logical_Switch: { columns: ['name', 'other_config'], select: { initial: false, delete: false } } },
      ]),
    ).toEqual({});
    rename(server, 'a', 'b');
    server.transact('OVN_Northbound', [{ op: 'delete', table: 'Logical_Switch', where: [] }]);
    expect(notes).toEqual([
      [
        'update',
        ['v1', { Logical_Switch: { [a]: { new: { name: 'b', other_config: ['map', []] }, old: { name: 'a' } } } }],
      ],
    ]);
    await expect(conn.request('monitor', ['OVN_Northbound', 'v1', { Logical_Switch: {} }])).rejects.toMatchObject({
      details: 'duplicate monitor ID',
    });
    await expect(conn.request('monitor', ['OVN_Northbound', 'v2', { Nope: {} }])).rejects.toMatchObject({
      details: 'no table named Nope',
    });
  });
});
