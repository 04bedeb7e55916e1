/**
 * OvsdbClient against the real ovsdb-server 3.1 (Debian), over unix, tcp and ssl. Every behaviour checked
 * here is the server's, so nothing is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { OvsdbClient } from './client.js';
import { TransactionBuilder } from '../txn/builder.js';
import { TransactionError, TransactionValidationError } from '../txn/errors.js';
import type { Operation } from '../wire/operation.js';
import type { Json } from '../wire/json.js';
import { RpcError } from '../jsonrpc/errors.js';

const EVERY_TYPE = fileURLToPath(new URL('../../test-fixtures/every-type.ovsschema', import.meta.url));
const NB = 'OVN_Northbound';
const ET = 'EveryType';

let server: OvsdbServerProcess;
let client: OvsdbClient;

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA, EVERY_TYPE], unix: true, tcp: true, ssl: true });
  client = await OvsdbClient.connect(server.unixRemote!);
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** Bytes this client has written to its socket: proves that a refused transaction sent nothing. */
function bytesWritten(c: OvsdbClient): number {
  return (c.connection as unknown as { stream: Socket }).stream.bytesWritten;
}

async function expectTxnError(
  db: string,
  ops: Json[],
  error: string,
  detailsMatch?: RegExp,
  opIndex?: number,
): Promise<TransactionError> {
  const err = await client.transact(db, ops, { validate: false }).then(
    () => {
      throw new Error('transaction unexpectedly succeeded');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TransactionError);
  const te = err as TransactionError;
  expect(te.error).toBe(error);
  if (detailsMatch) expect(te.details ?? '').toMatch(detailsMatch);
  if (opIndex !== undefined) expect(te.operationIndex).toBe(opIndex);
  return te;
}

describe('connecting', () => {
  it.each(['unix', 'tcp', 'ssl'] as const)('lists databases and reads a schema over %s', async (kind) => {
    const remote = kind === 'unix' ? server.unixRemote! : kind === 'tcp' ? server.tcpRemote! : server.sslRemote!;
    const c = await OvsdbClient.connect(remote, kind === 'ssl' ? { tls: server.tls! } : {});
    try {
      expect((await c.listDbs()).sort()).toEqual([ET, NB, '_Server']);
      const schema = await c.getSchema(NB);
      expect(schema.name).toBe(NB);
      expect(schema.tables.get('ACL')?.columns.get('priority')?.type.key).toMatchObject({
        type: 'integer',
        minInteger: 0,
        maxInteger: 32767,
      });
      expect(await c.echo('hello', 42)).toEqual(['hello', 42]);
    } finally {
      await c.close();
    }
  });

  it('tries the members of a remote list in order until one answers', async () => {
    const c = await OvsdbClient.connect(`unix:${server.dir}/nobody-here.sock,${server.tcpRemote!}`);
    expect(c.remote.kind).toBe('tcp');
    await c.close();
  });

  it('names every remote it could not reach', async () => {
    await expect(OvsdbClient.connect(`unix:${server.dir}/a.sock,unix:${server.dir}/b.sock`)).rejects.toThrow(
      /a\.sock.*b\.sock/s,
    );
  });

  it('reports an unknown database as the server words it', async () => {
    const err = await client.getSchema('Nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).error).toBe('unknown database');
  });

  it('answers get_server_id and set_db_change_aware', async () => {
    expect(await client.getServerId()).toMatch(/^[0-9a-f-]{36}$/);
    await expect(client.setDbChangeAware(true)).resolves.toBeUndefined();
  });
});

describe('transactions: the ten operations', () => {
  it('insert, select, update, mutate, delete, wait, commit, comment with their results', async () => {
    const schema = await client.getSchema(NB);
    const tx = new TransactionBuilder(schema);
    const port = tx.insert('Logical_Switch_Port', {
      name: 'p1',
      addresses: ['00:00:00:00:00:01 10.0.0.1'],
      tag_request: [5],
    });
    tx.insert('Logical_Switch', { name: 'ls1', ports: [port], other_config: new Map([['a', '1']]) });
    tx.comment('client test').commit(false);
    const r1 = await client.transact(NB, tx.operations());
    expect(r1).toHaveLength(4);
    expect(r1[0]).toEqual({ uuid: ['uuid', expect.stringMatching(/^[0-9a-f-]{36}$/)] });
    expect(r1[2]).toEqual({});
    expect(r1[3]).toEqual({});

    const t2 = new TransactionBuilder(schema)
      .update('Logical_Switch_Port', [['name', '==', 'p1']], { enabled: [false] })
      .mutate('Logical_Switch_Port', [['name', '==', 'p1']], [['tag_request', '+=', 10]])
      .mutate('Logical_Switch', [['name', '==', 'ls1']], [['other_config', 'insert', { b: '2' }]])
      .wait('Logical_Switch', [['name', '==', 'ls1']], ['name'], '==', [{ name: 'ls1' }], 0)
      .select('Logical_Switch_Port', [['name', '==', 'p1']], ['name', 'enabled', 'tag_request']);
    const r2 = await client.transact(NB, t2.operations());
    expect(r2.slice(0, 4)).toEqual([{ count: 1 }, { count: 1 }, { count: 1 }, {}]);
    expect(r2[4]).toEqual({ rows: [{ name: 'p1', enabled: false, tag_request: 15 }] });

    const r3 = await client.transact(NB, [
      { op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'ls1']] },
      { op: 'select', table: 'Logical_Switch_Port', where: [], columns: ['name'] },
    ]);
    // The port was only referenced by the switch and is not a root row: garbage collected at commit.
    expect(r3[0]).toEqual({ count: 1 });
    expect(r3[1]).toEqual({ rows: [{ name: 'p1' }] });
    const r4 = await client.transact(NB, [
      { op: 'select', table: 'Logical_Switch_Port', where: [['name', '==', 'p1']] },
    ]);
    expect(r4[0]).toEqual({ rows: [] });
  });

  it('inserts with a caller-chosen uuid and refuses it twice', async () => {
    const uuid = '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
    const r = await client.transact(ET, [{ op: 'insert', table: 'Atoms', uuid, row: { s: 'fixed' } }]);
    expect(r[0]).toEqual({ uuid: ['uuid', uuid] });
    await expectTxnError(ET, [{ op: 'insert', table: 'Atoms', uuid, row: {} }], 'duplicate uuid', undefined, 0);
  });

  it('abort fails the transaction with "aborted" and commits nothing', async () => {
    const err = await expectTxnError(
      ET,
      [{ op: 'insert', table: 'Atoms', row: { s: 'never' } }, { op: 'abort' }],
      'aborted',
      undefined,
      1,
    );
    expect(err.results[0]).toMatchObject({ uuid: ['uuid', expect.any(String)] });
    const sel = await client.transact(ET, [{ op: 'select', table: 'Atoms', where: [['s', '==', 'never']] }]);
    expect(sel[0]).toEqual({ rows: [] });
  });

  it('assert needs the lock held by this session', async () => {
    await expectTxnError(ET, [{ op: 'assert', lock: 'L_assert' }], 'not owner', undefined, 0);
    expect(await client.lock('L_assert')).toBe(true);
    expect(
      await client.transact(ET, [
        { op: 'assert', lock: 'L_assert' },
        { op: 'comment', comment: 'locked' },
      ]),
    ).toEqual([{}, {}]);
    await client.unlock('L_assert');
  });

  it('wait with timeout 0 on a row that does not match fails with "timed out"', async () => {
    await client.transact(ET, [{ op: 'insert', table: 'Atoms', row: { s: 'waiting', i: 1 } }]);
    await expectTxnError(
      ET,
      [
        {
          op: 'wait',
          table: 'Atoms',
          where: [['s', '==', 'waiting']],
          columns: ['i'],
          until: '==',
          rows: [{ i: 2 }],
          timeout: 0,
        },
      ],
      'timed out',
      undefined,
      0,
    );
  });
});

describe('values survive the round trip exactly', () => {
  it('keeps int64 extremes', async () => {
    const values = [9223372036854775807n, -9223372036854775808n, 9007199254740993n, 0, -1];
    for (const i of values) {
      const r = await client.transact(ET, [
        { op: 'insert', table: 'Atoms', 'uuid-name': 'a', row: { i, s: 'int64' } },
        { op: 'select', table: 'Atoms', where: [['_uuid', '==', ['named-uuid', 'a']]], columns: ['i'] },
      ]);
      expect(r[1]).toEqual({ rows: [{ i }] });
    }
  });

  it('keeps multi-byte UTF-8 strings', async () => {
    const s = 'é日本語🙂\u0001"\\/\n';
    const r = await client.transact(ET, [
      { op: 'insert', table: 'Atoms', 'uuid-name': 'a', row: { s } },
      { op: 'select', table: 'Atoms', where: [['_uuid', '==', ['named-uuid', 'a']]], columns: ['s'] },
    ]);
    expect(r[1]).toEqual({ rows: [{ s }] });
  });

  it('reads a 10 MB reply', async () => {
    const big = 'x'.repeat(10_000) + '日本';
    const ops: Json[] = [];
    for (let i = 0; i < 1_050; i++)
      ops.push(
        { op: 'insert', table: 'Child', row: { name: big, n: i } },
        { op: 'insert', table: 'Atoms', row: { s: 'bulk', refs: ['named-uuid', `c${i}`] } },
      );
    ops.forEach((op, i) => {
      if (i % 2 === 0) (op as Record<string, Json>)['uuid-name'] = `c${i / 2}`;
    });
    await client.transact(ET, ops);
    const r = await client.transact(ET, [
      { op: 'select', table: 'Child', where: [['n', '>=', 0]], columns: ['name', 'n'] },
    ]);
    const rows = (r[0] as { rows: { name: string; n: number }[] }).rows;
    expect(rows.length).toBeGreaterThanOrEqual(1_050);
    expect(rows.every((row) => row.name === big)).toBe(true);
    expect(JSON.stringify(r).length).toBeGreaterThan(10_000_000);
  });
});

describe('server errors name the failing operation (conformance §2)', () => {
  const cases: [string, Json[], string, RegExp | undefined, number][] = [
    [
      'unknown table',
      [{ op: 'select', table: 'No_Such_Table', where: [] }],
      'syntax error',
      /No table named No_Such_Table/,
      0,
    ],
    ['unknown column', [{ op: 'select', table: 'ACL', where: [['nope', '==', 1]] }], 'unknown column', undefined, 0],
    [
      'ACL priority out of range',
      [{ op: 'insert', table: 'ACL', row: { priority: 40000, direction: 'to-lport', match: '1', action: 'drop' } }],
      'constraint violation',
      /40000 is not in the valid range 0 to 32767 \(inclusive\)/,
      0,
    ],
    [
      'bad enum',
      [{ op: 'insert', table: 'ACL', row: { priority: 1, direction: 'sideways', match: '1', action: 'drop' } }],
      'constraint violation',
      undefined,
      0,
    ],
    [
      'two elements in a max-1 set',
      [{ op: 'insert', table: 'Logical_Switch_Port', row: { name: 'x', tag_request: ['set', [1, 2]] } }],
      'syntax error',
      undefined,
      0,
    ],
    [
      'strong reference to a missing row (found at commit)',
      [
        {
          op: 'insert',
          table: 'Logical_Switch',
          row: { name: 'dangling', ports: ['uuid', '11111111-2222-3333-4444-555555555555'] },
        },
      ],
      'referential integrity violation',
      /references nonexistent row 11111111-2222-3333-4444-555555555555/,
      -1,
    ],
    [
      'duplicate uuid-name',
      [
        { op: 'insert', table: 'Logical_Switch', 'uuid-name': 'a', row: {} },
        { op: 'insert', table: 'Logical_Switch', 'uuid-name': 'a', row: {} },
      ],
      'duplicate uuid-name',
      undefined,
      1,
    ],
    [
      'unknown mutator',
      [{ op: 'mutate', table: 'Atoms', where: [], mutations: [['i', '^=', 1]] }],
      'unknown mutator',
      undefined,
      0,
    ],
    [
      'update _uuid',
      [{ op: 'update', table: 'Atoms', where: [], row: { _uuid: ['uuid', '11111111-2222-3333-4444-555555555555'] } }],
      'constraint violation',
      undefined,
      0,
    ],
  ];
  it.each(cases)('%s', async (_title, ops, error, details, index) => {
    const db = (ops[0] as { table: string }).table === 'Atoms' ? ET : NB;
    await expectTxnError(db, ops, error, details, index);
  });

  it('division by zero is a domain error; an out-of-range result a constraint violation', async () => {
    await client.transact(ET, [{ op: 'insert', table: 'Atoms', row: { s: 'arith', ranged: 4 } }]);
    await expectTxnError(
      ET,
      [{ op: 'mutate', table: 'Atoms', where: [['s', '==', 'arith']], mutations: [['i', '/=', 0]] }],
      'domain error',
      undefined,
      0,
    );
    await expectTxnError(
      ET,
      [{ op: 'mutate', table: 'Atoms', where: [['s', '==', 'arith']], mutations: [['ranged', '+=', 2]] }],
      'constraint violation',
      undefined,
      0,
    );
  });

  it('deleting a row that is still referenced is a referential integrity violation', async () => {
    await client.transact(ET, [
      { op: 'insert', table: 'Child', 'uuid-name': 'c', row: { name: 'kept' } },
      { op: 'insert', table: 'Atoms', row: { s: 'holder', refs: ['named-uuid', 'c'] } },
    ]);
    await expectTxnError(
      ET,
      [{ op: 'delete', table: 'Child', where: [['name', '==', 'kept']] }],
      'referential integrity violation',
      /remaining reference/,
      -1,
    );
  });

  it('a unique index clash and maxRows are constraint violations at commit', async () => {
    await client.transact(ET, [{ op: 'insert', table: 'Unique', row: { key: 'k1' } }]);
    await expectTxnError(
      ET,
      [{ op: 'insert', table: 'Unique', row: { key: 'k1' } }],
      'constraint violation',
      undefined,
      -1,
    );
    await client.transact(ET, [
      { op: 'insert', table: 'Unique', row: { key: 'k2' } },
      { op: 'insert', table: 'Unique', row: { key: 'k3' } },
    ]);
    await expectTxnError(
      ET,
      [{ op: 'insert', table: 'Unique', row: { key: 'k4' } }],
      'constraint violation',
      /limit of 3 row/,
      -1,
    );
  });
});

describe('validation before sending', () => {
  const invalid: [string, Json[], string, string | undefined][] = [
    ['unknown table', [{ op: 'insert', table: 'Nope', row: {} }], 'syntax error', undefined],
    ['unknown column', [{ op: 'insert', table: 'Atoms', row: { nope: 1 } }], 'unknown column', 'nope'],
    ['wrong type', [{ op: 'insert', table: 'Atoms', row: { i: 'one' } }], 'syntax error', 'i'],
    ['integer out of range', [{ op: 'insert', table: 'Atoms', row: { ranged: 6 } }], 'constraint violation', 'ranged'],
    [
      'real out of range',
      [{ op: 'insert', table: 'Atoms', row: { realRanged: 2.5 } }],
      'constraint violation',
      'realRanged',
    ],
    ['not in the enum', [{ op: 'insert', table: 'Atoms', row: { color: 'pink' } }], 'constraint violation', 'color'],
    ['string too long', [{ op: 'insert', table: 'Atoms', row: { short: 'toolong' } }], 'constraint violation', 'short'],
    ['string too short', [{ op: 'insert', table: 'Atoms', row: { short: '' } }], 'constraint violation', 'short'],
    [
      'too many elements',
      [{ op: 'insert', table: 'Atoms', row: { upToThree: ['set', ['a', 'b', 'c', 'd']] } }],
      'syntax error',
      'upToThree',
    ],
    [
      'too few elements',
      [{ op: 'insert', table: 'Atoms', row: { upToThree: ['set', []] } }],
      'syntax error',
      'upToThree',
    ],
    [
      'immutable column in update',
      [{ op: 'update', table: 'Atoms', where: [], row: { frozen: 'x' } }],
      'constraint violation',
      'frozen',
    ],
    [
      'immutable column in mutate',
      [{ op: 'mutate', table: 'Atoms', where: [], mutations: [['frozen', 'insert', 'x']] }],
      'constraint violation',
      'frozen',
    ],
    [
      'undefined named-uuid',
      [{ op: 'insert', table: 'Atoms', row: { refs: ['named-uuid', 'ghost'] } }],
      'referential integrity violation',
      'refs',
    ],
    ['bad uuid-name', [{ op: 'insert', table: 'Atoms', 'uuid-name': '1bad', row: {} }], 'syntax error', undefined],
    ['unknown operation', [{ op: 'upsert', table: 'Atoms' }], 'syntax error', undefined],
    [
      'map given as an object',
      [{ op: 'insert', table: 'Atoms', row: { strMap: { a: 'b' } } }],
      'syntax error',
      'strMap',
    ],
    [
      'unknown mutator',
      [{ op: 'mutate', table: 'Atoms', where: [], mutations: [['i', '^=', 1]] }],
      'unknown mutator',
      'i',
    ],
    ['a NUL character in a string', [{ op: 'insert', table: 'Atoms', row: { s: 'a\u0000b' } }], 'syntax error', 's'],
    [
      'a column whose default breaks its constraints left out',
      [
        { op: 'insert', table: 'Child', row: {} },
        { op: 'insert', table: 'Enumerated', row: {} },
      ],
      'constraint violation',
      'kind',
    ],
  ];
  it.each(invalid)('refuses %s with nothing sent', async (_title, ops, error, column) => {
    const before = bytesWritten(client);
    const err = await client.transact(ET, [{ op: 'comment', comment: 'first' }, ...ops]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionValidationError);
    const ve = err as TransactionValidationError;
    expect(ve.error).toBe(error);
    expect(ve.operationIndex).toBe(ops.length);
    expect(ve.column).toBe(column);
    expect(bytesWritten(client)).toBe(before);
  });

  it('names the operation and column in the message', async () => {
    const err = await client
      .transact(NB, [
        { op: 'insert', table: 'ACL', row: { priority: 40000, direction: 'to-lport', match: '1', action: 'drop' } },
      ])
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /operation 0 \(insert on ACL\), column priority: constraint violation: .*40000/,
    );
  });
});

describe('locks', () => {
  it('grants, queues, steals and notifies', async () => {
    const other = await OvsdbClient.connect(server.unixRemote!);
    try {
      expect(await client.lock('L1')).toBe(true);
      const lockedLater = new Promise<string>((resolve) => other.on('locked', resolve));
      expect(await other.lock('L1')).toBe(false);
      await client.unlock('L1');
      expect(await lockedLater).toBe('L1');

      const stolen = new Promise<string>((resolve) => other.on('stolen', resolve));
      expect(await client.steal('L1')).toBe(true);
      expect(await stolen).toBe('L1');
      await client.unlock('L1');
    } finally {
      await other.close();
    }
  });
});

describe('cancel', () => {
  it('aborting a transaction that waits sends cancel and leaves the session usable', async () => {
    await client.transact(ET, [{ op: 'insert', table: 'Atoms', row: { s: 'cancel-me', i: 1 } }]);
    const ac = new AbortController();
    const waiting = client.transact(
      ET,
      [
        {
          op: 'wait',
          table: 'Atoms',
          where: [['s', '==', 'cancel-me']],
          columns: ['i'],
          until: '==',
          rows: [{ i: 2 }],
          timeout: 60_000,
        },
      ] satisfies Operation[],
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(new Error('user gave up')), 100);
    await expect(waiting).rejects.toThrow('user gave up');
    expect(await client.echo('still here')).toEqual(['still here']);
  });
});

describe('validation against a monitor cache', () => {
  it('refuses a strong reference to a missing row and a unique-index clash, with nothing sent', async () => {
    await client.transact(ET, [
      { op: 'delete', table: 'Unique', where: [] },
      { op: 'insert', table: 'Unique', row: { key: 'cached-key' } },
      { op: 'insert', table: 'Child', 'uuid-name': 'c', row: { name: 'kid' } },
      { op: 'insert', table: 'Atoms', row: { s: 'parent', refs: ['named-uuid', 'c'] } },
    ]);
    const mon = await client.monitor(ET, { tables: ['Unique', 'Child', 'Atoms'] });
    try {
      const kid = mon.cache.table('Child').find([['name', '==', 'kid']])[0]!._uuid as string;
      const cases: [string, Json[], string, string, number][] = [
        [
          'dangling reference',
          [{ op: 'insert', table: 'Atoms', row: { refs: ['uuid', '11111111-2222-3333-4444-555555555555'] } }],
          'referential integrity violation',
          'refs',
          0,
        ],
        [
          'clash with an existing row',
          [
            { op: 'comment', comment: 'x' },
            { op: 'insert', table: 'Unique', row: { key: 'cached-key' } },
          ],
          'constraint violation',
          'key',
          1,
        ],
        [
          'clash between two inserts',
          [
            { op: 'insert', table: 'Unique', row: { key: 'twice' } },
            { op: 'insert', table: 'Unique', row: { key: 'twice' } },
          ],
          'constraint violation',
          'key',
          1,
        ],
      ];
      for (const [title, ops, error, column, index] of cases) {
        const before = bytesWritten(client);
        const err = await client.transact(ET, ops, { cache: mon.cache }).catch((e: unknown) => e);
        expect(err, title).toBeInstanceOf(TransactionValidationError);
        expect((err as TransactionValidationError).error, title).toBe(error);
        expect((err as TransactionValidationError).column, title).toBe(column);
        expect((err as TransactionValidationError).operationIndex, title).toBe(index);
        expect(bytesWritten(client), title).toBe(before);
      }
      // Valid uses pass: an existing row, a row created in the same transaction, a key freed by a delete.
      await client.transact(ET, [{ op: 'insert', table: 'Atoms', row: { s: 'ok', refs: ['uuid', kid] } }], {
        cache: mon.cache,
      });
      await client.transact(
        ET,
        [
          { op: 'insert', table: 'Child', uuid: '22222222-3333-4444-5555-666666666666', row: {} },
          { op: 'insert', table: 'Atoms', row: { refs: ['uuid', '22222222-3333-4444-5555-666666666666'] } },
        ],
        { cache: mon.cache },
      );
      await client.transact(
        ET,
        [
          { op: 'delete', table: 'Unique', where: [['key', '==', 'cached-key']] },
          { op: 'insert', table: 'Unique', row: { key: 'cached-key' } },
        ],
        { cache: mon.cache },
      );
    } finally {
      await mon.close();
    }
  });
});
