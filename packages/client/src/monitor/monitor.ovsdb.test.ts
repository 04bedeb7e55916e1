/**
 * Monitors and their caches against the real ovsdb-server 3.1: initial state, updates from other
 * clients (ovn-nbctl), read-your-writes, the method fallbacks, live condition changes, indexes and
 * resynchronisation after a server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOvsdbServer, ovnNbctl, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { execFileSync } from 'node:child_process';
import { OvsdbClient } from '../client/client.js';
import { TransactionBuilder } from '../txn/builder.js';
import type { DatabaseSchema } from '../schema/schema.js';
import type { ChangeBatch } from '../cache/database-cache.js';
import type { Monitor } from './monitor.js';
import { canonicalCache, canonicalServer, replay } from './test-support.js';

const NB = 'OVN_Northbound';
let server: OvsdbServerProcess;
let client: OvsdbClient;
let schema: DatabaseSchema;

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true, tcp: true });
  client = await OvsdbClient.connect(server.unixRemote!, { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
  schema = await client.getSchema(NB);
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
  );
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** The `name` of every row of `table` in the monitor's cache. */
function names(m: Monitor, table: string): unknown[] {
  return m.cache
    .table(table)
    .rows()
    .map((r) => r.name);
}

function nextBatch(m: Monitor, pred: (b: ChangeBatch) => boolean = () => true): Promise<ChangeBatch> {
  return new Promise((resolve) => {
    const off = m.on('change', (b) => {
      if (pred(b)) {
        off();
        resolve(b);
      }
    });
  });
}

describe('monitor', () => {
  it('holds the initial state when it resolves, equal to what the server selects', async () => {
    const m = await client.monitor(NB, { tables: '*' });
    expect(m.method).toBe('monitor_cond_since');
    expect(m.cache.table('Logical_Switch').size).toBe(1);
    expect(m.cache.table('Logical_Switch_Port').rows()[0]).toMatchObject({
      name: 'p0',
      addresses: ['00:00:00:00:00:01 10.0.0.1'],
    });
    expect(canonicalCache(m)).toEqual(await canonicalServer(client, schema, [...m.cache.tables.keys()]));
    await m.close();
  });

  it('applies changes made by ovn-nbctl and reports them grouped per update with old and new rows', async () => {
    const m = await client.monitor(NB, { tables: ['Logical_Switch', 'Logical_Switch_Port'] });
    const start = canonicalCache(m);
    const batches: ChangeBatch[] = [];
    m.on('change', (b) => batches.push(b));
    const added = nextBatch(m, (b) => b.changes.some((c) => c.kind === 'insert' && c.new?.name === 'p1'));
    await ovnNbctl(server.unixRemote!, 'lsp-add', 'sw0', 'p1');
    const b = await added;
    // One transaction: the new port and the switch's ports set, in one batch.
    expect(b.changes.map((c) => `${c.table}:${c.kind}`).sort()).toEqual([
      'Logical_Switch:modify',
      'Logical_Switch_Port:insert',
    ]);
    const sw = b.changes.find((c) => c.table === 'Logical_Switch')!;
    expect(sw.columns).toEqual(['ports']);
    expect((sw.old!.ports as string[]).length + 1).toBe((sw.new!.ports as string[]).length);
    expect(b.txnId).toMatch(/^[0-9a-f-]{36}$/);

    await ovnNbctl(
      server.unixRemote!,
      'lsp-set-addresses',
      'p1',
      '00:00:00:00:00:02 10.0.0.2',
      '--',
      'set',
      'Logical_Switch_Port',
      'p1',
      'external_ids:owner=test',
    );
    await ovnNbctl(server.unixRemote!, 'lsp-del', 'p1');
    await client.echo(); // the server answers in order: every update before this reply has arrived
    expect(canonicalCache(m)).toEqual(await canonicalServer(client, schema, ['Logical_Switch', 'Logical_Switch_Port']));
    expect(replay(m, start, batches)).toEqual(canonicalCache(m));
    await m.close();
  });

  it('shows a transaction in the cache as soon as transact resolves (read-your-writes)', async () => {
    const m = await client.monitor(NB, { tables: ['Logical_Switch'] });
    for (let i = 0; i < 20; i++) {
      const tx = new TransactionBuilder(schema);
      tx.insert('Logical_Switch', { name: `ryw${i}` });
      const [r] = await client.transact(NB, tx.operations());
      const uuid = (r as { uuid: [string, string] }).uuid[1];
      expect(m.cache.table('Logical_Switch').get(uuid)?.name).toBe(`ryw${i}`);
    }
    await client.transact(
      NB,
      Array.from({ length: 20 }, (_, i) => ({
        op: 'delete' as const,
        table: 'Logical_Switch',
        where: [['name', '==', `ryw${i}`]],
      })),
    );
    expect(names(m, 'Logical_Switch')).toEqual(['sw0']);
    await m.close();
  });

  it.each(['monitor_cond', 'monitor'] as const)('works the same starting from %s', async (method) => {
    const m = await client.monitor(NB, {
      tables: { Logical_Switch_Port: { columns: ['name', 'addresses'], anyOf: [['name', '==', 'p0']] } },
      method,
    });
    expect(m.method).toBe(method);
    expect(names(m, 'Logical_Switch_Port')).toEqual(['p0']);
    expect(Object.keys(m.cache.table('Logical_Switch_Port').rows()[0]!).sort()).toEqual(['_uuid', 'addresses', 'name']);
    const changed = nextBatch(m);
    await ovnNbctl(
      server.unixRemote!,
      'lsp-set-addresses',
      'p0',
      '00:00:00:00:00:01 10.0.0.1',
      '00:00:00:00:00:09 10.0.0.9',
    );
    const b = await changed;
    expect(b.changes).toHaveLength(1);
    expect(b.changes[0]!.new!.addresses).toEqual(['00:00:00:00:00:01 10.0.0.1', '00:00:00:00:00:09 10.0.0.9']);
    await ovnNbctl(server.unixRemote!, 'lsp-set-addresses', 'p0', '00:00:00:00:00:01 10.0.0.1');
    await ovnNbctl(server.unixRemote!, 'lsp-add', 'sw0', 'filtered-out');
    await client.echo();
    expect(names(m, 'Logical_Switch_Port')).toEqual(['p0']);
    await ovnNbctl(server.unixRemote!, 'lsp-del', 'filtered-out');
    await m.close();
  });

  it('changes conditions live with monitor_cond_change: rows enter and leave the cache as events', async () => {
    await ovnNbctl(server.unixRemote!, 'ls-add', 'swA', '--', 'ls-add', 'swB');
    const m = await client.monitor(NB, {
      tables: { Logical_Switch: { columns: ['name'], anyOf: [['name', '==', 'swA']] } },
    });
    expect(names(m, 'Logical_Switch')).toEqual(['swA']);
    const batches: ChangeBatch[] = [];
    m.on('change', (b) => batches.push(b));
    await m.setConditions({ Logical_Switch: [['name', '==', 'swB']] });
    // The update came before the reply, so it is already applied and reported.
    expect(names(m, 'Logical_Switch')).toEqual(['swB']);
    expect(batches.flatMap((b) => b.changes.map((c) => `${c.kind}:${(c.new ?? c.old)!.name}`)).sort()).toEqual([
      'delete:swA',
      'insert:swB',
    ]);
    // Later updates arrive under the new monitor id and still reach this cache.
    await ovnNbctl(server.unixRemote!, 'set', 'Logical_Switch', 'swB', 'other_config:x=1');
    await ovnNbctl(server.unixRemote!, 'ls-del', 'swB');
    await client.echo();
    expect(m.cache.table('Logical_Switch').size).toBe(0);
    await ovnNbctl(server.unixRemote!, 'ls-del', 'swA');
    await m.close();
  });

  it('keeps several monitors of one database independent', async () => {
    const a = await client.monitor(NB, { tables: ['Logical_Switch'] });
    const b = await client.monitor(NB, { tables: { Logical_Switch: { anyOf: [['name', '==', 'only-b']] } } });
    await ovnNbctl(server.unixRemote!, 'ls-add', 'only-b', '--', 'ls-add', 'other');
    await client.echo();
    expect(names(a, 'Logical_Switch').sort()).toEqual(['only-b', 'other', 'sw0']);
    expect(names(b, 'Logical_Switch')).toEqual(['only-b']);
    await b.close();
    await ovnNbctl(server.unixRemote!, 'ls-del', 'only-b', '--', 'ls-del', 'other');
    await client.echo();
    expect(a.cache.table('Logical_Switch').size).toBe(1);
    expect(b.cache.table('Logical_Switch').size).toBe(1); // closed: keeps its last contents
    await a.close();
  });

  it('looks rows up through schema indexes, client indexes on a map key, and conditions', async () => {
    await ovnNbctl(
      server.unixRemote!,
      'lsp-add',
      'sw0',
      'pod-a',
      '--',
      'set',
      'Logical_Switch_Port',
      'pod-a',
      'external_ids:pod=a',
      'external_ids:ns=blue',
    );
    await ovnNbctl(
      server.unixRemote!,
      'lsp-add',
      'sw0',
      'pod-b',
      '--',
      'set',
      'Logical_Switch_Port',
      'pod-b',
      'external_ids:pod=b',
      'external_ids:ns=blue',
    );
    const m = await client.monitor(NB, {
      tables: { Logical_Switch_Port: { indexes: [{ column: 'external_ids', key: 'ns', name: 'ns' }] } },
    });
    const ports = m.cache.table('Logical_Switch_Port');
    expect(ports.indexes).toContain('name');
    expect(ports.lookup('name', 'pod-a').map((r) => r.name)).toEqual(['pod-a']);
    expect(
      ports
        .lookup('ns', 'blue')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['pod-a', 'pod-b']);
    expect(ports.find([['name', '==', 'pod-b']]).map((r) => r.name)).toEqual(['pod-b']);
    expect(ports.find([['external_ids', 'includes', new Map([['pod', 'a']])]]).map((r) => r.name)).toEqual(['pod-a']);
    // Indexes follow updates.
    await ovnNbctl(server.unixRemote!, 'set', 'Logical_Switch_Port', 'pod-b', 'external_ids:ns=red');
    await client.echo();
    expect(ports.lookup('ns', 'blue').map((r) => r.name)).toEqual(['pod-a']);
    expect(ports.lookup('ns', 'red').map((r) => r.name)).toEqual(['pod-b']);
    await ovnNbctl(server.unixRemote!, 'lsp-del', 'pod-a', '--', 'lsp-del', 'pod-b');
    await m.close();
  });

  it('reports tables and columns the server does not have instead of failing', async () => {
    const m = await client.monitor(NB, {
      tables: { Logical_Switch: { columns: ['name', 'no_such_column'] }, No_Such_Table: true },
    });
    expect(m.skew).toEqual({
      missingTables: ['No_Such_Table'],
      missingColumns: { Logical_Switch: ['no_such_column'] },
    });
    expect(m.cache.table('Logical_Switch').size).toBeGreaterThan(0);
    await m.close();
  });
});

describe('after the server restarts', () => {
  it('resynchronises every monitor and reports exactly what changed while it was away', async () => {
    const m = await client.monitor(NB, { tables: ['Logical_Switch', 'Logical_Switch_Port'] });
    const other = await client.monitor(NB, { tables: { Logical_Switch: { columns: ['name'] } } });
    await ovnNbctl(server.unixRemote!, 'ls-add', 'will-go', '--', 'ls-add', 'will-change');
    await client.echo();
    const start = canonicalCache(m);
    const batches: ChangeBatch[] = [];
    m.on('change', (b) => batches.push(b));
    const disconnected = new Promise((resolve) => client.on('disconnected', resolve));
    const reconnected = new Promise((resolve) => client.on('connected', resolve));
    await server.restart({
      whileDown: () => {
        // Change the database files directly while no server runs, so only a resync can reveal it.
        const ops = [
          'OVN_Northbound',
          { op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'will-go']] },
          {
            op: 'update',
            table: 'Logical_Switch',
            where: [['name', '==', 'will-change']],
            row: { other_config: ['map', [['changed', 'yes']]] },
          },
          { op: 'insert', table: 'Logical_Switch', row: { name: 'appeared' } },
        ];
        execFileSync('ovsdb-tool', ['transact', server.dbPath(NB), JSON.stringify(ops)]);
      },
    });
    await disconnected;
    await reconnected;
    expect(client.status).toBe('connected');
    const resync = batches.find((b) => b.resync)!;
    expect(resync).toBeDefined();
    expect(resync.changes.map((c) => `${c.kind}:${(c.new ?? c.old)!.name}`).sort()).toEqual([
      'delete:will-go',
      'insert:appeared',
      'modify:will-change',
    ]);
    expect(resync.changes.find((c) => c.kind === 'modify')!.columns).toEqual(['other_config']);
    expect(canonicalCache(m)).toEqual(await canonicalServer(client, schema, ['Logical_Switch', 'Logical_Switch_Port']));
    expect(replay(m, start, batches)).toEqual(canonicalCache(m));
    expect(names(other, 'Logical_Switch')).toContain('appeared');
    await m.close();
    await other.close();
  });

  it('fails requests while disconnected with a typed error instead of hanging', async () => {
    const down = new Promise((resolve) => client.on('disconnected', resolve));
    const up = new Promise((resolve) => client.on('connected', resolve));
    const restarting = server.restart({ whileDown: () => new Promise((r) => setTimeout(r, 300)) });
    await down;
    await expect(client.listDbs()).rejects.toThrow(/not connected/);
    await restarting;
    await up;
    expect(await client.listDbs()).toContain(NB);
  });
});
