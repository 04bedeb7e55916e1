/**
 * Open vSwitch's own ovsdb-condition.at cases (shared/vectors/ovs/conditions.json, bundled in @ovsdb-web/testing): parse-conditions,
 * evaluate-conditions and evaluate-conditions-any.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJson, type Json, type JsonObject } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { parseTableSchema } from '../schema/schema.js';
import { conditionsToWire, evaluateConditions, parseConditions } from './condition.js';
import { rowFromWire } from './row.js';
import { ovsVectorPath } from '@ovsdb-web/testing';

const all = parseJson(readFileSync(ovsVectorPath('conditions.json'), 'utf8')) as JsonObject[];
// compare-conditions is OVS's internal 3-way ordering of two parsed conditions (ovsdb_condition_cmp_3way);
// it has no wire meaning and the README marks it not_checked, so it is left out on purpose.
const cases = all.filter((c) => c.kind !== 'compare-conditions');

function norm(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : Number(v.toPrecision(15));
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

function ovsMessage(e: OvsdbError): string {
  const body = e.details === undefined ? e.error : `${e.error}: ${e.details}`;
  return e.syntax === undefined ? body : `syntax "${e.syntax}": ${body}`;
}

const byKind = (kind: string): [string, JsonObject][] =>
  cases
    .filter((c) => c.kind === kind)
    .map((c, i) => [`${i}: ${c.title as string}${c.index === undefined ? '' : ` #${c.index as number}`}`, c]);

describe('conditions.json vectors', () => {
  it('covers every case of the file but the one compare-conditions', () => {
    expect(all.length).toBe(194);
    expect(all.length - cases.length).toBe(1);
  });

  describe('parse-conditions', () => {
    it.each(byKind('parse-conditions'))('%s', (_title, c) => {
      const table = parseTableSchema('mytable', c.table_schema as Json);
      if (c.expected_error !== undefined) {
        const expected = c.expected_error as JsonObject;
        let err: unknown;
        try {
          parseConditions(table, c.input as Json);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(OvsdbError);
        const e = err as OvsdbError;
        expect(e.error).toBe(expected.error);
        expect(e.details).toBe(expected.details);
        expect(e.syntax).toBe(expected.syntax);
        expect(ovsMessage(e)).toBe(expected.message);
        expect(ovsMessage(e)).toContain(c.expected_error_substring as string);
        return;
      }
      expect(norm(conditionsToWire(parseConditions(table, c.input as Json)))).toEqual(norm(c.expected_output));
    });
  });

  for (const kind of ['evaluate-conditions', 'evaluate-conditions-any']) {
    describe(kind, () => {
      it.each(byKind(kind))('%s', (_title, c) => {
        const table = parseTableSchema('mytable', c.table_schema as Json);
        const mode = c.mode === 'any' ? 'any' : 'all';
        expect(c.mode).toBe(kind === 'evaluate-conditions' ? 'every' : 'any');
        const rows = (c.rows as Json[]).map((r) => rowFromWire(table, r));
        const got = (c.conditions as Json[]).map((cond) => {
          const conds = parseConditions(table, cond);
          return rows.map((row) => (evaluateConditions(conds, row, mode) ? 'T' : '-')).join('');
        });
        expect(got).toEqual(c.expected);
      });
    });
  }
});
