/**
 * Editing in Chromium against the gateway and a real ovsdb-server: forms, the plan with its cascade, guards
 * that refuse a stale commit, revert, validation as you type, roles, and the audit trail of it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseJson } from '@ovsdb-web/client';
import { ovnNbctl, ovsdbDump, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { NB, TOKENS, launch, openPage, requireBuiltApp, startGateway, startNb, type GatewayApp } from './harness.js';

let server: OvsdbServerProcess;
let browser: Browser;
let gw: { app: GatewayApp; url: string };
let dir: string;
const nbctl = (...args: string[]) => ovnNbctl(server.unixRemote!, ...args);

type Dump = Record<string, Record<string, Record<string, unknown>>>;
async function dump(): Promise<Dump> {
  return await ovsdbDump(server.unixRemote!, NB, { parse: (t) => parseJson(t) });
}
/** A dump without `_version` (ovsdb-server gives a row a new one on every change, revert included). */
function content(d: Dump): string {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [t, rows] of Object.entries(d)) {
    out[t] = {};
    for (const [u, r] of Object.entries(rows)) {
      const { _version: _v, ...rest } = r;
      out[t][u] = rest;
    }
  }
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}
const names = (d: Dump, table: string): string[] =>
  Object.values(d[table] ?? {})
    .map((r) => String(r.name))
    .sort();

async function signIn(page: Page, role: keyof typeof TOKENS, path: string): Promise<void> {
  await page.goto(`${gw.url}${path}`);
  await page.getByLabel('Token').fill(TOKENS[role]);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function openRow(page: Page, table: string, name: string): Promise<void> {
  const uuid = (await nbctl('--bare', '--columns=_uuid', 'find', table, `name=${name}`)).trim();
  await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/${table}/rows/${uuid}`);
  await page.getByRole('complementary', { name: new RegExp(`${table} row ${name}`) }).waitFor();
}

beforeAll(async () => {
  requireBuiltApp();
  server = await startNb();
  dir = await mkdtemp(join(tmpdir(), 'web-edit-'));
  await nbctl(
    'ls-add',
    'sw0',
    '--',
    'lsp-add',
    'sw0',
    'p1',
    '--',
    'lsp-add',
    'sw0',
    'p2',
    '--',
    'lsp-set-addresses',
    'p2',
    '0a:00:00:00:00:02 10.0.0.2',
    '--',
    'pg-add',
    'pg1',
    'p2',
  );
  gw = await startGateway({ remote: server.unixRemote!, auth: true, auditLog: join(dir, 'audit.jsonl') });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await gw?.app.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('editing', () => {
  it('creates a switch through the form; it is in ovsdb-client dump', async () => {
    const { page, errors, context } = await openPage(browser);
    await signIn(page, 'editor', `/remotes/nb/dbs/${NB}/tables/Logical_Switch`);
    await page.getByRole('button', { name: 'New row' }).click();
    await page.getByLabel('name', { exact: true }).fill('sw-from-form');
    const ids = page.getByRole('group', { name: 'external_ids' });
    await ids.getByRole('button', { name: '+ add key' }).click();
    await ids.getByLabel('key 1').fill('owner');
    await ids.getByLabel('value of owner').fill('e2e');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Changes' }).innerText()).toMatch(/insert\s+sw-from-form/);
    expect(await page.getByRole('region', { name: 'Transaction' }).innerText()).toContain(
      '"op":"insert","table":"Logical_Switch"',
    );
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').filter({ hasText: 'Committed' }).waitFor();
    const d = await dump();
    const row = Object.values(d.Logical_Switch ?? {}).find((r) => r.name === 'sw-from-form');
    expect(row?.external_ids).toEqual(['map', [['owner', 'e2e']]]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses a bad value as it is typed and never sends it', async () => {
    const { page, errors, context } = await openPage(browser);
    await signIn(page, 'editor', `/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port`);
    await openRow(page, 'Logical_Switch_Port', 'p1');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('tag_request', { exact: true }).fill('5000');
    await expect
      .poll(() => page.locator('.ow-form-error').first().innerText())
      .toMatch(/5000 is not in the valid range 0 to 4095/);
    expect(await page.getByRole('button', { name: 'Commit' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Dry run' }).isDisabled()).toBe(true);
    const audit = await gw.app.inject({ url: '/api/v1/audit', headers: { authorization: `Bearer ${TOKENS.admin}` } });
    expect(JSON.stringify(audit.json())).not.toContain('5000');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an edit turns stale when ovn-nbctl changes the row; a forced commit is refused by its guard', async () => {
    const { page, errors, context } = await openPage(browser);
    await signIn(page, 'editor', `/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port`);
    await openRow(page, 'Logical_Switch_Port', 'p1');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('tag_request', { exact: true }).fill('7');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Guards' }).innerText())
      .toMatch(/wait\s+Logical_Switch_Port\s+p1\s+still has the tag_request value/);
    await nbctl('set', 'Logical_Switch_Port', 'p1', 'tag_request=9');
    await expect
      .poll(() => page.locator('.ow-banner-stale').innerText())
      .toMatch(/Stale: the row changed since this edit read it \(tag_request\)/);
    const before = await dump();
    await page.getByRole('button', { name: 'Commit' }).click();
    await expect
      .poll(() => page.locator('.ow-banner-stale', { hasText: 'Conflict' }).innerText())
      .toMatch(/changed after this edit read it \(tag_request\); nothing was applied/);
    expect(content(await dump())).toBe(content(before));
    // The form is still there, with my value; rebase keeps it and the commit goes through.
    expect(await page.getByLabel('tag_request', { exact: true }).inputValue()).toBe('7');
    await page.getByRole('button', { name: 'Rebase' }).click();
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').filter({ hasText: 'Committed' }).waitFor();
    expect((await nbctl('get', 'Logical_Switch_Port', 'p1', 'tag_request')).trim()).toBe('7');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('deleting a port shows it removed from its switch and port group, and revert restores everything', async () => {
    const { page, errors, context } = await openPage(browser);
    await signIn(page, 'editor', `/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port`);
    await openRow(page, 'Logical_Switch_Port', 'p2');
    const before = await dump();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    const changes = page.getByRole('region', { name: 'Changes' });
    await expect
      .poll(() => changes.innerText())
      .toMatch(/delete\s+p2\s+by ovsdb-server: nothing references it any more/);
    expect(await changes.innerText()).toMatch(/update\s+sw0/);
    expect(await changes.innerText()).toMatch(
      /update\s+pg1\s+by ovsdb-server: weak reference to a deleted row removed/,
    );
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').filter({ hasText: 'Committed' }).waitFor();
    expect(names(await dump(), 'Logical_Switch_Port')).not.toContain('p2');
    await page.getByRole('button', { name: 'Revert' }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Changes' }).innerText()).toMatch(/insert\s+p2/);
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').filter({ hasText: 'Committed' }).waitFor();
    expect(content(await dump())).toBe(content(before));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('applies one change to every row of the filtered view, as one guarded transaction', async () => {
    const { page, errors, context } = await openPage(browser);
    await signIn(
      page,
      'editor',
      `/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port?where=${encodeURIComponent('name{>=}p')}`,
    );
    await page.getByRole('textbox', { name: 'Filter' }).fill('p');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.ow-count').innerText()).toMatch(/^2 rows/);
    await page.getByRole('button', { name: 'Bulk edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bulk edit' });
    await dialog.getByLabel('Change').selectOption('set-key');
    await dialog.getByLabel('Column').selectOption('external_ids');
    await dialog.getByLabel('Key').fill('team');
    await dialog.getByLabel('Value').fill('blue');
    await dialog.getByRole('button', { name: 'Prepare the plan' }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Changes' }).locator('.ow-plan-effect').count()).toBe(2);
    expect((await page.getByRole('region', { name: 'Guards' }).innerText()).match(/wait/g)).toHaveLength(2);
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').filter({ hasText: 'Committed' }).waitFor();
    const ports = Object.values((await dump()).Logical_Switch_Port ?? {});
    expect(
      ports
        .filter((r) => JSON.stringify(r.external_ids).includes('"team","blue"'))
        .map((r) => r.name)
        .sort(),
    ).toEqual(['p1', 'p2']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('warns before editing a row a CMS manages, and needs the row name typed to commit', async () => {
    await nbctl(
      'ls-add',
      'neutron-net',
      '--',
      'set',
      'Logical_Switch',
      'neutron-net',
      'external_ids:"neutron:network_name"=prod',
    );
    const { page, errors, context } = await openPage(browser);
    await signIn(page, 'editor', `/remotes/nb/dbs/${NB}/tables/Logical_Switch`);
    await openRow(page, 'Logical_Switch', 'neutron-net');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await expect
      .poll(() => page.locator('.ow-banner-warn').innerText())
      .toMatch(/Managed by OpenStack Neutron \(external_ids:neutron:network_name\)/);
    const ids = page.getByRole('group', { name: 'external_ids' });
    await ids.getByRole('button', { name: '+ add key' }).click();
    await ids.getByLabel('key 2').fill('note');
    await ids.getByLabel('value of note').fill('checked');
    expect(await page.getByRole('button', { name: 'Commit' }).isDisabled()).toBe(true);
    await page.getByLabel('Confirm by typing the row name').fill('neutron-net');
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').filter({ hasText: 'Committed' }).waitFor();
    expect((await nbctl('get', 'Logical_Switch', 'neutron-net', 'external_ids:note')).trim()).toBe('checked');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a viewer sees no edit control, and an admin sees every attempt in the audit log', async () => {
    const viewer = await openPage(browser);
    await signIn(viewer.page, 'viewer', `/remotes/nb/dbs/${NB}/tables/Logical_Switch_Port`);
    await openRow(viewer.page, 'Logical_Switch_Port', 'p1');
    expect(await viewer.page.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'New row' }).count()).toBe(0);
    expect(await viewer.page.locator('.ow-panel-actions .ow-readonly').getAttribute('title')).toMatch(/can only read/);
    await viewer.context.close();

    const admin = await openPage(browser);
    await signIn(admin.page, 'admin', '/audit');
    const list = admin.page.getByRole('list', { name: 'Audit entries' });
    await expect.poll(() => list.getByRole('listitem').count()).toBeGreaterThanOrEqual(5);
    const text = await list.innerText();
    expect(text).toMatch(/committed[\s\S]*editor-user/);
    expect(text).toMatch(/guard failed/);
    expect(text).toMatch(/insert Logical_Switch/);
    expect(admin.errors).toEqual([]);
    await admin.context.close();
  });
});
