import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '@ovsdb-web/client/core';
import {
  ProtocolViolation,
  ServerMessageError,
  encodeDelta,
  encodeServerMessage,
  encodeSnapshot,
  parseClientMessage,
  parseServerMessage,
  type DeltaMessage,
  type ServerMessage,
  type SnapshotMessage,
} from './stream.js';

const violation = (text: string): string => {
  try {
    parseClientMessage(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolViolation);
    return (err as Error).message;
  }
  throw new Error(`accepted ${text}`);
};

describe('parseClientMessage', () => {
  it('accepts a full subscribe and keeps only what it declares', () => {
    const msg = parseClientMessage(
      JSON.stringify({
        type: 'subscribe',
        id: 'ports',
        remote: 'nb',
        db: 'OVN_Northbound',
        tables: ['Logical_Switch_Port'],
        where: { Logical_Switch_Port: [['name', '==', 'lsp1']] },
        columns: { Logical_Switch_Port: ['name', 'up'] },
        since: { epoch: 'e1', seq: 12 },
        snapshot: false,
        old: true,
        holdSnapshot: true,
      }),
    );
    expect(msg).toEqual({
      type: 'subscribe',
      id: 'ports',
      remote: 'nb',
      db: 'OVN_Northbound',
      tables: ['Logical_Switch_Port'],
      where: { Logical_Switch_Port: [['name', '==', 'lsp1']] },
      columns: { Logical_Switch_Port: ['name', 'up'] },
      since: { epoch: 'e1', seq: 12 },
      snapshot: false,
      old: true,
      holdSnapshot: true,
    });
  });

  it('accepts ping, unsubscribe, snapshot-continue and subscribe-status', () => {
    expect(parseClientMessage('{"type":"ping","data":[1,"x"]}')).toEqual({ type: 'ping', data: [1, 'x'] });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(parseClientMessage('{"type":"unsubscribe","id":"a"}')).toEqual({ type: 'unsubscribe', id: 'a' });
    expect(parseClientMessage('{"type":"subscribe-status","id":"s"}')).toEqual({ type: 'subscribe-status', id: 's' });
    expect(parseClientMessage('{"type":"snapshot-continue","id":"p"}')).toEqual({ type: 'snapshot-continue', id: 'p' });
  });

  it('refuses deep nesting before parsing, wherever it is', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(violation(`{"type":"ping","data":${deep(6000)}}`)).toMatch(/nested more than 32 levels/);
    expect(violation(`{"type":${deep(6000)}}`)).toMatch(/nested more than 32 levels/);
    expect(violation(`{"type":"subscribe","id":"a","remote":"r","db":"d","where":{"T":${deep(100)}}}`)).toMatch(
      /nested/,
    );
    // Brackets inside strings are not nesting.
    expect(parseClientMessage(`{"type":"ping","data":"${'['.repeat(100)}"}`)).toEqual({
      type: 'ping',
      data: '['.repeat(100),
    });
  });

  it.each([
    ['not JSON', '{"type":', /not valid JSON/],
    ['an array', '[1]', /must be a JSON object/],
    ['an unknown type', '{"type":"nope"}', /unknown message type "nope"/],
    ['a type that is not a string', '{"type":[1]}', /unknown message type of JSON type array/],
    ['subscribe without remote', '{"type":"subscribe","id":"a","db":"d"}', /"remote"/],
    ['an empty id', '{"type":"subscribe","id":"","remote":"r","db":"d"}', /"id"/],
    ['an over-long id', `{"type":"unsubscribe","id":"${'x'.repeat(129)}"}`, /at most 128/],
    [
      'tables that are not names',
      '{"type":"subscribe","id":"a","remote":"r","db":"d","tables":[1]}',
      /"tables" must be an array/,
    ],
    [
      'columns that are not an array',
      '{"type":"subscribe","id":"a","remote":"r","db":"d","columns":{"T":"name"}}',
      /"columns.T"/,
    ],
    [
      'where that is not by table',
      '{"type":"subscribe","id":"a","remote":"r","db":"d","where":[["a","==",1]]}',
      /keyed by table/,
    ],
    [
      'where conditions that are not a list',
      '{"type":"subscribe","id":"a","remote":"r","db":"d","where":{"T":{}}}',
      /array of at most/,
    ],
    ['an unknown field', '{"type":"subscribe","id":"a","remote":"r","db":"d","tabels":[]}', /no field "tabels"/],
    ['a bad since', '{"type":"subscribe","id":"a","remote":"r","db":"d","since":{"epoch":"e","seq":-1}}', /"since"/],
    [
      'a non-boolean snapshot flag',
      '{"type":"subscribe","id":"a","remote":"r","db":"d","snapshot":"false"}',
      /"snapshot" must be true or false/,
    ],
    [
      'a non-boolean holdSnapshot flag',
      '{"type":"subscribe","id":"a","remote":"r","db":"d","holdSnapshot":1}',
      /"holdSnapshot" must be true or false/,
    ],
    ['extra fields on unsubscribe', '{"type":"unsubscribe","id":"a","x":1}', /no field "x"/],
    ['snapshot-continue without an id', '{"type":"snapshot-continue"}', /"id"/],
  ])('refuses %s', (_what, text, message) => {
    expect(violation(text)).toMatch(message);
  });

  it('names the subscription in a violation once the id is known', () => {
    try {
      parseClientMessage('{"type":"subscribe","id":"mine","remote":"r","db":"d","old":1}');
      throw new Error('accepted');
    } catch (err) {
      expect((err as ProtocolViolation).id).toBe('mine');
    }
  });
});

describe('encoders', () => {
  it('a snapshot chunk encoded from row text parses back to the message', () => {
    const rows = [
      { _uuid: ['uuid', '8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01'], name: 'a "quoted" name', tag: 9007199254740993n },
    ];
    const head: Omit<SnapshotMessage, 'type' | 'rows'> = { id: 'x"y', epoch: 'e', seq: 3, table: 'T', last: true };
    const text = encodeSnapshot(
      head,
      rows.map((r) => stringifyJson(r)),
    );
    expect(parseServerMessage(text)).toEqual({ type: 'snapshot', ...head, rows });
  });

  it('a delta encoded from row text parses back to the message, with every optional part', () => {
    const msg: DeltaMessage = {
      type: 'delta',
      id: 's',
      epoch: 'e',
      seq: 9,
      time: 1_700_000_000_000,
      resync: true,
      changes: [
        { table: 'T', uuid: 'u1', kind: 'insert', row: { _uuid: ['uuid', 'u1'], n: 1 } },
        {
          table: 'T',
          uuid: 'u2',
          kind: 'modify',
          row: { _uuid: ['uuid', 'u2'], n: 2 },
          columns: ['n'],
          old: { _uuid: ['uuid', 'u2'], n: 1 },
        },
        { table: 'T', uuid: 'u3', kind: 'delete', old: { _uuid: ['uuid', 'u3'], n: 3 } },
      ],
    };
    const text = encodeDelta(
      { id: msg.id, epoch: msg.epoch, seq: msg.seq, time: msg.time, resync: true },
      msg.changes.map((c) => ({
        table: c.table,
        uuid: c.uuid,
        kind: c.kind,
        ...(c.row ? { rowJson: JSON.stringify(c.row) } : {}),
        ...(c.columns ? { columns: c.columns } : {}),
        ...(c.old ? { oldJson: JSON.stringify(c.old) } : {}),
      })),
    );
    expect(parseServerMessage(text)).toEqual(msg);
    expect(parseJson(text)).toEqual(msg);
  });

  it('round-trips the other gateway messages', () => {
    const msgs: ServerMessage[] = [
      { type: 'subscribed', id: 'a', epoch: 'e', seq: 0, resumed: false, tables: ['T'] },
      { type: 'resync', id: 'a', reason: 'fell behind' },
      { type: 'error', id: 'a', error: { code: 'not_found', message: 'no table', details: { table: 'X' } } },
      { type: 'error', error: { code: 'bad_message', message: 'bad' } },
      { type: 'pong', data: 5 },
      {
        type: 'status',
        id: 's',
        remotes: [
          {
            name: 'nb',
            remote: 'unix:/x',
            status: 'connected',
            databases: ['OVN_Northbound'],
            clustered: false,
            member: 'unix:/x',
          },
        ],
        databases: [
          {
            remote: 'nb',
            db: 'OVN_Northbound',
            state: 'live',
            epoch: 'e',
            seq: 4,
            bucketMs: 10_000,
            tables: [{ name: 'ACL', rows: 3, changes: [0, 2] }],
          },
        ],
      },
    ];
    for (const m of msgs) expect(parseServerMessage(encodeServerMessage(m))).toEqual(m);
  });

  it('refuses gateway messages of the wrong shape', () => {
    expect(() =>
      parseServerMessage(
        '{"type":"delta","id":"a","epoch":"e","seq":1,"time":1,"changes":[{"table":"T","uuid":"u","kind":"modify"}]}',
      ),
    ).toThrow(ServerMessageError);
    expect(() => parseServerMessage('{"type":"error","error":{"code":"nope","message":"x"}}')).toThrow(/code, message/);
    expect(() => parseServerMessage('{"type":"what"}')).toThrow(/unknown type/);
  });
});
