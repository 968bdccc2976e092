// First asked owns it (issue #22; PS-12, GN-1, CP-12) in the browser: the front desk registers a
// repair a resident told them about, for that resident: they find the unit, pick the resident by
// name, and start it. A refusal of the API (a resident who does not live there) shows at the
// section in words. The request names who registered it and for whom; the resident then signs in
// on a phone and finds it in their list and on its page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

let server: Server;
let browser: Browser;

describe('the front desk registers a repair for a resident (PS-12, CP-12)', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 600_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('finds the unit, picks the resident by name, starts it for them; the resident sees it in their list and on its page', async () => {
    const me = await fetch(`${server.origin}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'resident', password: DEMO_PASSWORD }) });
    const estateId = ((await me.json()) as { memberships: { estateId: string }[] }).memberships[0]!.estateId;

    const { page, context } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`[front desk] page error: ${e.message}`));
    await login(page, 'front-desk', DEMO_PASSWORD);
    await page.goto(`/start?process=repair&estate=${estateId}`);
    await expect.poll(() => page.getByTestId('process-title').textContent()).toBe('报修');

    // the section: find the unit, then its resident by name
    const section = page.getByTestId('register-for');
    await expect.poll(() => section.locator('legend').textContent()).toBe('为住户登记');
    await page.getByTestId('for-unit-search').fill('1-1-101');
    await section.locator('button[data-unit="1-1-101"]').click();
    await expect.poll(() => page.getByTestId('for-unit').textContent()).toBe('房屋：1-1-101');
    const pick = page.getByTestId('for-resident');
    await expect.poll(() => pick.locator('option:not([disabled])').allTextContents()).toContain('王先生（业主）');
    await pick.selectOption({ label: '王先生（业主）' });
    await expect.poll(() => page.getByTestId('for-summary').textContent()).toBe('将为 1-1-101 的 王先生 登记');
    // the form opens with the resident's unit
    expect(await page.getByLabel('栋房号').inputValue()).toBe('1-1-101');
    await page.getByLabel('业主姓名').fill('王先生');
    await page.getByLabel('联系电话').fill('13800000000');
    await page.getByLabel('故障描述').fill('住户在前台告知：卫生间地漏返水');
    await screenshot(page, 'register-for-resident-1366');

    // the API refuses someone who does not live there (here: a changed id on the way): the words show at the section
    await page.route('**/api/instances', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, requestedFor: '00000000-0000-4000-8000-000000000001' }) });
    }, { times: 1 });
    await page.getByRole('button', { name: '提交申请' }).click();
    await expect.poll(() => page.getByTestId('for-error').textContent()).toContain('登记对象不是本项目在住的住户');
    expect(new URL(page.url()).pathname).toBe('/start');
    await screenshot(page, 'register-for-resident-refused-1366');

    // as chosen: started for the resident
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/\/instances\/[0-9a-f-]{36}/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const data = page.getByTestId('instance-data');
    await expect.poll(() => data.innerText()).toContain('为住户');
    const text = await data.innerText();
    expect(text).toMatch(/登记人\s*前台 赵丽/);
    expect(text).toMatch(/为住户\s*王先生/);
    const serial = (await page.getByTestId('serial').textContent())!.trim();
    await screenshot(page, 'register-for-resident-instance-1366');
    await context.close();

    // the resident, on a phone: it is in their list and opens, naming who registered it for them
    const phone = await newPage(browser, server.origin, { width: 360, height: 740 });
    phone.page.on('pageerror', (e) => console.error(`[resident] page error: ${e.message}`));
    await login(phone.page, 'resident', DEMO_PASSWORD);
    await phone.page.goto('/instances');
    const row = phone.page.locator(`a[href="/instances/${id}"]`);
    await expect.poll(() => row.textContent()).toBe(serial);
    await screenshot(phone.page, 'register-for-resident-list-360');
    await row.click();
    await phone.page.waitForURL(`**/instances/${id}`);
    await expect.poll(() => phone.page.getByTestId('instance-data').innerText()).toMatch(/登记人\s*前台 赵丽/);
    expect(await phone.page.getByTestId('instance-data').innerText()).toMatch(/为住户\s*王先生/);
    await screenshot(phone.page, 'register-for-resident-instance-360');
    await phone.context.close();

    // the section at 360 for staff as well
    const small = await newPage(browser, server.origin, { width: 360, height: 740 });
    await login(small.page, 'front-desk', DEMO_PASSWORD);
    await small.page.goto(`/start?process=repair&estate=${estateId}`);
    await small.page.getByTestId('for-unit-search').fill('1-1-10');
    await small.page.locator('button[data-unit="1-1-101"]').click();
    await expect.poll(() => small.page.getByTestId('for-summary').count()).toBe(1);
    await screenshot(small.page, 'register-for-resident-360');
    await small.context.close();
  }, 600_000);
});
