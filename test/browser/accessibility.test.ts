import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, sidewaysOverflow } from './a11y.ts';
import { closeServerAndBrowser, login, openServerAndBrowser, screenshotDir, type Server } from './harness.ts';
import { DEMO_PASSWORD, fillDate } from './helpers.ts';
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

/** Signs out with the nav's button, as a person hands the phone on. */
async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /退出登录|Sign out/ }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/login'));
  await page.locator('form.login input[name="username"]').waitFor();
}

describe('pages are accessible (WCAG 2 A/AA) and fit 360 px, in zh and en', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('the sign-in page, which lists the demo accounts by name and role', async () => {
    expect(await check(undefined, async () => ['/login'])).toEqual([]);
    const { context, page } = await open(combos[0]);
    await page.goto('/login');
    const listed = page.getByTestId('demo-accounts');
    await expect.poll(async () => (await listed.count()) && (await listed.innerText())).toContain('王师傅');
    expect(await listed.innerText()).toContain('resident');
    await context.close();
  }, 120_000);

  it('large text (适老化): the switch scales type and controls, is kept on that user\'s account (another browser opens large; not the next user in this one), and /me still fits 360 px and passes axe', async () => {
    const { context, page } = await open(combos[0], 'resident');
    await page.goto('/me');
    await page.locator('h1').first().waitFor();
    const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    await page.getByTestId('large-text').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(true);
    const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    expect(after).toBeGreaterThan(before);
    // controls are large enough to tap
    const small = await page.evaluate(() => Array.from(document.querySelectorAll('main button, main .btn, main input, main select')).filter((e) => (e as HTMLElement).offsetParent && e.getBoundingClientRect().height < 44).length);
    expect(small).toBe(0);
    expect(await sidewaysOverflow(page)).toBeFalsy();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshotDir, 'large-text-me-zh-360.png'), fullPage: true });
    // kept: the next visit opens large
    await page.reload();
    await page.locator('h1').first().waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(true);
    await page.getByTestId('large-text').waitFor();
    expect(await page.getByTestId('large-text').getAttribute('aria-pressed')).toBe('true');
    // per user: the next person signing in on this browser reads normal type, and the resident's choice waits for them
    await signOut(page); // the browser's storage stays
    await login(page, 'dispatcher', DEMO_PASSWORD);
    await page.goto('/me');
    await page.locator('h1').first().waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(false);
    await signOut(page);
    await login(page, 'resident', DEMO_PASSWORD);
    await page.goto('/me');
    await page.locator('h1').first().waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(true);
    await context.close();
    // another browser (a fresh context: no storage of the first) opens large for the resident: the choice is on the account
    const other = await open(combos[0], 'resident');
    await other.page.goto('/me');
    await other.page.locator('h1').first().waitFor();
    await expect.poll(() => other.page.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(true);
    expect(await other.page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('large-text')))).toEqual([]);
    // switched off there, it is off on the account (the other tests read the resident's pages in normal type)
    await other.page.getByTestId('large-text').click();
    await expect.poll(() => other.page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()).then((b: { user: { largeText: boolean } }) => b.user.largeText))).toBe(false);
    await other.context.close();
  }, 180_000);

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

  it("a day and a month are entered in the UI language's order, whatever the browser's language: the form's date, the dashboard's month", async () => {
    for (const [uiLocale, dayOrder, monthOrder] of [['en', ['Month', 'Day', 'Year'], ['Month', 'Year']], ['zh-CN', ['年', '月', '日'], ['年', '月']]] as const) {
      // the browser speaks the other language: the boxes follow the UI language, never the browser's date box
      const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 360, height: 800 }, locale: uiLocale === 'en' ? 'zh-CN' : 'en-US', timezoneId: 'America/New_York' });
      await context.addInitScript((l) => localStorage.setItem('ef-locale', l), uiLocale);
      const page = await context.newPage();
      await login(page, 'resident', DEMO_PASSWORD);
      const me = await (await page.request.get('/api/auth/me')).json();
      // the complaint's "resolve by" day (widget date)
      await page.goto(`/start?process=complaint&estate=${me.memberships[0].estateId}`);
      const day = page.locator('.date[data-date="requestedBy"]');
      await day.waitFor();
      expect(await day.locator('input, select').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([...dayOrder]);
      expect(await page.locator('input[type="date"], input[type="month"]').count()).toBe(0);
      await fillDate(day, '2026-12-08');
      expect(await axeViolations(page)).toEqual([]);
      await signOut(page);
      // the dashboard's month, picked: the page follows it
      await login(page, 'property-manager', DEMO_PASSWORD);
      await page.goto('/dashboard');
      const month = page.getByTestId('dash-month');
      await month.waitFor();
      expect(await month.locator('input, select').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([...monthOrder]);
      expect(await page.locator('input[type="date"], input[type="month"]').count()).toBe(0);
      await fillDate(month, '2026-03');
      await page.waitForURL(/month=2026-03/);
      await expect.poll(() => page.getByTestId('dash-month').getAttribute('data-value')).toBe('2026-03');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(screenshotDir, `a11y-month-${uiLocale}-360.png`), fullPage: false });
      await context.close();
    }
  }, 180_000);

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

  it('the inbox and the request list show what people scan for: the unit as people say it and the key fields the definitions mark as summary, by label (#18)', async () => {
    const { context, page } = await open(combos[2], 'dispatcher');
    await page.goto('/inbox');
    await page.getByTestId('inbox').waitFor();
    expect((await page.getByTestId('inbox-unit').allInnerTexts()).some((u) => /^\d+栋\d+单元\d+室$/.test(u.trim()))).toBe(true);
    const inboxItems = await page.locator('[data-testid="inbox"] [data-testid="summary"] .item').allInnerTexts();
    expect(inboxItems.length).toBeGreaterThan(0);
    // "label value", the label from the form that captured it
    expect(inboxItems.every((x) => /^\S+.*\s\S+/.test(x.trim()))).toBe(true);
    await page.goto('/instances');
    await page.locator('table.data').waitFor();
    expect(await page.locator('table.data [data-testid="summary"] .item .label').count()).toBeGreaterThan(0);
    expect((await page.locator('table.data td.hide-sm').allInnerTexts()).some((u) => /^\d+栋\d+单元\d+室$/.test(u.trim()))).toBe(true);
    await context.close();
  }, 120_000);

  it("a dispatcher dispatches a repair by picking the technician from the estate's staff, never typing a name (#18)", async () => {
    const { context, page } = await open(combos[0], 'dispatcher');
    const tasks = (await (await page.request.get('/api/tasks')).json()) as { items: { instanceId: string; events: string[] }[] };
    const waiting = tasks.items.find((x) => x.events.includes('CLASSIFY'));
    expect(waiting, 'the demo has a repair waiting to be classified').toBeTruthy();
    await page.goto(`/instances/${waiting!.instanceId}?act=CLASSIFY`);
    const picker = page.getByTestId('staff-technician');
    await expect.poll(() => picker.locator('option').count()).toBeGreaterThan(1);
    // staff of the technician role only, by name and the company's title for the role: no resident, no other role
    const offered = (await picker.locator('option').allTextContents()).slice(1);
    expect(offered.some((o) => o.includes('王师傅'))).toBe(true);
    expect(offered.every((o) => o.endsWith('· 维修工'))).toBe(true);
    expect(await page.locator('[data-field="technician"] input[type="text"]').count()).toBe(0);
    // the form reads the estate's numbers ("不超过 7 天"), never a placeholder
    expect(await page.locator('[data-form="rp-classify"]').innerText()).not.toContain('{{');
    expect(await axeViolations(page)).toEqual([]);
    await picker.selectOption({ label: offered.find((o) => o.includes('王师傅'))! });
    await page.getByLabel('零修（及时处理）').check();
    await page.getByLabel('渗漏').check();
    await page.getByLabel('否', { exact: true }).check();
    await page.screenshot({ path: join(screenshotDir, 'staff-pick-zh-360.png'), fullPage: true });
    await page.getByRole('button', { name: '提交' }).click();
    // the request names the technician by display name, never an id or a username
    await expect.poll(async () => (await page.locator('main').innerText()).includes('维修工 王师傅')).toBe(true);
    await context.close();
  }, 120_000);
});
