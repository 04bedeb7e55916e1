/**
 * Database files as remotes: a file written by the real ovsdb-server, opened by the gateway through the
 * embedded server, shows the same rows as `ovsdb-client dump` of ovsdb-server on that file; writes are
 * refused and the file is left as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseSchema, parseJson } from '@ovsdb-web/client';
import type { ErrorBody } from '@ovsdb-web/protocol';
import { ovnNbctl, ovsdbDump, startOvsdbServer, OVN_NB_SCHEMA } from '@ovsdb-web/testing';
import { buildApp } from './app.js';
import { parseOpenArgs, parseServeArgs } from './config.js';
import { startFileRemotes } from './files.js';
import { canonical, canonicalDump } from './test-support.js';

const NB = 'OVN_Northbound';
let dir: string;
let file: string;
let expected: Record<string, Record<string, string>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gateway-files-'));
  const server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  try {
    await ovnNbctl(
      server.unixRemote!,
      'ls-add',
      'sw0',
      '--',
      'lsp-add',
      'sw0',
      'p1',
      '--',
      'lsp-set-addresses',
      'p1',
      '0a:00:00:00:00:01 10.0.0.1',
      '--',
      'pg-add',
      'pg1',
      'p1',
    );
    await ovnNbctl(server.unixRemote!, 'acl-add', 'pg1', 'to-lport', '1000', 'outport == @pg1 && ip4', 'allow-related');
    const schema = parseDatabaseSchema(parseJson(await readFile(OVN_NB_SCHEMA, 'utf8')));
    expected = canonicalDump(schema, await ovsdbDump(server.unixRemote!, NB, { parse: (t) => parseJson(t) }));
    file = join(dir, 'ovnnb_db.db');
    // ovsdb-server has written every commit to its log by now; the copy is what a must-gather would hold.
    await copyFile(server.dbPath(NB), file);
  } finally {
    await server.stop();
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('file: remotes', () => {
  it('parse as remotes, alone or several, and `open` makes one read-only remote of its files', () => {
    expect(parseServeArgs(['--remote', `mg=file:${file}`], {}).remotes).toEqual([
      { name: 'mg', remote: `file:${file}` },
    ]);
    const open = parseOpenArgs(['a.db', 'b.db', '--listen', '127.0.0.1:9000'], {});
    expect(open.remotes).toEqual([{ name: 'files', remote: 'file:a.db,file:b.db' }]);
    expect(open.readOnly).toBe(true);
    expect(open.listen).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(() => parseServeArgs(['--remote', 'mg=file:'], {})).toThrow(/expected file:PATH/);
  });

  it('serve the rows ovsdb-server has in the file, refuse writes, and leave the file untouched', async () => {
    const digest = async () =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    const before = await digest();
    const lines: string[] = [];
    const files = await startFileRemotes([{ name: 'mg', remote: `file:${file}` }], {
      stdout: (s) => void lines.push(s),
      stderr: (s) => void lines.push(s),
    });
    expect(lines.join('')).toMatch(/mg: .*ovnnb_db\.db is OVN_Northbound \(standalone, \d+ rows\), read-only/);
    const cfg = parseServeArgs(['--remote', 'x=unix:/unused', '--log-level', 'silent'], {});
    const { app } = await buildApp({ ...cfg, remotes: files.remotes }, { logger: false });
    try {
      const deadline = Date.now() + 10_000;
      while ((await app.inject({ url: `/api/v1/remotes/mg/dbs/${NB}/stats` })).statusCode !== 200) {
        if (Date.now() > deadline) throw new Error('the file remote never became ready');
        await new Promise((r) => setTimeout(r, 50));
      }
      const schema = parseDatabaseSchema(
        parseJson((await app.inject({ url: `/api/v1/remotes/mg/dbs/${NB}/schema` })).body),
      );
      for (const table of Object.keys(expected)) {
        const res = parseJson(
          (await app.inject({ url: `/api/v1/remotes/mg/dbs/${NB}/tables/${table}/rows?limit=100000` })).body,
        ) as { rows: Record<string, unknown>[] };
        const got: Record<string, string> = {};
        for (const r of res.rows) got[(r._uuid as [string, string])[1]] = canonical(schema, table, r);
        expect(got, table).toEqual(expected[table]);
      }
      const write = await app.inject({
        method: 'POST',
        url: `/api/v1/remotes/mg/dbs/${NB}/transact`,
        payload: { operations: [{ op: 'insert', table: 'Logical_Switch', row: { name: 'nope' } }] },
      });
      expect(write.statusCode).toBe(409);
      expect(write.json<ErrorBody>().error.message).toMatch(/not allowed when database server is in read only mode/);
    } finally {
      await app.close();
      await files.stop();
    }
    expect(await digest()).toBe(before);
  });
});
