import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The app is served by the gateway (same origin), so the dev server proxies the API and the stream to one.
const gateway = process.env.OVSDB_WEB_GATEWAY ?? 'http://127.0.0.1:8080';

const BOOT = fileURLToPath(new URL('./src/boot.ts', import.meta.url));

/**
 * `src/boot.ts` (it starts the engine, the stream and the table in the URL) as a script of its own in the built
 * page, before the app's bundle: the browser runs it as soon as its few kB arrive instead of after the bundle
 * has downloaded and parsed. (Vite bundles every script of index.html into one entry; the app still imports
 * boot, which then is the same module and runs once.)
 */
function bootFirst(): Plugin {
  return {
    name: 'ovsdb-web-boot-first',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const boot = Object.values(ctx.bundle ?? {}).find(
          (c) => c.type === 'chunk' && c.isEntry && c.facadeModuleId === BOOT,
        );
        if (!boot) throw new Error('the boot entry is missing from the bundle');
        return [
          {
            tag: 'script',
            attrs: { type: 'module', crossorigin: true, src: `/${boot.fileName}` },
            injectTo: 'head-prepend',
          },
        ];
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), bootFirst()],
  // Workspace packages are read from their TypeScript sources.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    rolldownOptions: { input: { index: fileURLToPath(new URL('./index.html', import.meta.url)), boot: BOOT } },
  },
  server: {
    proxy: {
      '/api': { target: gateway, ws: true, changeOrigin: false },
    },
  },
});
