import { periodWords } from '@estateflow/billing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amountInWords, parseAreaHundredths, yuanToFen } from '@estateflow/billing';
import { join } from 'node:path';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, screenshotDir, type Server } from './harness.ts';
import { DEMO_PASSWORD, setArea } from './helpers.ts';

// issue #20, "Tests": finance runs the whole fee cycle on the quick start's demo in one sequence, with page
// actions only (no API calls of the test's own): edit the rate, set two units' areas, run a quarter (preview,
// then run), take a payment at the counter with a receipt, and see that unit's arrears fall.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let server: Server;
let browser: Browser;

const fenOf = (money: string): number => {
  const fen = yuanToFen(money.replace(/[^\d.]/g, ''));
  if (fen === undefined) throw new Error(`not money: ${money}`);
  return fen;
};
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, '');

/** A quarter's management fee in fen from what was typed: area (m², 2 decimals) × rate (yuan/m²·month) × 3 months, rounded half up once (BL-1). */
const quarterFen = (area: string, rate: string): number => {
  const exact = parseAreaHundredths(area)! * BigInt(yuanToFen(rate)!) * 3n; // in 1/100 fen
  return Number((exact + 50n) / 100n);
};

/** The arrears of one unit on /billing/arrears, drilled down from its building (0 when the unit is not listed). */
async function unitArrears(page: Page, building: string, label: string): Promise<number> {
  await page.getByRole('link', { name: '欠费账龄', exact: true }).first().click();
  await page.waitForURL('**/billing/arrears**');
  await page.getByTestId('arrears-total').waitFor();
  const link = page.getByTestId('arrears-buildings').locator(`tr[data-building="${building}"] a`);
  if (!(await link.count())) return 0;
  await link.click();
  await page.getByTestId('arrears-units').waitFor();
  const row = page.getByTestId('arrears-units').locator(`tr[data-unit="${label}"]`);
  if (!(await row.count())) return 0;
  return fenOf((await row.locator('strong').textContent()) ?? '');
}

describe('finance runs the whole fee cycle from the demo, in Chromium (#20)', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('edits the residential rate and publishes, sets two units\' areas, previews and runs a quarter at them, takes a payment with a 大写 receipt, and the unit\'s arrears fall by it', { timeout: 400_000 }, async () => {
    const { page } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await login(page, 'finance', DEMO_PASSWORD);

    // (1) the fee schedule's residential rate, edited and published
    await page.getByRole('link', { name: '收费标准与计划' }).first().click();
    await page.waitForURL('**/billing/fees');
    const rateInput = page.getByTestId('schedule-editor').locator('[data-testid="management-rate"][data-type="residential"]');
    await rateInput.waitFor();
    const rate = '3.10';
    expect(await rateInput.inputValue()).not.toBe(rate);
    await rateInput.fill(rate);
    await page.getByTestId('schedule-note').fill(`住宅物业费调至 ${rate} 元/㎡·月`);
    await page.getByTestId('schedule-publish').click();
    await poll(async () => text(page, 'schedule-message')).toContain('已发布第2版');

    // (2) two units' floor areas on the unit register: a …01 flat and a …02 flat
    await page.getByRole('link', { name: '房屋档案' }).first().click();
    await page.waitForURL('**/units');
    const flat = { label: '1-1-101', area: '95.20' };
    const large = { label: '2-1-102', area: '131.05' };
    const flatWas = await setArea(page, flat.label, flat.area);
    const largeWas = await setArea(page, large.label, large.area);
    // the demo's flats: every …01 flat has 1-1-101's old area, every …02 flat 2-1-102's (72 of each)
    expect([flatWas, largeWas]).toEqual(['89.37', '126.54']);

    // (3) a quarter the demo has not billed (the one before the demo's, which has begun): preview, then run
    await page.getByRole('link', { name: '收费运行' }).first().click();
    await page.waitForURL('**/billing/run');
    await page.getByLabel('收费计划').selectOption('quarterly');
    const period = page.getByLabel('账期');
    const offered = await period.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const quarter = offered[offered.indexOf(await period.inputValue()) - 1]!;
    await period.selectOption(quarter);
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('run-preview').waitFor();
    const flatFen = quarterFen(flat.area, rate); // 95.20 × 3.10 × 3 = ¥885.36
    const largeFen = quarterFen(large.area, rate); // 131.05 × 3.10 × 3 = ¥1,218.765 → ¥1,218.77
    const total = 71 * quarterFen(flatWas, rate) + 71 * quarterFen(largeWas, rate) + flatFen + largeFen;
    expect(await text(page, 'preview-bills')).toBe('144');
    expect(fenOf(await text(page, 'preview-total'))).toBe(total);
    expect(await page.getByTestId('preview-cannot').count()).toBe(0);
    await page.getByTestId('run-submit').click();
    const bar = page.locator('#run-bar');
    await bar.waitFor();
    expect(await bar.getAttribute('max')).toBe('144');
    await page.getByTestId('run-result').waitFor({ timeout: 120_000 });
    const done = await text(page, 'run-done');
    expect(done).toContain('已开出144张账单');
    expect(fenOf(done.split('合计')[1]!)).toBe(total);
    // the result's bill for each of the two units: area × new rate × 3 months
    const resultRow = (building: string, label: string) => page.locator(`[data-testid="run-building"][data-building="${building}"] tbody tr`).filter({ hasText: label });
    expect(fenOf((await resultRow('1栋', flat.label).locator('td.num').textContent()) ?? '')).toBe(flatFen);
    expect(fenOf((await resultRow('2栋', large.label).locator('td.num').textContent()) ?? '')).toBe(largeFen);

    // arrears before the payment: the /bills card and the unit's row on the arrears report
    const arrearsBefore = await unitArrears(page, '1栋', flat.label);
    expect(arrearsBefore).toBeGreaterThanOrEqual(flatFen);
    await page.getByRole('link', { name: '账单', exact: true }).first().click();
    await page.waitForURL('**/bills**');
    await page.getByTestId('kpi-arrears').waitFor();
    const kpiBefore = fenOf(await text(page, 'kpi-arrears'));

    // (4) the counter: 1-1-101's new bill says the typed area and rate; pay it with a receipt
    await page.getByLabel('按房号查找').fill(flat.label);
    await page.locator(`[data-testid="unit-hits"] button[data-unit="${flat.label}"]`).click();
    await page.getByTestId('unit-account').waitFor();
    await poll(async () => text(page, 'unit-account')).toContain(`${flat.area}㎡×${rate}元/㎡·月×3个月`);
    const owedBefore = fenOf(await text(page, 'unit-outstanding'));
    await page.getByTestId('pay-bills').getByLabel(periodWords(quarter).zh).check();
    const amountFen = yuanToFen(await page.getByLabel('实收金额（元）').inputValue())!;
    expect(amountFen).toBeGreaterThanOrEqual(flatFen); // the bill's principal and any late fee so far
    await page.getByLabel('缴费方式').selectOption({ label: '微信' });
    await page.getByLabel('交款人（可选）').fill('王志强');
    await page.getByRole('button', { name: '核对冲抵' }).click();
    const review = page.getByTestId('pay-review');
    await review.waitFor();
    const allocated = await review.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.textContent?.replace(/\s/g, '')));
    expect(fenOf(allocated[0]!.replace(`${periodWords(quarter).zh}本金`, ''))).toBe(flatFen);
    expect(fenOf(await text(page, 'pay-balance-after'))).toBe(owedBefore - amountFen);
    await page.getByRole('button', { name: '确认收款并开具收据' }).click();
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor();
    expect(await text(page, 'receipt-company')).toBe('长城物业（演示）');
    expect(await text(page, 'receipt-payer')).toBe('王志强');
    expect(await text(page, 'receipt-unit')).toBe(flat.label);
    expect(await text(page, 'receipt-cashier')).toContain('吴会计');
    expect(fenOf(await text(page, 'receipt-amount'))).toBe(amountFen);
    expect(await text(page, 'receipt-words')).toBe(`人民币${amountInWords(amountFen)}`);
    expect((await receipt.textContent())?.replace(/\s/g, '')).toContain('微信');
    expect(await text(page, 'receipt-serial')).toMatch(/^SJ-\d{4}-\d{6}$/);
    await poll(async () => fenOf(await text(page, 'unit-outstanding'))).toBe(owedBefore - amountFen);

    // (5) arrears fall by what was paid: on the /bills card and on the unit's row of the arrears report
    await poll(async () => fenOf(await text(page, 'kpi-arrears'))).toBe(kpiBefore - amountFen);
    await screenshot(page, 'finance-cycle-receipt');
    await page.locator('.cashier').screenshot({ path: join(screenshotDir, 'finance-cycle-receipt-desk.png') });
    expect(await unitArrears(page, '1栋', flat.label)).toBe(arrearsBefore - amountFen);
    await screenshot(page, 'finance-cycle-arrears');
    await page.context().close();
  });
});
