import type { ReactNode } from 'react';
import { useStore } from '../hooks/use-store.js';
import { engine } from './engine.js';

const TEXT = {
  connecting: 'connecting',
  loading: 'loading',
  live: 'live',
  reconnecting: 'reconnecting',
  resyncing: 'resyncing',
  'auth-failed': 'token refused',
  closed: 'closed',
} as const;

/** The dot's colour: fine, on its way, or a problem. */
const TONE = {
  connecting: 'warn',
  loading: 'warn',
  live: 'ok',
  reconnecting: 'bad',
  resyncing: 'warn',
  'auth-failed': 'bad',
  closed: 'bad',
} as const;

/** The stream's state in one word, with the reason on hover: live / loading / reconnecting / resyncing / … */
export function ConnectionBadge(): ReactNode {
  const c = useStore(engine.connection);
  const tone = TONE[c.state];
  return (
    <span
      className={`ow-conn ow-conn-${tone}`}
      role="status"
      aria-live="polite"
      title={c.detail ?? `The live stream is ${TEXT[c.state]}`}
    >
      <span className={`ow-dot ow-dot-${tone}`} aria-hidden="true" />
      {TEXT[c.state]}
    </span>
  );
}
