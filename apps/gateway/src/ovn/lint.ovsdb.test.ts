/**
 * `ovsdb-web lint` on a real ovsdb-server seeded with ovn-nbctl: each mistake planted is reported, with its
 * row and reason, and nothing else; the exit status says whether there was an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '@ovsdb-web/client';
import {
  aclOnPortGroupArgs,
  ovnNbctl,
  startOvsdbServer,
  OVN_NB_SCHEMA,
  type OvsdbServerProcess,
} from '@ovsdb-web/testing';
import { lintMain } from './lint-cli.js';

let server: OvsdbServerProcess;
const nb = (...a: string[]) => ovnNbctl(server.unixRemote!, ...a);

async function lint(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await lintMain(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  await nb(
    'ls-add',
    'sw0',
    '--',
    'lsp-add',
    'sw0',
    'p1',
    '--',
    'lsp-set-addresses',
    'p1',
    '0a:00:00:00:00:01 10.0.0.1',
  );
  await nb('lsp-add', 'sw0', 'p2', '--', 'lsp-set-addresses', 'p2', '0a:00:00:00:00:02 10.0.0.2');
  await nb('pg-add', 'web', 'p1', 'p2', '--', 'create', 'Address_Set', 'name=allowed', 'addresses="10.1.0.0/16"');
  await nb(
    'acl-add',
    'web',
    'to-lport',
    '1000',
    'outport == @web && ip4.src == $allowed && tcp.dst == 80',
    'allow-related',
  );
});
afterAll(async () => server?.stop());

describe('ovsdb-web lint', () => {
  it('a clean database: nothing to report, exit 0', async () => {
    const r = await lint(['--remote', `nb=${server.unixRemote!}`]);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/0 error\(s\), 0 warning\(s\) in 1 ACLs, 2 ports/);
  });

  it('reports each planted mistake with its row and reason, and nothing else', async () => {
    await nb(
      ...aclOnPortGroupArgs('web', [
        'name=typo',
        'direction=to-lport',
        'priority=900',
        'match="outport == @web && tpc.dst == 22"',
        'action=drop',
      ]),
    );
    await nb(
      ...aclOnPortGroupArgs('web', [
        'name=noset',
        'direction=to-lport',
        'priority=800',
        'match="outport == @web && ip4.src == $nosuchset"',
        'action=drop',
      ]),
    );
    await nb(
      ...aclOnPortGroupArgs('web', [
        'name=twin',
        'direction=to-lport',
        'priority=1000',
        'match="outport == @web && ip4.src == $allowed && tcp.dst == 80"',
        'action=allow-related',
      ]),
    );
    await nb(
      ...aclOnPortGroupArgs('web', [
        'name=metered',
        'direction=to-lport',
        'priority=700',
        'match="outport == @web"',
        'action=drop',
        'log=true',
        'meter=nosuchmeter',
      ]),
    );
    await nb(
      ...aclOnPortGroupArgs('web', [
        'name=wide',
        'direction=from-lport',
        'priority=2000',
        'match="inport == @web && ip4"',
        'action=drop',
      ]),
    );
    await nb(
      ...aclOnPortGroupArgs('web', [
        'name=hidden',
        'direction=from-lport',
        'priority=1500',
        'match="inport == @web && ip4 && tcp"',
        'action=allow',
      ]),
    );
    // ovn-nbctl's lsp-set-addresses refuses a duplicate IP; a plain `set` (as any other client) does not.
    await nb(
      'lsp-add',
      'sw0',
      'p3',
      '--',
      'set',
      'Logical_Switch_Port',
      'p3',
      'addresses="0a:00:00:00:00:03 10.0.0.2"',
    );
    const r = await lint(['--remote', server.unixRemote!, '--json']);
    const problems = parseJson(r.out) as {
      severity: string;
      table: string;
      uuid: string;
      column?: string;
      code: string;
      message: string;
    }[];
    const nameOf = async (table: string, uuid: string): Promise<string> =>
      (await nb('--bare', '--columns=name', 'list', table, uuid)).trim();
    const found = await Promise.all(
      problems.map(async (p) => `${p.severity} ${p.code} ${await nameOf(p.table, p.uuid)}`),
    );
    expect(found.sort()).toEqual(
      [
        'error unknown-field typo',
        'error unknown-address-set noset',
        // Each of the twins is reported (the one acl-add made has no name).
        'error acl-duplicate ',
        'error acl-duplicate twin',
        'error acl-meter-missing metered',
        'error lsp-duplicate-ip p2',
        'error lsp-duplicate-ip p3',
        'warning acl-shadowed hidden',
      ].sort(),
    );
    expect(r.code).toBe(1);
    const text = await lint(['--remote', server.unixRemote!]);
    expect(text.out.trim().split('\n')).toHaveLength(problems.length);
    expect(text.out).toMatch(
      /^error\tACL\t[0-9a-f-]{36}\tmatch\tunknown-field\tSyntax error at `tpc.dst' expecting field name\./m,
    );
  });
});
