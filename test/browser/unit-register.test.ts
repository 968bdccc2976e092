import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD, setArea, unitRow as row } from './helpers.ts';

// The unit register and the household file (issues #20, #22; SV-3), on the quick start's demo.

let server: Server;
let browser: Browser;

async function as(username: string, viewport?: { width: number; height: number }): Promise<Page> {
  const { page } = await newPage(browser, server.origin, viewport);
  page.on('pageerror', (e) => console.error(`[${username}] page error: ${e.message}`));
  await login(page, username, DEMO_PASSWORD);
  return page;
}

describe('the unit register and the household file, in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('finance sets two units\' floor areas on the register and sees them there and in each unit\'s history (#20)', async () => {
    const page = await as('finance');
    await page.getByRole('link', { name: '房屋档案' }).click();
    await page.waitForURL('**/units');
    // the demo's units come with areas and profiles: the register is alive from the first start
    await row(page, '1-1-101').waitFor();
    expect(await row(page, '1-1-101').getByTestId('unit-area').textContent()).toBe('89.37 m²');
    expect(await row(page, '1-1-101').textContent()).toContain('住宅物业管理费');

    await setArea(page, '1-1-101', '95.20');
    await setArea(page, '2-1-102', '131.05');

    // back to the whole register: both areas are there, read from the server
    await page.getByTestId('units-search').fill('');
    await page.getByTestId('units-search').press('Enter');
    await page.waitForURL((u) => !u.searchParams.has('q'));
    await page.reload();
    expect(await row(page, '1-1-101').getByTestId('unit-area').textContent()).toBe('95.20 m²');
    if (!(await row(page, '2-1-102').count())) await page.getByTestId('units-more').click();
    expect(await row(page, '2-1-102').getByTestId('unit-area').textContent()).toBe('131.05 m²');
    await screenshot(page, 'unit-register');

    // the unit's page keeps the change: old → new, who, from which date
    await row(page, '1-1-101').getByTestId('unit-link').click();
    await page.getByTestId('unit-title').waitFor();
    expect(await page.getByTestId('file-area').textContent()).toBe('95.20 m²');
    await page.locator('summary', { hasText: '变更记录' }).click();
    const history = (await page.getByTestId('unit-history').textContent()) ?? '';
    expect(history).toContain('建筑面积：89.37 m² → 95.20 m²');
    expect(history).toContain('财务');
    await page.context().close();
  }, 120_000);

  it('the front desk opens a unit from a request and sees its residents, requests, bills and arrears (#22, SV-3)', async () => {
    const page = await as('front-desk');
    const me = await (await page.request.get('/api/auth/me')).json();
    const estateId = me.memberships[0].estateId as string;
    const units = await (await page.request.get(`/api/estates/${estateId}/units?q=1-1-101`)).json();
    const unitId = units.items[0].id as string;
    const requests = await (await page.request.get(`/api/instances?estateId=${estateId}&unitId=${unitId}`)).json();
    expect(requests.items.length, 'the demo has requests on the demo resident\'s unit').toBeGreaterThan(0);
    const request = requests.items[0] as { id: string; serial: string };

    await page.goto(`/instances/${request.id}`);
    await page.getByTestId('instance-unit-file').click();
    await page.waitForURL(`**/units/${unitId}**`);
    expect(await page.getByTestId('unit-title').textContent()).toContain('1栋1单元101室');
    // residents and owners, phone masked
    const residents = (await page.getByTestId('unit-residents').textContent()) ?? '';
    expect(residents).toContain('王志强');
    expect(residents).toContain('业主');
    expect(residents).toMatch(/\d{3}\*{4}\d{4}/);
    // every request of the unit, with its state, by the definition's own titles
    const listed = (await page.getByTestId('requests-table').textContent()) ?? '';
    expect(listed).toContain(request.serial);
    expect(await page.getByTestId('requests-table').locator('tbody tr').count()).toBe(requests.items.length);
    // bills and arrears from one settlement, in yuan, the same figures the arrears report has
    const arrears = await (await page.request.get(`/api/billing/arrears?estateId=${estateId}`)).json();
    const owed = arrears.rows.find((r: { unitId: string }) => r.unitId === unitId)?.totalFen ?? 0;
    const yuan = (fen: number) => new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).format(fen / 100).replace(/\s/g, '');
    expect((await page.getByTestId('file-arrears').textContent())?.replace(/\s/g, '')).toBe(yuan(owed));
    expect((await page.getByTestId('file-outstanding').textContent())?.replace(/\s/g, '')).toMatch(/^¥[\d,]+\.\d{2}$/);
    expect(await page.getByTestId('unit-bills-link').getAttribute('href')).toBe(`/bills?estate=${estateId}&unit=${unitId}`);
    await screenshot(page, 'unit-file');

    // at 360 px the page reads without sideways scrolling
    const narrow = await as('front-desk', { width: 360, height: 800 });
    await narrow.goto(`/units/${unitId}`);
    await narrow.getByTestId('unit-title').waitFor();
    await narrow.waitForLoadState('networkidle');
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(narrow, 'unit-file-360');
    await narrow.context().close();
    await page.context().close();
  }, 120_000);
});
