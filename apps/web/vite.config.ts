import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is served by the gateway (same origin), so the dev server proxies the API and the stream to one.
const gateway = process.env.OVSDB_WEB_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // Workspace packages are read from their TypeScript sources.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target: gateway, ws: true, changeOrigin: false },
    },
  },
});
