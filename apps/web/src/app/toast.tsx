/** Short confirmations ("Copied", "Exported 1,234 rows") in one corner, gone after a few seconds. */
import type { ReactNode } from 'react';
import { useStore } from '../hooks/use-store.js';
import { Store } from './store.js';

const toasts = new Store<{ id: number; text: string }[]>([]);
let next = 1;

export function toast(text: string): void {
  const id = next++;
  toasts.update((t) => [...t.slice(-2), { id, text }]);
  setTimeout(() => toasts.update((t) => t.filter((x) => x.id !== id)), 3_000);
}

export function Toasts(): ReactNode {
  const list = useStore(toasts);
  return (
    <div className="ow-toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className="ow-toast">
          {t.text}
        </div>
      ))}
    </div>
  );
}
