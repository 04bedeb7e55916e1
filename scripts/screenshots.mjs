#!/usr/bin/env node
// Screenshots of every screen, light and dark, into docs/screenshots/: runs `ovsdb-web demo` (with a token
// file, so the sign-in page shows too) and drives Debian's Chromium. Needs `pnpm build` first.
//   node scripts/screenshots.mjs [--out docs/screenshots]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'docs/screenshots';
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'ovsdb-web-shots-'));
const token = 'screenshot-admin-token-0123456789';
writeFileSync(join(dir, 'auth.json'), JSON.stringify({ tokens: [{ name: 'alice', role: 'admin', token }] }));
const port = 18000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;
const demo = spawn(
  process.execPath,
  [
    'apps/gateway/dist/bin.js',
    'demo',
    '--listen',
    `127.0.0.1:${port}`,
    '--auth',
    join(dir, 'auth.json'),
    '--audit-log',
    join(dir, 'audit.jsonl'),
    '--churn',
    '8',
    '--log-level',
    'warn',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);

async function ready() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/api/v1/remotes/demo/dbs/OVN_Northbound/stats`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the demo did not start');
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  await ready();
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: scheme,
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    const shot = async (name) => {
      await page.waitForTimeout(700);
      await page.screenshot({ path: join(out, `${name}-${scheme}.png`) });
      console.log(`${out}/${name}-${scheme}.png`);
    };
    await page.goto(`${base}/`);
    await page.getByLabel('Token').waitFor();
    await shot('sign-in');
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Changes, last 5 min').first().waitFor();
    await page.waitForTimeout(1500);
    await shot('dashboard');

    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/tables/Logical_Switch_Port?sort=-name`);
    await page.getByRole('grid', { name: 'Logical_Switch_Port' }).waitFor();
    await page.waitForTimeout(1500);
    await shot('table');

    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/tables/Logical_Switch`);
    await page.locator('[data-column="name"]').nth(3).click();
    await page.getByRole('tab', { name: /References/ }).click();
    await shot('row-references');
    await page.getByRole('tab', { name: 'ACLs' }).click();
    await shot('row-acls');

    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/tables/ACL`);
    await page.getByRole('button', { name: 'New row' }).click();
    await page.getByLabel('direction', { exact: true }).selectOption('to-lport');
    await page.getByLabel('priority', { exact: true }).fill('1100');
    await page.getByLabel('action', { exact: true }).selectOption('allow-related');
    await page
      .getByLabel('match', { exact: true })
      .fill('outport == @clusterPortGroup && ip4.src == $nope && tcp.dst == 443');
    await shot('acl-editor');

    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/tables/Logical_Switch`);
    await page.locator('[data-column="name"]').nth(2).click();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const ids = page.getByRole('group', { name: 'external_ids' });
    await ids.getByRole('button', { name: '+ add key' }).click();
    await ids.getByLabel(/^key /).last().fill('owner');
    await ids.getByLabel('value of owner').fill('netops');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.locator('.ow-edit-panel .ow-panel-body').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await shot('edit-plan');

    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/tables/Logical_Switch_Port`);
    await page.locator('[data-column="name"]').nth(5).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    // The plan starts under the sticky actions: show it from there (the cascade is what this picture is for).
    await page.locator('.ow-edit-panel .ow-panel-body').evaluate((el) => {
      const actions = el.querySelector('.ow-plan-actions');
      if (actions) el.scrollTop = actions.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop;
    });
    await shot('delete-cascade');

    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/schema`);
    await page.getByText('version').first().waitFor();
    await shot('schema');
    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/changes`);
    await page.waitForTimeout(3500);
    await shot('changes');
    await page.goto(`${base}/remotes/demo/dbs/OVN_Northbound/problems`);
    await shot('problems');
    await page.goto(`${base}/audit`);
    await shot('audit');
    await context.close();
  }
} finally {
  await browser.close();
  demo.kill('SIGTERM');
  await new Promise((r) => demo.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
