/**
 * Database files as remotes (`--remote NAME=file:PATH[,file:PATH…]`, or `ovsdb-web open PATH…`): the
 * embedded server reads ovsdb-server's own files (standalone or clustered, as a must-gather holds them),
 * read-only, and serves them on a unix socket in a temp dir, so the gateway and the web app show them like
 * any remote. The files are never written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type CliIo } from '@ovsdb-web/client';
import type { RemoteConfig } from './config.js';

export function isFileRemote(remote: string): boolean {
  return remote.startsWith('file:');
}

/** The paths of a `file:` remote (`file:a.db,file:b.db`). */
export function filePaths(remote: string): string[] {
  const paths = remote.split(',').map((p) => p.trim());
  for (const p of paths)
    if (!p.startsWith('file:') || p.length === 5)
      throw new UsageError(`remote ${JSON.stringify(remote)}: expected file:PATH[,file:PATH…]`);
  return paths.map((p) => p.slice(5));
}

export interface FileRemotes {
  /** The remotes with every file: remote replaced by the unix socket that serves it. */
  remotes: RemoteConfig[];
  stop(): Promise<void>;
}

export async function startFileRemotes(remotes: readonly RemoteConfig[], io: CliIo): Promise<FileRemotes> {
  if (!remotes.some((r) => isFileRemote(r.remote))) return { remotes: [...remotes], stop: async () => undefined };
  // Loaded only when a file is served, so that `serve` against live servers never loads the embedded server.
  const { openDatabaseFiles } = await import('@ovsdb-web/server');
  const dir = await mkdtemp(join(tmpdir(), 'ovsdb-web-files-'));
  const stops: (() => Promise<void>)[] = [async () => rm(dir, { recursive: true, force: true })];
  const out: RemoteConfig[] = [];
  try {
    for (const r of remotes) {
      if (!isFileRemote(r.remote)) {
        out.push(r);
        continue;
      }
      const opened = await openDatabaseFiles(filePaths(r.remote));
      stops.unshift(async () => opened.server.close());
      for (const f of opened.files)
        io.stdout(`ovsdb-web: ${r.name}: ${f.path} is ${f.database} (${f.format}, ${f.rows} rows), read-only\n`);
      for (const w of opened.warnings) io.stderr(`ovsdb-web: ${r.name}: warning: ${w}\n`);
      const { unix } = await opened.server.listen({ unix: join(dir, `${r.name}.sock`) });
      out.push({ name: r.name, remote: `unix:${unix}` });
    }
  } catch (err) {
    for (const s of stops) await s();
    throw err;
  }
  return {
    remotes: out,
    stop: async () => {
      for (const s of stops) await s();
    },
  };
}
