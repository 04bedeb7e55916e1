/**
 * OVN for end-to-end tests: a Northbound and a Southbound ovsdb-server and ovn-northd between them, all in a
 * temp dir and stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ovnNbctl, startOvsdbServer, OVN_NB_SCHEMA, OVN_SB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';

export interface OvnStack {
  nb: OvsdbServerProcess;
  sb: OvsdbServerProcess;
  stop(): Promise<void>;
}

export async function startOvn(): Promise<OvnStack> {
  const nb = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  const sb = await startOvsdbServer({ schemas: [OVN_SB_SCHEMA], unix: true });
  const dir = await mkdtemp(join(tmpdir(), 'ovn-northd-'));
  let northd: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (northd?.pid !== undefined && northd.exitCode === null) {
      const exited = new Promise((r) => northd?.once('exit', r));
      northd.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (northd.exitCode === null) northd.kill('SIGKILL');
    }
    await nb.stop();
    await sb.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    northd = spawn(
      'ovn-northd',
      [
        `--ovnnb-db=${nb.unixRemote!}`,
        `--ovnsb-db=${sb.unixRemote!}`,
        '--no-chdir',
        `--log-file=${join(dir, 'ovn-northd.log')}`,
        `--pidfile=${join(dir, 'ovn-northd.pid')}`,
        `--unixctl=${join(dir, 'ovn-northd.ctl')}`,
      ],
      { stdio: 'ignore' },
    );
    // ovn-northd answers once it has processed the NB database: a --wait=sb sync proves it is running.
    await ovnNbctl(nb.unixRemote!, '--timeout=20', '--wait=sb', 'sync');
  } catch (err) {
    await stop();
    throw err;
  }
  return { nb, sb, stop };
}
