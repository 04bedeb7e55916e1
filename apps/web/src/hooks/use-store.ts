import { useSyncExternalStore } from 'react';
import type { Store } from '../app/store.js';

/** A store's current value; the component re-renders when it is replaced. */
export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
