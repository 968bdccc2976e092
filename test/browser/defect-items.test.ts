import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD, fillDate } from './helpers.ts';

let server: Server;
let browser: Browser;

/** A demo user's API session (cookie), for the steps before the inspection. */
async function sessionOf(username: string) {
  const r = await fetch(`${server.origin}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { user: { id: string }; memberships: { estateId: string }[] };
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${server.origin}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json) });
    const out = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${method} ${path}: ${JSON.stringify(out)}`).toBeLessThan(300);
    return out;
  };
  return { id: body.user.id, estateId: body.memberships[0]!.estateId, call };
}

/** The screen's words must never show keys, fen or UTC (the screen-scan rules, checked here on this page). */
async function noLeaks(page: Page) {
  const text = await page.locator('main').innerText();
  for (const key of ['defectItems', 'doorsWindows', 'plumbing', 'developer', 'contractor', 'rechecked', 'DEFECT_MOVE', 'materialItems', 'checkItems', 'air-conditioner', 'drawn', 'returned', 'pressureKpa', 'UTC', 'Fen']) expect(text, key).not.toContain(key);
  expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
}

describe('handover defects are tracked item by item and counted in the 统计表 (MI-3, MI-5, #22)', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('records two defects, moves one through fixed, rechecked and accepted, and sees the 统计表 follow on the request and the household file', async () => {
    const desk = await sessionOf('front-desk');
    const estateId = desk.estateId;
    const { items: units } = (await desk.call('GET', `/api/estates/${estateId}/units?limit=200`)) as { items: { id: string; label: string }[] };
    const unit = units[units.length - 1]!;
    const started = await desk.call('POST', '/api/instances', { estateId, workflow: 'move-in', unitId: unit.id, data: {
      ownerName: '林先生', phone: '13800138010', building: unit.label.split('-')[0], unit: unit.label, batch: '第 3 批', slot: '2026-12-20T09:30:00+08:00', buyerType: 'individual',
    } });
    const id = started.id as string;
    const send = (type: string, data: Record<string, unknown>) => desk.call('POST', `/api/instances/${id}/events`, { type, data });
    await send('CHECK_DOCUMENTS', { documents: ['ownerId', 'moveInNotice', 'purchaseContract'] });
    await send('REGISTER', { residents: [{ name: '林先生', relation: '本人', phone: '13800138010' }], agreements: ['management', 'covenant', 'fireSafety'], keys: 4, handedOver: ['handbook', 'drawings'], managementFeeFen: 0, receiptNo: 'SJ-1', pack: ['moveInProcedure', 'renovationProcedure', 'feeStandards', 'takeoverForm', 'grilleStyle', 'pipePlan', 'serviceCard'] });
    const before = (await desk.call('GET', `/api/reports/defects?estateId=${estateId}&unitId=${unit.id}`)) as { total: number; open: number };

    const { page, context } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`[technician] page error: ${e.message}`));
    await login(page, 'technician', DEMO_PASSWORD);
    await page.goto(`/instances/${id}`);

    /** One action of the request, its form filled by `fill`, submitted; the page reloads the request. */
    const act = async (event: string, fill: () => Promise<void>) => {
      await page.locator(`button[data-event="${event}"]`).click();
      const panel = page.locator('#action-panel');
      await panel.waitFor();
      await fill();
      await panel.getByRole('button', { name: '提交' }).click();
      // sent: the panel closes and the request is read again
      await panel.waitFor({ state: 'detached' });
      await expect.poll(() => page.locator('.alert.ok').count()).toBe(1);
    };
    const record = (location: string, category: string, party: string, due: string) => act('DEFECT_ADD', async () => {
      const panel = page.locator('#action-panel');
      await panel.getByLabel('位置').fill(location);
      await panel.getByLabel('类别').selectOption({ label: category });
      await panel.getByLabel(party).check();
      await fillDate(panel.getByRole('group', { name: '整改期限' }), due);
    });
    const move = (no: number, step: string, note = '') => act('DEFECT_MOVE', async () => {
      const panel = page.locator('#action-panel');
      await panel.getByLabel('缺陷序号').fill(String(no));
      await panel.getByLabel(step).check();
      if (note) await panel.getByLabel('说明').fill(note);
    });
    const stateOf = (no: number) => page.getByTestId('item-table-defectItems').locator(`tr[data-item="${no}"] [data-testid="item-state"]`).innerText();
    const line = (table: string, value: string) => page.getByTestId('instance-defect-stats').getByTestId(`stats-${table}`).locator(`tr[data-value="${value}"]`).innerText();

    // two defects, one already past its fix-by date
    await record('主卧窗户', '门窗', '开发商', '2026-12-01');
    await record('客厅墙面', '土建（墙面、地面、顶棚）', '施工单位', '2027-01-15');
    await expect.poll(() => page.getByTestId('item-table-defectItems').locator('tbody tr').count()).toBe(2);
    expect(await stateOf(1)).toBe('已登记待送达');
    await expect.poll(() => page.getByTestId('stats-total').first().innerText()).toBe('共 2 项');
    await expect.poll(() => page.getByTestId('instance-defect-stats').getByTestId('stats-overdue').innerText()).toBe('逾期 1 项');
    expect(await line('party', 'developer')).toMatch(/开发商\s+1\s+1\s+1/);

    // the inspection itself (meters and checklist) is filed; the defects go on
    await desk.call('POST', `/api/instances/${id}/events`, { type: 'INSPECT', data: { items: [{ room: '主卧', item: '窗户', ok: false }], waterM3: 1, electricityKwh: 1, metersConfirmed: true, reinspectAt: '2026-12-28T10:00:00+08:00' } });
    await page.reload();

    await move(1, '已送达责任方', '已发整改通知书');
    await move(1, '已整改');
    await expect.poll(() => stateOf(1)).toBe('已整改');
    await move(1, '已复验');
    await move(1, '验收通过', '窗框不再渗水');
    await expect.poll(() => stateOf(1)).toBe('验收通过');
    expect(await stateOf(2)).toBe('已登记待送达');
    // the 统计表 follows: one accepted, one open, nothing overdue any more
    await expect.poll(() => page.getByTestId('instance-defect-stats').getByTestId('stats-open').innerText()).toBe('未完成 1 项');
    expect(await page.getByTestId('instance-defect-stats').getByTestId('stats-overdue').innerText()).toBe('逾期 0 项');
    expect(await line('state', 'accepted')).toMatch(/验收通过\s+1\s+0\s+0/);
    expect(await line('category', 'civil')).toMatch(/土建（墙面、地面、顶棚）\s+1\s+1\s+0/);
    // the item's own history: who, when, which step, the note
    const row = page.getByTestId('item-table-defectItems').locator('tr[data-item="1"]');
    await row.locator('summary').click();
    const steps = await row.locator('ol.steps li').allInnerTexts();
    expect(steps).toHaveLength(5);
    expect(steps[4]).toContain('验收通过');
    expect(steps[4]).toContain('维修工 王师傅');
    expect(steps[4]).toContain('窗框不再渗水');
    // a step out of order is refused, in words, and changes nothing
    await page.locator('button[data-event="DEFECT_MOVE"]').click();
    await page.locator('#action-panel').getByLabel('缺陷序号').fill('2');
    await page.locator('#action-panel').getByLabel('验收通过').check();
    await page.locator('#action-panel').getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.locator('[role="alert"]').count()).toBeGreaterThan(0);
    expect(await stateOf(2)).toBe('已登记待送达');
    await noLeaks(page);
    await screenshot(page, 'defect-items-1366');

    // the household file counts the unit's defects the same way
    await page.goto(`/units/${unit.id}?estate=${estateId}`);
    const unitStats = page.getByTestId('unit-defect-stats');
    await expect.poll(() => unitStats.getByTestId('stats-total').innerText()).toBe(`共 ${before.total + 2} 项`);
    expect(await unitStats.getByTestId('stats-open').innerText()).toBe(`未完成 ${before.open + 1} 项`);
    await noLeaks(page);
    await screenshot(page, 'defect-items-unit-1366');

    // and on a phone
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`/instances/${id}`);
    await page.getByTestId('item-table-defectItems').waitFor();
    await noLeaks(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'defect-items-360');
    await context.close();
  }, 240_000);

  it('the estate-wide handover: the contractor answers each defect on its own, in words, and a step out of order is refused (MI-5)', async () => {
    const tech = await sessionOf('technician');
    const estateId = tech.estateId;
    const started = await tech.call('POST', '/api/instances', { estateId, workflow: 'handover-defects', data: { project: '翠湖苑二期', scope: '3 栋', developer: '翠湖地产', contractor: '华建集团', records: 12 } });
    const id = started.id as string;
    await tech.call('POST', `/api/instances/${id}/events`, { type: 'REGISTER', data: { defectItems: [
      { location: '3 栋地下室', category: 'waterproof', description: '外墙渗水', party: 'contractor' },
      { location: '中心花园', category: 'landscape', description: '排水不畅积水', party: 'developer' },
    ] } });

    const { page, context } = await newPage(browser, server.origin);
    page.on('pageerror', (e) => console.error(`[technician] page error: ${e.message}`));
    await login(page, 'technician', DEMO_PASSWORD);
    await page.goto(`/instances/${id}`);
    const stateOf = (no: number) => page.getByTestId('item-table-defectItems').locator(`tr[data-item="${no}"] [data-testid="item-state"]`).innerText();
    await expect.poll(() => page.getByTestId('item-table-defectItems').locator('tbody tr').count()).toBe(2);
    expect(await stateOf(1)).toBe('已登记待送达');

    const answer = async (no: number, word: string, proposal: string, fixBy?: string) => {
      await page.locator('button[data-event="CONTRACTOR_RESPONSE"]').click();
      const panel = page.locator('#action-panel');
      await panel.waitFor();
      await panel.getByLabel('遗留问题序号').fill(String(no));
      await panel.getByLabel(word).check();
      await panel.getByLabel('整改方案或异议理由').fill(proposal);
      if (fixBy) await fillDate(panel.getByRole('group', { name: '承诺完成日期' }), fixBy);
      await panel.getByRole('button', { name: '提交' }).click();
    };
    await answer(1, '施工单位已确认', '注浆堵漏', '2027-01-20');
    await expect.poll(() => stateOf(1)).toBe('施工单位已确认');
    expect(await stateOf(2)).toBe('已登记待送达');
    // the same item cannot be answered twice: refused in words, nothing changes
    await answer(1, '施工单位有异议', '再议');
    await expect.poll(() => page.locator('[role="alert"]').count()).toBeGreaterThan(0);
    expect(await stateOf(1)).toBe('施工单位已确认');
    await page.reload();
    await answer(2, '施工单位有异议', '应由园林单位处理');
    await expect.poll(() => stateOf(2)).toBe('施工单位有异议');
    // every item answered: the contractor's answers are closed (the property manager now agrees the fix); the 统计表 counts them by state
    await expect.poll(() => page.locator('button[data-event="CONTRACTOR_RESPONSE"]').count()).toBe(0);
    const line = (value: string) => page.getByTestId('instance-defect-stats').getByTestId('stats-state').locator(`tr[data-value="${value}"]`).innerText();
    await expect.poll(() => line('disputed')).toMatch(/施工单位有异议\s+1\s+1\s+0/);
    const row = page.getByTestId('item-table-defectItems').locator('tr[data-item="1"]');
    await row.locator('summary').click();
    const steps = await row.locator('ol.steps li').allInnerTexts();
    expect(steps).toHaveLength(2);
    expect(steps[1]).toContain('施工单位已确认');
    expect(steps[1]).toContain('注浆堵漏');
    // the columns are the register's: location, category, what is wrong, responsible party
    const heads = await page.getByTestId('item-table-defectItems').locator('thead th').allInnerTexts();
    expect(heads).toEqual(expect.arrayContaining(['位置', '类别', '问题描述', '责任方']));
    expect(await page.getByTestId('item-table-defectItems').locator('tr[data-item="1"]').innerText()).toContain('防水');
    await noLeaks(page);
    for (const key of ['confirmed', 'disputed', 'waterproof', 'landscape', 'CONTRACTOR_RESPONSE']) expect(await page.locator('main').innerText(), key).not.toContain(key);
    await context.close();
  }, 240_000);

  it('a paid service lists what was drawn from the store and the checklist results, in words (PS-5, PS-10)', async () => {
    const desk = await sessionOf('front-desk');
    const dispatcher = await sessionOf('dispatcher');
    const tech = await sessionOf('technician');
    const estateId = desk.estateId;
    const { items: units } = (await desk.call('GET', `/api/estates/${estateId}/units?limit=200`)) as { items: { id: string; label: string }[] };
    const unit = units[units.length - 2]!;
    const started = await desk.call('POST', '/api/instances', { estateId, workflow: 'paid-service', unitId: unit.id, data: {
      customerName: '王先生', unit: unit.label, content: '更换客厅日光灯并检修空调', appointment: '2026-12-31T14:00:00+08:00', phone: '13912345678', channel: 'phone',
    } });
    const id = started.id as string;
    const send = (who: typeof desk, type: string, data: Record<string, unknown> = {}) => who.call('POST', `/api/instances/${id}/events`, { type, data });
    await send(dispatcher, 'ACCEPT', { category: 'lamp', estimateFen: 5000, timeKeepable: true });
    await send(dispatcher, 'DISPATCH', { orderNo: `PS-T-${Date.now() % 100000}`, technicianId: tech.id });
    await send(tech, 'TAKE');
    await send(tech, 'ARRIVE');
    await send(tech, 'QUOTE', { quote: [{ description: '日光灯维修', amountFen: 2000, reason: '人工' }], findings: '启辉器老化' });
    await send(tech, 'AGREE', { customerSignature: '王' });
    await send(tech, 'MATERIAL_DRAW', { name: '日光灯管', kind: 'material', quantity: 1 });
    await send(tech, 'MATERIAL_DRAW', { name: '人字梯', kind: 'tool', quantity: 1 });
    await send(tech, 'MATERIAL_MOVE', { no: 2, state: 'returned' });
    await send(tech, 'CHECK', { service: 'lamp', flickers: 5 });
    await send(tech, 'CHECK', { service: 'air-conditioner', pressureKpa: 520, steps: [{ step: '排水管通畅', result: 'pass' }] });

    const { page, context } = await newPage(browser, server.origin, { width: 360, height: 740 });
    await login(page, 'technician', DEMO_PASSWORD);
    await page.goto(`/instances/${id}`);
    const materials = page.getByTestId('item-table-materialItems');
    await materials.waitFor();
    expect(await materials.locator('tr[data-item="1"]').innerText()).toMatch(/日光灯管[\s\S]*材料（用掉的按实收费）[\s\S]*已领用（未退还）/);
    expect(await materials.locator('tr[data-item="2"] [data-testid="item-state"]').innerText()).toBe('已退还仓库');
    const checks = page.getByTestId('item-table-checkItems');
    expect(await checks.locator('tr[data-item="1"]').innerText()).toMatch(/日光灯[\s\S]*5[\s\S]*不合格/);
    expect(await checks.locator('tr[data-item="2"]').innerText()).toMatch(/空调[\s\S]*520[\s\S]*排水管通畅[\s\S]*合格/);
    await noLeaks(page);
    // the lists scroll inside their cards: the page is no wider than the phone
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'paid-service-items-360');
    await context.close();
  }, 240_000);
});
