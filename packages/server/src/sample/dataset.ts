/** What every generator returns, and the small op-writing helper the generators share. */
import type { MutateOperation, Operation, WireCondition, WireMutation, WireRow } from '@ovsdb-web/client';
import { named, type Batches, type OpGroup, packGroups } from './wire.js';

/** Transactions stay well below what makes a server stall other clients or a reply grow huge. */
export const DEFAULT_MAX_OPS_PER_BATCH = 2_000;

export interface SampleDataset extends Batches {
  /** The database the batches are for, e.g. `OVN_Northbound`. */
  readonly db: string;
  /** Rows each table holds once every batch has been applied to an empty database. */
  readonly rowCounts: Readonly<Record<string, number>>;
  /** The sum of `rowCounts`. */
  readonly totalRows: number;
}

/**
 * Collects operations into groups and counts the rows they insert. Each `group()` call is one unit that
 * must commit atomically; `insert` returns the named-uuid reference other operations of the group use.
 */
export class OpWriter {
  private readonly groups: OpGroup[] = [];
  private readonly counts = new Map<string, number>();
  private current: Operation[] | undefined;
  private nameSeq = 0;

  /** Run `fill` with a fresh group of the given phase. */
  group(phase: number, fill: () => void): void {
    const ops: Operation[] = [];
    this.current = ops;
    try {
      fill();
    } finally {
      this.current = undefined;
    }
    if (ops.length > 0) this.groups.push({ ops, phase });
  }

  /** Inserts `row` into `table`; the returned value references the new row within the same group. */
  insert(table: string, row: WireRow): ['named-uuid', string] {
    const uuidName = `r${this.nameSeq++}`;
    this.ops().push({ op: 'insert', table, row, 'uuid-name': uuidName });
    this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
    return named(uuidName);
  }

  mutate(table: string, where: WireCondition[], mutations: WireMutation[]): void {
    const op: MutateOperation = { op: 'mutate', table, where, mutations };
    this.ops().push(op);
  }

  /** Mutate the row whose `name` column is `name` (every table the generators touch this way has one). */
  mutateByName(table: string, name: string, mutations: WireMutation[]): void {
    this.mutate(table, [['name', '==', name]], mutations);
  }

  finish(db: string, maxOps: number): SampleDataset {
    const rowCounts = Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
    const totalRows = [...this.counts.values()].reduce((a, b) => a + b, 0);
    return { db, ...packGroups(this.groups, maxOps), rowCounts, totalRows };
  }

  private ops(): Operation[] {
    if (!this.current) throw new Error('OpWriter: operations must be written inside group()');
    return this.current;
  }
}

export function checkCount(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
  return value;
}
