import { describe, expect, it } from 'vitest';
import type { MatchContext } from './context.js';
import { parseMatch } from './match.js';

const context: MatchContext = {
  addressSets: new Map([
    ['as4', ['10.0.0.1', '10.0.0.2']],
    ['as6', ['fd00::1']],
    ['mixed', ['10.0.0.1', 'fd00::1']],
    ['empty', []],
    ['junk', ['not-an-address']],
  ]),
  portGroups: new Map([
    ['pg1', ['p1']],
    ['none', []],
  ]),
  ports: new Set(['p1', 'q1']),
};
const onSwitch: MatchContext = { ...context, datapathPorts: new Set(['p1']) };

const codes = (text: string, ctx: MatchContext = context): string[] =>
  parseMatch(text, ctx).warnings.map((w) => w.code);

describe('match warnings', () => {
  it.each<[string, string, number, MatchContext?]>([
    ['ip4.src == 10.0.0.1/8', 'host-bits-set', 11],
    ['tcp.src[0..3] == 0xffff', 'constant-truncated', 17],
    ['eth.src == 10.0.0.1', 'address-family-mismatch', 11],
    ['ip6.dst == 10.0.0.1', 'address-family-mismatch', 11],
    ['arp.sha == 10.0.0.1', 'address-family-mismatch', 11],
    ['ip6.src == $as4', 'address-family-mismatch', 11],
    ['ip4.src == $empty', 'empty-address-set', 11],
    ['ip4.src == $junk', 'empty-address-set', 11],
    ['ip6.src == $mixed', 'address-set-mixed-families', 11],
    ['outport == @none', 'empty-port-group', 11],
    ['inport == "nope"', 'unknown-port', 10],
    ['is_chassis_resident("nope")', 'unknown-port', 20],
    ['inport == "q1"', 'port-not-on-switch', 10, onSwitch],
    ['tcp && udp.dst == 53', 'never-matches', 0],
    ['ip4 && ip6.src == ::1', 'never-matches', 0],
    ['arp && tcp', 'never-matches', 0],
    ['tcp.dst == 80 && tcp.dst == 443', 'never-matches', 0],
    ['icmp4.frag_mtu == 1500', 'ovn-field-in-match', 0],
  ])('%j warns %s at %i', (text, code, column, ctx = context) => {
    const r = parseMatch(text, ctx);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => [w.code, w.column])).toContainEqual([code, column]);
  });

  it.each([
    'ip4.src == 10.0.0.0/8 && tcp.dst == 80',
    'inport == "p1" && ip4',
    'ip4.src == $as4',
    'ip6.src == $as6',
    'outport == @pg1',
    'tcp || udp',
    'ip4 && tcp.dst == 80',
    'reg0 == 10.0.0.1',
    'tcp.src[0..3] == 0xf',
    'outport == "_MC_flood"',
    '0',
    'eth.src == 00:00:00:00:00:01',
  ])('%j draws no warning', (text) => {
    expect(codes(text)).toEqual([]);
  });

  it('says why a match never holds, naming the field', () => {
    expect(parseMatch('tcp && udp').warnings[0]?.message).toMatch(/ip\.proto/);
  });

  it('needs a context for name checks and stays quiet without one', () => {
    expect(codes('inport == "nope" && ip4.src == $empty', {})).toEqual([]);
  });

  it('reports warnings in text order', () => {
    expect(codes('eth.src == 10.0.0.1 && ip4.src == 10.0.0.1/8')).toEqual(['address-family-mismatch', 'host-bits-set']);
  });
});
