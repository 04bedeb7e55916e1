/** The gateway needs a token: ask for it once per tab. */
import { useState, type ReactNode } from 'react';

export function SignIn({
  reason,
  onToken,
}: {
  reason: string | undefined;
  onToken: (token: string) => void;
}): ReactNode {
  const [token, setToken] = useState('');
  return (
    <div className="ow-splash">
      <form
        className="ow-splash-card ow-signin"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <h1>
          <span className="ow-logo" aria-hidden="true" /> OVSDB Web
        </h1>
        <p>
          This gateway needs a token. Your administrator gives one per person; it decides what you may see and change.
        </p>
        {reason && (
          <p className="ow-error-text" role="alert">
            {reason}
          </p>
        )}
        <label className="ow-label" htmlFor="ow-token">
          Token
        </label>
        <input
          id="ow-token"
          className="ow-input"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" className="ow-button ow-primary" disabled={token.trim() === ''}>
          Sign in
        </button>
        <p className="ow-muted ow-small">The token is kept for this tab only (session storage).</p>
      </form>
    </div>
  );
}
