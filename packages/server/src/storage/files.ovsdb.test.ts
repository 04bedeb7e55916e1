/**
 * Database files written by the real ovsdb-server 3.1, served by ours: standalone (appended by ovn-nbctl
 * writes, compacted online by ovsdb-server and offline by `ovsdb-tool compact`, cut short as a crash leaves
 * it) and clustered (`ovsdb-tool create-cluster`, a one-member and a three-member RAFT cluster with writes
 * and a follower's compaction). Each must read back as exactly what `ovsdb-client dump` shows of the real
 * server on the same file, table by table, when `ovsdb-client dump` reads it from our server.
 *
 * Then read-only serving: the answers to writes are ovsdb-server's own answers in read-only (backup) mode,
 * `convert` is refused, the file is never written (same SHA-256, size and mtime), several files share one
 * server, and `ovsdb-embedded --file` serves them.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcConnection, RpcError, type Json } from '@ovsdb-web/client';
import {
  OVN_NB_SCHEMA,
  OVN_SB_SCHEMA,
  ovnNbctl,
  ovsdbClient,
  ovsdbDump,
  run,
  startCluster,
  startOvsdbServer,
  type DumpedTable,
  type OvsdbServerProcess as RealServer,
} from '@ovsdb-web/testing';
import { runCli } from '../cli.js';
import { openDatabaseFiles } from '../open-files.js';
import { EmbeddedServer } from '../server.js';
import { DatabaseFileError } from './errors.js';
import { loadDatabaseFile } from './load.js';

const NB = 'OVN_Northbound';
let dir: string;
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ovsdb-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function copyOf(path: string, name = `copy-${n++}.db`): string {
  const to = join(dir, name);
  copyFileSync(path, to);
  return to;
}

/** ovn-nbctl writes that exercise every kind of change a diff record can hold. */
const WRITES: string[][] = [
  ['ls-add', 'sw0', '--', 'ls-add', 'sw1', '--', 'ls-add', 'sw2'],
  [
    'lsp-add',
    'sw0',
    'p1',
    '--',
    'lsp-set-addresses',
    'p1',
    '00:00:00:00:00:01 10.0.0.1',
    '--',
    'lsp-add',
    'sw0',
    'p2',
    '--',
    'lsp-add',
    'sw1',
    'p3',
  ],
  ['set', 'Logical_Switch', 'sw0', 'other_config:a=1', 'other_config:b=2', 'external_ids:owner=test'],
  ['set', 'Logical_Switch', 'sw0', 'other_config:b=3'],
  ['remove', 'Logical_Switch', 'sw0', 'other_config', 'a'],
  ['lsp-set-port-security', 'p1', '00:00:00:00:00:01 10.0.0.1/24'],
  ['set', 'Logical_Switch_Port', 'p2', 'tag_request=7'],
  ['pg-add', 'pg1', 'p1', 'p2'],
  ['--type=port-group', 'acl-add', 'pg1', 'to-lport', '1001', 'outport == @pg1 && ip4', 'drop'],
  ['acl-add', 'sw1', 'from-lport', '100', 'ip4', 'allow-related'],
  ['lsp-del', 'p2'],
  ['ls-del', 'sw2'],
  ['lr-add', 'lr0', '--', 'lrp-add', 'lr0', 'lrp0', '00:00:00:00:ff:01', '10.0.0.254/24'],
  ['create', 'Address_Set', 'name=as1', 'addresses="10.0.0.1","10.0.0.2"'],
  ['add', 'Address_Set', 'as1', 'addresses', '10.0.0.3', '--', 'remove', 'Address_Set', 'as1', 'addresses', '10.0.0.1'],
  ['set', 'Logical_Switch_Port', 'p3', 'tag_request=3', '--', 'clear', 'Logical_Switch_Port', 'p3', 'tag_request'],
];
const LATER: string[][] = [
  ['ls-add', 'sw9', '--', 'set', 'Logical_Switch', 'sw0', 'other_config:b=4', 'other_config:c=5'],
  ['lsp-add', 'sw9', 'p9', '--', 'lsp-set-addresses', 'p9', 'dynamic'],
  ['pg-set-ports', 'pg1', 'p9', 'p3'],
];

async function write(remote: string, cmds: readonly string[][]): Promise<void> {
  for (const c of cmds) await ovnNbctl(remote, ...c);
}

/** `ovsdb-client dump` of a database file served by our server. */
async function dumpOurs(path: string): Promise<Record<string, DumpedTable>> {
  const server = new EmbeddedServer();
  try {
    const file = await loadDatabaseFile(path);
    server.addDatabaseFile(file);
    const { unix } = await server.listen({ unix: join(dir, `dump-${n++}.sock`) });
    return await ovsdbDump(`unix:${unix as string}`, file.name);
  } finally {
    await server.close();
  }
}

/** Table by table, so that a difference names its table. */
function expectSameDump(ours: Record<string, DumpedTable>, real: Record<string, DumpedTable>, what: string): void {
  expect(Object.keys(ours).sort(), what).toEqual(Object.keys(real).sort());
  for (const table of Object.keys(real)) expect(ours[table], `${what}: table ${table}`).toEqual(real[table]);
}

function rowCount(dump: Record<string, DumpedTable>): number {
  return Object.values(dump).reduce((k, t) => k + Object.keys(t).length, 0);
}

describe('standalone files written by ovsdb-server', () => {
  let real: RealServer;
  let started: RealServer | undefined;
  beforeAll(async () => {
    real = started = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA] });
  }, 30_000);
  afterAll(async () => {
    await started?.stop();
  });

  it('reads transactions appended by ovsdb-server, its online compaction, and writes after it', async () => {
    await write(real.remote, WRITES);
    const before = await ovsdbDump(real.remote, NB);
    expect(rowCount(before)).toBeGreaterThan(10);
    expectSameDump(await dumpOurs(copyOf(real.dbPath(NB))), before, 'appended log');

    await real.appctl('ovsdb-server/compact');
    const compacted = copyOf(real.dbPath(NB));
    expect((await loadDatabaseFile(compacted)).records).toBe(2);
    expectSameDump(await dumpOurs(compacted), before, 'after online compaction');

    await write(real.remote, LATER);
    const after = await ovsdbDump(real.remote, NB);
    expectSameDump(await dumpOurs(copyOf(real.dbPath(NB))), after, 'compacted, then appended');
  }, 60_000);

  it('reads a file compacted by ovsdb-tool, and one cut short as a crash leaves it, as ovsdb-server does', async () => {
    const expected = await ovsdbDump(real.remote, NB);
    let toolCompacted = '';
    let cut = '';
    await real.restart({
      whileDown: async () => {
        const file = real.dbPath(NB);
        toolCompacted = join(dir, `tool-${n++}.db`);
        await run('ovsdb-tool', ['compact', file, toolCompacted]);
        // A transaction appended after the server stopped, then cut in the middle of its record.
        await run('ovsdb-tool', [
          'transact',
          file,
          JSON.stringify([NB, { op: 'insert', table: 'Logical_Switch', row: { name: 'torn' } }]),
        ]);
        truncateSync(file, statSync(file).size - 20);
        cut = copyOf(file);
      },
    });
    const toolFile = await loadDatabaseFile(toolCompacted);
    expect(toolFile.records).toBe(2);
    expectSameDump(await dumpOurs(toolCompacted), expected, 'ovsdb-tool compact');

    // ovsdb-server, restarted on the cut file, serves what came before the torn record; so must we.
    const servedByReal = await ovsdbDump(real.remote, NB);
    expect(servedByReal).toEqual(expected);
    const loaded = await loadDatabaseFile(cut);
    expect(loaded.warnings.map((w) => w.kind)).toEqual(['truncated']);
    expect(loaded.warnings[0]?.message).toMatch(
      /at byte offset \d+, as a crash while writing leaves it; loaded the \d+ whole records before it/,
    );
    expectSameDump(await dumpOurs(cut), servedByReal, 'cut short');
  }, 60_000);

  it('refuses a file with a corrupt record, naming its offset', async () => {
    const path = copyOf(real.dbPath(NB));
    const data = readFileSync(path);
    // The second record starts after the first (the schema); damage a byte inside its JSON.
    const firstLen = Number(/^OVSDB JSON (\d+) /.exec(data.toString('latin1', 0, 80))?.[1]);
    const second = data.indexOf('\n') + 1 + firstLen;
    data[second + 80] = (data[second + 80] as number) ^ 0x01;
    const bad = join(dir, `corrupt-${n++}.db`);
    await import('node:fs/promises').then((fs) => fs.writeFile(bad, data));
    const err = await loadDatabaseFile(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseFileError);
    expect(err).toMatchObject({ problem: 'checksum', offset: second, path: bad });
    expect((err as Error).message).toContain(`record at byte offset ${second}: SHA-1 of the`);
  });
});

describe('clustered files written by ovsdb-server', () => {
  it('reads the file of a one-member cluster made by ovsdb-tool create-cluster, before and after writes', async () => {
    const created = join(dir, `created-${n++}.db`);
    await run('ovsdb-tool', ['create-cluster', created, OVN_NB_SCHEMA, 'tcp:127.0.0.1:1']);
    const empty = await loadDatabaseFile(created);
    expect([empty.format, empty.database.rowCount, empty.cluster?.commitIndex]).toEqual(['clustered', 0, 1]);

    const cluster = await startCluster({ size: 1 });
    try {
      const [member] = cluster.members;
      if (member === undefined) throw new Error('no member');
      await write(member.unixRemote, WRITES);
      const expected = await ovsdbDump(member.unixRemote, NB);
      await member.stop();
      expectSameDump(await dumpOurs(copyOf(member.dbPath)), expected, 'one-member cluster');
    } finally {
      await cluster.stop();
    }
  }, 60_000);

  it('reads every member of a three-member cluster, a compacted follower too', async () => {
    const cluster = await startCluster({ size: 3 });
    try {
      const leader = await cluster.leader();
      await write(leader.unixRemote, WRITES);
      const follower = cluster.members.find((m) => m !== leader);
      await follower?.appctl('ovsdb-server/compact');
      await write(leader.unixRemote, LATER);
      const expected = await ovsdbDump(leader.unixRemote, NB);
      // Every member has the last commit once the leader's next heartbeat reaches it; stop them all
      // (followers first, so the leader keeps telling them the commit index) and read each file.
      const deadline = Date.now() + 10_000;
      for (const m of cluster.members) {
        while (Date.now() < deadline) {
          const dump = await ovsdbDump(m.unixRemote, NB, { noLeaderOnly: true });
          if (JSON.stringify(dump) === JSON.stringify(expected)) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const members = [...cluster.members].sort((a, b) => Number(a === leader) - Number(b === leader));
      for (const m of members) await m.stop();
      for (const m of cluster.members) {
        const path = copyOf(m.dbPath);
        const file = await loadDatabaseFile(path);
        expect(file.format).toBe('clustered');
        expectSameDump(await dumpOurs(path), expected, `member s${m.id}${m === follower ? ' (compacted)' : ''}`);
      }
      const compacted = await loadDatabaseFile(copyOf(follower?.dbPath as string));
      expect(compacted.cluster?.snapshotIndex).toBeGreaterThan(1);
    } finally {
      await cluster.stop();
    }
  }, 90_000);
});

// ---------------------------------------------------------------------------------------------------------

function fingerprint(path: string): { sha256: string; size: number; mtimeMs: number } {
  const st = statSync(path);
  return { sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), size: st.size, mtimeMs: st.mtimeMs };
}

function connect(socket: string): RpcConnection {
  return new RpcConnection(net.createConnection(socket));
}

async function answer(p: Promise<Json>): Promise<Json> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof RpcError) return { error: err.payload };
    throw err;
  }
}

describe('serving files read-only', () => {
  let nbFile: string;
  let sbFile: string;

  beforeAll(async () => {
    const nb = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA] });
    try {
      await write(nb.remote, WRITES);
      nbFile = copyOf(nb.dbPath(NB), 'nb.db');
    } finally {
      await nb.stop();
    }
    const sb = await startOvsdbServer({ schemas: [OVN_SB_SCHEMA] });
    try {
      await run('ovn-sbctl', [`--db=${sb.remote}`, 'chassis-add', 'ch1', 'geneve', '192.0.2.1']);
      sbFile = copyOf(sb.dbPath('OVN_Southbound'), 'sb.db');
    } finally {
      await sb.stop();
    }
  }, 60_000);

  it('answers writes as ovsdb-server in read-only mode does, and never writes the file', async () => {
    const before = fingerprint(nbFile);
    // The reference: an ovsdb-server backing up another (--sync-from) refuses writes: its read-only mode.
    const active = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA] });
    const backup = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], extraArgs: [`--sync-from=${active.remote}`] });
    const { server, databases, warnings } = await openDatabaseFiles([nbFile]);
    try {
      expect([databases, warnings]).toEqual([[NB], []]);
      const { unix } = await server.listen({ unix: join(dir, `ro-${n++}.sock`) });
      const ours = connect(unix as string);
      const theirs = connect((backup.unixRemote as string).slice('unix:'.length));
      const attempts: Json[][] = [
        [{ op: 'insert', table: 'Logical_Switch', row: { name: 'x' } }],
        [
          { op: 'select', table: 'Logical_Switch', where: [['name', '==', 'nope']] },
          { op: 'update', table: 'Logical_Switch', where: [], row: { name: 'y' } },
        ],
        [
          {
            op: 'mutate',
            table: 'Logical_Switch',
            where: [],
            mutations: [['other_config', 'insert', ['map', [['k', 'v']]]]],
          },
        ],
        [{ op: 'delete', table: 'Logical_Switch', where: [] }],
        [
          { op: 'comment', comment: 'c' },
          { op: 'commit', durable: false },
        ],
        [{ op: 'update', table: 'Logical_Switch', where: [], row: { name: 5 } }],
        [
          {
            op: 'wait',
            table: 'Logical_Switch',
            where: [['name', '==', 'nope']],
            columns: ['name'],
            until: '==',
            rows: [],
            timeout: 0,
          },
        ],
      ];
      for (const ops of attempts) {
        const [a, b] = await Promise.all([theirs, ours].map((c) => answer(c.request('transact', [NB, ...ops]))));
        expect(b, JSON.stringify(ops)).toEqual(a);
      }
      // Even the embedding code cannot change a database served from a file.
      expect(server.transact(NB, [{ op: 'insert', table: 'Logical_Switch', row: { name: 'z' } }])).toEqual([
        { details: 'insert operation not allowed when database server is in read only mode', error: 'not allowed' },
      ]);
      const schema = JSON.parse(readFileSync(OVN_NB_SCHEMA, 'utf8')) as Json;
      expect(await answer(ours.request('convert', [NB, schema]))).toEqual({
        error: {
          error: 'not allowed',
          details: `convert not allowed: database ${NB} was opened read-only from ${nbFile}`,
        },
      });
      // Reading works as usual.
      const [sel] = (await ours.request('transact', [
        NB,
        { op: 'select', table: 'Logical_Switch', where: [], columns: ['name'] },
      ])) as [{ rows: unknown[] }];
      expect(sel.rows).toHaveLength(2);
      await ours.close();
      await theirs.close();
    } finally {
      await server.close();
      await backup.stop();
      await active.stop();
    }
    expect(fingerprint(nbFile)).toEqual(before);
  }, 60_000);

  it('serves the NB and SB files of one must-gather from one server, and through ovsdb-embedded --file', async () => {
    const { server, databases } = await openDatabaseFiles([nbFile, sbFile]);
    try {
      expect(databases).toEqual([NB, 'OVN_Southbound']);
      expect(server.databaseNames()).toEqual([NB, 'OVN_Southbound', '_Server']);
      await expect(openDatabaseFiles([nbFile, copyOf(nbFile)])).rejects.toThrow(
        /database OVN_Northbound is already served \(from .*nb\.db\)/,
      );
    } finally {
      await server.close();
    }
    const sock = join(dir, `cli-${n++}.sock`);
    const lines: string[] = [];
    const cli = await runCli(['--file', nbFile, '--file', sbFile, '--remote', `punix:${sock}`], (l) => lines.push(l));
    try {
      expect(lines[0]).toMatch(/^serving database OVN_Northbound read-only from .*nb\.db \(standalone, \d+ rows\)$/);
      expect(lines[1]).toMatch(/^serving database OVN_Southbound read-only from .*sb\.db \(standalone, \d+ rows\)$/);
      expect((await ovsdbClient(['list-dbs', `unix:${sock}`])).trim().split('\n')).toEqual([
        NB,
        'OVN_Southbound',
        '_Server',
      ]);
      const chassis = await ovsdbDump(`unix:${sock}`, 'OVN_Southbound');
      expect(Object.values(chassis.Chassis ?? {}).map((r) => r.name)).toEqual(['ch1']);
    } finally {
      await cli.close();
    }
  }, 30_000);
});
