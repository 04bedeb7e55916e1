/**
 * RpcConnection against a real ovsdb-server (3.1 on the dev box) over unix, tcp and ssl. Self-contained on
 * purpose: it starts its own server in a temp dir and kills it by pid afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStream, type OpenStreamOptions } from '../transport/connect.js';
import { formatRemote, type Remote } from '../transport/remote.js';
import type { Json, JsonObject } from '../wire/json.js';
import { RpcConnection } from './connection.js';
import { RpcError } from './errors.js';

const OVSDB_SERVER = '/usr/sbin/ovsdb-server';
const SCHEMA = '/usr/share/ovn/ovn-nb.ovsschema';
const available = existsSync(OVSDB_SERVER) && existsSync(SCHEMA);

let dir: string;
let pid: number | undefined;
let unixRemote: Remote;
let tcpRemote: Remote;
let sslRemote: Remote;
let tlsOpts: OpenStreamOptions['tls'];
const conns: RpcConnection[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Ports ovsdb-server reports in its log, in the order it bound them. */
function loggedPorts(): number[] {
  const log = readFileSync(join(dir, 'ovsdb-server.log'), 'utf8');
  return [...log.matchAll(/listening on port (\d+)/g)].map((m) => Number(m[1]));
}

async function waitForPorts(n: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const ports = loggedPorts();
    if (ports.length >= n) return ports;
    await sleep(25);
  }
  throw new Error(`ovsdb-server did not log ${n} listening port(s)`);
}

function makeCerts(): void {
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test CA', '-days', '2');
  for (const [name, cn] of [
    ['server', 'ovsdb-server id:1'],
    ['client', 'client id:2'],
  ] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
    );
  }
}

beforeAll(async () => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'rpc-ovsdb-'));
  makeCerts();
  const db = join(dir, 'nb.db');
  const ctl = join(dir, 'ovsdb-server.ctl');
  execFileSync('ovsdb-tool', ['create', db, SCHEMA], { stdio: 'ignore' });
  // --detach returns only once the daemon is serving, and leaves its pid in the pidfile.
  execFileSync(
    OVSDB_SERVER,
    [
      db,
      `--remote=punix:${join(dir, 'db.sock')}`,
      '--remote=ptcp:0:127.0.0.1',
      `--unixctl=${ctl}`,
      `--pidfile=${join(dir, 'ovsdb-server.pid')}`,
      `--log-file=${join(dir, 'ovsdb-server.log')}`,
      `--private-key=${join(dir, 'server.key')}`,
      `--certificate=${join(dir, 'server.crt')}`,
      `--ca-cert=${join(dir, 'ca.crt')}`,
      '--no-chdir',
      '--detach',
    ],
    { stdio: 'ignore' },
  );
  pid = Number(readFileSync(join(dir, 'ovsdb-server.pid'), 'utf8').trim());
  const [tcpPort] = await waitForPorts(1);
  // Both passive tcp and ssl log the same line, so add ssl afterwards to know which port is which.
  execFileSync('ovs-appctl', ['-t', ctl, 'ovsdb-server/add-remote', 'pssl:0:127.0.0.1'], { stdio: 'ignore' });
  const [, sslPort] = await waitForPorts(2);
  unixRemote = { kind: 'unix', path: join(dir, 'db.sock') };
  tcpRemote = { kind: 'tcp', host: '127.0.0.1', port: tcpPort as number };
  sslRemote = { kind: 'ssl', host: '127.0.0.1', port: sslPort as number };
  tlsOpts = { key: join(dir, 'client.key'), cert: join(dir, 'client.crt'), ca: join(dir, 'ca.crt') };
});

afterAll(async () => {
  await Promise.all(conns.splice(0).map((c) => c.close()));
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100; i++) {
        process.kill(pid, 0);
        await sleep(20);
      }
    } catch {
      // ESRCH: it has exited.
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function connect(remote: Remote): Promise<{ conn: RpcConnection; received: string[] }> {
  const stream = await openStream(remote, { ...(tlsOpts ? { tls: tlsOpts } : {}), timeoutMs: 5000 });
  const received: string[] = [];
  // A second 'data' listener sees the raw traffic without affecting the connection.
  stream.on('data', (c: Buffer) => received.push(c.toString('utf8')));
  const conn = new RpcConnection(stream, { remote: formatRemote(remote) });
  conns.push(conn);
  return { conn, received };
}

describe.skipIf(!available)('RpcConnection against ovsdb-server', () => {
  for (const kind of ['unix', 'tcp', 'ssl'] as const) {
    it(`list_dbs, get_schema and echo over ${kind}`, async () => {
      const remote = kind === 'unix' ? unixRemote : kind === 'tcp' ? tcpRemote : sslRemote;
      const { conn } = await connect(remote);
      expect(await conn.request('list_dbs', [])).toEqual(expect.arrayContaining(['OVN_Northbound', '_Server']));
      const schema = (await conn.request('get_schema', ['OVN_Northbound'])) as JsonObject;
      expect(schema.name).toBe('OVN_Northbound');
      expect(Object.keys(schema.tables as JsonObject)).toContain('Logical_Switch');
      const params: Json[] = ['日本 é 😀', 9223372036854775807n, -9223372036854775808n, { a: [1, null] }];
      expect(await conn.request('echo', params)).toEqual(params);
    });
  }

  it('rejects server errors as RpcError with the server wording', async () => {
    const { conn } = await connect(unixRemote);
    const e1 = await conn.request('get_schema', ['No_Such_Db']).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(RpcError);
    expect((e1 as RpcError).error).toBe('unknown database');
    expect((e1 as RpcError).details).toMatch(/No_Such_Db/);
    const e2 = await conn.request('no_such_method', []).catch((e: unknown) => e);
    expect((e2 as RpcError).error).toBe('unknown method');
    expect(await conn.request('list_dbs', [])).toContain('OVN_Northbound');
  });

  it('delivers the update for our own transaction before the transact reply', async () => {
    const { conn } = await connect(unixRemote);
    const log: string[] = [];
    conn.onNotification('update2', (params) => log.push(`update2 ${Object.keys(params[1] as JsonObject).join()}`));
    await conn.request('monitor_cond', ['OVN_Northbound', 'mon', { Logical_Switch: [{ columns: ['name'] }] }]);
    const result = await conn.request('transact', [
      'OVN_Northbound',
      { op: 'insert', table: 'Logical_Switch', row: { name: 'ls-order' } },
    ]);
    log.push('reply');
    expect((result as JsonObject[])[0]).toHaveProperty('uuid');
    expect(log).toEqual(['update2 Logical_Switch', 'reply']);
  });

  it('answers the idle echo probe on tcp and stays connected', async () => {
    const { conn, received } = await connect(tcpRemote);
    expect(await conn.request('list_dbs', [])).toContain('OVN_Northbound');
    // ovsdb-server probes after 5 s of silence and hangs up if the probe is not answered within another 5.
    await sleep(11_500);
    const text = received.join('');
    expect(text).toContain('{"id":"echo","method":"echo","params":[]}');
    expect(conn.closed).toBe(false);
    expect(await conn.request('list_dbs', [])).toContain('OVN_Northbound');
  }, 30_000);
});
