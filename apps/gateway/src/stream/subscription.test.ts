/**
 * A subscription's pending changes: how two changes to one row fold into one (`coalesce`), and what the
 * `where` filter and the `columns` projection make of the monitor's changes. The monitor and feed are the
 * real ones; only the connection under the monitor is scripted, answering with ovsdb-server's frames.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Monitor, parseDatabaseSchema, parseJson, type DatabaseSchema, type Json } from '@ovsdb-web/client';
import type { EncodedRowDelta } from '@ovsdb-web/protocol';
import { OVN_NB_SCHEMA } from '@ovsdb-web/testing';
import { Feed } from '../feeds/feed.js';
import { ApiError } from '../plugins/errors.js';
import { coalesce, Subscription } from './subscription.js';

const T = 'Logical_Switch_Port';
const U = '11111111-0000-4000-8000-000000000001';
const delta = (kind: EncodedRowDelta['kind'], more: Partial<EncodedRowDelta> = {}): EncodedRowDelta => ({
  table: T,
  uuid: U,
  kind,
  ...more,
});

/** Folds a sequence of changes to one row the way `Subscription.add` does. */
function fold(changes: EncodedRowDelta[]): EncodedRowDelta | undefined {
  let acc: EncodedRowDelta | undefined;
  for (const c of changes) acc = acc ? coalesce(acc, c) : c;
  return acc;
}

describe('coalesce', () => {
  it('insert + modify → insert of the newest row, with no columns or old row', () => {
    expect(
      coalesce(
        delta('insert', { rowJson: '{"v":1}' }),
        delta('modify', { rowJson: '{"v":2}', columns: ['v'], oldJson: '{"v":1}' }),
      ),
    ).toEqual(delta('insert', { rowJson: '{"v":2}' }));
  });

  it('insert + delete → nothing', () => {
    expect(coalesce(delta('insert', { rowJson: '{"v":1}' }), delta('delete', { oldJson: '{"v":1}' }))).toBeUndefined();
  });

  it('modify + modify → modify of the newest row, the union of the columns, and the first old row', () => {
    expect(
      coalesce(
        delta('modify', { rowJson: '{"v":2}', columns: ['a', 'b'], oldJson: '{"v":1}' }),
        delta('modify', { rowJson: '{"v":3}', columns: ['b', 'c'], oldJson: '{"v":2}' }),
      ),
    ).toEqual(delta('modify', { rowJson: '{"v":3}', columns: ['a', 'b', 'c'], oldJson: '{"v":1}' }));
    // Without old rows (the client did not ask for them) none appears.
    expect(
      coalesce(
        delta('modify', { rowJson: '{"v":2}', columns: ['a'] }),
        delta('modify', { rowJson: '{"v":3}', columns: ['a'] }),
      ),
    ).toEqual(delta('modify', { rowJson: '{"v":3}', columns: ['a'] }));
  });

  it('modify + delete → delete, keeping the row as it was before the modify', () => {
    expect(
      coalesce(
        delta('modify', { rowJson: '{"v":2}', columns: ['v'], oldJson: '{"v":1}' }),
        delta('delete', { oldJson: '{"v":2}' }),
      ),
    ).toEqual(delta('delete', { oldJson: '{"v":1}' }));
    expect(coalesce(delta('modify', { rowJson: '{"v":2}', columns: ['v'] }), delta('delete'))).toEqual(delta('delete'));
  });

  it('delete + insert → insert: the client replaces the row it holds', () => {
    expect(coalesce(delta('delete', { oldJson: '{"v":1}' }), delta('insert', { rowJson: '{"v":9}' }))).toEqual(
      delta('insert', { rowJson: '{"v":9}' }),
    );
  });

  it('longer runs fold to one change with the effect of them all', () => {
    const ins = delta('insert', { rowJson: '{"v":1}' });
    const mod = (from: number, to: number, col: string): EncodedRowDelta =>
      delta('modify', { rowJson: `{"v":${to}}`, columns: [col], oldJson: `{"v":${from}}` });
    expect(fold([ins, mod(1, 2, 'a'), mod(2, 3, 'b')])).toEqual(delta('insert', { rowJson: '{"v":3}' }));
    expect(fold([ins, mod(1, 2, 'a'), delta('delete', { oldJson: '{"v":2}' })])).toBeUndefined();
    expect(fold([mod(1, 2, 'a'), mod(2, 3, 'b'), delta('delete', { oldJson: '{"v":3}' })])).toEqual(
      delta('delete', { oldJson: '{"v":1}' }),
    );
    expect(
      fold([delta('delete', { oldJson: '{"v":1}' }), delta('insert', { rowJson: '{"v":5}' }), mod(5, 6, 'a')]),
    ).toEqual(delta('insert', { rowJson: '{"v":6}' }));
  });
});

// ---- Subscription over a real Monitor and Feed ----------------------------------------------------------

const NB: DatabaseSchema = parseDatabaseSchema(parseJson(readFileSync(OVN_NB_SCHEMA, 'utf8')));
const DB = 'OVN_Northbound';
const P1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const P2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const P3 = 'aaaaaaaa-0000-4000-8000-000000000003';
const S1 = 'bbbbbbbb-0000-4000-8000-000000000001';

type Host = ConstructorParameters<typeof Monitor>[0];
type Request = ConstructorParameters<typeof Subscription>[2];

/** Answers the monitor's one request with a snapshot, as ovsdb-server answers monitor_cond_since. */
function scriptedHost(snapshot: Json): Host {
  return {
    request: (method) =>
      method === 'monitor_cond_since'
        ? Promise.resolve([false, 'cccccccc-0000-4000-8000-000000000001', snapshot])
        : Promise.resolve({}),
    getSchema: () => Promise.resolve(NB),
    nextMonitorId: () => 'm1',
    route: () => undefined,
    removeMonitor: () => undefined,
    pauseReading: () => undefined,
    resumeReading: () => undefined,
  };
}

const port = (name: string, tag: number, owner: string): Json => ({
  initial: { name, tag_request: tag, external_ids: ['map', [['owner', owner]]], addresses: ['set', [`${name}-addr`]] },
});

async function setUp(msg: Request): Promise<{ sub: Subscription; update: (u: Json) => void }> {
  const monitor = new Monitor(
    scriptedHost({
      [T]: { [P1]: port('p1', 5, 'a'), [P2]: port('p2', 1, 'b') },
      Logical_Switch: { [S1]: { initial: { name: 'sw0' } } },
    }),
    DB,
    {
      tables: [T, 'Logical_Switch'],
    },
  );
  await monitor.start(false);
  const feed = new Feed('nb', DB, monitor, NB, { batches: 100, bytes: 1_000_000 });
  const sub = new Subscription('s1', feed, msg);
  monitor.on('change', (batch) => batch.changes.forEach((c) => sub.add(c)));
  return { sub, update: (u) => monitor.handle('update3', ['m1', 'cccccccc-0000-4000-8000-000000000002', u]) };
}

const parsed = (json: string | undefined): unknown => (json === undefined ? undefined : JSON.parse(json));

describe('Subscription', () => {
  it('sends only the subscribed columns (and _uuid), for the new row and the old one', async () => {
    const { sub, update } = await setUp({ db: DB, tables: [T], columns: { [T]: ['name', 'tag_request'] }, old: true });
    update({ [T]: { [P1]: { modify: { name: 'p1-renamed', addresses: ['set', ['x']] } } } });
    const { changes } = sub.take();
    expect(changes.map((c) => ({ ...c, rowJson: parsed(c.rowJson), oldJson: parsed(c.oldJson) }))).toEqual([
      {
        table: T,
        uuid: P1,
        kind: 'modify',
        columns: ['name'],
        rowJson: { _uuid: ['uuid', P1], name: 'p1-renamed', tag_request: 5 },
        oldJson: { _uuid: ['uuid', P1], name: 'p1', tag_request: 5 },
      },
    ]);
  });

  it('a change to columns the client did not ask for is not sent at all', async () => {
    const { sub, update } = await setUp({ db: DB, tables: [T], columns: { [T]: ['name'] } });
    update({ [T]: { [P1]: { modify: { external_ids: ['map', [['owner', 'z']]] } } } });
    expect(sub.take().changes).toEqual([]);
    // Without a projection, the same change is sent, whole row and all.
    const all = await setUp({ db: DB, tables: [T] });
    all.update({ [T]: { [P1]: { modify: { external_ids: ['map', [['owner', 'z']]] } } } });
    const [c] = all.sub.take().changes;
    expect(c).toMatchObject({ kind: 'modify', columns: ['external_ids'] });
    expect(parsed(c?.rowJson)).toMatchObject({
      name: 'p1',
      external_ids: ['map', [['owner', 'z']]],
      addresses: 'p1-addr',
    });
    expect(c).not.toHaveProperty('oldJson');
  });

  it('a row that starts matching where is an insert, one that stops matching a delete', async () => {
    const { sub, update } = await setUp({
      db: DB,
      tables: [T],
      where: { [T]: [['tag_request', '>=', 5]] },
      columns: { [T]: ['name'] },
      old: true,
    });
    update({ [T]: { [P2]: { modify: { tag_request: 7 } } } });
    update({ [T]: { [P1]: { modify: { tag_request: 4 } } } });
    update({ [T]: { [P3]: { insert: { name: 'p3', tag_request: 1 } } } }); // never matches
    const { changes } = sub.take();
    expect(changes.map((c) => [c.uuid, c.kind, parsed(c.rowJson), parsed(c.oldJson)])).toEqual([
      [P2, 'insert', { _uuid: ['uuid', P2], name: 'p2' }, undefined],
      [P1, 'delete', undefined, { _uuid: ['uuid', P1], name: 'p1' }],
    ]);
  });

  it('folds a busy row into one pending change, in the order rows first changed, and take() empties it', async () => {
    const { sub, update } = await setUp({ db: DB, tables: [T], columns: { [T]: ['name'] }, old: true });
    update({ [T]: { [P2]: { modify: { name: 'b1' } } } });
    update({ [T]: { [P1]: { modify: { name: 'a1' } } } });
    update({ [T]: { [P3]: { insert: { name: 'c0' } } } });
    update({ [T]: { [P2]: { modify: { name: 'b2' } } } });
    update({ [T]: { [P3]: { modify: { name: 'c1' } } } });
    update({ [T]: { [P1]: { delete: null } } });
    const { changes, resync } = sub.take();
    expect(resync).toBe(false);
    expect(changes.map((c) => [c.uuid, c.kind, parsed(c.rowJson), parsed(c.oldJson)])).toEqual([
      [P2, 'modify', { _uuid: ['uuid', P2], name: 'b2' }, { _uuid: ['uuid', P2], name: 'p2' }],
      [P1, 'delete', undefined, { _uuid: ['uuid', P1], name: 'p1' }],
      [P3, 'insert', { _uuid: ['uuid', P3], name: 'c1' }, undefined],
    ]);
    expect(sub.take().changes).toEqual([]);
  });

  it('ignores tables it does not include', async () => {
    const { sub, update } = await setUp({ db: DB, tables: [T] });
    update({ Logical_Switch: { [S1]: { modify: { name: 'sw9' } } } });
    expect(sub.take().changes).toEqual([]);
  });

  it.each<[Omit<Request, 'db'>, string, RegExp]>([
    [{ tables: ['ACL'] }, 'not_found', /table ACL is not monitored/],
    [{ tables: [T], where: { Logical_Switch: [] } }, 'bad_request', /where names table Logical_Switch/],
    [{ tables: [T], where: { [T]: [['nosuch', '==', 1]] } }, 'bad_request', /where for Logical_Switch_Port: .*nosuch/],
    [
      { tables: [T], columns: { [T]: ['name', 'nosuch'] } },
      'bad_request',
      /no column nosuch in table Logical_Switch_Port/,
    ],
    [{ tables: [T], columns: { Logical_Switch: ['name'] } }, 'bad_request', /columns names table Logical_Switch/],
  ])('refuses a request that does not fit the feed: %j', async (msg, code, message) => {
    const err = await setUp({ db: DB, ...msg }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});
