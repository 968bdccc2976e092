import { periodWords } from '@estateflow/billing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amountInWords, yuanToFen } from '@estateflow/billing';
import { join } from 'node:path';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, screenshotDir, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// issue #20: finance runs a quarter from the screen, takes a counter payment with a 大写 receipt and sees arrears fall; no API calls of the test's own
/** The page follows each write by reloading; on a busy machine that takes seconds. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let server: Server;
let browser: Browser;

const fenOf = (money: string): number => {
  const fen = yuanToFen(money.replace(/[^\d.]/g, ''));
  if (fen === undefined) throw new Error(`not money: ${money}`);
  return fen;
};
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, '');
const fits360 = async (page: Page, name: string) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await screenshot(page, name);
  await poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
};

describe('finance runs the fee cycle from the screen, in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('previews and runs a quarter, reruns it to "nothing new", takes a counter payment with a receipt in capitals, voids a wrong bill, and arrears fall', async () => {
    const { page } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await login(page, 'finance', DEMO_PASSWORD);

    // arrears before: the demo's quarter is billed but its period has not begun
    await page.goto('/bills');
    await page.getByTestId('kpi-arrears').waitFor();
    const arrearsBefore = fenOf(await text(page, 'kpi-arrears'));
    const issuedBefore = Number(await text(page, 'kpi-issued'));
    expect(issuedBefore).toBe(144);

    await page.getByRole('link', { name: '收费运行' }).first().click();
    await page.waitForURL('**/billing/run');
    await page.getByLabel('收费计划').selectOption('quarterly');
    const period = page.getByLabel('账期');
    const offered = await period.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const suggested = await period.inputValue();
    // the demo billed the suggested quarter at its start: previewing it again has nothing new
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('run-nothing-new').waitFor();
    expect(await text(page, 'preview-existing')).toBe('144');

    // the quarter before it, which has begun: preview first (nothing written), then run
    const earlier = offered[offered.indexOf(suggested) - 1]!;
    await period.selectOption(earlier);
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('run-preview').waitFor();
    expect(await text(page, 'preview-units')).toBe('144');
    expect(await text(page, 'preview-bills')).toBe('144');
    // 72 flats of 89.37 m² (¥670.28) and 72 of 126.54 m² (¥949.05) a quarter
    expect(fenOf(await text(page, 'preview-total'))).toBe(72 * 67028 + 72 * 94905);
    expect(await page.getByTestId('preview-cannot').count()).toBe(0);
    await screenshot(page, 'billing-run-preview');
    await page.setViewportSize({ width: 360, height: 800 });
    await poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await screenshot(page, 'billing-run-preview-360');
    await page.setViewportSize({ width: 1366, height: 860 });

    await page.getByTestId('run-submit').click();
    await page.getByTestId('run-result').waitFor();
    expect(await text(page, 'run-done')).toContain('已开出144张账单');
    // bills per building in natural order, then units
    const buildings = await page.getByTestId('run-building').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-building')));
    expect(buildings).toEqual(['1栋', '2栋', '3栋', '4栋', '5栋', '6栋']);
    const firstUnits = await page.getByTestId('run-building').first().locator('tbody tr td:first-child').allTextContents();
    expect(firstUnits.slice(0, 3)).toEqual(['1-1-101', '1-1-102', '1-1-201']);
    await screenshot(page, 'billing-run-result');
    await fits360(page, 'billing-run-result-360');
    await page.setViewportSize({ width: 1366, height: 860 });

    // running it again: nothing new
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('run-nothing-new').waitFor();
    expect(await text(page, 'preview-existing')).toBe('144');

    // arrears now include the quarter that has begun
    await page.goto('/bills');
    await page.getByTestId('kpi-arrears').waitFor();
    await poll(async () => Number(await text(page, 'kpi-issued'))).toBe(288);
    const arrearsRun = fenOf(await text(page, 'kpi-arrears'));
    expect(arrearsRun).toBeGreaterThan(arrearsBefore);
    // the households in arrears come 50 at a time, largest first, and the count names them all
    const count = await text(page, 'arrears-count');
    expect(count).toContain('户欠费');
    const inArrears = Number(/(\d+)/.exec(count)![1]);
    const shown = () => page.getByTestId('arrears').locator('tbody tr').count();
    expect(await shown()).toBe(Math.min(inArrears, 50));
    if (inArrears > 50) {
      await page.getByTestId('arrears-more').click();
      await poll(shown).toBe(Math.min(inArrears, 100));
    }
    // the arrears card's head: the count, the link to the ageing, the first households (no keys, yuan)
    const arrearsCard = page.getByTestId('arrears-count').locator('xpath=..');
    await arrearsCard.screenshot({ path: join(screenshotDir, 'bills-arrears-zh-CN-1366.png') });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.getByTestId('arrears-count').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, 'bills-arrears-zh-CN-360.png') });
    await page.setViewportSize({ width: 1366, height: 860 });
    // the rows: newest period first, then building and unit in natural order
    const labels = (await page.getByTestId('bills').locator('tbody tr td:first-child').allTextContents()).map((l) => l.trim());
    const natural = new Intl.Collator('zh-CN', { numeric: true });
    expect(labels).toEqual([...labels].sort(natural.compare));

    // the counter: unit 1-1-101, pick the earlier bill, review the allocation, confirm
    await page.getByLabel('按房号查找').fill('1-1-101');
    await page.locator('[data-testid="unit-hits"] button[data-unit="1-1-101"]').click();
    await page.getByTestId('unit-account').waitFor();
    const owedBefore = fenOf(await text(page, 'unit-outstanding'));
    await page.getByTestId('pay-bills').getByLabel(periodWords(earlier).zh).check();
    const amount = page.getByLabel('实收金额（元）');
    const amountFen = yuanToFen(await amount.inputValue())!;
    expect(amountFen).toBeGreaterThan(67028); // the principal and the late fee so far
    await page.getByLabel('缴费方式').selectOption({ label: '支付宝' });
    await page.getByLabel('交款人（可选）').fill('张先生');
    await page.getByRole('button', { name: '核对冲抵' }).click();
    const review = page.getByTestId('pay-review');
    await review.waitFor();
    const allocated = await review.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.textContent?.replace(/\s/g, '')));
    expect(allocated[0]).toBe(`${periodWords(earlier).zh}本金¥670.28`);
    expect(allocated[1]).toMatch(new RegExp(`^${periodWords(earlier).zh}滞纳金¥`));
    expect(fenOf(await text(page, 'pay-balance-after'))).toBe(owedBefore - amountFen);
    await screenshot(page, 'bills-counter-review');
    await page.locator('.cashier').screenshot({ path: join(screenshotDir, 'bills-counter-review-desk.png') });
    await page.getByRole('button', { name: '确认收款并开具收据' }).click();
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor();
    expect(await text(page, 'receipt-company')).toBe('长城物业（演示）');
    expect(await text(page, 'receipt-payer')).toBe('张先生');
    expect(await text(page, 'receipt-unit')).toBe('1-1-101');
    expect(await text(page, 'receipt-cashier')).toContain('吴会计'); // the display name, never the username
    expect(fenOf(await text(page, 'receipt-amount'))).toBe(amountFen);
    expect(await text(page, 'receipt-words')).toBe(`人民币${amountInWords(amountFen)}`);
    expect((await receipt.textContent())?.replace(/\s/g, '')).toContain('支付宝');
    expect(await text(page, 'receipt-serial')).toMatch(/^SJ-\d{4}-\d{6}$/);
    await poll(async () => fenOf(await text(page, 'unit-outstanding'))).toBe(owedBefore - amountFen);
    await screenshot(page, 'bills-counter-receipt');
    await receipt.screenshot({ path: join(screenshotDir, 'bills-counter-receipt-card.png') });
    await page.locator('.kpis').screenshot({ path: join(screenshotDir, 'bills-kpis.png') });

    // arrears fall by what was paid on the quarter that has begun
    await poll(async () => fenOf(await text(page, 'kpi-arrears'))).toBe(arrearsRun - amountFen);

    // a wrong bill of 1-1-102 is voided from its row, with a reason, as an adjustment
    await page.getByTestId('unit-search').fill('1-1-102');
    await page.locator('[data-testid="unit-hits"] button[data-unit="1-1-102"]').click();
    await page.getByTestId('unit-account').getByText('1-1-102 · 对账单').waitFor();
    const row = page.getByTestId('unit-bills').locator(`tr[data-period="${earlier}"]`);
    const owed102 = fenOf(await text(page, 'unit-outstanding'));
    const billOwed = fenOf((await row.getByTestId('bill-outstanding').textContent()) ?? '');
    await row.getByTestId('bill-void-open').click();
    await row.getByRole('button', { name: '确认作废' }).click();
    await poll(() => row.getByTestId('bill-void-error').textContent()).toBe('作废原因为必填项');
    await row.getByLabel('作废原因').fill('面积登记有误，重新核定后另开');
    await row.getByRole('button', { name: '确认作废' }).click();
    await row.getByTestId('bill-void').waitFor();
    expect(await text(page, 'void-notice')).toBe(`已作废1-1-102${periodWords(earlier).zh}的账单`);
    await poll(async () => fenOf(await text(page, 'unit-outstanding'))).toBe(owed102 - billOwed);
    await poll(() => page.getByTestId('statement').locator('tr[data-kind="adjustment"]').count()).toBeGreaterThan(0);
    await poll(async () => fenOf(await text(page, 'kpi-arrears'))).toBe(arrearsRun - amountFen - billOwed);
    await screenshot(page, 'bills-void');
    await page.getByTestId('unit-account').screenshot({ path: join(screenshotDir, 'bills-void-account.png') });
    await fits360(page, 'bills-counter-360');
    await page.locator('.cashier').screenshot({ path: join(screenshotDir, 'bills-counter-desk-360.png') });
    await page.context().close();
  }, 180_000);
});
