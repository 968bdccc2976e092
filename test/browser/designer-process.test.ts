import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// Issue #19: an admin builds a parking-space lease without the JSON pane: the form (a pattern, a
// range and a fee computed from the months and the estate's monthly rent), the process (words, category, roles, start, state titles, a timer of the lease's months),
// an SLA policy drafted before the workflow is published, and a change reviewed before publishing.
// Ids get a per-run suffix so the suite also passes against a reused server (EF_BROWSER_ORIGIN).
const RUN = Date.now().toString(36).slice(-5);
const formId = `lease-apply-${RUN}`;
const wfId = `parking-lease-${RUN}`;

let server: Server;
let browser: Browser;
let page: Page;
let estateId = '';

async function apiGet<T>(path: string): Promise<T> {
  return page.evaluate(async (p) => (await fetch(p)).json(), path) as Promise<T>;
}
async function apiPost<T>(path: string, body: unknown): Promise<T> {
  return page.evaluate(async ([p, b]) => (await fetch(p as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })).json(), [path, body] as const) as Promise<T>;
}
/** Publishes with a change note and answers the result once it is the publish's (not an earlier save's). */
async function publish(p: Page, note: string): Promise<string> {
  const result = p.getByTestId('publish-result');
  const before = (await result.count()) ? await result.textContent() : null;
  await p.getByTestId('change-note').fill(note);
  await p.getByRole('button', { name: /^(发布|Publish)$/ }).click();
  await expect.poll(async () => { const t = await result.textContent(); return t !== before && /已发布|无效|Published|Invalid/.test(t ?? ''); }).toBe(true);
  return (await p.getByTestId('publish-result').textContent()) ?? '';
}
/** A demo user's API session (cookie) beside the admin's page: what the process's roles do, checked through the API. */
async function apiSession(username: string) {
  const r = await fetch(`${server.origin}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  expect(r.status).toBe(200);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return {
    call: async (method: string, path: string, json?: unknown, status?: number) => {
      const res = await fetch(`${server.origin}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json) });
      const out = (await res.json()) as Record<string, unknown>;
      if (status === undefined) expect(res.status, `${method} ${path}: ${JSON.stringify(out)}`).toBeLessThan(300);
      else expect(res.status, `${method} ${path}: ${JSON.stringify(out)}`).toBe(status);
      return out;
    },
  };
}
async function serverErrors(): Promise<number> {
  // the lint badge counts the page's findings and the server's, once the server has answered
  await page.waitForSelector('[data-testid="lint-count"][data-fresh="true"]');
  await page.waitForTimeout(200); // the page's own check runs 150 ms after the last edit
  return Number(await page.getByTestId('lint-count').getAttribute('data-errors'));
}

describe('a parking-space lease built in the designer without JSON (#19)', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
    ({ page } = await newPage(browser, server.origin, { width: 1366, height: 768 }));
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await login(page, 'admin', DEMO_PASSWORD);
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('builds the application form with a pattern, a range, a computed fee and help in one language only', async () => {
    await page.goto(`/designer/forms/${formId}?new=1`);
    estateId = new URL(page.url()).searchParams.get('estate') ?? (await apiGet<{ memberships: { estateId: string; role: string }[] }>('/api/auth/me')).memberships.find((m) => m.role === 'admin')!.estateId;
    for (const [key, palette, zh, en] of [['plate', /\+ 单行文本/, '车牌号', 'Plate'], ['months', /\+ 数字/, '租期（月）', 'Months']] as const) {
      await page.getByRole('button', { name: palette }).click();
      await page.getByLabel('字段名').fill(key);
      await page.getByLabel('字段名').press('Tab');
      await page.getByLabel('标签（中文）').fill(zh);
      await page.getByLabel('标签（英文）').fill(en);
      await page.getByRole('checkbox', { name: '必填', exact: true }).check();
    }
    await page.locator('[data-field="plate"] button.pick').click();
    await page.getByLabel('格式（正则）').fill('^[\\u4e00-\\u9fa5][A-Z][A-Z0-9]{5,6}$');
    await page.getByLabel('最多字符').fill('8');
    // help in Chinese only: the English falls back, and saving answers no JSON-pointer error
    await page.getByTestId('help-zh').fill('如 京A12345');
    await page.locator('[data-field="months"] button.pick').click();
    await page.getByLabel('最小值').fill('1');
    await page.getByLabel('最大值').fill('24');
    // the fee: months × the monthly rent (a parameter of the process), computed, never typed
    await page.getByRole('button', { name: /\+ 金额/ }).click();
    await page.getByLabel('字段名').fill('fee');
    await page.getByLabel('字段名').press('Tab');
    await page.getByLabel('标签（中文）').fill('租金');
    await page.getByLabel('标签（英文）').fill('Fee');
    await page.getByRole('checkbox', { name: '必填', exact: true }).check();
    await page.locator('#computed').fill('data.months * params.monthlyRateFen');
    await expect.poll(() => page.locator('label[for="computed"]').getByTestId('expr-check').textContent()).toContain('✓');
    expect(await page.getByTestId('field-readonly').isChecked()).toBe(true);
    // the preview computes it live with a sample rent and checks as the server does, errors at the field
    // a sample rent typed in yuan, as the parameter panel takes it (¥300 a month = 30000 fen)
    await page.locator('[data-testid="preview-params"] [data-param="monthlyRateFen"]').fill('300');
    await page.locator('#pv-months').fill('6');
    await expect.poll(() => page.getByTestId('locked-fee').getAttribute('data-value')).toBe('180000');
    expect(await page.getByTestId('locked-fee').textContent()).toContain('1,800.00');
    await page.locator('#pv-plate').fill('A123');
    await page.getByTestId('preview-check').click();
    await expect.poll(() => page.locator('#pv-plate-err').textContent()).toContain('车牌号：格式不正确');
    await page.locator('#pv-plate').fill('京A12345');
    await expect.poll(() => page.getByTestId('preview-result').getAttribute('data-errors')).toBe('0');
    await screenshot(page, 'designer-lease-form', { readme: true });
    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toBe('已保存');
    const draft = await apiGet<{ document: { schema: { properties: Record<string, Record<string, unknown>> }; layout: { sections: { fields: { field: string; help?: { zh?: string; en?: string } }[] }[] } } }>(`/api/definitions/drafts/form/${formId}?estateId=${estateId}`);
    // only the language typed is stored; readers of the other see it (fullText / i18n.text)
    expect(draft.document.layout.sections[0]!.fields.find((f) => f.field === 'plate')!.help).toEqual({ zh: '如 京A12345' });
    expect(draft.document.schema.properties['fee']).toMatchObject({ type: 'integer', 'x-computed': 'data.months * params.monthlyRateFen' });
    expect(await publish(page, '车位租赁申请表')).toMatch(/已发布版本 1/);
  });

  it('declares the process: words, category, roles, start form and who may start (residents too)', async () => {
    await page.goto(`/designer/workflows/${wfId}?new=1&estate=${estateId}`);
    await page.getByTestId('workflow-graph').locator('.svelte-flow__node').first().waitFor();
    await page.getByTestId('wf-title-zh').fill('车位租赁申请');
    await page.getByTestId('wf-title-en').fill('Parking space lease');
    await page.getByTestId('wf-description-zh').fill('前台审核申请，确认缴费后起租，租期满自动到期。');
    await page.getByTestId('wf-description-en').fill('The front desk reviews the application; the lease starts once payment is confirmed and ends when its months are up.');
    await page.getByTestId('wf-resident-description-zh').fill('申请小区车位，审核通过并缴费后即可使用。');
    await page.getByTestId('wf-resident-description-en').fill('Apply for a parking space; use it once approved and paid.');
    await page.getByTestId('wf-serial-prefix').fill(`pk${RUN.slice(-4)}`); // typed lower-case, stored upper-case; unique per run
    await page.getByTestId('wf-category').selectOption('home');
    await page.getByTestId('wf-start-form').selectOption(formId);
    const startRoles = page.getByTestId('wf-start-roles');
    await startRoles.getByLabel('住户').check();
    await startRoles.getByLabel('前台').check();
    await startRoles.getByLabel('调度员').uncheck();
    // the monthly rent the form's fee reads: a parameter with its title, value in yuan and the default's source
    await page.getByTestId('new-param-name').fill('monthlyRateFen');
    await page.getByTestId('add-param').click();
    const rate = page.locator('[data-testid="params-panel"] [data-param="monthlyRateFen"]');
    await rate.getByTestId('param-default').fill('300');
    expect(await rate.getByTestId('param-source').textContent()).toContain('默认值不在现场文件中');
    // its rules read and are typed in yuan like its value (stored in fen): the minimum 0 shows as 0.00,
    // a ceiling of ¥5000 and whole yuan (a multiple of ¥1) under the parameter's value rules
    expect(await rate.getByTestId('param-min').inputValue()).toBe('0.00');
    await rate.getByTestId('param-max').fill('5000');
    await rate.getByTestId('param-rules').locator('summary').click();
    await rate.getByTestId('param-multiple-of').fill('1.5x');
    expect(await rate.getByTestId('param-rule-error').textContent()).toContain('元');
    await rate.getByTestId('param-multiple-of').fill('1');
    expect(await rate.getByTestId('param-rule-error').count()).toBe(0);
    await rate.getByTestId('param-default').fill('300.50');
    // a value off the rule is refused in yuan (checked against the rule just set) and not stored
    expect(await rate.getByTestId('param-error').textContent()).toContain('¥1.00');
    await rate.getByTestId('param-default').fill('300');
    await screenshot(page, 'designer-param-rules');
    await rate.locator('details:not([data-testid="param-rules"]) summary').click();
    await rate.getByTestId('param-title-zh').fill('车位月租');
    await rate.getByTestId('param-title-en').fill('Monthly parking rent');

    // states with titles: the default "open" becomes the review, plus the lease and its end
    await page.locator('.svelte-flow__node', { hasText: '待处理' }).click();
    await page.getByTestId('state-title-zh').fill('待审核');
    await page.getByTestId('state-title-en').fill('In review');
    for (const [key, zh, en, final] of [['active', '租赁中', 'Leased', false], ['expired', '已到期', 'Expired', true]] as const) {
      await page.getByTestId('new-state').fill(key);
      if (final) await page.getByLabel('终止状态', { exact: true }).first().check();
      await page.getByRole('button', { name: /添加状态/ }).click();
      await page.getByTestId('state-title-zh').fill(zh);
      await page.getByTestId('state-title-en').fill(en);
    }
    // the lease expires after its months: a timer whose amount is the form's value
    await page.locator('.svelte-flow__node', { hasText: '租赁中' }).click();
    await page.getByTestId('new-timer-delay-amount').fill('int(context.months)');
    await page.getByTestId('new-timer-delay-unit').selectOption('months');
    await page.getByTestId('new-timer-to').selectOption('expired');
    await page.getByTestId('new-timer-name').fill('leaseEnd');
    await page.getByTestId('add-timer').click();
    await expect.poll(() => page.getByTestId('timer').count()).toBe(1);

    // transitions: approve by the front desk (ticking declares the role), reject
    for (const [ev, to, zh, en] of [['APPROVE', 'active', '审核通过', 'Approve'], ['REJECT', 'closed', '驳回', 'Reject']] as const) {
      await page.getByTestId('tr-from').selectOption('open');
      await page.getByTestId('tr-event').fill(ev);
      await page.getByTestId('tr-to').selectOption(to);
      await page.getByRole('button', { name: /添加流转/ }).click();
      await page.getByTestId('event-label-zh').fill(zh);
      await page.getByTestId('event-label-en').fill(en);
      await page.getByTestId('event-roles').getByLabel('前台').check();
    }
    await page.locator('.svelte-flow__node', { hasText: '已关闭' }).click();
    await page.getByTestId('state-title-zh').fill('已驳回');
    await page.getByTestId('state-title-en').fill('Rejected');

    await page.getByTestId('process-button').click();
    const declared = page.locator('[data-path="/roles"]');
    expect(await declared.getByLabel('前台').isChecked()).toBe(true);
    expect(await declared.getByLabel('住户').isChecked()).toBe(true);
    const errors = await serverErrors();
    await screenshot(page, 'designer-lease-process', { readme: true });
    expect(errors, (await page.getByTestId('lint').textContent()) ?? '').toBe(0);
  });

  it('links an error to the control that fixes it, and "saved" never sits next to a server error', async () => {
    // undeclaring the front desk breaks the transitions that name it: the finding opens the transition's roles
    await page.getByTestId('process-button').click();
    await page.locator('[data-path="/roles"]').getByLabel('前台').uncheck();
    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toMatch(/已保存草稿，但服务器检查发现 \d+ 个错误/);
    const finding = page.getByTestId('lint').locator('[data-path-link^="/events/APPROVE/roles"]').first();
    await finding.click();
    await page.getByTestId('edge-props').waitFor();
    expect(await page.locator('[data-path="/events/APPROVE/roles"]').evaluate((el) => el.classList.contains('flash') && el.contains(document.activeElement))).toBe(true);
    await page.getByTestId('event-roles').getByLabel('前台').uncheck();
    await page.getByTestId('event-roles').getByLabel('前台').check(); // re-declares it
    expect(await serverErrors()).toBe(0);
    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toBe('已保存');
    const check = await apiPost<{ valid: boolean }>('/api/definitions/validate', { estateId, document: (await apiGet<{ document: unknown }>(`/api/definitions/drafts/workflow/${wfId}?estateId=${estateId}`)).document });
    expect(check.valid).toBe(true);
  });

  it('adds a notice to the resident on rejection with structured controls and a placeholder from the form', async () => {
    await page.locator('g[data-id="open|on|REJECT|0"]').dispatchEvent('click');
    await page.getByTestId('edge-props').waitFor();
    await page.getByTestId('add-action').selectOption('notify');
    const notice = page.locator('[data-testid="action"][data-type="notify"]');
    expect(await notice.getByTestId('action-to').inputValue()).toBe('resident');
    await notice.getByTestId('action-channel').selectOption('sms');
    await notice.getByTestId('action-message-zh').fill('您的车位申请未通过，车牌 ');
    await notice.getByTestId('action-message-en').fill('Your parking application was declined, plate ');
    await notice.getByTestId('action-message-placeholder').selectOption('context.plate');
    // an assignment whose CEL is checked as typed, by the server's checker
    await page.getByTestId('add-action').selectOption('assign');
    const assign = page.locator('[data-testid="action"][data-type="assign"]');
    await assign.getByRole('button', { name: '+' }).click();
    await assign.getByLabel('name').fill('rejectedAt');
    await assign.getByLabel('name').press('Tab');
    const expr = assign.locator('input.mono').nth(1);
    await expr.fill('now +');
    await expect.poll(() => assign.getByTestId('expr-check').textContent()).not.toContain('✓');
    await expr.fill('now');
    await expect.poll(() => assign.getByTestId('expr-check').textContent()).toContain('✓');
    expect(await serverErrors()).toBe(0);
    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toBe('已保存');
    const draft = await apiGet<{ document: { machine: { states: { open: { on: { REJECT: { actions: unknown[] } } } } } } }>(`/api/definitions/drafts/workflow/${wfId}?estateId=${estateId}`);
    expect(draft.document.machine.states.open.on.REJECT.actions).toEqual([
      { type: 'notify', params: { to: { resident: true }, message: { zh: '您的车位申请未通过，车牌 {{context.plate}}', en: 'Your parking application was declined, plate {{context.plate}}' }, channel: 'sms' } },
      { type: 'assign', params: { values: { rejectedAt: 'now' } } },
    ]);
    await screenshot(page, 'designer-lease-actions', { readme: true });
  });

  it('drafts an SLA policy from the workflow page before the workflow is published', async () => {
    await page.getByTestId('new-sla').click();
    await page.waitForURL(/\/designer\/sla\/parking-lease-.*-sla\?/);
    await expect.poll(() => page.getByTestId('sla-lint-count').textContent()).toMatch(/未发现问题|No problems/);
    expect(await page.locator('details', { hasText: '版本记录' }).count()).toBe(0); // no other policy's history
    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toBe('已保存');
    const draft = await apiGet<{ document: { workflow: string; metrics: { start: { enter: string }[] }[] } }>(`/api/definitions/drafts/sla/${wfId}-sla?estateId=${estateId}`);
    expect(draft.document.workflow).toBe(wfId);
    expect(draft.document.metrics[0]!.start).toEqual([{ enter: 'open' }]);
  });

  it('publishes, then reviews a change in words with its JSON Patch and the running requests it reaches', async () => {
    await page.goto(`/designer/workflows/${wfId}?estate=${estateId}`);
    await page.getByTestId('workflow-graph').locator('.svelte-flow__node').first().waitFor();
    expect(await page.getByTestId('workflow-slas').textContent()).toContain('车位租赁申请时限');
    expect(await publish(page, '第一版')).toMatch(/已发布版本 1/);
    const versions = await apiGet<{ items: { version: number }[] }>(`/api/definitions/versions?estateId=${estateId}&kind=workflow&key=${wfId}`);
    expect(versions.items.map((v) => v.version)).toEqual([1]);

    await page.locator('g[data-id="open|on|APPROVE|0"]').dispatchEvent('click');
    await page.getByTestId('edge-props').waitFor();
    await page.getByTestId('event-roles').getByLabel('财务').check();
    const list = page.getByTestId('change-list');
    await expect.poll(() => list.locator('li').allTextContents()).toEqual(['流程增加角色 财务', '转换 审核通过 增加角色 财务']);
    expect(await page.getByTestId('review-impact').getAttribute('data-running')).toBe('0');
    await page.getByTestId('json-patch').locator('summary').click();
    expect(await page.getByTestId('json-patch').textContent()).toContain('/events/APPROVE/roles/1');
    await screenshot(page, 'designer-lease-review', { readme: true });
    expect(await publish(page, '财务也可审核')).toMatch(/已发布版本 2/);
    const v2 = await apiGet<{ items: { id: string; version: number }[] }>(`/api/definitions/versions?estateId=${estateId}&kind=workflow&key=${wfId}`);
    const doc = await apiGet<{ document: { events: { APPROVE: { roles: string[] } }; roles: string[] } }>(`/api/definitions/versions/${v2.items.find((v) => v.version === 2)!.id}`);
    expect(doc.document.events.APPROVE.roles).toEqual(['front_desk', 'finance']);
    expect((doc.document as unknown as { params: { monthlyRateFen: { schema: unknown } } }).params.monthlyRateFen.schema).toEqual({ type: 'integer', minimum: 0, maximum: 500000, multipleOf: 100 });
    expect(doc.document.roles).toContain('finance');
  });

  it('runs the lease: the server computes the fee from the months and ignores the fee the resident sent', async () => {
    const resident = await apiSession('resident');
    const { units } = (await resident.call('GET', `/api/processes?estateId=${estateId}`)) as { units: { id: string }[] };
    const started = await resident.call('POST', '/api/instances', { estateId, workflow: wfId, unitId: units[0]!.id, data: { plate: '京A12345', months: 6, fee: 1 } });
    const inst = await resident.call('GET', `/api/instances/${started.id as string}`);
    expect((inst.data as Record<string, unknown>)['fee']).toBe(180000);
    const refused = await resident.call('POST', '/api/instances', { estateId, workflow: wfId, unitId: units[0]!.id, data: { plate: '京A12345', months: 30 } }, 422);
    expect(JSON.stringify(refused)).toContain('/months');
  });

  it('finds the process on the designer home with its form and SLA policy, by search', async () => {
    await page.goto(`/designer?estate=${estateId}`);
    await page.getByTestId('designer-search').fill('车位租赁');
    const card = page.locator(`[data-process="${wfId}"]`);
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('车位租赁申请');
    expect(await card.locator(`a[data-key="${formId}"]`).count()).toBe(1);
    expect(await card.locator(`a[data-key="${wfId}-sla"]`).count()).toBe(1);
    expect(text).toContain('草稿'); // the SLA policy is still a draft
    expect(await page.locator('[data-process]').count()).toBeLessThanOrEqual(3);
    await screenshot(page, 'designer-home-search', { readme: true });
  });

  it('never opened the JSON pane', async () => {
    expect(await page.evaluate(() => Number(sessionStorage.getItem('ef.jsonPaneUses') ?? 0))).toBe(0);
  });
});
