/**
 * The guided OVN editing in Chromium, against real NB and SB ovsdb-servers with ovn-northd: an ACL made in
 * the form (on a port group, its match naming an address set) is what `ovn-nbctl acl-list` shows and becomes
 * logical flows; a bad match is refused at its column and never sent; the Problems view shows the lint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { aclOnPortGroupArgs, ovnNbctl } from '@ovsdb-web/testing';
import { NB, launch, openPage, requireBuiltApp, startGateway, type GatewayApp } from './harness.js';
import { startOvn, type OvnStack } from './ovn-stack.js';

let ovn: OvnStack;
let browser: Browser;
let gw: { app: GatewayApp; url: string };
let dir: string;
const nbctl = (...args: string[]) => ovnNbctl(ovn.nb.unixRemote!, ...args);

beforeAll(async () => {
  requireBuiltApp();
  ovn = await startOvn();
  dir = await mkdtemp(join(tmpdir(), 'web-ovn-'));
  await nbctl(
    'ls-add',
    'sw0',
    '--',
    'lsp-add',
    'sw0',
    'web1',
    '--',
    'lsp-add',
    'sw0',
    'web2',
    '--',
    'pg-add',
    'web',
    'web1',
    'web2',
  );
  await nbctl('create', 'Address_Set', 'name=clients', 'addresses="10.1.0.0/16"');
  gw = await startGateway({
    remote: ovn.nb.unixRemote!,
    more: [{ name: 'sb', remote: ovn.sb.unixRemote! }],
    auditLog: join(dir, 'audit.jsonl'),
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await gw?.app.close();
  await ovn?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('guided ACL editing', () => {
  it('an ACL made on a port group from the form is in acl-list and in the southbound logical flows', async () => {
    const { page, errors, context } = await openPage(browser);
    const pg = (await nbctl('--bare', '--columns=_uuid', 'find', 'Port_Group', 'name=web')).trim();
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/Port_Group/rows/${pg}`);
    const panel = page.getByRole('complementary', { name: /Port_Group row web/ });
    await panel.getByRole('tab', { name: 'ACLs' }).click();
    await panel.getByRole('button', { name: 'New ACL here' }).click();
    await page.getByRole('complementary', { name: 'New ACL' }).waitFor();
    await page.getByLabel('direction', { exact: true }).selectOption('to-lport');
    await page.getByLabel('priority', { exact: true }).fill('1002');
    await page.getByLabel('action', { exact: true }).selectOption('allow-related');
    const match = page.getByLabel('match', { exact: true });
    await match.fill('outport == @web && ip4.src == $cli');
    // Completion of address set names from the live database.
    await page
      .getByRole('listbox', { name: 'Completions' })
      .getByRole('option', { name: /\$clients/ })
      .click();
    await match.press('End');
    await match.pressSequentially(' && tcp.dst == 443');
    expect(await match.inputValue()).toBe('outport == @web && ip4.src == $clients && tcp.dst == 443');
    await page.getByLabel('wait for ovn-northd').check();
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').filter({ hasText: 'Committed' }).waitFor();
    const list = await nbctl('acl-list', 'web');
    expect(list).toMatch(/to-lport\s+1002 \(outport == @web && ip4.src == \$clients && tcp.dst == 443\) allow-related/);
    const follow = page.getByRole('region', { name: 'Follow through' });
    await expect
      .poll(() => follow.innerText(), { timeout: 20_000 })
      .toMatch(/ACL [0-9a-f]{8}: [1-9]\d* logical flows?/);
    expect(await follow.innerText()).toMatch(/ip4.src == \$clients/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses a bad match at its column and sends nothing', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/tables/ACL`);
    await page.getByRole('button', { name: 'New row' }).click();
    await page.getByLabel('direction', { exact: true }).selectOption('from-lport');
    await page.getByLabel('priority', { exact: true }).fill('1003');
    await page.getByLabel('action', { exact: true }).selectOption('drop');
    await page.getByLabel('match', { exact: true }).fill('inport == @web && tcp.dst == 8o');
    await expect
      .poll(() => page.locator('.ow-match-editor [role=alert]').innerText())
      .toBe('at column 30: Invalid numeric constant.');
    expect(await page.locator('.ow-tok-error').innerText()).toBe('8o');
    expect(await page.getByRole('button', { name: 'Commit' }).isDisabled()).toBe(true);
    await page.getByLabel('match', { exact: true }).fill('inport == @web && ip4.dst == $nosuchset');
    await expect
      .poll(() => page.locator('.ow-match-editor [role=alert]').innerText())
      .toMatch(/^at column 30: Syntax error at `\$nosuchset' expecting address set name/);
    expect(await page.getByRole('button', { name: 'Commit' }).isDisabled()).toBe(true);
    const audit = await readFile(join(dir, 'audit.jsonl'), 'utf8');
    expect(audit).not.toContain('8o');
    expect(audit).not.toContain('nosuchset');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the Problems view lists the lint of the live database', async () => {
    await nbctl(
      ...aclOnPortGroupArgs('web', [
        'name=typo',
        'direction=to-lport',
        'priority=900',
        'match="outport == @web && tpc.dst == 22"',
        'action=drop',
      ]),
    );
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${gw.url}/remotes/nb/dbs/${NB}/problems`);
    const list = page.getByRole('list', { name: 'Problems' });
    await expect
      .poll(() => list.innerText())
      .toMatch(/error\s+ACL typo\s+match\s+Syntax error at `tpc.dst' expecting field name\./);
    expect(errors).toEqual([]);
    await context.close();
  });
});
