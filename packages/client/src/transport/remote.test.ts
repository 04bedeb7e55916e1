import { describe, expect, it } from 'vitest';
import { formatRemote, formatRemotes, parseRemote, parseRemotes, RemoteSyntaxError, type Remote } from './remote.js';

describe('parseRemotes', () => {
  const good: [string, Remote][] = [
    ['unix:/var/run/ovn/ovnnb_db.sock', { kind: 'unix', path: '/var/run/ovn/ovnnb_db.sock' }],
    ['unix:relative.sock', { kind: 'unix', path: 'relative.sock' }],
    ['tcp:127.0.0.1:6641', { kind: 'tcp', host: '127.0.0.1', port: 6641 }],
    ['tcp:ovn-central.example:6641', { kind: 'tcp', host: 'ovn-central.example', port: 6641 }],
    ['ssl:10.0.0.5:6642', { kind: 'ssl', host: '10.0.0.5', port: 6642 }],
    ['tcp:[::1]:6641', { kind: 'tcp', host: '::1', port: 6641 }],
    ['ssl:[fe80::1%eth0]:1', { kind: 'ssl', host: 'fe80::1%eth0', port: 1 }],
    ['tcp:host:65535', { kind: 'tcp', host: 'host', port: 65535 }],
  ];

  it.each(good)('parses %s and formats it back', (text, remote) => {
    expect(parseRemote(text)).toEqual(remote);
    expect(parseRemotes(text)).toEqual([remote]);
    expect(formatRemote(remote)).toBe(text);
  });

  it('defaults the port to 6640 as OVS does', () => {
    expect(parseRemote('tcp:10.1.1.1')).toEqual({ kind: 'tcp', host: '10.1.1.1', port: 6640 });
    expect(parseRemote('ssl:[::1]')).toEqual({ kind: 'ssl', host: '::1', port: 6640 });
  });

  it('parses comma-separated lists, tolerating spaces around entries', () => {
    const list = parseRemotes('tcp:a:1, ssl:[::2]:2 ,unix:/x.sock');
    expect(list).toEqual([
      { kind: 'tcp', host: 'a', port: 1 },
      { kind: 'ssl', host: '::2', port: 2 },
      { kind: 'unix', path: '/x.sock' },
    ]);
    expect(formatRemotes(list)).toBe('tcp:a:1,ssl:[::2]:2,unix:/x.sock');
  });

  const bad: [string, string, RegExp][] = [
    ['', '', /empty remote/],
    ['tcp:a:1,,tcp:b:2', '', /empty entry/],
    ['localhost', 'localhost', /expected "unix:PATH"/],
    ['http:a:1', 'http:a:1', /unknown method "http:"/],
    ['unix:', 'unix:', /missing socket path/],
    ['tcp::6641', 'tcp::6641', /missing host/],
    ['tcp:a:', 'tcp:a:', /port "" is not a number/],
    ['tcp:a:x1', 'tcp:a:x1', /port "x1" is not a number/],
    ['tcp:a:0', 'tcp:a:0', /out of range/],
    ['tcp:a:70000', 'tcp:a:70000', /out of range/],
    ['tcp:::1:6641', 'tcp:::1:6641', /must be written in brackets/],
    ['tcp:[::1:6641', 'tcp:[::1:6641', /unterminated "\["/],
    ['tcp:[::1]6641', 'tcp:[::1]6641', /unexpected "6641" after "]"/],
    ['tcp:[host]:1', 'tcp:[host]:1', /not an IPv6 address/],
    ['tcp:a:1,bogus', 'bogus', /expected "unix:PATH"/],
  ];

  it.each(bad)('rejects %j naming the bad part', (text, part, pattern) => {
    let err: unknown;
    try {
      parseRemotes(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RemoteSyntaxError);
    const e = err as RemoteSyntaxError;
    expect(e.part).toBe(part);
    expect(e.input).toBe(text);
    expect(e.message).toMatch(pattern);
  });

  it.each(['punix:/tmp/db.sock', 'ptcp:6641', 'ptcp:6641:127.0.0.1', 'pssl:6642'])(
    'explains that %s is a listening remote',
    (text) => {
      expect(() => parseRemotes(text)).toThrow(RemoteSyntaxError);
      expect(() => parseRemotes(text)).toThrow(/listening \(passive\) remote.*a client needs "(unix|tcp|ssl):"/);
    },
  );

  it('parseRemote refuses a list', () => {
    expect(() => parseRemote('tcp:a:1,tcp:b:2')).toThrow(/single remote/);
  });
});
