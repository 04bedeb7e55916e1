/**
 * The change log of a database: inserts, updates and deletes as they happen, each with its per-column
 * differences; filter by table and text, pause (the log keeps collecting), clear, export.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { stringifyJson, type DatabaseSchema, type Json } from '@ovsdb-web/client/core';
import { ChangeView, DatumView } from '@ovsdb-web/ui';
import { engine } from '../app/engine.js';
import { useStore } from '../hooks/use-store.js';
import { useSchema } from '../hooks/use-schema.js';
import { navigate, tablePath } from '../app/router.js';
import { NotFound } from '../app/NotFound.js';
import { toast } from '../app/toast.js';
import type { ChangeEntry } from '../engine/messages.js';
import { formatCount } from '../app/format.js';

export function ChangesPage({ remote, db }: { remote: string; db: string }): ReactNode {
  const schema = useSchema(remote, db);
  if (schema.kind === 'error') return <NotFound what={schema.message} />;
  if (schema.kind === 'loading') return <div className="ow-page-loading">Loading…</div>;
  return <ChangeLog remote={remote} db={db} schema={schema.schema} />;
}

function time(t: number): string {
  const d = new Date(t);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function ChangeLog({ remote, db, schema }: { remote: string; db: string; schema: DatabaseSchema }): ReactNode {
  const watch = useMemo(() => engine.watchChanges(remote, db), [remote, db]);
  useEffect(() => () => watch.close(), [watch]);
  const { entries, error } = useStore(watch.store);
  const [table, setTable] = useState('');
  const [text, setText] = useState('');
  const [paused, setPaused] = useState<ChangeEntry[] | undefined>(undefined);
  const [clearedAt, setClearedAt] = useState(0);
  const source = paused ?? entries;
  const shown = useMemo(() => {
    const q = text.toLowerCase();
    const out: ChangeEntry[] = [];
    for (let i = source.length - 1; i >= 0; i--) {
      const e = source[i] as ChangeEntry;
      if (e.id <= clearedAt) break;
      if (table && e.table !== table) continue;
      if (
        q &&
        !`${e.table} ${e.uuid} ${e.label ?? ''} ${stringifyJson(e.changes as unknown as Json)}`
          .toLowerCase()
          .includes(q)
      )
        continue;
      out.push(e);
    }
    return out;
  }, [source, table, text, clearedAt]);
  const pending = paused ? entries.filter((e) => e.id > (paused.at(-1)?.id ?? 0)).length : 0;
  const scroll = useRef<HTMLDivElement>(null);
  // Sizes are measured per entry (by id): new entries arrive at the top and shift every index.
  const list = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroll.current,
    estimateSize: () => 56,
    overscan: 10,
    getItemKey: (i) => shown[i]?.id ?? i,
  });
  const tables = [...schema.tables.keys()].sort();

  const exportLog = (): void => {
    const blob = new Blob([`${stringifyJson(shown as unknown as Json)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${db}-changes.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    toast(`Exported ${formatCount(shown.length)} changes`);
  };

  return (
    <div className="ow-changes-page">
      <div className="ow-toolbar">
        <h1 className="ow-page-title ow-inline">Change log</h1>
        <select
          className="ow-input ow-select"
          aria-label="Table"
          value={table}
          onChange={(e) => setTable(e.target.value)}
        >
          <option value="">All tables</option>
          {tables.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <input
          className="ow-input"
          aria-label="Filter"
          placeholder="Filter changes…"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <span className="ow-count" aria-live="polite">
          {formatCount(shown.length)} changes
        </span>
        <div className="ow-toolbar-buttons">
          {paused ? (
            <button type="button" className="ow-button ow-active" onClick={() => setPaused(undefined)}>
              Resume{pending > 0 && <span className="ow-badge">{pending}</span>}
            </button>
          ) : (
            <button type="button" className="ow-button" onClick={() => setPaused(entries)}>
              Pause
            </button>
          )}
          <button type="button" className="ow-button" onClick={() => setClearedAt(entries.at(-1)?.id ?? 0)}>
            Clear
          </button>
          <button type="button" className="ow-button" onClick={exportLog}>
            Export JSON
          </button>
        </div>
      </div>
      {error && (
        <p className="ow-error-text" role="alert">
          {error}
        </p>
      )}
      <div ref={scroll} className="ow-changes" role="log" aria-label="Changes">
        {shown.length === 0 && (
          <p className="ow-muted ow-changes-empty">
            Waiting for changes… Everything inserted, updated or deleted in {db} from now on appears here.
          </p>
        )}
        <div style={{ height: list.getTotalSize(), position: 'relative' }}>
          {list.getVirtualItems().map((item) => {
            const e = shown[item.index] as ChangeEntry;
            const t = schema.tables.get(e.table);
            return (
              <div
                key={e.id}
                ref={list.measureElement}
                data-index={item.index}
                className={`ow-change ow-change-${e.kind}`}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <div className="ow-change-head">
                  <span className="ow-muted ow-change-time">{time(e.time)}</span>
                  <span className={`ow-kind ow-kind-${e.kind}`}>{e.kind}</span>
                  <span className="ow-change-table">{e.table}</span>
                  {e.kind !== 'delete' ? (
                    <a
                      href={tablePath(remote, db, e.table, e.uuid)}
                      onClick={(ev) => {
                        ev.preventDefault();
                        navigate(tablePath(remote, db, e.table, e.uuid));
                      }}
                    >
                      {e.label ?? e.uuid.slice(0, 8)}
                    </a>
                  ) : (
                    <span>{e.label ?? e.uuid.slice(0, 8)}</span>
                  )}
                  {e.resync && <span className="ow-muted">(found on resync)</span>}
                </div>
                {e.changes.length > 0 && t && (
                  <div className="ow-change-cols">
                    {e.changes.map((c) => {
                      const type = t.columns.get(c.column)?.type;
                      if (!type) return null;
                      return (
                        <div key={c.column} className="ow-change-col">
                          <span className="ow-field-name">{c.column}</span>
                          {e.kind === 'modify' ? (
                            <ChangeView type={type} old={c.old} now={c.new} ctx={{ labels: e.labels }} />
                          ) : (
                            <span className={e.kind === 'delete' ? 'ow-old' : ''}>
                              <DatumView
                                type={type}
                                value={e.kind === 'delete' ? c.old : c.new}
                                ctx={{ labels: e.labels }}
                              />
                            </span>
                          )}
                        </div>
                      );
                    })}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
