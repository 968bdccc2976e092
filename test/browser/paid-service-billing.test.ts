import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { yuanToFen } from '@estateflow/billing';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// Issue #20 (PS-10): a technician quotes a paid service on the demo by picking items from the
// estate's price list; the completed order's charge is billed at once and paid at the counter.
// The steps before and after the quote (intake, dispatch, sign-off) are sent through the staff's
// own sessions, as their buttons would; the quote, /bills and the counter are driven on screen.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s/g, '');
const fenOf = (money: string): number => yuanToFen(money.replace(/[^\d.]/g, ''))!;

let server: Server;
let browser: Browser;

async function session(username: string) {
  const r = await fetch(`${server.origin}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  expect(r.status).toBe(200);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${server.origin}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test helper: answers are read by shape and the assertions check them
    const out = (await res.json()) as Record<string, any>;
    expect(res.status, `${method} ${path}: ${JSON.stringify(out)}`).toBeLessThan(300);
    return out;
  };
}

async function as(username: string): Promise<Page> {
  const { page } = await newPage(browser, server.origin);
  page.on('pageerror', (e) => console.error(`[${username}] page error: ${e.message}`));
  await login(page, username, DEMO_PASSWORD);
  return page;
}

describe('a paid service quoted from the price list, billed at once and paid at the counter, in Chromium', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('the technician picks items from the price list, the order is billed at once on /bills and paid at the counter', async () => {
    const [desk, dispatch, tech] = await Promise.all([session('front-desk'), session('dispatcher'), session('technician')]);
    const me = await tech('GET', '/api/auth/me');
    const estateId = (me.memberships as { estateId: string }[])[0]!.estateId;
    const techId = (me.user?.id ?? me.id) as string;
    const unitLabel = '1-1-102';
    const { items: bills } = await (await session('finance'))('GET', `/api/billing/bills?estateId=${estateId}&limit=200`);
    const unitId = (bills as { unitId: string; unitLabel: string }[]).find((b) => b.unitLabel === unitLabel)!.unitId;

    const started = await desk('POST', '/api/instances', { estateId, workflow: 'paid-service', unitId, data: { customerName: '王先生', unit: unitLabel, content: '更换客厅日光灯', appointment: new Date(Date.now() + 3_600_000).toISOString(), phone: '13912345678', channel: 'phone' } });
    const id = started.id as string;
    const send = (who: typeof desk, type: string, data: Record<string, unknown> = {}) => who('POST', `/api/instances/${id}/events`, { type, data });
    await send(dispatch, 'ACCEPT', { category: 'lamp', estimateFen: 5000, timeKeepable: true });
    await send(dispatch, 'DISPATCH', { orderNo: `PS-B-${Date.now().toString(36).slice(-5)}`, technicianId: techId });
    await send(tech, 'TAKE');
    await send(tech, 'ARRIVE');

    // the quote, on screen: two lamps from the price list and a ballast off the list, with its reason
    const page = await as('technician');
    await page.goto(`/instances/${id}`);
    await page.locator('button[data-event="QUOTE"]').click();
    await page.getByTestId('add-item-quote').click();
    const lamp = page.getByTestId('quote-item-0');
    await poll(() => lamp.locator('option').count()).toBeGreaterThan(5);
    await lamp.selectOption('lamp-repair');
    await page.getByLabel('数量').first().fill('2');
    await poll(async () => fenOf(await text(page, 'quote-amount-0'))).toBe(4000);
    await page.getByTestId('add-item-quote').click();
    const manual = page.locator('[data-group="quote"] [data-item="1"]');
    await manual.getByLabel('说明').fill('镇流器（材料按实另收）');
    await manual.getByLabel('金额').fill('60.00');
    await manual.getByLabel('手工计价原因').fill('更换镇流器，材料按实另收');
    await poll(async () => fenOf(await text(page, 'quote-total-quote'))).toBe(10000);
    await screenshot(page, 'paid-service-quote');
    await page.getByRole('button', { name: '提交' }).click();
    await poll(async () => (await tech('GET', `/api/instances/${id}`)).data.priceFen).toBe(10000);
    await page.context().close();

    await send(tech, 'AGREE', { customerSignature: '王' });
    await send(tech, 'FINISH', { toolsReturned: true, slipWrittenOff: true });
    await send(tech, 'PASS', { signature: '王', rating: 5 });
    const serial = (await tech('GET', `/api/instances/${id}`)).serial as string;

    // finance: the order's bill is on /bills at once (the server's worker bills it within a second or so), and is paid at the counter
    const finance = await session('finance');
    await poll(async () => ((await finance('GET', `/api/billing/bills?estateId=${estateId}&unitId=${unitId}`)).items as { periodId: string }[]).some((b) => b.periodId === serial)).toBe(true);
    const fin = await as('finance');
    await fin.goto('/bills');
    await fin.getByLabel('按房号查找').fill(unitLabel);
    await fin.locator(`[data-testid="unit-hits"] button[data-unit="${unitLabel}"]`).click();
    await fin.getByTestId('unit-account').waitFor();
    await fin.getByTestId('pay-bills').getByText(serial).waitFor();
    await fin.getByTestId('pay-bills').getByLabel(serial).check();
    const amount = fin.getByLabel('实收金额（元）');
    expect(yuanToFen(await amount.inputValue())).toBe(10000);
    await fin.getByLabel('缴费方式').selectOption({ label: '现金' });
    await fin.getByRole('button', { name: '核对冲抵' }).click();
    const review = fin.getByTestId('pay-review');
    await review.waitFor();
    // oldest first: on a fresh demo that is this order's bill (a reused server may hold an earlier run's)
    expect((await review.locator('tbody tr').first().textContent())?.replace(/\s/g, '')).toMatch(/^PS-\d{6}本金¥100\.00$/);
    await fin.getByRole('button', { name: '确认收款并开具收据' }).click();
    await fin.getByTestId('receipt').waitFor();
    expect(fenOf(await text(fin, 'receipt-amount'))).toBe(10000);
    await screenshot(fin, 'paid-service-receipt');
    await fin.context().close();
  });
});
