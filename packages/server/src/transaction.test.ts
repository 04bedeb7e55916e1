/**
 * Commit-time behaviour on the OVN Northbound schema: garbage collection of unreferenced non-root rows,
 * weak references removed when their target goes (with the minimum size enforced), referential
 * integrity, atomicity and the read-only mode. The OVS execution vectors and the differential test cover
 * the same ground more broadly; these read as the rules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDatabaseSchema, parseJson, type Json, type JsonObject } from '@ovsdb-web/client';
import { Database } from './database.js';
import { executeTransaction } from './transaction.js';
import { ServedDatabase } from './served-db.js';

const NB = parseJson(readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8')) as JsonObject;

function nb(): { served: ServedDatabase; run: (...ops: Json[]) => Json[]; rows: (table: string) => JsonObject[] } {
  const served = new ServedDatabase(NB);
  const run = (...ops: Json[]): Json[] => {
    const out = served.execute(ops);
    if (out.kind !== 'done') throw new Error('pending');
    return out.results;
  };
  const rows = (table: string): JsonObject[] =>
    (run({ op: 'select', table, where: [] })[0] as { rows: JsonObject[] }).rows;
  return { served, run, rows };
}

describe('garbage collection', () => {
  it('deletes a non-root row nothing references, still returning its uuid', () => {
    const { run, rows } = nb();
    const [r] = run({ op: 'insert', table: 'Logical_Switch_Port', row: { name: 'orphan' } }) as [JsonObject];
    expect(r).toHaveProperty('uuid');
    expect(rows('Logical_Switch_Port')).toEqual([]);
  });

  it('deletes a port once the last switch lets go of it, and ACLs with it', () => {
    const { run, rows } = nb();
    run(
      { op: 'insert', table: 'Logical_Switch_Port', 'uuid-name': 'p', row: { name: 'p1' } },
      {
        op: 'insert',
        table: 'ACL',
        'uuid-name': 'a',
        row: { priority: 1, direction: 'to-lport', action: 'drop', match: '1' },
      },
      {
        op: 'insert',
        table: 'Logical_Switch',
        row: { name: 's1', ports: ['named-uuid', 'p'], acls: ['named-uuid', 'a'] },
      },
      { op: 'insert', table: 'Logical_Switch', row: { name: 's2', ports: ['named-uuid', 'p'] } },
    );
    expect(rows('Logical_Switch_Port')).toHaveLength(1);
    run({ op: 'delete', table: 'Logical_Switch', where: [['name', '==', 's1']] });
    expect(rows('Logical_Switch_Port')).toHaveLength(1);
    expect(rows('ACL')).toEqual([]);
    run({ op: 'update', table: 'Logical_Switch', where: [], row: { ports: ['set', []] } });
    expect(rows('Logical_Switch_Port')).toEqual([]);
  });
});

describe('weak references', () => {
  it('removes a deleted port from port groups and reports both changes to monitors', () => {
    const { served, run } = nb();
    const [, , pg] = run(
      { op: 'insert', table: 'Logical_Switch_Port', 'uuid-name': 'p', row: { name: 'p1' } },
      { op: 'insert', table: 'Logical_Switch', row: { name: 's', ports: ['named-uuid', 'p'] } },
      { op: 'insert', table: 'Port_Group', row: { name: 'pg', ports: ['named-uuid', 'p'] } },
    ) as [JsonObject, JsonObject, { uuid: [string, string] }];
    const seen: string[] = [];
    served.onCommit((_db, c) =>
      seen.push(
        ...c.changes.map(
          (ch) => `${ch.table}:${ch.new === undefined ? 'delete' : ch.old === undefined ? 'insert' : 'modify'}`,
        ),
      ),
    );
    run({ op: 'mutate', table: 'Logical_Switch', where: [], mutations: [['ports', 'delete', ['set', []]]] });
    expect(seen).toEqual([]); // deleting nothing changes nothing
    run({ op: 'update', table: 'Logical_Switch', where: [], row: { ports: ['set', []] } });
    expect(seen.sort()).toEqual(['Logical_Switch:modify', 'Logical_Switch_Port:delete', 'Port_Group:modify']);
    const pgRow = served.db.table('Port_Group')?.rows.get(pg.uuid[1]);
    expect(pgRow?.ports).toEqual([]);
  });
});

describe('referential integrity and atomicity', () => {
  it('appends the commit error and leaves the database unchanged', () => {
    const { run, rows } = nb();
    const results = run(
      { op: 'insert', table: 'Address_Set', row: { name: 'as1' } },
      {
        op: 'insert',
        table: 'Logical_Switch',
        row: { name: 's', ports: ['uuid', '11111111-2222-3333-4444-555555555555'] },
      },
    ) as JsonObject[];
    expect(results).toHaveLength(3);
    expect(results[2]?.error).toBe('referential integrity violation');
    expect(results[2]?.details).toMatch(
      /references nonexistent row 11111111-2222-3333-4444-555555555555 in table Logical_Switch_Port\.$/,
    );
    expect(rows('Address_Set')).toEqual([]);
  });

  it('allows forward references to rows inserted later in the transaction', () => {
    const { run, rows } = nb();
    const results = run(
      { op: 'insert', table: 'Logical_Switch', row: { name: 's', ports: ['named-uuid', 'later'] } },
      { op: 'insert', table: 'Logical_Switch_Port', 'uuid-name': 'later', row: { name: 'p' } },
    ) as JsonObject[];
    expect(results.every((r) => 'uuid' in r)).toBe(true);
    expect(rows('Logical_Switch_Port')).toHaveLength(1);
  });

  it('refuses every write in read-only mode but still answers selects', () => {
    const db = new Database(parseDatabaseSchema(NB));
    const ro = (ops: Json[]): Json[] => {
      const out = executeTransaction(db, ops, { readOnly: true });
      return out.kind === 'done' ? out.results : [];
    };
    expect(ro([{ op: 'select', table: 'ACL', where: [] }])).toEqual([{ rows: [] }]);
    expect(ro([{ op: 'delete', table: 'ACL', where: [] }])).toEqual([
      { details: 'delete operation not allowed when database server is in read only mode', error: 'not allowed' },
    ]);
  });
});

describe('a wait that does not hold yet', () => {
  const db = (): Database => new Database(parseDatabaseSchema(NB));
  const waitFor = (name: string, more: JsonObject = {}): JsonObject => ({
    op: 'wait',
    table: 'Logical_Switch',
    where: [['name', '==', name]],
    columns: ['name'],
    until: '==',
    rows: [{ name }],
    ...more,
  });

  it('is an explicit pending outcome, with the earliest timeout so far, when the caller re-runs transactions', () => {
    expect(executeTransaction(db(), [waitFor('a', { timeout: 5000 })], { elapsedMs: 0 })).toEqual({
      kind: 'pending',
      timeoutMs: 5000,
    });
    // The first wait holds (no row named b, as asked), but its timeout still counts, as ovsdb-server's does.
    expect(
      executeTransaction(db(), [waitFor('b', { timeout: 300, rows: [] }), waitFor('a', { timeout: 5000 })], {
        elapsedMs: 10,
      }),
    ).toEqual({ kind: 'pending', timeoutMs: 300 });
    expect(executeTransaction(db(), [waitFor('a')], { elapsedMs: 0 })).toEqual({
      kind: 'pending',
      timeoutMs: Infinity,
    });
  });

  it('fails "timed out" at once without elapsedMs, or once its timeout has passed; never "not supported"', () => {
    expect(executeTransaction(db(), [waitFor('a', { timeout: 5000 })])).toMatchObject({
      kind: 'done',
      results: [{ error: 'timed out', details: '"where" clause test failed' }],
    });
    expect(executeTransaction(db(), [waitFor('a', { timeout: 100 })], { elapsedMs: 150 })).toMatchObject({
      kind: 'done',
      results: [{ error: 'timed out', details: '"wait" timed out after 150 ms' }],
    });
  });

  it('gives way to a parse error in the same operation, and to an earlier operation that fails', () => {
    expect(executeTransaction(db(), [waitFor('a', { timeout: 5000, bogus: 1 })], { elapsedMs: 0 })).toMatchObject({
      kind: 'done',
      results: [{ error: 'syntax error' }],
    });
    expect(
      executeTransaction(db(), [{ op: 'abort' }, waitFor('a', { timeout: 5000 })], { elapsedMs: 0 }),
    ).toMatchObject({ kind: 'done', results: [{ error: 'aborted' }, null] });
  });

  it('completes like any transaction once it holds', () => {
    const { served, run } = nb();
    run({ op: 'insert', table: 'Logical_Switch', row: { name: 'a' } });
    expect(served.execute([waitFor('a', { timeout: 5000 })], { elapsedMs: 0 })).toMatchObject({
      kind: 'done',
      results: [{}],
    });
  });
});
