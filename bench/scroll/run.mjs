#!/usr/bin/env node
// Wheel-speed scrolling, the web app next to a bare page: the demo's Logical_Switch_Port table (10,000 ports)
// and a vanilla-JS virtual list of 10,000 rows (floor.html), both scrolled by 6,000 px/s for 8 s in Debian's
// headless Chromium, the same way as the browser benchmark (scrollTop set on every animation frame). A quick
// check while working on the grid; the full measurement is `node bench/run.mjs browser`.
//   node scripts/build.mjs && node bench/scroll/run.mjs [--rounds N]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const rounds = process.argv.includes('--rounds') ? Number(process.argv[process.argv.indexOf('--rounds') + 1]) : 2;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

/** Scrolls the element matching `selector` and returns the frame timestamps. Runs in the page. */
function scrollFrames([selector, pxPerSecond, seconds]) {
  return new Promise((resolve) => {
    const g = document.querySelector(selector);
    const ts = [];
    let t0;
    const from = g.scrollTop;
    const tick = (t) => {
      ts.push(t);
      t0 ??= t;
      const elapsed = (t - t0) / 1000;
      if (elapsed >= seconds) return resolve(ts);
      g.scrollTop = Math.round(from + pxPerSecond * (elapsed + 1 / 60));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

function summary(name, ts) {
  const d = ts
    .slice(1)
    .map((t, i) => t - ts[i])
    .sort((a, b) => a - b);
  const over = (100 * d.filter((x) => x > 33.4).length) / d.length;
  const q = (p) => d[Math.min(d.length - 1, Math.floor(d.length * p))].toFixed(1);
  console.log(`${name}: ${d.length} frames, ${over.toFixed(1)}% over 33 ms, p50 ${q(0.5)} ms, p95 ${q(0.95)} ms`);
}

const floor = createServer((_req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end(readFileSync(new URL('floor.html', import.meta.url)));
}).listen(0, '127.0.0.1');
await new Promise((resolve) => floor.once('listening', resolve));
const port = 18_000 + Math.floor(Math.random() * 1_000);
const demo = spawn(
  process.execPath,
  [
    `${ROOT}apps/gateway/dist/bin.js`,
    'demo',
    '--listen',
    `127.0.0.1:${port}`,
    '--nodes',
    '50',
    '--pods-per-node',
    '200',
    '--churn',
    '0',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
try {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo did not start within 60 s')), 60_000);
    demo.stdout.on('data', (d) => {
      if (String(d).includes('monitoring database')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (let round = 1; round <= rounds; round++) {
    for (const target of ['floor', 'app']) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      if (target === 'floor') {
        await page.goto(`http://127.0.0.1:${floor.address().port}/?mode=virtual`);
      } else {
        await page.goto(`http://127.0.0.1:${port}/remotes/demo/dbs/OVN_Northbound/tables/Logical_Switch_Port`);
        await page.waitForFunction(
          () => /^\d[\d,]* rows/.test(document.querySelector('.ow-count')?.textContent ?? ''),
          null,
          {
            timeout: 60_000,
          },
        );
      }
      await page.waitForTimeout(1_000);
      const selector = target === 'floor' ? '#g' : '.ow-grid-scroll[role=grid]';
      summary(`round ${round} ${target}`, await page.evaluate(scrollFrames, [selector, 6_000, 8]));
      await context.close();
    }
  }
} finally {
  await browser.close();
  demo.kill();
  floor.close();
}
