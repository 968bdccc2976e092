import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { yuanToFen } from '@estateflow/billing';
import { axeViolations } from './a11y.ts';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// issue #20, "One set of fee definitions, edited here": finance edits the fee schedule's rate in the
// structured editor, runs a quarter (preview, then run) and sees the new rate on the bills; no API calls of the test's own
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let server: Server;
let browser: Browser;

const fenOf = (money: string): number => {
  const fen = yuanToFen(money.replace(/[^\d.]/g, ''));
  if (fen === undefined) throw new Error(`not money: ${money}`);
  return fen;
};
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, '');

describe('finance edits the fees from the screen, in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it("edits the residential rate, previews and runs the next quarter, and the bills carry the new rate; the plan's late-fee rule in words", { timeout: 300_000 }, async () => {
    const { page } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await login(page, 'finance', DEMO_PASSWORD);

    await page.getByRole('link', { name: '收费标准与计划' }).first().click();
    await page.waitForURL('**/billing/fees');
    const editor = page.getByTestId('schedule-editor');
    const rate = editor.locator('[data-testid="management-rate"][data-type="residential"]');
    await rate.waitFor();
    expect(await rate.inputValue()).toBe('2.50');
    // the sample unit's bill follows the rate as it is typed: 89.37 m² × ¥3.10 × 3 months = ¥831.14
    await rate.fill('3.10');
    await poll(async () => fenOf(await text(page, 'schedule-preview-total'))).toBe(83114);
    await expect.poll(() => page.getByTestId('schedule-services').isVisible()).toBe(true);
    // the plan's rule, in words
    expect(await text(page, 'plan-rule')).toContain('每日按欠费的3‰计收滞纳金，自计费期首日起至缴清之日止；最后缴款通知书发出后计入账单');
    await screenshot(page, 'billing-fees-editor');
    // the page passes axe (WCAG 2.1 A and AA), here and at 360 px
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 360, height: 800 });
    await poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await screenshot(page, 'billing-fees-editor-360');
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1366, height: 860 });

    await page.getByTestId('schedule-note').fill('住宅物业费调至 3.10 元/㎡·月');
    await page.getByTestId('schedule-publish').click();
    await poll(async () => text(page, 'schedule-message')).toContain('已发布第2版');

    // the quarter before the demo's (it has begun): preview, then run, at the new rate
    await page.getByRole('link', { name: '收费运行' }).first().click();
    await page.waitForURL('**/billing/run');
    await page.getByLabel('收费计划').selectOption('quarterly');
    const period = page.getByLabel('账期');
    const offered = await period.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const labels = await period.locator('option').allTextContents();
    // periods in words, never their ids
    expect(labels.every((l) => /\d{4}年第[1-4]季度/.test(l) && !/\d{4}-Q\d/.test(l))).toBe(true);
    const earlier = offered[offered.indexOf(await period.inputValue()) - 1]!;
    await period.selectOption(earlier);
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('run-preview').waitFor();
    // 72 flats of 89.37 m² (¥831.14) and 72 of 126.54 m² (¥1,176.82) a quarter at ¥3.10
    expect(fenOf(await text(page, 'preview-total'))).toBe(72 * 83114 + 72 * 117682);
    await page.getByTestId('run-submit').click();
    await page.getByTestId('run-result').waitFor();
    expect(await text(page, 'run-done')).toContain('已开出144张账单');

    // the bill of 1-1-101 says the new rate
    await page.goto('/bills');
    await page.getByLabel('按房号查找').fill('1-1-101');
    await page.locator('[data-testid="unit-hits"] button[data-unit="1-1-101"]').click();
    await page.getByTestId('unit-account').waitFor();
    await poll(async () => (await page.getByTestId('unit-account').textContent()) ?? '').toContain('3.10元/㎡·月');
    await screenshot(page, 'billing-fees-bill-new-rate');
  });
});
