/** The `ovsdb-embedded` command line: arguments, and a server that clients can reach. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OvsdbClient, UsageError } from '@ovsdb-web/client';
import { parseCli, runCli } from './cli.js';

describe('ovsdb-embedded', () => {
  it('parses schemas, remotes, a db file and read-only mode', () => {
    expect(
      parseCli([
        '--schema',
        'a.ovsschema',
        '--schema=b.ovsschema',
        '--remote',
        'punix:/tmp/x.sock',
        '--remote=ptcp:6641',
        '--remote',
        'ptcp:0:0.0.0.0',
        '--db-file',
        'db.log',
        '--read-only',
      ]),
    ).toEqual({
      schemas: ['a.ovsschema', 'b.ovsschema'],
      files: [],
      remotes: [
        { kind: 'unix', path: '/tmp/x.sock' },
        { kind: 'tcp', port: 6641, host: '127.0.0.1' },
        { kind: 'tcp', port: 0, host: '0.0.0.0' },
      ],
      dbFile: 'db.log',
      readOnly: true,
    });
    expect(() => parseCli(['--remote', 'punix:/x'])).toThrow(UsageError);
    expect(() => parseCli(['--schema', 's', '--remote', 'tcp:1.2.3.4:5'])).toThrow(/unsupported remote/);
  });

  it('serves the given schema on the given remote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovsdb-cli-'));
    const sock = join(dir, 'nb.sock');
    const lines: string[] = [];
    const server = await runCli(['--schema', '/usr/share/ovn/ovn-nb.ovsschema', '--remote', `punix:${sock}`], (l) =>
      lines.push(l),
    );
    try {
      expect(lines).toEqual(['serving database OVN_Northbound', `listening on unix:${sock}`]);
      const client = await OvsdbClient.connect(`unix:${sock}`);
      expect(await client.listDbs()).toEqual(['OVN_Northbound', '_Server']);
      await client.close();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
