import { describe, expect, it } from 'vitest';
import { UsageError } from '@ovsdb-web/client';
import { checkExposure, parseDemoArgs, parseListen, parseServeArgs } from './config.js';
import { TokenStore, sha256Hex, tokenFrom } from './plugins/auth.js';
import { main } from './cli.js';

describe('serve flags', () => {
  it('reads remotes, listen address, TLS files and monitor selections', () => {
    const cfg = parseServeArgs(
      [
        '--remote',
        'nb=unix:/run/ovn/ovnnb_db.sock',
        '--remote=sb=ssl:10.0.0.1:6642,ssl:10.0.0.2:6642',
        '--listen',
        '[::1]:9000',
        '--tls-key',
        'k.pem',
        '--tls-cert',
        'c.pem',
        '--tls-ca',
        'ca.pem',
        '--read-only',
        '--tables',
        'OVN_Northbound=ACL,Port_Group',
        '--columns',
        'OVN_Northbound.ACL=priority,match',
      ],
      {},
    );
    expect(cfg.remotes).toEqual([
      { name: 'nb', remote: 'unix:/run/ovn/ovnnb_db.sock' },
      { name: 'sb', remote: 'ssl:10.0.0.1:6642,ssl:10.0.0.2:6642' },
    ]);
    expect(cfg.listen).toEqual({ host: '::1', port: 9000 });
    expect(cfg.tls).toEqual({ key: 'k.pem', cert: 'c.pem', ca: 'ca.pem' });
    expect(cfg.readOnly).toBe(true);
    expect(cfg.tables.get('OVN_Northbound')).toEqual(['ACL', 'Port_Group']);
    expect(cfg.columns.get('OVN_Northbound.ACL')).toEqual(['priority', 'match']);
  });

  it('falls back to environment variables', () => {
    const cfg = parseServeArgs([], {
      OVSDB_WEB_REMOTES: 'a=tcp:127.0.0.1:6641 b=unix:/x.sock',
      OVSDB_WEB_LISTEN: '127.0.0.2:8081',
      OVSDB_WEB_READ_ONLY: '1',
    });
    expect(cfg.remotes.map((r) => r.name)).toEqual(['a', 'b']);
    expect(cfg.listen).toEqual({ host: '127.0.0.2', port: 8081 });
    expect(cfg.readOnly).toBe(true);
  });

  it.each([
    [[], /at least one --remote/],
    [['--remote', 'unix:/x.sock'], /expected NAME=REMOTE/],
    [['--remote', 'nb=tcpp:1.2.3.4:1'], /--remote "nb=tcpp:1.2.3.4:1"/],
    [['--remote', 'nb=ptcp:6641'], /listening \(passive\) remote/],
    [['--remote', 'a=unix:/x', '--remote', 'a=unix:/y'], /used twice/],
    [['--remote', 'a=unix:/x', '--listen', '8080'], /expected HOST:PORT/],
    [['--remote', 'a=unix:/x', '--listen', '1.2.3.4:99999'], /out of range/],
    [['--remote', 'a=ssl:1.2.3.4:6641'], /needs --tls-key, --tls-cert and --tls-ca/],
    [['--remote', 'a=unix:/x', '--frobnicate'], /unknown flag --frobnicate/],
    [['--remote', 'a=unix:/x', '--auth'], /--auth needs a value/],
    [['--remote', 'a=unix:/x', '--transact-rate', '-3'], /--transact-rate "-3"/],
    [['--remote', 'a=unix:/x', '--tables', 'OVN_Northbound'], /expected DB=Table1,Table2/],
  ])('refuses %j with a clear error', (argv, message) => {
    expect(() => parseServeArgs(argv, {})).toThrow(UsageError);
    expect(() => parseServeArgs(argv, {})).toThrow(message);
  });

  it('listens only on loopback without an auth file', () => {
    expect(() => checkExposure({ listen: parseListen('0.0.0.0:8080') })).toThrow(/only listens on loopback/);
    expect(() => checkExposure({ listen: parseListen('0.0.0.0:8080'), authFile: 'auth.json' })).not.toThrow();
    expect(() => checkExposure({ listen: parseListen('127.0.0.1:8080') })).not.toThrow();
  });

  it('reads demo sizes', () => {
    expect(parseDemoArgs(['--nodes', '3', '--pods-per-node', '7', '--churn', '0'], {})).toMatchObject({
      nodes: 3,
      podsPerNode: 7,
      churnRate: 0,
    });
    expect(() => parseDemoArgs(['--nodes', '0'], {})).toThrow(/--nodes "0": expected a positive integer/);
  });
});

describe('auth file', () => {
  const hash = sha256Hex('another-long-token-123');
  it('maps tokens and token hashes to names and roles', () => {
    const store = TokenStore.parse(
      JSON.stringify({
        tokens: [
          { name: 'ann', role: 'editor', token: 'ann-secret-token-1234' },
          { name: 'bob', role: 'viewer', tokenSha256: hash },
        ],
      }),
      'auth.json',
    );
    expect(store.identify('ann-secret-token-1234')).toEqual({ name: 'ann', role: 'editor' });
    expect(store.identify('another-long-token-123')).toEqual({ name: 'bob', role: 'viewer' });
    expect(store.identify('nope')).toBeUndefined();
  });
  it.each([
    ['not json', /not valid JSON/],
    ['{"tokens":[]}', /at least one token/],
    [
      '{"tokens":[{"name":"a","role":"root","token":"0123456789abcdef"}]}',
      /tokens\[0\] \(a\): "role" must be one of viewer, editor, admin/,
    ],
    ['{"tokens":[{"name":"a","role":"viewer"}]}', /exactly one of "token" and "tokenSha256"/],
    ['{"tokens":[{"name":"a","role":"viewer","token":"short"}]}', /at least 16 characters/],
    ['{"tokens":[{"name":"a","role":"viewer","tokenSha256":"abc"}]}', /64 hex digits/],
    [
      '{"tokens":[{"name":"a","role":"viewer","token":"0123456789abcdef"},{"name":"b","role":"admin","token":"0123456789abcdef"}]}',
      /listed twice/,
    ],
  ])('refuses %s', (text, message) => {
    expect(() => TokenStore.parse(text, 'auth.json')).toThrow(message);
  });
  it('reads the token from the header or the WebSocket subprotocol', () => {
    expect(tokenFrom({ authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFrom({ 'sec-websocket-protocol': 'ovsdb-web.v1, bearer.xyz' })).toBe('xyz');
    expect(tokenFrom({})).toBeUndefined();
  });
  it('names a missing auth file at startup', async () => {
    await expect(TokenStore.load('/nonexistent/auth.json')).rejects.toThrow(
      /--auth \/nonexistent\/auth.json: cannot read it \(ENOENT\)/,
    );
  });
});

describe('ovsdb-web command', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) } };
  };
  it('prints usage and exits 2 on a bad flag or command', async () => {
    const a = io();
    expect(await main(['serve', '--remote', 'x'], a.io)).toBe(2);
    expect(a.err.join('')).toMatch(/^ovsdb-web: --remote "x": expected NAME=REMOTE/);
    const b = io();
    expect(await main(['launch'], b.io)).toBe(2);
    expect(b.err.join('')).toMatch(/unknown command "launch"/);
    const c = io();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/ovsdb-web serve --remote NAME=REMOTE/);
  });
  it('refuses a bad auth file at startup, naming it', async () => {
    const a = io();
    expect(
      await main(
        ['serve', '--remote', 'nb=unix:/nonexistent.sock', '--auth', '/nonexistent/auth.json', '--log-level', 'silent'],
        a.io,
      ),
    ).toBe(2);
    expect(a.err.join('')).toMatch(/--auth \/nonexistent\/auth.json: cannot read it/);
  });
});
