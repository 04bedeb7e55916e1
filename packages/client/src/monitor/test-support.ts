/**
 * Test helpers shared by the monitor tests: canonical forms of a cache and of the server's rows, and
 * replaying change batches onto a starting state. Not exported from the package.
 */
import { stringifyJson, type Json } from '../wire/json.js';
import type { DatabaseSchema, TableSchema } from '../schema/schema.js';
import type { Row } from '../data/value.js';
import { rowFromWire, rowToWire } from '../data/row.js';
import type { ChangeBatch } from '../cache/database-cache.js';
import type { OvsdbClient } from '../client/client.js';
import type { Monitor } from './monitor.js';

/** table → uuid → row as canonical JSON text (columns sorted, `_uuid` left out). */
export type Canonical = Record<string, Record<string, string>>;

export function canonicalRow(table: TableSchema, row: Row, columns?: readonly string[]): string {
  const picked: Record<string, Row[string]> = {};
  for (const name of Object.keys(row).sort()) {
    if (name === '_uuid' || name === '_version') continue;
    if (columns && !columns.includes(name)) continue;
    picked[name] = row[name] as Row[string];
  }
  return stringifyJson(rowToWire(table, picked));
}

export function canonicalCache(m: Monitor): Canonical {
  const out: Canonical = {};
  for (const [name, table] of m.cache.tables) {
    const rows: Record<string, string> = {};
    for (const [uuid, row] of table.tableRows()) rows[uuid] = canonicalRow(table.schema, row);
    out[name] = rows;
  }
  return out;
}

/** The server's rows of `tables` (all columns, or `columns`) through a fresh select. */
export async function canonicalServer(
  client: OvsdbClient,
  schema: DatabaseSchema,
  tables: readonly string[],
  columns?: Readonly<Record<string, readonly string[]>>,
): Promise<Canonical> {
  const ops = tables.map((table) => ({ op: 'select' as const, table, where: [] }));
  const results = await client.transact(schema.name, ops);
  const out: Canonical = {};
  tables.forEach((table, i) => {
    const t = schema.tables.get(table);
    if (!t) throw new Error(`no table ${table}`);
    const rows: Record<string, string> = {};
    for (const wire of (results[i] as { rows: Record<string, Json>[] }).rows) {
      const row = rowFromWire(t, wire);
      rows[row._uuid as string] = canonicalRow(t, row, columns?.[table]);
    }
    out[table] = rows;
  });
  return out;
}

/** Apply change batches to a canonical starting state, as a subscriber that only saw events would. */
export function replay(m: Monitor, start: Canonical, batches: readonly ChangeBatch[]): Canonical {
  const state: Canonical = structuredClone(start);
  for (const b of batches) {
    for (const c of b.changes) {
      const rows = (state[c.table] ??= {});
      if (c.kind === 'delete') delete rows[c.uuid];
      else rows[c.uuid] = canonicalRow(m.cache.table(c.table).schema, c.new as Row);
    }
  }
  return state;
}

/**
 * Like `replay`, but as a strict subscriber: an insert of a row it already has (an event seen twice), a
 * modify or delete of a row it lacks (an event lost), or a change whose `old` is not what it holds (a
 * change lost or repeated in between) is reported in `problems` instead of being papered over.
 */
export function strictReplay(
  m: Monitor,
  start: Canonical,
  batches: readonly ChangeBatch[],
): { state: Canonical; problems: string[] } {
  const state: Canonical = structuredClone(start);
  const problems: string[] = [];
  batches.forEach((b, i) => {
    for (const c of b.changes) {
      const rows = (state[c.table] ??= {});
      const schema = m.cache.table(c.table).schema;
      const have = rows[c.uuid];
      const where = `batch ${i}${b.resync ? ' (resync)' : ''} ${c.kind} ${c.table} ${c.uuid}`;
      if (c.kind === 'insert' && have !== undefined) problems.push(`${where}: row already present`);
      if (c.kind !== 'insert') {
        if (have === undefined) problems.push(`${where}: row not present`);
        else if (c.old && canonicalRow(schema, c.old) !== have)
          problems.push(`${where}: old row differs from the replayed one`);
      }
      if (c.kind === 'delete') delete rows[c.uuid];
      else rows[c.uuid] = canonicalRow(schema, c.new as Row);
    }
  });
  return { state, problems };
}

/**
 * Subscribe to every batch and check, while the listener runs, that the cache already shows the whole
 * batch (never half-applied): each changed row is the batch's `new` object (or gone for a delete), and
 * when both switch and port tables are monitored, every port a switch names is in the cache.
 */
export function recordBatches(m: Monitor): { batches: ChangeBatch[]; problems: string[]; stop: () => void } {
  const batches: ChangeBatch[] = [];
  const problems: string[] = [];
  const stop = m.on('change', (b) => {
    batches.push(b);
    for (const c of b.changes) {
      const now = m.cache.table(c.table).get(c.uuid);
      if (c.kind === 'delete' ? now !== undefined : now !== c.new)
        problems.push(`batch ${batches.length - 1}: ${c.kind} of ${c.table} ${c.uuid} not in the cache yet`);
    }
    const switches = m.cache.tables.get('Logical_Switch');
    const ports = m.cache.tables.get('Logical_Switch_Port');
    if (switches?.columns.some((c) => c.name === 'ports') && ports) {
      for (const sw of switches) {
        for (const p of sw.ports as readonly string[])
          if (!ports.has(p))
            problems.push(
              `batch ${batches.length - 1}: switch ${String(sw.name)} names port ${p}, which the cache lacks`,
            );
      }
    }
  });
  return { batches, problems, stop };
}

/** The rows of an `ovsdb-client --format=json dump`, in the canonical form of the monitor's columns. */
export function canonicalDump(
  m: Monitor,
  dump: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>,
): Canonical {
  const out: Canonical = {};
  for (const [name, table] of m.cache.tables) {
    const columns = table.columns.map((c) => c.name);
    const rows: Record<string, string> = {};
    for (const [uuid, wire] of Object.entries(dump[name] ?? {})) {
      const picked: Record<string, Json> = {};
      // The dump was parsed with parseJson, so its values are Json already.
      for (const c of columns) if (c in wire) picked[c] = wire[c] as Json;
      rows[uuid] = canonicalRow(table.schema, rowFromWire(table.schema, picked));
    }
    out[name] = rows;
  }
  return out;
}

export interface ChurnOptions {
  /** `ovn-nbctl --db=` value. */
  remote: string;
  /** The logical switch to churn (must exist). */
  switchName: string;
  /** Port name prefix, unique per run. */
  prefix: string;
  /** How many changes (ovn-nbctl commands) in all; five go into each invocation. */
  changes: number;
  /** Give up after this long (default 60 s), or after `maxRetries` failures of one invocation (default 100). */
  deadlineMs?: number;
  maxRetries?: number;
  /** Runs one ovn-nbctl invocation; rejects on failure. */
  nbctl: (remote: string, ...args: string[]) => Promise<string>;
}

/**
 * A stream of ovn-nbctl transactions, five changes each: add a port, set its addresses, replace a map
 * value on the switch, toggle a set member on the previous port, delete an older port. Every command is
 * idempotent (--may-exist, --if-exists, plain sets), so an invocation that failed during a fault, and
 * may or may not have committed, is simply run again.
 */
export class Churn {
  steps = 0;
  retries = 0;
  readonly done: Promise<void>;
  private waiters: { steps: number; resolve: () => void }[] = [];

  private readonly macByte: number;

  constructor(private readonly o: ChurnOptions) {
    let h = 7;
    for (const ch of o.prefix) h = (h * 31 + ch.charCodeAt(0)) & 255;
    this.macByte = h;
    this.done = this.run();
    // The test awaits `done` later; until then a failure must not count as an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get totalSteps(): number {
    return Math.ceil(this.o.changes / 5);
  }

  /** Resolves once `steps` invocations have committed (or the stream ended). */
  reached(steps: number): Promise<void> {
    if (this.steps >= steps) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ steps, resolve }));
  }

  private commands(k: number): string[] {
    const { switchName: sw, prefix } = this.o;
    const port = (i: number): string => `${prefix}${i}`;
    // MAC only: ovn-nbctl refuses duplicate IPs on a switch, and runs of different prefixes share one.
    const addr = (i: number): string => `02:${hex(this.macByte)}:00:${hex(i >> 16)}:${hex(i >> 8)}:${hex(i)}`;
    const cmds = [
      ['--may-exist', 'lsp-add', sw, port(k)],
      ['lsp-set-addresses', port(k), addr(k)],
      ['set', 'Logical_Switch', sw, `other_config:churn=${k}`],
      k >= 1
        ? ['lsp-set-addresses', port(k - 1), addr(k - 1), 'unknown']
        : ['set', 'Logical_Switch_Port', port(k), 'external_ids:first=yes'],
      ['--if-exists', 'lsp-del', port(k - 3)],
    ];
    return cmds.flatMap((c, i) => (i === 0 ? c : ['--', ...c]));
  }

  private async run(): Promise<void> {
    const deadline = Date.now() + (this.o.deadlineMs ?? 60_000);
    try {
      for (let k = 0; k < this.totalSteps; k++) {
        for (let attempt = 0; ; attempt++) {
          try {
            await this.o.nbctl(this.o.remote, ...this.commands(k));
            break;
          } catch (err) {
            if (Date.now() > deadline || attempt >= (this.o.maxRetries ?? 100)) {
              throw new Error(
                `churn gave up at step ${k} after ${attempt} retries: ${err instanceof Error ? err.message : String(err)}`,
                { cause: err },
              );
            }
            this.retries++;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        this.steps = k + 1;
        this.waiters = this.waiters.filter((w) => (w.steps <= this.steps ? (w.resolve(), false) : true));
      }
    } finally {
      for (const w of this.waiters) w.resolve();
      this.waiters = [];
    }
  }
}

function hex(n: number): string {
  return (n & 255).toString(16).padStart(2, '0');
}

/** Poll `check` until it returns true, or fail with `what` after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
