/**
 * Monitor state handling that a real server cannot be made to exercise on demand: races between a
 * resume and `close()`, overlapping starts, an update that does not fit the cache, and a resume delta
 * that does not fit. The host is scripted; the frames follow ovsdb-server's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { OVN_NB_SCHEMA } from '@ovsdb-web/testing';
import { parseJson, type Json } from '../wire/json.js';
import { ZERO_UUID } from '../wire/notation.js';
import { MisuseError, OvsdbError, type MisuseKind } from '../wire/errors.js';
import { parseDatabaseSchema, type DatabaseSchema } from '../schema/schema.js';
import type { ChangeBatch } from '../cache/database-cache.js';
import { Monitor, type MonitorHost } from './monitor.js';

const NB: DatabaseSchema = parseDatabaseSchema(parseJson(readFileSync(OVN_NB_SCHEMA, 'utf8')));
const U1 = '11111111-0000-4000-8000-000000000001';
const U2 = '22222222-0000-4000-8000-000000000002';
const T1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const T2 = 'aaaaaaaa-0000-4000-8000-000000000002';

interface Call {
  method: string;
  params: Json[];
  resolve: (v: Json) => void;
  reject: (e: unknown) => void;
}

class ScriptedHost implements MonitorHost {
  readonly calls: Call[] = [];
  readonly routes = new Map<string, Monitor>();
  private n = 0;
  request(method: string, params: Json[]): Promise<Json> {
    return new Promise((resolve, reject) => this.calls.push({ method, params, resolve, reject }));
  }
  getSchema(): Promise<DatabaseSchema> {
    return Promise.resolve(NB);
  }
  nextMonitorId(): string {
    return `f${++this.n}`;
  }
  route(id: string, m: Monitor | undefined): void {
    if (m) this.routes.set(id, m);
    else this.routes.delete(id);
  }
  removeMonitor(): void {
    // The scripted host keeps no monitor list.
  }
  pauseReading(): void {
    // Nothing is read from a socket here.
  }
  resumeReading(): void {
    // Nothing is read from a socket here.
  }

  /** The next unanswered call of `method` (waits for it to be made). */
  async next(method: string): Promise<Call> {
    let call: Call | undefined;
    await vi.waitFor(() => {
      call = this.calls.find((c) => c.method === method);
      expect(call).toBeDefined();
    });
    this.calls.splice(this.calls.indexOf(call!), 1);
    return call!;
  }
}

const switches = (rows: Record<string, string>): Json => ({
  Logical_Switch: Object.fromEntries(Object.entries(rows).map(([u, name]) => [u, { initial: { name } }])),
});

async function liveMonitor(): Promise<{ host: ScriptedHost; m: Monitor; batches: ChangeBatch[]; errors: Error[] }> {
  const host = new ScriptedHost();
  const m = new Monitor(host, 'OVN_Northbound', { tables: { Logical_Switch: { columns: ['name'] } } });
  const started = m.start(false);
  (await host.next('monitor_cond_since')).resolve([false, T1, switches({ [U1]: 'one' })]);
  await started;
  const batches: ChangeBatch[] = [];
  const errors: Error[] = [];
  m.on('change', (b) => batches.push(b));
  m.on('error', (e) => errors.push(e));
  return { host, m, batches, errors };
}

const names = (m: Monitor): unknown[] =>
  m.cache
    .table('Logical_Switch')
    .rows()
    .map((r) => r.name)
    .sort();

describe('Monitor', () => {
  it('names every column it holds, so the server leaves out _version, and fills the cache from the reply', async () => {
    const host = new ScriptedHost();
    const m = new Monitor(host, 'OVN_Northbound', { tables: '*' });
    const started = m.start(false);
    const call = await host.next('monitor_cond_since');
    const requests = call.params[2] as Record<string, { columns?: string[] }[]>;
    expect(Object.keys(requests).sort()).toEqual([...NB.tables.keys()].sort());
    expect(requests.Logical_Switch![0]!.columns).toEqual([...NB.tables.get('Logical_Switch')!.columns.keys()]);
    call.resolve([false, T1, { Logical_Switch: { [U1]: { initial: { name: 'one' } } } }]);
    await started;
    expect(m.cache.table('Logical_Switch').get(U1)).toMatchObject({ _uuid: U1, name: 'one', ports: [] });
    expect(m.lastTxnId).toBe(T1);
  });

  it('stays closed when close() wins the race with a resume, and cancels the late server-side monitor', async () => {
    const { host, m, batches } = await liveMonitor();
    m.suspend();
    const resuming = m.start(true);
    const call = await host.next('monitor_cond_since');
    await m.close();
    call.resolve([false, T2, switches({ [U2]: 'two' })]);
    await resuming;
    expect(m.closed).toBe(true);
    expect(host.routes.size).toBe(0);
    expect((await host.next('monitor_cancel')).params).toEqual([call.params[1]]);
    expect(batches).toEqual([]);
    expect(names(m)).toEqual(['one']);
  });

  it('lets only the newest of two overlapping starts touch the cache', async () => {
    const { host, m, batches } = await liveMonitor();
    m.suspend();
    const first = m.start(true);
    const older = await host.next('monitor_cond_since');
    m.suspend();
    const second = m.start(true);
    const newer = await host.next('monitor_cond_since');
    newer.resolve([false, T2, switches({ [U1]: 'one', [U2]: 'two' })]);
    await second;
    older.resolve([false, T1, switches({})]);
    await first;
    expect(names(m)).toEqual(['one', 'two']);
    expect(m.lastTxnId).toBe(T2);
    expect(batches.map((b) => b.changes.map((c) => `${c.kind}:${String(c.new?.name)}`))).toEqual([['insert:two']]);
    expect([...host.routes.keys()]).toEqual([newer.params[1]]);
    expect((await host.next('monitor_cancel')).params).toEqual([older.params[1]]);
  });

  it('after an update that does not fit, reports one error, ignores the rest, and resyncs once from scratch', async () => {
    const { host, m, batches, errors } = await liveMonitor();
    const id = m.id!;
    m.handle('update3', [id, T2, { Logical_Switch: { [U2]: { modify: { name: 'ghost' } } } }]);
    m.handle('update3', [id, T2, { Logical_Switch: { [U1]: { modify: { name: 'renamed' } } } }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/does not hold/);
    expect((await host.next('monitor_cancel')).params).toEqual([id]);
    const resync = await host.next('monitor_cond_since');
    // The resume point is forgotten: a full snapshot, not a delta that may miss what was dropped.
    expect(resync.params[3]).toBe(ZERO_UUID);
    expect(host.calls.filter((c) => c.method === 'monitor_cond_since')).toEqual([]);
    resync.resolve([false, T2, switches({ [U1]: 'renamed', [U2]: 'ghost' })]);
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    expect(batches[0]!.resync).toBe(true);
    expect(batches[0]!.changes.map((c) => `${c.kind}:${String(c.new?.name)}`).sort()).toEqual([
      'insert:ghost',
      'modify:renamed',
    ]);
    expect(names(m)).toEqual(['ghost', 'renamed']);
  });

  it('falls back to a full snapshot when a found=true delta does not fit, without advancing the resume point first', async () => {
    const { host, m, batches, errors } = await liveMonitor();
    m.suspend();
    const resuming = m.start(true);
    const call = await host.next('monitor_cond_since');
    expect(call.params[3]).toBe(T1);
    call.resolve([true, T2, { Logical_Switch: { [U2]: { modify: { name: 'ghost' } } } }]);
    expect((await host.next('monitor_cancel')).params).toEqual([call.params[1]]);
    const full = await host.next('monitor_cond_since');
    expect(full.params[3]).toBe(ZERO_UUID);
    full.resolve([false, T2, switches({ [U1]: 'one', [U2]: 'ghost' })]);
    await resuming;
    expect(errors).toHaveLength(1);
    expect(m.lastTxnId).toBe(T2);
    expect(batches.map((b) => [b.resync, b.changes.map((c) => `${c.kind}:${String(c.new?.name)}`)])).toEqual([
      [true, ['insert:ghost']],
    ]);
  });

  it('applies a found=true delta as an ordinary (resync: false) batch', async () => {
    const { host, m, batches } = await liveMonitor();
    m.suspend();
    const resuming = m.start(true);
    (await host.next('monitor_cond_since')).resolve([
      true,
      T2,
      { Logical_Switch: { [U1]: { modify: { name: 'uno' } }, [U2]: { insert: { name: 'two' } } } },
    ]);
    await resuming;
    expect(batches.map((b) => [b.resync, b.txnId, b.changes.map((c) => `${c.kind}:${String(c.new?.name)}`)])).toEqual([
      [false, T2, ['modify:uno', 'insert:two']],
    ]);
  });
});

describe('what a monitor throws: MisuseError for the caller, OvsdbError for the server', () => {
  function expectMisuse(err: unknown, kind: MisuseKind, message: RegExp): void {
    expect(err).toBeInstanceOf(MisuseError);
    expect(err).not.toBeInstanceOf(OvsdbError);
    expect(err).toMatchObject({ kind, message: expect.stringMatching(message) as unknown });
  }
  function caught(fn: () => unknown): unknown {
    try {
      fn();
    } catch (err) {
      return err;
    }
    throw new Error('did not throw');
  }
  const sent = (host: ScriptedHost, method: string): number => host.calls.filter((c) => c.method === method).length;

  it('the cache before the initial state: not-ready', async () => {
    const host = new ScriptedHost();
    const m = new Monitor(host, 'OVN_Northbound', { tables: ['Logical_Switch'] });
    expectMisuse(
      caught(() => m.cache),
      'not-ready',
      /^monitor of OVN_Northbound has not received its initial state yet$/,
    );
    const started = m.start(false);
    const call = await host.next('monitor_cond_since');
    expectMisuse(
      caught(() => m.cache),
      'not-ready',
      /initial state yet/,
    );
    call.resolve([false, T1, switches({ [U1]: 'one' })]);
    await started;
    expect(names(m)).toEqual(['one']);
  });

  it('setConditions on a monitor that is not live: not-live, and nothing is sent', async () => {
    const host = new ScriptedHost();
    const idle = new Monitor(host, 'OVN_Northbound', { tables: ['Logical_Switch'] });
    expectMisuse(
      await idle.setConditions({ Logical_Switch: [] }).catch((e: unknown) => e),
      'not-live',
      /^monitor of OVN_Northbound is not live$/,
    );
    const { host: h2, m } = await liveMonitor();
    m.suspend();
    expectMisuse(await m.setConditions({ Logical_Switch: [] }).catch((e: unknown) => e), 'not-live', /not live/);
    await m.close();
    expectMisuse(await m.setConditions({ Logical_Switch: [] }).catch((e: unknown) => e), 'not-live', /not live/);
    expect(sent(host, 'monitor_cond_change') + sent(h2, 'monitor_cond_change')).toBe(0);
  });

  it('setConditions on a table the schema lacks (unknown-table) or this monitor does not hold (not-monitored)', async () => {
    const { host, m } = await liveMonitor();
    expectMisuse(
      await m.setConditions({ No_Such_Table: [] }).catch((e: unknown) => e),
      'unknown-table',
      /^No table named No_Such_Table\.$/,
    );
    expectMisuse(
      await m.setConditions({ ACL: [['priority', '>', 1]] }).catch((e: unknown) => e),
      'not-monitored',
      /^table ACL is not monitored by this monitor$/,
    );
    expect(sent(host, 'monitor_cond_change')).toBe(0);
    // Nothing changed: the monitor is live and takes a valid change.
    const changing = m.setConditions({ Logical_Switch: [['name', '==', 'one']] });
    const call = await host.next('monitor_cond_change');
    expect(Object.keys(call.params[2] as object)).toEqual(['Logical_Switch']);
    call.resolve({});
    await changing;
  });

  it('asking only for tables the schema lacks: unknown-table, before any request', async () => {
    const host = new ScriptedHost();
    const m = new Monitor(host, 'OVN_Northbound', { tables: ['Nope', 'Nada'] });
    expectMisuse(
      await m.start(false).catch((e: unknown) => e),
      'unknown-table',
      /^none of the requested tables exist in OVN_Northbound \(Nope, Nada\)$/,
    );
    expect(host.calls).toEqual([]);
  });

  it("the server's malformed reply or update stays an OvsdbError (syntax error)", async () => {
    const host = new ScriptedHost();
    const m = new Monitor(host, 'OVN_Northbound', { tables: ['Logical_Switch'] });
    const started = m.start(false).catch((e: unknown) => e);
    (await host.next('monitor_cond_since')).resolve({ not: 'a reply' });
    const err = await started;
    expect(err).toBeInstanceOf(OvsdbError);
    expect(err).toMatchObject({
      error: 'syntax error',
      details: 'unexpected monitor_cond_since reply for OVN_Northbound',
    });

    const { m: live, errors } = await liveMonitor();
    live.handle('update3', [live.id!, T2, { Logical_Switch: { [U2]: { modify: { name: 'ghost' } } } }]);
    expect(errors[0]).toBeInstanceOf(OvsdbError);
    expect(errors[0]).toMatchObject({ error: 'syntax error' });
    await live.close();
  });
});
