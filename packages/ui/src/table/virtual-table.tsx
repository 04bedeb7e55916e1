/**
 * The live grid. It renders only what is on screen — rows and, for wide tables, columns — from a window of
 * rows its owner provides, and reports which rows it needs (`onRange`) and which row to keep in place when
 * rows are inserted above it (the open row, else the focused one, else the top one). Column sizes and pinning
 * come from TanStack Table; the rows themselves never pass through it in full.
 *
 * Accessible as a `grid` named after the OVSDB table: rows and cells carry their indexes, headers their sort,
 * and the keyboard moves a focus (Up/Down or j/k, Page Up/Down, Home/End; Enter opens the row) and a focused
 * cell within the row (Left/Right or h/l, or a click); Ctrl/Cmd+C copies the focused cell as ovs-vsctl prints it.
 */
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnPinningState,
  type ColumnSizingState,
  type OnChangeFn,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ColumnType, WireRow } from '@ovsdb-web/client/core';
import { datumTitle, DatumView, emptyDatumText, isEmptyDatum, type ValueContext } from '../values/datum.js';

export interface GridColumn {
  id: string;
  type: ColumnType;
}

export interface GridRow {
  uuid: string;
  row: WireRow;
  mark?: { kind: 'insert' | 'modify' | 'delete'; columns?: readonly string[]; at: number };
}

export interface GridWindow {
  start: number;
  rows: readonly GridRow[];
  labels: Readonly<Record<string, string>>;
  anchor: string | undefined;
  anchorIndex: number | undefined;
}

export interface GridSort {
  column: string;
  desc: boolean;
}

export interface VirtualTableProps {
  /** The grid's accessible name: the OVSDB table. */
  label: string;
  columns: readonly GridColumn[];
  rowCount: number;
  window: GridWindow | undefined;
  sort: readonly GridSort[];
  onSort: (column: string, additive: boolean) => void;
  onRange: (start: number, end: number, anchor: string | undefined) => void;
  onOpen: (uuid: string) => void;
  openUuid?: string | undefined;
  onRef?: ((table: string, uuid: string) => void) | undefined;
  columnSizing: ColumnSizingState;
  onColumnSizing: OnChangeFn<ColumnSizingState>;
  pinned: readonly string[];
  /** Rows to mark as find matches (indexes), and the current one. */
  matches?: ReadonlySet<number> | undefined;
  current?: number | undefined;
  /** Scroll so that this index is visible (changes of `seq` trigger it). */
  scrollTo?: { index: number; seq: number } | undefined;
  /** Copy a cell's value (Ctrl/Cmd+C copies the focused cell); `what` says which, for a confirmation. */
  onCopy?: ((text: string, what: string) => void) | undefined;
  rowHeight?: number;
  emptyText?: ReactNode;
}

const DEFAULT_WIDTH = 180;

/** A first width that fits what the column usually holds (names are long, booleans short). */
function defaultWidth(c: GridColumn): number {
  const t = c.type;
  if (c.id === 'name' || c.id === 'match') return 260;
  if (t.value !== undefined) return 280;
  if (t.max > 1) return 240;
  switch (t.key.type) {
    case 'boolean':
      return 90;
    case 'integer':
    case 'real':
      return 110;
    case 'uuid':
      return 150;
    default:
      return t.key.enum ? 130 : DEFAULT_WIDTH;
  }
}
const UUID_WIDTH = 110;
const OVERSCAN = 20;
/** Rows rendered beyond each edge of the screen. */
const ROW_OVERSCAN = 8;
/** After a jump of more than a screen, how long the grid must stay put before it asks for its rows. */
const SETTLE_MS = 50;

/**
 * A row element's key: its slot among the rows on screen (index modulo their count), so that scrolling and
 * windows arriving reuse the row and cell elements already there — only values change, nothing is created
 * and styled anew — instead of replacing every row. A deleted row fading out gets its own element, so its
 * animation starts when it appears, as with one element per uuid (inserts and changes are highlighted, not
 * animated).
 */
function rowKey(index: number, slots: number, r: GridRow | undefined): string {
  const slot = `s${index % Math.max(1, slots)}`;
  return r?.mark?.kind === 'delete' ? `${slot}@${r.uuid}` : slot;
}

export function VirtualTable(props: VirtualTableProps): ReactNode {
  const {
    label,
    columns,
    rowCount,
    window: win,
    sort,
    onSort,
    onRange,
    onOpen,
    openUuid,
    onRef,
    columnSizing,
    onColumnSizing,
    pinned,
  } = props;
  const rowHeight = props.rowHeight ?? 32;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focusUuid, setFocusUuid] = useState<string | undefined>(undefined);
  const [focusIndex, setFocusIndex] = useState(0);
  const [focusColumn, setFocusColumn] = useState('_uuid');
  const anchorRef = useRef<{ uuid: string; index: number } | undefined>(undefined);
  const [hScrolled, setHScrolled] = useState(false);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    // Compared here, not left to React: a state update in every scroll event, even to the same value, cost a
    // render of the grid now and then (10% of the page's script time while dragging the scrollbar).
    let last = el.scrollLeft > 0;
    const onScroll = (): void => {
      const now = el.scrollLeft > 0;
      if (now === last) return;
      last = now;
      setHScrolled(now);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  const defs = useMemo<ColumnDef<GridRow>[]>(
    () => [
      { id: '_uuid', header: '_uuid', size: UUID_WIDTH, minSize: 60 },
      ...columns.map((c) => ({ id: c.id, header: c.id, size: defaultWidth(c), minSize: 50, maxSize: 2000 })),
    ],
    [columns],
  );
  const columnPinning = useMemo<ColumnPinningState>(
    () => ({ left: ['_uuid', ...pinned.filter((p) => p !== '_uuid')], right: [] }),
    [pinned],
  );
  const table = useReactTable<GridRow>({
    data: (win?.rows ?? []) as GridRow[],
    columns: defs,
    getCoreRowModel: getCoreRowModel(),
    columnResizeMode: 'onChange',
    enableColumnResizing: true,
    state: { columnSizing, columnPinning },
    onColumnSizingChange: onColumnSizing,
    getRowId: (r) => r.uuid,
  });
  const leftCols = table.getLeftLeafColumns();
  const centerCols = table.getCenterLeafColumns();
  const allIds = [...leftCols.map((c) => c.id), ...centerCols.map((c) => c.id)];
  const leftWidth = leftCols.reduce((s, c) => s + c.getSize(), 0);
  const centerWidth = centerCols.reduce((s, c) => s + c.getSize(), 0);
  const types = useMemo(() => new Map(columns.map((c) => [c.id, c.type])), [columns]);

  // The column virtualizer first: each reads its scroll offset in a scroll listener of its own, in the order
  // they were set up, and the row virtualizer renders the grid at once from its listener. Reading scrollLeft
  // after that render forced a layout on every vertical scroll event; before it, the layout is still clean.
  const cols = useVirtualizer({
    horizontal: true,
    count: centerCols.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => centerCols[i]?.getSize() ?? DEFAULT_WIDTH,
    // Each column beyond the edge is one more cell in every row on screen, restyled and laid out as rows scroll in.
    overscan: 1,
  });
  const rows = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: ROW_OVERSCAN,
  });
  useEffect(() => cols.measure(), [cols, columnSizing, centerCols.length]);

  const items = rows.getVirtualItems();
  // The number of row slots must not follow the rows on screen, which is one more or one less as a row is
  // half in view: modulo a count that changes, every row lands in another slot and the whole grid is
  // rendered, styled and laid out again on each scroll step (measured: 80% of frames over 33 ms at wheel speed).
  const slots = Math.max(items.length, Math.ceil((rows.scrollRect?.height ?? 0) / rowHeight) + 2 * ROW_OVERSCAN + 3);
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  // Which row to keep in place: the open one, else the focused one, else the top one on screen.
  const byIndex = useCallback(
    (i: number): GridRow | undefined => {
      if (!win) return undefined;
      return win.rows[i - win.start];
    },
    [win],
  );
  const pickAnchor = useCallback((): { uuid: string; index: number } | undefined => {
    if (!win) return undefined;
    for (const uuid of [openUuid, focusUuid]) {
      if (uuid === undefined) continue;
      const at = win.rows.findIndex((r) => r.uuid === uuid);
      if (at >= 0 && win.start + at >= first && win.start + at <= last) return { uuid, index: win.start + at };
    }
    const top = byIndex(first);
    return top ? { uuid: top.uuid, index: first } : undefined;
  }, [win, openUuid, focusUuid, first, last, byIndex]);

  // Ask for the rows on screen with room around them; re-ask when the screen moves past the margin.
  const requested = useRef({ start: -1, end: -1, anchor: '' });
  const lastFirst = useRef(first);
  const deferred = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(deferred.current);
    const anchor = pickAnchor();
    anchorRef.current = anchor;
    const jumped = Math.abs(first - lastFirst.current) > last - first + 1;
    lastFirst.current = first;
    const need = { start: Math.max(0, first - OVERSCAN), end: Math.min(rowCount, last + 1 + OVERSCAN) };
    const r = requested.current;
    const inside =
      need.start >= r.start && need.end <= r.end && r.end - r.start < 4 * (need.end - need.start + OVERSCAN);
    if (inside && (anchor?.uuid ?? '') === r.anchor) return;
    const ask = (): void => {
      const start = Math.max(0, first - 2 * OVERSCAN);
      const end = Math.min(rowCount, last + 1 + 2 * OVERSCAN);
      requested.current = { start, end, anchor: anchor?.uuid ?? '' };
      onRange(start, end, anchor?.uuid);
    };
    // More than a screen in one step (the scrollbar dragged through a large table): by the time a window for
    // this place arrives the grid is elsewhere, and rendering it only to replace it with placeholders next frame
    // cost most of each frame. Ask once the grid stays put.
    if (jumped) deferred.current = setTimeout(ask, SETTLE_MS);
    else ask();
  }, [first, last, rowCount, onRange, pickAnchor]);
  useEffect(() => () => clearTimeout(deferred.current), []);

  // A window where the anchor moved (rows came or went above it): scroll by as much, so it stays put.
  useLayoutEffect(() => {
    const a = anchorRef.current;
    const el = scrollRef.current;
    if (!win || !a || !el || win.anchor !== a.uuid || win.anchorIndex === undefined || win.anchorIndex === a.index)
      return;
    el.scrollTop += (win.anchorIndex - a.index) * rowHeight;
    anchorRef.current = { uuid: a.uuid, index: win.anchorIndex };
    if (focusUuid === a.uuid) setFocusIndex(win.anchorIndex);
  }, [win, rowHeight, focusUuid]);

  // Only a new request scrolls (the virtualizer object is new on every render).
  const scrolledSeq = useRef<number | undefined>(undefined);
  useEffect(() => {
    const to = props.scrollTo;
    if (!to || to.seq === scrolledSeq.current) return;
    scrolledSeq.current = to.seq;
    rows.scrollToIndex(to.index, { align: 'center' });
  }, [props.scrollTo, rows]);

  const moveFocus = (index: number): void => {
    const i = Math.max(0, Math.min(rowCount - 1, index));
    setFocusIndex(i);
    setFocusUuid(byIndex(i)?.uuid);
    rows.scrollToIndex(i, { align: 'auto' });
  };
  // The focused uuid follows the window (a row that arrives at the focused index becomes focused).
  useEffect(() => {
    if (focusUuid === undefined) setFocusUuid(byIndex(focusIndex)?.uuid);
  }, [byIndex, focusIndex, focusUuid]);

  const moveColumn = (by: number): void => {
    const at = Math.max(0, Math.min(allIds.length - 1, allIds.indexOf(focusColumn) + by));
    const id = allIds[at];
    if (id === undefined) return;
    setFocusColumn(id);
    const center = centerCols.findIndex((c) => c.id === id);
    if (center >= 0) cols.scrollToIndex(center, { align: 'auto' });
  };

  const copyFocused = (): boolean => {
    const r = byIndex(focusIndex);
    if (!r || !props.onCopy) return false;
    const name = typeof r.row.name === 'string' && r.row.name !== '' ? r.row.name : r.uuid.slice(0, 8);
    if (focusColumn === '_uuid') {
      props.onCopy(r.uuid, `the uuid of ${name}`);
      return true;
    }
    const type = types.get(focusColumn);
    if (!type) return false;
    props.onCopy(datumTitle(type, r.row[focusColumn]), `${focusColumn} of ${name}`);
    return true;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 320) / rowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveFocus(focusIndex + 1),
      j: () => moveFocus(focusIndex + 1),
      ArrowUp: () => moveFocus(focusIndex - 1),
      k: () => moveFocus(focusIndex - 1),
      PageDown: () => moveFocus(focusIndex + page),
      PageUp: () => moveFocus(focusIndex - page),
      Home: () => moveFocus(0),
      End: () => moveFocus(rowCount - 1),
      ArrowLeft: () => moveColumn(-1),
      h: () => moveColumn(-1),
      ArrowRight: () => moveColumn(1),
      l: () => moveColumn(1),
      Enter: () => {
        const r = byIndex(focusIndex);
        if (r) onOpen(r.uuid);
      },
    };
    if (e.ctrlKey || e.metaKey || e.altKey) {
      // A text selection the user made is theirs to copy; otherwise the focused cell is.
      const selected = document.getSelection()?.toString() ?? '';
      if ((e.key === 'c' || e.key === 'C') && selected === '' && copyFocused()) e.preventDefault();
      return;
    }
    const fn = keys[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    }
  };

  const labels = win?.labels;
  const ctx = useMemo<ValueContext>(() => ({ labels: labels ?? NO_LABELS, onRef }), [labels, onRef]);
  const sortOf = (id: string): 'ascending' | 'descending' | 'none' => {
    const s = sort.find((k) => k.column === id);
    return s ? (s.desc ? 'descending' : 'ascending') : 'none';
  };
  const vcols = cols.getVirtualItems();
  const padLeft = vcols[0]?.start ?? 0;
  const padRight = centerWidth - (vcols[vcols.length - 1]?.end ?? 0);
  const totalWidth = leftWidth + centerWidth;

  const headerCell = (id: string, style: CSSProperties, index: number): ReactNode => {
    const col = table.getColumn(id);
    if (!col) return null;
    const header = table.getFlatHeaders().find((h) => h.column.id === id);
    const s = sortOf(id);
    const pos = sort.findIndex((k) => k.column === id);
    return (
      <div
        role="columnheader"
        aria-colindex={index + 1}
        aria-sort={s}
        className={`ow-th${col.getIsPinned() ? ' ow-pinned' : ''}`}
        style={style}
        key={id}
      >
        <button
          type="button"
          className="ow-th-button"
          onClick={(e) => onSort(id, e.shiftKey)}
          title={`Sort by ${id}${s === 'ascending' ? ' (descending next)' : ''}; Shift+click adds a sort key`}
        >
          <span className="ow-th-name">{id}</span>
          {s !== 'none' && (
            <span className="ow-sort" aria-hidden="true">
              {s === 'ascending' ? '▲' : '▼'}
              {sort.length > 1 ? pos + 1 : ''}
            </span>
          )}
        </button>
        {header && (
          <span
            className={`ow-resize${col.getIsResizing() ? ' ow-resizing' : ''}`}
            onMouseDown={header.getResizeHandler()}
            onTouchStart={header.getResizeHandler()}
            onDoubleClick={() => col.resetSize()}
            title={`Drag to resize ${id}; double-click to reset`}
            aria-hidden="true"
          />
        )}
      </div>
    );
  };

  const colIndexOf = (id: string): number => allIds.indexOf(id);
  let leftOffset = 0;
  const leftStyles = leftCols.map((c) => {
    const st: CSSProperties = { width: c.getSize(), left: leftOffset };
    leftOffset += c.getSize();
    return { id: c.id, style: st };
  });
  // A row's pinned cells are sticky only while the grid is scrolled sideways (until then they are where they
  // would stick anyway). Every sticky cell is a layer of its own for the compositor: one per row on screen made
  // vertical scrolling miss frames (5-8% of frames over 33 ms at wheel speed, 0% without, in a one-off comparison).
  const rowLeftStyles = hScrolled
    ? leftStyles
    : leftStyles.map(({ id, style }) => ({ id, style: { width: style.width } }));

  // The cells every row has, kept as one object while they stay the same, so that a row whose data did not
  // change is not rendered again when the grid is (see GridRowView): a scroll step, a window or a state.
  const layoutKey = `${allIds.join(',')}|${leftStyles.map((c) => `${c.id}:${String(c.style.width)}`).join(',')}|${hScrolled}|${padLeft}|${vcols.map((vc) => `${centerCols[vc.index]?.id ?? ''}:${centerCols[vc.index]?.getSize() ?? 0}`).join(',')}`;
  const layout = useMemo<RowLayout>(
    () => ({
      left: rowLeftStyles.map(({ id, style }) => ({
        id,
        style,
        colIndex: colIndexOf(id),
        pinned: true,
        type: types.get(id),
      })),
      padLeft,
      center: vcols.flatMap((vc) => {
        const c = centerCols[vc.index];
        return c
          ? [
              {
                id: c.id,
                style: { width: c.getSize() },
                colIndex: colIndexOf(c.id),
                pinned: false,
                type: types.get(c.id),
              },
            ]
          : [];
      }),
    }),
    // layoutKey stands for the columns, their order and sizes, and which of them are on screen.
    [layoutKey, types], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const onRowClick = useCallback(
    (index: number, uuid: string | undefined, column: string | undefined) => {
      setFocusIndex(index);
      setFocusUuid(uuid);
      if (column !== undefined) setFocusColumn(column);
      if (uuid !== undefined) onOpen(uuid);
    },
    [onOpen],
  );

  return (
    <div
      ref={scrollRef}
      className={hScrolled ? 'ow-grid-scroll ow-hscrolled' : 'ow-grid-scroll'}
      role="grid"
      aria-label={label}
      aria-rowcount={rowCount + 1}
      aria-colcount={allIds.length}
      aria-activedescendant={rowCount > 0 ? `ow-row-${focusIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="ow-grid-inner" style={{ height: rows.getTotalSize() + rowHeight, width: totalWidth }}>
        <div role="row" aria-rowindex={1} className="ow-tr ow-thead" style={{ width: totalWidth, height: rowHeight }}>
          {leftStyles.map(({ id, style }) => headerCell(id, style, colIndexOf(id)))}
          <div className="ow-pad" style={{ width: padLeft }} />
          {vcols.map((vc) => {
            const c = centerCols[vc.index];
            return c ? headerCell(c.id, { width: c.getSize() }, colIndexOf(c.id)) : null;
          })}
          <div className="ow-pad" style={{ width: Math.max(0, padRight) }} />
        </div>
        {rowCount === 0 && <div className="ow-grid-empty">{props.emptyText ?? 'No rows'}</div>}
        {items.map((item) => {
          const r = byIndex(item.index);
          const mark = r?.mark?.kind;
          const cls = [
            'ow-tr',
            r ? '' : 'ow-loading',
            item.index === focusIndex ? 'ow-focus' : '',
            r && r.uuid === openUuid ? 'ow-open' : '',
            mark === 'insert' ? 'ow-inserted' : mark === 'delete' ? 'ow-deleted' : '',
            props.matches?.has(item.index) ? 'ow-match' : '',
            props.current === item.index ? 'ow-match-current' : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <GridRowView
              key={rowKey(item.index, slots, r)}
              index={item.index}
              row={r}
              className={cls}
              selected={r !== undefined && r.uuid === openUuid}
              focusColumn={item.index === focusIndex ? focusColumn : undefined}
              top={item.start + rowHeight}
              height={rowHeight}
              width={totalWidth}
              layout={layout}
              ctx={ctx}
              onRowClick={onRowClick}
            />
          );
        })}
      </div>
    </div>
  );
}

const NO_LABELS: Readonly<Record<string, string>> = {};

function layoutType(layout: RowLayout, column: string): ColumnType | undefined {
  return (layout.left.find((c) => c.id === column) ?? layout.center.find((c) => c.id === column))?.type;
}

interface RowCell {
  id: string;
  style: CSSProperties;
  colIndex: number;
  pinned: boolean;
  type: ColumnType | undefined;
}

interface RowLayout {
  left: RowCell[];
  padLeft: number;
  center: RowCell[];
}

interface GridRowViewProps {
  index: number;
  row: GridRow | undefined;
  className: string;
  selected: boolean;
  /** The focused cell's column, on the focused row only. */
  focusColumn: string | undefined;
  top: number;
  height: number;
  width: number;
  layout: RowLayout;
  ctx: ValueContext;
  onRowClick: (index: number, uuid: string | undefined, column: string | undefined) => void;
}

/**
 * One row of the grid. Memoized: when the grid renders (every scroll step, every window and state the engine
 * sends), only the rows whose data, place or state changed render again, not every row and cell on screen.
 */
const GridRowView = memo(function GridRowView({
  index,
  row: r,
  className,
  selected,
  focusColumn,
  top,
  height,
  width,
  layout,
  ctx,
  onRowClick,
}: GridRowViewProps): ReactNode {
  const cell = (c: RowCell): ReactNode => {
    // Marks live as long as a change should show; the engine drops them after that.
    const flash = r?.mark?.kind === 'modify' && r.mark.columns?.includes(c.id) === true;
    const focusCls = c.id === focusColumn ? ' ow-cell-focus' : '';
    let content: ReactNode = null;
    // Most cells of a wide table are empty: their mark is the cell's own text, not one more element each.
    let empty = false;
    if (r) {
      const value = r.row[c.id];
      if (c.id === '_uuid')
        content = (
          <span className="ow-uuid" title={r.uuid}>
            {r.uuid.slice(0, 8)}
          </span>
        );
      else if (c.type && isEmptyDatum(value)) {
        empty = true;
        content = emptyDatumText(c.type);
      } else content = c.type ? <DatumView type={c.type} value={value} ctx={ctx} titled={false} /> : null;
    }
    return (
      <div
        role="gridcell"
        aria-colindex={c.colIndex + 1}
        className={`ow-td${c.pinned ? ' ow-pinned' : ''}${empty ? ' ow-td-empty' : ''}${focusCls}${flash ? ' ow-flash' : ''}`}
        style={c.style}
        key={c.id}
        data-row={index}
        data-column={c.id}
      >
        {content}
      </div>
    );
  };
  // A row not in the window yet is one element, not a row of empty cells: dragging the scrollbar through a
  // large table shows a new screen of such rows every frame, and restyling their cells cost most of each frame.
  if (!r)
    return (
      <div
        role="row"
        id={`ow-row-${index}`}
        aria-rowindex={index + 2}
        aria-busy="true"
        className={className}
        style={{ transform: `translateY(${top}px)`, height, width }}
      />
    );
  return (
    <div
      role="row"
      id={`ow-row-${index}`}
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={className}
      style={{ transform: `translateY(${top}px)`, height, width }}
      onClick={(e) => {
        const column =
          e.target instanceof Element ? e.target.closest<HTMLElement>('[data-column]')?.dataset.column : undefined;
        onRowClick(index, r.uuid, column);
      }}
      // A cell's whole value as its title, made when the pointer is over it: making it for every cell rendered
      // (the text of every atom) was ~110 ms of the page's script in a profile of the first load. Set on each
      // visit, as a cell element shows another row's value once scrolled.
      onMouseOver={(e) => {
        const cell = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-column]') : null;
        const column = cell?.dataset.column;
        const type = column === undefined ? undefined : layoutType(layout, column);
        if (!cell || column === undefined || !type) return;
        const value = r.row[column];
        cell.title = isEmptyDatum(value) ? '' : datumTitle(type, value);
      }}
    >
      {layout.left.map(cell)}
      <div className="ow-pad" style={{ width: layout.padLeft }} />
      {layout.center.map(cell)}
    </div>
  );
});
