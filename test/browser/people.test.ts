// People (issue #17) in Chromium: an admin adds a technician, who signs in, is made to change the
// given password and works a repair; the admin deactivates them: their session stops working and
// their open task goes to 王师傅 in the same step. On PGlite, and on PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';
import { databaseKinds } from '../support/db.ts';

const RUN = Date.now().toString(36).slice(-5);
const username = `li.shifu-${RUN}`;

for (const kind of databaseKinds()) describe(`people: adding, forcing a password change, deactivating, in Chromium, on ${kind}`, () => {
  let server: Server;
  let browser: Browser;
  let firstPassword = '';
  let tech: Page;
  let instanceId = '';

  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser(kind));
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('an admin adds a technician with a real name and gets a first password to hand over', async () => {
    const { page } = await newPage(browser, server.origin);
    await login(page, 'admin', DEMO_PASSWORD);
    await page.getByRole('link', { name: '人员' }).click();
    await page.waitForURL('**/people');
    await page.getByTestId('person-technician').waitFor();
    expect(await page.getByTestId('person-technician').textContent()).toContain('王师傅');
    const form = page.getByTestId('add-person');
    await form.getByLabel('真实姓名').fill('李国强');
    await form.getByLabel('显示名称').fill('李师傅');
    await form.getByLabel('登录名').fill(username);
    await form.getByLabel('手机号').fill('13912345678');
    await form.getByLabel('工号').fill('E0201');
    await form.getByLabel('角色', { exact: true }).selectOption('technician');
    await form.getByRole('button', { name: '创建账号' }).click();
    const notice = (await page.getByTestId('people-notice').textContent()) ?? '';
    firstPassword = /初始密码：([A-Za-z0-9]{12})/.exec(notice)?.[1] ?? '';
    expect(firstPassword).toHaveLength(12);
    await page.getByTestId(`person-${username}`).waitFor();
    expect(await page.getByTestId(`person-${username}`).textContent()).toContain('待改密码');
    await screenshot(page, 'people');
    await page.context().close();
  });

  it('the technician signs in, must change the given password first, then works a repair', async () => {
    ({ page: tech } = await newPage(browser, server.origin));
    await login(tech, username, firstPassword);
    await tech.waitForURL('**/account');
    await tech.getByTestId('must-change').waitFor();
    // nothing else opens until the password is changed
    await tech.goto('/inbox');
    await tech.waitForURL('**/account');
    await tech.locator('input[name="currentPassword"]').fill(firstPassword);
    await tech.locator('input[name="newPassword"]').fill('1234567890');
    await tech.locator('input[name="repeatPassword"]').fill('1234567890');
    await tech.getByRole('button', { name: '修改密码' }).click();
    await expect.poll(() => tech.getByTestId('account-error').textContent()).toContain('常见密码');
    await screenshot(tech, 'account-forced-change');
    await tech.locator('input[name="newPassword"]').fill('李师傅修水管2026');
    await tech.locator('input[name="repeatPassword"]').fill('李师傅修水管2026');
    await tech.getByRole('button', { name: '修改密码' }).click();
    await tech.waitForURL((u) => u.pathname === '/');

    // a dispatched repair waits for a technician: claim the visit, arrive, take the repair itself
    const tasks = (await (await tech.request.get('/api/tasks')).json()) as { items: { key: string; instanceId: string; assigneeId: string | null }[] };
    const attend = tasks.items.find((t) => t.key === 'attend' && !t.assigneeId);
    expect(attend).toBeTruthy();
    instanceId = attend!.instanceId;
    await tech.goto(`/instances/${instanceId}`);
    await tech.locator('li[data-task="attend"] [data-testid="claim"]').click();
    await expect.poll(() => tech.locator('li[data-task="attend"] [data-testid="task-holder"]').textContent()).toBe('李师傅');
    await tech.locator('button[data-event="ARRIVE"]').click();
    const submit = tech.getByRole('button', { name: '提交' });
    if (await submit.count()) await submit.click();
    await expect.poll(() => tech.locator('[data-state]').first().getAttribute('data-state')).toMatch(/repairing|quoting/);
    const next = tech.locator('li[data-status="open"]');
    await next.getByTestId('claim').click();
    await expect.poll(() => next.getByTestId('task-holder').textContent()).toBe('李师傅');
    await screenshot(tech, 'technician-repair');
  });

  it('the admin deactivates the technician: the open task goes to 王师傅 and the technician is signed out, in one step', async () => {
    const { page } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`[admin] page error: ${e.message}`));
    await login(page, 'admin', DEMO_PASSWORD);
    await page.goto('/people');
    await page.getByTestId(`deactivate-${username}`).click();
    const panel = page.getByTestId('deactivate-panel');
    await panel.waitFor();
    const picker = panel.locator('select[data-testid^="taker-"]');
    await expect.poll(() => picker.count()).toBe(1);
    // the picker lists staff only: the technician role by default, never residents
    await expect.poll(async () => (await picker.locator('option').allTextContents()).some((o) => o.includes('王师傅'))).toBe(true);
    const options = await picker.locator('option').allTextContents();
    expect(options.some((o) => o.includes('李师傅'))).toBe(false);
    expect(options.some((o) => o.includes('王先生'))).toBe(false);
    await screenshot(page, 'people-deactivate');
    await picker.selectOption({ label: options.find((o) => o.includes('王师傅'))! });
    await page.getByTestId('confirm-deactivate').click();
    expect(await page.getByTestId('people-notice').textContent()).toMatch(/已停用 李师傅：移交 1 项任务，退出 1 个登录/);
    await expect.poll(() => page.getByTestId(`person-${username}`).count()).toBe(0);

    // the technician's session stops working
    expect((await tech.request.get('/api/auth/me')).status()).toBe(401);
    await tech.goto(`/instances/${instanceId}`);
    await tech.waitForURL('**/login**');
    // and the task shows its new holder
    await page.goto(`/instances/${instanceId}`);
    await expect.poll(() => page.locator('li[data-status="open"] [data-testid="task-holder"]').textContent()).toBe('维修工 王师傅');
    await page.context().close();
    await tech.context().close();
  });
});
