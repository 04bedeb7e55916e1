/**
 * The plan against the real ovsdb-server: for each transaction, what `planTransaction` predicts from a
 * monitor cache must be exactly what the server then does — the rows it inserts, updates and deletes,
 * including those it deletes or changes on its own at commit (unreferenced rows of non-root tables, weak
 * references) — and a transaction the plan says would fail must fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ovnNbctl, ovsdbDump, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { OvsdbClient } from '../client/client.js';
import type { Monitor } from '../monitor/monitor.js';
import { parseJson, type Json } from '../wire/json.js';
import type { DatabaseSchema } from '../schema/schema.js';
import { planTransaction } from './plan.js';
import { TransactionError } from './errors.js';

const NB = 'OVN_Northbound';
let server: OvsdbServerProcess;
let client: OvsdbClient;
let monitor: Monitor;
let schema: DatabaseSchema;

type Dump = Record<string, Record<string, Record<string, unknown>>>;

async function dump(): Promise<Dump> {
  return await ovsdbDump(server.unixRemote!, NB, { parse: (t) => parseJson(t) });
}

/** What changed between two dumps, as the plan states it: table/uuid → kind. */
function observed(before: Dump, after: Dump): Record<string, string> {
  const out: Record<string, string> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[table] ?? {};
    const a = after[table] ?? {};
    for (const uuid of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (!(uuid in b)) out[`${table}/new`] = 'insert';
      else if (!(uuid in a)) out[`${table}/${uuid}`] = 'delete';
      else if (JSON.stringify(strip(b[uuid])) !== JSON.stringify(strip(a[uuid]))) out[`${table}/${uuid}`] = 'update';
    }
  }
  return out;
}

function strip(row: Record<string, unknown> | undefined): Record<string, unknown> {
  const { _version: _v, ...rest } = row ?? {};
  return rest;
}

async function uuidOf(table: string, name: string): Promise<string> {
  return (await ovnNbctl(server.unixRemote!, '--bare', '--columns=_uuid', 'find', table, `name=${name}`)).trim();
}

async function check(ops: Json[]): Promise<void> {
  await client.echo(); // the cache has everything the server has
  const plan = planTransaction(schema, monitor.cache, ops);
  const before = await dump();
  let failed: TransactionError | undefined;
  try {
    await client.transact(NB, ops, { validate: false });
  } catch (err) {
    if (!(err instanceof TransactionError)) throw err;
    failed = err;
  }
  const after = await dump();
  if (plan.problems.length > 0) {
    expect(
      failed,
      `the plan found ${plan.problems.map((p) => p.message).join('; ')} but the server committed`,
    ).toBeDefined();
    expect(observed(before, after)).toEqual({});
    return;
  }
  expect(failed?.message).toBeUndefined();
  const predicted: Record<string, string> = {};
  for (const e of plan.effects) predicted[e.kind === 'insert' ? `${e.table}/new` : `${e.table}/${e.uuid}`] = e.kind;
  expect(predicted).toEqual(observed(before, after));
}

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  const nb = (...a: string[]) => ovnNbctl(server.unixRemote!, ...a);
  await nb('ls-add', 'sw0', '--', 'ls-add', 'sw1');
  for (const p of ['a', 'b', 'c', 'd']) await nb('lsp-add', 'sw0', p);
  await nb('lsp-add', 'sw1', 'e');
  await nb('pg-add', 'pg1', 'a', 'b');
  await nb('acl-add', 'pg1', 'to-lport', '1000', 'outport == @pg1', 'allow');
  client = await OvsdbClient.connect(server.unixRemote!);
  schema = await client.getSchema(NB);
  monitor = await client.monitor(NB, { tables: '*' });
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describe('planTransaction agrees with ovsdb-server', () => {
  it('removing a port from its switch deletes the port and drops it from its port groups', async () => {
    const a = await uuidOf('Logical_Switch_Port', 'a');
    await check([
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['name', '==', 'sw0']],
        mutations: [['ports', 'delete', ['uuid', a]]],
      },
    ]);
  });

  it('deleting a switch deletes all its ports', async () => {
    await check([{ op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'sw1']] }]);
  });

  it('adding a port inserts it and updates the switch', async () => {
    await check([
      {
        op: 'insert',
        table: 'Logical_Switch_Port',
        'uuid-name': 'p',
        row: { name: 'new-port', addresses: ['set', ['00:00:00:00:00:09']] },
      },
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['name', '==', 'sw0']],
        mutations: [['ports', 'insert', ['named-uuid', 'p']]],
      },
    ]);
  });

  it('a port inserted without a switch is collected at once', async () => {
    await check([{ op: 'insert', table: 'Logical_Switch_Port', row: { name: 'orphan' } }]);
  });

  it('deleting a port its switch still references fails (referential integrity)', async () => {
    const plan = planTransaction(schema, monitor.cache, [
      { op: 'delete', table: 'Logical_Switch_Port', where: [['name', '==', 'b']] },
    ]);
    expect(plan.problems.map((p) => p.kind)).toEqual(['blocked-delete']);
    await check([{ op: 'delete', table: 'Logical_Switch_Port', where: [['name', '==', 'b']] }]);
  });

  it('an operation on a table the schema lacks fails with the kind and words ovsdb-server uses', async () => {
    const ops: Json[] = [{ op: 'insert', table: 'No_Such_Table', row: {} }];
    const plan = planTransaction(schema, monitor.cache, ops);
    expect(plan.problems.map((p) => [p.kind, p.table, p.operationIndex])).toEqual([['operation', 'No_Such_Table', 0]]);
    const err = await client.transact(NB, ops, { validate: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionError);
    const { error, details } = err as TransactionError;
    // ovsdb-server puts "Parsing ovsdb operation 1 of 1 failed: " before the words.
    expect([error, details]).toEqual(['syntax error', expect.stringMatching(/: No table named No_Such_Table\.$/)]);
    expect(plan.problems[0]!.message).toBe('operation 0 (insert): syntax error: No table named No_Such_Table.');
  });

  it('a wait guard that no longer holds fails the transaction, and the plan says so', async () => {
    const ops: Json[] = [
      {
        op: 'wait',
        table: 'ACL',
        where: [['priority', '==', 1000]],
        columns: ['priority', 'action'],
        until: '==',
        rows: [{ priority: 1000, action: 'drop' }],
        timeout: 0,
      },
      { op: 'update', table: 'ACL', where: [['priority', '==', 1000]], row: { priority: 1001 } },
    ];
    const plan = planTransaction(schema, monitor.cache, ops);
    expect(plan.problems.map((p) => p.kind)).toEqual(['wait-unmet']);
    await check(ops);
    await check([
      {
        op: 'wait',
        table: 'ACL',
        where: [['priority', '==', 1000]],
        columns: ['priority', 'action'],
        until: '==',
        rows: [{ priority: 1000, action: 'allow' }],
        timeout: 0,
      },
      { op: 'update', table: 'ACL', where: [['priority', '==', 1000]], row: { priority: 1001 } },
    ]);
  });

  it('names the columns an update changes, with old and new values', () => {
    const plan = planTransaction(schema, monitor.cache, [
      {
        op: 'update',
        table: 'Logical_Switch_Port',
        where: [['name', '==', 'c']],
        row: { tag_request: 7, enabled: false },
      },
    ]);
    expect(plan.effects).toHaveLength(1);
    expect(plan.effects[0]).toMatchObject({ kind: 'update', cause: 'operation', operationIndex: 0 });
    // In schema order.
    expect(plan.effects[0]!.columns).toEqual([
      { column: 'enabled', old: ['set', []], new: false },
      { column: 'tag_request', old: ['set', []], new: 7 },
    ]);
  });

  it('deleting a port group removes its ACLs', async () => {
    await check([{ op: 'delete', table: 'Port_Group', where: [['name', '==', 'pg1']] }]);
  });
});
