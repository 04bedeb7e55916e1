/**
 * Regenerates the models committed under `src/models/` from the schemas they were made from.
 *
 * Run it after a change to the generator or when the installed OVS/OVN schemas change:
 *
 *   pnpm build && node packages/client/dist/codegen/regenerate.js
 *
 * or, without a build, `OVSDB_CODEGEN_WRITE=1 pnpm vitest run packages/client/src/codegen/models.test.ts`,
 * which runs the same code from the test that otherwise only checks the files are up to date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateModels } from './generate.js';
import { readSchemaFile } from './schema-file.js';

// Both src/codegen/ and dist/codegen/ sit two levels below the package root, so these resolve to the
// sources whether this runs from TypeScript (tests) or from the build.
const PACKAGE_SRC = new URL('../../src/', import.meta.url);

export interface ModelSource {
  /** Where the schema is read from. */
  readonly schemaPath: string;
  /** The schema path as the header shows it: absolute for system files, repository-relative for ours. */
  readonly schemaLabel: string;
  /** The output's file name under src/models/. */
  readonly output: string;
  /** The namespace models/index.ts exports it under. */
  readonly namespace: string;
}

const SERVER_SCHEMA = fileURLToPath(new URL('codegen/schemas/_Server.ovsschema', PACKAGE_SRC));

export const MODEL_SOURCES: readonly ModelSource[] = [
  {
    schemaPath: '/usr/share/ovn/ovn-nb.ovsschema',
    schemaLabel: '/usr/share/ovn/ovn-nb.ovsschema',
    output: 'ovn-nb.ts',
    namespace: 'OvnNorthbound',
  },
  {
    schemaPath: '/usr/share/ovn/ovn-sb.ovsschema',
    schemaLabel: '/usr/share/ovn/ovn-sb.ovsschema',
    output: 'ovn-sb.ts',
    namespace: 'OvnSouthbound',
  },
  {
    schemaPath: '/usr/share/openvswitch/vswitch.ovsschema',
    schemaLabel: '/usr/share/openvswitch/vswitch.ovsschema',
    output: 'open-vswitch.ts',
    namespace: 'OpenVSwitch',
  },
  // _Server is built into ovsdb-server and never installed as a file; this copy came from a live server
  // (ovsdb-server 3.1) with `ovsdb-client get-schema unix:SOCK _Server`.
  {
    schemaPath: SERVER_SCHEMA,
    schemaLabel: 'packages/client/src/codegen/schemas/_Server.ovsschema',
    output: 'server.ts',
    namespace: 'ServerDatabase',
  },
];

/** The module the in-repo models import their value aliases from (the package cannot import itself). */
export const IN_REPO_IMPORT = './types.js';

export function modelPath(source: ModelSource): string {
  return fileURLToPath(new URL(`models/${source.output}`, PACKAGE_SRC));
}

/** The model text for one source, exactly as it should be on disk. */
export async function renderModel(source: ModelSource): Promise<string> {
  const schema = await readSchemaFile(source.schemaPath);
  const header =
    `Command: ovsdb-codegen ${source.schemaLabel} --import-from ${IN_REPO_IMPORT} -o packages/client/src/models/${source.output}\n` +
    'All models: packages/client/src/codegen/regenerate.ts';
  return generateModels(schema, { header, importFrom: IN_REPO_IMPORT });
}

/** Rewrite every model whose text changed; returns the paths written. */
export async function regenerateAll(): Promise<string[]> {
  const written: string[] = [];
  for (const source of MODEL_SOURCES) {
    const path = modelPath(source);
    const text = await renderModel(source);
    const old = await readFile(path, 'utf8').catch(() => undefined);
    if (old === text) continue;
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  regenerateAll().then(
    (written) => {
      for (const p of written) process.stdout.write(`wrote ${p}\n`);
      if (written.length === 0) process.stdout.write('all models are up to date\n');
    },
    (err: unknown) => {
      process.stderr.write(`regenerate: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
