import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD, fillDate } from './helpers.ts';

// Issue #19, the second process built without the JSON pane: a goods-release pass (物品放行). The
// resident lists the items to carry out in a repeatable group (each item its name and quantity);
// the front desk approves it, which sends the resident a notice whose text carries a placeholder
// picked from the form (the carrier's name); security releases the goods at the gate. The process is
// published and run by the roles it names in the browser, each step checked on the screen, and the
// result (the items, the final state, the notice in the resident's notices) checked through the API.
const RUN = Date.now().toString(36).slice(-5);
const formId = `release-apply-${RUN}`;
const wfId = `goods-release-${RUN}`;

let server: Server;
let browser: Browser;
let admin: Page;
let estateId = '';
let instancePath = '';

async function as(username: string): Promise<Page> {
  const { page } = await newPage(browser, server.origin, { width: 1366, height: 768 });
  page.on('pageerror', (e) => console.error(`[${username}] page error: ${e.message}`));
  await login(page, username, DEMO_PASSWORD);
  return page;
}
async function apiGet<T>(page: Page, path: string): Promise<T> {
  const r = await page.request.get(path);
  expect(r.status(), path).toBe(200);
  return (await r.json()) as T;
}
async function publish(p: Page, note: string): Promise<string> {
  const result = p.getByTestId('publish-result');
  const before = (await result.count()) ? await result.textContent() : null;
  await p.getByTestId('change-note').fill(note);
  await p.getByRole('button', { name: /^(发布|Publish)$/ }).click();
  await expect.poll(async () => { const t = await result.textContent(); return t !== before && /已发布|无效|Published|Invalid/.test(t ?? ''); }).toBe(true);
  return (await result.textContent()) ?? '';
}
async function serverErrors(p: Page): Promise<number> {
  await p.waitForSelector('[data-testid="lint-count"][data-fresh="true"]');
  await p.waitForTimeout(200);
  return Number(await p.getByTestId('lint-count').getAttribute('data-errors'));
}
/** Screenshots `name` in Chinese, then (after a reload in English) as `name-en`; the page's draft must be saved first. */
async function shotZhEn(p: Page, name: string, open?: () => Promise<void>) {
  await screenshot(p, name);
  await p.evaluate(() => localStorage.setItem('ef-locale', 'en'));
  await p.reload();
  await open?.();
  await screenshot(p, `${name}-en`);
  await p.evaluate(() => localStorage.setItem('ef-locale', 'zh'));
  await p.reload();
}
/** Sets a checkbox that a re-render may be redrawing as it is clicked: clicks until it holds `on`. */
async function tick(box: ReturnType<Page['locator']>, on = true) {
  await expect.poll(async () => {
    if ((await box.isChecked()) !== on) await box.click();
    return box.isChecked();
  }, { timeout: 10_000 }).toBe(on);
}
/** Sends an event from the request's page (its button, then the event's form's submit) and waits for the new state. */
async function act(p: Page, event: string, state: string) {
  await p.locator(`button[data-event="${event}"]`).click();
  await p.getByRole('button', { name: '提交', exact: true }).click();
  await expect.poll(() => p.locator('[data-state]').first().getAttribute('data-state')).toBe(state);
}

describe('a goods-release pass with a repeatable group and a notice to the resident, built without JSON (#19)', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
    admin = await as('admin');
    estateId = (await apiGet<{ memberships: { estateId: string; role: string }[] }>(admin, '/api/auth/me')).memberships.find((m) => m.role === 'admin')!.estateId;
  }, 600_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('builds the application form: the carrier, the day, and the items as a repeatable group of name and quantity', async () => {
    const page = admin;
    await page.goto(`/designer/forms/${formId}?new=1&estate=${estateId}`);
    await page.getByLabel('名称（中文）', { exact: true }).fill('物品放行申请');
    await page.getByLabel('名称（英文）', { exact: true }).fill('Goods release application');
    for (const [key, palette, zh, en] of [['carrier', /\+ 单行文本/, '搬运人', 'Carrier'], ['moveDate', /\+ 日期$/, '搬出日期', 'Moving day']] as const) {
      await page.getByRole('button', { name: palette }).click();
      await page.getByLabel('字段名').fill(key);
      await page.getByLabel('字段名').press('Tab');
      await page.getByLabel('标签（中文）').fill(zh);
      await page.getByLabel('标签（英文）').fill(en);
      await page.getByRole('checkbox', { name: '必填', exact: true }).check();
    }
    // the repeatable group: a list of items, each with its own fields
    await page.getByRole('button', { name: /\+ 可重复分组/ }).click();
    const props = page.locator('aside.props');
    await props.getByLabel('字段名').first().fill('items');
    await props.getByLabel('字段名').first().press('Tab');
    await props.getByLabel('标签（中文）').first().fill('放行物品');
    await props.getByLabel('标签（英文）').first().fill('Items');
    await props.getByRole('checkbox', { name: '必填', exact: true }).first().check();
    await props.getByLabel('最少项数').fill('1');
    await props.getByLabel('最多项数').fill('10');
    const columns = page.getByTestId('group-columns');
    // the first column (a text) becomes the item's name; a number column its quantity
    const first = columns.locator('.column').nth(0);
    await first.getByTestId('column-key').fill('name');
    await first.getByTestId('column-key').press('Tab');
    await first.getByTestId('column-label-zh').fill('物品名称');
    await first.getByTestId('column-label-en').fill('Item');
    await first.getByTestId('column-required').check();
    await columns.getByTestId('new-column-widget').selectOption('number');
    await columns.getByTestId('add-column').click();
    const second = columns.locator('.column').nth(1);
    await second.getByTestId('column-key').fill('qty');
    await second.getByTestId('column-key').press('Tab');
    await second.getByTestId('column-label-zh').fill('数量');
    await second.getByTestId('column-label-en').fill('Quantity');
    await second.getByTestId('column-required').check();
    await screenshot(page, 'designer-release-group');

    // the preview validates the group as the server does: an item without its name is refused at the group
    const preview = page.getByTestId('preview');
    await preview.getByTestId('add-item-items').click();
    await page.locator('#pv-items-0-qty').fill('2');
    await page.locator('#pv-carrier').fill('张师傅');
    await fillDate(preview.locator('.date[data-date="moveDate"]'), '2026-12-20');
    await page.getByTestId('preview-check').click();
    await expect.poll(() => page.getByTestId('preview-result').getAttribute('data-errors')).not.toBe('0');
    await page.locator('#pv-items-0-name').fill('旧沙发');
    await expect.poll(() => page.getByTestId('preview-result').getAttribute('data-errors')).toBe('0');

    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toBe('已保存');
    const draft = await apiGet<{ document: { schema: { properties: Record<string, Record<string, unknown>>; required: string[] } } }>(page, `/api/definitions/drafts/form/${formId}?estateId=${estateId}`);
    expect(draft.document.schema.properties['items']).toMatchObject({
      type: 'array', minItems: 1, maxItems: 10,
      items: { type: 'object', properties: { name: { type: 'string' }, qty: { type: 'number' } }, required: ['name', 'qty'] },
    });
    expect(draft.document.schema.required).toEqual(expect.arrayContaining(['carrier', 'moveDate', 'items']));
    expect(await publish(page, '物品放行申请表')).toMatch(/已发布版本 1/);
  });

  it('draws the process: the resident starts it, the front desk approves with a notice to the resident, security releases', async () => {
    const page = admin;
    await page.goto(`/designer/workflows/${wfId}?new=1&estate=${estateId}`);
    await page.getByTestId('workflow-graph').locator('.svelte-flow__node').first().waitFor();
    await page.getByTestId('wf-title-zh').fill('物品放行');
    await page.getByTestId('wf-title-en').fill('Goods release pass');
    await page.getByTestId('wf-resident-description-zh').fill('搬出大件物品前申请放行条，前台审核后凭条出门。');
    await page.getByTestId('wf-resident-description-en').fill('Apply before carrying large items out; the front desk approves and the gate lets them through.');
    await page.getByTestId('wf-serial-prefix').fill(`gr${RUN.slice(-4)}`);
    await page.getByTestId('wf-category').selectOption('home');
    await page.getByTestId('wf-start-form').selectOption(formId);
    const startRoles = page.getByTestId('wf-start-roles');
    await tick(startRoles.getByLabel('住户'));
    await tick(startRoles.getByLabel('调度员'), false);

    await page.locator('.svelte-flow__node', { hasText: '待处理' }).click();
    await page.getByTestId('state-title-zh').fill('待审核');
    await page.getByTestId('state-title-en').fill('In review');
    for (const [key, zh, en, final] of [['approved', '待放行', 'To release', false], ['released', '已放行', 'Released', true]] as const) {
      await page.getByTestId('new-state').fill(key);
      if (final) await page.getByLabel('终止状态', { exact: true }).first().check();
      await page.getByRole('button', { name: /添加状态/ }).click();
      await page.getByTestId('state-title-zh').fill(zh);
      await page.getByTestId('state-title-en').fill(en);
    }
    for (const [from, ev, to, zh, en, role] of [['open', 'APPROVE', 'approved', '批准放行', 'Approve', '前台'], ['open', 'REJECT', 'closed', '驳回', 'Reject', '前台'], ['approved', 'RELEASE', 'released', '确认放行', 'Release', '安保']] as const) {
      await page.getByTestId('tr-from').selectOption(from);
      await page.getByTestId('tr-event').fill(ev);
      await page.getByTestId('tr-to').selectOption(to);
      await page.getByRole('button', { name: /添加流转/ }).click();
      await page.getByTestId('event-label-zh').fill(zh);
      await page.getByTestId('event-label-en').fill(en);
      await page.getByTestId('event-roles').getByLabel(role).check();
    }

    // the notice to the resident on approval: recipient, channel and a zh/en text with the carrier picked from the form
    await page.locator('g[data-id="open|on|APPROVE|0"]').dispatchEvent('click');
    await page.getByTestId('edge-props').waitFor();
    await page.getByTestId('add-action').selectOption('notify');
    const notice = page.locator('[data-testid="action"][data-type="notify"]');
    expect(await notice.getByTestId('action-to').inputValue()).toBe('resident');
    await notice.getByTestId('action-channel').selectOption('app');
    await notice.getByTestId('action-message-zh').fill('您的物品放行申请已批准，搬运人：');
    await notice.getByTestId('action-message-en').fill('Your goods release pass is approved; carrier: ');
    await notice.getByTestId('action-message-placeholder').selectOption('context.carrier');
    expect(await notice.getByTestId('action-message-zh').inputValue()).toBe('您的物品放行申请已批准，搬运人：{{context.carrier}}');
    // release records when: an assignment on RELEASE, its words described in the process panel (contextFields)
    await page.locator('g[data-id="approved|on|RELEASE|0"]').dispatchEvent('click');
    await page.getByTestId('edge-props').waitFor();
    await page.getByTestId('add-action').selectOption('assign');
    const assign = page.locator('[data-testid="action"][data-type="assign"]');
    await assign.getByRole('button', { name: '+' }).click();
    await assign.getByLabel('name').fill('releasedAt');
    await assign.getByLabel('name').press('Tab');
    await assign.locator('input.mono').nth(1).fill('now');
    await expect.poll(() => assign.getByTestId('expr-check').textContent()).toContain('✓');
    await page.getByTestId('process-button').click();
    await page.getByTestId('new-context-field').fill('releasedAt');
    await page.getByTestId('add-context-field').click();
    const cf = page.locator('[data-context-field="releasedAt"]');
    await cf.getByTestId('cf-title-zh').fill('放行时间');
    await cf.getByTestId('cf-title-en').fill('Released at');
    await cf.getByTestId('cf-widget').selectOption('datetime');
    await cf.getByTestId('cf-visibility').selectOption('roles');
    await cf.getByLabel('安保').check();
    await cf.getByTestId('cf-summary').check();
    expect(await serverErrors(page), (await page.getByTestId('lint').textContent()) ?? '').toBe(0);
    await screenshot(page, 'designer-release-notice');

    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toBe('已保存');
    const draft = await apiGet<{ document: { roles: string[]; start: { form: string; roles: string[] }; machine: { states: Record<string, { on?: Record<string, { target: string; actions?: unknown[] }> }> } } }>(page, `/api/definitions/drafts/workflow/${wfId}?estateId=${estateId}`);
    expect(draft.document.start).toEqual({ form: formId, roles: ['resident'] });
    expect(draft.document.roles).toEqual(expect.arrayContaining(['front_desk', 'security', 'resident']));
    expect((draft.document as unknown as { contextFields: unknown }).contextFields).toEqual({
      releasedAt: { title: { zh: '放行时间', en: 'Released at' }, widget: 'datetime', visibility: { roles: expect.arrayContaining(['security']) }, summary: true },
    });
    await cf.scrollIntoViewIfNeeded();
    await shotZhEn(page, 'designer-context-fields', async () => {
      await page.getByTestId('workflow-graph').locator('.svelte-flow__node').first().waitFor();
      await page.getByTestId('process-button').click();
      await page.locator('[data-context-field="releasedAt"]').scrollIntoViewIfNeeded();
    });
    await page.getByTestId('workflow-graph').locator('.svelte-flow__node').first().waitFor();
    expect(draft.document.machine.states['open']!.on!['APPROVE']!.actions).toEqual([
      { type: 'notify', params: { to: { resident: true }, channel: 'app', message: { zh: '您的物品放行申请已批准，搬运人：{{context.carrier}}', en: 'Your goods release pass is approved; carrier: {{context.carrier}}' } } },
    ]);
    expect(await publish(page, '物品放行第一版')).toMatch(/已发布版本 1/);
  });

  it('the resident applies with two items from the start page', async () => {
    const page = await as('resident');
    await page.goto(`/start?process=${wfId}`);
    await page.getByLabel(/搬运人/).fill('张师傅');
    await fillDate(page.getByRole('group', { name: /搬出日期/ }), '2026-12-20');
    for (const [i, name, qty] of [[0, '旧沙发', '1'], [1, '纸箱', '6']] as const) {
      await page.getByTestId('add-item-items').click();
      await page.locator(`[data-group="items"] [data-item="${i}"]`).getByLabel('物品名称').fill(name);
      await page.locator(`[data-group="items"] [data-item="${i}"]`).getByLabel('数量').fill(qty);
    }
    await screenshot(page, 'release-resident-start');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/\/instances\/[0-9a-f-]{36}/);
    instancePath = new URL(page.url()).pathname;
    await expect.poll(() => page.locator('[data-state]').first().getAttribute('data-state')).toBe('open');
    expect(await page.textContent('body')).toContain('待审核');
    await page.context().close();
  });

  it('the front desk approves it on the request page; security releases it', async () => {
    const desk = await as('front-desk');
    await desk.goto(instancePath);
    expect(await desk.locator('button[data-event="RELEASE"]').count()).toBe(0);
    await act(desk, 'APPROVE', 'approved');
    expect(await desk.textContent('body')).toContain('待放行');
    await desk.context().close();

    const guard = await as('security');
    await guard.goto(instancePath);
    expect(await guard.locator('button[data-event="APPROVE"]').count()).toBe(0);
    await act(guard, 'RELEASE', 'released');
    expect(await guard.textContent('body')).toContain('已放行');
    await screenshot(guard, 'release-released');
    await guard.context().close();
  });

  it('the result through the API: the items as entered, the final state, and the notice in the resident\'s notices', async () => {
    const resident = await as('resident');
    const id = instancePath.split('/').pop()!;
    const inst = await apiGet<{ state: unknown; data: Record<string, unknown>; status?: string }>(resident, `/api/instances/${id}`);
    expect(inst.data['items']).toEqual([{ name: '旧沙发', qty: 1 }, { name: '纸箱', qty: 6 }]);
    expect(JSON.stringify(inst.state)).toContain('released');
    const notices = await apiGet<{ items: { instanceId: string | null; payload: { message: { zh: string; en: string }; to: Record<string, unknown> } }[] }>(resident, `/api/notices?estateId=${estateId}`);
    const mine = notices.items.filter((n) => n.instanceId === id);
    expect(mine.map((n) => n.payload.message)).toEqual([{ zh: '您的物品放行申请已批准，搬运人：张师傅', en: 'Your goods release pass is approved; carrier: 张师傅' }]);
    expect(mine[0]!.payload.to).toEqual({ resident: true });
    // and on the resident's notices page
    const serial = ((await apiGet<{ serial: string }>(resident, `/api/instances/${id}`)).serial);
    await resident.goto('/notices');
    const shown = resident.locator(`[data-serial="${serial}"]`);
    await expect.poll(() => shown.count()).toBe(1);
    await screenshot(resident, 'release-resident-notices');
    expect(await shown.getByTestId('notice-message').textContent()).toContain('您的物品放行申请已批准，搬运人：张师傅');
    await resident.context().close();
  });

  it('never opened the JSON pane', async () => {
    expect(await admin.evaluate(() => Number(sessionStorage.getItem('ef.jsonPaneUses') ?? 0))).toBe(0);
  });
});
