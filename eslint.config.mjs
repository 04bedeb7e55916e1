// @ts-check
// One ESLint configuration for the whole workspace (`pnpm lint` runs it through scripts/lint.mjs).
// Formatting is Prettier's job (.prettierrc.json): none of the rule sets below holds a formatting rule.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TESTS = ['**/*.test.ts', '**/*.test.tsx', '**/test-support.ts', '**/e2e/**'];
const CLIENT = 'packages/client/src';

/**
 * The layering of packages/client (STYLE.md): each folder names the folders of the client it may import
 * besides itself. `core.ts` may reach only the browser-safe folders, and those folders only reach each other,
 * so the Node ban below on those folders holds for everything `core.ts` reaches.
 */
const CLIENT_LAYERS = {
  wire: [],
  events: [],
  schema: ['wire'],
  data: ['wire', 'schema'],
  txn: ['wire', 'schema', 'data'],
  cache: ['wire', 'schema', 'data'],
  'ovs-text': ['wire', 'schema', 'data'],
  models: ['wire', 'schema', 'data'],
  'core.ts': ['wire', 'schema', 'data', 'txn', 'cache', 'ovs-text', 'models'],
};

/** Code that must run in a browser: no Node built-in, and nothing of ours that needs one. */
const BROWSER_SAFE = [
  `${CLIENT}/core.ts`,
  ...['wire', 'schema', 'data', 'txn', 'cache', 'ovs-text', 'events', 'models'].map((d) => `${CLIENT}/${d}/**`),
  'packages/protocol/src/**',
  'packages/ovn/src/**',
  'packages/ui/src/**',
  'apps/web/src/**',
];

/** Node-only entry points of our packages, which browser-safe code must not import. */
const NODE_ONLY_PACKAGES = [
  {
    name: '@ovsdb-web/client',
    message: 'Browser code imports the browser-safe entry `@ovsdb-web/client/core`.',
  },
  ...['@ovsdb-web/server', '@ovsdb-web/gateway', '@ovsdb-web/testing'].map((name) => ({
    name,
    message: 'A Node-only package: browser code may not import it.',
  })),
];

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '**/.test-results/',
    '**/coverage/',
    '**/*.tsbuildinfo',
    // Vite's output and caches of the web app, once it exists.
    'apps/web/build/',
    '**/.vite/',
  ]),

  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    name: 'ovsdb-web/typed',
    // A disable comment that no longer disables anything is an error: it would hide the next problem there.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        // Each file is checked with the tsconfig.json of its package (which includes its tests). The few TS
        // files no package owns (root vitest config, the benchmark helpers' tests) get the base options.
        projectService: {
          allowDefaultProject: ['vitest.config.ts', 'bench/lib/*.test.ts'],
          defaultProject: 'tsconfig.base.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: {
      // Lets import-x parse TypeScript files (no-cycle follows imports through them).
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [
        // Workspace packages resolve to their sources, as in tsc and vitest.
        createTypeScriptImportResolver({
          alwaysTryTypes: true,
          conditionNames: ['source', 'types', 'import', 'node'],
          project: ['packages/*/tsconfig.json', 'apps/*/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',

      // Numbers and bigints (int64 values) print exactly in messages and in hand-built JSON, and so do
      // booleans; `undefined`, objects and unions with them stay errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Callbacks are written as arrow shorthands (`(err) => this.fail(err)`, `() => resolve()`); bracing
      // each one adds lines, not clarity. `return voidCall()` in a block is still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // As TypeScript's noUnusedLocals/noUnusedParameters: `_`-prefixed names and the siblings of a rest
      // element (`const { dropped: _, ...rest } = o`) are unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // strictTypeChecked bans `x!` (no-non-null-assertion) while stylisticTypeChecked rewrites `x as T` into
      // `x!`: the two fight. We keep the ban (tests aside), so `a[i] as T` after a bounds check stays allowed.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
    },
  },

  // Plain JavaScript (scripts, benchmarks, this file) has no types to check against.
  {
    name: 'ovsdb-web/javascript',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },

  // Browser benchmarks: Node scripts whose `page.evaluate` callbacks run in the page, and page workers.
  {
    name: 'ovsdb-web/bench-browser',
    files: ['bench/lib/browser*.{js,mjs}', 'bench/scroll/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    name: 'ovsdb-web/bench-browser-worker',
    files: ['bench/lib/*worker*.js'],
    languageOptions: { globals: { ...globals.worker } },
  },

  // apps/web's end-to-end tests run in Node and are typed by their own tsconfig.
  {
    name: 'ovsdb-web/web-e2e',
    files: ['apps/web/src/e2e/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: 'apps/web/tsconfig.e2e.json' },
    },
  },

  {
    name: 'ovsdb-web/client-layers',
    files: [`${CLIENT}/**/*.ts`],
    ignores: TESTS,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            ...Object.entries(CLIENT_LAYERS).map(([layer, allowed]) => ({
              target: `${CLIENT}/${layer}`,
              from: CLIENT,
              except: [layer, ...allowed].map((d) => `./${d}`),
              message: allowed.length
                ? `${layer} may import only ${allowed.join(', ')}.`
                : `${layer} imports nothing else of ours.`,
            })),
            {
              target: `${CLIENT}/cache`,
              from: `${CLIENT}/txn`,
              message: 'cache and txn are independent.',
            },
            {
              target: `${CLIENT}/txn`,
              from: `${CLIENT}/cache`,
              message: 'cache and txn are independent.',
            },
            {
              target: [`${CLIENT}/jsonrpc`, `${CLIENT}/transport`],
              from: ['monitor', 'client', 'cluster', 'codegen'].map((d) => `${CLIENT}/${d}`),
              message: 'jsonrpc and transport sit below monitors, clusters and the client.',
            },
            {
              target: [`${CLIENT}/monitor`, `${CLIENT}/cluster`],
              from: ['client', 'codegen'].map((d) => `${CLIENT}/${d}`),
              message: 'monitor and cluster sit below the client.',
            },
            // The client depends on no other package of ours (its tests may use @ovsdb-web/testing).
            { target: CLIENT, from: 'packages', except: ['./client'] },
            { target: CLIENT, from: 'apps' },
          ],
        },
      ],
    },
  },

  {
    name: 'ovsdb-web/browser-safe',
    files: BROWSER_SAFE,
    ignores: TESTS,
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_ONLY_PACKAGES,
          patterns: [
            {
              group: ['@ovsdb-web/client/*', '!@ovsdb-web/client/core'],
              message: 'Browser code imports the browser-safe entry `@ovsdb-web/client/core`.',
            },
          ],
        },
      ],
    },
  },

  // React code (packages/ui, apps/web): the two classic hook rules (the React Compiler rules of the plugin's
  // recommended set are left out until the app opts into the compiler).
  {
    name: 'ovsdb-web/react',
    files: ['packages/ui/src/**/*.{ts,tsx}', 'apps/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },

  // The generated models (packages/client/src/codegen/generate.ts writes them) declare rows as type aliases on
  // purpose: only an alias is assignable to an index-signature type such as `Readonly<Record<string, unknown>>`.
  {
    name: 'ovsdb-web/generated-models',
    files: [`${CLIENT}/models/**/*.ts`],
    rules: { '@typescript-eslint/consistent-type-definitions': 'off' },
  },

  // Fastify takes a plugin, hook or handler either with a `done` callback or as an async function; an async
  // function without `await` is how a synchronous one says so (dropping `async` would hang the plugin).
  {
    name: 'ovsdb-web/fastify',
    files: ['apps/gateway/src/**/*.ts'],
    ignores: TESTS,
    rules: { '@typescript-eslint/require-await': 'off' },
  },

  // The benchmark helpers are plain JavaScript; their tests import them untyped (`@ts-expect-error`) and
  // describe the shape they use in a local interface.
  {
    name: 'ovsdb-web/bench-tests',
    files: ['bench/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },

  {
    name: 'ovsdb-web/tests',
    files: TESTS,
    rules: {
      // A test reads fixtures it built itself; a wrong `!` throws and fails the test, which is the point.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests print values they know to be strings (a datum, a reply field) into compact expectations such
      // as `insert:sw0`; were one an object, the expectation would fail and show it.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // vitest's asymmetric matchers (`expect.any(String)`, `expect.stringMatching(…)`) are typed `any` and
      // sit inside expected objects.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Hooks assign shared fixtures (`let server: OvsdbServerProcess` set in beforeAll); cleanup must still
      // cope with a beforeAll that failed before assigning (`await server?.stop()`), which the types cannot show.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Expected states are plain records keyed by uuid (compared with toEqual); a delete is how one edits them.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
);
