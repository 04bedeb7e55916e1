/** The schema of a database (loaded on demand: most sessions never open it). */
import type { ReactNode } from 'react';
import { SchemaView } from '@ovsdb-web/ui';
import { useSchema } from '../hooks/use-schema.js';
import { NotFound } from '../app/NotFound.js';

export function SchemaPage({ remote, db }: { remote: string; db: string }): ReactNode {
  const schema = useSchema(remote, db);
  if (schema.kind === 'error') return <NotFound what={schema.message} />;
  if (schema.kind === 'loading') return <div className="ow-page-loading">Loading the schema…</div>;
  return <SchemaView schema={schema.schema} />;
}
