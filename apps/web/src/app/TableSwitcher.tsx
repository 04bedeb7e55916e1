/** `g` then `t`: type part of a table's name, Enter opens it. */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DatabaseStats } from '@ovsdb-web/protocol';
import { navigate, tablePath } from './router.js';
import { formatCount } from './format.js';

export function TableSwitcher({ databases, onClose }: { databases: DatabaseStats[]; onClose: () => void }): ReactNode {
  const [text, setText] = useState('');
  const [at, setAt] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const all = useMemo(
    () =>
      databases
        .filter((d) => d.db !== '_Server')
        .flatMap((d) => d.tables.map((t) => ({ remote: d.remote, db: d.db, table: t.name, rows: t.rows }))),
    [databases],
  );
  const q = text.toLowerCase();
  const hits = all.filter((t) => t.table.toLowerCase().includes(q)).slice(0, 12);
  const open = (i: number): void => {
    const t = hits[i];
    if (!t) return;
    onClose();
    navigate(tablePath(t.remote, t.db, t.table));
  };
  return (
    <div className="ow-dialog-backdrop" onClick={onClose}>
      <div
        className="ow-dialog ow-switcher"
        role="dialog"
        aria-label="Go to table"
        onClick={(e) => e.stopPropagation()}
      >
        <input
          ref={input}
          className="ow-input"
          aria-label="Table name"
          placeholder="Go to table…"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setAt(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
            else if (e.key === 'ArrowDown') setAt((a) => Math.min(hits.length - 1, a + 1));
            else if (e.key === 'ArrowUp') setAt((a) => Math.max(0, a - 1));
            else if (e.key === 'Enter') open(at);
            else return;
            e.preventDefault();
          }}
        />
        <ul role="listbox" aria-label="Tables">
          {hits.map((t, i) => (
            <li
              key={`${t.remote}/${t.db}/${t.table}`}
              role="option"
              aria-selected={i === at}
              className={i === at ? 'ow-active' : ''}
              onMouseDown={() => open(i)}
            >
              <span>{t.table}</span>
              <span className="ow-muted">
                {t.remote} · {t.db} · {formatCount(t.rows)} rows
              </span>
            </li>
          ))}
          {hits.length === 0 && <li className="ow-muted">No table matches</li>}
        </ul>
      </div>
    </div>
  );
}
