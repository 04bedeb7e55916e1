/**
 * Fuzzing the transaction validator: operations built to be valid against a schema (every operation
 * kind, values of the columns' types within their constraints, named-uuids defined and used) must pass;
 * the same operations with something broken, and plain random JSON, must pass or be refused with a
 * `TransactionValidationError` naming an operation of the transaction — never any other exception.
 *
 * Runs: `FUZZ_RUNS` (default 200 here; `FUZZ_RUNS=100000 pnpm fuzz` for a long run), `FUZZ_SEED` to replay.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OvsdbError } from '../wire/errors.js';
import { parseJson, type Json, type JsonObject } from '../wire/json.js';
import {
  isScalar,
  parseDatabaseSchema,
  type BaseType,
  type ColumnSchema,
  type ColumnType,
  type DatabaseSchema,
  type TableSchema,
} from '../schema/schema.js';
import { datumFromWire, datumToWire, defaultDatum } from '../data/datum.js';
import { TransactionValidationError } from './errors.js';
import { validateTransaction } from './validate.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const params = { numRuns: RUNS, ...SEED };

const EVERY_TYPE = parseDatabaseSchema(
  parseJson(readFileSync(fileURLToPath(new URL('../../test-fixtures/every-type.ovsschema', import.meta.url)), 'utf8')),
);
const NB = (() => {
  try {
    return parseDatabaseSchema(parseJson(readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8')));
  } catch {
    return undefined;
  }
})();
const SCHEMAS: DatabaseSchema[] = [EVERY_TYPE, ...(NB ? [NB] : [])];

// ---- values that fit a column type -------------------------------------------------------------------

const jsonKey = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

function atomFor(base: BaseType): fc.Arbitrary<Json> {
  if (base.enum)
    return fc.constantFrom(...base.enum).map((a): Json => (base.type === 'uuid' ? ['uuid', String(a)] : (a as Json)));
  switch (base.type) {
    case 'integer': {
      const lo = base.minInteger === undefined ? -(2n ** 63n) : BigInt(base.minInteger);
      const hi = base.maxInteger === undefined ? 2n ** 63n - 1n : BigInt(base.maxInteger);
      return fc
        .oneof(fc.bigInt({ min: lo, max: hi }), fc.constantFrom(lo, hi))
        .map((b) => (b >= -(2n ** 53n) && b <= 2n ** 53n ? Number(b) : b));
    }
    case 'real':
      return fc
        .double({ min: base.minReal ?? -1e9, max: base.maxReal ?? 1e9, noNaN: true, noDefaultInfinity: true })
        .map((d) => (Object.is(d, -0) ? 0 : d));
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.string({
        minLength: base.minLength ?? 0,
        maxLength: Math.max(base.minLength ?? 0, Math.min(base.maxLength ?? 12, 12)),
      });
    case 'uuid':
      return fc.uuid().map((u): Json => ['uuid', u]);
  }
}

function valueFor(type: ColumnType, min = type.min, maxCap = 3): fc.Arbitrary<Json> {
  const max = Math.min(type.max, Math.max(min, maxCap));
  const key = atomFor(type.key);
  if (type.value) {
    const value = atomFor(type.value);
    return fc
      .uniqueArray(fc.tuple(key, value), { minLength: min, maxLength: max, selector: ([k]) => jsonKey(k) })
      .map((ps): Json => ['map', ps as Json[]]);
  }
  const set = fc.uniqueArray(key, { minLength: min, maxLength: max, selector: jsonKey }).map((xs): Json => ['set', xs]);
  return isScalar(type) ? key : set;
}

/** Columns whose default the schema's own constraints refuse: an insert must give them. */
function needsValue(col: ColumnSchema): boolean {
  try {
    datumFromWire(col.type, datumToWire(col.type, defaultDatum(col.type)));
    return false;
  } catch (err) {
    if (err instanceof OvsdbError) return true;
    throw err;
  }
}

// ---- valid operations --------------------------------------------------------------------------------

const cols = (t: TableSchema): ColumnSchema[] => [...t.columns.values()];
const pickCols = (t: TableSchema, pred: (c: ColumnSchema) => boolean = () => true): fc.Arbitrary<ColumnSchema[]> => {
  const all = cols(t).filter(pred);
  return all.length === 0
    ? fc.constant([])
    : fc.uniqueArray(fc.constantFrom(...all), { maxLength: 4, selector: (c) => c.name });
};

const rowOf = (list: ColumnSchema[], forced: ColumnSchema[] = []): fc.Arbitrary<JsonObject> => {
  const all = [...new Map([...list, ...forced].map((c) => [c.name, c])).values()];
  return fc
    .tuple(...all.map((c) => valueFor(c.type)))
    .map((vals) => Object.fromEntries(all.map((c, i) => [c.name, vals[i] as Json])));
};

function condition(t: TableSchema): fc.Arbitrary<Json> {
  const uuidCol: ColumnSchema = {
    name: '_uuid',
    type: { key: { type: 'uuid' }, min: 1, max: 1 },
    mutable: false,
    ephemeral: false,
  };
  return fc.constantFrom(...cols(t), uuidCol).chain((c) => {
    const numeric = isScalar(c.type) && (c.type.key.type === 'integer' || c.type.key.type === 'real');
    const ops = numeric
      ? ['==', '!=', '<', '<=', '>', '>=', 'includes', 'excludes']
      : ['==', '!=', 'includes', 'excludes'];
    return fc.tuple(fc.constant(c.name), fc.constantFrom(...ops), valueFor(c.type)).map((x): Json => x as Json);
  });
}
const where = (t: TableSchema): fc.Arbitrary<Json> => fc.array(condition(t), { maxLength: 3 });

function mutation(t: TableSchema): fc.Arbitrary<Json> | undefined {
  const arithmetic = cols(t).filter(
    (c) =>
      c.mutable && !c.type.value && !c.type.key.enum && (c.type.key.type === 'integer' || c.type.key.type === 'real'),
  );
  const collections = cols(t).filter((c) => c.mutable && !isScalar(c.type));
  const options: fc.Arbitrary<Json>[] = [];
  if (arithmetic.length > 0) {
    options.push(
      fc
        .constantFrom(...arithmetic)
        .chain((c) =>
          fc
            .tuple(
              fc.constant(c.name),
              fc.constantFrom('+=', '-=', '*='),
              c.type.key.type === 'integer'
                ? fc.integer({ min: -3, max: 3 })
                : fc.double({ min: -3, max: 3, noNaN: true }),
            )
            .map((x): Json => x as Json),
        ),
    );
  }
  if (collections.length > 0) {
    options.push(
      fc
        .constantFrom(...collections)
        .chain((c) =>
          fc
            .tuple(
              fc.constant(c.name),
              fc.constantFrom('insert', 'delete'),
              valueFor(c.type, 0, Math.min(c.type.max, 2)),
            )
            .map((x): Json => x as Json),
        ),
    );
  }
  return options.length === 0 ? undefined : fc.oneof(...options);
}

/** One valid operation on table `t`; `name` is a uuid-name this operation may define. */
function operation(t: TableSchema, name: string): fc.Arbitrary<JsonObject> {
  const required = cols(t).filter(needsValue);
  const insert = fc
    .tuple(pickCols(t), fc.boolean(), fc.option(fc.uuid(), { nil: undefined }))
    .chain(([list, named, uuid]) =>
      rowOf(list, required).map((row): JsonObject => ({
        op: 'insert',
        table: t.name,
        row,
        ...(named ? { 'uuid-name': name } : {}),
        ...(uuid ? { uuid } : {}),
      })),
    );
  const kinds: fc.Arbitrary<JsonObject>[] = [
    insert,
    fc.tuple(where(t), pickCols(t)).map(([w, c]): JsonObject => ({
      op: 'select',
      table: t.name,
      where: w,
      ...(c.length > 0 ? { columns: c.map((x) => x.name) } : {}),
    })),
    fc
      .tuple(
        where(t),
        pickCols(t, (c) => c.mutable),
      )
      .chain(([w, c]) => rowOf(c).map((row): JsonObject => ({ op: 'update', table: t.name, where: w, row }))),
    where(t).map((w): JsonObject => ({ op: 'delete', table: t.name, where: w })),
    fc
      .tuple(where(t), pickCols(t), fc.constantFrom('==', '!='), fc.nat({ max: 1000 }))
      .map(([w, c, until, timeout]): JsonObject => ({
        op: 'wait',
        table: t.name,
        where: w,
        columns: c.map((x) => x.name),
        until,
        rows: [],
        timeout,
      })),
    fc.string().map((comment): JsonObject => ({ op: 'comment', comment })),
    fc.boolean().map((durable): JsonObject => ({ op: 'commit', durable })),
    fc.constant({ op: 'abort' }),
    fc.string({ minLength: 1 }).map((lock): JsonObject => ({ op: 'assert', lock })),
  ];
  const m = mutation(t);
  if (m)
    kinds.push(
      fc
        .tuple(where(t), fc.array(m, { minLength: 1, maxLength: 3 }))
        .map(([w, ms]): JsonObject => ({ op: 'mutate', table: t.name, where: w, mutations: ms })),
    );
  return fc.oneof(...kinds);
}

/** A valid transaction: a schema, and operations on its tables (named-uuids defined before use or not at all). */
const validTransaction = fc.constantFrom(...SCHEMAS).chain((schema) => {
  const tables = [...schema.tables.values()];
  return fc
    .tuple(
      fc.constant(schema),
      fc.array(
        fc.constantFrom(...tables).chain((t) => fc.nat(1000).chain((n) => operation(t, `n${n}`))),
        { minLength: 1, maxLength: 5 },
      ),
    )
    .map(([s, ops]) => {
      // Each uuid-name once; a later insert may refer to a row defined earlier through a uuid column.
      const seen = new Set<string>();
      const out = ops.map((op) => {
        const name = op['uuid-name'];
        if (typeof name !== 'string') return op;
        if (seen.has(name)) {
          const { 'uuid-name': _dropped, ...rest } = op;
          return rest;
        }
        seen.add(name);
        return op;
      });
      const firstName = [...seen][0];
      if (firstName !== undefined)
        out.push({
          op: 'select',
          table: 'Child' in Object.fromEntries(s.tables) ? 'Child' : ([...s.tables.keys()][0] as string),
          where: [['_uuid', '==', ['named-uuid', firstName]]],
        });
      return { schema: s, ops: out };
    });
});

/** Break an operation: drop, change or add a member, or swap in random JSON. */
function damage(op: JsonObject): fc.Arbitrary<Json> {
  const keys = Object.keys(op);
  return fc.oneof(
    fc.constantFrom(...keys).map((k) => {
      const { [k]: _dropped, ...rest } = op;
      return rest;
    }),
    fc.tuple(fc.constantFrom(...keys), fc.jsonValue()).map(([k, v]) => ({ ...op, [k]: v as Json })),
    fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue()).map(([k, v]) => ({ ...op, [k]: v as Json })),
    fc
      .constantFrom(
        'insert',
        'select',
        'update',
        'mutate',
        'delete',
        'wait',
        'commit',
        'abort',
        'comment',
        'assert',
        'nope',
      )
      .map((o) => ({ ...op, op: o })),
    fc.jsonValue().map((v) => v as Json),
  );
}

/** Anything thrown must be a TransactionValidationError naming one of the operations. */
function validateTyped(schema: DatabaseSchema, ops: readonly Json[]): TransactionValidationError | undefined {
  try {
    validateTransaction(schema, ops);
    return undefined;
  } catch (err) {
    if (!(err instanceof TransactionValidationError))
      throw new Error(`threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
    expect(err.operationIndex).toBeGreaterThanOrEqual(0);
    expect(err.operationIndex).toBeLessThan(ops.length);
    return err;
  }
}

describe('validateTransaction under random operations', () => {
  it('passes every transaction built to be valid', () => {
    fc.assert(
      fc.property(validTransaction, ({ schema, ops }) => {
        const err = validateTyped(schema, ops);
        expect(
          err?.message,
          JSON.stringify(ops, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
        ).toBeUndefined();
      }),
      params,
    );
  });

  it('refuses a damaged transaction only with a TransactionValidationError', () => {
    const damaged = validTransaction.chain(({ schema, ops }) =>
      fc
        .nat({ max: ops.length - 1 })
        .chain((i) =>
          damage(ops[i] as JsonObject).map((bad) => ({ schema, ops: ops.map<Json>((o, j) => (j === i ? bad : o)) })),
        ),
    );
    let refused = 0;
    fc.assert(
      fc.property(damaged, ({ schema, ops }) => {
        if (validateTyped(schema, ops)) refused++;
      }),
      params,
    );
    expect(refused).toBeGreaterThan(params.numRuns / 3);
  });

  it('refuses random JSON only with a TransactionValidationError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCHEMAS), fc.array(fc.jsonValue(), { maxLength: 4 }), (schema, ops) => {
        validateTyped(schema, ops as Json[]);
      }),
      params,
    );
  });
});
