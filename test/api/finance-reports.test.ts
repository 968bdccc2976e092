import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import type { Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// issue #20, "Reports the seeds ask of finance": the monthly fee report (BL-9) and the quarterly
// income-and-spending report (BL-11), every figure counted by hand below.
//
// Fee schedule standard-fees (billing-dunning): residential 2.50 元/㎡·月, underground parking 150 元/月.
// Quarterly plan, 2026-Q4: payment notice 2026-09-01, pay by 2026-10-01; reminder 2026-10-01 pay by
// 2026-11-01; final notice 2026-11-09; late fee 3 ‰ a day from 2026-10-01 through the day paid,
// charged from the final notice (principal paid before it bears none).
//   A 10-1-101  89.37 ㎡          → 89.37 × 250 × 3 = 67 027.5 → 67 028
//   B 2-1-101  126.54 ㎡ + 1 space → 126.54 × 250 × 3 = 94 905, + 15 000 × 3 = 45 000 → 139 905
//   C 2-1-102   89.37 ㎡          → 67 028
// Payments: A 67 028 cash 09-15; B 50 000 wechat 09-20; B 89 905 alipay 11-20 (principal cleared);
// B 13 755 cash 11-25 (its late fee: 89 905 × 3‰ × 51 days (10-01…11-20) = 13 755.465 → 13 755);
// A 10 000 bank transfer 12-01 (no bill open: prepayment).
// C never pays: late fee as of 11-28 = 67 028 × 3‰ × 59 = 11 863.956 → 11 864; a waiver of 1 000 on
// it approved on 11-28; as of 11-30 = 67 028 × 3‰ × 61 = 12 266.124 → 12 266.
withDatabases((kind, getDb) => {
  it(`reports a month's fees (BL-9) and a quarter's income and spending (BL-11) with hand-counted figures on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '10栋', units: ['10-1-101'] }, { name: '2栋', units: ['2-1-101', '2-1-102'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', displayName: '吴会计', roles: [{ estateId, role: 'finance' }] });
    await createUser(db, testConfig as never, { tenantId, username: `pm-${kind}`, password: 'pw', displayName: '周经理', roles: [{ estateId, role: 'property_manager' }] });
    await createUser(db, testConfig as never, { tenantId, username: `desk-${kind}`, password: 'pw', displayName: '李前台', roles: [{ estateId, role: 'front_desk' }] });
    let now = new Date('2026-09-02T04:00:00Z');
    const app = testApp(db, { now: () => now });
    let fin = await signIn(app, `fin-${kind}`, 'pw');
    let pm = await signIn(app, `pm-${kind}`, 'pw');
    let desk = await signIn(app, `desk-${kind}`, 'pw');
    // the clock moves by weeks: sessions idle that long end, so everyone signs in again
    const at = async (iso: string) => {
      now = new Date(iso);
      [fin, pm, desk] = await Promise.all([signIn(app, `fin-${kind}`, 'pw'), signIn(app, `pm-${kind}`, 'pw'), signIn(app, `desk-${kind}`, 'pw')]);
    };
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
    const listed = await fin.call('GET', `/api/estates/${estateId}/units?limit=50`);
    const unit = new Map<string, string>(listed.body.items.map((u: { id: string; label: string }) => [u.label, u.id]));
    const A = unit.get('10-1-101')!;
    const B = unit.get('2-1-101')!;
    const C = unit.get('2-1-102')!;
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: A, unitType: 'residential', areaSqm: '89.37' })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: B, unitType: 'residential', areaSqm: '126.54', parking: [{ kind: 'underground', count: 1 }] })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: C, unitType: 'residential', areaSqm: '89.37' })).status).toBe(200);
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2026-Q4' });
    expect(run.body.created.map((b: { totalFen: number }) => b.totalFen).sort()).toEqual([139905, 67028, 67028].sort());

    const pay = async (unitId: string, amountFen: number, method: string, receivedOn: string) => {
      const r = await desk.call('POST', '/api/billing/payments', { estateId, unitId, amountFen, method, receivedOn });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    await at('2026-09-25T04:00:00Z');
    await pay(A, 67028, 'cash', '2026-09-15');
    await pay(B, 50000, 'wechat', '2026-09-20');
    await at('2026-11-28T04:00:00Z');
    await pay(B, 89905, 'alipay', '2026-11-20');
    await pay(B, 13755, 'cash', '2026-11-25');
    const cBill = (await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${C}&period=2026-Q4`)).body.items[0];
    expect(cBill.lateFeeFen).toBe(11864);
    const asked = await desk.call('POST', '/api/billing/waivers', { estateId, billKey: cBill.key, component: 'late-fee', amountFen: 1000, reason: '困难户' });
    expect((await fin.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: asked.body.id, decision: 'approve' })).body.status).toBe('approved');
    await at('2026-12-06T04:00:00Z');
    await pay(A, 10000, 'bank-transfer', '2026-12-01');

    // ---- BL-9, September: the bills issued, what of them is collected by 09-30, nothing overdue yet
    const sep = await pm.call('GET', `/api/reports/fees/monthly?estateId=${estateId}&month=2026-09`);
    expect(sep.status, JSON.stringify(sep.body)).toBe(200);
    expect(sep.body).toMatchObject({ month: '2026-09', from: '2026-09-01', to: '2026-09-30', asOf: '2026-09-30' });
    // receivable 67 028 + 139 905 + 67 028 = 273 961; collected 67 028 + 50 000 = 117 028; 117 028 / 273 961 = 42.717 % → 4272 bp
    expect(sep.body.totals).toMatchObject({ bills: 3, receivableFen: 273961, collectedFen: 117028, collectionRateBp: 4272, receivedFen: 117028, refundedFen: 0, arrearsFen: 0, lateFeeChargedFen: 0, lateFeeReceivedFen: 0, waivedPrincipalFen: 0, waivedLateFeeFen: 0, creditFen: 0 });
    expect(sep.body.received.byMethod.slice(0, 2).map((m: { method: string; inFen: number }) => [m.method, m.inFen])).toEqual([['cash', 67028], ['wechat', 50000]]);
    expect(sep.body.received.balanced).toBe(true);
    // per building, in natural order (2栋 before 10栋): 2栋 50 000 / 206 933 = 24.162 % → 2416 bp; 10栋 all paid
    expect(sep.body.buildings.map((b: { building: string; figures: { receivableFen: number; collectedFen: number; collectionRateBp: number } }) => [b.building, b.figures.receivableFen, b.figures.collectedFen, b.figures.collectionRateBp])).toEqual([
      ['2栋', 206933, 50000, 2416],
      ['10栋', 67028, 67028, 10000],
    ]);

    // ---- BL-9, November: no bills issued; B's principal and late fee paid; C overdue 60 days with its late fee less the waiver
    const nov = await fin.call('GET', `/api/reports/fees/monthly?estateId=${estateId}&month=2026-11`);
    expect(nov.status).toBe(200);
    // late fee accrued in November: B 13 755 + C 12 266 = 26 021 (nothing was charged before the final notice of 11-09)
    // arrears on 11-30: C 67 028 + 12 266 − 1 000 = 78 294, 60 days past its due date 10-01 (31–90)
    expect(nov.body.totals).toMatchObject({ bills: 0, receivableFen: 0, collectedFen: 0, collectionRateBp: null, receivedFen: 103660, lateFeeChargedFen: 26021, lateFeeReceivedFen: 13755, waivedPrincipalFen: 0, waivedLateFeeFen: 1000, arrearsFen: 78294, creditFen: 0 });
    expect(nov.body.totals.arrearsBuckets).toEqual({ '0-30': 0, '31-90': 78294, '91-180': 0, '181-365': 0, '365+': 0 });
    expect(nov.body.received.byMethod.slice(0, 3).map((m: { method: string; inFen: number }) => [m.method, m.inFen])).toEqual([['cash', 13755], ['wechat', 0], ['alipay', 89905]]);
    const two = nov.body.buildings.find((b: { building: string }) => b.building === '2栋').figures;
    expect(two).toMatchObject({ receivedFen: 103660, lateFeeChargedFen: 26021, waivedLateFeeFen: 1000, arrearsFen: 78294 });
    const ten = nov.body.buildings.find((b: { building: string }) => b.building === '10栋').figures;
    expect(ten).toMatchObject({ receivedFen: 0, lateFeeChargedFen: 0, arrearsFen: 0 });
    // December so far (as of today 12-06): A's 10 000 is prepayment (预收)
    expect((await fin.call('GET', `/api/reports/fees/monthly?estateId=${estateId}&month=2026-12`)).body.totals).toMatchObject({ receivedFen: 10000, creditFen: 10000 });
    // a month not begun, a malformed month, and roles that do not read finance's reports
    const future = await fin.call('GET', `/api/reports/fees/monthly?estateId=${estateId}&month=2027-01`);
    expect(future.status).toBe(422);
    expect(future.body.error.field).toBe('month');
    expect(future.body.error.message.zh).toContain('尚未开始');
    expect((await fin.call('GET', `/api/reports/fees/monthly?estateId=${estateId}&month=2026-13`)).status).toBe(400);
    expect((await desk.call('GET', `/api/reports/fees/monthly?estateId=${estateId}&month=2026-11`)).status).toBe(403);

    // ---- BL-11: spending entries (finance, audited), never edited: a correction is a negative entry with its note
    const spend = async (category: string, amountFen: number, spentOn: string, note?: string) => fin.call('POST', '/api/reports/spending', { estateId, category, amountFen, spentOn, ...(note ? { note } : {}) });
    expect((await spend('人员工资', 300000, '2026-10-31', '10月工资')).status).toBe(200);
    expect((await spend('公共能耗', 45678, '2026-11-15')).status).toBe(200);
    const fix = await spend('公共能耗', -5000, '2026-11-16', '更正 11-15 电费多记 50 元');
    expect(fix.status).toBe(200);
    expect(fix.body).toMatchObject({ category: '公共能耗', amountFen: -5000, spentOn: '2026-11-16', enteredBy: { name: '吴会计' } });
    expect((await spend('维修养护', 12000, '2026-09-30')).status).toBe(200); // Q3: not in Q4's report
    const noNote = await spend('公共能耗', -100, '2026-11-16');
    expect([noNote.status, noNote.body.error.field]).toEqual([400, 'note']);
    const later = await spend('公共能耗', 100, '2026-12-07');
    // a day after today is refused as the cashier's days and deposits refuse one (the one pastDay check): 422
    expect([later.status, later.body.error.field]).toEqual([422, 'spentOn']);
    expect(later.body.error.message.zh).toContain('不得晚于今天');
    const blank = await spend('  ', 100, '2026-12-01');
    expect([blank.status, blank.body.error.field]).toEqual([400, 'category']);
    expect((await desk.call('POST', '/api/reports/spending', { estateId, category: '其他', amountFen: 1, spentOn: '2026-12-01' })).status).toBe(403);
    const list = await pm.call('GET', `/api/reports/spending?estateId=${estateId}&from=2026-10-01&to=2026-12-31`);
    expect(list.body.items.map((i: { amountFen: number }) => i.amountFen)).toEqual([300000, 45678, -5000]);
    expect(list.body.totalFen).toBe(340678);

    // Q4 as of today: received 89 905 + 13 755 + 10 000 = 113 660. B's 89 905 paid its bill's lines in proportion:
    // management 89 905 × 94 905 / 139 905 = 60 987.34 (floor 60 987), parking 89 905 × 45 000 / 139 905 = 28 917.66 (floor 28 917);
    // the fen left goes to the larger remainder (parking) → 60 987 + 28 918. Spending 300 000 + 45 678 − 5 000 = 340 678.
    const q4 = await pm.call('GET', `/api/reports/income-spending?estateId=${estateId}&period=2026-Q4`);
    expect(q4.status, JSON.stringify(q4.body)).toBe(200);
    expect(q4.body).toEqual({
      period: '2026-Q4', from: '2026-10-01', to: '2026-12-31', asOf: '2026-12-06',
      income: { byKind: { management: 60987, parking: 28918, service: 0 }, lateFeeFen: 13755, unallocatedFen: 10000, totalFen: 113660 },
      spending: { byCategory: [{ category: '人员工资', amountFen: 300000, entries: 1 }, { category: '公共能耗', amountFen: 40678, entries: 2 }], totalFen: 340678 },
      balanceFen: -227018,
    });
    // the half year: Q3's September money (67 028 + 50 000 = 117 028, all management and parking of the Q4 bills) and spending join in
    const h2 = await fin.call('GET', `/api/reports/income-spending?estateId=${estateId}&period=2026-H2`);
    expect(h2.body.income.totalFen).toBe(117028 + 113660);
    expect(h2.body.spending.totalFen).toBe(340678 + 12000);
    expect(h2.body.balanceFen).toBe(117028 + 113660 - 340678 - 12000);
    expect((await fin.call('GET', `/api/reports/income-spending?estateId=${estateId}&period=2027-Q1`)).status).toBe(422);
    expect((await fin.call('GET', `/api/reports/income-spending?estateId=${estateId}&period=2026-Q5`)).status).toBe(400);
    // every spending entry is audited
    const { auditLog } = await import('@estateflow/db');
    const { eq } = await import('drizzle-orm');
    const audited = await db.select().from(auditLog).where(eq(auditLog.action, 'finance.spending'));
    expect(audited.filter((a) => a.tenantId === tenantId)).toHaveLength(4);
  });
});

// BL-10: custody of a vacant unit needs a signed custody agreement (托管协议); a unit in custody without one is not billed
withDatabases((kind, getDb) => {
  it(`bills a unit in custody only with its custody agreement, recorded on the unit and in its history, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '3栋', units: ['3-1-502', '3-1-503'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', displayName: '吴会计', roles: [{ estateId, role: 'finance' }] });
    const now = new Date('2026-09-02T04:00:00Z');
    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `fin-${kind}`, 'pw');
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
    const listed = await fin.call('GET', `/api/estates/${estateId}/units?limit=50`);
    const unit = new Map<string, string>(listed.body.items.map((u: { id: string; label: string }) => [u.label, u.id]));
    const vacant = unit.get('3-1-502')!;
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: vacant, unitType: 'residential', areaSqm: '100.00', custody: true })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: unit.get('3-1-503'), unitType: 'residential', areaSqm: '100.00' })).status).toBe(200);

    // the preview names the unit that cannot be billed and why; the other is billed
    const preview = await fin.call('POST', '/api/billing/runs/preview', { estateId, plan: 'quarterly', period: '2026-Q4' });
    expect(preview.status).toBe(200);
    expect(preview.body.created.map((b: { unitLabel: string }) => b.unitLabel)).toEqual(['3-1-503']);
    expect(preview.body.errors).toMatchObject([{ unitId: vacant, unitLabel: '3-1-502', reason: 'no-custody-agreement' }]);
    expect(preview.body.errors[0].message.en).toContain('cannot be billed: no custody agreement');
    expect(preview.body.errors[0].message.zh).toContain('没有托管协议');

    // a bad agreement is refused naming its field and changes nothing
    const early = await fin.call('POST', '/api/billing/units', { estateId, unitId: vacant, unitType: 'residential', custody: true, custodyAgreement: { party: '王业主', signedOn: '2026-08-20', from: '2026-08-01', reference: 'TG-2026-031' } });
    expect([early.status, early.body.error.field]).toEqual([400, 'custodyAgreement.from']);
    const noRef = await fin.call('POST', '/api/billing/units', { estateId, unitId: vacant, unitType: 'residential', custody: true, custodyAgreement: { party: '王业主', signedOn: '2026-08-20', from: '2026-09-01', reference: '  ' } });
    expect([noRef.status, noRef.body.error.field]).toEqual([400, 'custodyAgreement.reference']);

    // recorded through the unit's write path: kept by later saves that leave it out, in the unit's history
    const agreement = { party: '王业主', signedOn: '2026-08-20', from: '2026-09-01', to: null, reference: 'TG-2026-031' };
    const saved = await fin.call('POST', '/api/billing/units', { estateId, unitId: vacant, unitType: 'residential', custody: true, custodyAgreement: agreement });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ custody: true, custodyAgreement: agreement, changed: ['custodyAgreement'] });
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: vacant, unitType: 'residential', custody: true })).body).toMatchObject({ custodyAgreement: agreement, changed: [] });
    const file = await fin.call('GET', `/api/estates/${estateId}/units/${vacant}`);
    expect(file.body.profile).toMatchObject({ custody: true, custodyAgreement: agreement });
    expect(file.body.history.filter((h: { changes: object }) => 'custodyAgreement' in h.changes).map((h: { changes: object }) => h.changes)).toEqual([{ custodyAgreement: { from: null, to: agreement } }]);

    // billed now, at the custody share (BL-6, 70 %): 100 ㎡ × 2.50 × 3 × 70 % = 525.00
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2026-Q4' });
    expect(run.body.errors).toEqual([]);
    expect(run.body.created.map((b: { unitId: string; totalFen: number }) => [b.unitId === vacant, b.totalFen]).sort()).toEqual([[false, 75000], [true, 52500]]);
    // an agreement that ended before a period does not cover it
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: vacant, unitType: 'residential', custody: true, custodyAgreement: { ...agreement, to: '2026-12-31' } })).status).toBe(200);
    const next = await fin.call('POST', '/api/billing/runs/preview', { estateId, plan: 'quarterly', period: '2027-Q1' });
    expect(next.body.errors).toMatchObject([{ unitId: vacant, reason: 'no-custody-agreement' }]);
    expect(next.body.errors[0].message.zh).toContain('不在本期内');
  });
});

/**
 * A one-unit estate at the counter (3-1-502, 100 ㎡ residential, billed by billing-dunning's quarterly
 * plan) with finance (吴会计) and the front desk (李前台) signed in, on a clock the test moves; `signIn`
 * signs both in again once it has moved past a session's hours.
 */
async function counterEstate(db: Db, kind: string, start: string) {
  const clock = { now: new Date(start) };
  const tenantId = await createCompany(db, '长城物业');
  const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '3栋', units: ['3-1-502'] }] });
  await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', displayName: '吴会计', roles: [{ estateId, role: 'finance' }] });
  await createUser(db, testConfig as never, { tenantId, username: `desk-${kind}`, password: 'pw', displayName: '李前台', roles: [{ estateId, role: 'front_desk' }] });
  const app = testApp(db, { now: () => clock.now });
  const signInBoth = async () => ({ fin: await signIn(app, `fin-${kind}`, 'pw'), desk: await signIn(app, `desk-${kind}`, 'pw') });
  const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
  await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now: clock.now }));
  const { fin, desk } = await signInBoth();
  const unitId = (await fin.call('GET', `/api/estates/${estateId}/units?limit=50`)).body.items[0].id as string;
  await fin.call('POST', '/api/billing/units', { estateId, unitId, unitType: 'residential', areaSqm: '100.00' });
  return { clock, estateId, unitId, fin, desk, signIn: signInBoth };
}

// the cashier's day holds deposits (押金) and prepayments (预存) beside the takings, and its close covers them
withDatabases((kind, getDb) => {
  it(`shows deposits and prepayments in the cashier's day and its close on ${kind}`, async () => {
    const { clock, estateId, unitId, fin, desk } = await counterEstate(getDb(), kind, '2026-09-02T04:00:00Z');
    await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2026-Q4' }); // 75 000 due 10-01
    // 80 000 cash: 75 000 pays the bill, 5 000 is prepayment; a 2 000 元 renovation deposit by WeChat
    expect((await desk.call('POST', '/api/billing/payments', { estateId, unitId, amountFen: 80000, method: 'cash' })).status).toBe(200);
    expect((await desk.call('POST', '/api/billing/deposits', { estateId, unitId, kind: 'renovation', amountFen: 200000, method: 'wechat' })).status).toBe(200);
    const day = await desk.call('GET', `/api/billing/cashier-day?estateId=${estateId}`);
    expect(day.status).toBe(200);
    expect(day.body.entries.map((e: { amountFen: number; prepaidFen: number }) => [e.amountFen, e.prepaidFen])).toEqual([[80000, 5000]]);
    expect(day.body.prepaidFen).toBe(5000);
    expect(day.body.takings.inFen).toBe(80000); // deposits are beside the takings, never in them
    expect(day.body.deposits.entries).toMatchObject([{ kind: 'renovation', unitLabel: '3-1-502', method: 'wechat', amountFen: 200000, closeNo: null }]);
    expect(day.body.deposits.held).toMatchObject({ count: 1, inFen: 200000 });
    expect(day.body.deposits.held.byMethod.find((m: { method: string }) => m.method === 'wechat').inFen).toBe(200000);
    const closed = await desk.call('POST', '/api/billing/cashier-day/close', { estateId });
    expect(closed.body).toMatchObject({ no: 1, totals: { inFen: 80000 }, deposits: { count: 1, inFen: 200000 } });
    // a deposit alone after the close is something new to close
    clock.now = new Date('2026-09-02T05:00:00Z');
    expect((await desk.call('POST', '/api/billing/deposits', { estateId, unitId, kind: 'other', amountFen: 10000, method: 'cash' })).status).toBe(200);
    const after = await desk.call('GET', `/api/billing/cashier-day?estateId=${estateId}`);
    expect(after.body.deposits.entries.map((d: { closeNo: number | null; afterClose: boolean }) => [d.closeNo, d.afterClose])).toEqual([[1, false], [null, true]]);
    expect(after.body.openDeposits.inFen).toBe(10000);
    expect(after.body.closes[0].deposits.inFen).toBe(200000);
    const second = await desk.call('POST', '/api/billing/cashier-day/close', { estateId });
    expect(second.body).toMatchObject({ no: 2, totals: { inFen: 0 }, deposits: { inFen: 10000 } });
  });
});

// deposit refunds (押金退还) paid out on a day are in that day of whoever recorded them: listed, netted in the
// drawer by method (takings, plus deposits taken, less deposits refunded), and covered by the day's close
withDatabases((kind, getDb) => {
  it(`nets the deposit refunds paid out on a day in the cashier's day and its close on ${kind}`, async () => {
    const counter = await counterEstate(getDb(), kind, '2026-09-01T04:00:00Z');
    const { clock, estateId, unitId, desk } = counter;
    let { fin } = counter;
    // 09-01: the desk takes two deposits, 2 000 元 renovation by WeChat and, an hour later, 500 元 other in cash
    const big = await desk.call('POST', '/api/billing/deposits', { estateId, unitId, kind: 'renovation', amountFen: 200000, method: 'wechat' });
    clock.now = new Date('2026-09-01T05:00:00Z');
    const small = await desk.call('POST', '/api/billing/deposits', { estateId, unitId, kind: 'other', amountFen: 50000, method: 'cash' });
    expect([big.status, small.status]).toEqual([200, 200]);

    // 09-02: finance takes 800 元 in cash and refunds the WeChat deposit; a forfeit is no money out
    clock.now = new Date('2026-09-02T04:00:00Z');
    // signed in again after the clock moves a day (a session lasts hours)
    const again = await counter.signIn();
    fin = again.fin;
    expect((await fin.call('POST', '/api/billing/payments', { estateId, unitId, amountFen: 80000, method: 'cash' })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/deposits/settle', { estateId, depositId: big.body.id, outcome: 'refunded', reason: '验收合格' })).status).toBe(200);
    const day = await fin.call('GET', `/api/billing/cashier-day?estateId=${estateId}`);
    expect(day.status).toBe(200);
    expect(day.body.deposits.refunds).toEqual([{
      depositId: big.body.id, kind: 'renovation', unitId, unitLabel: '3-1-502', building: '3栋', method: 'wechat', amountFen: 200000,
      takenOn: '2026-09-01', refundedOn: '2026-09-02', refundedBy: { id: expect.any(String), name: '吴会计' }, reason: '验收合格', closeNo: null, afterClose: false,
    }]);
    expect(day.body.deposits.refunded).toMatchObject({ count: 1, outFen: 200000 });
    expect(day.body.takings.netFen).toBe(80000); // the refund is beside the takings, never in them
    // the net: takings less the refunds paid out (no deposit taken that day), by method and in all
    expect(day.body.drawer.netFen).toBe(day.body.takings.netFen + day.body.deposits.held.inFen - day.body.deposits.refunded.outFen);
    expect(day.body.drawer.netFen).toBe(80000 - 200000);
    const drawer = new Map(day.body.drawer.byMethod.map((m: { method: string }) => [m.method, m]));
    expect(drawer.get('cash')).toEqual({ method: 'cash', takingsFen: 80000, depositsInFen: 0, depositsOutFen: 0, netFen: 80000 });
    expect(drawer.get('wechat')).toEqual({ method: 'wechat', takingsFen: 0, depositsInFen: 0, depositsOutFen: 200000, netFen: -200000 });
    expect(day.body.drawer.byMethod.reduce((a: number, m: { netFen: number }) => a + m.netFen, 0)).toBe(day.body.drawer.netFen);
    // the desk took the deposit, not the refund: neither its 09-01 nor its 09-02 lists it as paid out
    const deskDay = await again.desk.call('GET', `/api/billing/cashier-day?estateId=${estateId}&day=2026-09-01`);
    expect(deskDay.body.deposits.refunds).toEqual([]);
    expect(deskDay.body.drawer.netFen).toBe(250000);

    // the close covers the refund; a refund dated that day and recorded after it is after-close, then closed next
    const closed = await fin.call('POST', '/api/billing/cashier-day/close', { estateId });
    expect(closed.body).toMatchObject({ no: 1, totals: { netFen: 80000 }, refunds: { count: 1, outFen: 200000 } });
    expect((await fin.call('POST', '/api/billing/cashier-day/close', { estateId })).status).toBe(409);
    clock.now = new Date('2026-09-03T02:00:00Z');
    fin = (await counter.signIn()).fin;
    expect((await fin.call('POST', '/api/billing/deposits/settle', { estateId, depositId: small.body.id, outcome: 'refunded', reason: '退租', on: '2026-09-02' })).status).toBe(200);
    const after = await fin.call('GET', `/api/billing/cashier-day?estateId=${estateId}&day=2026-09-02`);
    expect(after.body.deposits.refunds.map((r: { amountFen: number; closeNo: number | null; afterClose: boolean }) => [r.amountFen, r.closeNo, r.afterClose])).toEqual([[200000, 1, false], [50000, null, true]]);
    expect(after.body.openRefunds).toMatchObject({ count: 1, outFen: 50000 });
    expect(after.body.drawer.netFen).toBe(80000 - 250000);
    expect(after.body.closes[0].refunds.outFen).toBe(200000);
    const second = await fin.call('POST', '/api/billing/cashier-day/close', { estateId, day: '2026-09-02' });
    expect(second.body).toMatchObject({ no: 2, totals: { inFen: 0 }, refunds: { count: 1, outFen: 50000 } });
  });
});
