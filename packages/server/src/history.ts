/**
 * Recent committed transactions with their ids, so that `monitor_cond_since` can resume a client from the
 * last transaction it saw with only what changed since (`found: true`). The standalone ovsdb-server keeps
 * no history at all, and a clustered one at most 100 transactions; this keeps `limit` transactions, and
 * fewer when they would hold more row versions than the database itself has rows (so a bulk load does not
 * pin a second copy of the database), but always the latest one.
 */
import type { Row } from '@ovsdb-web/client';
import type { CommitChange } from './database.js';

interface Entry {
  readonly id: string;
  readonly changes: readonly CommitChange[];
}

/** Net effect of several transactions on one row: its version before the first and after the last. */
export interface MergedChange {
  old: Row | undefined;
  new: Row | undefined;
}

export class TxnHistory {
  private entries: Entry[] = [];
  private start = 0;
  private rows = 0;

  constructor(
    readonly limit: number,
    /** Current size of the database, for the trimming rule. */
    private readonly dbRows: () => number,
  ) {}

  get size(): number {
    return this.entries.length - this.start;
  }

  push(id: string, changes: readonly CommitChange[]): void {
    this.entries.push({ id, changes });
    this.rows += changes.length;
    while (this.size > 1 && (this.size > this.limit || this.rows > Math.max(10_000, this.dbRows()))) {
      const e = this.entries[this.start] as Entry;
      this.entries[this.start++] = undefined as unknown as Entry;
      this.rows -= e.changes.length;
    }
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  private indexOf(id: string): number {
    for (let i = this.entries.length - 1; i >= this.start; i--) if ((this.entries[i] as Entry).id === id) return i;
    return -1;
  }

  /**
   * The merged changes of every transaction after `id`, per table and row; undefined when `id` is not (or
   * no longer) in the history.
   */
  since(id: string): Map<string, Map<string, MergedChange>> | undefined {
    const at = this.indexOf(id);
    if (at < 0) return undefined;
    const out = new Map<string, Map<string, MergedChange>>();
    for (let i = at + 1; i < this.entries.length; i++) {
      for (const ch of (this.entries[i] as Entry).changes) {
        let t = out.get(ch.table);
        if (t === undefined) out.set(ch.table, (t = new Map<string, MergedChange>()));
        const m = t.get(ch.uuid);
        if (m === undefined) t.set(ch.uuid, { old: ch.old, new: ch.new });
        else m.new = ch.new;
      }
    }
    return out;
  }
}
