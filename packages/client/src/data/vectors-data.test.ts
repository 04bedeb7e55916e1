/**
 * Open vSwitch's own ovsdb-data.at cases (shared/vectors/ovs/data.json, bundled in @ovsdb-web/testing): parse-atoms, parse-data,
 * sort-atoms and diff-data. The file's README explains the format; the `*-strings` and "default" tests
 * were left out of the file upstream, so nothing is filtered here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJson, type Json, type JsonObject } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { parseBaseType, parseColumnType } from '../schema/schema.js';
import { atomFromWire, atomToWire, compareAtoms, utf8Error } from './atom.js';
import { datumFromWire, datumToWire } from './datum.js';
import { applyDiff, diffDatum } from './diff.js';
import { ovsVectorPath } from '@ovsdb-web/testing';

const cases = parseJson(readFileSync(ovsVectorPath('data.json'), 'utf8')) as JsonObject[];

/** Reals as OVS prints them: 15 significant digits (the README's rule), so both sides are rounded. */
function norm(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : Number(v.toPrecision(15));
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

function ovsMessage(e: OvsdbError): string {
  const body = e.details === undefined ? e.error : `${e.error}: ${e.details}`;
  return e.syntax === undefined ? body : `syntax "${e.syntax}": ${body}`;
}

function expectOvsError(fn: () => unknown, expected: JsonObject): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(OvsdbError);
  const e = err as OvsdbError;
  expect(e.error).toBe(expected.error);
  if (expected.details !== undefined) expect(e.details).toBe(expected.details);
  if (expected.syntax !== undefined) expect(e.syntax).toBe(expected.syntax);
  if (typeof expected.message === 'string') expect(ovsMessage(e)).toBe(expected.message);
}

function expectErrorSubstring(fn: () => unknown, substring: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(OvsdbError);
  expect(ovsMessage(err as OvsdbError)).toContain(substring);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Decode bytes, turning an encoded surrogate (ED A0..BF xx) into the lone UTF-16 unit a JS string can hold. */
function wtf8Decode(bytes: Uint8Array): string | undefined {
  let s = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      s += String.fromCharCode(b);
      i++;
    } else if (b === 0xed && i + 2 < bytes.length && bytes[i + 1]! >= 0xa0) {
      s += String.fromCharCode(0xd000 | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
      i += 3;
    } else {
      return undefined;
    }
  }
  return s;
}

const byKind = (kind: string): [string, JsonObject][] =>
  cases.filter((c) => c.kind === kind).map((c, i) => [`${i}: ${c.title as string}`, c]);

describe('data.json vectors', () => {
  it('covers every case of the file', () => {
    const kinds = new Set(cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['diff-data', 'parse-atoms', 'parse-data', 'sort-atoms']);
    expect(cases.length).toBe(55);
  });

  describe('parse-atoms', () => {
    it.each(byKind('parse-atoms'))('%s', (_title, c) => {
      const base = parseBaseType(c.type as Json, 'type');
      const outputs = c.expected_outputs as JsonObject[];
      if (c.inputs_json_hex !== undefined) {
        // Invalid UTF-8 cannot live in a JS string: check the byte validator on the raw text, and the atom
        // decoder on the one flaw that can survive decoding (an encoded surrogate).
        (c.inputs_json_hex as string[]).forEach((hex, i) => {
          const bytes = hexBytes(hex);
          const expected = outputs[i]!.error as JsonObject;
          expect(`not a valid UTF-8 string: ${utf8Error(bytes.subarray(1, bytes.length - 1))}`).toBe(expected.details);
          const text = wtf8Decode(bytes);
          if (text !== undefined) expectOvsError(() => atomFromWire(base, parseJson(text)), expected);
        });
        return;
      }
      const inputs = c.inputs as Json[];
      expect(inputs.length).toBe(outputs.length);
      inputs.forEach((input, i) => {
        const out = outputs[i]!;
        if (out.error !== undefined) {
          expectOvsError(() => atomFromWire(base, input), out.error as JsonObject);
        } else {
          expect(norm(atomToWire(base, atomFromWire(base, input)))).toEqual(norm(out.ok));
        }
      });
    });
  });

  describe('parse-data', () => {
    it.each(byKind('parse-data'))('%s', (_title, c) => {
      const type = parseColumnType(c.type as Json, 'type');
      const inputs = c.inputs as Json[];
      if (typeof c.expected_error_substring === 'string') {
        for (const input of inputs) expectErrorSubstring(() => datumFromWire(type, input), c.expected_error_substring);
        return;
      }
      const outputs = c.expected_outputs as JsonObject[];
      inputs.forEach((input, i) => {
        expect(norm(datumToWire(type, datumFromWire(type, input)))).toEqual(norm(outputs[i]!.ok));
      });
    });
  });

  describe('sort-atoms', () => {
    it.each(byKind('sort-atoms'))('%s', (_title, c) => {
      const base = parseBaseType(c.type as Json, 'type');
      const atoms = (c.input as Json[]).map((a) => atomFromWire(base, a));
      atoms.sort(compareAtoms);
      expect(norm(atoms.map((a) => atomToWire(base, a)))).toEqual(norm(c.expected_output));
    });
  });

  describe('diff-data', () => {
    it.each(byKind('diff-data'))('%s', (_title, c) => {
      const type = parseColumnType(c.type as Json, 'type');
      for (const pair of c.pairs as JsonObject[]) {
        const old = datumFromWire(type, pair.old as Json);
        // OVS's driver parses "new" without size checks, which is what makes the size-error cases reachable.
        const next = datumFromWire(type, pair.new as Json, { checkSize: false });
        const diff = diffDatum(type, old, next);
        if (typeof c.expected_error_substring === 'string') {
          expect(diff).toBeDefined();
          expectErrorSubstring(() => applyDiff(type, old, diff as Json), c.expected_error_substring);
          continue;
        }
        const expectedDiff = pair.expected_diff as Json;
        // OVS prints an empty diff; ovsdb-server leaves such a column out, which is what undefined means.
        const empty = Array.isArray(expectedDiff) && Array.isArray(expectedDiff[1]) && expectedDiff[1].length === 0;
        if (empty) expect(diff).toBeUndefined();
        else expect(norm(diff)).toEqual(norm(expectedDiff));
        const applied = applyDiff(type, old, expectedDiff);
        expect(norm(datumToWire(type, applied))).toEqual(norm(pair.expected_apply));
        expect(norm(datumToWire(type, applied))).toEqual(norm(pair.expected_apply_in_place));
        expect(norm(datumToWire(type, applied))).toEqual(norm(datumToWire(type, next)));
      }
    });
  });
});
