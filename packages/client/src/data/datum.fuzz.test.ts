/**
 * Fuzzing the data decoder: random JSON, and random values in OVSDB notation, against random column types
 * and real schemas. Properties: `datumFromWire` and `rowFromWire` refuse bad input only with `OvsdbError`s
 * (never a TypeError or a RangeError); the fast per-type decoder (`datumDecoder`) gives exactly
 * `datumFromWire`'s result or error; whatever decodes encodes back to a value that decodes to the same datum.
 *
 * Runs: `FUZZ_RUNS` (default 300 here; `FUZZ_RUNS=100000 pnpm fuzz` for a long run), `FUZZ_SEED` to replay.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OvsdbError } from '../wire/errors.js';
import { parseJson, type Json } from '../wire/json.js';
import {
  parseColumnType,
  parseDatabaseSchema,
  type BaseType,
  type ColumnType,
  type DatabaseSchema,
} from '../schema/schema.js';
import { datumDecoder, datumEquals, datumFromWire, datumToWire } from './datum.js';
import { rowFromWire, rowToWire } from './row.js';
import type { Datum } from './value.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const params = { numRuns: RUNS, ...SEED };

const EVERY_TYPE = parseDatabaseSchema(
  parseJson(readFileSync(fileURLToPath(new URL('../../test-fixtures/every-type.ovsschema', import.meta.url)), 'utf8')),
);
/** The OVN Northbound schema where the Debian package is installed (CI installs it). */
const NB = (() => {
  try {
    return parseDatabaseSchema(parseJson(readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8')));
  } catch {
    return undefined;
  }
})();
const SCHEMAS: DatabaseSchema[] = [EVERY_TYPE, ...(NB ? [NB] : [])];

// ---- generators --------------------------------------------------------------------------------------

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const jsonInt = fc.oneof(
  fc.integer({ min: -10, max: 10 }),
  fc.integer(),
  int64.map((b) => (b >= -(2n ** 53n) && b <= 2n ** 53n ? Number(b) : b)),
  fc.constant(2n ** 64n),
);
const uuidText = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '00000000-0000-0000-0000-00000000000', 'zzzzzzzz-0000-0000-0000-000000000000'),
);
const str = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('red', 'green', 'blue', 'a', '', 'abcde', '\0', '\ud800', 'x\udfff', '😀'),
);
/** An atom in wire notation, right for some type or another. */
const wireAtom: fc.Arbitrary<Json> = fc.oneof(
  jsonInt,
  fc.double(),
  fc.boolean(),
  str,
  uuidText.map((u): Json => ['uuid', u]),
  fc.constantFrom('n0', 'row', '1bad', '').map((n): Json => ['named-uuid', n]),
  fc.constant(null),
);
/** A value in OVSDB notation, or something shaped almost like one. */
const wireValue: fc.Arbitrary<Json> = fc.oneof(
  wireAtom,
  fc.array(wireAtom, { maxLength: 5 }).map((xs): Json => ['set', xs]),
  fc.array(fc.tuple(wireAtom, wireAtom), { maxLength: 5 }).map((ps): Json => ['map', ps as Json[]]),
  fc.array(fc.oneof(wireAtom, fc.array(wireAtom, { maxLength: 3 })), { maxLength: 4 }).map((xs): Json => ['map', xs]),
  fc.tuple(fc.constantFrom('set', 'map', 'uuid', 'named-uuid', 'nope'), fc.jsonValue()).map(([t, v]) => [t, v as Json]),
  fc.jsonValue().map((v) => v as Json),
);

const baseTypeJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom('integer', 'real', 'boolean', 'string', 'uuid'),
  fc.record(
    {
      type: fc.constantFrom('integer', 'real', 'boolean', 'string', 'uuid'),
      minInteger: fc.integer({ min: -5, max: 5 }),
      maxInteger: fc.integer({ min: -5, max: 10 }),
      minReal: fc.double({ min: -2, max: 2, noNaN: true }),
      maxReal: fc.double({ min: -2, max: 4, noNaN: true }),
      minLength: fc.nat({ max: 3 }),
      maxLength: fc.nat({ max: 6 }),
      refTable: fc.constant('Child'),
      refType: fc.constantFrom('strong', 'weak'),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('string'), enum: fc.constant(['set', ['red', 'green', 'blue']] as Json) }),
  fc.record({ type: fc.constant('integer'), enum: fc.constant(['set', [1, 2, 3]] as Json) }),
);

/** A column type the schema parser accepts. */
const columnType: fc.Arbitrary<ColumnType> = fc
  .record({
    key: baseTypeJson,
    value: fc.option(baseTypeJson, { nil: undefined }),
    min: fc.constantFrom(0, 1),
    max: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant('unlimited')),
  })
  .map((j) => {
    try {
      return parseColumnType(JSON.parse(JSON.stringify(j)) as Json, 'fuzz');
    } catch (err) {
      if (!(err instanceof OvsdbError)) throw err;
      return undefined;
    }
  })
  .filter((t): t is ColumnType => t !== undefined);

/** Wire values meant to fit `type` (enum members, in range, the right number of members), mostly valid. */
function atomFor(base: BaseType): fc.Arbitrary<Json> {
  if (base.enum)
    return fc.constantFrom(...base.enum).map((a): Json => (base.type === 'uuid' ? ['uuid', String(a)] : (a as Json)));
  switch (base.type) {
    case 'integer': {
      const lo = base.minInteger === undefined ? -(2n ** 63n) : BigInt(base.minInteger);
      const hi = base.maxInteger === undefined ? 2n ** 63n - 1n : BigInt(base.maxInteger);
      return fc
        .bigInt({ min: lo, max: hi < lo ? lo : hi })
        .map((b) => (b >= -(2n ** 53n) && b <= 2n ** 53n ? Number(b) : b));
    }
    case 'real':
      return fc.double({
        min: base.minReal ?? -1e9,
        max: Math.max(base.minReal ?? -1e9, base.maxReal ?? 1e9),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.string({
        minLength: base.minLength ?? 0,
        maxLength: Math.max(base.minLength ?? 0, Math.min(base.maxLength ?? 8, 8)),
      });
    case 'uuid':
      return fc.uuid().map((u): Json => ['uuid', u]);
  }
}
function valueFor(type: ColumnType): fc.Arbitrary<Json> {
  const max = Math.min(type.max, 4);
  const key = atomFor(type.key);
  if (type.value) {
    const value = atomFor(type.value);
    return fc
      .uniqueArray(fc.tuple(key, value), {
        minLength: type.min,
        maxLength: max,
        selector: ([k]) => JSON.stringify(k, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
      })
      .map((ps): Json => ['map', ps as Json[]]);
  }
  const set = fc
    .uniqueArray(key, {
      minLength: type.min,
      maxLength: max,
      selector: (k) => JSON.stringify(k, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    })
    .map((xs): Json => ['set', xs]);
  return type.min === 1 && type.max === 1 ? fc.oneof(key, set) : fc.oneof(set, key);
}
/** A column type and a value for it: mostly one that fits, sometimes anything at all. */
const typeAndValue = columnType.chain((t) =>
  fc.tuple(fc.constant(t), fc.oneof({ arbitrary: valueFor(t), weight: 3 }, { arbitrary: wireValue, weight: 1 })),
);

/** Runs `fn`; anything thrown must be an OvsdbError (returned), never another kind of error. */
function typed<T>(fn: () => T): { ok: T } | { err: OvsdbError } {
  try {
    return { ok: fn() };
  } catch (err) {
    if (err instanceof OvsdbError) return { err };
    throw new Error(`threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

describe('datumFromWire under random input', () => {
  it('decodes or refuses with an OvsdbError, for random column types and values, named-uuids allowed or not', () => {
    fc.assert(
      fc.property(typeAndValue, fc.boolean(), ([type, wire], allow) => {
        typed(() => datumFromWire(type, wire, allow ? { namedUuids: 'allow' } : {}));
      }),
      params,
    );
  });

  it('the fast decoder gives exactly the generic result or error', () => {
    fc.assert(
      fc.property(typeAndValue, ([type, wire]) => {
        const slow = typed(() => datumFromWire(type, wire));
        const fast = typed(() => datumDecoder(type)(wire));
        if ('err' in slow) {
          expect('err' in fast, `fast decoder accepted what datumFromWire refused: ${slow.err.message}`).toBe(true);
          expect((fast as { err: OvsdbError }).err.message).toBe(slow.err.message);
        } else {
          expect(
            'ok' in fast,
            `fast decoder refused what datumFromWire accepted: ${'err' in fast ? fast.err.message : ''}`,
          ).toBe(true);
          expect(datumEquals(type, (fast as { ok: Datum }).ok, slow.ok)).toBe(true);
        }
      }),
      params,
    );
  });

  it('what decodes encodes back to wire notation that decodes to the same datum', () => {
    let decoded = 0;
    fc.assert(
      fc.property(typeAndValue, ([type, wire]) => {
        const d = typed(() => datumFromWire(type, wire));
        if ('err' in d) return;
        decoded++;
        const again = datumToWire(type, d.ok);
        const back = datumFromWire(type, again);
        expect(datumEquals(type, back, d.ok)).toBe(true);
        expect(datumToWire(type, back)).toEqual(again);
      }),
      params,
    );
    // The generators are not all noise: most values fit their random type.
    expect(decoded).toBeGreaterThan(params.numRuns / 3);
  });
});

describe('rowFromWire under random input', () => {
  const tables = SCHEMAS.flatMap((s) => [...s.tables.values()]);
  const row = fc.constantFrom(...tables).chain((table) => {
    const names = [...table.columns.keys(), '_uuid', '_version', 'nope', '__proto__', 'constructor'];
    return fc.tuple(
      fc.constant(table),
      fc.oneof(
        // Columns with values of their type (mostly), any subset of them.
        {
          weight: 3,
          arbitrary: fc
            .record(
              Object.fromEntries(
                [...table.columns.values()].map((c) => [
                  c.name,
                  fc.oneof({ weight: 4, arbitrary: valueFor(c.type) }, { weight: 1, arbitrary: wireValue }),
                ]),
              ),
              { requiredKeys: [] },
            )
            .map((r) => r as Json),
        },
        {
          weight: 1,
          arbitrary: fc.dictionary(fc.constantFrom(...names), wireValue, { maxKeys: 6 }).map((r) => r as Json),
        },
        { weight: 1, arbitrary: fc.jsonValue().map((v) => v as Json) },
      ),
    );
  });

  it('decodes a row of a real table or refuses it with an OvsdbError; a decoded row encodes back to the same values', () => {
    fc.assert(
      fc.property(row, fc.boolean(), ([table, wire], fill) => {
        const r = typed(() => rowFromWire(table, wire, { fillDefaults: fill }));
        // Defaults need not meet a column's constraints (an enum column's default is ""), as in OVSDB.
        if ('err' in r || fill) return;
        const back = rowFromWire(table, rowToWire(table, r.ok));
        for (const [name, value] of Object.entries(r.ok)) {
          const col = table.columns.get(name);
          if (col) expect(datumEquals(col.type, back[name] as Datum, value)).toBe(true);
        }
      }),
      params,
    );
  });
});
