/** "Columns": which columns show, in which order, and which stay pinned at the left while scrolling. */
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function ColumnPicker({
  all,
  visible,
  pinned,
  onVisible,
  onPinned,
}: {
  all: readonly string[];
  visible: readonly string[];
  pinned: readonly string[];
  onVisible: (cols: string[]) => void;
  onPinned: (cols: string[]) => void;
}): ReactNode {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent): void => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [open]);
  const shown = new Set(visible);
  const toggle = (c: string): void => {
    if (shown.has(c)) {
      if (visible.length > 1) onVisible(visible.filter((x) => x !== c));
    } else onVisible(all.filter((x) => shown.has(x) || x === c));
  };
  return (
    <div className="ow-popover-anchor" ref={box}>
      <button
        type="button"
        className={`ow-button${open ? ' ow-active' : ''}`}
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen((o) => !o)}
      >
        Columns
        {visible.length < all.length && <span className="ow-badge">{`${visible.length}/${all.length}`}</span>}
      </button>
      {open && (
        <div className="ow-popover" role="group" aria-label="Columns">
          <div className="ow-popover-head">
            <button type="button" className="ow-link-button" onClick={() => onVisible([...all])}>
              Show all
            </button>
            <span className="ow-muted">pin keeps a column at the left</span>
          </div>
          <ul className="ow-column-list">
            {all.map((c) => (
              <li key={c}>
                <label>
                  <input type="checkbox" checked={shown.has(c)} onChange={() => toggle(c)} /> {c}
                </label>
                <button
                  type="button"
                  className={`ow-pin${pinned.includes(c) ? ' ow-pinned-on' : ''}`}
                  aria-pressed={pinned.includes(c)}
                  aria-label={`Pin ${c}`}
                  onClick={() => onPinned(pinned.includes(c) ? pinned.filter((p) => p !== c) : [...pinned, c])}
                >
                  📌
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
