/**
 * How filters and sort specs report mistakes: a FilterError whose `reason` says what is wrong and whose
 * `offset` points into the clause as written, so an editor can underline the spot. Judged against the
 * OVN Northbound schema as Debian ships it. (Which rows a clause selects is checked against ovn-nbctl in
 * find.ovsdb.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OVN_NB_SCHEMA } from '@ovsdb-web/testing';
import { parseDatabaseSchema, type TableSchema } from '../schema/schema.js';
import type { Json } from '../wire/json.js';
import type { Row } from '../data/value.js';
import { FilterError, MAX_FILTER_DEPTH, parseFilter, parseFindClause, parseSort } from './find.js';

const schema = parseDatabaseSchema(JSON.parse(readFileSync(OVN_NB_SCHEMA, 'utf8')) as Json);
const table = (name: string): TableSchema => schema.tables.get(name)!;
const LSP = table('Logical_Switch_Port');
const ACL = table('ACL');

function errorOf(fn: () => unknown): FilterError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FilterError) return err;
    throw err;
  }
  throw new Error('no FilterError');
}

/** reason and offset of the FilterError a find clause on Logical_Switch_Port gives. */
const clauseError = (clause: string, t = LSP): { reason: string; offset: number } => {
  const { reason, offset } = errorOf(() => parseFindClause(t, clause));
  return { reason, offset };
};

describe('parseFindClause: what is wrong, and where', () => {
  it.each([
    ['nosuch=1', 'no column nosuch in table Logical_Switch_Port', 0],
    ['  nosuch=1', 'no column nosuch in table Logical_Switch_Port', 2],
    ['Name=p1', 'no column Name in table Logical_Switch_Port', 0],
    ['name:k=v', 'name is not a map, so it has no keys', 4],
    ['tag_request:1=2', 'tag_request is not a map, so it has no keys', 11],
  ])('a column that is not there or has no keys: %s', (clause, reason, offset) => {
    expect(clauseError(clause)).toEqual({ reason, offset });
  });

  it.each([['name~p1'], ['name'], ['  name'], ['=p1'], ['name{in}p1'], ['external_ids:k v=1'], ['9name=p1']])(
    'no operator where one must be: %j',
    (clause) => {
      expect(clauseError(clause)).toEqual({
        reason: 'expected COLUMN[:KEY]OP VALUE with OP one of {!=} {<=} {>=} {=} {<} {>} != <= >= = < >',
        offset: clause.length - clause.trimStart().length,
      });
    },
  );

  it.each([
    ['name="p1', 5],
    ['addresses=[router, "00:00', 19],
    ['external_ids:"k=v', 13],
    ['external_ids:k="v', 15],
  ])('an unterminated quote is marked where it opens: %s', (clause, offset) => {
    expect(clauseError(clause)).toEqual({ reason: 'unterminated quoted string', offset });
  });

  it.each([
    ['tag_request=five', '"five" is not an integer', 12],
    ['tag_request=[1.5]', '"1.5" is not an integer', 13],
    ['tag_request="5"', '"\\"5\\"" is not an integer', 12],
    ['priority=0x10', '"0x10" is not an integer', 9],
    ['tag_request=5-4', '"5-4" is not a valid range: it ends before it starts', 12],
    ['tag_request{<=}1-5000', '"1-5000" is a range of more than 4096', 15],
  ])('integers: %s', (clause, reason, offset) => {
    expect(clauseError(clause, clause.startsWith('priority') ? ACL : LSP)).toEqual({ reason, offset });
  });

  it('an integer beyond int64 is refused at its start', () => {
    const e = clauseError('priority=99999999999999999999', ACL);
    expect(e.offset).toBe(9);
    expect(e.reason).toMatch(/expected integer/);
  });

  it.each([
    ['enabled=maybe', '"maybe" is not true or false', 8],
    ['dhcpv4_options=nope', expect.stringMatching(/not a valid UUID|expected uuid/i), 15],
    ['addresses={}', 'unexpected "{"', 10],
    ['external_ids=[]', 'unexpected "["', 13],
    ['addresses=00:00:00:00:00:01', 'unexpected ":"', 12],
    ['external_ids={k}', 'expected key=value in a map', 15],
    ['external_ids:=x', 'missing value (write "" for the empty string)', 13],
    ['name="bad\\q"', 'bad escape in a quoted string', 5],
    ['name="p1"x', 'unexpected text after the closing quote', 5],
    ['name=p1\\', 'backslash at the end of the clause', 7],
  ])('values of the wrong type or shape: %s', (clause, reason, offset) => {
    expect(clauseError(clause)).toEqual({ reason, offset });
  });

  it.each([
    ['name=', 'missing value', 5],
    ['addresses=  ', 'missing value (write [] for an empty set)', 12],
    ['external_ids=', 'missing value (write {} for an empty map)', 13],
    ['name=[]', '0 values, but the column needs at least 1', 5],
    ['name=p1 p2', '2 values, but the column holds at most 1', 5],
    ['tag_request=[1,2]', '2 values, but the column holds at most 1', 12],
    ['addresses=[a, a]', 'the set has a duplicate value', 10],
    ['external_ids={k=1, k=2}', 'the map has a duplicate key', 13],
    ['addresses=[a', 'missing ] at the end of the set', 12],
    ['external_ids={k=v', 'missing } at the end of the map', 17],
    ['name=[p1]x', 'unexpected text after the value: "x"', 9],
    ['name=p1]', 'unexpected "]"', 7],
  ])('how many values, and their brackets: %s', (clause, reason, offset) => {
    expect(clauseError(clause)).toEqual({ reason, offset });
  });

  it('names the clause in the message', () => {
    const e = errorOf(() => parseFindClause(LSP, 'tag_request=five'));
    expect(e.name).toBe('FilterError');
    expect(e.clause).toBe('tag_request=five');
    expect(e.message).toBe('filter "tag_request=five": "five" is not an integer');
  });

  it('a clause it accepts is typed for the column, or for one value of the map key', () => {
    expect(parseFindClause(LSP, 'tag_request<=+7')).toMatchObject({ column: 'tag_request', op: '<=', value: [7] });
    expect(parseFindClause(LSP, 'name = p1 ')).toMatchObject({ column: 'name', op: '=', value: 'p1' });
    expect(parseFindClause(LSP, 'enabled=off')).toMatchObject({ value: [false] });
    expect(parseFindClause(LSP, 'addresses{>=}b, "a c" a')).toMatchObject({ op: '{>=}', value: ['a', 'a c', 'b'] });
    const keyed = parseFindClause(LSP, 'external_ids:"k8s.ovn.org/pod"{<=}[ns/a ns/b]');
    expect(keyed).toMatchObject({ column: 'external_ids', key: 'k8s.ovn.org/pod', value: ['ns/a', 'ns/b'] });
    expect(keyed.type).toMatchObject({ key: { type: 'string' }, min: 0, max: Infinity });
    expect(parseFindClause(LSP, 'external_ids:a\\:b=c').key).toBe('a:b');
    expect(parseFindClause(LSP, 'external_ids={b=2, a=1}').value).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
  });
});

describe('parseFilter', () => {
  it('ignores empty clauses, and an empty filter has no predicates', () => {
    expect(parseFilter(LSP, [])).toEqual([]);
    expect(parseFilter(LSP, ['', '   ', '\t'])).toEqual([]);
    const [p, ...rest] = parseFilter(LSP, ['', 'name=p1', ' ']);
    expect(rest).toEqual([]);
    expect(p?.({ name: 'p1' })).toBe(true);
    expect(p?.({ name: 'p2' })).toBe(false);
  });

  it('takes RFC 7047 conditions as JSON when a clause starts with [', () => {
    const [p] = parseFilter(ACL, ['  [["priority", ">=", 1000], ["action", "==", "drop"]]']);
    expect(p?.({ priority: 1001, action: 'drop' })).toBe(true);
    expect(p?.({ priority: 1001, action: 'allow' })).toBe(false);
    expect(p?.({ priority: 999, action: 'drop' })).toBe(false);
  });

  it.each([
    ['[["name","==",]]', 14],
    ['  [["name","==",]]', 16],
    ['[["name","==","p1"]', 19],
    ['[["name","==","p1"]] x', 21],
  ])('points at the JSON syntax error in %j', (clause, offset) => {
    const e = errorOf(() => parseFilter(LSP, [clause]));
    expect(e.reason).toMatch(/^not valid JSON: /);
    expect(e.offset).toBe(offset);
    expect(e.clause).toBe(clause);
  });

  it.each([
    ['[["nosuch","==",1]]', 0, /nosuch/],
    ['  [["name","~","p1"]]', 2, /~/],
    ['[["tag_request","<","x"]]', 0, /integer/],
    ['[["name","=="]]', 0, /./],
  ])('marks the start of conditions that parse but mean nothing: %j', (clause, offset, reason) => {
    const e = errorOf(() => parseFilter(LSP, [clause]));
    expect(e.reason).toMatch(reason);
    expect(e.reason).not.toMatch(/^not valid JSON/);
    expect(e.offset).toBe(offset);
  });

  it(`refuses JSON nested deeper than ${MAX_FILTER_DEPTH} at the first bracket too deep`, () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    const e = errorOf(() => parseFilter(LSP, [` ${deep(MAX_FILTER_DEPTH + 1)}`]));
    expect(e.reason).toBe(`not valid JSON: nested more than ${MAX_FILTER_DEPTH} levels deep`);
    expect(e.offset).toBe(1 + MAX_FILTER_DEPTH);
    // At the limit the JSON is read, and then refused as conditions.
    const atLimit = errorOf(() => parseFilter(LSP, [deep(MAX_FILTER_DEPTH)]));
    expect(atLimit.reason).not.toMatch(/^not valid JSON/);
    // Brackets inside strings do not count.
    expect(() => parseFilter(LSP, [`[["name","==","${'['.repeat(100)}"]]`])).not.toThrow();
  });

  it('stops at the first bad clause', () => {
    const e = errorOf(() => parseFilter(LSP, ['name=p1', 'tag_request=x', 'nosuch=1']));
    expect(e.clause).toBe('tag_request=x');
  });
});

describe('parseSort', () => {
  const U = (n: number): string => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
  const acl = (uuid: number, priority: number, direction: string, severity: string[] = []): Row => ({
    _uuid: U(uuid),
    priority,
    direction,
    severity,
  });
  const rows = [
    acl(5, 1000, 'to-lport'),
    acl(2, 1000, 'from-lport', ['info']),
    acl(9, 10, 'to-lport', ['alert']),
    acl(1, 32767, 'from-lport'),
    acl(7, 1000, 'to-lport'),
  ];
  const order = (spec: string): string[] => [...rows].sort(parseSort(ACL, spec)).map((r) => r._uuid as string);

  it('sorts ascending and breaks ties by _uuid', () => {
    expect(order('priority')).toEqual([U(9), U(2), U(5), U(7), U(1)]);
  });

  it('sorts descending with -, and still breaks ties by ascending _uuid', () => {
    expect(order('-priority')).toEqual([U(1), U(2), U(5), U(7), U(9)]);
  });

  it('takes several keys, each in its own direction', () => {
    expect(order('direction,-priority')).toEqual([U(1), U(2), U(5), U(7), U(9)]);
    expect(order(' -direction , priority ')).toEqual([U(9), U(5), U(7), U(2), U(1)]);
  });

  it('puts an empty optional value first, as ovsdb-server orders values', () => {
    expect(order('severity')).toEqual([U(1), U(5), U(7), U(9), U(2)]);
  });

  it('an empty spec is _uuid order', () => {
    expect(order('')).toEqual([U(1), U(2), U(5), U(7), U(9)]);
    expect(order(' , ')).toEqual([U(1), U(2), U(5), U(7), U(9)]);
  });

  it.each([
    ['nosuch', 'nosuch', 0],
    ['priority,-nosuch', 'nosuch', 10],
    ['priority,prio', 'prio', 9],
    ['name, -nam', 'nam', 7],
  ])('names an unknown column and where it is: %j', (spec, name, offset) => {
    const e = errorOf(() => parseSort(ACL, spec));
    expect({ reason: e.reason, offset: e.offset, message: e.message }).toEqual({
      reason: `no column ${name} in table ACL`,
      offset,
      message: `sort ${JSON.stringify(spec)}: no column ${name} in table ACL`,
    });
  });
});
