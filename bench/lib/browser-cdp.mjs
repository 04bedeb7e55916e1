// Chrome DevTools Protocol helpers of the browser benchmark: a session to the page's dedicated worker (the
// app's engine), JS heap of the page and of the worker, renderer process memory, and CPU profiles of either
// thread summarized against the built app's source maps.
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssMiB } from './proc.mjs';
import { summarize } from './profile.mjs';
import { decodeSourceMap, originalPosition } from './browser-util.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Source paths in the maps are relative to where the app was built, whichever copy is served.
const DIST_ORIGINAL = join(ROOT, 'apps/web/dist');

/** A CDP "session" over a page's CDPSession: `send(method, params)`. */
export async function pageSession(context, page) {
  const s = await context.newCDPSession(page);
  return { send: (method, params = {}) => s.send(method, params), detach: () => s.detach().catch(() => undefined) };
}

/** `expression`'s value in the page of a CDP session (`send(method, params)`); its exception, thrown. */
export async function evaluateIn(send, expression, what = expression) {
  const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, returnByValue: true });
  if (exceptionDetails) throw new Error(`${what}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
  return result.value;
}

/**
 * Asks the page of a CDP session for `expression` every `pollMs` until it is true; `broken()` names a reason to
 * stop waiting (a crashed page), or returns undefined.
 */
export async function pollInPage(send, expression, { timeoutMs, pollMs = 100, what = expression, broken }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = broken?.();
    if (why) throw new Error(`${why} waiting for ${what}`);
    if ((await evaluateIn(send, expression, what)) === true) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Waits until `expression` is true in the page, asking over CDP every `pollMs`. Not `page.waitForFunction`:
 * that first installs Playwright's injected script in the page (a 330 kB message evaluated on the page's
 * main thread, ~120 ms of it in a trace of a load), which lands in the middle of the load being measured.
 */
export async function waitInPage(context, page, expression, opts) {
  const s = await pageSession(context, page);
  try {
    await pollInPage(s.send, expression, opts);
  } finally {
    await s.detach();
  }
}

/**
 * A CDP session to the dedicated worker whose URL matches `urlPattern`, through the browser session
 * (`Target.attachToTarget` without flattening; Playwright's API has no sessions for workers).
 */
export async function workerSession(browser, urlPattern, timeoutMs = 10_000) {
  const cdp = await browser.newBrowserCDPSession();
  const deadline = Date.now() + timeoutMs;
  let target;
  while (!target) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    target = targetInfos.find((t) => t.type === 'worker' && urlPattern.test(t.url));
    if (target) break;
    if (Date.now() > deadline) {
      await cdp.detach();
      throw new Error(`no worker matching ${urlPattern}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  const pending = new Map();
  let nextId = 1;
  cdp.on('Target.receivedMessageFromTarget', (ev) => {
    if (ev.sessionId !== sessionId) return;
    const m = JSON.parse(ev.message);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${m.error.message} (${m.error.code})`));
    else p.resolve(m.result);
  });
  return {
    url: target.url,
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        cdp
          .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
          .catch(reject);
      }),
    detach: () => cdp.detach().catch(() => undefined),
  };
}

/** Used JS heap in MiB, as is and after a full GC. */
export async function heapOf(session) {
  const before = await session.send('Runtime.getHeapUsage');
  await session.send('HeapProfiler.collectGarbage');
  const after = await session.send('Runtime.getHeapUsage');
  return {
    usedMiB: before.usedSize / 2 ** 20,
    totalMiB: before.totalSize / 2 ** 20,
    afterGcMiB: after.usedSize / 2 ** 20,
  };
}

/** Resident memory of the browser's renderer processes (MiB, largest first). */
export async function rendererRss(browser) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    const out = [];
    for (const p of processInfo) {
      if (p.type !== 'renderer') continue;
      const rss = await rssMiB(p.id).catch(() => NaN);
      if (Number.isFinite(rss)) out.push(rss);
    }
    return out.sort((a, b) => b - a);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Starts the sampling profiler on `session`; the returned function stops it and returns the profile. */
export async function startProfile(session, intervalUs = 200) {
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.send('Profiler.start');
  return async () => {
    const { profile } = await session.send('Profiler.stop');
    return profile;
  };
}

/**
 * Rewrites a profile's call frames of the built app (`/assets/*.js`) to the original source positions and
 * names from the source maps in `dist`, so a summary names `apps/web/src/store/view.ts` functions rather than
 * minified ones. Returns the rewritten profile.
 */
export async function symbolicate(profile, dist, sourceRoot = DIST_ORIGINAL) {
  const maps = new Map();
  const mapFor = async (url) => {
    const m = /\/assets\/([^/?#]+\.js)/.exec(url);
    if (!m) return undefined;
    if (!maps.has(m[1])) {
      try {
        maps.set(m[1], decodeSourceMap(JSON.parse(await readFile(join(dist, 'assets', `${m[1]}.map`), 'utf8'))));
      } catch {
        maps.set(m[1], undefined);
      }
    }
    return maps.get(m[1]);
  };
  for (const node of profile.nodes) {
    const cf = node.callFrame;
    if (!cf.url) continue;
    const map = await mapFor(cf.url);
    if (!map) continue;
    const pos = originalPosition(map, cf.lineNumber, cf.columnNumber);
    if (!pos) continue;
    const source = relative(ROOT, resolve(sourceRoot, 'assets', pos.source)).replace(
      /^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//,
      'node_modules/',
    );
    node.callFrame = {
      ...cf,
      functionName: cf.functionName || pos.name || '',
      url: `file:///${source}`,
      lineNumber: pos.line - 1,
      columnNumber: pos.column - 1,
    };
  }
  return profile;
}

/** Writes the profile (for DevTools) and returns its summary (self time by function and by file). */
export async function keepProfile(profile, dist, file) {
  const p = await symbolicate(profile, dist);
  if (file) await writeFile(file, JSON.stringify(p));
  const s = summarize(p, 20);
  // Paths without the file:/// prefix read better in a table.
  for (const list of [s.functions, s.files]) for (const r of list) r.what = r.what.replace(/file:\/\/\//g, '');
  return s;
}
