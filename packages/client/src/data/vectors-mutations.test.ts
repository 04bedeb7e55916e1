/**
 * Open vSwitch's own ovsdb-mutation.at cases (shared/vectors/ovs/mutations.json, bundled in @ovsdb-web/testing): parse-mutations
 * and execute-mutations.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJson, type Json, type JsonObject } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { columnOf, parseTableSchema, type TableSchema } from '../schema/schema.js';
import type { Row } from './value.js';
import { datumEquals, datumToWire } from './datum.js';
import { applyMutations, mutationsToWire, parseMutations } from './mutation.js';
import { rowFromWire } from './row.js';
import { ovsVectorPath } from '@ovsdb-web/testing';

const cases = parseJson(readFileSync(ovsVectorPath('mutations.json'), 'utf8')) as JsonObject[];

/**
 * Reals are compared at OVS's 15 significant digits. That turns DBL_MAX into Infinity on both sides, the
 * same way the README's "real overflow detection" note describes for the expected side.
 */
function norm(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : Number(v.toPrecision(15));
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

function ovsMessage(e: OvsdbError): string {
  const body = e.details === undefined ? e.error : `${e.error}: ${e.details}`;
  return e.syntax === undefined ? body : `syntax "${e.syntax}": ${body}`;
}

function catchError(fn: () => unknown): OvsdbError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OvsdbError);
    return e as OvsdbError;
  }
  throw new Error('expected an OvsdbError');
}

/** What OVS's test driver prints for one row: the changed columns, "unchanged", or the error. */
function outcome(table: TableSchema, before: Row, mutations: Json): JsonObject {
  try {
    const { row, changed } = applyMutations(table, before, parseMutations(table, mutations));
    if (!changed) return { unchanged: true };
    const out: JsonObject = {};
    for (const name of Object.keys(row)) {
      const type = columnOf(table, name)!.type;
      if (!datumEquals(type, before[name]!, row[name]!)) out[name] = datumToWire(type, row[name]!);
    }
    return { changed: out };
  } catch (e) {
    if (!(e instanceof OvsdbError)) throw e;
    const err: JsonObject = { error: e.error };
    if (e.details !== undefined) err.details = e.details;
    return { error: err };
  }
}

const byKind = (kind: string): [string, JsonObject][] =>
  cases
    .filter((c) => c.kind === kind)
    .map((c, i) => [`${i}: ${c.title as string}${c.index === undefined ? '' : ` #${c.index as number}`}`, c]);

describe('mutations.json vectors', () => {
  it('covers every case of the file', () => {
    expect(cases.length).toBe(70);
    expect(byKind('parse-mutations').length + byKind('execute-mutations').length).toBe(70);
  });

  describe('parse-mutations', () => {
    it.each(byKind('parse-mutations'))('%s', (_title, c) => {
      const table = parseTableSchema('mytable', c.table_schema as Json);
      if (c.expected_error !== undefined) {
        const expected = c.expected_error as JsonObject;
        const e = catchError(() => parseMutations(table, c.input as Json));
        expect(e.error).toBe(expected.error);
        expect(e.details).toBe(expected.details);
        expect(e.syntax).toBe(expected.syntax);
        expect(ovsMessage(e)).toBe(expected.message);
        expect(ovsMessage(e)).toContain(c.expected_error_substring as string);
        return;
      }
      expect(norm(mutationsToWire(parseMutations(table, c.input as Json)))).toEqual(norm(c.expected_output));
    });
  });

  describe('execute-mutations', () => {
    it.each(byKind('execute-mutations'))('%s', (_title, c) => {
      const table = parseTableSchema('mytable', c.table_schema as Json);
      const rows = (c.rows as Json[]).map((r) => rowFromWire(table, r));
      const expected = c.expected as JsonObject[][];
      (c.mutations as Json[]).forEach((mutations, k) => {
        const got = rows.map((row) => outcome(table, row, mutations));
        const want = expected[k]!.map((o) => {
          if (o.error === undefined) return o;
          const { message: _message, ...rest } = o.error as JsonObject;
          return { error: rest };
        });
        expect(
          norm(got),
          `mutation set ${k}: ${JSON.stringify(mutations, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
        ).toEqual(norm(want));
      });
    });
  });
});
