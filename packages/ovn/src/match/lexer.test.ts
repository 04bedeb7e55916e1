import { describe, expect, it } from 'vitest';
import { lexMatch, type MatchTokenKind } from './lexer.js';

type Expected = readonly [MatchTokenKind, number, number];

const kinds = (text: string): Expected[] => lexMatch(text).map((t) => [t.kind, t.start, t.end]);

describe('lexMatch', () => {
  it.each<[string, Expected[]]>([
    [
      'ip4.src == 10.0.0.0/8',
      [
        ['field', 0, 7],
        ['operator', 8, 10],
        ['ipv4', 11, 21],
      ],
    ],
    [
      'eth.src == 00:11:22:33:44:55',
      [
        ['field', 0, 7],
        ['operator', 8, 10],
        ['macAddress', 11, 28],
      ],
    ],
    [
      'ip6.dst == fe80::1',
      [
        ['field', 0, 7],
        ['operator', 8, 10],
        ['ipv6', 11, 18],
      ],
    ],
    [
      'ip6.dst == ::1/128',
      [
        ['field', 0, 7],
        ['operator', 8, 10],
        ['ipv6', 11, 18],
      ],
    ],
    [
      'inport == "p1"',
      [
        ['field', 0, 6],
        ['operator', 7, 9],
        ['string', 10, 14],
      ],
    ],
    [
      'ip4.src == $as4',
      [
        ['field', 0, 7],
        ['operator', 8, 10],
        ['addressSet', 11, 15],
      ],
    ],
    [
      'outport == @pg1',
      [
        ['field', 0, 7],
        ['operator', 8, 10],
        ['portGroup', 11, 15],
      ],
    ],
    [
      'tcp && !udp',
      [
        ['predicate', 0, 3],
        ['operator', 4, 6],
        ['operator', 7, 8],
        ['predicate', 8, 11],
      ],
    ],
    [
      'tcp.dst=={80,0x1bb}',
      [
        ['field', 0, 7],
        ['operator', 7, 9],
        ['punctuation', 9, 10],
        ['number', 10, 12],
        ['punctuation', 12, 13],
        ['number', 13, 18],
        ['punctuation', 18, 19],
      ],
    ],
    [
      'reg0[0..3]',
      [
        ['field', 0, 4],
        ['punctuation', 4, 5],
        ['number', 5, 6],
        ['operator', 6, 8],
        ['number', 8, 9],
        ['punctuation', 9, 10],
      ],
    ],
    [
      'ct.new || ct.est',
      [
        ['field', 0, 6],
        ['operator', 7, 9],
        ['field', 10, 16],
      ],
    ],
    [
      'is_chassis_resident("p")',
      [
        ['function', 0, 19],
        ['punctuation', 19, 20],
        ['string', 20, 23],
        ['punctuation', 23, 24],
      ],
    ],
    [
      'foo < 1',
      [
        ['identifier', 0, 3],
        ['operator', 4, 5],
        ['number', 6, 7],
      ],
    ],
    [
      'ip4 // to the end',
      [
        ['predicate', 0, 3],
        ['comment', 4, 17],
      ],
    ],
    [
      '/* c */ ip4',
      [
        ['comment', 0, 7],
        ['predicate', 8, 11],
      ],
    ],
    [
      'ip4 // one\n&& tcp',
      [
        ['predicate', 0, 3],
        ['comment', 4, 10],
        ['operator', 11, 13],
        ['predicate', 14, 17],
      ],
    ],
    [
      '1.2.3.4:80',
      [
        ['ipv4', 0, 7],
        ['punctuation', 7, 8],
        ['number', 8, 10],
      ],
    ],
    [
      'a = b; c <-> d--',
      [
        ['identifier', 0, 1],
        ['operator', 2, 3],
        ['identifier', 4, 5],
        ['punctuation', 5, 6],
        ['identifier', 7, 8],
        ['operator', 9, 12],
        ['identifier', 13, 14],
        ['operator', 14, 16],
      ],
    ],
  ])('classifies %j', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  it.each<[string, number, number, string]>([
    ['ip4 & tcp', 4, 5, "`&' is only valid as part of `&&'."],
    ['ip4 | tcp', 4, 5, "`|' is only valid as part of `||'."],
    ['inport == "p1', 10, 13, 'Input ends inside quoted string.'],
    ['ip4 /* open', 4, 11, "`/*' without matching `*/'."],
    ['ip4 / tcp', 4, 5, "`/' is only valid as part of `//' or `/*'."],
    ['#', 0, 1, "Invalid character `#' in input."],
    ['é', 0, 1, 'Invalid byte 0x-61 in input.'],
    ['ip4.src == 10.0.0.300', 11, 21, 'Invalid numeric constant.'],
    ['tcp.dst == 0x', 11, 13, 'Hex digits expected following 0x.'],
    ['tcp.dst == 08', 11, 13, 'Decimal constants must not have leading zeros.'],
    ['tcp.dst == 18446744073709551616', 11, 31, 'Decimal constants must be less than 2**64.'],
    ['ip4.src == 10.0.0.0/33', 11, 22, 'Value and mask have incompatible formats.'],
    ['ip4.src == 10.0.0.0/', 11, 20, 'Integer constant expected.'],
    ['$1', 0, 1, "`$' must be followed by a valid identifier."],
    ['@', 0, 1, "`@' must be followed by a valid identifier."],
    ['.', 0, 1, "`.' is only valid as part of `..' or a number."],
    ['outport == "\\q"', 11, 15, 'bad escape \\q'],
  ])('marks %j as an error token at [%i, %i)', (text, start, end, message) => {
    const bad = lexMatch(text).find((t) => t.kind === 'error');
    expect(bad).toMatchObject({ start, end, message });
  });

  it('keeps going after an error token, as OVN does', () => {
    expect(kinds('# ip4')).toEqual([
      ['error', 0, 1],
      ['predicate', 2, 5],
    ]);
  });

  it('reads a masked constant as one token and CIDR as a mask', () => {
    expect(lexMatch('10.0.0.1/8')).toEqual([{ kind: 'ipv4', start: 0, end: 10, text: '10.0.0.1/8' }]);
  });

  it('tells Ethernet and IPv6 addresses that start with a letter from identifiers', () => {
    expect(kinds('ab:cd:ef:01:02:03 abc fe80::1')).toEqual([
      ['macAddress', 0, 17],
      ['identifier', 18, 21],
      ['ipv6', 22, 29],
    ]);
  });
});
