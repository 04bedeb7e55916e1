/**
 * The committed models: regenerated in memory from the installed schemas, they must equal the files. This
 * fails when Debian's OVS/OVN schemas change or someone edits a model by hand; either way, run
 * `OVSDB_CODEGEN_WRITE=1 pnpm vitest run packages/client/src/codegen/models.test.ts` (or see regenerate.ts)
 * and review the diff.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import ts from 'typescript';
import { OpenVSwitch, OvnNorthbound, OvnSouthbound, ServerDatabase } from '../models/index.js';
import type { Integer, Uuid } from '../models/index.js';
import { namedUuid } from '../data/value.js';
import { MODEL_SOURCES, modelPath, renderModel } from './regenerate.js';

const WRITE = process.env.OVSDB_CODEGEN_WRITE === '1';

function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i])
      return `line ${i + 1}:\n  on disk:     ${x[i] ?? '(end of file)'}\n  regenerated: ${y[i] ?? '(end of file)'}`;
  }
  return 'no difference';
}

describe('committed models are up to date', () => {
  for (const source of MODEL_SOURCES) {
    it.skipIf(!existsSync(source.schemaPath))(`models/${source.output} from ${source.schemaLabel}`, async () => {
      const expected = await renderModel(source);
      const path = modelPath(source);
      if (WRITE) await writeFile(path, expected);
      const onDisk = await readFile(path, 'utf8');
      expect(
        onDisk === expected,
        `models/${source.output} differs from what the generator makes of ${source.schemaLabel}, first at ${firstDifference(onDisk, expected)}\n` +
          'Regenerate: OVSDB_CODEGEN_WRITE=1 pnpm vitest run packages/client/src/codegen/models.test.ts',
      ).toBe(true);
    });
  }

  it('models/index.ts exports every model under its namespace', async () => {
    const index = await readFile(fileURLToPath(new URL('../models/index.ts', import.meta.url)), 'utf8');
    for (const source of MODEL_SOURCES) {
      expect(index).toContain(`export * as ${source.namespace} from './${source.output.replace(/\.ts$/, '.js')}';`);
    }
  });
});

describe('the models as code uses them', () => {
  it('carry the schema identity', () => {
    expect(OvnNorthbound.DATABASE).toBe('OVN_Northbound');
    expect(OvnSouthbound.DATABASE).toBe('OVN_Southbound');
    expect(OpenVSwitch.DATABASE).toBe('Open_vSwitch');
    expect(ServerDatabase.DATABASE).toBe('_Server');
    expect(ServerDatabase.SCHEMA_CKSUM).toBe('3009684573 744');
    expect(OvnNorthbound.TABLES.Logical_Switch_Port).toBe('Logical_Switch_Port');
    expect(OvnNorthbound.COLUMNS.Logical_Switch).toBe(OvnNorthbound.LogicalSwitchColumns);
    expect(OvnNorthbound.LogicalSwitchPortColumns).toContain('addresses');
  });

  it('type rows and inserts as data/value.ts represents values', () => {
    type Lsp = OvnNorthbound.LogicalSwitchPort;
    expectTypeOf<Lsp['_uuid']>().toEqualTypeOf<Uuid>();
    expectTypeOf<Lsp['addresses']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<Lsp['options']>().toEqualTypeOf<ReadonlyMap<string, string>>();
    expectTypeOf<Lsp['tag']>().toEqualTypeOf<readonly Integer[]>();
    expectTypeOf<OvnNorthbound.ACL['direction']>().toEqualTypeOf<'from-lport' | 'to-lport'>();
    expectTypeOf<OvnNorthbound.OVNNorthboundTables['Logical_Switch']>().toEqualTypeOf<OvnNorthbound.LogicalSwitch>();
    expectTypeOf<OpenVSwitch.OpenVSwitchTables['Open_vSwitch']>().toEqualTypeOf<OpenVSwitch.OpenVSwitch>();
    expectTypeOf<ServerDatabase.Database['model']>().toEqualTypeOf<'clustered' | 'relay' | 'standalone'>();

    const port: OvnNorthbound.LogicalSwitchPortInsert = {
      name: 'lsp1',
      addresses: '00:00:00:00:00:01 10.0.0.1',
      options: { 'requested-chassis': 'hv1' },
    };
    const ls: OvnNorthbound.LogicalSwitchInsert = { name: 'ls1', ports: [namedUuid('lsp1')] };
    // @ts-expect-error direction is an enum
    const acl: OvnNorthbound.ACLInsert = { direction: 'sideways' };
    expect([port, ls, acl]).toHaveLength(3);
  });
});

describe('codegen/ and models/ type-check', () => {
  it('with the package tsconfig, without errors', () => {
    const dir = fileURLToPath(new URL('..', import.meta.url));
    const configPath = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
    const parsed = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (!parsed) throw new Error(`cannot read ${configPath}`);
    const ours = (f: string) => f.startsWith(`${dir}codegen/`) || f.startsWith(`${dir}models/`);
    // Only our folders are roots; what they import gets checked too, but errors there belong to others.
    const program = ts.createProgram(parsed.fileNames.filter(ours), parsed.options);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && ours(d.file.fileName))
      .map((d) => {
        const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${d.file!.fileName.slice(dir.length)}:${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(errors).toEqual([]);
  });
});
