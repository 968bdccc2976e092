import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, sidewaysOverflow } from './a11y.ts';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

let server: Server;
let browser: Browser;

async function as(username: string, width: number, locale: 'zh-CN' | 'en'): Promise<Page> {
  const { page } = await newPage(browser, server.origin, { width, height: width < 600 ? 780 : 860 });
  page.on('pageerror', (e) => console.error(`[${username}] page error: ${e.message}`));
  await page.addInitScript((l) => localStorage.setItem('ef-locale', l), locale);
  await login(page, username, DEMO_PASSWORD);
  return page;
}

/** Last month, as YYYY-MM in Shanghai: the demo's requests are recent. */
function lastMonth(): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

describe('the monthly figures are reviewed and signed, and accountability is read per person, in Chromium (#22)', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 600_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('the CS manager reviews the computed figures in words and signs them; the request page shows what was signed', async () => {
    const page = await as('cs-manager', 1366, 'zh-CN');
    const estateId = (await (await page.request.get('/api/auth/me')).json()).memberships[0].estateId as string;
    // the month of the demo's requests: this month or the last, whichever has more
    const thisMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
    const started = async (m: string) => ((await (await page.request.get(`/api/reports/monthly?estateId=${estateId}&month=${m}`)).json()).requests as { started: number }[]).reduce((n, r) => n + r.started, 0);
    const month = (await started(thisMonth)) >= (await started(lastMonth())) ? thisMonth : lastMonth();
    const res = await page.request.post('/api/instances', { data: { estateId, workflow: 'monthly-revisit-stats', data: { month, subject: 'revisits' } } });
    expect(res.status(), await res.text()).toBe(201);
    const id = (await res.json()).id as string;
    await page.goto(`/instances/${id}?act=SIGN`);
    const form = page.locator('[data-form="sv-monthly-stats"]');
    await form.waitFor();
    // the figures are shown, never inputs; tables read in words (报修, not repair)
    await expect.poll(() => form.getByTestId('figure-total').textContent()).toMatch(/\d/);
    expect(await form.locator('input[name="total"]').count()).toBe(0);
    const requests = form.getByTestId('figure-requests');
    if (await requests.locator('td').count()) expect(await requests.textContent()).not.toMatch(/\brepair\b|\bcomplaint\b/);
    expect(await sidewaysOverflow(page)).toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'monthly-sign-1366-zh');
    await form.locator('[data-field="comments"] textarea').fill('数字与台账核对一致');
    await form.locator('[data-field="recurring"] input[type="radio"]').last().check();
    await page.locator('#action-panel button[type="submit"]').click();
    const history = page.getByTestId('history');
    await expect.poll(() => history.textContent()).toContain('数字与台账核对一致');
    await screenshot(page, 'monthly-signed-1366-zh');
    // the same request in English and on a phone
    for (const [w, l] of [[1366, 'en'], [360, 'zh-CN'], [360, 'en']] as const) {
      const p = await as('cs-manager', w, l);
      await p.goto(`/instances/${id}`);
      await p.getByTestId('history').waitFor();
      expect(await sidewaysOverflow(p), `${w} ${l}`).toBeNull();
      await screenshot(p, `monthly-signed-${w}-${l === 'en' ? 'en' : 'zh'}`);
      await p.context().close();
    }
    // a second request of the same month shows the form at 360 px in English
    const again = await page.request.post('/api/instances', { data: { estateId, workflow: 'monthly-revisit-stats', data: { month, subject: 'revisits' } } });
    const p = await as('cs-manager', 360, 'en');
    await p.goto(`/instances/${(await again.json()).id}?act=SIGN`);
    await p.locator('[data-form="sv-monthly-stats"]').waitFor();
    await expect.poll(() => p.getByTestId('figure-total').textContent()).toMatch(/\d/);
    expect(await sidewaysOverflow(p)).toBeNull();
    await screenshot(p, 'monthly-sign-360-en');
  }, 600_000);

  it('the accountability page lists the month per person, at 1366 and 360 px, in Chinese and English', async () => {
    for (const [w, l] of [[1366, 'zh-CN'], [1366, 'en'], [360, 'zh-CN'], [360, 'en']] as const) {
      const page = await as('property-manager', w, l);
      await page.goto('/accountability');
      await page.locator('h1').waitFor();
      // the month with the demo's records, if any; else this month (an empty page says so)
      const estateId = (await (await page.request.get('/api/auth/me')).json()).memberships[0].estateId as string;
      for (const m of [lastMonth(), new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date())]) {
        const r = await (await page.request.get(`/api/reports/accountability?estateId=${estateId}&month=${m}`)).json();
        if (r.people.length) {
          await page.goto(`/accountability?estate=${estateId}&month=${m}`);
          await page.getByTestId('accountability-people').waitFor();
          break;
        }
      }
      expect(await sidewaysOverflow(page), `${w} ${l}`).toBeNull();
      expect(await axeViolations(page), `${w} ${l}`).toEqual([]);
      await screenshot(page, `accountability-${w}-${l === 'en' ? 'en' : 'zh'}`);
      await page.context().close();
    }
  }, 600_000);
});
