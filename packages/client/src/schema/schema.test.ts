import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseJson } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { columnOf, isComposite, isMap, isOptional, isScalar, parseDatabaseSchema, tableOf } from './schema.js';

const DEBIAN_SCHEMAS = [
  '/usr/share/ovn/ovn-nb.ovsschema',
  '/usr/share/ovn/ovn-sb.ovsschema',
  '/usr/share/openvswitch/vswitch.ovsschema',
];

describe('parseDatabaseSchema', () => {
  it.each(DEBIAN_SCHEMAS)('parses %s with every table and column', (path) => {
    const json = parseJson(readFileSync(path, 'utf8'));
    const schema = parseDatabaseSchema(json);
    const raw = json as { tables: Record<string, { columns: Record<string, unknown> }> };
    expect([...schema.tables.keys()].sort()).toEqual(Object.keys(raw.tables).sort());
    for (const [name, t] of Object.entries(raw.tables))
      expect([...tableOf(schema, name).columns.keys()].sort()).toEqual(Object.keys(t.columns).sort());
  });

  it('fills in defaults and reads every constraint of the OVN NB schema', () => {
    const nb = parseDatabaseSchema(parseJson(readFileSync(DEBIAN_SCHEMAS[0]!, 'utf8')));
    const acl = tableOf(nb, 'ACL');
    expect(acl.columns.get('priority')!.type).toEqual({
      key: { type: 'integer', minInteger: 0, maxInteger: 32767 },
      min: 1,
      max: 1,
    });
    expect(acl.columns.get('direction')!.type.key.enum).toEqual(['from-lport', 'to-lport']);
    expect(acl.columns.get('name')!.type).toMatchObject({ key: { type: 'string', maxLength: 63 }, min: 0, max: 1 });
    const ls = tableOf(nb, 'Logical_Switch');
    expect(ls.isRoot).toBe(true);
    expect(ls.columns.get('ports')!.type).toEqual({
      key: { type: 'uuid', refTable: 'Logical_Switch_Port', refType: 'strong' },
      min: 0,
      max: Infinity,
    });
    expect(isMap(ls.columns.get('other_config')!.type)).toBe(true);
    expect(tableOf(nb, 'Logical_Switch_Port').isRoot).toBe(false);
    expect(tableOf(nb, 'Logical_Switch_Port').indexes).toEqual([['name']]);
    expect(columnOf(ls, '_uuid')!.type.key.type).toBe('uuid');
    expect(columnOf(ls, 'nope')).toBeUndefined();
  });

  it('classifies column types the way ovsdb-server does', () => {
    const s = parseDatabaseSchema({
      name: 'T',
      tables: {
        t: {
          isRoot: true,
          columns: {
            a: { type: 'integer' },
            b: { type: { key: 'integer', min: 0, max: 1 } },
            c: { type: { key: 'string', min: 0, max: 'unlimited' } },
            d: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
            w: {
              type: { key: { type: 'uuid', refTable: 't', refType: 'weak' }, min: 0, max: 'unlimited' },
              mutable: false,
            },
            e: { type: 'string', ephemeral: true, mutable: false },
          },
        },
      },
    });
    const t = tableOf(s, 't');
    const type = (c: string) => t.columns.get(c)!.type;
    expect([
      isScalar(type('a')),
      isOptional(type('b')),
      isComposite(type('b')),
      isComposite(type('c')),
      isMap(type('d')),
    ]).toEqual([true, true, false, true, true]);
    // Weak references are forced mutable: the server removes dangling ones by mutating the column.
    expect(t.columns.get('w')!.mutable).toBe(true);
    expect(t.columns.get('e')).toMatchObject({ mutable: false, ephemeral: true });
  });

  it('makes every table a root when none says isRoot, as ovsdb-server does', () => {
    const s = parseDatabaseSchema({ name: 'Old', tables: { a: { columns: {} }, b: { columns: {} } } });
    expect([...s.tables.values()].map((t) => t.isRoot)).toEqual([true, true]);
  });

  it.each([
    [{ tables: {} }, /schema.name/],
    [{ name: 'X', tables: { t: { columns: { _x: { type: 'integer' } } } } }, /reserved/],
    [{ name: 'X', tables: { t: { columns: { x: { type: 'int' } } } } }, /unknown atomic type "int"/],
    [
      { name: 'X', tables: { t: { columns: { x: { type: { key: 'string', min: 2, max: 3 } } } } } },
      /min must be 0 or 1/,
    ],
    [
      { name: 'X', tables: { t: { columns: { x: { type: { key: 'string', min: 0, max: 0 } } } } } },
      /max must be at least 1/,
    ],
    [
      { name: 'X', tables: { t: { columns: { x: { type: { key: { type: 'uuid', refTable: 'nope' } } } } } } },
      /refTable "nope" is not a table/,
    ],
    [{ name: 'X', tables: { t: { columns: { x: { type: 'string' } }, indexes: [['y']] } } }, /unknown column "y"/],
    [
      { name: 'X', tables: { t: { columns: { x: { type: { key: { type: 'integer', enum: ['set', ['a']] } } } } } } },
      /enum\[0\]: expected an integer/,
    ],
  ])('refuses %j naming the problem', (json, message) => {
    expect(() => parseDatabaseSchema(json)).toThrow(OvsdbError);
    expect(() => parseDatabaseSchema(json)).toThrow(message);
  });
});
