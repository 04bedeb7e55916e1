import { describe, expect, it } from 'vitest';
import type { MatchContext } from './context.js';
import { parseMatch } from './match.js';

const context: MatchContext = {
  addressSets: new Map([
    ['as4', ['10.0.0.1', '10.0.0.2']],
    ['as6', ['fd00::1']],
    ['empty', []],
  ]),
  portGroups: new Map([
    ['pg1', ['p1', 'p2']],
    ['elsewhere', ['q1']],
  ]),
  ports: new Set(['p1', 'p2', 'q1']),
};
const onSwitch: MatchContext = { ...context, datapathPorts: new Set(['p1', 'p2']) };

describe('parseMatch accepts what OVN accepts', () => {
  it.each([
    'ip4.dst == 192.168.0.1',
    'tcp.dst == {80, 443}',
    'tcp.dst == {80 443,}',
    '(eth.type == 0x800 || eth.type == 0x86dd) && ip.proto == 6',
    '!(ip4.src == 10.0.0.1)',
    '1024 <= tcp.src <= 49151',
    'vlan.present',
    '!ct.new',
    'eth.src == 00:11:22:33:44:55/ff:ff:ff:00:00:00',
    'ip6.src == fe80::/10',
    'reg0[0..3] == 5',
    'inport == "p1" && is_chassis_resident("p1")',
    'ip4.src == $as4 && outport == @pg1',
    'ip4.src == $unknown_set',
    '1',
    '0',
    'ip4 // comment',
    'ip4 /* c */ && tcp',
    '!(inport != "p1")',
  ])('%j', (text) => {
    expect(parseMatch(text).errors).toEqual([]);
    expect(parseMatch(text).ok).toBe(true);
  });
});

describe('parseMatch builds the tree', () => {
  it('keeps a value set with its braces and items', () => {
    expect(parseMatch('tcp.dst == {80, 443}').ast).toMatchObject({
      kind: 'cmp',
      field: { name: 'tcp.dst', low: 0, high: 15, sliced: false },
      op: '==',
      values: {
        braces: true,
        items: [
          { kind: 'integer', value: 80n },
          { kind: 'integer', value: 443n },
        ],
        start: 11,
        end: 20,
      },
      start: 0,
      end: 20,
    });
  });

  it('turns a constant-first comparison around and says so', () => {
    expect(parseMatch('1024 < tcp.src').ast).toMatchObject({
      kind: 'cmp',
      op: '>',
      constantFirst: true,
      opSpan: { start: 5, end: 6 },
    });
  });

  it('reads a chained comparison as a range of two comparisons', () => {
    expect(parseMatch('1024 <= tcp.src <= 49151').ast).toMatchObject({
      kind: 'and',
      range: true,
      operands: [
        { kind: 'cmp', op: '>=' },
        { kind: 'cmp', op: '<=' },
      ],
    });
  });

  it('keeps negation, bare tests, booleans and is_chassis_resident', () => {
    expect(parseMatch('!(ct.new && 1)').ast).toMatchObject({
      kind: 'not',
      operand: {
        kind: 'and',
        operands: [
          { kind: 'test', field: { name: 'ct.new' } },
          { kind: 'bool', value: true },
        ],
      },
    });
    expect(parseMatch('is_chassis_resident("lp")').ast).toMatchObject({
      kind: 'chassisResident',
      port: 'lp',
      portSpan: { start: 20, end: 24 },
    });
  });

  it('stores masked constants masked, remembering host bits', () => {
    expect(parseMatch('ip4.src == 10.1.2.3/8').ast).toMatchObject({
      values: { items: [{ kind: 'integer', format: 'ipv4', value: 0x0a000000n, mask: 0xff000000n, hostBits: true }] },
    });
  });

  it('records bit selections', () => {
    expect(parseMatch('reg0[4..7] == 5').ast).toMatchObject({
      field: { name: 'reg0', low: 4, high: 7, sliced: true, start: 0, end: 10 },
    });
  });

  it('unescapes strings like JSON', () => {
    expect(parseMatch('inport == "p\\u0031\\n"').ast).toMatchObject({
      values: { items: [{ kind: 'string', value: 'p1\n' }] },
    });
  });
});

describe('parseMatch rejects what OVN rejects, pointing at the spot', () => {
  it.each<[string, string, number, string, MatchContext?]>([
    ['tcp.dst = 80', 'syntax', 8, "Syntax error at `=' expecting relational operator."],
    ['ip4 && tcp || udp', 'mixed-and-or', 11, '&& and || must be parenthesized when used together.'],
    ['(ip4', 'syntax', 4, "Syntax error at end of input expecting `)'."],
    ['ip4)', 'syntax', 3, "Syntax error at `)' expecting end of input."],
    ['', 'syntax', 0, 'Syntax error at end of input expecting constant.'],
    [
      'ip4.src == 00:11:22:33:44:55',
      'constant-too-wide',
      11,
      '48-bit constant is not compatible with 32-bit field ip4.src.',
    ],
    ['tcp.dst == {80, 65536}', 'constant-too-wide', 16, '17-bit constant is not compatible with 16-bit field tcp.dst.'],
    [
      '!ip4',
      'nominal-predicate-negated',
      1,
      "Nominal predicate ip4 may only be tested positively, e.g. `ip4' or `ip4 == 1' but not `!ip4' or `ip4 == 0'.",
    ],
    [
      'inport != "p1"',
      'nominal-inequality',
      7,
      "Nominal field inport may only be tested for equality (taking enclosing `!' operators into account).",
    ],
    // ovn-sb(5) offers this as an example of required parentheses, but arp.op is nominal, so OVN 23.03 refuses it.
    ['!(arp.op == 1)', 'nominal-inequality', 9, 'Nominal field arp.op may only be tested for equality'],
    ['ip.ttl < 10', 'relational-on-nominal', 7, 'Only == and != operators may be used with nominal field ip.ttl.'],
    [
      'eth.bcast < 1',
      'relational-on-nominal',
      10,
      'Only == and != operators may be used with Boolean field eth.bcast.',
    ],
    ['ip4.src < 10.0.0.0/8', 'relational-on-masked', 10, 'Only == and != operators may be used with masked constants.'],
    ['tcp.dst < {80}', 'relational-on-set', 8, 'Only == and != operators may be used with value sets.'],
    [
      'tcp.dst < $empty',
      'relational-on-empty-set',
      10,
      'Only == and != operators may be used to compare a field against an empty value set.',
      context,
    ],
    [
      'tcp.dst',
      'bare-multibit-field',
      0,
      "Explicit `!= 0' is required for inequality test of multibit field against 0.",
    ],
    ['tcp.src[16]', 'bit-range-too-wide', 7, 'Cannot select bits 16 to 16 of 16-bit field tcp.src.'],
    ['tcp.src[3..0] == 1', 'invalid-bit-range', 7, 'Invalid bit range 3 to 0.'],
    ['ip.proto[0] == 1', 'subfield-of-nominal', 8, 'Cannot select subfield of nominal field ip.proto.'],
    ['inport[0] == 1', 'subfield-of-string', 6, 'Cannot select subfield of string field inport.'],
    ['tcp.src[x] == 1', 'syntax', 8, "Syntax error at `x' expecting small integer."],
    ['inport == 1', 'type-mismatch', 10, 'String field inport is not compatible with integer constant.'],
    ['tcp.dst == "80"', 'type-mismatch', 11, 'Integer field tcp.dst is not compatible with string constant.'],
    ['tcp.dst == {80, "x"}', 'syntax', 16, 'Syntax error at `"x"\' expecting integer.'],
    ['ipv4 && tcp', 'unknown-field', 0, "Syntax error at `ipv4' expecting field name."],
    ['tcp && reg10 == 1', 'unknown-field', 7, "Syntax error at `reg10' expecting field name."],
    ['foo("x")', 'unknown-function', 0, 'parsing function name'],
    ['!tcp.dst == 80', 'not-needs-parentheses', 0, 'Missing parentheses around operand of !.'],
    ['!!ip4', 'syntax', 1, "Syntax error at `!' expecting constant."],
    ['1024 <= tcp.src >= 49151', 'bad-range', 16, 'Range expressions must have the form'],
    ['2', 'syntax', 1, 'Syntax error at end of input expecting relational operator.'],
    ['tcp.dst == 1024..65535', 'syntax', 15, "Syntax error at `..' expecting end of input."],
    ['ip4 & tcp', 'lexical', 4, "`&' is only valid as part of `&&'."],
    ['tcp.dst == 65536 &', 'lexical', 17, "`&' is only valid as part of `&&'."],
    ['inport == "p\\x31"', 'lexical', 12, 'bad escape \\x'],
    ['ip4.src == 256.0.0.1', 'lexical', 11, 'Invalid numeric constant.'],
    ['ip4.src == $nope', 'unknown-address-set', 11, "Syntax error at `$nope' expecting address set name.", context],
    [
      'ip4.src == $as6',
      'constant-too-wide',
      11,
      '128-bit constant is not compatible with 32-bit field ip4.src.',
      context,
    ],
    ['outport == @nope', 'unknown-port-group', 11, "Syntax error at `@nope' expecting port group name.", context],
    [
      'outport == @elsewhere',
      'port-group-not-on-datapath',
      11,
      "Syntax error at `@elsewhere' expecting port group name.",
      onSwitch,
    ],
    [`${'('.repeat(101)}ip4${')'.repeat(101)}`, 'nesting-too-deep', 100, 'Parentheses nested too deeply.'],
  ])('%j → %s at %i', (text, code, column, message, ctx) => {
    const r = parseMatch(text, ctx);
    expect(r.ok).toBe(false);
    expect(r.ast).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code, column });
    expect(r.errors[0]?.message.startsWith(message)).toBe(true);
  });

  it("explains, beside OVN's words, why a port group does not resolve on a switch", () => {
    expect(parseMatch('outport == @elsewhere', onSwitch).errors[0]?.detail).toMatch(/no ports on this logical switch/);
  });

  it('tells `=` from `==` in the detail', () => {
    expect(parseMatch('tcp.dst = 80').errors[0]?.detail).toMatch(/Use `==`/);
  });

  it('leaves names unchecked without a context', () => {
    expect(parseMatch('ip4.src == $anything && outport == @any').ok).toBe(true);
  });
});
