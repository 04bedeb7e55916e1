import { describe, expect, it } from 'vitest';
import { hasHostBits, parseIpWithPrefix, parseLspAddress, parsePortSecurity } from './addresses.js';

describe('Logical_Switch_Port addresses', () => {
  it.each<[string, unknown]>([
    ['unknown', { kind: 'unknown' }],
    ['router', { kind: 'router' }],
    ['dynamic', { kind: 'dynamic' }],
    ['dynamic 192.168.0.1', { kind: 'dynamic', ipv4: { family: 4, value: 0xc0a80001n } }],
    ['dynamic 2001::1', { kind: 'dynamic', ipv6: { family: 6 } }],
    ['dynamic 192.168.0.1 2001::1', { kind: 'dynamic', ipv4: { family: 4 }, ipv6: { family: 6 } }],
    ['80:fa:5b:06:72:b7 dynamic', { kind: 'dynamic', mac: { value: 0x80fa5b0672b7n } }],
    ['80:fa:5b:06:72:b7', { kind: 'static', mac: { value: 0x80fa5b0672b7n, vrrpv3: false }, ips: [] }],
    [
      '80:fa:5b:06:72:b7 10.0.0.4 20.0.0.4',
      {
        kind: 'static',
        ips: [
          { family: 4, offset: 18 },
          { family: 4, offset: 27 },
        ],
      },
    ],
    ['80:fa:5b:06:72:b7 fdaa:15f2:72cf:0:f816:3eff:fe20:3f41', { kind: 'static', ips: [{ family: 6 }] }],
    ['80:fa:5b:06:72:b7 10.0.0.4/24', { kind: 'static', ips: [{ family: 4, prefix: 24 }] }],
    ['  00:00:5e:00:01:07   10.0.0.1 ', { kind: 'static', mac: { vrrpv3: true }, ips: [{ family: 4 }] }],
  ])('%j', (text, value) => {
    const r = parseLspAddress(text);
    expect(r.errors).toEqual([]);
    expect(r.value).toMatchObject(value as object);
  });

  it.each<[string, string, number]>([
    ['', 'empty', 0],
    ['UNKNOWN', 'bad-mac', 0],
    ['unknown 10.0.0.1', 'keyword-not-alone', 8],
    ['router 00:00:00:00:00:01', 'keyword-not-alone', 7],
    ['10.0.0.1 00:00:00:00:00:01', 'bad-mac', 0],
    ['00:00:00:00:00:0g 10.0.0.1', 'bad-mac', 0],
    ['00:00:00:00:00:01 10.0.0.300', 'bad-ip', 18],
    ['00:00:00:00:00:01 10.0.0.1 foo 10.0.0.2', 'bad-ip', 27],
    ['00:00:00:00:00:01 10.0.0.1/33', 'bad-ip', 18],
    ['dynamic fe80::5 10.0.0.5', 'bad-dynamic', 16],
    ['dynamic 10.0.0.5 10.0.0.6', 'bad-dynamic', 17],
    ['dynamic 10.0.0.5/24', 'bad-dynamic', 8],
    ['dynamic foo', 'bad-dynamic', 8],
  ])('rejects %j (%s at %i)', (text, code, offset) => {
    const r = parseLspAddress(text);
    expect(r.errors[0]).toMatchObject({ code, offset });
  });

  it.each<[string, string]>([
    ['01:00:00:00:00:01', 'multicast-mac'],
    ['00:00:00:00:00:00', 'zero-mac'],
    ['00:00:00:00:00:01 10.0.0.1 10.0.0.1', 'repeated-ip'],
    ['00:00:00:00:00:01 10.0.0.1,10.0.0.2', 'comma-separated'],
  ])('warns about %j (%s)', (text, code) => {
    const r = parseLspAddress(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toEqual([code]);
  });

  it('hints at the usual mistakes', () => {
    expect(parseLspAddress('Dynamic').errors[0]?.message).toMatch(/lower case: `dynamic`/);
    expect(parseLspAddress('10.0.0.1').errors[0]?.message).toMatch(/must come before the IP addresses/);
  });
});

describe('Logical_Switch_Port port_security', () => {
  it('reads "MAC [IP/PREFIX …]"', () => {
    const r = parsePortSecurity('80:fa:5b:06:72:b7 192.168.1.10/24 fd00::/64');
    expect(r.errors).toEqual([]);
    expect(r.value).toMatchObject({
      mac: { value: 0x80fa5b0672b7n },
      ips: [
        { family: 4, prefix: 24 },
        { family: 6, prefix: 64 },
      ],
    });
  });

  it.each<[string, string]>([
    ['unknown', 'keyword-in-port-security'],
    ['dynamic', 'keyword-in-port-security'],
    ['192.168.1.10', 'bad-mac'],
    ['80:fa:5b:06:72:b7 192.168.1.10/255.0.255.0', 'bad-ip'],
    ['', 'empty'],
  ])('rejects %j (%s)', (text, code) => {
    expect(parsePortSecurity(text).errors[0]?.code).toBe(code);
  });

  it('accepts a contiguous dotted netmask as a CIDR mask', () => {
    expect(parsePortSecurity('80:fa:5b:06:72:b7 192.168.1.10/255.255.255.0').value?.ips[0]?.prefix).toBe(24);
  });

  it('warns that OVN stops at a comma even though ovn-nb(5) allows it', () => {
    const r = parsePortSecurity('80:fa:5b:06:72:b7 10.0.0.1,10.0.0.2');
    expect(r.warnings.map((w) => w.code)).toEqual(['comma-separated']);
    expect(r.value?.ips).toHaveLength(2);
  });
});

describe('IP with prefix', () => {
  it('knows host bits', () => {
    expect(hasHostBits(parseIpWithPrefix('10.0.0.1/8') ?? { family: 4, value: 0n, text: '', offset: 0 })).toBe(true);
    expect(
      hasHostBits(parseIpWithPrefix('10.0.0.0/8') ?? { family: 4, value: 1n, prefix: 32, text: '', offset: 0 }),
    ).toBe(false);
    expect(parseIpWithPrefix('fd00::1/129')).toBeUndefined();
  });
});
