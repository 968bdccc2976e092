// Residents' links (issue #17) in Chromium: the front desk verifies a newcomer's papers and links
// them to 1-1-102, gives a one-time link code for that unit; the demo resident (1-1-101) enters the
// code on /me, then sees 1-1-102's repair and never the complaint another household member raised.
// The front desk (residents_link, no people permission) gives a code that a newcomer with no account
// signs up with on the login page; the admin exports and erases that resident from the unit's residents.
// On PGlite; on PostgreSQL too when DATABASE_URL is set, the first two tests (the link-code flow).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';
import { databaseKinds } from '../support/db.ts';

const RUN = Date.now().toString(36).slice(-5);
const newcomer = `li.nvshi-${RUN}`;

const call = async (page: Page, method: 'GET' | 'POST', path: string, data?: unknown) => {
  const res = method === 'GET' ? await page.request.get(path) : await page.request.post(path, { data });
  const body = await res.json();
  expect(res.status(), JSON.stringify(body)).toBeLessThan(300);
  return body;
};

for (const kind of databaseKinds()) describe(`residents: verification, a link code on /me, and what the new home shows, in Chromium, on ${kind}`, () => {
  let server: Server;
  let browser: Browser;
  let estateId = '';
  let unit102 = '';
  let buildingId = '';
  let code = '';
  let repairId = '';
  let repairSerial = '';
  let complaintId = '';

  /** Opens Residents and homes on 1-1-102. */
  async function openUnit(page: Page): Promise<void> {
    await page.goto('/residents');
    await page.getByTestId('res-building').selectOption(buildingId);
    await page.locator(`[data-testid="res-unit"] option[value="${unit102}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('res-unit').selectOption(unit102);
    await page.getByTestId('issue-code').waitFor();
  }

  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser(kind));
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('the front desk checks a newcomer\'s papers, creates their account linked to 1-1-102 and gives a link code', async () => {
    const { page } = await newPage(browser, server.origin);
    await login(page, 'admin', DEMO_PASSWORD);
    estateId = (await call(page, 'GET', '/api/estates')).items[0].id;
    const [u] = (await call(page, 'GET', `/api/estates/${estateId}/units?q=1-1-102`)).items as { id: string; label: string; buildingId: string }[];
    unit102 = u!.id;
    buildingId = u!.buildingId;
    expect(unit102).not.toBe('');
    await page.getByRole('link', { name: '住户与房屋' }).first().click();
    await page.waitForURL('**/residents');
    await page.getByTestId('res-building').selectOption(buildingId);
    await page.locator(`[data-testid="res-unit"] option[value="${unit102}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('res-unit').selectOption(unit102);
    await page.getByTestId('new-account').click();
    const form = page.getByTestId('verify-form');
    await form.getByLabel('真实姓名').fill('李秀英');
    await form.getByLabel('显示名称').fill('李女士');
    await form.getByLabel('手机号').fill('13955550102');
    await form.getByLabel('登录名').fill(newcomer);
    await form.getByLabel('不动产权证书').check();
    await form.getByTestId('verify').click();
    const made = (await page.getByTestId('res-notice').textContent()) ?? '';
    expect(made).toContain('已为 李女士 创建住户账号并绑定 1栋1单元102室');
    const password = /初始密码：([A-Za-z0-9]{12})/.exec(made)?.[1] ?? '';
    expect(password).toHaveLength(12);
    // the unit's history names who verified
    await expect.poll(() => page.getByTestId('unit-residents').textContent()).toContain('前台核验（系统管理员 陈工）');
    // the newcomer signs in, replaces the given password, and raises a repair and a complaint for 1-1-102
    const { page: li } = await newPage(browser, server.origin);
    await login(li, newcomer, password);
    await li.waitForURL('**/account');
    await li.locator('input[name="currentPassword"]').fill(password);
    await li.locator('input[name="newPassword"]').fill('李女士的新家2026');
    await li.locator('input[name="repeatPassword"]').fill('李女士的新家2026');
    await li.getByRole('button', { name: '修改密码' }).click();
    await li.waitForURL((u) => u.pathname !== '/account');
    const repair = await call(li, 'POST', '/api/instances', { estateId, workflow: 'repair', unitId: unit102, data: { name: '李女士', unit: '1-1-102', phone: '13955550102', fault: '阳台下水堵塞', photos: [] } });
    repairId = repair.id;
    repairSerial = repair.serial;
    complaintId = (await call(li, 'POST', '/api/instances', { estateId, workflow: 'complaint', unitId: unit102, data: { channel: 'app', name: '李女士', unit: '1-1-102', against: '保洁', what: '楼道长期未打扫' } })).id;
    await li.context().close();
    // a link code for 1-1-102, as a tenant
    await openUnit(page);
    await page.getByTestId('code-kind').selectOption('tenant');
    await page.getByTestId('issue-code').click();
    const issued = (await page.getByTestId('res-notice').textContent()) ?? '';
    code = /绑定码：([2-9A-Z]{5}-[2-9A-Z]{5})/.exec(issued)?.[1] ?? '';
    expect(code).toHaveLength(11);
    expect(issued).toContain('1栋1单元102室（租户）');
    await screenshot(page, 'residents-zh-1366');
    await page.setViewportSize({ width: 360, height: 800 });
    await screenshot(page, 'residents-zh-360');
    await page.context().close();
  });

  it('the demo resident links 1-1-102 with the code on /me: its repair shows, the other household member\'s complaint does not', async () => {
    const { page } = await newPage(browser, server.origin);
    await login(page, 'resident', DEMO_PASSWORD);
    await page.goto('/me');
    const before = (await page.getByTestId('me-requests').textContent()) ?? '';
    expect(before).not.toContain(repairSerial);
    const form = page.getByTestId('link-home');
    // a wrong code first: refused in words, nothing linked
    await form.getByLabel('绑定码').fill('AAAAA-BBBBB');
    await form.getByRole('button', { name: '绑定' }).click();
    await expect.poll(() => page.getByTestId('link-error').textContent()).toContain('绑定码不正确');
    await form.getByLabel('绑定码').fill(code.toLowerCase());
    await form.getByRole('button', { name: '绑定' }).click();
    await expect.poll(() => page.getByTestId('link-notice').textContent()).toContain('已绑定 1栋1单元102室（租户）');
    await expect.poll(() => page.getByTestId('me-homes').textContent(), { timeout: 15_000 }).toContain('1栋1单元102室');
    expect(await page.getByTestId('me-homes').textContent()).toContain('1栋1单元101室');
    await expect.poll(() => page.getByTestId('me-requests').textContent(), { timeout: 15_000 }).toContain(repairSerial);
    expect(await page.locator(`[data-testid="me-requests"] a[href="/instances/${complaintId}"]`).count()).toBe(0);
    await screenshot(page, 'me-link-zh-1366');
    // the repair opens; the complaint is refused with the reason
    await page.goto(`/instances/${repairId}`);
    await expect.poll(() => page.locator('main').textContent()).toContain('阳台下水堵塞');
    const refused = await page.request.get(`/api/instances/${complaintId}`);
    expect(refused.status()).toBe(403);
    await page.goto('/instances');
    await expect.poll(() => page.locator('main').textContent()).toContain(repairSerial);
    expect(await page.locator(`a[href="/instances/${complaintId}"]`).count()).toBe(0);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto('/me');
    await page.getByTestId('me-homes').waitFor();
    await screenshot(page, 'me-link-zh-360');
    await page.context().close();
  });

  // the rest on PGlite only: the flow above is what PostgreSQL must carry too
  if (kind === 'pglite') {
    it('the front desk gives a code; a newcomer with no account signs up with it on the login page, sees 1-1-102\'s repair and not the complaint', async () => {
      // the front desk holds residents_link (not the people permission): Residents and homes, no People
      const { page: desk } = await newPage(browser, server.origin);
      await login(desk, 'front-desk', DEMO_PASSWORD);
      await expect.poll(() => desk.getByRole('link', { name: '住户与房屋' }).count()).toBeGreaterThan(0);
      expect(await desk.getByRole('link', { name: '人员', exact: true }).count()).toBe(0);
      await openUnit(desk);
      await desk.getByTestId('code-kind').selectOption('family');
      await desk.getByTestId('issue-code').click();
      const issued = (await desk.getByTestId('res-notice').textContent()) ?? '';
      const familyCode = /绑定码：([2-9A-Z]{5}-[2-9A-Z]{5})/.exec(issued)?.[1] ?? '';
      expect(familyCode).toHaveLength(11);
      // a front desk without the people permission neither exports nor erases
      expect(await desk.getByTestId('res-erase').count()).toBe(0);
      await desk.context().close();

      const { page } = await newPage(browser, server.origin);
      await page.goto('/login');
      await page.getByTestId('have-code').click();
      const form = page.getByTestId('signup-form');
      await form.getByTestId('signup-code').fill(familyCode);
      await form.getByTestId('signup-realName').fill('李小明');
      await form.getByTestId('signup-phone').fill('139');
      await form.getByTestId('signup-username').fill(`li.xiaoming-${RUN}`);
      await form.getByTestId('signup-password').fill('小明的家在一号楼102室');
      await page.getByTestId('signup-submit').click();
      // refused at the field it names, in words; nothing used up
      await expect.poll(() => page.getByTestId('signup-error').textContent()).toContain('手机号：');
      expect(await page.getByTestId('signup-phone').getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, 'signup-error-zh-1366');
      await form.getByTestId('signup-phone').fill('13955550199');
      await page.getByTestId('signup-submit').click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
      await page.goto('/me');
      await expect.poll(() => page.getByTestId('me-homes').textContent(), { timeout: 15_000 }).toContain('1栋1单元102室');
      await expect.poll(() => page.getByTestId('me-requests').textContent(), { timeout: 15_000 }).toContain(repairSerial);
      expect(await page.locator(`[data-testid="me-requests"] a[href="/instances/${complaintId}"]`).count()).toBe(0);
      expect((await page.request.get(`/api/instances/${complaintId}`)).status()).toBe(403);
      await page.setViewportSize({ width: 360, height: 800 });
      await page.goto('/login');
      await page.getByTestId('have-code').click();
      await screenshot(page, 'signup-zh-360');
      await page.context().close();
    });

    it('the admin exports a resident\'s data and erases it on request, with a reason, from the unit\'s residents', async () => {
      const { page } = await newPage(browser, server.origin);
      await login(page, 'admin', DEMO_PASSWORD);
      await openUnit(page);
      const row = page.getByTestId('unit-resident').filter({ hasText: '李小明' });
      const [file] = await Promise.all([page.waitForEvent('download'), row.getByTestId('res-export').click()]);
      expect(file.suggestedFilename()).toBe('李小明.json');
      await row.getByTestId('res-erase').click();
      const panel = row.getByTestId('erase-panel');
      await panel.getByTestId('erase-reason').fill('本人在服务中心书面申请');
      await panel.getByTestId('erase-confirm').fill('李小明');
      await screenshot(page, 'residents-erase-zh-1366');
      await panel.getByTestId('confirm-erase').click();
      await expect.poll(() => page.getByTestId('res-notice').textContent()).toContain('已删除个人信息');
      await expect.poll(() => page.getByTestId('unit-residents').textContent()).not.toContain('李小明');
      await page.context().close();
    });

    it('the admin records the tenant\'s move-out: history keeps the period, the repair is no longer theirs to see', async () => {
      const { page } = await newPage(browser, server.origin);
      await login(page, 'admin', DEMO_PASSWORD);
      await openUnit(page);
      const row = page.getByTestId('unit-resident').filter({ hasText: '租户' });
      await row.getByTestId('move-out').click();
      await row.getByTestId('confirm-move-out').click();
      await expect.poll(() => page.getByTestId('res-notice').textContent()).toMatch(/与 1栋1单元102室 的绑定于 .+ 结束/);
      await expect.poll(() => row.textContent()).toContain('已迁出');
      expect(await row.textContent()).toMatch(/2026年.+ 至 2026年/);
      await screenshot(page, 'residents-moved-out-zh-1366');
      await page.context().close();
      const { page: resident } = await newPage(browser, server.origin);
      await login(resident, 'resident', DEMO_PASSWORD);
      expect((await resident.request.get(`/api/instances/${repairId}`)).status()).toBe(403);
      await resident.goto('/me');
      await expect.poll(() => resident.getByTestId('me-homes').textContent()).not.toContain('1栋1单元102室');
      expect(await resident.getByTestId('me-requests').textContent()).not.toContain(repairSerial);
      await resident.context().close();
    });

    it('the admin edits a person\'s roles on People and sees a bundle\'s roles on the install page', async () => {
      const { page } = await newPage(browser, server.origin);
      await login(page, 'admin', DEMO_PASSWORD);
      await page.goto('/people');
      await page.getByTestId('edit-roles-security').click();
      const editor = page.getByTestId('role-editor');
      await editor.getByTestId(`role-in-${estateId}`).selectOption('duty_manager');
      await screenshot(page, 'people-roles-zh-1366');
      await editor.getByTestId('save-roles').click();
      await expect.poll(() => page.getByTestId('people-notice').textContent()).toContain('已更新');
      await expect.poll(() => page.getByTestId('person-security').textContent()).toContain('值班经理');
      await page.getByTestId('edit-roles-security').click();
      await page.setViewportSize({ width: 360, height: 800 });
      await screenshot(page, 'people-roles-zh-360');
      await page.setViewportSize({ width: 1366, height: 860 });
      await page.goto(`/designer/bundles?estate=${estateId}`);
      await expect.poll(() => page.getByTestId('bundle-complaint').textContent()).toContain('行政主管');
      // the demo company has every role the catalogue's bundles declare: nothing to consent to
      expect(await page.locator('[data-testid^="consent-"]').count()).toBe(0);
      await screenshot(page, 'bundles-zh-1366');
      await page.setViewportSize({ width: 360, height: 800 });
      await screenshot(page, 'bundles-zh-360');
      await page.context().close();
    });
  }
});
