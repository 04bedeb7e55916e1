/**
 * End-to-end tests run the real thing: ovsdb-server from Debian in a temp dir, the gateway serving the built
 * web app (apps/web/dist, made by `pnpm build`), and Debian's Chromium driven by playwright-core. Nothing is
 * downloaded and nothing is mocked.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, TokenStore, type GatewayConfig } from '@ovsdb-web/gateway';
import { startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';

export const NB = 'OVN_Northbound';
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');

export const TOKENS = {
  viewer: 'viewer-token-0123456789',
  editor: 'editor-token-0123456789',
  admin: 'admin-token-01234567890',
} as const;

export type GatewayApp = Awaited<ReturnType<typeof buildApp>>['app'];

export function requireBuiltApp(): void {
  if (!existsSync(join(WEB_DIST, 'index.html')))
    throw new Error(`the web app is not built (${WEB_DIST}); run pnpm build first`);
}

export async function startNb(): Promise<OvsdbServerProcess> {
  return startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
}

export interface GatewayOptions {
  remote: string;
  /** More remotes (e.g. the Southbound database beside the Northbound one). */
  more?: { name: string; remote: string }[];
  port?: number;
  auth?: boolean;
  readOnly?: boolean;
  auditLog?: string;
}

export async function startGateway(opts: GatewayOptions): Promise<{ app: GatewayApp; url: string }> {
  const config: GatewayConfig = {
    remotes: [{ name: 'nb', remote: opts.remote }, ...(opts.more ?? [])],
    listen: { host: '127.0.0.1', port: opts.port ?? 0 },
    readOnly: opts.readOnly ?? false,
    tables: new Map(),
    columns: new Map(),
    allowOrigins: [],
    transactRate: 1_000,
    transactTimeoutMs: 30_000,
    probeIntervalMs: 5_000,
    history: { batches: 2_000, bytes: 64 * 1024 * 1024 },
    logLevel: 'silent',
    staticDir: WEB_DIST,
    ...(opts.auditLog ? { auditLog: opts.auditLog } : {}),
  };
  const tokens = opts.auth
    ? TokenStore.parse(
        JSON.stringify({
          tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: `${role}-user`, role, token })),
        }),
        'e2e',
      )
    : undefined;
  const { app } = await buildApp(config, { logger: false, ...(tokens ? { tokens } : {}) });
  const url = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  return { app, url };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page that fails the test on any uncaught error in the app. */
export async function openPage(
  browser: Browser,
  opts: { colorScheme?: 'light' | 'dark'; downloads?: boolean; clipboard?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    acceptDownloads: opts.downloads ?? false,
  });
  if (opts.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
}

/** Names in the grid's `name` column, top to bottom, as rendered. */
export async function gridNames(page: Page, table: string): Promise<string[]> {
  const grid = page.getByRole('grid', { name: table });
  return grid.locator('[role=row]:not(.ow-thead):not(.ow-deleted) [role=gridcell][data-column="name"]').allInnerTexts();
}
