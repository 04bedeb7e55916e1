import { describe, expect, it } from 'vitest';
import { matchSpace, spaceCovers, spacesOverlap, type MatchSpace } from './constraints.js';
import type { MatchContext } from './context.js';
import { parseMatch } from './match.js';

const context: MatchContext = {
  addressSets: new Map([['as4', ['10.0.0.1', '10.0.0.2']]]),
  portGroups: new Map([['pg1', ['p1', 'p2']]]),
};

function space(text: string): MatchSpace {
  const ast = parseMatch(text, context).ast;
  if (!ast) throw new Error(`does not parse: ${text}`);
  const s = matchSpace(ast, context);
  if (!s) throw new Error(`not analysable: ${text}`);
  return s;
}

describe('matchSpace', () => {
  it.each<[string, string]>([
    ['ip4', 'ip4 && tcp.dst == 80'],
    ['tcp.dst >= 1024', 'tcp.dst == 8080'],
    ['1024 <= tcp.dst <= 2048', 'tcp.dst == 1500'],
    ['ip4.src == 10.0.0.0/8', 'ip4.src == 10.1.0.0/16'],
    ['ip', 'ip6.src == ::1'],
    ['tcp', 'tcp.dst == {80, 443}'],
    ['ip4.src == $as4', 'ip4.src == 10.0.0.2'],
    ['outport == @pg1', 'outport == "p2"'],
    ['ct.est', 'ct.est && !ct.rel'],
    ['reg0[0..7] == 5', 'reg0 == 5'],
    ['!(tcp.dst == 80) && tcp', 'tcp.dst == 81'],
    ['1', 'arp'],
  ])('%j covers %j', (outer, inner) => {
    expect(spaceCovers(space(outer), space(inner))).toBe(true);
  });

  it.each<[string, string]>([
    ['ip4 && tcp.dst == 80', 'ip4'],
    ['tcp.dst == 8080', 'tcp.dst >= 1024'],
    ['ip4.src == 10.1.0.0/16', 'ip4.src == 10.0.0.0/8'],
    ['ip4.src == 10.0.0.1', 'ip4.src == $as4'],
  ])('%j does not cover %j', (outer, inner) => {
    expect(spaceCovers(space(outer), space(inner))).toBe(false);
  });

  it.each<[string, string, boolean]>([
    ['tcp.dst == 80', 'udp.dst == 80', false],
    ['tcp.dst == 80', 'tcp.dst != 80 && tcp', false],
    ['ip4.src == 10.0.0.0/8', 'ip4.src == 10.1.2.3', true],
    ['inport == "a"', 'inport == "b"', false],
    ['inport == {"a", "b"}', 'inport == "b"', true],
    ['1024 <= tcp.dst <= 2048', 'tcp.dst == 3000', false],
    ['ip4', 'ip6', false],
    ['ip', 'arp', false],
    ['ct.new', '!ct.new', false],
    ['tcp.dst > 1000', 'tcp.dst < 1001', false],
    ['tcp.dst > 1000', 'tcp.dst < 1002', true],
  ])('%j and %j overlap: %s', (a, b, expected) => {
    expect(spacesOverlap(space(a), space(b))).toBe(expected);
  });

  it('finds contradictions through prerequisites', () => {
    const s = space('arp && ip4.src == 10.0.0.1');
    expect(s.conjunctions).toEqual([]);
    expect([...s.conflicts]).toEqual(['eth.type']);
  });

  it('gives up instead of guessing', () => {
    const opaque = (text: string): MatchSpace | undefined => {
      const ast = parseMatch(text).ast;
      return ast ? matchSpace(ast, {}) : undefined;
    };
    expect(opaque('is_chassis_resident("p1")')).toBeUndefined();
    expect(opaque('ip4.src == $unknown')).toBeUndefined();
    expect(opaque('ip4.src == 10.0.0.1')).toBeDefined();
  });
});
