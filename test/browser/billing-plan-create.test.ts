import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, screenshotDir, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// issue #20: finance creates a billing plan in the fee editor (not only edits one), sets its pay-within
// days, recovery ladder and a paid-service item checked by the server's own validator, publishes it,
// and runs it with a progress bar polling the server's run job; a rerun says nothing new. No API calls of its own.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

let server: Server;
let browser: Browser;

const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, '');
const fits360 = async (page: Page) => poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);

/** The page at 1366 and 360 px in zh and en, each looked at (screenshots) and checked to fit the phone's width. */
async function shots(page: Page, name: string, ready: string, prepare?: () => Promise<void>, focus?: string): Promise<void> {
  for (const locale of ['zh-CN', 'en']) {
    await page.evaluate((l) => localStorage.setItem('ef-locale', l), locale);
    await page.reload();
    await page.getByTestId(ready).first().waitFor();
    await prepare?.();
    await page.setViewportSize({ width: 1366, height: 860 });
    await screenshot(page, `${name}-${locale}-1366`);
    await page.setViewportSize({ width: 360, height: 800 });
    await fits360(page);
    await screenshot(page, `${name}-${locale}-360`);
    // the part being edited, alone (the full pages are long)
    if (focus) await page.getByTestId(focus).first().screenshot({ path: join(screenshotDir, `${name}-${locale}-360-part.png`) });
    await page.setViewportSize({ width: 1366, height: 860 });
    if (focus) await page.getByTestId(focus).first().screenshot({ path: join(screenshotDir, `${name}-${locale}-1366-part.png`) });
  }
  await page.evaluate(() => localStorage.setItem('ef-locale', 'zh-CN'));
  await page.setViewportSize({ width: 1366, height: 860 });
  await page.reload();
}

describe('finance creates a billing plan and runs it with a progress bar, in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('creates a plan with its pay-within days and recovery ladder, adds a paid-service item, publishes, runs it with the progress bar, and a rerun is nothing new', { timeout: 400_000 }, async () => {
    const { page } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await login(page, 'finance', DEMO_PASSWORD);

    await page.goto('/billing/fees');
    await page.getByTestId('schedule-editor').waitFor();

    // the paid-service price list: a bad code is caught as it is typed by the server's validator, publishing waits
    const services = page.getByTestId('schedule-services');
    const before = await services.getByTestId('service-item').count();
    await services.getByTestId('service-add').click();
    const item = services.getByTestId('service-item').nth(before);
    await item.getByTestId('service-code').fill('Bad Code');
    await item.getByTestId('service-name-zh').fill('疏通下水道');
    await item.getByTestId('service-name-en').fill('Clear a blocked drain');
    await item.getByTestId('service-price').fill('80');
    await item.getByTestId('service-unit').selectOption('hour');
    await item.getByTestId('service-materials').selectOption('at-cost');
    await page.getByTestId('schedule-issues').waitFor();
    expect(await page.getByTestId('schedule-publish').isDisabled()).toBe(true);
    expect(await text(page, 'schedule-issues')).toContain('/services/');
    await item.getByTestId('service-code').fill('drain-clear');
    await poll(() => page.getByTestId('schedule-issues').count()).toBe(0);
    await services.screenshot({ path: join(screenshotDir, 'billing-services-zh-CN-1366-part.png') });
    await page.setViewportSize({ width: 360, height: 800 });
    await fits360(page);
    await services.getByTestId('service-item').nth(before).screenshot({ path: join(screenshotDir, 'billing-services-zh-CN-360-part.png') });
    await page.setViewportSize({ width: 1366, height: 860 });
    await page.getByTestId('schedule-note').fill('新增疏通下水道服务项目');
    await page.getByTestId('schedule-publish').click();
    await poll(async () => text(page, 'schedule-message')).toContain('已发布第');

    // a new billing plan: a bad id is refused on the form, then created as a draft
    await page.getByTestId('new-plan').click();
    await page.getByTestId('create-id').fill('Garden Q');
    await page.getByTestId('create-zh').fill('花园按季（新）');
    await page.getByTestId('create-en').fill('Garden quarterly (new)');
    await page.getByTestId('create-cadence').selectOption('quarterly');
    await page.getByTestId('create-submit').click();
    expect(await text(page, 'create-error')).toContain('标识');
    const fillForm = async () => {
      if ((await page.getByTestId('create-form').count()) === 0) await page.getByTestId('new-plan').click();
      await page.getByTestId('create-id').fill('garden-q');
      await page.getByTestId('create-zh').fill('花园按季（新）');
      await page.getByTestId('create-en').fill('Garden quarterly (new)');
    };
    // the form, looked at in zh and en (each reload closes it: it is opened and filled again)
    await shots(page, 'billing-plan-create', 'schedule-editor', fillForm, 'create-form');
    await fillForm();
    await page.getByTestId('create-submit').click();
    await poll(() => page.getByTestId('plan-key').inputValue()).toBe('garden-q');
    // pay within 7 days of the final notice, and a fourth ladder step
    const final = page.getByTestId('pay-within-final');
    await final.locator('input').fill('7');
    await final.locator('select').selectOption('days');
    const ladder = page.getByTestId('recovery-ladder');
    const steps = await ladder.getByTestId('recovery-step').count();
    await ladder.getByTestId('recovery-add').click();
    const step = ladder.getByTestId('recovery-step').nth(steps);
    await step.locator('select').first().selectOption('letter');
    await step.locator('input[type="number"]').fill('2');
    await step.locator('select').nth(1).selectOption('months');
    await step.getByLabel(`第 ${steps + 1} 步：名称（中文）`).fill('律师函');
    await step.getByLabel(`第 ${steps + 1} 步：名称（英文）`).fill("Lawyer's letter");
    expect(await page.getByTestId('plan-issues').count()).toBe(0);
    await page.getByTestId('plan-note').fill('新建花园按季计划');
    await page.getByTestId('plan-publish').click();
    await poll(async () => text(page, 'plan-message')).toContain('已发布第1版');
    await shots(page, 'billing-plan-editor', 'plan-editor', async () => {
      await page.getByTestId('plan-key').selectOption('garden-q');
      await page.getByTestId('recovery-ladder').scrollIntoViewIfNeeded();
    }, 'plan-editor');

    // run it: preview first, then the run with its progress bar polling the server's job
    await page.goto('/billing/run');
    await page.getByLabel('收费计划').selectOption('garden-q');
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('run-preview').waitFor();
    expect(await text(page, 'preview-bills')).toBe('144');
    await page.getByTestId('run-submit').click();
    const bar = page.locator('#run-bar');
    await bar.waitFor();
    expect(await bar.getAttribute('max')).toBe('144');
    await screenshot(page, 'billing-run-progress');
    await page.getByTestId('run-result').waitFor({ timeout: 120_000 });
    expect(await text(page, 'run-done')).toContain('已开出144张账单');
    const buildings = await page.getByTestId('run-building').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-building')));
    expect(buildings).toEqual(['1栋', '2栋', '3栋', '4栋', '5栋', '6栋']);
    await screenshot(page, 'billing-run-job-zh-CN-1366');
    await page.setViewportSize({ width: 360, height: 800 });
    await fits360(page);
    await screenshot(page, 'billing-run-job-zh-CN-360');
    await page.setViewportSize({ width: 1366, height: 860 });

    // a rerun of the same plan and period: nothing new (looked at in zh and en)
    await shots(page, 'billing-run-rerun', 'run-form', async () => {
      await page.getByTestId('run-form').locator('select').nth(1).selectOption('garden-q');
      await page.getByTestId('run-form').locator('button[type="submit"]').click();
      await page.getByTestId('run-nothing-new').waitFor();
    });
    await page.getByLabel('收费计划').selectOption('garden-q');
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('run-nothing-new').waitFor();
    expect(await text(page, 'run-nothing-new')).toContain('已是最新');
    expect(await text(page, 'preview-existing')).toBe('144');

    // /bills sorts on the server: by building and unit in natural order
    await page.goto('/bills?sort=unit');
    await page.getByTestId('bills').waitFor();
    const labels = (await page.getByTestId('bills').locator('tbody tr td:first-child').allTextContents()).map((l) => l.trim());
    expect(labels.slice(0, 2)).toEqual(['1-1-101', '1-1-101']); // one unit's bills together (its periods, newest first)
    expect(await page.getByTestId('bills-sort').inputValue()).toBe('unit');
    await shots(page, 'bills-sorted', 'bills', undefined, 'bills-sort');
    await page.context().close();
  });
});
