/**
 * The filter box: what it takes is in its placeholder and help; a mistake is underlined at the exact spot
 * (a mirror of the text behind the input) and explained below it. Changes apply after a short pause in
 * typing, or at once on Enter.
 */
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { FilterProblem } from '../store/filter.js';

const HELP =
  'Free text, ovn-nbctl find clauses (name=sw0, external_ids:k8s.ovn.org/pod=ns/pod, addresses{>=}"MAC IP", priority>=1000), or RFC 7047 conditions as JSON ([["priority",">",100]]). Everything given must hold.';

export function FilterBox({
  value,
  problem,
  onChange,
  inputRef,
}: {
  value: string;
  problem: FilterProblem | undefined;
  onChange: (text: string) => void;
  inputRef: RefObject<HTMLInputElement | null>;
}): ReactNode {
  const [text, setText] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => setText(value), [value]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const commit = (t: string): void => {
    clearTimeout(timer.current);
    if (t !== value) onChange(t);
  };
  const shown = problem && text === value ? problem : undefined;
  return (
    <div className={`ow-filter${shown ? ' ow-filter-bad' : ''}`}>
      <div className="ow-filter-field">
        <div className="ow-filter-mirror" aria-hidden="true">
          {shown ? (
            <>
              {text.slice(0, shown.offset)}
              <span className="ow-filter-mark">{text.slice(shown.offset, shown.offset + shown.length) || ' '}</span>
              {text.slice(shown.offset + shown.length)}
            </>
          ) : (
            text
          )}
        </div>
        <input
          ref={inputRef}
          className="ow-input ow-filter-input"
          aria-label="Filter"
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? 'ow-filter-error' : undefined}
          placeholder="Filter — text, name=…, external_ids:key=…, [[col,op,value]]   ( / )"
          title={HELP}
          spellCheck={false}
          autoComplete="off"
          value={text}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => commit(t), 300);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit(text);
            if (e.key === 'Escape') {
              if (text !== '') {
                setText('');
                commit('');
              } else e.currentTarget.blur();
            }
          }}
        />
      </div>
      {shown && (
        <div id="ow-filter-error" className="ow-filter-error" role="alert">
          {shown.message} <span className="ow-muted">(at column {shown.offset + 1})</span>
        </div>
      )}
    </div>
  );
}
