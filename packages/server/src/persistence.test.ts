/**
 * File persistence: committed transactions survive a restart (rows, versions and transaction ids, so a
 * client can even resume its monitor), compaction rewrites the log as a snapshot, and a torn last line
 * from a crash is ignored.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcConnection, type Json, type JsonObject } from '@ovsdb-web/client';
import { EmbeddedServer } from './server.js';

const NB = readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function logPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovsdb-log-'));
  dirs.push(dir);
  return join(dir, 'nb.log');
}

function start(path: string): EmbeddedServer {
  const server = new EmbeddedServer({ storage: { path } });
  server.addDatabase(NB);
  return server;
}

const selectSwitches: Json[] = [
  { op: 'select', table: 'Logical_Switch', where: [], columns: ['_uuid', '_version', 'name', 'ports', 'other_config'] },
];

function contents(server: EmbeddedServer): Json {
  const [r] = server.transact('OVN_Northbound', selectSwitches) as [{ rows: JsonObject[] }];
  return r.rows.sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

function populate(server: EmbeddedServer): void {
  server.transact('OVN_Northbound', [
    {
      op: 'insert',
      table: 'Logical_Switch_Port',
      'uuid-name': 'p',
      row: { name: 'p1', addresses: '00:00:00:00:00:01' },
    },
    {
      op: 'insert',
      table: 'Logical_Switch',
      row: { name: 'ls1', ports: ['named-uuid', 'p'], other_config: ['map', [['a', '1']]] },
    },
    { op: 'insert', table: 'Logical_Switch', row: { name: 'ls2' } },
  ]);
  server.transact('OVN_Northbound', [
    { op: 'update', table: 'Logical_Switch', where: [['name', '==', 'ls2']], row: { name: 'ls2b' } },
  ]);
  server.transact('OVN_Northbound', [
    {
      op: 'mutate',
      table: 'Logical_Switch',
      where: [['name', '==', 'ls1']],
      mutations: [['other_config', 'insert', ['map', [['b', '2']]]]],
    },
  ]);
  server.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'gone' } }]);
  server.transact('OVN_Northbound', [{ op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'gone']] }]);
}

describe('file persistence', () => {
  it('replays the log on start: same rows, versions and last transaction id', async () => {
    const path = logPath();
    const first = start(path);
    populate(first);
    const before = contents(first);
    const lastId = first.database('OVN_Northbound')?.lastTxnId;
    await first.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(5);

    const second = start(path);
    expect(contents(second)).toEqual(before);
    expect(second.database('OVN_Northbound')?.lastTxnId).toBe(lastId);
    await second.close();
  });

  it('lets a client resume its monitor across a restart', async () => {
    const path = logPath();
    const first = start(path);
    first.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'before' } }]);
    const seen = first.database('OVN_Northbound')?.lastTxnId as string;
    first.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'while-away' } }]);
    await first.close();

    const second = start(path);
    const conn = new RpcConnection(second.connectInProcess());
    const [found, , updates] = (await conn.request('monitor_cond_since', [
      'OVN_Northbound',
      'm',
      { Logical_Switch: [{ columns: ['name'] }] },
      seen,
    ])) as [boolean, string, JsonObject];
    expect(found).toBe(true);
    expect(Object.values(updates.Logical_Switch as JsonObject)).toEqual([{ insert: { name: 'while-away' } }]);
    await conn.close();
    await second.close();
  });

  it('compacts the log into a snapshot that replays to the same contents', async () => {
    const path = logPath();
    const first = start(path);
    populate(first);
    const before = contents(first);
    first.compact();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    // Commits after compaction are appended behind the snapshot.
    first.transact('OVN_Northbound', [{ op: 'insert', table: 'Logical_Switch', row: { name: 'zz-after' } }]);
    const after = contents(first);
    await first.close();

    const second = start(path);
    expect(contents(second)).toEqual(after);
    expect((after as JsonObject[]).slice(0, -1)).toEqual(before);
    await second.close();
  });

  it('ignores a torn last line', async () => {
    const path = logPath();
    const first = start(path);
    populate(first);
    const before = contents(first);
    await first.close();
    appendFileSync(path, '{"db":"OVN_Northbound","txn":"aaaa');
    const second = start(path);
    expect(contents(second)).toEqual(before);
    await second.close();
  });
});
