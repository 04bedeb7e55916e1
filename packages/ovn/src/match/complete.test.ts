import { describe, expect, it } from 'vitest';
import { completeMatch } from './complete.js';
import type { MatchContext } from './context.js';

const context: MatchContext = {
  addressSets: new Map([
    ['web_ips', ['10.0.0.1']],
    ['web6', ['fd00::1']],
    ['db', []],
  ]),
  portGroups: new Map([
    ['pg_web', ['lp1']],
    ['pg_db', []],
  ]),
  ports: new Set(['lp1', 'lp2', 'other']),
};

const labels = (text: string, cursor = text.length, ctx: MatchContext = context): string[] =>
  completeMatch(text, cursor, ctx).items.map((i) => i.label);

describe('completeMatch', () => {
  it('completes field names from the typed prefix and replaces the whole token', () => {
    expect(labels('ip4.s')).toEqual(['ip4.src', 'ip4.src_mcast']);
    expect(completeMatch('tcp && ip4.s', 12, context)).toMatchObject({ from: 7, to: 12 });
  });

  it('offers predicates and functions with what they are', () => {
    const c = completeMatch('is_', 3, context);
    expect(c.items).toEqual([
      { label: 'is_chassis_resident(', kind: 'function', detail: expect.stringMatching(/chassis/) },
    ]);
    expect(completeMatch('tc', 2).items.map((i) => [i.label, i.kind])).toEqual([
      ['tcp', 'predicate'],
      ['tcp.dst', 'field'],
      ['tcp.flags', 'field'],
      ['tcp.src', 'field'],
    ]);
  });

  it('completes the token under the cursor, not only at the end', () => {
    expect(completeMatch('ct.e && ip4', 4, context)).toMatchObject({ from: 0, to: 4, items: [{ label: 'ct.est' }] });
  });

  it('completes $address sets after `$`', () => {
    expect(labels('ip4.src == $w')).toEqual(['$web6', '$web_ips']);
    expect(labels('ip4.src == $')).toEqual(['$db', '$web6', '$web_ips']);
  });

  it('completes @port groups after `@`', () => {
    expect(labels('outport == @pg_w')).toEqual(['@pg_web']);
  });

  it('completes port names inside the string of an inport/outport comparison', () => {
    expect(labels('inport == "lp')).toEqual(['"lp1"', '"lp2"']);
    expect(labels('outport == {"lp1", "o')).toEqual(['"other"']);
    expect(labels('eth.type == "l')).toEqual([]);
  });

  it('offers values after a comparison operator', () => {
    expect(labels('inport == ')).toEqual(['"lp1"', '"lp2"', '"other"', '@pg_db', '@pg_web']);
    expect(labels('ip4.src == ')).toEqual(['$db', '$web6', '$web_ips']);
  });

  it('offers every symbol where a new term starts', () => {
    const all = labels('ip4 && ');
    expect(all).toContain('tcp.dst');
    expect(all).toContain('is_chassis_resident(');
    expect(labels('')).toEqual(all);
  });

  it('offers nothing inside a comment or after a complete term', () => {
    expect(labels('ip4 /* tc', 9)).toEqual([]);
    expect(labels('ip4 ')).toEqual([]);
  });

  it('has no names to offer without a context', () => {
    expect(labels('ip4.src == $', undefined, {})).toEqual([]);
  });
});
