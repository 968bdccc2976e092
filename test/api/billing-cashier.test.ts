import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

type BillRow = { key: string; unitId: string; periodId: string; payBy: string; issueOn: string; totalFen: number; principalFen: number; principalPaidFen: number; lateFeeFen: number; lateFeePaidFen: number; outstandingFen: number };
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

// issue #20: the cashier's day (日结/交班), month-end reconciliation (PS-7), fee waivers (减免), arrears by building, deposits and prepayment
withDatabases((kind, getDb) => {
  it(`closes a cashier's day against its receipts, reconciles the month, waives a fee through a second person, ages arrears by building and holds deposits on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '10栋', units: ['10-1-101'] }, { name: '2栋', units: ['2-1-101', '2-1-102'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', displayName: '吴会计', roles: [{ estateId, role: 'finance' }] });
    await createUser(db, testConfig as never, { tenantId, username: `pm-${kind}`, password: 'pw', displayName: '周经理', roles: [{ estateId, role: 'property_manager' }] });
    await createUser(db, testConfig as never, { tenantId, username: `desk-${kind}`, password: 'pw', displayName: '李前台', roles: [{ estateId, role: 'front_desk' }] });
    let now = new Date('2026-12-06T04:00:00Z'); // 12:00 in Shanghai
    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `fin-${kind}`, 'pw');
    const pm = await signIn(app, `pm-${kind}`, 'pw');
    const desk = await signIn(app, `desk-${kind}`, 'pw');
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
    const listed = await fin.call('GET', `/api/estates/${estateId}/units?limit=50`);
    const unit = new Map<string, string>(listed.body.items.map((u: { id: string; label: string }) => [u.label, u.id]));
    for (const [label, areaSqm] of [['10-1-101', '89.37'], ['2-1-101', '126.54'], ['2-1-102', '89.37']] as const) {
      expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: unit.get(label), unitType: 'residential', areaSqm })).status).toBe(200);
    }
    const q4 = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2026-Q4' });
    expect(q4.body.created).toHaveLength(3);
    const billOf = async (label: string, period = '2026-Q4'): Promise<BillRow> => (await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${unit.get(label)}&period=${period}`)).body.items[0];

    // ---- the cashier's day: two payments at the counter, by method, against their receipts
    const a = await desk.call('POST', '/api/billing/payments', { estateId, unitId: unit.get('10-1-101'), amountFen: 67028, method: 'cash' });
    const b = await desk.call('POST', '/api/billing/payments', { estateId, unitId: unit.get('2-1-101'), amountFen: 50000, method: 'wechat' });
    expect([a.status, b.status]).toEqual([200, 200]);
    const day = await desk.call('GET', `/api/billing/cashier-day?estateId=${estateId}`);
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({ day: '2026-12-06', today: '2026-12-06', cashier: { name: '李前台' }, closes: [] });
    expect(day.body.entries.map((e: { serial: string; unitLabel: string; method: string; afterClose: boolean }) => [e.serial, e.unitLabel, e.method, e.afterClose])).toEqual([
      [a.body.receipt.serial, '10-1-101', 'cash', false],
      [b.body.receipt.serial, '2-1-101', 'wechat', false],
    ]);
    expect(day.body.takings.byMethod.slice(0, 5).map((m: { method: string; inFen: number }) => [m.method, m.inFen])).toEqual([['cash', 67028], ['wechat', 50000], ['alipay', 0], ['card', 0], ['bank-transfer', 0]]);
    expect(day.body.takings).toMatchObject({ inFen: 117028, outFen: 0, netFen: 117028, unreceipted: 0, balanced: true, receipts: { count: 2, first: a.body.receipt.serial, last: b.body.receipt.serial, amountFen: 117028 } });
    // someone at the counter reads their own day only; a future day is refused
    const finId = (await fin.call('GET', '/api/auth/me')).body.id ?? (await fin.call('GET', `/api/billing/cashier-day?estateId=${estateId}`)).body.cashier.id;
    expect((await desk.call('GET', `/api/billing/cashier-day?estateId=${estateId}&cashierId=${finId}`)).status).toBe(403);
    const tomorrow = await desk.call('GET', `/api/billing/cashier-day?estateId=${estateId}&day=2026-12-07`);
    expect(tomorrow.status).toBe(422);
    expect(tomorrow.body.error.field).toBe('day');

    // the close (交班): who, when, the totals; nothing new since → refused
    const closed = await desk.call('POST', '/api/billing/cashier-day/close', { estateId, note: '现金已交财务' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ no: 1, closedAt: '2026-12-06T04:00:00.000Z', closedBy: { name: '李前台' }, note: '现金已交财务', totals: { inFen: 117028, balanced: true } });
    const twice = await desk.call('POST', '/api/billing/cashier-day/close', { estateId });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message.zh).toContain('已日结');
    // a payment after the close shows as after-close, in what no close covers yet
    now = new Date('2026-12-06T09:30:00Z');
    const late = await desk.call('POST', '/api/billing/payments', { estateId, unitId: unit.get('2-1-102'), amountFen: 1000, method: 'alipay' });
    expect(late.status).toBe(200);
    const deskId = day.body.cashier.id as string;
    const seen = await fin.call('GET', `/api/billing/cashier-day?estateId=${estateId}&cashierId=${deskId}&day=2026-12-06`);
    expect(seen.status).toBe(200);
    expect(seen.body.entries.map((e: { closeNo: number | null; afterClose: boolean }) => [e.closeNo, e.afterClose])).toEqual([[1, false], [1, false], [null, true]]);
    expect(seen.body.open).toMatchObject({ inFen: 1000, receipts: { count: 1, first: late.body.receipt.serial } });
    expect(seen.body.takings.inFen).toBe(118028);
    // finance closes it on the cashier's behalf (hand-over)
    const second = await fin.call('POST', '/api/billing/cashier-day/close', { estateId, cashierId: deskId });
    expect(second.body).toMatchObject({ no: 2, closedBy: { name: '吴会计' }, totals: { inFen: 1000 } });

    // ---- month-end reconciliation by method (PS-7): finance only
    const month = await fin.call('GET', `/api/billing/reconciliation?estateId=${estateId}&month=2026-12`);
    expect(month.status).toBe(200);
    expect(month.body).toMatchObject({ from: '2026-12-01', to: '2026-12-31', takings: { inFen: 118028, balanced: true, receipts: { count: 3 } }, byCashier: [{ cashier: { name: '李前台' }, inFen: 118028, entries: 3, closes: 2 }], byDay: [{ day: '2026-12-06', inFen: 118028, netFen: 118028 }] });
    expect(month.body.takings.byMethod.find((m: { method: string }) => m.method === 'alipay').inFen).toBe(1000);
    expect((await desk.call('GET', `/api/billing/reconciliation?estateId=${estateId}&month=2026-12`)).status).toBe(403);
    expect((await fin.call('GET', `/api/billing/reconciliation?estateId=${estateId}&month=2026-13`)).status).toBe(400);

    // ---- a fee waiver (减免): asked by the desk, approved by someone else with the finance permission, one ledger
    const shop = await billOf('2-1-101');
    expect(shop.lateFeeFen).toBeGreaterThan(0);
    const lateOwed = shop.lateFeeFen - shop.lateFeePaidFen;
    const tooMuch = await desk.call('POST', '/api/billing/waivers', { estateId, billKey: shop.key, component: 'late-fee', amountFen: lateOwed + 1, reason: '困难户' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.field).toBe('amountFen');
    const noReason = await desk.call('POST', '/api/billing/waivers', { estateId, billKey: shop.key, component: 'late-fee', amountFen: 1, reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');
    const asked = await desk.call('POST', '/api/billing/waivers', { estateId, billKey: shop.key, component: 'late-fee', amountFen: lateOwed, reason: '困难户，经理同意' });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'pending', unitLabel: '2-1-101', building: '2栋', periodId: '2026-Q4', requestedBy: { name: '李前台' }, decidedBy: null, adjustmentId: null });
    expect((await billOf('2-1-101')).outstandingFen).toBe(shop.outstandingFen); // pending moves no money
    expect((await desk.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: asked.body.id, decision: 'approve' })).status).toBe(403);
    const approved = await fin.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: asked.body.id, decision: 'approve', note: '同意' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: { name: '吴会计' }, decisionNote: '同意', adjustmentId: expect.any(String) });
    const waived = await billOf('2-1-101');
    expect(waived.outstandingFen).toBe(shop.outstandingFen - lateOwed);
    const statement = await fin.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${unit.get('2-1-101')}&from=2026-12-06&to=2026-12-06`);
    expect(statement.body.entries).toContainEqual(expect.objectContaining({ kind: 'adjustment', amountFen: -lateOwed, description: { zh: '减免：困难户，经理同意', en: 'Waiver: 困难户，经理同意' } }));
    expect(statement.body.closingFen).toBe(statement.body.openingFen + sum(statement.body.entries.map((e: { amountFen: number }) => e.amountFen)));
    expect((await fin.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: asked.body.id, decision: 'reject' })).status).toBe(409);
    // no one approves their own request; a rejection moves nothing
    const own = await fin.call('POST', '/api/billing/waivers', { estateId, billKey: shop.key, component: 'principal', amountFen: 100, reason: '尾差' });
    const self = await fin.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: own.body.id, decision: 'approve' });
    expect(self.status).toBe(403);
    expect(self.body.error.message.zh).toContain('申请人以外');
    expect((await pm.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: own.body.id, decision: 'reject', note: '不符合条件' })).body).toMatchObject({ status: 'rejected', decidedBy: { name: '周经理' }, adjustmentId: null });
    expect((await billOf('2-1-101')).outstandingFen).toBe(waived.outstandingFen);
    expect((await fin.call('GET', `/api/billing/waivers?estateId=${estateId}&status=pending`)).body.items).toEqual([]);

    // ---- arrears by building, in ageing buckets from the due date, and the drill-down; the same figures as the bills
    const all: BillRow[] = (await fin.call('GET', `/api/billing/bills?estateId=${estateId}`)).body.items;
    const overdue = all.filter((x) => x.payBy < '2026-12-06' && x.outstandingFen > 0);
    expect(overdue.length).toBeGreaterThan(0);
    const byBuilding = await fin.call('GET', `/api/billing/arrears/buildings?estateId=${estateId}`);
    expect(byBuilding.status).toBe(200);
    expect(byBuilding.body.totalFen).toBe(sum(overdue.map((x) => x.outstandingFen)));
    expect(byBuilding.body.totalFen).toBe(sum(Object.values(byBuilding.body.totals as Record<string, number>)));
    const two = byBuilding.body.buildings.find((x: { building: string }) => x.building === '2栋');
    expect(two.units).toBe(2);
    const drill = await desk.call('GET', `/api/billing/arrears/building?estateId=${estateId}&buildingId=${two.buildingId}`);
    expect(drill.status).toBe(200);
    expect(drill.body.units.map((u: { unitLabel: string }) => u.unitLabel)).toEqual(['2-1-101', '2-1-102']);
    expect(drill.body.totalFen).toBe(two.totalFen);
    const [u101] = drill.body.units;
    expect(u101.totalFen).toBe(waived.outstandingFen);
    expect(u101.bills[0]).toMatchObject({ billKey: shop.key, periodId: '2026-Q4', dueOn: shop.payBy, owedFen: waived.outstandingFen });
    expect((await fin.call('GET', `/api/billing/arrears/building?estateId=${estateId}&buildingId=${tenantId}`)).status).toBe(404);

    // ---- deposits (装修押金): taken at the desk, forfeited or refunded once, with a reason, by finance
    const dep = await desk.call('POST', '/api/billing/deposits', { estateId, unitId: unit.get('2-1-102'), kind: 'renovation', amountFen: 200000, method: 'cash', note: '装修押金' });
    expect(dep.status).toBe(200);
    expect(dep.body).toMatchObject({ status: 'held', unitLabel: '2-1-102', takenOn: '2026-12-06', takenBy: { name: '李前台' } });
    expect((await fin.call('GET', `/api/billing/deposits?estateId=${estateId}`)).body.heldFen).toBe(200000);
    expect((await desk.call('POST', '/api/billing/deposits/settle', { estateId, depositId: dep.body.id, outcome: 'refunded', reason: '验收合格' })).status).toBe(403);
    const noWhy = await fin.call('POST', '/api/billing/deposits/settle', { estateId, depositId: dep.body.id, outcome: 'forfeited', reason: '' });
    expect(noWhy.status).toBe(400);
    const forfeited = await fin.call('POST', '/api/billing/deposits/settle', { estateId, depositId: dep.body.id, outcome: 'forfeited', reason: '违规拆改承重墙' });
    expect(forfeited.body).toMatchObject({ status: 'forfeited', settledOn: '2026-12-06', settledBy: { name: '吴会计' }, settleReason: '违规拆改承重墙' });
    expect((await fin.call('POST', '/api/billing/deposits/settle', { estateId, depositId: dep.body.id, outcome: 'refunded', reason: '再退' })).status).toBe(409);
    expect((await fin.call('GET', `/api/billing/deposits?estateId=${estateId}`)).body.heldFen).toBe(0);

    // ---- prepayment (预存): money paid ahead is credit that pays the next bill as the billing run issues it
    const pre = await fin.call('POST', '/api/billing/payments', { estateId, unitId: unit.get('10-1-101'), amountFen: 200000, method: 'bank-transfer' });
    // what Q4's late fee took first; the rest is held as credit
    const credit = pre.body.creditFen as number;
    expect(credit).toBeGreaterThan(67028);
    const q1 = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2027-Q1' });
    const q1Bill = q1.body.created.find((x: { unitId: string }) => x.unitId === unit.get('10-1-101'));
    const issued: BillRow = (await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${unit.get('10-1-101')}&period=2027-Q1&asOf=2027-01-01`)).body.items[0];
    expect(issued).toMatchObject({ key: q1Bill.key, principalPaidFen: q1Bill.totalFen, outstandingFen: 0 });
    const after = await fin.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${unit.get('10-1-101')}&from=2026-12-01&to=2027-01-01`);
    expect(after.body.creditFen).toBe(credit - q1Bill.totalFen);
  }, 240_000);
});
