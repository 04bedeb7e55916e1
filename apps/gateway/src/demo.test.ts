import { describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { parseDemoArgs } from './config.js';
import { startDemo } from './demo.js';

async function until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ovsdb-web demo', () => {
  it('serves sample OVN and Open_vSwitch data from the embedded server, with churn', async () => {
    const cfg = parseDemoArgs(['--nodes', '2', '--pods-per-node', '5', '--churn', '50', '--log-level', 'silent'], {});
    const lines: string[] = [];
    const demo = await startDemo(cfg, { stdout: (s) => void lines.push(s), stderr: (s) => void lines.push(s) });
    const { app, gateway } = await buildApp({ ...cfg, remotes: demo.remotes }, { logger: false });
    try {
      const remote = gateway.remotes.get('demo')!;
      await until('the Open_vSwitch feed', () => remote.findFeed('Open_vSwitch') !== undefined);
      await remote.ready();
      const rows = async (db: string, table: string) =>
        (await app.inject({ url: `/api/v1/remotes/demo/dbs/${db}/tables/${table}/rows?limit=0` })).json<{
          total: number;
        }>();
      expect((await rows('OVN_Northbound', 'Logical_Switch_Port')).total).toBeGreaterThanOrEqual(10);
      expect((await rows('OVN_Northbound', 'ACL')).total).toBeGreaterThan(0);
      expect((await rows('Open_vSwitch', 'Bridge')).total).toBeGreaterThan(0);
      const feed = remote.feed('OVN_Northbound');
      const before = feed.seq;
      await until('churn', () => feed.seq >= before + 3);
      expect(lines.join('')).toMatch(/loaded \d+ OVN_Northbound and \d+ Open_vSwitch operations/);
      const page = await app.inject({ url: '/' });
      expect(page.body).toMatch(/The web app is not built/);
    } finally {
      await app.close();
      await demo.stop();
    }
  });
});
