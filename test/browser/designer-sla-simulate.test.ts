import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { applyJson, DEMO_PASSWORD } from './helpers.ts';

// Issue #7: the SLA policy editor without JSON (RP-2 on-site clock of the repair bundle) and
// Simulate with parameters. Ids get a per-run suffix so the suite also passes on a reused server.
const RUN = Date.now().toString(36).slice(-5);
const workflowId = `sim-params-${RUN}`;

/** Dispatch charges a call-out fee (params.calloutFeeFen) and arms a timer of params.lateAfterMinutes. */
const workflow = {
  kind: 'workflow',
  id: workflowId,
  title: { zh: '参数演练', en: 'Parameter drill' },
  roles: ['dispatcher', 'technician'],
  start: { roles: ['dispatcher'] },
  params: {
    lateAfterMinutes: { schema: { type: 'integer', minimum: 5, maximum: 240 }, default: 60, title: { zh: '超时分钟数', en: 'Minutes until late' } },
    calloutFeeFen: { schema: { type: 'integer', minimum: 0, maximum: 100000 }, default: 5000, title: { zh: '上门费', en: 'Call-out fee' } },
  },
  events: {
    DISPATCH: { label: { zh: '派单', en: 'Dispatch' }, roles: ['dispatcher'] },
    COMPLETE: { label: { zh: '完工', en: 'Complete' }, roles: ['technician'] },
  },
  delays: { overdue: { after: { amount: 'params.lateAfterMinutes', unit: 'minutes' } } },
  machine: {
    initial: 'open',
    states: {
      open: { on: { DISPATCH: { target: 'working', actions: [{ type: 'charge', params: { item: 'callout', amount: 'params.calloutFeeFen' } }] } } },
      working: { on: { COMPLETE: 'done' }, after: { overdue: 'late' } },
      late: { on: { COMPLETE: 'done' } },
      done: { type: 'final' },
    },
  },
};

let server: Server;
let browser: Browser;
let estateId = '';

async function asAdmin(): Promise<Page> {
  const { page } = await newPage(browser, server.origin);
  page.on('pageerror', (e) => console.error(`[admin] page error: ${e.message}`));
  await login(page, 'admin', DEMO_PASSWORD);
  const me = (await (await page.request.get('/api/auth/me')).json()) as { memberships: { estateId: string; role: string }[] };
  estateId = me.memberships.find((m) => m.role === 'admin')!.estateId;
  return page;
}

type Sla = { metrics: { id: string; goals: { when?: string; deadline: { after?: { amount: unknown } } }[]; onBreach: { ladder: { after: { after: { amount: unknown } }; notify: string[] }[] } }[] };
const onSiteOf = (doc: Sla) => doc.metrics.find((m) => m.id === 'on-site')!;

describe('SLA policy editor and Simulate with parameters in Chromium (#7)', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('SLA (RP-2): a goal target and an escalation rung edited without JSON move the preview, show in the JSON view, save and publish; a broken CEL condition is named at its field', async () => {
    const page = await asAdmin();
    // a role the company added to its catalogue (#17): the notify checkboxes offer it by its title
    expect((await page.request.post('/api/roles', { data: { estateId, key: 'night_watch', title: { zh: '夜班巡查', en: 'Night watch' } } })).status()).toBe(200);
    await page.goto(`/designer?estate=${estateId}`);
    await page.locator('[data-key="repair-clocks"]').click();
    await page.waitForURL(/\/designer\/sla\/repair-clocks/);
    await page.getByTestId('sla-start').fill('2026-09-25T17:50');
    const onSite = page.locator('[data-metric="on-site"]');
    const due = () => onSite.getByTestId('sla-due').first().textContent();
    const rungs = async () => (await onSite.getByTestId('sla-rung').allTextContents()).join(' | ');
    // from Friday 17:50: params.onSiteMinutes = 30 → due 18:20; at the breach the workflow's onSite escalation notifies,
    // and the SLA ladder's one rung tells the CS manager 15 minutes later
    await expect.poll(due).toMatch(/2026年9月25日 18:20/);
    await expect.poll(rungs).toBe('第 1 级 2026年9月25日 18:35 → 客服经理');
    await expect.poll(() => onSite.locator('[data-rung="0"]').getByLabel('夜班巡查', { exact: true }).count()).toBe(1);

    // the goal target: from the parameter to a fixed 45 minutes
    await page.getByTestId('m0-goal-0-mode').selectOption('fixed');
    await page.getByTestId('m0-goal-0-amount').fill('45');
    await expect.poll(due).toMatch(/2026年9月25日 18:35/);
    expect((await onSite.getByTestId('sla-warning').allTextContents()).join(' | ')).toMatch(/50%.*18:12.*\|.*80%.*18:26/);
    // the rung moved from 15 to 30 minutes after the breach, to the property manager as well; a second rung added an hour after
    await page.getByTestId('m0-rung-0-amount').fill('30');
    await onSite.locator('[data-rung="0"]').getByLabel('物业经理', { exact: true }).check();
    await page.getByTestId('m0-add-rung').click();
    await page.getByTestId('m0-rung-1-amount').fill('60');
    await expect.poll(rungs).toMatch(/^第 1 级 2026年9月25日 19:05 → 客服经理、物业经理 \| 第 2 级 2026年9月25日 19:35 → /);
    expect(await page.getByTestId('sla-lint-count').textContent()).toContain('未发现问题');
    await screenshot(page, 'designer-sla-editor');

    // the JSON view shows the edits; an edit there comes back to the structured editor
    await page.getByRole('tab', { name: 'JSON' }).click();
    const json = JSON.parse(await page.getByTestId('json-text').inputValue()) as Sla;
    expect(onSiteOf(json).goals[0]!.deadline.after!.amount).toBe(45);
    expect(onSiteOf(json).onBreach.ladder[0]).toEqual({ after: { after: { amount: 30, unit: 'minutes' } }, notify: ['cs_manager', 'property_manager'] });
    expect(onSiteOf(json).onBreach.ladder[1]!.after.after.amount).toBe(60);
    onSiteOf(json).goals[0]!.deadline.after!.amount = 40;
    await applyJson(page, JSON.stringify(json, null, 2));
    await page.getByRole('tab', { name: '结构化编辑' }).click();
    expect(await page.getByTestId('m0-goal-0-amount').inputValue()).toBe('40');
    await expect.poll(due).toMatch(/2026年9月25日 18:30/);

    // save as draft, then publish: the API stores the edited document
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toContain('已保存');
    const draft = (await (await page.request.get(`/api/definitions/drafts/sla/repair-clocks?estateId=${estateId}`)).json()) as { document: Sla };
    expect(onSiteOf(draft.document).goals[0]!.deadline.after!.amount).toBe(40);
    expect(onSiteOf(draft.document).onBreach.ladder[0]!.after.after.amount).toBe(30);
    await page.getByTestId('change-note').fill('RP-2: 40 min on site, second rung at 30 min');
    await page.getByRole('button', { name: '发布', exact: true }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toMatch(/已发布版本 \d+/);
    // the admin is told how many running repairs the worker re-times on the new version
    expect(await page.getByTestId('publish-result').textContent()).toMatch(/\d+ 个进行中的工单将按新策略重新计时/);
    const versions = (await (await page.request.get(`/api/definitions/versions?estateId=${estateId}&kind=sla&key=repair-clocks`)).json()) as { items: { id: string; version: number }[] };
    const latest = versions.items.toSorted((a, b) => b.version - a.version)[0]!;
    const stored = (await (await page.request.get(`/api/definitions/versions/${latest.id}`)).json()) as { document: Sla };
    expect(onSiteOf(stored.document).goals[0]!.deadline.after!.amount).toBe(40);
    expect(onSiteOf(stored.document).onBreach.ladder[0]!.notify).toEqual(['cs_manager', 'property_manager']);

    // a broken CEL condition: the zh message at the field, counted in the findings badge
    await page.locator('#m0-goal-0-when').fill("context.kind == ");
    await expect.poll(() => page.locator('#m0-goal-0-when-check').textContent()).toContain('表达式不完整');
    expect(await page.locator('#m0-goal-0-when').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.getByTestId('sla-lint-count').textContent()).toMatch(/\d+ 个错误/);
    expect(await page.getByTestId('sla-findings').textContent()).toContain('/metrics/0/goals/0/when');
    // an undeclared parameter is named at the amount field
    await page.getByTestId('m0-goal-0-mode').selectOption('expr');
    await page.locator('#m0-goal-0-amount-expr').fill('params.onSiteMinutez');
    await expect.poll(() => onSite.locator('[data-goal="0"]').getByTestId('field-error').allTextContents()).toContain('参数“onSiteMinutez”未在流程 params 中声明，您是不是要写 "onSiteMinutes"？');
    await screenshot(page, 'designer-sla-editor-errors');
    // the same finding in English after the language switch
    await page.getByTestId('locale').selectOption('en');
    await expect.poll(() => page.locator('#m0-goal-0-when-check').textContent()).toContain('incomplete');
    expect(await page.getByRole('tab', { name: 'Structured editor' }).count()).toBe(1);
    await page.getByTestId('locale').selectOption('zh-CN');

    // usable at 360 px: the editor fits without sideways scrolling
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(380);
    await page.context().close();
  }, 90_000);

  it('Simulate: parameters edited at their fields (yuan for fen) change the timer due instant and the charge when the same steps are rerun', async () => {
    const page = await asAdmin();
    const res = await page.request.post('/api/definitions/publish', { data: { estateId, kind: 'workflow', key: workflowId, changeNote: 'designer-sla-simulate browser test', document: workflow } });
    expect(res.status(), await res.text()).toBeLessThan(300);
    await page.goto(`/designer/workflows/${workflowId}/simulate?estate=${estateId}`);
    const late = page.locator('#param-lateAfterMinutes');
    const fee = page.locator('#param-calloutFeeFen');
    expect(await late.inputValue()).toBe('60');
    expect(await fee.inputValue()).toBe('50.00');
    expect(await page.getByTestId('sim-params-changed').textContent()).toContain('全部为默认值');

    // bad values: errors at the field, naming the parameter
    await fee.fill('12.345');
    await expect.poll(() => page.getByTestId('param-msg-calloutFeeFen').textContent()).toContain('“上门费”（calloutFeeFen） 须为金额（元，最多两位小数）');
    await late.fill('2');
    await expect.poll(() => page.getByTestId('param-msg-lateAfterMinutes').textContent()).toContain('不能小于 5');
    expect(await late.getAttribute('aria-invalid')).toBe('true');
    await late.fill('60');
    await fee.fill('50');
    await expect.poll(() => page.getByTestId('param-msg-calloutFeeFen').textContent()).toContain('calloutFeeFen');

    // run with the defaults: 09:00 dispatch charges ¥50.00 and arms the overdue timer for 10:00
    await page.getByTestId('sim-start-at').fill('2026-06-09T09:00');
    await page.getByRole('button', { name: '开始模拟' }).click();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toContain('open');
    await page.locator('[data-event="DISPATCH"][data-role="dispatcher"]').click();
    await page.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toContain('working');
    expect(await page.getByTestId('sim-timers').textContent()).toMatch(/2026年6月9日 10:00/);
    expect(await page.getByTestId('sim-log').textContent()).toContain('收费 callout ¥50.00');

    // 30 minutes and ¥80: rerun the same steps
    await page.getByTestId('sim-live-params').locator('summary').click();
    await late.fill('30');
    await fee.fill('80');
    await expect.poll(() => page.getByTestId('sim-params-changed').textContent()).toContain('2 个参数不同于默认值');
    expect(await page.getByTestId('param-msg-calloutFeeFen').textContent()).toContain('已改（默认 ¥50.00）');
    await page.getByTestId('sim-rerun').click();
    await expect.poll(() => page.getByTestId('sim-notice').textContent()).toContain('已用新参数重新运行 2 步');
    expect(await page.getByTestId('sim-timers').textContent()).toMatch(/2026年6月9日 09:30/);
    expect(await page.getByTestId('sim-log').textContent()).toContain('收费 callout ¥80.00');
    const running = await page.getByTestId('sim-run-params').textContent();
    expect(running).toContain('lateAfterMinutes = 30');
    expect(running).toContain('calloutFeeFen = ¥80.00');
    // +45 min: the 30-minute timer has fired (with the default 60 it would not have)
    await page.getByTestId('sim-plus-15m').click();
    await page.getByTestId('sim-plus-15m').click();
    await page.getByTestId('sim-plus-15m').click();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toContain('late');
    await screenshot(page, 'designer-simulate-params');
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(380);
    await screenshot(page, 'designer-simulate-params-360');
    await page.context().close();
  }, 90_000);
  it('Simulate: an estate calendar standing in for cn-statutory moves a working-time timer', async () => {
    const page = await asAdmin();
    const calendarId = `half-day-${RUN}`;
    const half = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '12:00']]]));
    const cal = await page.request.post('/api/calendars', { data: { estateId, changeNote: 'browser test', document: { kind: 'calendar', id: calendarId, title: { zh: '半天班', en: 'Mornings only' }, timeZone: 'Asia/Shanghai', inherits: 'cn-statutory', week: { ...half, sat: [], sun: [] } } } });
    expect(cal.status(), await cal.text()).toBeLessThan(300);
    const wf = {
      kind: 'workflow', id: `sim-cal-${RUN}`, title: { zh: '日历演练', en: 'Calendar drill' }, roles: ['dispatcher'], start: { roles: ['dispatcher'] },
      events: { DONE: { label: { zh: '完成', en: 'Done' }, roles: ['dispatcher'] } },
      delays: { due: { after: { amount: 2, unit: 'hours' }, working: true } },
      machine: { initial: 'waiting', states: { waiting: { on: { DONE: 'done' }, after: { due: 'late' } }, late: { on: { DONE: 'done' } }, done: { type: 'final' } } },
    };
    const res = await page.request.post('/api/definitions/publish', { data: { estateId, kind: 'workflow', key: wf.id, changeNote: 'browser test', document: wf } });
    expect(res.status(), await res.text()).toBeLessThan(300);
    await page.goto(`/designer/workflows/${wf.id}/simulate?estate=${estateId}`);
    expect(await page.getByTestId(`sim-cal-${calendarId}`).isChecked()).toBe(true);
    // Tuesday 2026-06-09 11:00 + 2 working hours on cn-statutory (09–12, 13–18) → 14:00 the same day
    await page.getByTestId('sim-start-at').fill('2026-06-09T11:00');
    await page.getByRole('button', { name: '开始模拟' }).click();
    await expect.poll(() => page.getByTestId('sim-timers').textContent()).toMatch(/2026年6月9日 14:00/);
    // on the mornings-only calendar: one hour today, one tomorrow → Wednesday 10:00
    await page.getByTestId('sim-live-params').locator('summary').click();
    await page.getByTestId('sim-default-calendar').selectOption(calendarId);
    await page.getByTestId('sim-rerun').click();
    await expect.poll(() => page.getByTestId('sim-timers').textContent()).toMatch(/2026年6月10日 10:00/);
    await screenshot(page, 'designer-simulate-calendar');
    await page.context().close();
  }, 60_000);

  it("Simulate starts from the values this estate installed the workflow's bundle with, says where each value comes from, resets to either, and keeps the order the bundle's files declare", async () => {
    const page = await asAdmin();
    const file = (path: string) => JSON.parse(readFileSync(new URL(`../../workflows/${path}`, import.meta.url), 'utf8')) as { version?: string; params?: object; parameters?: object };
    const names = async () => page.locator('[data-testid="sim-params"]').first().locator('[data-param]').evaluateAll((els) => els.map((e) => e.getAttribute('data-param')));
    const origin = async (name: string) => (await page.getByTestId(`param-origin-${name}`).first().textContent())?.trim();
    // lost-and-found installed again with ¥200.00 as the valuable threshold (the bundle's default is ¥100.00)
    const install = await page.request.post('/api/bundles/install', { data: { estateId, bundleId: 'lost-and-found', parameters: { valuableThresholdFen: 20000 } } });
    expect(install.status(), await install.text()).toBe(200);
    const read = (await (await page.request.get(`/api/bundles/installs/${((await install.json()) as { id: string }).id}/params`)).json()) as { parameters: Record<string, unknown>; order: { workflows: Record<string, string[]> } };
    expect(read.parameters).toEqual({ valuableThresholdFen: 20000 });
    const declared = [...Object.keys(file('lost-and-found/workflow.json').params!), ...Object.keys(file('lost-and-found/bundle.json').parameters!)];
    expect(read.order.workflows['lost-and-found']).toEqual(Object.keys(file('lost-and-found/workflow.json').params!));

    await page.goto(`/designer/workflows/lost-and-found/simulate?estate=${estateId}`);
    await page.getByTestId('sim-params').waitFor();
    expect(await names()).toEqual(declared); // the workflow file's params, then the bundle's
    const notes = (await page.getByTestId('sim-params-note').allTextContents()).join(' ');
    expect(notes).toContain(`lost-and-found@${file('lost-and-found/bundle.json').version!}`);
    expect(notes).toContain('声明顺序');
    const threshold = page.locator('#param-valuableThresholdFen');
    const cheap = page.locator('#param-cheapRetentionMonths');
    expect(await threshold.inputValue()).toBe('200.00');
    expect(await origin('valuableThresholdFen')).toBe('安装值');
    expect(await page.getByTestId('param-msg-valuableThresholdFen').textContent()).toContain('安装值（默认 ¥100.00）');
    expect(await origin('cheapRetentionMonths')).toBe('默认值'); // the bundle does not set it
    // each default says where its number comes from (issue #22)
    expect(await page.getByTestId('param-source-cheapRetentionMonths').textContent()).toContain('默认值出处：LF-4');
    expect(await page.getByTestId('param-source-valuableThresholdFen').textContent()).toContain('默认值出处：LF-4');
    await screenshot(page, 'designer-simulate-param-sources');
    expect(await page.getByTestId('sim-params-origins').textContent()).toContain('安装值 1 · 默认值 2 · 已改 0');

    // edits are marked as such, against both the installed value and the default
    await cheap.fill('6');
    await threshold.fill('300');
    await expect.poll(() => origin('cheapRetentionMonths')).toBe('已改');
    expect(await origin('valuableThresholdFen')).toBe('已改');
    expect(await page.getByTestId('param-msg-valuableThresholdFen').textContent()).toContain('已改（安装值 ¥200.00，默认 ¥100.00）');
    // back to the defaults, then to the installed values
    await page.getByTestId('sim-reset-defaults').click();
    await expect.poll(() => threshold.inputValue()).toBe('100.00');
    expect(await origin('valuableThresholdFen')).toBe('默认值');
    expect(await cheap.inputValue()).toBe('3');
    await page.getByTestId('sim-reset-installed').click();
    await expect.poll(() => threshold.inputValue()).toBe('200.00');
    expect(await origin('valuableThresholdFen')).toBe('安装值');
    expect(await origin('cheapRetentionMonths')).toBe('默认值');
    await page.getByTestId('locale').first().selectOption('en');
    await expect.poll(() => origin('valuableThresholdFen')).toBe('Installed');
    expect(await page.getByTestId('sim-reset-installed').textContent()).toContain('Reset to installed values');
    await page.getByTestId('locale').first().selectOption('zh-CN');
    await screenshot(page, 'designer-simulate-installed');

    // satisfaction-survey (installed by the demo, no bundle parameters): the file's order, which the stored document has lost
    await page.goto(`/designer/workflows/satisfaction-survey/simulate?estate=${estateId}`);
    await page.getByTestId('sim-params').waitFor();
    const surveyOrder = Object.keys(file('revisit-and-survey/survey.workflow.json').params!);
    const versions = (await (await page.request.get(`/api/definitions/versions?estateId=${estateId}&kind=workflow&key=satisfaction-survey`)).json()) as { items: { id: string; version: number }[] };
    const latest = versions.items.toSorted((a, b) => b.version - a.version)[0]!;
    const stored = (await (await page.request.get(`/api/definitions/versions/${latest.id}`)).json()) as { document: { params: object } };
    expect(Object.keys(stored.document.params)).not.toEqual(surveyOrder); // jsonb reorders keys
    expect(await names()).toEqual(surveyOrder);
    expect(new Set(await page.locator('[data-testid^="param-origin-"]').allTextContents())).toEqual(new Set(['默认值']));

    // a workflow published by hand runs with its defaults, and its params are sorted by title
    const hand = await page.request.post('/api/definitions/publish', { data: { estateId, kind: 'workflow', key: workflowId, changeNote: 'browser test: by hand', document: workflow } });
    expect(hand.status(), await hand.text()).toBeLessThan(300);
    await page.goto(`/designer/workflows/${workflowId}/simulate?estate=${estateId}`);
    await page.getByTestId('sim-params').waitFor();
    const byTitle = Object.entries(workflow.params).toSorted(([, a], [, b]) => a.title.zh.localeCompare(b.title.zh, 'zh-CN')).map(([n]) => n);
    expect(await names()).toEqual(byTitle);
    const handNotes = (await page.getByTestId('sim-params-note').allTextContents()).join(' ');
    expect(handNotes).toContain('不是从模板包安装的');
    expect(handNotes).toContain('按标题排序');
    expect(await page.getByTestId('sim-reset-installed').count()).toBe(0);
    expect(await page.getByTestId('param-source-lateAfterMinutes').textContent()).toContain('默认值未注明出处');

    // repair: a number the field documents give cites its rule, an invented one says so and why
    await page.goto(`/designer/workflows/repair/simulate?estate=${estateId}`);
    await page.getByTestId('sim-params').waitFor();
    expect(await page.getByTestId('param-source-majorRepairDays').textContent()).toContain('默认值出处：RP-3');
    await screenshot(page, 'designer-simulate-repair-param-sources');
    await page.goto(`/designer/workflows/complaint/simulate?estate=${estateId}`);
    await page.getByTestId('sim-params').waitFor();
    expect(await page.getByTestId('param-source-contactHours').getAttribute('data-source')).toBe('not-in-documents');
    expect(await page.getByTestId('param-source-contactHours').textContent()).toContain('默认值不在现场文件中：规程只要求责任部门先与业主联系');
    await page.context().close();
  }, 90_000);
});
