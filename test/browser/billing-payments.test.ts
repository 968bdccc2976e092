import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { defaultPlan } from '@estateflow/billing';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD, fillDate } from './helpers.ts';

// Ids get a per-run suffix so the suite also passes against a reused server (EF_BROWSER_ORIGIN).
const RUN = Date.now().toString(36).slice(-5);
const scheduleId = `bp-fees-${RUN}`;
const planId = `bp-quarterly-${RUN}`;
const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;
const yuan = (fen: number) => new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).format(fen / 100).replace(/\s/g, '');
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).textContent()) ?? '').replace(/\s/g, '');

type Bill = { key: string; periodId: string; issueOn: string; outstandingFen: number; lateFeeFen: number; principalPaidFen: number };
type Receipt = { kind: 'payment' | 'refund'; serial: string; receivedOn: string; amountFen: number; method: string; creditFen: number; reason?: string; lines?: { billKey: string; component: string; amountFen: number }[] };

let server: Server;
let browser: Browser;
let estateId = '';
let unitId = '';
const unitLabel = '1-1-101';

async function as(username: string, viewport?: { width: number; height: number }): Promise<Page> {
  const { page } = await newPage(browser, server.origin, viewport);
  page.on('pageerror', (e) => console.error(`[${username}] page error: ${e.message}`));
  await login(page, username, DEMO_PASSWORD);
  return page;
}

async function json<T>(request: APIRequestContext, method: 'GET' | 'POST', path: string, data?: unknown): Promise<T> {
  const res = method === 'GET' ? await request.get(path) : await request.post(path, { data });
  const body = (await res.json()) as T;
  if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${JSON.stringify(body)}`);
  return body;
}

const unitState = async (request: APIRequestContext, unit = unitId) => {
  const q = `estateId=${estateId}&unitId=${unit}`;
  const bills = await json<{ asOf: string; items: Bill[] }>(request, 'GET', `/api/billing/bills?${q}`);
  const receipts = await json<{ items: Receipt[] }>(request, 'GET', `/api/billing/receipts?${q}`);
  const from = bills.items.map((b) => b.issueOn).sort()[0]!;
  const statement = await json<{ closingFen: number; creditFen: number; entries: { on: string; kind: string; amountFen: number; ref?: string; description: { zh: string; en: string } }[] }>(request, 'GET', `/api/billing/statements?${q}&from=${from}&to=${bills.asOf}`);
  return { asOf: bills.asOf, bills: bills.items.filter((b) => b.key.startsWith(`${planId}/`)), owed: bills.items.reduce((n, b) => n + b.outstandingFen, 0), receipts: receipts.items, statement };
};

describe('a cashier takes a payment on the bills page, in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('the demo\'s /bills is alive on first start: one quarter billed for every unit, with no late fee yet (#20)', async () => {
    const page = await as('finance');
    await page.goto('/bills');
    const rows = page.getByTestId('bills').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    // one period, dated relative to today: its payment notice is out, its final notice is not
    const periods = new Set((await rows.locator('td:nth-child(2)').allTextContents()).map((p) => p.trim()));
    expect(periods.size).toBe(1);
    // the period in words (2026年第4季度), never its id
    expect([...periods][0]).toMatch(/^\d{4}年第[1-4]季度$/);
    // not yet due, so nothing is in arrears and no late fee has accrued
    expect(await text(page, 'kpi-arrears')).toBe(yuan(0));
    expect(new Set((await rows.locator('td:nth-child(5)').allTextContents()).map((f) => f.replace(/\s/g, '')))).toEqual(new Set([yuan(0)]));
    // …01 flats are 89.37 m², …02 flats 126.54 m², residential at ¥2.50/m²·month: 3 months = ¥670.28 or ¥949.05
    for (const row of (await rows.allTextContents()).map((r) => r.replace(/\s/g, ''))) {
      const label = /^\d-\d-\d0\d/.exec(row)![0]; // the demo's labels: building-entrance-floor 0 number
      expect(row).toContain(label.endsWith('1') ? yuan(67028) : yuan(94905));
    }
    await screenshot(page, 'bills-demo');
    await page.context().close();
  });

  it('finance bills 2026-Q3 through the API, then records a payment in the UI: receipt, allocation and statement match the API; bad amounts change nothing (BL-2, BL-7, BL-8)', async () => {
    const page = await as('finance');
    const request = page.request;
    const me = await json<{ memberships: { estateId: string; role: string }[] }>(request, 'GET', '/api/auth/me');
    estateId = me.memberships[0]!.estateId;
    const unitPage = await json<{ items: { id: string; label: string }[] }>(request, 'GET', `/api/estates/${estateId}/units?limit=200`);
    const units = new Map(unitPage.items.map((u) => [u.label, u.id] as const));
    unitId = units.get(unitLabel)!;

    // a billing of its own beside the demo's: a fee schedule, a quarterly plan, two profiled units (with floor areas), a run
    await json(request, 'POST', '/api/billing/schedules', { estateId, document: { ...feeExample, id: scheduleId } });
    await json(request, 'POST', '/api/billing/plans', { estateId, document: defaultPlan('quarterly', { id: planId, feeSchedule: scheduleId }) });
    await json(request, 'POST', '/api/billing/units', { estateId, unitId, unitType: 'residential', areaSqm: '89.37' });
    await json(request, 'POST', '/api/billing/units', { estateId, unitId: units.get('1-1-102')!, unitType: 'shop', areaSqm: '160.75' });
    const run = await json<{ created: { unitId: string; totalFen: number }[] }>(request, 'POST', '/api/billing/runs', { estateId, plan: planId, period: '2026-Q3' });
    expect(run.created.find((b) => b.unitId === unitId)?.totalFen).toBe(67028); // 89.37 m² × ¥2.50 × 3 months = 670.275 → 670.28

    const before = await unitState(request);
    expect(before.bills).toHaveLength(1);
    expect(before.bills[0]!.lateFeeFen).toBeGreaterThan(0); // 2026-Q3 is in arrears since 2026-07-01 (BL-2)

    // find the unit by its number; its statement is what the API says
    await page.goto('/bills');
    await page.getByLabel('按房号查找').fill('1-1-10');
    await page.locator(`[data-testid="unit-hits"] button[data-unit="${unitLabel}"]`).click();
    await page.getByTestId('unit-account').waitFor();
    expect(await text(page, 'unit-outstanding')).toBe(yuan(before.owed));
    expect(await text(page, 'statement-closing')).toBe(yuan(before.statement.closingFen));
    expect(await page.getByTestId('unit-bills').locator('tbody tr').count()).toBe((await json<{ items: Bill[] }>(request, 'GET', `/api/billing/bills?estateId=${estateId}&unitId=${unitId}`)).items.length);

    // more decimals than fen: refused on the page, naming the field; nothing is sent
    const amount = page.getByLabel('实收金额（元）');
    await amount.fill('12.345');
    await page.getByRole('button', { name: '核对冲抵' }).click();
    await expect.poll(() => page.getByTestId('error-amountFen').textContent()).toContain('字段“实收金额（元）”');
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    // zero: the API refuses it and its zh message names the field
    await amount.fill('0');
    await page.getByRole('button', { name: '核对冲抵' }).click();
    await expect.poll(() => page.getByTestId('error-amountFen').textContent()).toBe('字段“amountFen”必须大于 0');
    const unchanged = await unitState(request);
    expect(unchanged.receipts).toEqual(before.receipts);
    expect(unchanged.owed).toBe(before.owed);

    // a part payment by WeChat, received today
    await amount.fill('500.00');
    await page.getByLabel('缴费方式').selectOption('wechat');
    // the allocation is shown before anything is written (#20)
    await page.getByRole('button', { name: '核对冲抵' }).click();
    await page.getByTestId('pay-review').waitFor();
    expect((await unitState(request)).receipts).toEqual(before.receipts);
    await page.getByRole('button', { name: '确认收款并开具收据' }).click();
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor();
    const after = await unitState(request);
    expect(after.receipts).toHaveLength(before.receipts.length + 1);
    const issued = after.receipts[0]!;
    expect(issued).toMatchObject({ amountFen: 50000, method: 'wechat', creditFen: 0 });
    expect(issued.lines).toEqual([{ billKey: before.bills[0]!.key, component: 'principal', amountFen: 50000 }]);
    expect(await text(page, 'receipt-serial')).toBe(issued.serial);
    expect(await text(page, 'receipt-amount')).toBe(yuan(50000));
    expect(await receipt.locator('tbody tr').count()).toBe(1);
    expect((await receipt.locator('tbody tr').textContent())?.replace(/\s/g, '')).toBe(`2026年第3季度本金${yuan(50000)}`);
    await receipt.getByRole('button', { name: '打印收据' }).waitFor();

    // the statement follows without a reload: the payment entry, the closing balance and what is owed
    expect(after.owed).toBeLessThan(before.owed);
    await expect.poll(() => text(page, 'unit-outstanding')).toBe(yuan(after.owed));
    expect(await text(page, 'statement-closing')).toBe(yuan(after.statement.closingFen));
    expect(after.statement.entries.filter((e) => e.kind === 'payment').map((e) => e.amountFen)).toContain(-50000);
    await expect.poll(() => page.getByTestId('statement').locator('tr[data-kind="payment"]').count()).toBe(after.statement.entries.filter((e) => e.kind === 'payment').length);
    await expect.poll(() => page.getByTestId('unit-receipts').locator('li').count()).toBe(after.receipts.length);
    expect(await page.getByTestId('payment-notice').textContent()).toContain(issued.serial);
    await screenshot(page, 'bills-payment');
    // the cashier's desk is usable at 360 px: no sideways scrolling of the page
    await page.setViewportSize({ width: 360, height: 800 });
    await expect.poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1366, height: 860 });

    // in English the API's error reads in English, still naming the field, and the money follows the locale
    await page.getByTestId('locale').first().selectOption('en');
    await page.getByLabel('Amount received (yuan)').fill('0');
    await page.getByRole('button', { name: 'Review allocation' }).click();
    await expect.poll(() => page.getByTestId('error-amountFen').textContent()).toBe('Field "amountFen" must be more than 0');
    expect(await text(page, 'receipt-amount')).toBe(new Intl.NumberFormat('en', { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' }).format(500).replace(/\s/g, ''));
    expect((await unitState(request)).receipts).toHaveLength(after.receipts.length);
    await page.getByTestId('locale').first().selectOption('zh-CN');
    await page.context().close();
  }, 90_000);

  it('finance overpays, refunds part of the credit after a confirmation, and a refund above the credit shows the API message at the amount field and changes nothing (BL-7, BL-8)', async () => {
    const page = await as('finance');
    const request = page.request;
    await page.goto('/bills');
    await page.getByLabel('按房号查找').fill(unitLabel);
    await page.locator(`[data-testid="unit-hits"] button[data-unit="${unitLabel}"]`).click();
    await page.getByTestId('unit-account').waitFor();
    const before = await unitState(request);
    expect(before.statement.creditFen).toBe(0);
    expect(before.owed).toBeGreaterThan(0);
    // no credit, no refund action
    expect(await page.getByTestId('refund').count()).toBe(0);

    // pay ¥150.00 more than is owed today: the rest is held as credit (预收)
    const overpaid = before.owed + 15000;
    await page.getByLabel('实收金额（元）').fill((overpaid / 100).toFixed(2));
    await page.getByLabel('缴费方式').selectOption('cash');
    await page.getByRole('button', { name: '核对冲抵' }).click();
    await page.getByRole('button', { name: '确认收款并开具收据' }).click();
    await page.getByTestId('refund').waitFor();
    const paid = await unitState(request);
    expect(paid.owed).toBe(0);
    expect(paid.statement.creditFen).toBe(15000);
    expect(paid.receipts[0]).toMatchObject({ amountFen: overpaid, creditFen: 15000 });
    expect(await text(page, 'refund-available')).toContain(yuan(15000));
    await expect.poll(() => text(page, 'statement-credit')).toBe(yuan(15000));

    // the amount starts at the whole credit; refund ¥40.00 of it by cash, after reviewing
    await page.getByTestId('refund-open').click();
    const refundAmount = page.getByLabel('退款金额（元）');
    expect(await refundAmount.inputValue()).toBe('150.00');
    await refundAmount.fill('40.00');
    await page.getByLabel('退款方式').selectOption('cash');
    // a reason is required: without one the page says so at the field and sends nothing
    await page.getByRole('button', { name: '下一步：核对' }).click();
    await expect.poll(() => page.getByTestId('refund-error-reason').textContent()).toBe('退款原因为必填项');
    expect(await page.getByTestId('refund-confirm').count()).toBe(0);
    await page.getByLabel('退款原因').fill('多缴退回');
    await page.getByRole('button', { name: '下一步：核对' }).click();
    const confirm = page.getByTestId('refund-confirm');
    await confirm.waitFor();
    expect((await confirm.textContent())?.replace(/\s/g, '')).toContain(`${unitLabel}的预收余额中退还${yuan(4000)}（现金，${paid.asOf}，原因：多缴退回）？退款后可退余额为${yuan(11000)}`);
    // nothing is sent before the confirmation
    expect((await unitState(request)).statement.creditFen).toBe(15000);
    await confirm.getByRole('button', { name: '确认退款' }).click();
    const slip = page.getByTestId('refund-slip');
    await slip.waitFor();
    const refunded = await unitState(request);
    expect(refunded.statement.creditFen).toBe(11000);
    const refundEntries = refunded.statement.entries.filter((e) => e.kind === 'refund');
    expect(refundEntries.map((e) => e.amountFen)).toEqual([4000]);
    // the refund has its own numbered slip (TK), listed beside the receipts, which keep theirs
    const slipItem = refunded.receipts[0]!;
    expect(slipItem).toMatchObject({ kind: 'refund', amountFen: 4000, reason: '多缴退回', receivedOn: paid.asOf });
    expect(slipItem.serial).toMatch(/^TK-\d{4}-\d{6}$/);
    expect(refunded.receipts.slice(1)).toEqual(paid.receipts);
    expect(refundEntries[0]!.description.zh).toBe(`退款 ${slipItem.serial}（多缴退回）`);
    expect(await text(page, 'refund-serial')).toBe(slipItem.serial);
    expect(await text(page, 'refund-amount')).toBe(yuan(4000));
    expect(await text(page, 'refund-credit-left')).toBe(yuan(11000));
    // the statement follows without a reload
    await expect.poll(() => text(page, 'statement-credit')).toBe(yuan(11000));
    await expect.poll(() => page.getByTestId('statement').locator('tr[data-kind="refund"]').count()).toBe(1);
    expect(await text(page, 'statement-closing')).toBe(yuan(refunded.statement.closingFen));
    expect(await text(page, 'refund-available')).toContain(yuan(11000));
    await screenshot(page, 'bills-refund');

    // more than the credit: the API refuses it (409 at amountFen); its message shows at the amount field and nothing changes
    const direct = await request.post('/api/billing/payments', { data: { estateId, unitId, kind: 'refund', amountFen: 50000, method: 'cash', reason: '全部退还' } });
    expect(direct.status()).toBe(409);
    const apiError = ((await direct.json()) as { error: { field: string; message: { zh: string; en: string } } }).error;
    expect(apiError.field).toBe('amountFen');
    await page.getByTestId('refund-open').click();
    expect(await refundAmount.inputValue()).toBe('110.00');
    await page.getByLabel('退款原因').fill('全部退还');
    await refundAmount.fill('500.00');
    await page.getByRole('button', { name: '下一步：核对' }).click();
    await page.getByTestId('refund-confirm').getByRole('button', { name: '确认退款' }).click();
    await expect.poll(() => page.getByTestId('refund-error-amountFen').textContent()).toBe(apiError.message.zh);
    expect(await refundAmount.getAttribute('aria-invalid')).toBe('true');
    const unchanged = await unitState(request);
    expect(unchanged.statement).toEqual(refunded.statement);
    expect(unchanged.receipts).toEqual(refunded.receipts);
    expect(await text(page, 'statement-credit')).toBe(yuan(11000));
    // the page's own check: not an amount in yuan, nothing sent
    await refundAmount.fill('1.234');
    await page.getByRole('button', { name: '下一步：核对' }).click();
    await expect.poll(() => page.getByTestId('refund-error-amountFen').textContent()).toContain('字段“退款金额（元）”');
    expect(await page.getByTestId('refund-confirm').count()).toBe(0);
    // in English the API's refusal reads in English
    await refundAmount.fill('500.00');
    await page.getByRole('button', { name: '下一步：核对' }).click();
    await page.getByTestId('refund-confirm').getByRole('button', { name: '确认退款' }).click();
    await expect.poll(() => page.getByTestId('refund-error-amountFen').textContent()).toBe(apiError.message.zh);
    await page.getByTestId('locale').first().selectOption('en');
    await expect.poll(() => page.getByTestId('refund-error-amountFen').textContent()).toBe(apiError.message.en);
    expect((await unitState(request)).statement).toEqual(refunded.statement);
    // the refund desk fits 360 px
    await page.setViewportSize({ width: 360, height: 800 });
    await expect.poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.getByTestId('locale').first().selectOption('zh-CN');
    await page.context().close();
  }, 90_000);

  it('finance refunds a credit on a chosen earlier date with a reason: a future date is refused at the date field, and the numbered TK slip shows date, amount, method, reason, cashier and unit (BL-7, BL-8)', async () => {
    const page = await as('finance');
    const request = page.request;
    const shopLabel = '1-1-102';
    const shopId = (await json<{ items: { id: string }[] }>(request, 'GET', `/api/estates/${estateId}/units?q=${shopLabel}`)).items[0]!.id;
    const { asOf: today } = await json<{ asOf: string }>(request, 'GET', `/api/billing/bills?estateId=${estateId}&unitId=${shopId}`);
    const daysBefore = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
    // three days ago the shop paid all it owed then and ¥200.00 more: ¥200.00 of credit since that day
    const owedThen = (await json<{ items: Bill[] }>(request, 'GET', `/api/billing/bills?estateId=${estateId}&unitId=${shopId}&asOf=${daysBefore(3)}`)).items.reduce((n, b) => n + b.outstandingFen, 0);
    await json(request, 'POST', '/api/billing/payments', { estateId, unitId: shopId, amountFen: owedThen + 20000, method: 'bank-transfer', receivedOn: daysBefore(3) });
    const before = await unitState(request, shopId);
    expect(before.statement.creditFen).toBe(20000);

    await page.goto('/bills');
    await page.getByLabel('按房号查找').fill(shopLabel);
    await page.locator(`[data-testid="unit-hits"] button[data-unit="${shopLabel}"]`).click();
    await page.getByTestId('unit-account').waitFor();
    await page.getByTestId('refund-open').click();
    // the day in the UI language's order (年 月 日 boxes), named by its label
    const date = page.getByRole('group', { name: '退款日期' });
    expect(await date.getAttribute('data-testid')).toBe('refund-date');
    expect(await date.getAttribute('data-value')).toBe(today);
    expect(await date.getAttribute('data-max')).toBe(today);
    await page.getByLabel('退款金额（元）').fill('50.00');
    await page.getByLabel('退款方式').selectOption('bank-transfer');
    await page.getByLabel('退款原因').fill('  商铺租户退租，退还部分预收  ');

    // a day after today: the API refuses it (422) and its message shows at the date field; nothing is written
    await fillDate(date, daysBefore(-1));
    await page.getByRole('button', { name: '下一步：核对' }).click();
    await page.getByTestId('refund-confirm').getByRole('button', { name: '确认退款' }).click();
    await expect.poll(() => page.getByTestId('refund-error-receivedOn').textContent()).toBe(`字段“receivedOn”不得晚于今天（${today}）`);
    expect(await date.locator('.year').getAttribute('aria-invalid')).toBe('true');
    expect(await unitState(request, shopId)).toEqual(before);

    // the day before yesterday, after reviewing date and reason
    await fillDate(date, daysBefore(2));
    await page.getByRole('button', { name: '下一步：核对' }).click();
    const confirm = page.getByTestId('refund-confirm');
    expect((await confirm.textContent())?.replace(/\s/g, '')).toContain(`${shopLabel}的预收余额中退还${yuan(5000)}（银行转账，${daysBefore(2)}，原因：商铺租户退租，退还部分预收）`);
    await confirm.getByRole('button', { name: '确认退款' }).click();
    const slip = page.getByTestId('refund-slip');
    await slip.waitFor();

    const after = await unitState(request, shopId);
    const issued = after.receipts[0]!;
    expect(issued).toMatchObject({ kind: 'refund', receivedOn: daysBefore(2), amountFen: 5000, method: 'bank-transfer', reason: '商铺租户退租，退还部分预收', creditFen: 15000 });
    expect(issued.serial).toMatch(/^TK-\d{4}-\d{6}$/);
    // numbered after the refund of the first unit in this estate and year
    const first = (await unitState(request)).receipts.find((r) => r.kind === 'refund')!;
    if (first !== undefined && first.serial.slice(3, 7) === issued.serial.slice(3, 7)) expect(Number(issued.serial.slice(-6))).toBeGreaterThan(Number(first.serial.slice(-6)));
    expect(after.statement.creditFen).toBe(15000);
    expect(after.statement.entries.filter((e) => e.kind === 'refund').map((e) => [e.on, e.description.zh, e.amountFen])).toEqual([[daysBefore(2), `退款 ${issued.serial}（商铺租户退租，退还部分预收）`, 5000]]);

    // the printable slip, as the API issued it
    expect(await slip.getAttribute('data-serial')).toBe(issued.serial);
    expect(await text(page, 'refund-serial')).toBe(issued.serial);
    expect(await text(page, 'refund-on')).toBe(daysBefore(2));
    expect(await text(page, 'refund-amount')).toBe(yuan(5000));
    expect(await text(page, 'refund-unit')).toBe(shopLabel);
    expect(await text(page, 'refund-cashier')).toContain('吴会计'); // the cashier by display name, never the username (#18)
    expect(await page.getByTestId('refund-reason').textContent()).toBe('商铺租户退租，退还部分预收');
    expect((await slip.textContent())?.replace(/\s/g, '')).toContain('银行转账');
    await slip.getByRole('button', { name: '打印退款凭证' }).waitFor();
    expect(await page.getByTestId('payment-notice').textContent()).toContain(issued.serial);
    // the unit's list shows the slip with its number and reason, and opens it again; the statement names it
    const listed = page.locator(`[data-testid="unit-receipts"] li[data-serial="${issued.serial}"]`);
    await listed.waitFor();
    expect(await listed.getAttribute('data-kind')).toBe('refund');
    expect(await listed.getByTestId('receipt-reason').textContent()).toBe('商铺租户退租，退还部分预收');
    await page.locator(`[data-testid="unit-receipts"] li[data-kind="payment"] button`).first().click();
    await page.getByTestId('receipt').waitFor();
    expect(await page.getByTestId('refund-slip').count()).toBe(0);
    await listed.getByRole('button').click();
    await expect.poll(() => page.getByTestId('refund-slip').getAttribute('data-serial')).toBe(issued.serial);
    await expect.poll(() => page.getByTestId('statement').locator('tr[data-kind="refund"]').textContent()).toContain(`退款 ${issued.serial}（商铺租户退租，退还部分预收）`);
    await screenshot(page, 'bills-refund-slip');
    await page.setViewportSize({ width: 360, height: 800 });
    await expect.poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.context().close();
  }, 90_000);

  it('a CS manager reads the same statement at 360 px without the payment form', async () => {
    const page = await as('cs-manager', { width: 360, height: 780 });
    await page.goto('/bills');
    await page.getByLabel('按房号查找').fill(unitLabel);
    await page.locator(`[data-testid="unit-hits"] button[data-unit="${unitLabel}"]`).click();
    await page.getByTestId('unit-account').waitFor();
    const state = await unitState(page.request);
    expect(await text(page, 'unit-outstanding')).toBe(yuan(state.owed));
    expect(await page.getByTestId('payment-form').count()).toBe(0);
    await page.getByTestId('read-only').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    const refused = await page.request.post('/api/billing/payments', { data: { estateId, unitId, amountFen: 100, method: 'desk' } });
    expect(refused.status()).toBe(403);
    await screenshot(page, 'bills-read-only-360');
    await page.context().close();
  }, 45_000);

  it('the dashboard still shows the revisit rate and the on-site share from the revisit report', async () => {
    const page = await as('property-manager');
    await page.goto('/dashboard');
    await page.getByTestId('kpi-revisit').waitFor();
    const report = await json<{ revisitRate: number | null; onSiteShare: number | null; onSiteRule: { values: string[] } }>(page.request, 'GET', `/api/reports/revisits?estateId=${estateId}`);
    expect(report.onSiteRule.values).toEqual(['onsite', 'visit']);
    const pct = (v: number | null) => (v == null ? '—' : new Intl.NumberFormat('zh-CN', { style: 'percent', maximumFractionDigits: 1 }).format(v));
    expect(await page.getByTestId('kpi-revisit').textContent()).toBe(pct(report.revisitRate));
    await page.context().close();
  }, 45_000);
});
