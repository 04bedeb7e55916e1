import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from './ipv4.js';
import { formatIpv6, parseIpv6 } from './ipv6.js';
import { formatMac, isMulticastMac, isVrrpV3Mac, parseMac, scanOvsMac } from './mac.js';

describe('IPv4 (as glibc inet_pton reads it)', () => {
  it.each<[string, bigint]>([
    ['10.0.0.1', 0x0a000001n],
    ['0.0.0.0', 0n],
    ['255.255.255.255', 0xffffffffn],
    ['192.168.1.10', 0xc0a8010an],
  ])('%s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each(['256.0.0.1', '010.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.a', '', ' 1.2.3.4'])(
    'rejects %j',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
    },
  );
});

describe('IPv6 (as glibc inet_pton reads it)', () => {
  it.each<[string, bigint, string]>([
    ['::', 0n, '::'],
    ['::1', 1n, '::1'],
    ['fe80::1', (0xfe80n << 112n) | 1n, 'fe80::1'],
    ['2001:DB8::1', (0x20010db8n << 96n) | 1n, '2001:db8::1'],
    ['1:2:3:4:5:6:7:8', 0x00010002000300040005000600070008n, '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:7::', 0x00010002000300040005000600070000n, '1:2:3:4:5:6:7:0'],
    ['::ffff:10.0.0.1', 0xffff0a000001n, '::ffff:a00:1'],
    ['1:0:0:2:0:0:0:3', 0x00010000000000020000000000000003n, '1:0:0:2::3'],
  ])('%s', (text, value, canonical) => {
    expect(parseIpv6(text)).toBe(value);
    expect(formatIpv6(value)).toBe(canonical);
  });

  it.each([
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::1',
    ':1',
    '1:',
    'fe80::1%eth0',
    '1:2:3:4:5:6:7:8::',
    '::1.2.3',
    'g::1',
  ])('rejects %j', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });
});

describe('Ethernet addresses', () => {
  it('parses and formats', () => {
    expect(parseMac('00:11:22:aa:BB:cc')).toBe(0x001122aabbccn);
    expect(parseMac('0:1:2:3:4:5')).toBe(0x000102030405n);
    expect(formatMac(0x000102030405n)).toBe('00:01:02:03:04:05');
  });

  it.each(['00:11:22:33:44', '00:11:22:33:44:55:66', '00-11-22-33-44-55', '000:11:22:33:44:55', 'gg:11:22:33:44:55'])(
    'rejects %j',
    (text) => {
      expect(parseMac(text)).toBeUndefined();
    },
  );

  it('knows the group bit and VRRPv3 virtual MACs', () => {
    expect(isMulticastMac(0x010000000000n)).toBe(true);
    expect(isMulticastMac(0x020000000000n)).toBe(false);
    expect(isVrrpV3Mac(0x00005e000101n)).toBe(true);
    expect(isVrrpV3Mac(0x00005e000201n)).toBe(true);
    expect(isVrrpV3Mac(0x00005e000301n)).toBe(false);
  });

  it("scans like OVS's %hhx format inside the lexer: 0x prefixes, extra digits, truncation", () => {
    expect(scanOvsMac('000:01:02:03:04:5')).toEqual({ value: 0x000102030405n, end: 17 });
    expect(scanOvsMac('0x0:11:22:33:44:5')).toEqual({ value: 0x001122334405n, end: 17 });
    expect(scanOvsMac('fff:1:2:3:4:5')?.value).toBe(0xff0102030405n);
    expect(scanOvsMac('00:11:22:33:44')).toBeUndefined();
  });
});
