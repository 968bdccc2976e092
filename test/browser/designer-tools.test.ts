import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD, fixture } from './helpers.ts';

// Ids get a per-run suffix so the suite also passes against a reused server (EF_BROWSER_ORIGIN).
const RUN = Date.now().toString(36).slice(-5);
const formId = `sim-complete-${RUN}`;
const workflowId = `sim-timer-${RUN}`;

/** A small workflow whose `working` state moves to `late` after one hour. */
const workflow = {
  kind: 'workflow',
  id: workflowId,
  title: { zh: '超时升级演练', en: 'Overdue drill' },
  roles: ['dispatcher', 'technician'],
  start: { roles: ['dispatcher'] },
  events: {
    DISPATCH: { label: { zh: '派单', en: 'Dispatch' }, roles: ['dispatcher'] },
    COMPLETE: { label: { zh: '完工', en: 'Complete' }, roles: ['technician'], form: formId },
  },
  delays: { overdue: { after: { amount: 1, unit: 'hours' } } },
  machine: {
    initial: 'open',
    states: {
      open: {
        tasks: [{ id: 'dispatch', title: { zh: '派单', en: 'Dispatch' }, role: 'dispatcher', due: { after: { amount: 15, unit: 'minutes' } }, events: ['DISPATCH'] }],
        on: { DISPATCH: 'working' },
      },
      working: {
        tasks: [{ id: 'fix', title: { zh: '上门维修', en: 'Repair on site' }, role: 'technician', form: formId, events: ['COMPLETE'] }],
        on: { COMPLETE: 'done' },
        after: { overdue: 'late' },
      },
      late: { on: { COMPLETE: 'done' } },
      done: { type: 'final' },
    },
  },
};

let server: Server;
let browser: Browser;
let estateId = '';

async function as(username: string): Promise<Page> {
  const { page } = await newPage(browser, server.origin);
  page.on('pageerror', (e) => console.error(`[${username}] page error: ${e.message}`));
  await login(page, username, DEMO_PASSWORD);
  return page;
}

async function publishByApi(page: Page, kind: string, key: string, document: unknown): Promise<void> {
  const res = await page.request.post('/api/definitions/publish', { data: { estateId, kind, key, changeNote: 'designer-tools browser test', document } });
  expect(res.status(), await res.text()).toBeLessThan(300);
}

describe('designer tools in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('simulate: start with the start form, send an event with its form, jump time so a timer fires and the state changes', async () => {
    const page = await as('admin');
    const me = (await (await page.request.get('/api/auth/me')).json()) as { memberships: { estateId: string; role: string }[] };
    estateId = me.memberships.find((m) => m.role === 'admin')!.estateId;
    await publishByApi(page, 'form', formId, JSON.parse(fixture('qf-complete.form.json').replace('"qf-complete"', `"${formId}"`)));
    await publishByApi(page, 'workflow', workflowId, workflow);

    await page.goto(`/designer?estate=${estateId}`);
    await page.locator(`[data-simulate="${workflowId}"]`).click();
    await page.waitForURL(/\/simulate/);
    await page.getByTestId('sim-start-at').fill('2026-06-09T09:00');
    await page.getByRole('button', { name: '开始模拟' }).click();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toContain('open');
    expect(await page.getByTestId('sim-clock').textContent()).toMatch(/09:00/);
    expect(await page.getByTestId('sim-tasks').textContent()).toContain('派单');

    await page.locator('[data-event="DISPATCH"][data-role="dispatcher"]').click();
    await page.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toContain('working');
    expect(await page.getByTestId('sim-timers').textContent()).toMatch(/working\.overdue/);

    // +15 min: nothing due yet; +1 h: the overdue timer fires at 10:00 and moves the order to `late`
    await page.getByTestId('sim-plus-15m').click();
    await expect.poll(() => page.getByTestId('sim-notice').textContent()).toContain('没有到期的定时器');
    await page.getByTestId('sim-plus-1h').click();
    await expect.poll(() => page.getByTestId('sim-notice').textContent()).toContain('触发了 1 个定时器');
    expect(await page.getByTestId('sim-state').textContent()).toContain('late');
    expect(await page.locator('[data-testid="sim-log"] li[data-kind="timer"]').count()).toBe(1);
    expect(await page.getByTestId('sim-clock').textContent()).toMatch(/10:15/);
    await screenshot(page, 'designer-simulate-timer');

    // the technician's event validates its form like the runner does, then completes the order
    await page.locator('[data-event="COMPLETE"][data-role="technician"]').click();
    await page.getByRole('button', { name: '发送' }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    await page.getByLabel('维修内容').fill('更换水龙头阀芯');
    await page.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toContain('done');
    await screenshot(page, 'designer-simulate');
    await page.context().close();
  }, 60_000);

  it('SLA policy: the calendar preview shows due and warning instants for a known start, and follows an edit', async () => {
    const page = await as('admin');
    await page.goto(`/designer?estate=${estateId}`);
    await page.locator('[data-key="repair-clocks"]').click();
    await page.waitForURL(/\/designer\/sla\/repair-clocks/);
    // the Friday 2026-09-25 17:50 start: on site within params.onSiteMinutes = 30 min, warnings at 50 % and 80 %
    await page.getByTestId('sla-start').fill('2026-09-25T17:50');
    const onSite = page.locator('[data-metric="on-site"]');
    await expect.poll(() => onSite.getByTestId('sla-due').first().textContent()).toMatch(/2026年9月25日 18:20/);
    const warnings = await onSite.getByTestId('sla-warning').allTextContents();
    expect(warnings.join(' | ')).toMatch(/50%.*18:05.*\|.*80%.*18:14/);
    // editing a warning in the structured editor re-computes the preview
    await page.getByTestId('warning-on-site-0').fill('90');
    await expect.poll(async () => (await onSite.getByTestId('sla-warning').allTextContents()).join(' | ')).toMatch(/^\s*90%.*18:17.*\|.*80%.*18:14\s*$/);
    await screenshot(page, 'designer-sla');
    await page.context().close();
  }, 45_000);

  it('billing plans: the notice timeline of a period and the late fee of the README worked example', async () => {
    const page = await as('admin');
    await page.goto(`/designer?estate=${estateId}`);
    await page.getByTestId('tool-billing').click();
    await page.waitForURL(/\/designer\/billing/);
    await page.getByTestId('plan').selectOption('default:quarterly');
    await page.getByTestId('period').fill('2027-Q1');
    // packages/billing/README.md: 2027-Q1 payment notice 2026-12-01, reminder 2027-01-01, final notice 2027-02-09, recovery from 2027-02-15
    const timeline = page.getByTestId('notice-timeline');
    await expect.poll(() => timeline.locator('li[data-kind="final-notice"]').textContent()).toMatch(/2027年2月9日.*2027年2月14日/);
    expect(await timeline.locator('li[data-kind="payment-notice"]').textContent()).toMatch(/2026年12月1日.*2027年1月1日/);
    expect(await timeline.locator('li[data-kind="recovery"]').textContent()).toMatch(/2027年2月15日/);
    // 1,234.56 yuan unpaid until 2027-02-20: 51 days × 3 ‰ → 188.89 yuan, 1,423.45 to pay
    await page.getByTestId('amount').fill('1234.56');
    await page.getByTestId('paid-on').fill('2027-02-20');
    await expect.poll(() => page.getByTestId('late-fee').textContent()).toContain('¥188.89');
    expect(await page.getByTestId('late-days').textContent()).toBe('51');
    expect(await page.getByTestId('to-pay').textContent()).toContain('¥1,423.45');
    // paid by 2027-02-08, before the final notice: no fee
    await page.getByTestId('paid-on').fill('2027-02-08');
    await expect.poll(() => page.getByTestId('late-fee').textContent()).toContain('¥0.00');
    await page.getByTestId('paid-on').fill('2027-02-20');
    await screenshot(page, 'designer-billing');
    await page.getByTestId('locale').selectOption('en');
    await expect.poll(() => page.getByTestId('late-fee').textContent()).toContain('Late fee');
    await page.getByTestId('locale').selectOption('zh-CN');
    await page.context().close();
  }, 45_000);

  it('calendars: a new calendar with weekly hours and an imported holiday-cn year is saved through the API', async () => {
    const page = await as('admin');
    const calendarId = `office-${RUN}`;
    await page.goto(`/designer?estate=${estateId}`);
    await page.getByTestId('tool-calendars').click();
    await page.waitForURL(/\/designer\/calendars/);
    await page.getByTestId('new-calendar').click();
    await page.getByTestId('calendar-id').fill(calendarId);
    await page.getByTestId('calendar-title-zh').fill('客服中心工作时间');
    await page.getByTestId('week-sat').fill('09:00-12:00');
    const year = { year: 2027, papers: [], days: [
      { name: '元旦', date: '2027-01-01', isOffDay: true },
      { name: '春节', date: '2027-02-06', isOffDay: true },
      { name: '春节', date: '2027-02-07', isOffDay: false },
    ] };
    await page.getByTestId('calendar-import').setInputFiles({ name: '2027.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(year)) });
    await expect.poll(() => page.getByTestId('calendar-message').textContent()).toContain('已导入 2 个节假日、1 个调休上班日');
    expect(await page.getByTestId('calendar-holidays').locator('li').count()).toBe(2);
    await page.getByTestId('calendar-note').fill('browser test');
    await page.getByRole('button', { name: '保存并启用' }).click();
    await expect.poll(() => page.getByTestId('calendar-message').textContent()).toMatch(/已保存为版本 \d+/);
    // running requests on an SLA policy are re-timed on a published calendar; the admin is told how many
    expect(await page.getByTestId('calendar-message').textContent()).toMatch(/\d+ 个进行中的工单将按新日历重新计时/);
    await page.locator(`[data-calendar="${calendarId}"]`).waitFor();
    const saved = (await (await page.request.get(`/api/calendars/${calendarId}?estateId=${estateId}`)).json()) as { document: { week: Record<string, string[][]>; holidays: { date: string }[]; workdays: { date: string }[] } };
    expect(saved.document.week.sat).toEqual([['09:00', '12:00']]);
    expect(saved.document.week.mon).toEqual([['09:00', '12:00'], ['13:30', '17:30']]);
    expect(saved.document.holidays.map((d) => d.date)).toEqual(['2027-01-01', '2027-02-06']);
    expect(saved.document.workdays.map((d) => d.date)).toEqual(['2027-02-07']);
    await screenshot(page, 'designer-calendars');
    await page.context().close();
  }, 45_000);

  it('a resident\'s "my" page lists their requests, what waits for them and their bills, as the API answers', async () => {
    const page = await as('resident');
    await page.getByRole('link', { name: '我的', exact: true }).click();
    await page.waitForURL(/\/me$/);
    await page.getByRole('heading', { name: /您好/ }).waitFor();
    const instances = (await (await page.request.get('/api/instances')).json()) as { items: { status: string }[] };
    const tasks = (await (await page.request.get('/api/tasks?scope=role')).json()) as { items: unknown[] };
    expect(await page.getByTestId('me-open').textContent()).toBe(String(instances.items.filter((i) => i.status === 'active').length));
    expect(await page.getByTestId('me-requests').locator('li').count()).toBe(instances.items.length);
    expect(await page.getByTestId('me-waiting').textContent()).toBe(String(tasks.items.length));
    const me = (await (await page.request.get('/api/auth/me')).json()) as { memberships: { estateId: string }[] };
    const bills = (await (await page.request.get(`/api/billing/bills?estateId=${me.memberships[0]!.estateId}`)).json()) as { items: { outstandingFen: number }[] };
    if (bills.items.length) expect(await page.getByTestId('me-bills').locator('tbody tr').count()).toBe(bills.items.length);
    const owed = bills.items.reduce((n, b) => n + b.outstandingFen, 0);
    expect((await page.getByTestId('me-owed').textContent())?.replace(/\s/g, '')).toBe(new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).format(owed / 100).replace(/\s/g, ''));
    await screenshot(page, 'resident-me');
    await page.context().close();
  }, 45_000);
});
