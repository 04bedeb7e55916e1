/**
 * One table, live: the filter (free text, ovn-nbctl `find` clauses, RFC 7047 conditions), sort by any
 * column, a column picker with pinning, pause/resume, find in every row (Ctrl/Cmd+F), CSV/JSON export of
 * what is shown, and the open row's panel. Filter, sort, columns and the open row live in the URL.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ColumnSizingState, Updater } from '@tanstack/react-table';
import type { DatabaseSchema, TableSchema, WireRow } from '@ovsdb-web/client/core';
import { VirtualTable, type GridColumn } from '@ovsdb-web/ui';
import { useStore } from '../hooks/use-store.js';
import { engine } from '../app/engine.js';
import { navigate, tablePath, withQuery } from '../app/router.js';
import { NotFound } from '../app/NotFound.js';
import type { ViewHandle, ViewSnapshot } from '../engine/client.js';
import { Store } from '../app/store.js';
import type { SortKey } from '../store/view.js';
import { useSchema } from '../hooks/use-schema.js';
import { RowPanel } from './RowPanel.js';
import { ColumnPicker } from './ColumnPicker.js';
import { FilterBox } from './FilterBox.js';
import { FindBar } from './FindBar.js';
import { toast } from '../app/toast.js';
import { copyText } from '../app/clipboard.js';
import { editBlockedBecause, session } from '../app/session.js';
import { EditSession, type EditMode } from '../edit/session.js';
import type { ParentRef } from '../edit/ops.js';
import { pendingParent } from '../edit/pending.js';
import { formatCount } from '../app/format.js';

// The editors (and the OVN match parser they bring) load when first opened: viewing a table does not wait for them.
const EditPanel = lazy(async () => ({ default: (await import('../edit/EditPanel.js')).EditPanel }));
const BulkEdit = lazy(async () => ({ default: (await import('../edit/BulkEdit.js')).BulkEdit }));

interface Props {
  route: { remote: string; db: string; table: string; uuid: string | undefined };
  search: string;
}

export function parseSortParam(text: string | null): SortKey[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('-') ? { column: s.slice(1), desc: true } : { column: s, desc: false }));
}

export function sortParam(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.desc ? '-' : ''}${k.column}`).join(',');
}

function stored<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
}

function store(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // preferences then last as long as the page
  }
}

export function TablePage({ route, search }: Props): ReactNode {
  const schema = useSchema(route.remote, route.db);
  const table = schema.kind === 'ok' ? schema.schema.tables.get(route.table) : undefined;
  if (schema.kind === 'error') return <NotFound what={schema.message} />;
  if (schema.kind === 'loading') return <div className="ow-page-loading">Loading {route.table}…</div>;
  if (!table) return <NotFound what={`${route.db} on ${route.remote} has no table ${route.table}.`} />;
  return <TableView route={route} search={search} table={table} schema={schema.schema} />;
}

function TableView({
  route,
  search,
  table,
  schema,
}: Props & { table: TableSchema; schema: DatabaseSchema }): ReactNode {
  const sess = useStore(session);
  const blocked = editBlockedBecause(sess);
  const [edit, setEdit] = useState<EditSession | undefined>(undefined);
  const [bulk, setBulk] = useState(false);
  const startEdit = useCallback(
    (mode: EditMode, base?: WireRow, parent?: ParentRef) => {
      const user = sess.kind === 'signed-in' ? `${sess.who.name} (${sess.who.role})` : 'unknown';
      const s = new EditSession(route.remote, route.db, schema, mode, base, user);
      if (parent) s.setParent(parent);
      setEdit(s);
    },
    [sess, route.remote, route.db, schema],
  );
  // "New ACL here" from a switch or port group: open the form on arrival, attached to that row.
  useEffect(() => {
    const p = pendingParent.current;
    if (!p || blocked !== undefined) return;
    pendingParent.current = undefined;
    startEdit({ kind: 'insert', table: route.table }, undefined, p);
  }, [startEdit, blocked, route.table]);
  const query = useMemo(() => new URLSearchParams(search), [search]);
  const filter = query.get('where') ?? '';
  const sort = useMemo(() => parseSortParam(query.get('sort')), [query]);
  const allColumns = useMemo(() => [...table.columns.keys()], [table]);
  const visible = useMemo(() => {
    const asked = query.get('columns');
    if (!asked) return allColumns;
    const list = asked.split(',').filter((c) => table.columns.has(c));
    return list.length > 0 ? list : allColumns;
  }, [query, allColumns, table]);
  const prefKey = `ovsdb-web.table.${route.db}.${route.table}`;
  const [pinned, setPinned] = useState<string[]>(() =>
    stored(`${prefKey}.pinned`, table.columns.has('name') ? ['name'] : []),
  );
  const [sizing, setSizing] = useState<ColumnSizingState>(() => stored(`${prefKey}.sizes`, {}));
  const [find, setFind] = useState<{ open: boolean; matches: number[]; at: number }>({
    open: false,
    matches: [],
    at: 0,
  });
  const [scrollTo, setScrollTo] = useState<{ index: number; seq: number } | undefined>(undefined);
  const filterRef = useRef<HTMLInputElement>(null);

  // One view per table page; its filter and sort follow the URL.
  const [view, setView] = useState<ViewHandle | undefined>(undefined);
  useEffect(() => {
    const v = engine.openView({ remote: route.remote, db: route.db, table: route.table }, { filter, sort });
    setView(v);
    return () => v.close();
    // Made once per table page (the page is keyed by table); filter and sort changes go through setSpec below.
  }, [route.remote, route.db, route.table]); // eslint-disable-line react-hooks/exhaustive-deps
  const firstSpec = useRef(true);
  useEffect(() => {
    if (firstSpec.current) {
      firstSpec.current = false;
      return;
    }
    view?.setSpec({ filter, sort });
  }, [view, filter, sort]);

  const snap = useStore(view?.store ?? EMPTY);
  const state = snap.state;

  const setQuery = useCallback((changes: Record<string, string | undefined>, replace = true) => {
    navigate(`${window.location.pathname}${withQuery(window.location.search, changes)}`, { replace });
  }, []);

  // A click cycles ascending → descending → default; Shift+click adds or cycles one key of several.
  const onSort = useCallback(
    (column: string, additive: boolean) => {
      const base = sort.length > 0 ? sort : state.sort;
      const existing = base.find((k) => k.column === column);
      let next: SortKey[];
      if (!additive) next = !existing ? [{ column, desc: false }] : !existing.desc ? [{ column, desc: true }] : [];
      else if (!existing) next = [...base, { column, desc: false }];
      else if (!existing.desc) next = base.map((k) => (k.column === column ? { column, desc: true } : k));
      else next = base.filter((k) => k.column !== column);
      setQuery({ sort: sortParam(next) || undefined });
    },
    [sort, state.sort, setQuery],
  );

  const onRange = useCallback(
    (start: number, end: number, anchor: string | undefined) => view?.setRange(start, end, anchor),
    [view],
  );
  const openRow = useCallback(
    (uuid: string) => navigate(`${tablePath(route.remote, route.db, route.table, uuid)}${window.location.search}`),
    [route.remote, route.db, route.table],
  );
  const closeRow = useCallback(
    () => navigate(`${tablePath(route.remote, route.db, route.table)}${window.location.search}`),
    [route.remote, route.db, route.table],
  );
  const followRef = useCallback(
    (refTable: string, uuid: string) => navigate(tablePath(route.remote, route.db, refTable, uuid)),
    [route.remote, route.db],
  );

  // A deep link to a row: once the view knows where it is, scroll it into sight.
  const located = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!view || !route.uuid || state.phase !== 'live' || located.current === route.uuid) return;
    located.current = route.uuid;
    void view.locate(route.uuid).then((index) => {
      if (index >= 0) setScrollTo({ index, seq: Date.now() });
    });
  }, [view, route.uuid, state.phase]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
      if ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F')) {
        e.preventDefault();
        setFind((f) => ({ ...f, open: true }));
        return;
      }
      if (typing) return;
      if (e.key === '/') {
        e.preventDefault();
        filterRef.current?.focus();
      } else if (e.key === 'Escape' && route.uuid && !edit) {
        closeRow();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [route.uuid, closeRow, edit]);

  const columns: GridColumn[] = useMemo(
    () =>
      visible.flatMap((c) => {
        const type = table.columns.get(c)?.type;
        return type ? [{ id: c, type }] : [];
      }),
    [visible, table],
  );

  const onSizing = useCallback(
    (u: Updater<ColumnSizingState>) => {
      setSizing((old) => {
        const next = typeof u === 'function' ? u(old) : u;
        store(`${prefKey}.sizes`, next);
        return next;
      });
    },
    [prefKey],
  );

  const doExport = async (format: 'csv' | 'json'): Promise<void> => {
    if (!view) return;
    const { text, rows } = await view.export(format, visible);
    const blob = new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${route.table}.${format}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    toast(`Exported ${formatCount(rows)} rows as ${format.toUpperCase()}`);
  };

  const matchSet = useMemo(() => new Set(find.matches), [find.matches]);
  const status =
    state.phase === 'failed'
      ? (state.error ?? 'failed')
      : state.phase === 'loading'
        ? state.total > 0
          ? `loading… ${formatCount(state.total)} rows so far`
          : 'loading…'
        : `${formatCount(state.count)}${state.count !== state.total ? ` of ${formatCount(state.total)}` : ''} rows`;

  return (
    <div className={`ow-table-page${route.uuid || edit ? ' ow-with-panel' : ''}`}>
      <div className="ow-table-main">
        <div className="ow-toolbar">
          <FilterBox
            inputRef={filterRef}
            value={filter}
            problem={state.problem}
            onChange={(text) => setQuery({ where: text || undefined })}
          />
          <span className={`ow-count${state.phase === 'resyncing' ? ' ow-warn-text' : ''}`} aria-live="polite">
            {status}
            {state.phase === 'resyncing' && ' · resyncing'}
          </span>
          <div className="ow-toolbar-buttons">
            {blocked === undefined ? (
              <>
                <button
                  type="button"
                  className="ow-button ow-primary"
                  onClick={() => startEdit({ kind: 'insert', table: route.table })}
                >
                  New row
                </button>
                <button
                  type="button"
                  className="ow-button"
                  disabled={state.count === 0}
                  onClick={() => setBulk(true)}
                  title="Apply one change to every row shown"
                >
                  Bulk edit
                </button>
              </>
            ) : (
              <span className="ow-readonly ow-toolbar-note" title={blocked}>
                read-only
              </span>
            )}
            {state.paused ? (
              <button
                type="button"
                className="ow-button ow-active"
                onClick={() => view?.resume()}
                title="Apply the changes that arrived while paused"
              >
                Resume
                {state.pending > 0 && (
                  <span className="ow-badge" aria-label={`${state.pending} pending changes`}>
                    {formatCount(state.pending)}
                  </span>
                )}
              </button>
            ) : (
              <button
                type="button"
                className="ow-button"
                onClick={() => view?.pause()}
                title="Stop live updates of this view; nothing is lost"
              >
                Pause
              </button>
            )}
            <ColumnPicker
              all={allColumns}
              visible={visible}
              pinned={pinned}
              onVisible={(cols) =>
                setQuery({
                  columns:
                    cols.length === allColumns.length && cols.every((c, i) => c === allColumns[i])
                      ? undefined
                      : cols.join(','),
                })
              }
              onPinned={(p) => {
                setPinned(p);
                store(`${prefKey}.pinned`, p);
              }}
            />
            <button type="button" className="ow-button" onClick={() => void doExport('csv')}>
              Export CSV
            </button>
            <button type="button" className="ow-button" onClick={() => void doExport('json')}>
              Export JSON
            </button>
          </div>
        </div>
        {find.open && view && (
          <FindBar
            view={view}
            onResult={(matches, at) => {
              setFind({ open: true, matches, at });
              const index = matches[at];
              if (index !== undefined) setScrollTo({ index, seq: Date.now() });
            }}
            onClose={() => setFind({ open: false, matches: [], at: 0 })}
          />
        )}
        <VirtualTable
          label={route.table}
          columns={columns}
          rowCount={state.count}
          window={snap.window}
          sort={state.sort}
          onSort={onSort}
          onRange={onRange}
          onOpen={openRow}
          openUuid={route.uuid}
          onRef={followRef}
          columnSizing={sizing}
          onColumnSizing={onSizing}
          pinned={pinned}
          matches={matchSet}
          current={find.matches[find.at]}
          scrollTo={scrollTo}
          onCopy={copyText}
          emptyText={
            state.phase === 'live'
              ? filter
                ? 'No row matches the filter'
                : 'This table has no rows'
              : state.phase === 'failed'
                ? state.error
                : 'Loading…'
          }
        />
      </div>
      {bulk && view && (
        <Suspense fallback={null}>
          <BulkEdit
            schema={schema}
            table={table}
            view={view}
            count={state.count}
            onClose={() => setBulk(false)}
            onReady={(mode) => {
              setBulk(false);
              startEdit(mode);
            }}
          />
        </Suspense>
      )}
      {edit ? (
        <Suspense fallback={<aside className="ow-panel ow-page-loading">Loading the editor…</aside>}>
          <EditPanel
            key={edit.id}
            session={edit}
            onClose={() => setEdit(undefined)}
            onOpenRow={(t, u) => {
              setEdit(undefined);
              followRef(t, u);
            }}
            onEdit={(mode) => startEdit(mode)}
          />
        </Suspense>
      ) : (
        route.uuid && (
          <RowPanel
            key={route.uuid}
            remote={route.remote}
            db={route.db}
            table={table}
            uuid={route.uuid}
            onClose={closeRow}
            onRef={followRef}
            onEdit={
              blocked === undefined
                ? (kind, base) => startEdit({ kind, table: route.table, uuid: route.uuid ?? '' }, base)
                : undefined
            }
            onNewAcl={
              blocked === undefined && (route.table === 'Logical_Switch' || route.table === 'Port_Group')
                ? () => {
                    // The ACL is made on the ACL table's page, attached to this row.
                    const parent: ParentRef = { table: route.table, uuid: route.uuid ?? '', column: 'acls' };
                    pendingParent.current = parent;
                    navigate(tablePath(route.remote, route.db, 'ACL'));
                  }
                : undefined
            }
            editBlocked={blocked}
            ovn={schema.name === 'OVN_Northbound'}
          />
        )
      )}
    </div>
  );
}

const EMPTY = new Store<ViewSnapshot>({
  state: {
    phase: 'loading',
    total: 0,
    count: 0,
    paused: false,
    pending: 0,
    problem: undefined,
    error: undefined,
    sort: [],
  },
  window: undefined,
});
