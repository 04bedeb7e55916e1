/**
 * `ovsdb-web demo`: the embedded OVSDB server with sample OVN Northbound (a Kubernetes-like cluster)
 * and Open_vSwitch data, optional churn, served to the gateway over a unix socket in a temp dir.
 * Needs nothing but Node: the schemas ship with @ovsdb-web/server.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OvsdbClient, type CliIo } from '@ovsdb-web/client';
import { EmbeddedServer } from '@ovsdb-web/server';
import { k8sDataset, loadDataset, openVSwitchDataset, runChurn } from '@ovsdb-web/server/sample';
import type { DemoConfig, RemoteConfig } from './config.js';

export interface Demo {
  remotes: RemoteConfig[];
  stop(): Promise<void>;
}

function schemaPath(file: string): string {
  return fileURLToPath(import.meta.resolve(`@ovsdb-web/server/schemas/${file}`));
}

export async function startDemo(cfg: DemoConfig, io: CliIo): Promise<Demo> {
  const dir = await mkdtemp(join(tmpdir(), 'ovsdb-web-demo-'));
  const server = new EmbeddedServer(cfg.dbFile ? { storage: { path: cfg.dbFile } } : {});
  const nb = server.addDatabase(await readFile(schemaPath('ovn-nb.ovsschema'), 'utf8'));
  server.addDatabase(await readFile(schemaPath('vswitch.ovsschema'), 'utf8'));
  const { unix } = await server.listen({ unix: join(dir, 'db.sock') });
  const remote = `unix:${unix}`;
  const client = await OvsdbClient.connect(remote);
  const churnStop = new AbortController();
  let churning: Promise<unknown> | undefined;
  try {
    const existing = await client.transact(nb, [
      { op: 'select', table: 'Logical_Switch', where: [], columns: ['name'] },
    ]);
    if ((existing[0] as { rows: unknown[] }).rows.length === 0) {
      const started = Date.now();
      const nbData = k8sDataset({ nodes: cfg.nodes, podsPerNode: cfg.podsPerNode });
      const nbStats = await loadDataset(client, nbData);
      const ovsStats = await loadDataset(client, openVSwitchDataset());
      io.stdout(
        `ovsdb-web demo: loaded ${nbStats.operations} OVN_Northbound and ${ovsStats.operations} Open_vSwitch operations in ${Date.now() - started} ms\n`,
      );
    } else io.stdout(`ovsdb-web demo: using the data in ${cfg.dbFile}\n`);
    if (cfg.churnRate > 0) {
      io.stdout(`ovsdb-web demo: churning ${cfg.churnRate} changes/s (pods, ACLs, address sets)\n`);
      // A demo runs until stopped; a week stands in for "until stopped" and keeps the churn bounded.
      churning = runChurn(client, {
        ratePerSec: cfg.churnRate,
        durationMs: 7 * 24 * 3600 * 1000,
        signal: churnStop.signal,
        db: nb,
      }).catch(() => undefined);
    }
  } catch (err) {
    await client.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    remotes: [{ name: 'demo', remote }],
    async stop() {
      churnStop.abort();
      await churning;
      await client.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
