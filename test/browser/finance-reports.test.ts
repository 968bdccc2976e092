import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { axeViolations, sidewaysOverflow } from './a11y.ts';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// issue #20, "Reports the seeds ask of finance": the monthly fee report (BL-9), the income-and-spending
// report (BL-11), the custody agreement on the unit page (BL-10) and deposits in the cashier's day, on the demo,
// at 1366 and 360 px in Chinese and English; money always as yuan.
const money = (fen: number, locale: 'zh-CN' | 'en') => new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' }).format(fen / 100).replace(/\s/g, '');
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, '');

let server: Server;
let browser: Browser;

async function json<T>(request: APIRequestContext, method: 'GET' | 'POST', path: string, data?: unknown): Promise<T> {
  const res = method === 'GET' ? await request.get(path) : await request.post(path, { data });
  const body = (await res.json()) as T;
  if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${JSON.stringify(body)}`);
  return body;
}

describe("finance's reports, in Chromium", () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 600_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('shows the monthly fee report, the income-and-spending report, the custody agreement and the day with deposits, at 1366 and 360 px in zh and en', async () => {
    const { page } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await login(page, 'finance', DEMO_PASSWORD);
    const me = await json<{ memberships: { estateId: string }[] }>(page.request, 'GET', '/api/auth/me');
    const estateId = me.memberships[0]!.estateId;
    const units = (await json<{ items: { id: string; label: string }[] }>(page.request, 'GET', `/api/estates/${estateId}/units?limit=10`)).items;
    // some money at the counter, a deposit, two spending entries, a unit in custody without its agreement and one with it
    await json(page.request, 'POST', '/api/billing/payments', { estateId, unitId: units[0]!.id, amountFen: 50000, method: 'wechat' });
    await json(page.request, 'POST', '/api/billing/deposits', { estateId, unitId: units[1]!.id, kind: 'renovation', amountFen: 200000, method: 'cash' });
    // and one refunded the same day (押金退还): paid out of the drawer, netted in its total
    const back = await json<{ id: string }>(page.request, 'POST', '/api/billing/deposits', { estateId, unitId: units[4]!.id, kind: 'other', amountFen: 50000, method: 'wechat' });
    await json(page.request, 'POST', '/api/billing/deposits/settle', { estateId, depositId: back.id, outcome: 'refunded', reason: '验收合格' });
    const day = await json<{ cashier: { name: string }; drawer: { netFen: number } }>(page.request, 'GET', `/api/billing/cashier-day?estateId=${estateId}`);
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    await json(page.request, 'POST', '/api/reports/spending', { estateId, category: '公共能耗', amountFen: 123456, spentOn: today, note: '本月电费' });
    await json(page.request, 'POST', '/api/reports/spending', { estateId, category: '人员工资', amountFen: 3000000, spentOn: today });
    await json(page.request, 'POST', '/api/billing/units', { estateId, unitId: units[2]!.id, unitType: 'residential', custody: true });
    await json(page.request, 'POST', '/api/billing/units', { estateId, unitId: units[3]!.id, unitType: 'residential', custody: true, custodyAgreement: { party: '王业主', signedOn: today, from: today, reference: 'TG-2026-031' } });
    const month = today.slice(0, 7);
    const report = await json<{ totals: { receivableFen: number; receivedFen: number; arrearsFen: number } }>(page.request, 'GET', `/api/reports/fees/monthly?estateId=${estateId}&month=${month}`);
    const quarter = `${today.slice(0, 4)}-Q${Math.floor((Number(today.slice(5, 7)) + 2) / 3)}`;
    const income = await json<{ income: { totalFen: number }; spending: { totalFen: number }; balanceFen: number }>(page.request, 'GET', `/api/reports/income-spending?estateId=${estateId}&period=${quarter}`);
    expect(income.spending.totalFen).toBe(3123456);

    for (const locale of ['zh-CN', 'en'] as const) {
      const lang = locale === 'en' ? 'en' : 'zh';
      await page.goto('/billing/reports/monthly');
      await page.getByTestId('locale').first().selectOption(locale);
      for (const width of [1366, 360]) {
        await page.setViewportSize({ width, height: width === 360 ? 740 : 860 });
        // BL-9: the same figures as the API, as yuan
        await page.goto(`/billing/reports/monthly?estate=${estateId}&month=${month}`);
        await page.getByTestId('fee-report').waitFor();
        expect(await text(page, 'kpi-receivable')).toBe(money(report.totals.receivableFen, locale));
        expect(await text(page, 'kpi-received')).toBe(money(report.totals.receivedFen, locale));
        expect(await text(page, 'kpi-arrears')).toBe(money(report.totals.arrearsFen, locale));
        expect(await sidewaysOverflow(page)).toBeNull();
        if (width === 1366) expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, `fee-report-${lang}-${width}`);

        // BL-11: income, spending by category, the balance; the spending form for finance
        await page.goto(`/billing/reports/income?estate=${estateId}&period=${quarter}`);
        await page.getByTestId('income-table').waitFor();
        expect(await text(page, 'income-total')).toBe(money(income.income.totalFen, locale));
        expect(await text(page, 'spending-total')).toBe(money(3123456, locale));
        expect(await text(page, 'income-balance')).toBe(money(income.balanceFen, locale));
        await page.getByTestId('spending-form').waitFor();
        expect(await sidewaysOverflow(page)).toBeNull();
        if (width === 1366) expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, `income-spending-${lang}-${width}`);

        // BL-10 on the unit page: the agreement, or why the unit cannot be billed
        await page.goto(`/units/${units[3]!.id}?estate=${estateId}`);
        expect(await text(page, 'file-agreement')).toContain('TG-2026-031');
        await page.goto(`/units/${units[2]!.id}?estate=${estateId}`);
        expect(await text(page, 'file-agreement')).toContain(locale === 'en' ? 'Nocustodyagreement' : '未登记托管协议');
        expect(await sidewaysOverflow(page)).toBeNull();
        await screenshot(page, `unit-custody-${lang}-${width}`);

        // the cashier's day: the deposit beside the takings, the prepayment line, the export
        await page.goto(`/billing/day?estate=${estateId}`);
        await page.getByTestId('day-deposits').waitFor();
        expect(await text(page, 'day-deposits')).toContain(money(200000, locale));
        // the refund: yuan, the name of who paid it out, never fen or ids; the drawer net of it
        const refunds = await text(page, 'day-deposit-refunds');
        expect(refunds).toContain(money(50000, locale));
        expect(refunds).toContain(day.cashier.name.replace(/\s/g, ''));
        expect(refunds).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}|50000(?!\d)/);
        expect(await text(page, 'day-drawer-net')).toContain(money(day.drawer.netFen, locale));
        await page.getByTestId('day-prepaid').waitFor();
        expect(await sidewaysOverflow(page)).toBeNull();
        await screenshot(page, `cashier-day-deposits-${lang}-${width}`);
      }
    }
    // the day's export is a CSV of the same figures, in yuan
    await page.setViewportSize({ width: 1366, height: 860 });
    await page.getByTestId('locale').first().selectOption('zh-CN');
    await page.goto(`/billing/day?estate=${estateId}`);
    await page.getByTestId('day-deposits').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('day-export').click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
    expect(csv).toContain('押金');
    expect(csv).toContain(money(200000, 'zh-CN'));
    expect(csv).toContain('押金退还');
    expect(csv).toContain(`−${money(50000, 'zh-CN')}`);
    expect(csv).not.toMatch(/200000(?!\d)/);
  });
});
