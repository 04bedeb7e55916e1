/**
 * Reference counting counts only what a change adds and drops. The merge that finds those for sorted UUID
 * sets must give the same answer as hashing, and give up (not guess) when a set is not sorted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDatabaseSchema, parseJson, type ColumnSchema } from '@ovsdb-web/client';
import { sortedDiff, strongRefChanges } from './database.js';

const NB = parseDatabaseSchema(parseJson(readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8')));
const column = (table: string, name: string): ColumnSchema => NB.tables.get(table)?.columns.get(name) as ColumnSchema;

describe('sortedDiff', () => {
  it('finds what only one side holds, including past the end of the other', () => {
    expect(sortedDiff(['a', 'c', 'e'], ['b', 'c', 'f', 'g'])).toEqual({ onlyA: ['a', 'e'], onlyB: ['b', 'f', 'g'] });
    expect(sortedDiff([], ['x'])).toEqual({ onlyA: [], onlyB: ['x'] });
    expect(sortedDiff(['x'], ['x'])).toEqual({ onlyA: [], onlyB: [] });
  });

  it('gives up on unsorted or duplicated members anywhere, and on non-strings', () => {
    expect(sortedDiff(['m'], ['a', 'z', 'm'])).toBeUndefined();
    expect(sortedDiff(['a', 'a'], ['a'])).toBeUndefined();
    expect(sortedDiff([1, 2], [2])).toBeUndefined();
  });
});

describe('strongRefChanges', () => {
  const ports = column('Logical_Switch', 'ports');

  it('lists only the ports a switch gained or lost', () => {
    expect(strongRefChanges(ports, ['p1', 'p2', 'p3'], ['p1', 'p3', 'p4'])).toEqual({
      removed: [['Logical_Switch_Port', 'p2']],
      added: [['Logical_Switch_Port', 'p4']],
    });
  });

  it('agrees with the general way on unsorted sets and on rows inserted or deleted', () => {
    expect(strongRefChanges(ports, ['p3', 'p1'], ['p1', 'p4'])).toEqual({
      removed: [['Logical_Switch_Port', 'p3']],
      added: [['Logical_Switch_Port', 'p4']],
    });
    expect(strongRefChanges(ports, undefined, ['p1'])).toEqual({ removed: [], added: [['Logical_Switch_Port', 'p1']] });
    expect(strongRefChanges(ports, ['p1'], undefined)).toEqual({ removed: [['Logical_Switch_Port', 'p1']], added: [] });
  });
});
