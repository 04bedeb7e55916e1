// Chromium driven over its DevTools pipe with only the calls made here, for the timed page loads of the
// browser benchmark. Playwright attaches to every page and dedicated worker and turns on their Network
// domain, so each WebSocket frame (a 100,000-row snapshot is 66 MB of them) is copied to the DevTools client:
// measured on 2 cores, ~1.5 s of CPU in the benchmark's own process and ~1 s in the browser process per load,
// time no user's browser spends. Here a page gets the Page domain, an init script and `Runtime.evaluate`.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateIn, pollInPage } from './browser-cdp.mjs';

/**
 * Starts Chromium with `argv` (program first) but its own profile directory and DevTools pipe (fds 3 and 4,
 * NUL-separated JSON, as `--remote-debugging-pipe` expects).
 */
export async function launchRawChromium(argv) {
  if (!argv.includes('--remote-debugging-pipe'))
    throw new Error('launchRawChromium: argv needs --remote-debugging-pipe');
  const profile = await mkdtemp(join(tmpdir(), 'ovsdb-web-bench-chromium-'));
  const args = argv
    .slice(1)
    .filter((a) => !a.startsWith('--user-data-dir='))
    .concat(`--user-data-dir=${profile}`);
  const child = spawn(argv[0], args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const toBrowser = child.stdio[3];
  const fromBrowser = child.stdio[4];
  const pending = new Map();
  const listeners = new Set();
  let nextId = 1;
  let buffered = '';
  let gone;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const fail = (err) => {
    gone ??= err;
    for (const p of pending.values()) p.reject(gone);
    pending.clear();
  };
  child.once('exit', (code, signal) => fail(new Error(`Chromium exited (${code ?? signal})`)));
  child.once('error', fail);
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (text) => {
    buffered += text;
    for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
      const msg = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      const waiter = msg.id === undefined ? undefined : pending.get(msg.id);
      if (waiter) {
        pending.delete(msg.id);
        if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
        else waiter.resolve(msg.result);
      } else for (const l of listeners) l(msg);
    }
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      if (gone) return reject(gone);
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const { product } = await send('Browser.getVersion');

  return {
    version: product.replace(/^[^/]*\//, ''),
    /**
     * A page in a fresh browser context (empty cache) of `viewport` size, with `initScript` (source text) run
     * in every document before its own scripts. `crashed` turns true if its renderer dies.
     */
    async newPage({ viewport, initScript }) {
      const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
      const { targetId } = await send('Target.createTarget', {
        url: 'about:blank',
        browserContextId,
        width: viewport.width,
        height: viewport.height,
      });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const state = { crashed: false };
      const onEvent = (msg) => {
        if (msg.sessionId === sessionId && msg.method === 'Inspector.targetCrashed') state.crashed = true;
      };
      listeners.add(onEvent);
      const call = (method, params) => send(method, params, sessionId);
      await call('Page.enable');
      await call('Inspector.enable');
      await call('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false });
      if (initScript) await call('Page.addScriptToEvaluateOnNewDocument', { source: initScript });
      return {
        state,
        evaluate: (expression) => evaluateIn(call, expression),
        async goto(url) {
          const { errorText } = await call('Page.navigate', { url });
          if (errorText) throw new Error(`navigation to ${url} failed: ${errorText}`);
        },
        /** Polls `expression` until it is true (as the Playwright side's `waitInPage` does). */
        waitFor: (expression, opts) =>
          pollInPage(call, expression, { ...opts, broken: () => (state.crashed ? 'the page crashed' : undefined) }),
        async close() {
          listeners.delete(onEvent);
          await send('Target.disposeBrowserContext', { browserContextId }).catch(() => undefined);
        },
      };
    },
    async close() {
      await send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
