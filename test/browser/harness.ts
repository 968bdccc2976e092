import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freshDatabase, type DbKind, type FreshDatabase } from '../support/db.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = join(root, 'apps/web');
export const screenshotDir = join(root, 'test/browser/screenshots');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds apps/web with adapter-node unless build/handler.js is newer than every source file. */
export function buildWebIfNeeded(): void {
  const handler = join(webDir, 'build/handler.js');
  const sources = Math.max(newestMtime(join(webDir, 'src')), statSync(join(webDir, 'svelte.config.js')).mtimeMs);
  if (existsSync(handler) && statSync(handler).mtimeMs > sources && !process.env.EF_WEB_REBUILD) return;
  execFileSync('pnpm', ['exec', 'vite', 'build'], { cwd: webDir, stdio: 'pipe' });
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export type Server = { origin: string; stop: () => Promise<void>; output: () => string };

/**
 * Starts the real server (`apps/api/src/main.ts`: API + worker + UI) on a free port with the demo,
 * against a fresh PGlite folder, or (`kind` 'postgres') a fresh PostgreSQL database next to
 * DATABASE_URL (support/db.ts `freshDatabase`, dropped by `stop`); `extraEnv` goes on top
 * (e.g. `SECURE_COOKIES: '1'`).
 */
export async function startServer(extraEnv: Record<string, string> = {}, kind: DbKind = 'pglite'): Promise<Server> {
  // Development only: EF_BROWSER_ORIGIN reuses a server started by hand (`PORT=3300 pnpm start`).
  const reuse = process.env.EF_BROWSER_ORIGIN;
  if (reuse && kind === 'pglite' && Object.keys(extraEnv).length === 0) return { origin: reuse, output: () => '', stop: async () => {} };
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ef-browser-'));
  let log = '';
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.DATABASE_READ_URL; // the fresh database has no replica (main.ts refuses one on PGlite)
  let fresh: FreshDatabase | undefined;
  if (kind === 'postgres') {
    fresh = await freshDatabase('postgres');
    env.DATABASE_URL = fresh.url;
  }
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/api/src/main.ts')], {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      PGLITE_DIR: dataDir,
      EF_NO_DEMO: '0',
      NODE_ENV: 'production',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (log += String(d)));
  child.stderr?.on('data', (d) => (log += String(d)));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await fresh?.dispose();
      throw new Error(`server exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await fetch(`${origin}/api/auth/me`);
      if (res.status === 401 || res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
      await fresh?.dispose();
      throw new Error(`server did not answer within 120 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    origin,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 5_000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
      await fresh?.dispose();
    },
  };
}

/** Debian's Chromium driven by playwright-core (no browser download needed). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Builds the web app if needed, starts the server on fresh demo data (on `kind`) and launches Chromium: a suite's `beforeAll`. */
export async function openServerAndBrowser(kind: DbKind = 'pglite'): Promise<{ server: Server; browser: Browser }> {
  buildWebIfNeeded();
  const server = await startServer({}, kind);
  return { server, browser: await launchBrowser() };
}

/** Closes what `openServerAndBrowser` opened (either may be missing when the set-up failed): a suite's `afterAll`. */
export async function closeServerAndBrowser(server: Server | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await server?.stop();
}

/** A fresh browser context (own cookies) in zh-CN, desktop size unless told. */
export async function newPage(browser: Browser, origin: string, viewport = { width: 1366, height: 860 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: origin, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  // the sign-in form's own fields (the demo's account list beside it names the password too)
  await page.locator('form.login input[name="username"]').fill(username);
  await page.locator('form.login input[name="password"]').fill(password);
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** The screenshots the README shows (its "Build your first process" walkthrough): committed, unlike test/browser/screenshots. */
export const readmeShotDir = join(root, 'docs/screenshots');

/** A full-page screenshot to look at; `readme`: also the README's copy (the viewport, as a reader's screen shows it). */
export async function screenshot(page: Page, name: string, opts: { readme?: boolean } = {}): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
  if (opts.readme) await page.screenshot({ path: join(readmeShotDir, `${name}.png`) });
}
