/**
 * Reading ovsdb-server's file formats, on files written here record by record: how each kind of record
 * changes the rows, what a crash-truncated file and a corrupt one give, and the RAFT log's rules (entries
 * overwritten by a later leader, entries past the last commit index, conversions). Files written by the
 * real ovsdb-server are read in files.ovsdb.test.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringifyJson, type Json, type JsonObject } from '@ovsdb-web/client';
import { DatabaseFileError } from './errors.js';
import { parseDatabaseFile, type LoadedDatabaseFile } from './load.js';

const NB = JSON.parse(readFileSync('/usr/share/ovn/ovn-nb.ovsschema', 'utf8')) as JsonObject;
const LS = 'aaaaaaaa-0000-4000-8000-000000000001';
const LSP = 'bbbbbbbb-0000-4000-8000-000000000001';

function record(magic: 'JSON' | 'CLUSTER', json: Json): Buffer {
  const body = Buffer.from(`${stringifyJson(json)}\n`, 'utf8');
  const sha1 = createHash('sha1').update(body).digest('hex');
  return Buffer.concat([Buffer.from(`OVSDB ${magic} ${body.length} ${sha1}\n`), body]);
}

function standalone(...txns: Json[]): Buffer {
  return Buffer.concat([record('JSON', NB), ...txns.map((t) => record('JSON', t))]);
}

function load(data: Buffer): LoadedDatabaseFile {
  return parseDatabaseFile('test.db', data);
}

function loadError(data: Buffer): DatabaseFileError {
  try {
    load(data);
  } catch (err) {
    if (err instanceof DatabaseFileError) return err;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

/** The switch's columns of interest, in wire-ish form for readable expectations. */
function switchOf(f: LoadedDatabaseFile): Record<string, unknown> | undefined {
  const row = f.rows.get('Logical_Switch')?.get(LS);
  if (row === undefined) return undefined;
  const oc = row.other_config as Map<string, string>;
  return { name: row.name, ports: row.ports, other_config: Object.fromEntries(oc) };
}

const insertSwitch: JsonObject = {
  _date: 1,
  _is_diff: true,
  Logical_Switch: {
    [LS]: {
      name: 'sw0',
      other_config: [
        'map',
        [
          ['a', '1'],
          ['b', '2'],
        ],
      ],
    },
  },
};

describe('standalone files', () => {
  it('reads the schema and applies transactions in order', () => {
    const f = load(standalone(insertSwitch));
    expect([f.format, f.name, f.records, f.warnings]).toEqual(['standalone', 'OVN_Northbound', 2, []]);
    expect(f.schema).toEqual(NB);
    expect(switchOf(f)).toEqual({ name: 'sw0', ports: [], other_config: { a: '1', b: '2' } });
    // Every column is present; the rest hold their defaults.
    expect(f.rows.get('Logical_Switch')?.get(LS)?.external_ids).toEqual(new Map());
  });

  it('applies _is_diff records as update2 diffs: maps add, replace and remove; sets toggle; scalars replace', () => {
    const f = load(
      standalone(
        insertSwitch,
        {
          _is_diff: true,
          Logical_Switch_Port: { [LSP]: { name: 'p1' } },
          Logical_Switch: {
            [LS]: {
              ports: ['uuid', LSP],
              other_config: [
                'map',
                [
                  ['a', '1'],
                  ['b', '3'],
                  ['c', '4'],
                ],
              ],
            },
          },
        },
        { _is_diff: true, Logical_Switch: { [LS]: { name: 'sw1', ports: ['set', [['uuid', LSP]]] } } },
      ),
    );
    // a=1 given again with the same value: removed; b replaced; c added; the port toggled in then out.
    expect(switchOf(f)).toEqual({ name: 'sw1', ports: [], other_config: { b: '3', c: '4' } });
  });

  it('applies records without _is_diff (ovsdb-tool compact, older servers) as new values', () => {
    const f = load(
      standalone(insertSwitch, {
        Logical_Switch: {
          [LS]: {
            other_config: [
              'map',
              [
                ['a', '1'],
                ['z', '9'],
              ],
            ],
          },
        },
      }),
    );
    expect(switchOf(f)?.other_config).toEqual({ a: '1', z: '9' });
  });

  it('deletes rows given as null, and optional scalars take the diff as their value', () => {
    const f = load(
      standalone(
        { _is_diff: true, Logical_Switch_Port: { [LSP]: { name: 'p1', tag_request: 5 } } },
        { _is_diff: true, Logical_Switch_Port: { [LSP]: { tag_request: 7 } } },
      ),
    );
    expect(f.rows.get('Logical_Switch_Port')?.get(LSP)?.tag_request).toEqual([7]);
    const g = load(standalone(insertSwitch, { _is_diff: true, Logical_Switch: { [LS]: null } }));
    expect(g.rows.get('Logical_Switch')?.size).toBe(0);
  });

  it('loads up to the last whole record of a file cut short inside a record, and warns', () => {
    const whole = standalone(insertSwitch, { _is_diff: true, Logical_Switch: { [LS]: { name: 'later' } } });
    const lastStart =
      whole.length - record('JSON', { _is_diff: true, Logical_Switch: { [LS]: { name: 'later' } } }).length;
    for (const cut of [lastStart + 5, lastStart + 70, whole.length - 1]) {
      const f = load(whole.subarray(0, cut));
      expect(switchOf(f)?.name).toBe('sw0');
      expect(f.warnings).toHaveLength(1);
      expect(f.warnings[0]).toMatchObject({ kind: 'truncated', offset: lastStart, path: 'test.db' });
      expect(f.warnings[0]?.message).toMatch(new RegExp(`at byte offset ${lastStart}.*loaded the 2 whole records`));
    }
  });

  it('refuses a corrupt record with its byte offset and what is wrong', () => {
    const good = standalone(insertSwitch, { _is_diff: true, Logical_Switch: { [LS]: { name: 'x' } } });
    const second = record('JSON', NB).length;
    // A flipped byte inside the second record's body: a checksum mismatch, wherever it is in the file.
    const flipped = Buffer.from(good);
    flipped[second + 70] = (flipped[second + 70] as number) ^ 0x20;
    const e = loadError(flipped);
    expect([e.problem, e.offset]).toEqual(['checksum', second]);
    expect(e.message).toMatch(
      new RegExp(
        `^test.db: record at byte offset ${second}: SHA-1 of the \\d+-byte record is [0-9a-f]{40}, its header says`,
      ),
    );

    const junk = Buffer.concat([
      good,
      Buffer.from(`this is not a record header, and it goes on past the limit of a header line${'.'.repeat(60)}\n`),
    ]);
    expect(loadError(junk)).toMatchObject({ problem: 'bad-header', offset: good.length });
    expect(loadError(Buffer.from('{"not":"ovsdb"}\n'))).toMatchObject({ problem: 'not-ovsdb', offset: 0 });
    expect(loadError(Buffer.alloc(0))).toMatchObject({ problem: 'truncated' });
    expect(loadError(record('JSON', NB).subarray(0, 100))).toMatchObject({ problem: 'truncated', offset: 0 });

    const badJson = Buffer.from('{"oops"\n');
    const sha1 = createHash('sha1').update(badJson).digest('hex');
    const e2 = loadError(
      Buffer.concat([record('JSON', NB), Buffer.from(`OVSDB JSON ${badJson.length} ${sha1}\n`), badJson]),
    );
    expect([e2.problem, e2.offset]).toEqual(['bad-json', second]);

    const e3 = loadError(standalone({ No_Such_Table: {} }));
    expect([e3.problem, e3.offset, e3.detail]).toEqual([
      'bad-record',
      second,
      'the record changes table No_Such_Table, which the schema does not have',
    ]);
    const e4 = loadError(standalone({ Logical_Switch: { [LS]: { name: 5 } } }));
    expect(e4.detail).toBe(`table Logical_Switch row ${LS} column name: expected string`);
    const e5 = loadError(Buffer.concat([record('JSON', NB), record('CLUSTER', {})]));
    expect(e5).toMatchObject({ problem: 'bad-header', offset: second });
  });
});

// ---------------------------------------------------------------------------------------------------------

const header = (prevData: Json, prevIndex = 1): JsonObject => ({
  cluster_id: 'cccccccc-0000-4000-8000-000000000000',
  server_id: 'dddddddd-0000-4000-8000-000000000000',
  name: 'OVN_Northbound',
  local_address: 'tcp:127.0.0.1:6643',
  prev_term: 1,
  prev_index: prevIndex,
  prev_servers: { 'dddddddd-0000-4000-8000-000000000000': 'tcp:127.0.0.1:6643' },
  prev_eid: 'eeeeeeee-0000-4000-8000-000000000000',
  prev_data: prevData,
});

function clustered(...records: Json[]): Buffer {
  return Buffer.concat(records.map((r) => record('CLUSTER', r)));
}

const entry = (index: number, data: Json, term = 1): JsonObject => ({
  term,
  index,
  data,
  eid: `eeeeeeee-0000-4000-8000-00000000000${index}`,
});

describe('clustered files', () => {
  it('starts from the snapshot and applies committed entries', () => {
    const f = load(
      clustered(
        header([NB, insertSwitch]),
        { vote: 'dddddddd-0000-4000-8000-000000000000', term: 1 },
        { term: 1, index: 2 },
        entry(3, [null, { _is_diff: true, Logical_Switch: { [LS]: { name: 'sw3' } } }]),
        { commit_index: 3 },
      ),
    );
    expect([f.format, switchOf(f)?.name, f.warnings, f.lastTxnId]).toEqual([
      'clustered',
      'sw3',
      [],
      'eeeeeeee-0000-4000-8000-000000000003',
    ]);
    expect(f.cluster).toMatchObject({
      snapshotIndex: 1,
      commitIndex: 3,
      lastIndex: 3,
      clusterId: 'cccccccc-0000-4000-8000-000000000000',
    });
  });

  it('leaves out entries after the last commit index, with a warning', () => {
    const data = clustered(
      header([NB, insertSwitch]),
      entry(2, [null, { _is_diff: true, Logical_Switch: { [LS]: { name: 'committed' } } }]),
      { commit_index: 2 },
      entry(3, [null, { _is_diff: true, Logical_Switch: { [LS]: { name: 'not yet' } } }]),
    );
    const f = load(data);
    expect(switchOf(f)?.name).toBe('committed');
    expect(f.warnings.map((w) => w.kind)).toEqual(['uncommitted']);
    expect(f.warnings[0]?.message).toMatch(/1 log entry after commit index 2 \(up to 3\) not known to be committed/);
  });

  it('lets an entry written again replace the one it overwrites and those after it', () => {
    const f = load(
      clustered(
        header([NB, insertSwitch]),
        entry(2, [null, { _is_diff: true, Logical_Switch: { [LS]: { name: 'old leader 2' } } }]),
        entry(3, [null, { _is_diff: true, Logical_Switch: { [LS]: { name: 'old leader 3' } } }]),
        entry(2, [null, { _is_diff: true, Logical_Switch: { [LS]: { name: 'new leader 2' } } }], 2),
        { commit_index: 2 },
      ),
    );
    expect([switchOf(f)?.name, f.warnings]).toEqual(['new leader 2', []]);
  });

  it('applies conversions: with the converted contents, and schema alone (converted here)', () => {
    const newSchema = structuredClone(NB);
    const ls = ((newSchema.tables as JsonObject).Logical_Switch as JsonObject).columns as JsonObject;
    ls.extra = { type: 'string' };
    delete ls.other_config;
    newSchema.version = '99.0.0';
    const withData = load(
      clustered(
        header([NB, insertSwitch]),
        entry(2, [newSchema, { Logical_Switch: { [LS]: { name: 'converted', extra: 'e' } } }]),
        { commit_index: 2 },
      ),
    );
    expect([withData.schema.version, withData.rows.get('Logical_Switch')?.get(LS)?.extra]).toEqual(['99.0.0', 'e']);
    const schemaOnly = load(clustered(header([NB, insertSwitch]), entry(2, [newSchema, null]), { commit_index: 2 }));
    const row = schemaOnly.rows.get('Logical_Switch')?.get(LS);
    expect([schemaOnly.schema.version, row?.name, row?.extra, 'other_config' in (row ?? {})]).toEqual([
      '99.0.0',
      'sw0',
      '',
      false,
    ]);
  });

  it('refuses a joining server that never got data, a gap in the log, and a truncated header record', () => {
    const joining = {
      name: 'OVN_Northbound',
      local_address: 'tcp:1.2.3.4:1',
      server_id: LS,
      remote_addresses: ['tcp:1.2.3.4:2'],
    };
    expect(loadError(clustered(joining))).toMatchObject({ problem: 'no-data', offset: 0 });
    const gap = clustered(header([NB, null]), entry(3, null));
    expect(loadError(gap)).toMatchObject({
      problem: 'bad-record',
      detail: 'log entry 3 does not follow the log, whose next index is 2',
    });
    const f = load(clustered(header([NB, insertSwitch]), { commit_index: 1 }).subarray(0, -3));
    expect(f.warnings.map((w) => w.kind)).toEqual(['truncated']);
  });
});
