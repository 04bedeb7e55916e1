/**
 * `ovsdb-codegen` run in-process through `main(argv, io)`: exit statuses, messages, and the live-server
 * path against a real ovsdb-server (which also proves the committed _Server schema is the server's).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOvsdbServer, OVSDB_SERVER, VSWITCH_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { main } from './cli.js';
import type { CliIo } from '../cli/io.js';
import { MODEL_SOURCES, renderModel } from './regenerate.js';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const status = await main(argv, io);
  return { status, stdout, stderr };
}

/** The module without its header comment, which records the differing command lines. */
function body(text: string): string {
  return text.slice(text.indexOf('\n\n'));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovsdb-codegen-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const TINY = '{"name": "Tiny", "version": "1.0.0", "tables": {"T": {"columns": {"c": {"type": "string"}}}}}';

describe('arguments', () => {
  it('--help prints usage and succeeds', async () => {
    const r = await run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage:\n  ovsdb-codegen SCHEMA.ovsschema [-o OUT.ts]');
    expect(r.stdout).toContain('--remote REMOTE --db NAME');
    expect(r.stderr).toBe('');
  });

  it.each([
    [[], 'missing schema file (or --remote and --db)'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['a.ovsschema', 'b.ovsschema'], 'expected one schema file, got 2'],
    [['a.ovsschema', '--remote', 'unix:/x'], 'give either a schema file or --remote, not both'],
    [['--remote', 'unix:/x'], '--remote needs --db NAME'],
    [['a.ovsschema', '--db', 'X'], '--db only applies with --remote'],
    [['a.ovsschema', '--ca-cert', 'ca.pem'], 'only apply with --remote'],
  ])('%j is a usage error', async (argv, message) => {
    const r = await run(...argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Usage:');
    expect(r.stdout).toBe('');
  });
});

describe('schema files', () => {
  it('a missing file exits 2 and says so', async () => {
    const path = join(dir, 'nope.ovsschema');
    const r = await run(path);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`ovsdb-codegen: cannot read schema ${path}: no such file\n`);
    expect(r.stdout).toBe('');
  });

  it('a directory exits 2', async () => {
    const r = await run(dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`ovsdb-codegen: cannot read schema ${dir}: it is a directory\n`);
  });

  it('bad JSON exits 2 and points at the line', async () => {
    const path = join(dir, 'bad.ovsschema');
    await writeFile(path, '{\n  "name": "X",\n  "tables": {,}\n}\n');
    const r = await run(path);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^ovsdb-codegen: ${path} is not valid JSON: .* \\(line 3, column \\d+\\)\\n$`));
  });

  it('an invalid schema exits 2 with the parser details', async () => {
    const path = join(dir, 'invalid.ovsschema');
    await writeFile(path, '{"name": "X", "tables": {"T": {"columns": {"c": {"type": "text"}}}}}');
    const r = await run(path);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `ovsdb-codegen: ${path} is not a valid OVSDB schema: table T.columns.c.type: unknown atomic type "text"\n`,
    );
  });

  it('a dangling refTable is an invalid schema too', async () => {
    const path = join(dir, 'dangling.ovsschema');
    await writeFile(
      path,
      '{"name": "X", "tables": {"T": {"columns": {"r": {"type": {"key": {"type": "uuid", "refTable": "Nope"}}}}}}}',
    );
    const r = await run(path);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'is not a valid OVSDB schema: table T.columns.r: refTable "Nope" is not a table of this schema',
    );
  });

  it('writes the module to stdout by default, with the command in the header', async () => {
    const path = join(dir, 'tiny.ovsschema');
    await writeFile(path, TINY);
    const r = await run(path);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`// Command: ovsdb-codegen ${path}\n`);
    expect(r.stdout).toContain("import type { Uuid } from '@ovsdb-web/client';\n");
    expect(r.stdout).toContain('export type T = {');
  });

  it('-o writes the file, creating its directory; --import-from changes the import', async () => {
    const path = join(dir, 'tiny.ovsschema');
    await writeFile(path, TINY);
    const out = join(dir, 'out', 'nested', 'tiny.ts');
    const r = await run(path, '-o', out, '--import-from', '../types.js');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ovsdb-codegen: wrote ${out} (Tiny 1.0.0, 1 tables)\n`);
    const text = await readFile(out, 'utf8');
    expect(text).toContain("import type { Uuid } from '../types.js';\n");
    expect(text).toContain(`// Command: ovsdb-codegen ${path} -o ${out} --import-from ../types.js\n`);
  });

  it('quotes arguments with shell metacharacters in the recorded command', async () => {
    const path = join(dir, "it's here.ovsschema");
    await writeFile(path, TINY);
    const r = await run(path);
    expect(r.stdout).toContain(`// Command: ovsdb-codegen '${join(dir, "it'\\''s here.ovsschema")}'\n`);
  });

  it.skipIf(!existsSync(VSWITCH_SCHEMA))('generates from an installed schema with exact int64 bounds', async () => {
    const r = await run(VSWITCH_SCHEMA);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('// Generated by ovsdb-codegen from the Open_vSwitch schema');
  });
});

describe.skipIf(!existsSync(OVSDB_SERVER))('--remote against ovsdb-server', () => {
  let server: OvsdbServerProcess;
  beforeAll(async () => {
    server = await startOvsdbServer({ schemas: [VSWITCH_SCHEMA], unix: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads _Server from the live server, and it matches the committed schema', async () => {
    const remote = server.unixRemote ?? server.remote;
    const r = await run('--remote', remote, '--db', '_Server', '--import-from', './types.js');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`// Command: ovsdb-codegen --remote ${remote} --db _Server --import-from ./types.js\n`);
    const serverSource = MODEL_SOURCES.find((s) => s.output === 'server.ts');
    expect(serverSource).toBeDefined();
    expect(body(r.stdout)).toBe(body(await renderModel(serverSource!)));
  });

  it('an unknown database exits 2 and names it', async () => {
    const r = await run('--remote', server.unixRemote ?? server.remote, '--db', 'Nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ovsdb-codegen: cannot get schema Nope from .*: .*unknown database/);
  });

  it('an unreachable remote exits 2', async () => {
    const r = await run('--remote', `unix:${join(dir, 'no.sock')}`, '--db', '_Server');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ovsdb-codegen: cannot get schema _Server from unix:.*no\.sock: cannot connect/);
  });
});
