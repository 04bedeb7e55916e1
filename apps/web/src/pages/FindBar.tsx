/** Ctrl/Cmd+F on a table: finds text in every row of the view (not only those on screen). */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ViewHandle } from '../engine/client.js';
import { formatCount } from '../app/format.js';

export function FindBar({
  view,
  onResult,
  onClose,
}: {
  view: ViewHandle;
  onResult: (matches: number[], at: number) => void;
  onClose: () => void;
}): ReactNode {
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<number[]>([]);
  const [at, setAt] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      void view.find(text).then((m) => {
        if (!live) return;
        setMatches(m);
        setAt(0);
        onResult(m, 0);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // onResult is the page's; a new one each render must not restart the search.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, view]);
  const go = (d: number): void => {
    if (matches.length === 0) return;
    const n = (at + d + matches.length) % matches.length;
    setAt(n);
    onResult(matches, n);
  };
  return (
    <div className="ow-findbar" role="search">
      <input
        ref={input}
        className="ow-input"
        aria-label="Find"
        placeholder="Find in every row…"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') go(e.shiftKey ? -1 : 1);
          else if (e.key === 'Escape') onClose();
          else return;
          e.preventDefault();
        }}
      />
      <span className="ow-muted" aria-live="polite">
        {text === ''
          ? ''
          : matches.length === 0
            ? 'no match'
            : `${at + 1} of ${formatCount(matches.length)}${matches.length >= 10_000 ? '+' : ''}`}
      </span>
      <button type="button" className="ow-icon-button" aria-label="Previous match" onClick={() => go(-1)}>
        ↑
      </button>
      <button type="button" className="ow-icon-button" aria-label="Next match" onClick={() => go(1)}>
        ↓
      </button>
      <button type="button" className="ow-icon-button" aria-label="Close find" onClick={onClose}>
        ✕
      </button>
    </div>
  );
}
