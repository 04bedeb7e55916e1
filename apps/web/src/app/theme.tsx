/** Light or dark: the system's choice until the user picks one, remembered in localStorage. */
import { useEffect, useState, type ReactNode } from 'react';

const KEY = 'ovsdb-web.theme';
type Theme = 'light' | 'dark';

function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function chosen(): Theme | undefined {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : undefined;
  } catch {
    return undefined;
  }
}

export function ThemeToggle(): ReactNode {
  const [theme, setTheme] = useState<Theme>(() => chosen() ?? systemTheme());
  useEffect(() => {
    if (chosen()) return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const on = (): void => setTheme(systemTheme());
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="ow-icon-button"
      aria-label={`Switch to ${next} mode`}
      title={`Switch to ${next} mode`}
      onClick={() => {
        document.documentElement.dataset.theme = next;
        try {
          localStorage.setItem(KEY, next);
        } catch {
          // the choice then lasts as long as the page
        }
        setTheme(next);
      }}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}
