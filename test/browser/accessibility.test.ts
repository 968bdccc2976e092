import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, sidewaysOverflow } from './a11y.ts';
import { closeServerAndBrowser, login, openServerAndBrowser, screenshotDir, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

/**
 * Every page a resident, staff member or designer reaches passes axe-core's WCAG 2.0/2.1 A and AA
 * rules and, at 360 px, fits the phone's width (no sideways scrolling), in Chinese and in English
 * (issue #18). On the demo: the sign-in page; a resident's /me, requests, a request, /start and
 * /bills; a dispatcher's inbox, requests, a request and /me; the admin's People and /bills and the
 * designer's home, a workflow, a form and an SLA policy.
 *
 * Runtime: every page is loaded in all four combinations (zh/en × 360/1366 px) and checked for
 * sideways overflow at 360 px; axe runs on each page in two of them, zh at 360 px and en at
 * 1366 px (colour, names and roles do not change with the width; both languages and both layouts
 * are covered). The lifecycle pages of every bundle get the same two checks in screen-scan.test.ts.
 */

let server: Server;
let browser: Browser;

const combos = [
  { locale: 'zh-CN', width: 360, axe: true },
  { locale: 'en', width: 360, axe: false },
  { locale: 'zh-CN', width: 1366, axe: false },
  { locale: 'en', width: 1366, axe: true },
] as const;

async function open(combo: (typeof combos)[number], username?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: server.origin, viewport: { width: combo.width, height: 800 }, locale: combo.locale, timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(20_000);
  await context.addInitScript((l) => localStorage.setItem('ef-locale', l), combo.locale);
  const page = await context.newPage();
  if (username) await login(page, username, DEMO_PASSWORD);
  return { context, page };
}

/** The first request the user's list shows (as the page would open it). */
async function firstRequest(page: Page): Promise<string> {
  const me = await (await page.request.get('/api/auth/me')).json();
  const list = await (await page.request.get(`/api/instances?estateId=${me.memberships[0].estateId}&limit=5`)).json();
  expect(list.items.length, 'the demo has requests for this user').toBeGreaterThan(0);
  return list.items[0].id as string;
}

async function check(username: string | undefined, paths: (page: Page) => Promise<string[]>): Promise<string[]> {
  const problems: string[] = [];
  mkdirSync(screenshotDir, { recursive: true });
  for (const combo of combos) {
    const { context, page } = await open(combo, username);
    for (const path of await paths(page)) {
      await page.goto(path);
      await page.locator('h1').first().waitFor();
      // the page's data (load functions, then lazy panels) settles
      await page.waitForLoadState('networkidle');
      const where = `${path} as ${username ?? 'visitor'} (${combo.locale}, ${combo.width} px)`;
      if (combo.width === 360) {
        const over = await sidewaysOverflow(page);
        if (over) problems.push(`${where}: scrolls sideways, ${over}`);
      }
      if (combo.axe) for (const v of await axeViolations(page)) problems.push(`${where}: ${v}`);
      if (combo.locale === 'en' && combo.width === 360) {
        const name = `a11y-${username ?? 'visitor'}${path.replace(/[/?=&]+/g, '-').replace(/-[0-9a-f-]{36}/, '-request')}-en-360`;
        await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
      }
    }
    await context.close();
  }
  return problems;
}

describe('pages are accessible (WCAG 2 A/AA) and fit 360 px, in zh and en', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('the sign-in page', async () => {
    expect(await check(undefined, async () => ['/login'])).toEqual([]);
  }, 120_000);

  it("a resident's pages: /me, requests, a request, start, bills", async () => {
    expect(await check('resident', async (page) => ['/me', '/instances', `/instances/${await firstRequest(page)}`, '/start', '/bills'])).toEqual([]);
  }, 240_000);

  it("a dispatcher's pages: inbox, requests, a request, /me", async () => {
    expect(await check('dispatcher', async (page) => ['/inbox', '/instances', `/instances/${await firstRequest(page)}`, '/me'])).toEqual([]);
  }, 240_000);

  it("a date and time is entered in the UI language's order, whatever the browser's language", async () => {
    for (const [uiLocale, order, shown] of [['en', ['Month', 'Day', 'Year', 'Hour', 'Minute'], 'Dec 8, 2026, 10:05'], ['zh-CN', ['年', '月', '日', '时', '分'], '2026年12月8日 10:05']] as const) {
      // the browser speaks the other language and lives in another zone: the page follows the UI language and the estate's clock
      const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 360, height: 800 }, locale: uiLocale === 'en' ? 'zh-CN' : 'en-US', timezoneId: 'America/New_York' });
      await context.addInitScript((l) => localStorage.setItem('ef-locale', l), uiLocale);
      const page = await context.newPage();
      await login(page, 'resident', DEMO_PASSWORD);
      const me = await (await page.request.get('/api/auth/me')).json();
      await page.goto(`/start?process=repair&estate=${me.memberships[0].estateId}`);
      const box = page.locator('.dt[data-datetime="convenientTime"]');
      await box.waitFor();
      expect(await box.locator('input, select').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([...order]);
      expect(await box.locator('input[type="datetime-local"]').count()).toBe(0);
      await box.locator('.year').fill('2026');
      await box.locator('.month').selectOption('12');
      await box.locator('.day').selectOption('8');
      await box.locator('.hour').selectOption('10');
      await box.locator('.minute').selectOption('5');
      await expect.poll(() => box.locator('output').textContent()).toBe(shown);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(screenshotDir, `a11y-datetime-${uiLocale}-360.png`), fullPage: true, clip: { x: 0, y: Math.max(0, ((await box.boundingBox())?.y ?? 0) + (await page.evaluate(() => window.scrollY)) - 60), width: 360, height: 220 } });
      await context.close();
    }
  }, 120_000);

  it("the front desk's unit register and a household file (the demo resident's unit, with requests, residents and bills)", async () => {
    expect(await check('front-desk', async (page) => {
      const me = await (await page.request.get('/api/auth/me')).json();
      const found = await (await page.request.get(`/api/estates/${me.memberships[0].estateId}/units?q=1-1-101`)).json();
      return ['/units', `/units/${found.items[0].id as string}`];
    })).toEqual([]);
  }, 240_000);
  it("finance's cashier day, arrears, waivers and deposits pages (#20)", async () => {
    expect(await check('finance', async () => ['/billing/day', '/billing/arrears', '/billing/waivers', '/billing/deposits'])).toEqual([]);
  }, 300_000);

  it("the admin's People and bills, and the designer: home, a workflow, a form, an SLA policy", async () => {
    expect(await check('admin', async () => ['/people', '/bills', '/designer', '/designer/workflows/repair', '/designer/forms/rp-report', '/designer/sla/repair-clocks'])).toEqual([]);
  }, 300_000);
});
