/**
 * The cache appliers against the frames ovsdb-server 3.1.0 really sent (conformance §4, uuids filled in),
 * RFC 7047 `update` semantics, snapshot replacement and the all-or-nothing rule for bad messages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OVN_NB_SCHEMA } from '@ovsdb-web/testing';
import { parseJson, type Json } from '../wire/json.js';
import { MisuseError, OvsdbError, type MisuseKind } from '../wire/errors.js';
import { parseDatabaseSchema, type DatabaseSchema } from '../schema/schema.js';
import { parseConditions } from '../data/condition.js';
import type { Row } from '../data/value.js';
import { DatabaseCache, type RowChange } from './database-cache.js';
import { TableCache, resolveColumns } from './table-cache.js';

const NB: DatabaseSchema = parseDatabaseSchema(parseJson(readFileSync(OVN_NB_SCHEMA, 'utf8')));

const LS1 = '86aeb4c8-0000-4000-8000-000000000001';
const LSP1 = 'eb4a1cd7-0000-4000-8000-000000000002';
const LSP2 = '6710e48d-0000-4000-8000-000000000003';
const LSP3 = 'd17fa74e-0000-4000-8000-000000000004';

/** The columns monitored in the captured session (conformance §4). */
function capturedCache(): DatabaseCache {
  const ls = NB.tables.get('Logical_Switch')!;
  const lsp = NB.tables.get('Logical_Switch_Port')!;
  return new DatabaseCache('OVN_Northbound', [
    new TableCache(ls, resolveColumns(ls, ['name', 'ports', 'other_config']).columns),
    new TableCache(
      lsp,
      resolveColumns(lsp, ['name', 'addresses', 'dynamic_addresses', 'tag_request', 'options']).columns,
    ),
  ]);
}

/** Plain JSON-friendly view of a row for `toEqual` (maps as objects). */
function plain(row: Row | undefined): Record<string, unknown> | undefined {
  if (!row) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Map ? Object.fromEntries(v) : v;
  return out;
}

function summary(changes: readonly RowChange[]): string[] {
  return changes
    .map((c) => `${c.table}:${c.kind}:${c.uuid.slice(0, 8)}${c.columns ? `:${[...c.columns].sort().join(',')}` : ''}`)
    .sort();
}

/** Everything the cache holds, deep-copied, to prove a failed apply changed nothing. */
function snapshot(cache: DatabaseCache): Map<string, Map<string, Row>> {
  return new Map([...cache.tables].map(([name, t]) => [name, new Map(t.tableRows())]));
}

const INSERT_FRAME: Json = {
  Logical_Switch: {
    [LS1]: {
      insert: {
        name: 'ls1',
        other_config: [
          'map',
          [
            ['a', '1'],
            ['b', '2'],
          ],
        ],
        ports: ['uuid', LSP1],
      },
    },
  },
  Logical_Switch_Port: {
    [LSP1]: {
      insert: { addresses: '00:00:00:00:00:01 10.0.0.1', dynamic_addresses: 'x', name: 'lsp1', tag_request: 5 },
    },
  },
};
// mutate: ports += lsp2, other_config delete a, insert {c:3, b:999} (insert never overwrites b);
// lsp1 addresses += 02, -= "01 10.0.0.1", tag_request += 10.
const MUTATE_FRAME: Json = {
  Logical_Switch: {
    [LS1]: {
      modify: {
        other_config: [
          'map',
          [
            ['a', '1'],
            ['c', '3'],
          ],
        ],
        ports: ['uuid', LSP2],
      },
    },
  },
  Logical_Switch_Port: {
    [LSP2]: { insert: { name: 'lsp2' } },
    [LSP1]: { modify: { addresses: ['set', ['00:00:00:00:00:01 10.0.0.1', '00:00:00:00:00:02']], tag_request: 15 } },
  },
};
// update other_config to {b:20, c:3}; dynamic_addresses set to "y".
const UPDATE_FRAME: Json = {
  Logical_Switch: { [LS1]: { modify: { other_config: ['map', [['b', '20']]] } } },
  Logical_Switch_Port: { [LSP1]: { modify: { dynamic_addresses: 'y' } } },
};

describe('applyUpdate2 on the captured update3 frames', () => {
  it('fills omitted columns of inserted rows with their defaults', () => {
    const cache = capturedCache();
    const changes = cache.applyUpdate2(INSERT_FRAME);
    expect(summary(changes)).toEqual([`Logical_Switch:insert:86aeb4c8`, `Logical_Switch_Port:insert:eb4a1cd7`]);
    expect(plain(cache.table('Logical_Switch').get(LS1))).toEqual({
      _uuid: LS1,
      name: 'ls1',
      ports: [LSP1],
      other_config: { a: '1', b: '2' },
    });
    expect(plain(cache.table('Logical_Switch_Port').get(LSP1))).toEqual({
      _uuid: LSP1,
      name: 'lsp1',
      addresses: ['00:00:00:00:00:01 10.0.0.1'],
      dynamic_addresses: ['x'],
      tag_request: [5],
      options: {},
    });
  });

  it('toggles set members, adds/removes map pairs, and takes scalars and max-1 columns as new values', () => {
    const cache = capturedCache();
    cache.applyUpdate2(INSERT_FRAME);
    const oldLsp1 = cache.table('Logical_Switch_Port').get(LSP1);
    const changes = cache.applyUpdate2(MUTATE_FRAME);
    expect(summary(changes)).toEqual([
      'Logical_Switch:modify:86aeb4c8:other_config,ports',
      'Logical_Switch_Port:insert:6710e48d',
      'Logical_Switch_Port:modify:eb4a1cd7:addresses,tag_request',
    ]);
    expect(plain(cache.table('Logical_Switch').get(LS1))).toMatchObject({
      ports: [LSP2, LSP1],
      other_config: { b: '2', c: '3' },
    });
    expect(plain(cache.table('Logical_Switch_Port').get(LSP2))).toEqual({
      _uuid: LSP2,
      name: 'lsp2',
      addresses: [],
      dynamic_addresses: [],
      tag_request: [],
      options: {},
    });
    const lsp1 = cache.table('Logical_Switch_Port').get(LSP1);
    expect(plain(lsp1)).toMatchObject({
      addresses: ['00:00:00:00:00:02'],
      tag_request: [15],
      dynamic_addresses: ['x'],
    });
    // The change carries both snapshots; the old one is the object the cache held before.
    const mod = changes.find((c) => c.uuid === LSP1)!;
    expect(mod.old).toBe(oldLsp1);
    expect(mod.new).toBe(lsp1);

    cache.applyUpdate2(UPDATE_FRAME);
    // A map key with a different value is replaced, not toggled.
    expect(plain(cache.table('Logical_Switch').get(LS1))).toMatchObject({ other_config: { b: '20', c: '3' } });
    expect(plain(cache.table('Logical_Switch_Port').get(LSP1))).toMatchObject({ dynamic_addresses: ['y'] });
  });

  it('replaces a map value and adds a key, and removes a set member given as a bare atom', () => {
    const cache = capturedCache();
    cache.applyUpdate2({
      Logical_Switch_Port: {
        [LSP3]: { insert: { name: 'p', addresses: ['set', ['a', 'b']], options: ['map', [['x', '1']]] } },
      },
    });
    cache.applyUpdate2({
      Logical_Switch_Port: {
        [LSP3]: {
          modify: {
            addresses: 'a',
            options: [
              'map',
              [
                ['x', '2'],
                ['y', '3'],
              ],
            ],
          },
        },
      },
    });
    expect(plain(cache.table('Logical_Switch_Port').get(LSP3))).toMatchObject({
      addresses: ['b'],
      options: { x: '2', y: '3' },
    });
    // A max-1 column emptied: the new value is the empty set.
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP3]: { modify: { tag_request: 7 } } } });
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP3]: { modify: { tag_request: ['set', []] } } } });
    expect(cache.table('Logical_Switch_Port').get(LSP3)!.tag_request).toEqual([]);
  });

  it('applies the monitor_cond_change frame: insert with defaults, delete null', () => {
    const cache = capturedCache();
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP3]: { insert: { name: 'gone' } } } });
    const changes = cache.applyUpdate2({
      Logical_Switch_Port: {
        [LSP1]: { insert: { name: 'lsp1', addresses: '00:00:00:00:00:02' } },
        [LSP3]: { delete: null },
      },
    });
    expect(summary(changes)).toEqual(['Logical_Switch_Port:delete:d17fa74e', 'Logical_Switch_Port:insert:eb4a1cd7']);
    expect(changes.find((c) => c.kind === 'delete')!.old!.name).toBe('gone');
    expect(cache.table('Logical_Switch_Port').size).toBe(1);
    // Deleting a row the cache never held is not an error (and reports nothing).
    expect(cache.applyUpdate2({ Logical_Switch_Port: { [LSP3]: { delete: null } } })).toEqual([]);
  });

  it('keeps indexes in step with the rows', () => {
    const cache = capturedCache();
    cache.applyUpdate2(INSERT_FRAME);
    cache.applyUpdate2(MUTATE_FRAME);
    expect(
      cache
        .table('Logical_Switch_Port')
        .lookup('name', 'lsp2')
        .map((r) => r._uuid),
    ).toEqual([LSP2]);
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP2]: { modify: { name: 'renamed' } } } });
    expect(cache.table('Logical_Switch_Port').lookup('name', 'lsp2')).toEqual([]);
    expect(
      cache
        .table('Logical_Switch_Port')
        .lookup('name', 'renamed')
        .map((r) => r._uuid),
    ).toEqual([LSP2]);
  });

  it('ignores tables and columns it does not monitor', () => {
    const cache = capturedCache();
    cache.applyUpdate2(INSERT_FRAME);
    const changes = cache.applyUpdate2({
      ACL: { [LSP3]: { insert: { priority: 1 } } },
      Logical_Switch_Port: { [LSP1]: { modify: { external_ids: ['map', [['k', 'v']]], tag_request: 6 } } },
    });
    expect(summary(changes)).toEqual(['Logical_Switch_Port:modify:eb4a1cd7:tag_request']);
  });
});

describe('applyUpdate1 (RFC 7047 update)', () => {
  it('takes whole rows from "new", deletes on "old" alone, and reports only changed columns', () => {
    const cache = capturedCache();
    const full = {
      name: 'lsp1',
      addresses: ['set', []],
      dynamic_addresses: ['set', []],
      tag_request: ['set', []],
      options: ['map', []],
    };
    expect(summary(cache.applyUpdate1({ Logical_Switch_Port: { [LSP1]: { new: full } } }))).toEqual([
      'Logical_Switch_Port:insert:eb4a1cd7',
    ]);
    const changes = cache.applyUpdate1({
      Logical_Switch_Port: { [LSP1]: { old: { tag_request: ['set', []] }, new: { ...full, tag_request: 9 } } },
    });
    expect(summary(changes)).toEqual(['Logical_Switch_Port:modify:eb4a1cd7:tag_request']);
    expect(cache.table('Logical_Switch_Port').get(LSP1)!.tag_request).toEqual([9]);
    const del = cache.applyUpdate1({ Logical_Switch_Port: { [LSP1]: { old: full } } });
    expect(summary(del)).toEqual(['Logical_Switch_Port:delete:eb4a1cd7']);
    expect(cache.table('Logical_Switch_Port').size).toBe(0);
  });

  it('emulates conditions: a row that stops matching leaves, one that starts matching enters', () => {
    const cache = capturedCache();
    const lsp = NB.tables.get('Logical_Switch_Port')!;
    const filters = new Map([['Logical_Switch_Port', parseConditions(lsp, [['name', '==', 'keep']])]]);
    cache.applyUpdate1(
      { Logical_Switch_Port: { [LSP1]: { new: { name: 'keep' } }, [LSP2]: { new: { name: 'other' } } } },
      filters,
    );
    expect([...cache.table('Logical_Switch_Port').uuids()]).toEqual([LSP1]);
    const changes = cache.applyUpdate1(
      {
        Logical_Switch_Port: {
          [LSP1]: { old: { name: 'keep' }, new: { name: 'left' } },
          [LSP2]: { old: { name: 'other' }, new: { name: 'keep' } },
        },
      },
      filters,
    );
    expect(summary(changes)).toEqual(['Logical_Switch_Port:delete:eb4a1cd7', 'Logical_Switch_Port:insert:6710e48d']);
  });

  it('refuses a row-update with neither "old" nor "new"', () => {
    const cache = capturedCache();
    cache.applyUpdate1({ Logical_Switch_Port: { [LSP1]: { new: { name: 'x' } } } });
    const before = snapshot(cache);
    expect(() => cache.applyUpdate1({ Logical_Switch_Port: { [LSP1]: {} } })).toThrow(/malformed/);
    expect(snapshot(cache)).toEqual(before);
  });
});

describe('replaceWith (resync)', () => {
  it('returns the true difference and keeps the identity of rows that did not change', () => {
    const cache = capturedCache();
    cache.applyUpdate2(INSERT_FRAME);
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP3]: { insert: { name: 'vanishes' } } } });
    const ls1 = cache.table('Logical_Switch').get(LS1);
    const lsp1 = cache.table('Logical_Switch_Port').get(LSP1);
    const changes = cache.replaceWith(
      {
        // ls1 unchanged (same values, spelled differently: a 1-element set as a bare atom)
        Logical_Switch: {
          [LS1]: {
            initial: {
              name: 'ls1',
              other_config: [
                'map',
                [
                  ['a', '1'],
                  ['b', '2'],
                ],
              ],
              ports: ['set', [['uuid', LSP1]]],
            },
          },
        },
        Logical_Switch_Port: {
          [LSP1]: {
            initial: { addresses: '00:00:00:00:00:01 10.0.0.1', dynamic_addresses: 'x', name: 'lsp1', tag_request: 6 },
          },
          [LSP2]: { initial: { name: 'appeared' } },
        },
      },
      2,
    );
    expect(summary(changes)).toEqual([
      'Logical_Switch_Port:delete:d17fa74e',
      'Logical_Switch_Port:insert:6710e48d',
      'Logical_Switch_Port:modify:eb4a1cd7:tag_request',
    ]);
    expect(cache.table('Logical_Switch').get(LS1)).toBe(ls1);
    expect(changes.find((c) => c.kind === 'modify')!.old).toBe(lsp1);
    expect(cache.table('Logical_Switch_Port').has(LSP3)).toBe(false);
    // Replacing with the same snapshot again is no change at all.
    expect(
      cache
        .replaceWith({ Logical_Switch_Port: { [LSP2]: { initial: { name: 'appeared' } } }, Logical_Switch: {} }, 2)
        .filter((c) => c.kind !== 'delete'),
    ).toEqual([]);
  });

  it('takes v1 snapshots ("new") and applies local filters to them', () => {
    const cache = capturedCache();
    const lsp = NB.tables.get('Logical_Switch_Port')!;
    const filters = new Map([['Logical_Switch_Port', parseConditions(lsp, [['name', '!=', 'hidden']])]]);
    const changes = cache.replaceWith(
      { Logical_Switch_Port: { [LSP1]: { new: { name: 'shown' } }, [LSP2]: { new: { name: 'hidden' } } } },
      1,
      filters,
    );
    expect(summary(changes)).toEqual(['Logical_Switch_Port:insert:eb4a1cd7']);
  });
});

describe('load (first snapshot into an empty cache)', () => {
  const SNAPSHOT: Json = {
    Logical_Switch: {
      [LS1]: {
        initial: {
          name: 'ls1',
          ports: [
            'set',
            [
              ['uuid', LSP1],
              ['uuid', LSP2],
            ],
          ],
        },
      },
    },
    Logical_Switch_Port: {
      [LSP1]: { initial: { name: 'lsp1', options: ['map', [['a', '1']]], _version: ['uuid', LSP3] } },
      [LSP2]: { initial: { name: 'lsp2', tag_request: 7 } },
    },
  };

  it('holds exactly the rows replaceWith would, without a change list', () => {
    const loaded = capturedCache();
    loaded.load(SNAPSHOT, 2);
    const replaced = capturedCache();
    replaced.replaceWith(SNAPSHOT, 2);
    expect(snapshot(loaded)).toEqual(snapshot(replaced));
    // Omitted columns take their defaults; columns not monitored (here _version) are not held.
    expect(plain(loaded.table('Logical_Switch_Port').get(LSP2))).toEqual({
      _uuid: LSP2,
      name: 'lsp2',
      addresses: [],
      dynamic_addresses: [],
      tag_request: [7],
      options: {},
    });
    expect(Object.keys(loaded.table('Logical_Switch').get(LS1)!)).toEqual(['_uuid', 'name', 'ports', 'other_config']);
    expect(
      loaded
        .table('Logical_Switch_Port')
        .lookup('name', 'lsp1')
        .map((r) => r._uuid),
    ).toEqual([LSP1]);
  });

  it('applies local filters to v1 snapshots', () => {
    const cache = capturedCache();
    const lsp = NB.tables.get('Logical_Switch_Port')!;
    cache.load(
      { Logical_Switch_Port: { [LSP1]: { new: { name: 'shown' } }, [LSP2]: { new: { name: 'hidden' } } } },
      1,
      new Map([['Logical_Switch_Port', parseConditions(lsp, [['name', '!=', 'hidden']])]]),
    );
    expect([...cache.table('Logical_Switch_Port').uuids()]).toEqual([LSP1]);
  });

  it('leaves the cache empty when the snapshot is malformed, and refuses a cache that holds rows', () => {
    const cache = capturedCache();
    expect(() =>
      cache.load(
        { Logical_Switch: { [LS1]: { initial: { name: 'ok' } } }, Logical_Switch_Port: { [LSP1]: { modify: {} } } },
        2,
      ),
    ).toThrow();
    expect(cache.size).toBe(0);
    cache.load(SNAPSHOT, 2);
    expect(() => cache.load(SNAPSHOT, 2)).toThrow(/empty cache/);
  });
});

describe('indexes with keys several rows share', () => {
  it('answers with every row under a key as rows come, change key and go', () => {
    const cache = capturedCache();
    const t = cache.table('Logical_Switch_Port');
    const named = (name: string): string[] =>
      t
        .lookup('name', name)
        .map((r) => r._uuid as string)
        .sort();
    cache.applyUpdate2({
      Logical_Switch_Port: { [LSP1]: { insert: { name: 'dup' } }, [LSP2]: { insert: { name: 'dup' } } },
    });
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP3]: { insert: { name: 'dup' } } } });
    expect(named('dup')).toEqual([LSP1, LSP2, LSP3].sort());
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP2]: { delete: null }, [LSP3]: { modify: { name: 'other' } } } });
    expect(named('dup')).toEqual([LSP1]);
    expect(named('other')).toEqual([LSP3]);
    expect(t.find([['name', '==', 'dup']]).map((r) => r._uuid)).toEqual([LSP1]);
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP1]: { delete: null } } });
    expect(named('dup')).toEqual([]);
    cache.applyUpdate2({ Logical_Switch_Port: { [LSP1]: { insert: { name: 'dup' } } } });
    expect(named('dup')).toEqual([LSP1]);
  });
});

describe('declared indexes', () => {
  const A1 = 'ac100000-0000-4000-8000-000000000001';
  const A2 = 'ac100000-0000-4000-8000-000000000002';
  const A3 = 'ac100000-0000-4000-8000-000000000003';
  function aclCache(): TableCache {
    const acl = NB.tables.get('ACL')!;
    const t = new TableCache(acl, resolveColumns(acl, undefined).columns, [
      { columns: ['priority'] },
      { columns: ['direction', 'priority'], name: 'dir-prio' },
      { columns: ['label'] },
      { column: 'external_ids', key: 'owner', name: 'owner' },
      { columns: ['log'] },
    ]);
    new DatabaseCache('OVN_Northbound', [t]).applyUpdate2({
      ACL: {
        [A1]: { insert: { priority: 100, direction: 'to-lport', external_ids: ['map', [['owner', 'np1']]] } },
        [A2]: {
          insert: { priority: 100, direction: 'from-lport', log: true, external_ids: ['map', [['owner', 'np2']]] },
        },
        [A3]: { insert: { priority: 2000, direction: 'to-lport', label: 7 } },
      },
    });
    return t;
  }
  const ids = (rows: Row[]): string[] => rows.map((r) => r._uuid as string).sort();

  it('finds rows by a scalar column, a column pair, a map key and a boolean, whatever integer form is asked', () => {
    const t = aclCache();
    expect(ids(t.lookup('priority', 100))).toEqual([A1, A2]);
    expect(ids(t.lookup('priority', 100n))).toEqual([A1, A2]);
    expect(ids(t.lookup('priority', '100'))).toEqual([]);
    expect(ids(t.lookup('dir-prio', 'to-lport', 100))).toEqual([A1]);
    expect(ids(t.lookup('label', 7))).toEqual([A3]);
    expect(ids(t.lookup('label', 0))).toEqual([A1, A2]);
    expect(ids(t.lookup('owner', 'np2'))).toEqual([A2]);
    expect(ids(t.lookup('owner', 'nobody'))).toEqual([]);
    expect(ids(t.lookup('log', true))).toEqual([A2]);
    expect(ids(t.find([['priority', '==', 2000]]))).toEqual([A3]);
  });
});

describe('a malformed message leaves the cache untouched', () => {
  // The first table-update is fine (renames lsp1); the second is broken. Nothing may stick.
  const good = { [LSP1]: { modify: { name: 'renamed' } } };
  const bad: [string, Json][] = [
    [
      'a modify of a row the cache does not hold',
      { Logical_Switch_Port: good, Logical_Switch: { [LSP2]: { modify: { name: 'y' } } } },
    ],
    ['a value of the wrong type', { Logical_Switch_Port: good, Logical_Switch: { [LS1]: { modify: { name: 5 } } } }],
    [
      'a max-1 column given two values',
      { Logical_Switch_Port: { [LSP1]: { modify: { name: 'renamed', tag_request: ['set', [1, 2]] } } } },
    ],
    ['a row-update that is not an object', { Logical_Switch_Port: good, Logical_Switch: { [LS1]: 3 } }],
    ['a row-update with no operation', { Logical_Switch_Port: good, Logical_Switch: { [LS1]: { upsert: {} } } }],
    ['a table-update that is not an object', { Logical_Switch_Port: good, Logical_Switch: [] }],
    ['table-updates that are not an object', ['Logical_Switch']],
    [
      'an insert with a badly typed value',
      { Logical_Switch_Port: good, Logical_Switch: { [LSP2]: { insert: { name: 7 } } } },
    ],
    ['an inserted row that is not an object', { Logical_Switch_Port: good, Logical_Switch: { [LSP2]: { insert: 7 } } }],
    ['a modify that is not an object', { Logical_Switch_Port: good, Logical_Switch: { [LS1]: { modify: [] } } }],
  ];
  it.each(bad)('%s', (_title, frame) => {
    const cache = capturedCache();
    cache.applyUpdate2(INSERT_FRAME);
    const before = snapshot(cache);
    // The server's fault, so OVSDB's own kind of error (a "syntax error" or what the data layer says), never
    // the caller's MisuseError.
    expect(() => cache.applyUpdate2(frame)).toThrow(OvsdbError);
    // Same rows, same objects, and the index still answers as before.
    expect(snapshot(cache)).toEqual(before);
    for (const [name, rows] of before) for (const [uuid, row] of rows) expect(cache.table(name).get(uuid)).toBe(row);
    expect(
      cache
        .table('Logical_Switch_Port')
        .lookup('name', 'lsp1')
        .map((r) => r._uuid),
    ).toEqual([LSP1]);
    expect(cache.table('Logical_Switch_Port').lookup('name', 'renamed')).toEqual([]);
    expect(() => cache.replaceWith(frame, 2)).toThrow();
    expect(snapshot(cache)).toEqual(before);
  });
});

describe("the caller's mistakes are MisuseErrors, not OvsdbErrors", () => {
  function misuse(fn: () => unknown, kind: MisuseKind, message: RegExp): void {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MisuseError);
    expect(caught).not.toBeInstanceOf(OvsdbError);
    expect(caught).toMatchObject({ name: 'MisuseError', kind, message: expect.stringMatching(message) as unknown });
  }

  it('a table the cache does not hold', () => {
    misuse(
      () => capturedCache().table('ACL'),
      'not-monitored',
      /^table ACL is not in this monitor's cache \(it holds Logical_Switch, Logical_Switch_Port\)$/,
    );
  });

  it('a lookup by an index the table does not have', () => {
    const cache = capturedCache();
    misuse(
      () => cache.table('Logical_Switch_Port').lookup('nope', 'x'),
      'unknown-index',
      /^table Logical_Switch_Port has no index named nope; it has name$/,
    );
  });

  it('an index over a column the cache does not hold', () => {
    const ls = NB.tables.get('Logical_Switch')!;
    misuse(
      () => new TableCache(ls, resolveColumns(ls, ['name']).columns, [{ columns: ['ports'] }]),
      'bad-argument',
      /^index ports of table Logical_Switch names column ports, which this monitor does not hold$/,
    );
  });

  it('load() on a cache that holds rows', () => {
    const cache = capturedCache();
    cache.load(INSERT_FRAME, 2);
    misuse(() => cache.load(INSERT_FRAME, 2), 'not-empty', /^load\(\) fills an empty cache only; use replaceWith\(\)$/);
  });
});
