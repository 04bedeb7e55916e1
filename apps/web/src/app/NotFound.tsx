/** The page for a deep link to a remote, database, table or row that does not exist (or no longer does). */
import type { ReactNode } from 'react';
import { Link } from './Link.js';

export function NotFound({ what }: { what: string }): ReactNode {
  return (
    <div className="ow-notfound" role="alert">
      <h1>Not found</h1>
      <p>{what}</p>
      <p>
        <Link href="/">Back to the dashboard</Link>
      </p>
    </div>
  );
}
