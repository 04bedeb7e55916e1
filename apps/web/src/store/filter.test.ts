import { describe, expect, it } from 'vitest';
import { parseDatabaseSchema, type WireRow } from '@ovsdb-web/client/core';
import { parseFilterText, tokenize } from './filter.js';
import { RowReader } from './rows.js';

const table = parseDatabaseSchema({
  name: 'N',
  version: '1.0.0',
  tables: {
    Port: {
      columns: {
        name: { type: 'string' },
        addresses: { type: { key: 'string', min: 0, max: 'unlimited' } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        tag: { type: { key: 'integer', min: 0, max: 1 } },
      },
    },
  },
}).tables.get('Port')!;
const row = (name: string, addr: string, pod: string, tag?: number): WireRow => ({
  _uuid: ['uuid', '8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01'],
  name,
  addresses: ['set', [addr]],
  external_ids: ['map', [['k8s.ovn.org/pod', pod]]],
  tag: ['set', tag === undefined ? [] : [tag]],
});

describe('filter box', () => {
  it('splits at spaces outside quotes, brackets and braces', () => {
    expect(
      tokenize('web  addresses{>=}"0a:00 10.0.0.1" external_ids:a=[x, y] "two words"').map((t) => [t.text, t.start]),
    ).toEqual([
      ['web', 0],
      ['addresses{>=}"0a:00 10.0.0.1"', 5],
      ['external_ids:a=[x, y]', 35],
      ['"two words"', 57],
    ]);
  });

  it('mixes free text and find clauses, all of which must hold', () => {
    const reader = new RowReader(table);
    const f = parseFilterText('FRONTEND external_ids:k8s.ovn.org/pod=ns/web tag>=3', table, reader);
    expect(f.problem).toBeUndefined();
    expect(f.words).toEqual(['frontend']);
    expect(f.test?.(row('frontend-1', '0a:00:00:00:00:01 10.0.0.1', 'ns/web', 3))).toBe(true);
    expect(f.test?.(row('frontend-1', '0a:00:00:00:00:01 10.0.0.1', 'ns/web', 2))).toBe(false);
    expect(f.test?.(row('frontend-1', '0a:00:00:00:00:01 10.0.0.1', 'ns/db', 3))).toBe(false);
    expect(f.test?.(row('db-1', '0a:00:00:00:00:01 10.0.0.1', 'ns/web', 3))).toBe(false);
  });

  it('takes RFC 7047 conditions as JSON', () => {
    const reader = new RowReader(table);
    const f = parseFilterText('  [["name","==","db-1"]]', table, reader);
    expect(f.test?.(row('db-1', '', ''))).toBe(true);
    expect(f.test?.(row('db-2', '', ''))).toBe(false);
  });

  it.each([
    ['tag>=three', { message: '"three" is not an integer', offset: 5, length: 5 }],
    ['web nosuch=1', { message: 'no column nosuch in table Port', offset: 4, length: 6 }],
    ['name:k=v', { message: 'name is not a map, so it has no keys', offset: 4, length: 2 }],
    ['[["name","==",]]', { message: 'not valid JSON: unexpected character', offset: 14, length: 1 }],
    ['  [["name","~",1]]', { message: expect.stringMatching(/~/), offset: 2, length: 16 }],
  ])('says where %s is wrong', (text, problem) => {
    const f = parseFilterText(text, table, new RowReader(table));
    expect(f.problem).toEqual(problem);
    expect(f.test).toBeUndefined();
  });
});
