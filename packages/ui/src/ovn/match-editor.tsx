/**
 * An OVN match, edited: the text with its tokens coloured (fields, operators, addresses, `$sets`, `@groups`),
 * the first error underlined where it is and said below in OVN's own words, and completion of fields,
 * predicates, address sets and port groups at the cursor (Ctrl+Space, or as a name is typed).
 */
import { useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import {
  completeMatch,
  lexMatch,
  parseMatch,
  type CompletionItem,
  type MatchContext,
  type MatchDiagnostic,
} from '@ovsdb-web/ovn';

export interface MatchEditorProps {
  id: string;
  value: string;
  onChange: (text: string) => void;
  /** Address sets and port groups by name, for completion and checks (optional). */
  context?: MatchContext | undefined;
  /** An error found elsewhere (the gateway's rules), shown when the text itself parses. */
  external?: { message: string; offset?: number | undefined } | undefined;
}

/** The parse of a match for a form: the first error (OVN stops at one) and the warnings. */
export function checkMatch(
  text: string,
  context?: MatchContext,
): { error: MatchDiagnostic | undefined; warnings: readonly MatchDiagnostic[] } {
  const r = parseMatch(text, context);
  return { error: r.errors[0], warnings: r.warnings };
}

export function MatchEditor({ id, value, onChange, context, external }: MatchEditorProps): ReactNode {
  const area = useRef<HTMLTextAreaElement>(null);
  const [completion, setCompletion] = useState<
    { from: number; to: number; items: readonly CompletionItem[]; at: number } | undefined
  >(undefined);
  const tokens = useMemo(() => lexMatch(value), [value]);
  const { error, warnings } = useMemo(() => checkMatch(value, context), [value, context]);
  const mark =
    error ??
    (external?.offset !== undefined
      ? { column: external.offset, end: undefined, message: external.message }
      : undefined);

  // The mirror: every character of the text, coloured by token, the error span underlined.
  const pieces: ReactNode[] = [];
  let pos = 0;
  const errStart = mark?.column ?? -1;
  const errEnd = mark ? Math.max(errStart + 1, mark.end ?? errStart + 1) : -1;
  const push = (text: string, cls: string, at: number): void => {
    if (text === '') return;
    // Split at the error range so the underline covers exactly it.
    const cuts = [0, Math.max(0, errStart - at), Math.max(0, errEnd - at), text.length].filter(
      (c, i, a) => c <= text.length && (i === 0 || c > (a[i - 1] ?? 0)),
    );
    for (let i = 0; i + 1 < cuts.length; i++) {
      const a = cuts[i] as number;
      const b = cuts[i + 1] as number;
      const inErr = at + a >= errStart && at + b <= errEnd;
      pieces.push(
        <span key={`${at + a}`} className={`${cls}${inErr ? ' ow-tok-error' : ''}`}>
          {text.slice(a, b)}
        </span>,
      );
    }
  };
  for (const t of tokens) {
    push(value.slice(pos, t.start), '', pos);
    push(value.slice(t.start, t.end), `ow-tok-${t.kind}`, t.start);
    pos = t.end;
  }
  push(value.slice(pos), '', pos);
  if (mark && errStart >= value.length)
    pieces.push(
      <span key="eol" className="ow-tok-error">
        {' '}
      </span>,
    );

  const complete = (): void => {
    const el = area.current;
    if (!el) return;
    const c = completeMatch(value, el.selectionStart, context);
    setCompletion(c.items.length > 0 ? { ...c, items: c.items.slice(0, 40), at: 0 } : undefined);
  };
  const accept = (item: CompletionItem | undefined): void => {
    if (!item || !completion) return;
    const next = value.slice(0, completion.from) + item.label + value.slice(completion.to);
    onChange(next);
    setCompletion(undefined);
    const caret = completion.from + item.label.length;
    requestAnimationFrame(() => area.current?.setSelectionRange(caret, caret));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      complete();
      return;
    }
    if (!completion) return;
    if (e.key === 'ArrowDown')
      setCompletion({ ...completion, at: Math.min(completion.items.length - 1, completion.at + 1) });
    else if (e.key === 'ArrowUp') setCompletion({ ...completion, at: Math.max(0, completion.at - 1) });
    else if (e.key === 'Enter' || e.key === 'Tab') accept(completion.items[completion.at]);
    else if (e.key === 'Escape') setCompletion(undefined);
    else return;
    e.preventDefault();
  };

  const message = error ? `${error.message}${error.detail ? ` ${error.detail}` : ''}` : external?.message;
  return (
    <div className="ow-match-editor">
      <div className="ow-match-field">
        <div className="ow-match-mirror" aria-hidden="true">
          {pieces}
          {'\n'}
        </div>
        <textarea
          ref={area}
          id={id}
          className="ow-input ow-match-input"
          value={value}
          rows={3}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `${id}-error` : undefined}
          onChange={(e) => {
            onChange(e.target.value);
            // Offer names as they are typed after $ or @; everything else on Ctrl+Space.
            const before = e.target.value.slice(0, e.target.selectionStart);
            if (/[$@][A-Za-z0-9_]*$/.test(before) || completion) {
              const c = completeMatch(e.target.value, e.target.selectionStart, context);
              setCompletion(c.items.length > 0 ? { ...c, items: c.items.slice(0, 40), at: 0 } : undefined);
            }
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setCompletion(undefined), 150)}
          onScroll={(e) => {
            const mirror = e.currentTarget.previousElementSibling;
            if (mirror) mirror.scrollTop = e.currentTarget.scrollTop;
          }}
        />
        {completion && (
          <ul className="ow-ref-options ow-match-completions" role="listbox" aria-label="Completions">
            {completion.items.map((it, i) => (
              <li
                key={it.label}
                role="option"
                aria-selected={i === completion.at}
                className={i === completion.at ? 'ow-active' : ''}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => accept(it)}
              >
                <span
                  className={`ow-tok-${it.kind === 'addressSet' ? 'addressSet' : it.kind === 'portGroup' ? 'portGroup' : 'field'}`}
                >
                  {it.label}
                </span>
                <span className="ow-muted ow-small">{it.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {message && (
        <div id={`${id}-error`} className="ow-form-error" role="alert">
          {mark && <span className="ow-muted">at column {mark.column + 1}: </span>}
          {message}
        </div>
      )}
      {!message &&
        warnings.map((w, i) => (
          <div key={i} className="ow-form-warning">
            {w.message}
          </div>
        ))}
      <div className="ow-muted ow-small">
        Ctrl+Space completes fields and names; $ and @ complete address sets and port groups.
      </div>
    </div>
  );
}
