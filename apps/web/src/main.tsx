import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@ovsdb-web/ui/styles.css';
import './app/app.css';
import { App } from './app/App.js';
import { Toasts } from './app/toast.js';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
      <Toasts />
    </StrictMode>,
  );
}
