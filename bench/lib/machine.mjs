// What a result table needs to be read against: the machine and the versions of the peers.
import os from 'node:os';
import { run, OVSDB_SERVER } from './imports.mjs';

export async function machineInfo() {
  const firstLine = async (cmd, args) => {
    try {
      return (await run(cmd, args)).split('\n')[0].trim();
    } catch (err) {
      return `unavailable (${err.message.split('\n')[0]})`;
    }
  };
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    ovsdbServer: await firstLine(OVSDB_SERVER, ['--version']),
    ovnNbctl: await firstLine('ovn-nbctl', ['--version']),
    os: `${os.type()} ${os.release()}`,
  };
}

export function machineTable(m) {
  return [
    '| machine | |',
    '|---|---|',
    `| CPU | ${m.cpu} × ${m.nproc} (nproc) |`,
    `| memory | ${m.memory} |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| ovsdb-server | ${m.ovsdbServer} |`,
    `| ovn-nbctl | ${m.ovnNbctl} |`,
  ].join('\n');
}
