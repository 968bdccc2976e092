import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { axeViolations, sidewaysOverflow } from './a11y.ts';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// issue #20: the cashier's day (日结/交班, 月末对账), arrears by building → units → a unit's statement, and a waiver asked and approved, on the demo
const yuan = (fen: number) => new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).format(fen / 100).replace(/\s/g, '');
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, '');

let server: Server;
let browser: Browser;

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

const estateOf = async (page: Page) => (await json<{ memberships: { estateId: string }[] }>(page.request, 'GET', '/api/auth/me')).memberships[0]!.estateId;
const unitsOf = async (page: Page, estateId: string) => (await json<{ items: { id: string; label: string }[] }>(page.request, 'GET', `/api/estates/${estateId}/units?limit=10`)).items;

describe("the cashier's day and the arrears drill-down, in Chromium", () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 600_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it("the front desk's day: takings by method against the receipts' serial range, the close, and a payment after it (日结/交班)", async () => {
    const page = await as('front-desk');
    const estateId = await estateOf(page);
    const [u1, u2] = await unitsOf(page, estateId);
    const pay = (unitId: string, amountFen: number, method: string) => json<{ receipt: { serial: string } }>(page.request, 'POST', '/api/billing/payments', { estateId, unitId, amountFen, method });
    const a = await pay(u1!.id, 10000, 'cash');
    const b = await pay(u2!.id, 5050, 'wechat');

    await page.goto('/billing/day');
    await page.getByTestId('day-takings').waitFor();
    expect(await text(page, 'day-takings-in')).toBe(yuan(15050));
    expect((await page.getByTestId('day-takings').locator('tr[data-method="cash"]').textContent())?.replace(/\s/g, '')).toContain(yuan(10000));
    expect((await page.getByTestId('day-takings').locator('tr[data-method="wechat"]').textContent())?.replace(/\s/g, '')).toContain(yuan(5050));
    expect(await text(page, 'day-takings-receipts')).toContain(`${a.receipt.serial}至${b.receipt.serial}`);
    await page.getByTestId('day-takings-balanced').waitFor();
    await page.getByTestId('day-not-closed').waitFor();
    expect(await page.getByTestId('day-entries').locator('tbody tr').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'cashier-day-open');

    await page.getByLabel('交班备注').fill('现金已交财务');
    await page.getByTestId('day-close').click();
    expect(await text(page, 'day-closed')).toContain(yuan(15050));
    await expect.poll(() => page.getByTestId('day-closes').locator('li').count()).toBe(1);
    expect(await text(page, 'day-closes')).toContain('前台赵丽');

    // money taken after the close shows as after-close until the next close
    const c = await pay(u1!.id, 2000, 'alipay');
    await page.reload();
    await page.getByTestId('day-open').waitFor();
    expect(await text(page, 'day-open')).toContain(yuan(2000));
    expect(await page.locator(`tr[data-serial="${c.receipt.serial}"]`).textContent()).toContain('日结后');
    expect(await page.locator(`tr[data-serial="${a.receipt.serial}"]`).textContent()).toContain('第 1 次日结');
    await screenshot(page, 'cashier-day-after-close');
    await page.context().close();

    // at 360 px it fits and reads the same
    const narrow = await as('front-desk', { width: 360, height: 800 });
    await narrow.goto('/billing/day');
    await narrow.getByTestId('day-takings').waitFor();
    expect(await sidewaysOverflow(narrow)).toBeNull();
    await screenshot(narrow, 'cashier-day-360');
    await narrow.context().close();

    // finance reads the month by method and by cashier (月末对账, PS-7)
    const fin = await as('finance');
    await fin.goto('/billing/day');
    await fin.getByTestId('month').waitFor();
    expect(await text(fin, 'month-takings-in')).toBe(yuan(17050));
    expect(await text(fin, 'month-cashiers')).toContain('前台赵丽');
    expect(await axeViolations(fin)).toEqual([]);
    await screenshot(fin, 'cashier-month');
    await fin.context().close();
  }, 240_000);

  it('arrears by building in ageing buckets → a building\'s units → a unit\'s statement, and a waiver asked at the desk and approved by finance lowers it', async () => {
    const page = await as('finance');
    const estateId = await estateOf(page);
    // bill the quarter before the current one: it is past due now, with late fee
    const options = await json<{ plans: { id: string; periods: { id: string }[] }[] }>(page.request, 'GET', `/api/billing/run-options?estateId=${estateId}`);
    const plan = options.plans.find((p) => p.id === 'quarterly') ?? options.plans[0]!;
    await json(page.request, 'POST', '/api/billing/runs', { estateId, plan: plan.id, period: plan.periods[0]!.id });
    const api = await json<{ totalFen: number; buildings: { buildingId: string; building: string; totalFen: number }[] }>(page.request, 'GET', `/api/billing/arrears/buildings?estateId=${estateId}`);
    expect(api.totalFen).toBeGreaterThan(0);

    await page.goto('/billing/arrears');
    await page.getByTestId('arrears-buildings').waitFor();
    expect(await text(page, 'arrears-total')).toBe(yuan(api.totalFen));
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'arrears-buildings');

    const first = api.buildings[0]!;
    await page.getByTestId('arrears-buildings').getByRole('link', { name: first.building, exact: true }).click();
    await page.getByTestId('arrears-units').waitFor();
    const rows = page.getByTestId('arrears-units').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const label = (await rows.first().getAttribute('data-unit'))!;
    await rows.first().getByRole('link', { name: label, exact: true }).click();
    await page.getByTestId('unit-account').waitFor();
    expect(await page.getByTestId('unit-account').getAttribute('data-unit')).toBe(label);
    // the statement balances to what the drill-down says the unit owes (one figure, settleAccount's)
    const drill = await json<{ units: { unitId: string; unitLabel: string; totalFen: number }[] }>(page.request, 'GET', `/api/billing/arrears/building?estateId=${estateId}&buildingId=${first.buildingId}`);
    const unit = drill.units.find((u) => u.unitLabel === label)!;
    const bills = await json<{ asOf: string; items: { payBy: string; outstandingFen: number }[] }>(page.request, 'GET', `/api/billing/bills?estateId=${estateId}&unitId=${unit.unitId}`);
    const sumOf = (xs: { outstandingFen: number }[]) => xs.reduce((n, b) => n + b.outstandingFen, 0);
    // the statement's 未缴 is every issued bill's; the arrears are the part past its due date
    expect(sumOf(bills.items.filter((b) => b.payBy < bills.asOf))).toBe(unit.totalFen);
    const owed = sumOf(bills.items);
    expect(await text(page, 'unit-outstanding')).toBe(yuan(owed));
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'arrears-unit-statement');

    // the desk asks to waive 10.00 of that unit's late fee; finance approves; the arrears fall by exactly that
    const desk = await as('front-desk');
    await desk.goto('/billing/waivers');
    await desk.getByLabel('按房号查找').fill(label);
    await desk.getByRole('button', { name: new RegExp(`^${label}`) }).first().click();
    await desk.getByTestId('waiver-form').waitFor();
    await desk.getByTestId('waiver-component').selectOption('late-fee');
    await desk.getByTestId('waiver-amount').fill('10.00');
    await desk.getByTestId('waiver-reason').fill('困难户，经理同意');
    await desk.getByTestId('waiver-submit').click();
    await desk.locator('[data-testid="waiver-notice"], [data-testid="waiver-error"]').first().waitFor();
    expect(await desk.getByTestId('waiver-error').count(), (await desk.getByTestId('waiver-error').textContent().catch(() => '')) ?? '').toBe(0);
    await desk.locator('tr[data-status="pending"]').first().waitFor();
    expect(await axeViolations(desk)).toEqual([]);
    await screenshot(desk, 'waiver-asked');
    await desk.context().close();

    await page.goto('/billing/waivers');
    await page.getByTestId('waiver-approve').first().click();
    await page.locator('tr[data-status="approved"]').first().waitFor();
    await screenshot(page, 'waiver-approved');
    await page.goto(`/billing/arrears?estate=${estateId}&building=${first.buildingId}&unit=${unit.unitId}`);
    await page.getByTestId('unit-account').waitFor();
    expect(await text(page, 'unit-outstanding')).toBe(yuan(owed - 1000));
    expect(await page.getByTestId('unit-account').textContent()).toContain('减免：困难户，经理同意');
    expect(await text(page, 'arrears-total')).toBe(yuan(api.totalFen - 1000));
    await page.context().close();
  }, 240_000);
});
