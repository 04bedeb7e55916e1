import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDatabaseSchema, type TableSchema, type WireRow } from '@ovsdb-web/client/core';
import type { AppliedChange } from '@ovsdb-web/protocol';
import { MARK_MS, TableView, type RowSource, type SortKey } from './view.js';
import { uuidOfRow } from './rows.js';

const schema = parseDatabaseSchema({
  name: 'T',
  version: '1.0.0',
  tables: {
    Port: {
      columns: {
        name: { type: 'string' },
        tag: { type: { key: { type: 'integer' }, min: 0, max: 1 } },
        addresses: { type: { key: 'string', min: 0, max: 'unlimited' } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
  },
});
const table = schema.tables.get('Port') as TableSchema;

const uuid = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
function row(i: number, name: string, tag?: number, addresses: string[] = [], ids: [string, string][] = []): WireRow {
  return {
    _uuid: ['uuid', uuid(i)],
    name,
    tag: ['set', tag === undefined ? [] : [tag]],
    addresses: ['set', addresses],
    external_ids: ['map', ids],
  };
}

class Rows implements RowSource {
  readonly map = new Map<string, WireRow>();
  rows(): Iterable<WireRow> {
    return this.map.values();
  }
  get(u: string): WireRow | undefined {
    return this.map.get(u);
  }
  /** Apply changes like the reducer does and return them as it would. */
  change(list: { i: number; row?: WireRow }[]): AppliedChange[] {
    return list.map(({ i, row: r }) => {
      const u = uuid(i);
      const old = this.map.get(u);
      if (r) this.map.set(u, r);
      else this.map.delete(u);
      const c: AppliedChange = { table: 'Port', uuid: u, kind: r ? (old ? 'modify' : 'insert') : 'delete' };
      if (r) c.row = r;
      if (old) c.old = old;
      if (r && old) c.columns = ['name', 'tag'];
      return c;
    });
  }
}

const names = (v: TableView): string[] =>
  v
    .window(0, 1_000)
    .filter((r) => r.mark?.kind !== 'delete')
    .map((r) => String(r.row.name));

describe('TableView', () => {
  it('sorts by name by default, in OVSDB order, uuid breaking ties', () => {
    const src = new Rows();
    src.change([
      { i: 1, row: row(1, 'b') },
      { i: 2, row: row(2, 'a') },
      { i: 3, row: row(3, 'B') },
      { i: 4, row: row(4, 'a') },
    ]);
    const v = new TableView(table, src);
    expect(names(v)).toEqual(['B', 'a', 'a', 'b']);
    expect(v.window(0, 4).map((r) => r.uuid)).toEqual([uuid(3), uuid(2), uuid(4), uuid(1)]);
    expect(v.effectiveSort).toEqual([{ column: 'name', desc: false }]);
  });

  it('sorts text beyond U+D800 by its UTF-8 bytes, loaded chunk by chunk or all at once', () => {
    // UTF-16 puts the emoji (a surrogate pair, \ud83d…) before U+FF21; its UTF-8 bytes (F0 …) come after (EF …).
    const all = ['😀 b', 'a', 'Ａ', 'é', '😀 a', 'b'].map((name, i) => row(i, name));
    const want = ['a', 'b', 'é', 'Ａ', '😀 a', '😀 b'];
    const src = new Rows();
    const loaded = new TableView(table, src);
    // Chunks of plain names only, of both kinds, of the others only.
    for (const chunk of [all.slice(1, 2), all.slice(2, 4), all.slice(4), all.slice(0, 1)]) {
      for (const r of chunk) src.map.set(uuidOfRow(r), r);
      loaded.load(chunk);
    }
    expect(names(loaded)).toEqual(want);
    expect(names(new TableView(table, src))).toEqual(want);
    loaded.setSpec({ filter: '', sort: [{ column: 'name', desc: true }] });
    expect(names(loaded)).toEqual([...want].reverse());
  });

  it('sorts optional values with the empty ones first, as ovsdb-server orders sets', () => {
    const src = new Rows();
    src.change([
      { i: 1, row: row(1, 'x', 5) },
      { i: 2, row: row(2, 'y') },
      { i: 3, row: row(3, 'z', 1) },
    ]);
    const v = new TableView(table, src);
    v.setSpec({ filter: '', sort: [{ column: 'tag', desc: false }] });
    expect(names(v)).toEqual(['y', 'z', 'x']);
    v.setSpec({ filter: '', sort: [{ column: 'tag', desc: true }] });
    expect(names(v)).toEqual(['x', 'z', 'y']);
  });

  it('keeps deleted rows a moment as ghosts, then drops them', () => {
    const src = new Rows();
    src.change([
      { i: 1, row: row(1, 'a') },
      { i: 2, row: row(2, 'b') },
    ]);
    const v = new TableView(table, src);
    v.apply(src.change([{ i: 1 }]), 1_000);
    expect(v.count).toBe(1);
    expect(v.window(0, 10).map((r) => [r.row.name, r.mark?.kind])).toEqual([
      ['a', 'delete'],
      ['b', undefined],
    ]);
    expect(v.expire(1_000 + MARK_MS - 1)).toBe(false);
    expect(v.expire(1_000 + MARK_MS)).toBe(true);
    expect(v.window(0, 10).map((r) => r.row.name)).toEqual(['b']);
  });

  it('marks inserts and the columns of a modify', () => {
    const src = new Rows();
    src.change([{ i: 1, row: row(1, 'a') }]);
    const v = new TableView(table, src);
    v.apply(
      src.change([
        { i: 2, row: row(2, 'b') },
        { i: 1, row: row(1, 'a', 3) },
      ]),
      5,
    );
    expect(v.window(0, 10).map((r) => r.mark)).toEqual([
      { kind: 'modify', columns: ['name', 'tag'], at: 5 },
      { kind: 'insert', at: 5 },
    ]);
  });

  it('a paused view shows what it showed and counts what arrives; resume applies it', () => {
    const src = new Rows();
    src.change([{ i: 1, row: row(1, 'a') }]);
    const v = new TableView(table, src);
    v.pause();
    v.apply(src.change([{ i: 2, row: row(2, 'b') }, { i: 1 }]), 1);
    expect(names(v)).toEqual(['a']);
    expect(v.pending).toBe(2);
    v.resume();
    expect(names(v)).toEqual(['b']);
    expect(v.pending).toBe(0);
  });

  it('filters, and a filter with a mistake shows nothing and says where', () => {
    const src = new Rows();
    src.change([
      { i: 1, row: row(1, 'web', 1, ['0a:00:00:00:00:01 10.0.0.1'], [['team', 'blue']]) },
      { i: 2, row: row(2, 'db', 2) },
    ]);
    const v = new TableView(table, src);
    v.setSpec({ filter: 'external_ids:team=blue', sort: [] });
    expect(names(v)).toEqual(['web']);
    v.setSpec({ filter: 'tag>=2', sort: [] });
    expect(names(v)).toEqual(['db']);
    v.setSpec({ filter: '10.0.0.1', sort: [] });
    expect(names(v)).toEqual(['web']);
    v.setSpec({ filter: 'web tag=x', sort: [] });
    expect(v.filterProblem).toEqual({ message: '"x" is not an integer', offset: 8, length: 1 });
    expect(v.count).toBe(0);
  });

  it('finds the index of a row and rows by text anywhere in the view', () => {
    const src = new Rows();
    src.change(Array.from({ length: 50 }, (_, i) => ({ i, row: row(i, `p${String(i).padStart(2, '0')}`) })));
    const v = new TableView(table, src);
    expect(v.indexOf(uuid(37))).toBe(37);
    expect(v.find('p4')).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  });

  it('maintained incrementally, equals a full rebuild after any sequence of changes', () => {
    const change = fc.record({
      i: fc.integer({ min: 0, max: 30 }),
      del: fc.boolean(),
      name: fc.constantFrom('a', 'b', 'c', 'd'),
      tag: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      blue: fc.boolean(),
    });
    const sorts: SortKey[][] = [
      [],
      [{ column: 'tag', desc: true }],
      [
        { column: 'name', desc: false },
        { column: 'tag', desc: false },
      ],
    ];
    fc.assert(
      fc.property(
        fc.array(fc.array(change, { minLength: 1, maxLength: 12 }), { maxLength: 12 }),
        fc.constantFrom(...sorts),
        fc.constantFrom('', 'external_ids:team=blue', 'b'),
        (batches, sort, filter) => {
          const src = new Rows();
          const v = new TableView(table, src);
          v.setSpec({ filter, sort });
          let now = 0;
          for (const batch of batches) {
            now += 10_000;
            v.apply(
              src.change(
                batch.map((c) =>
                  c.del ? { i: c.i } : { i: c.i, row: row(c.i, c.name, c.tag, [], c.blue ? [['team', 'blue']] : []) },
                ),
              ),
              now,
            );
            v.expire(now + MARK_MS);
          }
          const fresh = new TableView(table, src);
          fresh.setSpec({ filter, sort });
          expect(v.window(0, 1_000).map((r) => uuidOfRow(r.row))).toEqual(
            fresh.window(0, 1_000).map((r) => uuidOfRow(r.row)),
          );
          expect(v.count).toBe(fresh.count);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('shows a first snapshot chunk by chunk, in the order a full rebuild gives, without marks', () => {
    const sorts: SortKey[][] = [
      [],
      [{ column: 'tag', desc: true }],
      [
        { column: 'name', desc: false },
        { column: 'tag', desc: true },
      ],
    ];
    // The order written out for these rows (ASCII names; a tag is an optional integer, empty first as OVSDB
    // orders sets), independent of the view's sorting.
    const expected = (rows: WireRow[], sort: SortKey[]): string[] => {
      const tagOf = (r: WireRow): number => {
        const t = (r.tag as ['set', number[]])[1];
        return t.length === 0 ? -Infinity : (t[0] as number);
      };
      const keys = sort.length === 0 ? [{ column: 'name', desc: false }] : sort;
      return [...rows]
        .sort((a, b) => {
          for (const k of keys) {
            const x = k.column === 'tag' ? tagOf(a) : String(a.name);
            const y = k.column === 'tag' ? tagOf(b) : String(b.name);
            const c = x < y ? -1 : x > y ? 1 : 0;
            if (c !== 0) return k.desc ? -c : c;
          }
          return uuidOfRow(a) < uuidOfRow(b) ? -1 : 1;
        })
        .map(uuidOfRow);
    };
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 80 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(...sorts),
        fc.constantFrom('', 'external_ids:team=blue'),
        (ids, chunkSize, sort, filter) => {
          const src = new Rows();
          const v = new TableView(table, src);
          v.setSpec({ filter, sort });
          const all = ids.map((i) =>
            row(i, `p${i % 7}`, i % 3 === 0 ? undefined : i % 5, [], i % 2 ? [['team', 'blue']] : []),
          );
          for (let at = 0; at < all.length; at += chunkSize) {
            const chunk = all.slice(at, at + chunkSize);
            // The source holds a chunk's rows before the view is told, as the staged snapshot does.
            for (const r of chunk) src.map.set(uuidOfRow(r), r);
            v.load(chunk);
            // Chunks are merged when the view is next read: read after some of them, not others.
            if ((at / chunkSize) % 2 === 0) expect(v.window(0, 1_000)).toHaveLength(v.count);
          }
          const fresh = new TableView(table, src);
          fresh.setSpec({ filter, sort });
          expect(v.window(0, 1_000).map((r) => r.uuid)).toEqual(fresh.window(0, 1_000).map((r) => r.uuid));
          const shown = filter === '' ? all : all.filter((r) => JSON.stringify(r.external_ids).includes('blue'));
          expect(v.window(0, 1_000).map((r) => r.uuid)).toEqual(expected(shown, sort));
          expect(v.window(0, 1_000).every((r) => r.mark === undefined)).toBe(true);
          expect(v.count).toBe(fresh.count);
        },
      ),
      { numRuns: 200 },
    );
  });
});
