/**
 * Whole screens, small and large, side by side (#21). For each screen a person opens (inbox, request
 * list, search, a request, /me, notices, dashboard, bills), the real server and UI are opened in
 * Chromium on a seeded PostgreSQL database and the page is loaded as its user. A screen's time is
 * the span of every API call it makes before it shows its content: from the first call's start to
 * the last answer's end (PerformanceResourceTiming), so a screen that makes 50 calls pays for 50.
 * Each screen is loaded once to warm, then `RUNS` times; p50 and p95 are of those runs.
 *
 * `small` is the quick start's demo (bench/seed.ts seeds it when missing). `large` is the large
 * customer of bench/seed.ts: it is measured only when `pnpm bench:seed --size large` has been run
 * (minutes), and the row says so when it has not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import type { BenchResult } from './run.ts';
import { benchDatabaseReady, benchDatabaseUrl, seedBench, type Size } from './seed.ts';
import { buildWebIfNeeded, launchBrowser } from '../test/browser/harness.ts';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_SCREEN_RUNS ?? 9);
const SCREEN_TARGET_MS = 300;
const DASHBOARD_TARGET_MS = 500;
const ANSWER_LIMIT_BYTES = 1024 * 1024;

type Screen = { name: string; user: string; path: string; dashboard?: boolean };
type Timing = { spanMs: number; calls: { route: string; ms: number; bytes: number }[] };

/** The quarter before today's, as the income report names it (2026-Q3). */
function lastQuarter(): string {
  const now = new Date();
  const q = Math.floor(now.getUTCMonth() / 3);
  return q === 0 ? `${now.getUTCFullYear() - 1}-Q4` : `${now.getUTCFullYear()}-Q${q}`;
}

/** The month `n` months before this one, YYYY-MM. */
function monthsAgo(n: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 1)).toISOString().slice(0, 7);
}

/** The screens people use every day, as the demo's users (a resident of a busy estate on the large data). */
async function screensOf(size: Size): Promise<{ screens: Screen[]; password: string }> {
  const sql = postgres(benchDatabaseUrl(size), { max: 1, onnotice: () => {} });
  try {
    const [demo] = await sql<{ tenant_id: string; estate_id: string }[]>`select e.tenant_id, e.id as estate_id from estates e where e.name = '颐园世家'`;
    // a resident of the busiest estate (large) or the demo resident (small)
    const [resident] = size === 'large'
      ? await sql<{ username: string }[]>`select u.username from users u join residents r on r.tenant_id = u.tenant_id and r.user_id = u.id
          where u.tenant_id = ${demo!.tenant_id} and u.username like 'r-%' and exists (select 1 from instances i where i.tenant_id = r.tenant_id and i.unit_id = r.unit_id) order by u.username limit 1`
      : [{ username: 'resident' }];
    // estate-scoped screens (dashboard, bills) on the company's busiest estate: the demo's on the small data,
    // a generated one on the large
    const [busiest] = await sql<{ estate_id: string }[]>`select estate_id from instances where tenant_id = ${demo!.tenant_id} group by estate_id order by count(*) desc limit 1`;
    const e = busiest?.estate_id ?? demo!.estate_id;
    const [request] = await sql<{ id: string; serial: string }[]>`select id, serial from instances where tenant_id = ${demo!.tenant_id} and estate_id = ${e} and status = 'active' order by started_at desc limit 1`;
    const [unit] = await sql<{ unit_id: string }[]>`select unit_id from bills where tenant_id = ${demo!.tenant_id} and estate_id = ${e} order by key limit 1`;
    return {
      password: 'estateflow',
      screens: [
        { name: 'inbox', user: 'front-desk', path: '/inbox' },
        { name: 'request list (one estate)', user: 'front-desk', path: '/instances' },
        { name: 'request list (every estate)', user: 'admin', path: '/instances' },
        { name: 'search by serial', user: 'admin', path: `/instances?q=${encodeURIComponent(request!.serial)}` },
        { name: 'search free text', user: 'admin', path: `/instances?q=${encodeURIComponent('漏水')}` },
        { name: 'a request', user: 'front-desk', path: `/instances/${request!.id}` },
        { name: 'notices (staff, every estate)', user: 'admin', path: '/notices' },
        { name: 'notices (resident)', user: resident!.username, path: '/notices' },
        { name: '/me (resident)', user: resident!.username, path: '/me' },
        { name: 'dashboard (this month)', user: 'admin', path: `/dashboard?estate=${e}&month=${new Date().toISOString().slice(0, 7)}`, dashboard: true },
        { name: 'dashboard (all time)', user: 'admin', path: `/dashboard?estate=${e}`, dashboard: true },
        { name: 'bills and arrears', user: 'finance', path: `/bills?estate=${e}` },
        { name: "a unit's account", user: 'finance', path: `/bills?estate=${e}&unit=${unit!.unit_id}` },
        { name: 'bills by unit', user: 'finance', path: `/bills?estate=${e}&sort=unit` },
        { name: 'bills by due date', user: 'finance', path: `/bills?estate=${e}&sort=due` },
        { name: 'bills by amount owed', user: 'finance', path: `/bills?estate=${e}&sort=owed` },
        { name: 'arrears', user: 'finance', path: `/billing/arrears?estate=${e}` },
        { name: "the cashier's day", user: 'finance', path: `/billing/day?estate=${e}` },
        { name: 'deposits', user: 'finance', path: `/billing/deposits?estate=${e}` },
        // finance's reports add up a period: held to the dashboards' target; the current quarter and the last whole one
        // (on the large data few payments fall in the current quarter yet: the last quarter is the one that costs)
        { name: 'income and spending', user: 'finance', path: `/billing/reports/income?estate=${e}`, dashboard: true },
        { name: 'income and spending (last quarter)', user: 'finance', path: `/billing/reports/income?estate=${e}&period=${lastQuarter()}`, dashboard: true },
        { name: 'billing run', user: 'finance', path: `/billing/run?estate=${e}` },
        { name: 'waivers and adjustments', user: 'finance', path: `/billing/waivers?estate=${e}` },
        { name: 'fee schedules', user: 'finance', path: `/billing/fees?estate=${e}` },
        { name: 'monthly statistics', user: 'admin', path: `/billing/reports/monthly?estate=${e}`, dashboard: true },
        { name: 'monthly statistics (three months ago)', user: 'admin', path: `/billing/reports/monthly?estate=${e}&month=${monthsAgo(3)}`, dashboard: true },
        { name: 'accountability', user: 'admin', path: `/accountability?estate=${e}`, dashboard: true },
        { name: 'revisits', user: 'admin', path: '/revisits' },
        { name: 'units', user: 'front-desk', path: `/units?estate=${e}` },
        { name: 'a household file', user: 'front-desk', path: `/units/${unit!.unit_id}?estate=${e}` },
        { name: 'people', user: 'admin', path: '/people' },
        { name: 'residents', user: 'admin', path: '/residents' },
        { name: 'start a request (resident)', user: resident!.username, path: '/start' },
      ],
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function startServer(size: Size): Promise<{ origin: string; peakMiB: () => number; stop: () => Promise<void> }> {
  const port = 3900 + (size === 'small' ? 1 : 2);
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/api/src/main.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: benchDatabaseUrl(size), DATABASE_READ_URL: '', PORT: String(port), EF_NO_DEMO: '1', EF_NO_WORKER: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (log += String(d)));
  child.stderr?.on('data', (d) => (log += String(d)));
  const origin = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 120_000; ;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${log}`);
    const ok = await fetch(`${origin}/api/auth/me`).then((r) => r.status === 401 || r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    origin,
    // the server's peak resident memory (VmHWM) after every screen was loaded: what a customer of this size needs
    peakMiB: () => {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return hwm ? Math.round(Number(hwm[1]) / 1024) : Number.NaN;
    },
    stop: () => new Promise<void>((r) => {
      child.once('exit', () => r());
      child.kill('SIGTERM');
    }),
  };
}

/** Loads `screen` as its user `RUNS` times after one warm load; each run's API span and calls. */
async function timeScreen(browser: Browser, origin: string, screen: Screen, password: string): Promise<Timing[]> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
  try {
    const login = await context.request.post(`${origin}/api/auth/login`, { data: { username: screen.user, password }, headers: { origin } });
    if (!login.ok()) throw new Error(`sign-in as ${screen.user}: ${login.status()} ${await login.text()}`);
    const page = await context.newPage();
    const runs: Timing[] = [];
    for (let i = 0; i <= RUNS; i++) {
      // the first API answer, then quiet: on a busy machine the app's script may start its calls after a pause
      const answered = page.waitForResponse((r: { url(): string }) => new URL(r.url()).pathname.startsWith('/api/'), { timeout: 120_000 });
      await page.goto(`${origin}${screen.path}`, { waitUntil: 'networkidle', timeout: 120_000 });
      await answered;
      await page.waitForLoadState('networkidle');
      const entries = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((e: PerformanceEntry) => new URL(e.name).pathname.startsWith('/api/'))
        .map((e: PerformanceEntry) => ({ name: e.name, start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd, bytes: (e as PerformanceResourceTiming).encodedBodySize, status: (e as PerformanceResourceTiming & { responseStatus?: number }).responseStatus ?? 0 })));
      if (entries.length === 0) throw new Error(`${screen.name}: the page made no API call`);
      // a screen that was refused or failed is not a screen shown: its time would flatter
      const failed = entries.filter((e) => e.status >= 400);
      if (failed.length) throw new Error(`${screen.name} as ${screen.user}: ${failed.map((e) => `${routeOf(e.name)} answered ${e.status}`).join(', ')}`);
      const start = Math.min(...entries.map((e) => e.start));
      const end = Math.max(...entries.map((e) => e.end));
      const calls = entries.map((e) => ({ route: routeOf(e.name), ms: e.end - e.start, bytes: e.bytes }));
      if (i > 0) runs.push({ spanMs: end - start, calls });
    }
    return runs;
  } finally {
    await context.close();
  }
}

/** `/api/instances/1b2…?q=…` → `GET /api/instances/:id?q` (ids and values out, parameter names kept). */
function routeOf(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');
  const params = [...u.searchParams.keys()].sort().join('&');
  return params ? `${path}?${params}` : path;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

type Measured = { p50: number; p95: number; calls: number; largest: { route: string; bytes: number }; slowest: { route: string; ms: number } };

function summarise(runs: Timing[]): Measured {
  const spans = runs.map((r) => r.spanMs);
  const all = runs.flatMap((r) => r.calls);
  const largest = all.reduce((a, c) => (c.bytes > a.bytes ? c : a), all[0]!);
  const byRoute = new Map<string, number[]>();
  for (const c of all) byRoute.set(c.route, [...(byRoute.get(c.route) ?? []), c.ms]);
  const slowest = [...byRoute].map(([route, ms]) => ({ route, ms: percentile(ms, 50) })).sort((a, b) => b.ms - a.ms)[0]!;
  return { p50: percentile(spans, 50), p95: percentile(spans, 95), calls: Math.round(all.length / runs.length), largest: { route: largest.route, bytes: largest.bytes }, slowest };
}

async function measure(size: Size, browser: Browser): Promise<{ screens: Map<string, Measured>; peakMiB: number }> {
  const { screens, password } = await screensOf(size);
  const server = await startServer(size);
  const out = new Map<string, Measured>();
  try {
    for (const s of screens) {
      out.set(s.name, summarise(await timeScreen(browser, server.origin, s, password)));
      process.stdout.write(`  ${size}: ${s.name} p95 ${out.get(s.name)!.p95.toFixed(0)} ms\n`);
    }
    return { screens: out, peakMiB: server.peakMiB() };
  } finally {
    await server.stop();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`;

export async function run(): Promise<BenchResult[]> {
  if (!(await benchDatabaseReady('small'))) await seedBench('small');
  const haveLarge = await benchDatabaseReady('large');
  buildWebIfNeeded();
  const browser = await launchBrowser();
  try {
    // reports that add up a month or all time are held to the dashboards' target
    const dashboards = new Set((await screensOf('small')).screens.filter((s) => s.dashboard).map((s) => s.name));
    const { screens: small, peakMiB: smallPeak } = await measure('small', browser);
    const measuredLarge = haveLarge ? await measure('large', browser) : undefined;
    const large = measuredLarge?.screens;
    const sizeNote = haveLarge ? await describeLarge() : '';
    const memory: BenchResult = {
      name: `API server peak memory after every screen (${measuredLarge ? 'large' : 'small only'})`,
      value: measuredLarge?.peakMiB ?? smallPeak,
      unit: 'MiB',
      ratio: measuredLarge ? measuredLarge.peakMiB / smallPeak : undefined,
      target: '(reference: what a customer of that size needs)',
      baseline: `small (demo): ${smallPeak} MiB`,
      note: measuredLarge ? `resident set high-water mark (VmHWM) of the one API process; database ${await databaseSize('large')}` : 'the large customer is not seeded here',
    };
    return [...[...small].map(([name, s]) => {
      const l = large?.get(name);
      const target = dashboards.has(name) ? DASHBOARD_TARGET_MS : SCREEN_TARGET_MS;
      const shown = l ?? s;
      const over = shown.largest.bytes > ANSWER_LIMIT_BYTES ? `; ANSWER OVER 1 MB` : '';
      return {
        name: `screen: ${name} (${l ? 'large' : 'small only'}), p95`,
        value: shown.p95,
        unit: 'ms',
        ratio: l ? l.p95 / s.p95 : undefined,
        target: `≤ ${target} ms p95 at the large size; answers ≤ 1 MB`,
        baseline: `small (demo): p50 ${s.p50.toFixed(0)} / p95 ${s.p95.toFixed(0)} ms, ${s.calls} calls, largest answer ${kb(s.largest.bytes)}`,
        note: l
          ? `large${sizeNote}: p50 ${l.p50.toFixed(0)} / p95 ${l.p95.toFixed(0)} ms, ${l.calls} calls, largest answer ${kb(l.largest.bytes)} (${l.largest.route}), slowest call ${l.slowest.route} p50 ${l.slowest.ms.toFixed(0)} ms; ratio = growth large/small${over}`
          : `the large customer is not seeded here: run \`pnpm bench:seed --size large\` (minutes), then \`pnpm bench screens\`${over}`,
      };
    }), memory];
  } finally {
    await browser.close();
  }
}

async function databaseSize(size: Size): Promise<string> {
  const sql = postgres(benchDatabaseUrl(size), { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ size: string }[]>`select pg_size_pretty(pg_database_size(current_database())) as size`;
    return `${row!.size} on disk with its indexes`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function describeLarge(): Promise<string> {
  const sql = postgres(benchDatabaseUrl('large'), { max: 1, onnotice: () => {} });
  try {
    const [c] = await sql<{ requests: number; units: number; bills: number; events: number; outbox: number }[]>`select
      (select count(*)::int from instances) as requests, (select count(*)::int from units) as units, (select count(*)::int from bills) as bills,
      (select count(*)::int from events) as events, (select count(*)::int from outbox) as outbox`;
    const m = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${Math.round(n / 1e3)}k`);
    return ` (${m(c!.requests)} requests, ${m(c!.events)} history rows, ${m(c!.outbox)} outbox, ${m(c!.units)} units, ${m(c!.bills)} bills)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
