// Personal information (issue #17, and #18's "phone numbers are masked where the role may not see
// them") in Chromium: a role without the personal-data permission sees masked phones on a request
// and on the People list, with nothing to reveal them; the admin, who holds it, reveals them with
// "显示完整号码" (the API audits each such read). Screenshots at 1366 and 360 px.
// On PGlite; on PostgreSQL too when DATABASE_URL is set, the masking per role (the first two tests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';
import { databaseKinds } from '../support/db.ts';

const PHONE = '13966667777';
const MASKED = '139****7777';

const estateOf = async (page: Page) => ((await (await page.request.get('/api/estates')).json()) as { items: { id: string }[] }).items[0]!.id;

for (const kind of databaseKinds()) describe(`personal data: masked phones and the audited reveal, in Chromium, on ${kind}`, () => {
  let server: Server;
  let browser: Browser;
  let instanceId = '';

  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser(kind));
    // the demo resident reports a repair with their phone; the admin lets the dispatcher manage people, without personal data
    const { page: resident } = await newPage(browser, server.origin);
    await login(resident, 'resident', DEMO_PASSWORD);
    const estateId = await estateOf(resident);
    const started = await resident.request.post('/api/instances', { data: { estateId, workflow: 'repair', data: { name: '王志强', unit: '1-1-101', phone: PHONE, fault: '卫生间水龙头漏水' } } });
    expect(started.status()).toBe(201);
    instanceId = ((await started.json()) as { id: string }).id;
    await resident.context().close();
    const { page: admin } = await newPage(browser, server.origin);
    await login(admin, 'admin', DEMO_PASSWORD);
    const granted = await admin.request.post('/api/roles', { data: { estateId, key: 'dispatcher', title: { zh: '调度员', en: 'Dispatcher' }, permissions: ['people'] } });
    expect(granted.status()).toBe(200);
    await admin.context().close();
  }, 600_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('a role without the permission sees masked phones on the request page and the People list, and no reveal button', async () => {
    for (const width of [1366, 360]) {
      const { page } = await newPage(browser, server.origin, { width, height: 860 });
      await login(page, 'dispatcher', DEMO_PASSWORD);
      await page.goto(`/instances/${instanceId}`);
      const data = page.getByTestId('instance-data');
      await expect.poll(() => data.textContent()).toContain(MASKED);
      expect(await page.locator('body').textContent()).not.toContain(PHONE);
      expect(await page.getByTestId('pii-masked').textContent()).toBe('电话和证件号码已部分隐藏');
      expect(await page.getByTestId('pii-reveal').count()).toBe(0);
      await screenshot(page, `pii-instance-masked-${width}`);

      await page.goto('/people');
      const wang = page.getByTestId('person-technician');
      await wang.waitFor();
      expect(await wang.getByTestId('person-phone').textContent()).toBe('138****0005');
      expect(await page.locator('[data-testid^="reveal-"]').count()).toBe(0);
      expect(await page.locator('[data-testid^="export-"]').count()).toBe(0);
      expect(await page.locator('body').textContent()).not.toContain('13800000005');
      await screenshot(page, `pii-people-masked-${width}`);
      await page.context().close();
    }
  });

  it('the admin reads masked by default and reveals with 显示完整号码, on the request and on the People list', async () => {
    for (const width of [1366, 360]) {
      const { page } = await newPage(browser, server.origin, { width, height: 860 });
      await login(page, 'admin', DEMO_PASSWORD);
      await page.goto(`/instances/${instanceId}`);
      const data = page.getByTestId('instance-data');
      await expect.poll(() => data.textContent()).toContain(MASKED);
      await page.getByRole('button', { name: '显示完整号码' }).click();
      await expect.poll(() => data.textContent()).toContain(PHONE);
      expect(await page.getByTestId('pii-revealed').textContent()).toBe('正在显示完整号码，本次查看已记入审计日志');
      await screenshot(page, `pii-instance-revealed-${width}`);
      await page.getByTestId('pii-hide').click();
      await expect.poll(() => data.textContent()).toContain(MASKED);

      await page.goto('/people');
      const wang = page.getByTestId('person-technician');
      await wang.waitFor();
      expect(await wang.getByTestId('person-phone').textContent()).toBe('138****0005');
      await wang.getByRole('button', { name: '显示完整号码' }).click();
      await expect.poll(() => wang.getByTestId('person-phone').textContent()).toBe('13800000005');
      await screenshot(page, `pii-people-revealed-${width}`);
      await page.context().close();
    }
  });

  // the rest on PGlite only: the masking above is what PostgreSQL must carry too
  if (kind === 'pglite') {
    it('the form designer says which fields hold personal data: the repair report\'s phone is one', async () => {
      const { page } = await newPage(browser, server.origin);
      await login(page, 'admin', DEMO_PASSWORD);
      await page.goto('/designer/forms/rp-report');
      await page.locator('button.pick', { hasText: '联系电话' }).click();
      const personal = page.getByTestId('field-personal');
      expect(await personal.inputValue()).toBe('phone');
      expect(await page.getByLabel('个人信息').locator('option:checked').textContent()).toBe('电话号码（打码显示）');
      await screenshot(page, 'pii-designer-field-1366');
      await page.context().close();
    });

    it('the admin exports a person\'s data and is asked to type the name before an erasure', async () => {
      const { page } = await newPage(browser, server.origin);
      await login(page, 'admin', DEMO_PASSWORD);
      await page.goto('/people');
      await page.getByTestId('person-cleaning').waitFor();
      const download = page.waitForEvent('download');
      await page.getByTestId('export-cleaning').click();
      expect((await download).suggestedFilename()).toMatch(/\.json$/);
      await expect.poll(() => page.getByTestId('people-notice').textContent()).toContain('已导出');
      await page.getByTestId('erase-cleaning').click();
      const panel = page.getByTestId('erase-panel');
      await panel.waitFor();
      const confirm = page.getByTestId('confirm-erase');
      expect(await confirm.isDisabled()).toBe(true);
      const name = ((await panel.locator('h2').textContent()) ?? '').replace(/^删除 /, '').replace(/ 的个人信息$/, '');
      await page.getByTestId('erase-confirm').fill(name);
      // the reason is asked too (kept in the audit line)
      expect(await confirm.isDisabled()).toBe(true);
      await page.getByTestId('erase-reason').fill('本人离职后书面申请删除');
      expect(await confirm.isDisabled()).toBe(false);
      await screenshot(page, 'pii-erase-confirm-1366');
      await confirm.click();
      await expect.poll(() => page.getByTestId('people-notice').textContent()).toContain('已删除个人信息');
      // the list is read again: the erased person holds no role any more
      await expect.poll(() => page.getByTestId('person-cleaning').count()).toBe(0);
      await page.context().close();
    });
  }
});
