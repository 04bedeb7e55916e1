/**
 * A small fluent builder that turns typed values into RFC 7047 operations. Building only returns
 * operations; sending them is `OvsdbClient.transact`'s job (the same separation libovsdb keeps), so a
 * built transaction can be shown, stored or sent through the gateway as is.
 *
 * ```ts
 * const tx = new TransactionBuilder(schema);
 * const port = tx.insert('Logical_Switch_Port', { name: 'lsp1', addresses: ['00:00:00:00:00:01 10.0.0.1'] });
 * tx.mutate('Logical_Switch', [['name', '==', 'ls1']], [['ports', 'insert', [port]]]);
 * await client.transact('OVN_Northbound', tx.operations());
 * ```
 */
import { type DatabaseSchema, tableOf } from '../schema/schema.js';
import type { Operation, WaitOperation } from '../wire/operation.js';
import { NamedUuid } from '../data/value.js';
import {
  encodeConditions,
  encodeMutation,
  encodeRow,
  type Condition,
  type Mutation,
  type RowValues,
} from '../data/encode.js';

export class TransactionBuilder {
  private readonly ops: Operation[] = [];
  private nextName = 0;

  constructor(readonly schema: DatabaseSchema) {}

  /** Insert a row; returns the named-uuid that later operations can use to refer to it. */
  insert(table: string, row: RowValues = {}, opts: { uuidName?: string; uuid?: string } = {}): NamedUuid {
    const t = tableOf(this.schema, table);
    const name = opts.uuidName ?? `row${this.nextName++}`;
    const op: Operation = { op: 'insert', table, 'uuid-name': name, row: encodeRow(t, row) };
    if (opts.uuid !== undefined) op.uuid = opts.uuid;
    this.ops.push(op);
    return new NamedUuid(name);
  }

  select(table: string, where: readonly Condition[] = [], columns?: readonly string[]): this {
    const t = tableOf(this.schema, table);
    const op: Operation = { op: 'select', table, where: encodeConditions(t, where) };
    if (columns) op.columns = [...columns];
    this.ops.push(op);
    return this;
  }

  update(table: string, where: readonly Condition[], row: RowValues): this {
    const t = tableOf(this.schema, table);
    this.ops.push({ op: 'update', table, where: encodeConditions(t, where), row: encodeRow(t, row) });
    return this;
  }

  mutate(table: string, where: readonly Condition[], mutations: readonly Mutation[]): this {
    const t = tableOf(this.schema, table);
    this.ops.push({
      op: 'mutate',
      table,
      where: encodeConditions(t, where),
      mutations: mutations.map((m) => encodeMutation(t, m)),
    });
    return this;
  }

  delete(table: string, where: readonly Condition[]): this {
    const t = tableOf(this.schema, table);
    this.ops.push({ op: 'delete', table, where: encodeConditions(t, where) });
    return this;
  }

  /**
   * Optimistic concurrency: fail the whole transaction unless the rows matching `where` have (`==`) or
   * no longer have (`!=`) exactly `rows` in `columns`. `timeout` 0 checks once.
   */
  wait(
    table: string,
    where: readonly Condition[],
    columns: readonly string[],
    until: '==' | '!=',
    rows: readonly RowValues[],
    timeout?: number,
  ): this {
    const t = tableOf(this.schema, table);
    const op: WaitOperation = {
      op: 'wait',
      table,
      where: encodeConditions(t, where),
      columns: [...columns],
      until,
      rows: rows.map((r) => encodeRow(t, r)),
    };
    if (timeout !== undefined) op.timeout = timeout;
    this.ops.push(op);
    return this;
  }

  commit(durable = false): this {
    this.ops.push({ op: 'commit', durable });
    return this;
  }

  abort(): this {
    this.ops.push({ op: 'abort' });
    return this;
  }

  comment(text: string): this {
    this.ops.push({ op: 'comment', comment: text });
    return this;
  }

  assert(lock: string): this {
    this.ops.push({ op: 'assert', lock });
    return this;
  }

  /** The operations built so far, in order (a copy: the builder can keep going). */
  operations(): Operation[] {
    return [...this.ops];
  }
}
