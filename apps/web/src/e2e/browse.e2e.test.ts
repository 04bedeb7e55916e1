/**
 * The web app in Chromium against the gateway and a real ovsdb-server: what an operator sees must follow
 * what ovn-nbctl does, survive reloads, restarts of the gateway and of ovsdb-server, and respect roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { ovnNbctl, type OvsdbServerProcess } from '@ovsdb-web/testing';
import {
  NB,
  TOKENS,
  gridNames,
  launch,
  openPage,
  requireBuiltApp,
  startGateway,
  startNb,
  type GatewayApp,
} from './harness.js';

let server: OvsdbServerProcess;
let browser: Browser;
const nbctl = (...args: string[]) => ovnNbctl(server.unixRemote!, ...args);

async function waitNames(
  page: Page,
  table: string,
  want: (names: string[]) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = await gridNames(page, table);
    if (want(names)) return names;
    await page.waitForTimeout(100);
  }
  throw new Error(`timed out waiting for ${what}; the grid shows ${JSON.stringify(names)}`);
}

beforeAll(async () => {
  requireBuiltApp();
  server = await startNb();
  await nbctl('ls-add', 'sw0', '--', 'ls-add', 'sw1', '--', 'pg-add', 'pg-web');
  for (let i = 0; i < 5; i++)
    await nbctl(
      'lsp-add',
      'sw0',
      `web-${i}`,
      '--',
      'lsp-set-addresses',
      `web-${i}`,
      `0a:00:00:00:00:0${i} 10.0.0.${i + 10}`,
    );
  await nbctl('pg-set-ports', 'pg-web', 'web-1', 'web-2');
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('live browsing', () => {
  let gw: { app: GatewayApp; url: string };
  beforeAll(async () => (gw = await startGateway({ remote: server.unixRemote! })));
  afterAll(async () => gw.app.close());

  it('shows inserts, changes and deletes made with ovn-nbctl as they happen, with flashes', async () => {
    const { page, errors, context } = await openPage(browser);
    // The columns in view: the grid renders only those (and one beyond each edge).
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port?columns=name,addresses,external_ids`);
    await waitNames(page, 'Logical_Switch_Port', (n) => n.length === 5, 'the five ports');
    // The sidebar lists every table of the database by name.
    const sideNames = page.getByRole('navigation', { name: 'Tables' }).locator('.ow-side-table-name');
    await sideNames.nth(20).waitFor();
    const side = await sideNames.allTextContents();
    expect(side).toEqual([...side].sort((a, b) => a.localeCompare(b, 'en')));
    await nbctl('lsp-add', 'sw1', 'web-10');
    await page.locator('.ow-inserted', { hasText: 'web-10' }).waitFor({ timeout: 5_000 });
    await waitNames(
      page,
      'Logical_Switch_Port',
      (n) => n.join() === 'web-0,web-1,web-10,web-2,web-3,web-4',
      'the inserted row in order',
    );
    await nbctl('set', 'Logical_Switch_Port', 'web-3', 'external_ids:owner=ops');
    await page.locator('.ow-flash[data-column="external_ids"]').waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-column="external_ids"]', { hasText: 'owner=ops' }).count()).toBe(1);
    await nbctl('lsp-del', 'web-10');
    await page.locator('.ow-deleted', { hasText: 'web-10' }).waitFor({ timeout: 5_000 });
    await page.locator('.ow-deleted', { hasText: 'web-10' }).waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.getByRole('status').filter({ hasText: 'live' }).count()).toBeGreaterThan(0);
    // Nothing the app did broke the gateway's Content-Security-Policy (a violation is a console error), and
    // the policy is in force: no string becomes code.
    expect(errors).toEqual([]);
    const probe = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'document.body.dataset.injected = "ran"';
      document.head.append(s);
      return document.body.dataset.injected ?? 'refused';
    });
    expect(probe).toBe('refused');
    await context.close();
  });

  it('opens a deep link to a row with its references both ways', async () => {
    const { page, errors, context } = await openPage(browser);
    const uuid = (await nbctl('--bare', '--columns=_uuid', 'find', 'Logical_Switch_Port', 'name=web-1')).trim();
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port/rows/${uuid}`);
    const panel = page.getByRole('complementary', { name: /Logical_Switch_Port row web-1/ });
    await panel.waitFor();
    await expect
      .poll(() => panel.locator('.ow-field:has(.ow-field-name:text-is("addresses"))').innerText())
      .toContain('10.0.0.11');
    await panel.getByRole('tab', { name: /References/ }).click();
    await expect
      .poll(() => panel.locator('.ow-ref-list').last().innerText())
      .toMatch(/ports\s*→\s*Logical_Switch\s*sw0/);
    expect(await panel.locator('.ow-ref-list').last().innerText()).toMatch(/ports\s*⇢\s*Port_Group\s*pg-web/);
    expect(await page.locator('.ow-tr.ow-open').innerText()).toContain('web-1');
    // Following a reference opens the referencing row.
    await panel.getByRole('link', { name: 'sw0' }).click();
    await page.getByRole('complementary', { name: /Logical_Switch row sw0/ }).waitFor();
    expect(page.url()).toContain('/tables/Logical_Switch/rows/');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps filter and sort in the URL across a reload, and marks a bad filter at its spot', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port`);
    await waitNames(page, 'Logical_Switch_Port', (n) => n.length === 5, 'the ports');
    await page.getByRole('textbox', { name: 'Filter' }).fill('addresses{>=}"0a:00:00:00:00:02 10.0.0.12"');
    await page.keyboard.press('Enter');
    await waitNames(page, 'Logical_Switch_Port', (n) => n.join() === 'web-2', 'the filtered port');
    await page.getByRole('textbox', { name: 'Filter' }).fill('');
    await page.keyboard.press('Enter');
    await page.getByRole('columnheader', { name: 'name', exact: true }).getByRole('button').click();
    await waitNames(
      page,
      'Logical_Switch_Port',
      (n) => n.join() === 'web-4,web-3,web-2,web-1,web-0',
      'descending names',
    );
    await page.getByRole('textbox', { name: 'Filter' }).fill('web tag_request>x');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/"x" is not an integer/);
    expect(await page.locator('.ow-filter-mark').innerText()).toBe('x');
    await page.getByRole('textbox', { name: 'Filter' }).fill('web-[34]');
    await page.getByRole('textbox', { name: 'Filter' }).fill('10.0.0.1');
    await page.keyboard.press('Enter');
    await waitNames(page, 'Logical_Switch_Port', (n) => n.length === 5, 'free text matching every port');
    await page.getByRole('textbox', { name: 'Filter' }).fill('10.0.0.13');
    await page.keyboard.press('Enter');
    await waitNames(page, 'Logical_Switch_Port', (n) => n.join() === 'web-3', 'one port by its IP');
    await page.reload();
    await waitNames(page, 'Logical_Switch_Port', (n) => n.join() === 'web-3', 'the same view after a reload');
    expect(await page.getByRole('textbox', { name: 'Filter' }).inputValue()).toBe('10.0.0.13');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('-name');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('copies the focused cell as ovn-nbctl prints it, moving between cells with the arrow keys', async () => {
    const { page, errors, context } = await openPage(browser, { clipboard: true });
    await page.goto(
      `${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port?sort=name&columns=name,type,options,addresses`,
    );
    await waitNames(page, 'Logical_Switch_Port', (n) => n.length === 5, 'the ports');
    const grid = page.getByRole('grid', { name: 'Logical_Switch_Port' });
    // A click focuses the cell (and opens the row); the keys then go to the grid.
    await grid.locator('[role=gridcell][data-column="name"]', { hasText: 'web-2' }).click();
    await grid.focus();
    await page.keyboard.press('ControlOrMeta+c');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('web-2');
    const colIndex = async (name: string): Promise<number> =>
      Number(await grid.getByRole('columnheader', { name, exact: true }).getAttribute('aria-colindex'));
    const from = await colIndex('name');
    const to = await colIndex('addresses');
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(0);
    for (let i = from; i !== to; i += Math.sign(to - from))
      await page.keyboard.press(to > from ? 'ArrowRight' : 'ArrowLeft');
    await page.keyboard.press('ControlOrMeta+c');
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe('["0a:00:00:00:00:02 10.0.0.12"]');
    await page.getByRole('status').filter({ hasText: 'Copied addresses of web-2' }).waitFor();
    // The whole value is the cell's title once the pointer is over it.
    const cell = grid.locator('[role=row]', { hasText: 'web-2' }).locator('[role=gridcell][data-column="addresses"]');
    await cell.hover();
    expect(await cell.getAttribute('title')).toBe('["0a:00:00:00:00:02 10.0.0.12"]');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps the pinned columns (_uuid, name) in view when the grid is scrolled sideways, and lets them scroll back', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port?sort=name`);
    await waitNames(page, 'Logical_Switch_Port', (n) => n.length === 5, 'the ports');
    const grid = page.getByRole('grid', { name: 'Logical_Switch_Port' });
    const left = async (column: string): Promise<number> =>
      (await grid.locator(`[role=gridcell][data-column="${column}"]`).first().boundingBox())!.x;
    const at = { _uuid: await left('_uuid'), name: await left('name'), type: await left('type') };
    await grid.evaluate((g) => (g.scrollLeft = 200));
    await expect.poll(() => left('type')).toBeCloseTo(at.type - 200, 0);
    // The pinned cells stay where they were; the header's too.
    expect(await left('_uuid')).toBeCloseTo(at._uuid, 0);
    expect(await left('name')).toBeCloseTo(at.name, 0);
    const header = await grid.getByRole('columnheader', { name: 'name', exact: true }).boundingBox();
    expect(header!.x).toBeCloseTo(at.name, 0);
    await grid.evaluate((g) => (g.scrollLeft = 0));
    await expect.poll(() => left('type')).toBeCloseTo(at.type, 0);
    expect(await left('name')).toBeCloseTo(at.name, 0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('jumps to the last row with End and back with Home, and fills in the rows there', async () => {
    // 400 address sets, made in one ovn-nbctl call: far more than a screen, so End jumps past every window.
    const args: string[] = [];
    for (let i = 0; i < 400; i++)
      args.push(...(i ? ['--'] : []), 'create', 'Address_Set', `name=as-${String(i).padStart(3, '0')}`);
    await nbctl(...args);
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Address_Set?sort=name`);
    await waitNames(page, 'Address_Set', (n) => n[0] === 'as-000', 'the first address sets');
    const grid = page.getByRole('grid', { name: 'Address_Set' });
    await grid.focus();
    await page.keyboard.press('End');
    await waitNames(page, 'Address_Set', (n) => n.at(-1) === 'as-399' && !n.includes('as-000'), 'the last rows');
    // Every row on screen is filled in, none left as a placeholder.
    await expect.poll(() => grid.locator('[role=row][aria-busy=true]').count()).toBe(0);
    await page.keyboard.press('Home');
    await waitNames(page, 'Address_Set', (n) => n[0] === 'as-000' && !n.includes('as-399'), 'the first rows again');
    expect(errors).toEqual([]);
    await context.close();
    await nbctl('--all', 'destroy', 'Address_Set');
  });

  it('exports exactly the rows the filter shows', async () => {
    const { page, errors, context } = await openPage(browser, { downloads: true });
    await page.goto(
      `${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port?where=${encodeURIComponent('addresses{>=}"0a:00:00:00:00:01 10.0.0.11"')}`,
    );
    await waitNames(page, 'Logical_Switch_Port', (n) => n.join() === 'web-1', 'the filtered view');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const text = await readFile(await csv.path(), 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('web-1');
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const rows = JSON.parse(await readFile(await json.path(), 'utf8')) as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual(['web-1']);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('resilience under an open page', () => {
  it('the gateway restarts: the page reconnects and resumes without a reload, with the change made meanwhile', async () => {
    let gw = await startGateway({ remote: server.unixRemote! });
    const port = Number(new URL(gw.url).port);
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch`);
      await waitNames(page, 'Logical_Switch', (n) => n.join() === 'sw0,sw1', 'the switches');
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await gw.app.close();
      await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor({ timeout: 10_000 });
      await nbctl('ls-add', 'sw-meanwhile');
      gw = await startGateway({ remote: server.unixRemote!, port });
      await waitNames(
        page,
        'Logical_Switch',
        (n) => n.join() === 'sw-meanwhile,sw0,sw1',
        'the switch added while the gateway was down',
        20_000,
      );
      await page.getByRole('status').filter({ hasText: 'live' }).waitFor({ timeout: 10_000 });
      // Same page, no reload.
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await gw.app.close();
    }
  });

  it('ovsdb-server restarts: the table shows the true state afterwards', async () => {
    const gw = await startGateway({ remote: server.unixRemote! });
    const { page, errors, context } = await openPage(browser);
    try {
      await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch`);
      await waitNames(page, 'Logical_Switch', (n) => n.includes('sw0'), 'the switches');
      await server.restart({
        whileDown: () => {
          execFileSync('ovsdb-tool', [
            'transact',
            server.dbPath(NB),
            JSON.stringify([
              NB,
              { op: 'insert', table: 'Logical_Switch', row: { name: 'born-offline' } },
              { op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'sw1']] },
            ]),
          ]);
        },
      });
      await waitNames(
        page,
        'Logical_Switch',
        (n) => n.includes('born-offline') && !n.includes('sw1'),
        'the state after the restart',
        20_000,
      );
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await gw.app.close();
    }
  });
});

describe('sign-in and roles', () => {
  let gw: { app: GatewayApp; url: string };
  beforeAll(async () => (gw = await startGateway({ remote: server.unixRemote!, auth: true })));
  afterAll(async () => gw.app.close());

  it('asks for a token, refuses a wrong one, and shows a viewer that it is read-only', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Logical_Switch`);
    await page.getByLabel('Token').fill('not-a-token-0000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/does not know this token/);
    await page.getByLabel('Token').fill(TOKENS.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitNames(page, 'Logical_Switch', (n) => n.includes('sw0'), 'the switches');
    expect(await page.getByRole('banner').locator('.ow-readonly').innerText()).toBe('read-only');
    // The table's toolbar says why there is no New row / Edit.
    expect(await page.locator('.ow-toolbar-note.ow-readonly').getAttribute('title')).toMatch(/viewer\) can only read/);
    expect(await page.locator('.ow-role').innerText()).toBe('viewer');
    expect(await page.getByRole('button', { name: 'New row' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
