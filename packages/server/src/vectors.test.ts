/**
 * Open vSwitch's own execution tests (ovsdb-execution.at, v3.1.0 plus the four newer cases), restated as
 * JSON in shared/vectors/ovs (bundled in @ovsdb-web/testing) and verified against ovsdb-server 3.1.0: every transaction must give
 * the recorded result after UUID normalisation.
 */
import { describe, expect, it } from 'vitest';
import { parseDatabaseSchema, type Json, type JsonObject } from '@ovsdb-web/client';
import { Database } from './database.js';
import { executeTransaction } from './transaction.js';
import { readJsonFile, sortKeysDeep, UuidFilter } from './test-support.js';
import { BUNDLED_VECTORS_DIR } from '@ovsdb-web/testing';

const DIR = BUNDLED_VECTORS_DIR;

interface ExecutionCase {
  title: string;
  read_only: boolean;
  schema: Json;
  transactions: Json[][];
  expected: Json[];
}

function load(file: string): ExecutionCase[] {
  return readJsonFile(`${DIR}/${file}`) as unknown as ExecutionCase[];
}

function run(c: ExecutionCase): { got: Json[]; want: Json[] } {
  const db = new Database(parseDatabaseSchema(c.schema));
  const filter = new UuidFilter();
  const got: Json[] = [];
  for (const params of c.transactions) {
    const outcome = executeTransaction(db, params.slice(1), { readOnly: c.read_only });
    if (outcome.kind !== 'done') throw new Error('unexpected pending transaction');
    db.apply(outcome.changes);
    got.push(filter.filter(outcome.results));
  }
  return { got, want: c.expected.map((e) => sortKeysDeep(e as JsonObject)) };
}

for (const file of ['execution.json', 'execution-head-extra.json']) {
  describe(`OVS execution vectors: ${file}`, () => {
    for (const c of load(file)) {
      it(c.title, () => {
        const { got, want } = run(c);
        expect(got).toEqual(want);
      });
    }
  });
}
