import { useEffect, useState } from 'react';
import { parseDatabaseSchema, type DatabaseSchema } from '@ovsdb-web/client/core';
import { get } from '../api/rest.js';

export type SchemaState =
  { kind: 'loading' } | { kind: 'ok'; schema: DatabaseSchema } | { kind: 'error'; message: string };

const cache = new Map<string, Promise<DatabaseSchema>>();

/** A database's schema from the gateway, fetched once per page load. */
export function loadSchema(remote: string, db: string): Promise<DatabaseSchema> {
  const key = `${remote}\u0000${db}`;
  let p = cache.get(key);
  if (!p) {
    p = get(`/api/v1/remotes/${encodeURIComponent(remote)}/dbs/${encodeURIComponent(db)}/schema`).then((j) =>
      parseDatabaseSchema(j),
    );
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

export function useSchema(remote: string, db: string): SchemaState {
  const [state, setState] = useState<SchemaState>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    let retry: ReturnType<typeof setTimeout> | undefined;
    const attempt = (): void => {
      loadSchema(remote, db).then(
        (schema) => live && setState({ kind: 'ok', schema }),
        (err: unknown) => {
          if (!live) return;
          const status = (err as { status?: number }).status;
          // The remote may be down or still loading: keep trying, and say so.
          if (status === 503 || status === 0) {
            setState({ kind: 'loading' });
            retry = setTimeout(attempt, 1_500);
            return;
          }
          setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        },
      );
    };
    attempt();
    return () => {
      live = false;
      clearTimeout(retry);
    };
  }, [remote, db]);
  return state;
}
