import { describe, expect, it } from 'vitest';
import { parseDatabaseSchema, validateTransaction, type WireRow } from '@ovsdb-web/client/core';
import { buildOperations, columnMutations, asOvsdbClient } from './ops.js';
import { revertOf } from './session.js';
import type { PlanResponse } from '@ovsdb-web/protocol';

const schema = parseDatabaseSchema({
  name: 'N',
  version: '1.0.0',
  tables: {
    Switch: {
      columns: {
        name: { type: 'string' },
        ports: { type: { key: { type: 'uuid', refTable: 'Port' }, min: 0, max: 'unlimited' } },
        other_config: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
      isRoot: true,
      indexes: [['name']],
    },
    Port: {
      columns: {
        name: { type: 'string' },
        tag: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 } },
      },
    },
  },
});
const S = '11111111-1111-4111-8111-111111111111';
const P = '22222222-2222-4222-8222-222222222222';
const Q = '33333333-3333-4333-8333-333333333333';
const sw: WireRow = {
  _uuid: ['uuid', S],
  _version: ['uuid', '44444444-4444-4444-8444-444444444444'],
  name: 'sw0',
  ports: ['set', [['uuid', P]]],
  other_config: [
    'map',
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
};

describe('buildOperations', () => {
  it('turns a set change into one mutate with what was added and removed, guarded on that column', () => {
    const { operations, guards } = buildOperations(schema, [
      { kind: 'update', table: 'Switch', uuid: S, base: sw, values: { ...sw, ports: ['set', [['uuid', Q]]] } },
    ]);
    expect(operations).toEqual([
      {
        op: 'wait',
        table: 'Switch',
        where: [['_uuid', '==', ['uuid', S]]],
        columns: ['ports'],
        until: '==',
        rows: [{ ports: ['set', [['uuid', P]]] }],
        timeout: 0,
      },
      {
        op: 'mutate',
        table: 'Switch',
        where: [['_uuid', '==', ['uuid', S]]],
        mutations: [
          ['ports', 'delete', ['set', [['uuid', P]]]],
          ['ports', 'insert', ['set', [['uuid', Q]]]],
        ],
      },
    ]);
    expect(guards).toEqual([{ table: 'Switch', uuid: S, columns: ['ports'], operationIndex: 0, label: 'sw0' }]);
    expect(() => validateTransaction(schema, operations)).not.toThrow();
  });

  it('changes one map key without rewriting the others, and a scalar with an update', () => {
    expect(
      columnMutations(
        'other_config',
        schema.tables.get('Switch')!.columns.get('other_config')!.type,
        [
          'map',
          [
            ['a', '1'],
            ['b', '2'],
          ],
        ],
        [
          'map',
          [
            ['a', '9'],
            ['b', '2'],
          ],
        ],
      ),
    ).toEqual([
      ['other_config', 'delete', ['set', ['a']]],
      ['other_config', 'insert', ['map', [['a', '9']]]],
    ]);
    const { operations } = buildOperations(schema, [
      { kind: 'update', table: 'Switch', uuid: S, base: sw, values: { ...sw, name: 'sw1' } },
    ]);
    expect(operations.at(-1)).toEqual({
      op: 'update',
      table: 'Switch',
      where: [['_uuid', '==', ['uuid', S]]],
      row: { name: 'sw1' },
    });
  });

  it('inserts a row of a non-root table with the reference that keeps it', () => {
    const { operations, inserts } = buildOperations(schema, [
      { kind: 'insert', table: 'Port', values: { name: 'p9' }, parent: { table: 'Switch', uuid: S, column: 'ports' } },
    ]);
    expect(operations).toEqual([
      { op: 'insert', table: 'Port', 'uuid-name': 'new_port_0', row: { name: 'p9' } },
      {
        op: 'mutate',
        table: 'Switch',
        where: [['_uuid', '==', ['uuid', S]]],
        mutations: [['ports', 'insert', ['set', [['named-uuid', 'new_port_0']]]]],
      },
    ]);
    expect(inserts.get(0)).toBe(0);
    expect(() => validateTransaction(schema, operations)).not.toThrow();
  });

  it('deletes a non-root row by removing the references to it, guarded on every column as read', () => {
    const port: WireRow = {
      _uuid: ['uuid', P],
      _version: ['uuid', '55555555-5555-4555-8555-555555555555'],
      name: 'p1',
    };
    const { operations } = buildOperations(schema, [
      {
        kind: 'delete',
        table: 'Port',
        uuid: P,
        base: port,
        referrers: [{ table: 'Switch', uuid: S, column: 'ports' }],
      },
    ]);
    expect(operations).toEqual([
      {
        op: 'wait',
        table: 'Port',
        where: [['_uuid', '==', ['uuid', P]]],
        columns: ['name'],
        until: '==',
        rows: [{ name: 'p1' }],
        timeout: 0,
      },
      {
        op: 'mutate',
        table: 'Switch',
        where: [['_uuid', '==', ['uuid', S]]],
        mutations: [['ports', 'delete', ['set', [['uuid', P]]]]],
      },
    ]);
  });

  it('writes the ovsdb-client command with shell quoting', () => {
    expect(asOvsdbClient('N', [{ op: 'comment', comment: "it's" }])).toBe(
      `ovsdb-client transact '["N",{"op":"comment","comment":"it'\\''s"}]'`,
    );
  });
});

describe('revertOf', () => {
  it('puts back a deleted row with its uuid and its reference, guarded on what the commit left', () => {
    const plan: PlanResponse = {
      effects: [
        {
          table: 'Switch',
          uuid: S,
          kind: 'update',
          cause: 'operation',
          operationIndex: 1,
          columns: [{ column: 'ports', old: ['set', [['uuid', P]]], new: ['set', []] }],
          before: sw,
          after: { ...sw, ports: ['set', []] },
        },
        {
          table: 'Port',
          uuid: P,
          kind: 'delete',
          cause: 'unreferenced',
          columns: [],
          before: { _uuid: ['uuid', P], name: 'p1', tag: 7 },
        },
      ],
      problems: [],
      checks: [],
      newRows: {},
      caveats: [],
    };
    const r = revertOf(schema, plan, { operations: [], guards: [], inserts: new Map() }, []);
    expect(r.operations).toEqual([
      {
        op: 'wait',
        table: 'Switch',
        where: [['_uuid', '==', ['uuid', S]]],
        columns: ['ports'],
        until: '==',
        rows: [{ ports: ['set', []] }],
        timeout: 0,
      },
      {
        op: 'mutate',
        table: 'Switch',
        where: [['_uuid', '==', ['uuid', S]]],
        mutations: [['ports', 'insert', ['set', [['uuid', P]]]]],
      },
      {
        op: 'wait',
        table: 'Port',
        where: [['_uuid', '==', ['uuid', P]]],
        columns: ['_uuid'],
        until: '==',
        rows: [],
        timeout: 0,
      },
      { op: 'insert', table: 'Port', uuid: P, row: { name: 'p1', tag: 7 } },
    ]);
    expect(r.guards.map((g) => [g.table, g.operationIndex])).toEqual([
      ['Switch', 0],
      ['Port', 2],
    ]);
  });
});
