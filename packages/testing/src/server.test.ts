import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OvsdbStartError,
  VSWITCH_SCHEMA,
  freePort,
  ovnNbctl,
  ovsdbClient,
  startOvsdbServer,
  tlsArgs,
  transactViaCli,
  type OvsdbServerProcess,
} from './index.js';

function dbNames(out: string): string[] {
  return out.trim().split('\n').sort();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startOvsdbServer', () => {
  let srv: OvsdbServerProcess | undefined;
  const server = (): OvsdbServerProcess => {
    if (!srv) throw new Error('server not started');
    return srv;
  };

  beforeAll(async () => {
    srv = await startOvsdbServer({ tcp: true, ssl: true });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('serves OVN_Northbound and _Server on unix, tcp and ssl', async () => {
    const s = server();
    expect(s.unixRemote).toMatch(/^unix:.*\/db\.sock$/);
    expect(s.tcpRemote).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    expect(s.sslRemote).toMatch(/^ssl:127\.0\.0\.1:\d+$/);
    expect(s.tcpRemote?.split(':')[2]).not.toBe(s.sslRemote?.split(':')[2]);
    expect(s.remote).toBe(s.unixRemote);
    const tls = s.tls;
    if (!tls || !s.unixRemote || !s.tcpRemote || !s.sslRemote) throw new Error('missing remote');
    const expected = ['OVN_Northbound', '_Server'];
    expect(dbNames(await ovsdbClient(['list-dbs', s.unixRemote]))).toEqual(expected);
    expect(dbNames(await ovsdbClient(['list-dbs', s.tcpRemote]))).toEqual(expected);
    expect(dbNames(await ovsdbClient([...tlsArgs(tls), 'list-dbs', s.sslRemote]))).toEqual(expected);
  });

  it('ssl remote rejects a plain tcp client', async () => {
    const ssl = server().sslRemote?.replace(/^ssl:/, 'tcp:') ?? '';
    await expect(ovsdbClient(['list-dbs', ssl], { timeoutMs: 3_000 })).rejects.toThrow();
  });

  it('seeds with ovn-nbctl and transactViaCli, visible in ovsdb-client dump', async () => {
    const s = server();
    await ovnNbctl(s.remote, 'ls-add', 'sw0');
    const res = await transactViaCli(s.remote, 'OVN_Northbound', [
      { op: 'insert', table: 'Logical_Switch', row: { name: 'sw1' } },
    ]);
    expect(res).toHaveLength(1);
    const dump = await ovsdbClient(['dump', '--format=json', s.remote, 'OVN_Northbound', 'Logical_Switch']);
    expect(dump).toContain('"sw0"');
    expect(dump).toContain('"sw1"');
    expect(
      (await ovnNbctl(s.remote, '--bare', '--columns=name', 'list', 'Logical_Switch'))
        .split(/\s+/)
        .filter(Boolean)
        .sort(),
    ).toEqual(['sw0', 'sw1']);
  });

  it('transactViaCli throws on an operation error', async () => {
    await expect(
      transactViaCli(server().remote, 'OVN_Northbound', [{ op: 'insert', table: 'No_Such_Table', row: {} }]),
    ).rejects.toThrow(/transaction failed|error/);
  });

  it('sigstop freezes the server and sigcont resumes it', async () => {
    const s = server();
    s.sigstop();
    try {
      await expect(ovsdbClient(['list-dbs', s.remote], { timeoutMs: 700 })).rejects.toThrow();
    } finally {
      s.sigcont();
    }
    expect(dbNames(await ovsdbClient(['list-dbs', s.remote]))).toContain('OVN_Northbound');
  });

  it('restart keeps data, pid changes, tcp/ssl ports stay', async () => {
    const s = server();
    const before = { pid: s.pid, tcp: s.tcpRemote, ssl: s.sslRemote };
    await s.restart();
    expect(s.pid).not.toBe(before.pid);
    expect(alive(before.pid)).toBe(false);
    expect(s.tcpRemote).toBe(before.tcp);
    expect(s.sslRemote).toBe(before.ssl);
    const tcp = s.tcpRemote ?? '';
    const dump = await ovsdbClient(['dump', '--format=json', tcp, 'OVN_Northbound', 'Logical_Switch']);
    expect(dump).toContain('"sw0"');
    const tls = s.tls;
    if (!tls) throw new Error('no tls');
    expect(dbNames(await ovsdbClient([...tlsArgs(tls), 'list-dbs', s.sslRemote ?? '']))).toContain('OVN_Northbound');
    expect(await s.log()).toMatch(/terminating with signal 15/);
  });

  it('stop kills the process and removes the dir', async () => {
    const s = server();
    const { pid, dir } = s;
    expect(alive(pid)).toBe(true);
    await s.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dir)).toBe(false);
    await s.stop(); // idempotent
    srv = undefined;
  });
});

describe('startOvsdbServer options and failures', () => {
  it('hosts several databases, unix only', async () => {
    const s = await startOvsdbServer({ schemas: [VSWITCH_SCHEMA, '/usr/share/ovn/ovn-sb.ovsschema'] });
    try {
      expect(s.tcpRemote).toBeUndefined();
      expect(s.databases).toEqual(['Open_vSwitch', 'OVN_Southbound']);
      expect(existsSync(s.dbPath('OVN_Southbound'))).toBe(true);
      expect(() => s.dbPath('nope')).toThrow();
      expect(dbNames(await ovsdbClient(['list-dbs', s.remote]))).toEqual(['OVN_Southbound', 'Open_vSwitch', '_Server']);
    } finally {
      await s.stop();
    }
  });

  it('a bad command line fails fast, cleans up and reports the output tail', async () => {
    const err: unknown = await startOvsdbServer({ extraArgs: ['--no-such-option'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OvsdbStartError);
    if (!(err instanceof OvsdbStartError)) return;
    expect(err.message).toMatch(/exited early/);
    expect(err.logTail).toMatch(/no-such-option/);
    expect(existsSync(err.dir)).toBe(false);
  });

  it('freePort returns a bindable port', async () => {
    const p = await freePort();
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(65536);
  });
});
