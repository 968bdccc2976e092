import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { defaultPlan } from '@estateflow/billing';
import { MAX_AMOUNT_FEN } from '@estateflow/definitions';
import { instances, outbox, residents, units } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;

withDatabases((kind, getDb) => {
  it(`bills a quarter, takes a late payment with a receipt, reports arrears and keeps tenants apart on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '花园小区', buildings: [{ name: '1栋', units: ['1-101', '1-102'] }] });
    const [shop, flat] = await db.select().from(units).where(eq(units.estateId, estateId)).orderBy(units.label);
    await db.update(units).set({ areaSqm: '160.75' }).where(and(eq(units.tenantId, tenantId), eq(units.id, shop!.id)));
    await db.update(units).set({ areaSqm: '89.37' }).where(and(eq(units.tenantId, tenantId), eq(units.id, flat!.id)));
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    await createUser(db, testConfig as never, { tenantId, username: `desk-${kind}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    const residentUser = await createUser(db, testConfig as never, { tenantId, username: `res-${kind}`, password: 'pw', roles: [{ estateId, role: 'resident' }] });
    await db.insert(residents).values({ tenantId, id: randomUUID(), estateId, unitId: flat!.id, name: '王先生', userId: residentUser });
    const otherTenant = await createCompany(db, '别家物业');
    const otherEstate = await createEstate(db, otherTenant, { name: '别家小区' });
    await createUser(db, testConfig as never, { tenantId: otherTenant, username: `spy-${kind}`, password: 'pw', roles: [{ estateId: otherEstate, role: 'finance' }] });

    const app = testApp(db, { now: () => new Date('2027-02-20T04:00:00Z') });
    const fin = await signIn(app, `fin-${kind}`, 'pw');
    const desk = await signIn(app, `desk-${kind}`, 'pw');
    const spy = await signIn(app, `spy-${kind}`, 'pw');

    // configuration: a bad schedule is refused with the JSON pointer, a good one saved
    const bad = structuredClone(feeExample) as { versions: { management: { fenPerSqmMonth: number }[] }[] };
    bad.versions[0]!.management[0]!.fenPerSqmMonth = 2.5;
    const refused = await fin.call('POST', '/api/billing/schedules', { estateId, document: bad });
    expect(refused.status).toBe(422);
    expect(refused.body.error.path).toBe('/versions/0/management/0/fenPerSqmMonth');
    expect(refused.body.error.message.zh).toBeTruthy();
    expect((await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample })).body).toEqual({ key: 'garden-fees', revision: 1 });
    const plan = defaultPlan('quarterly', { id: 'garden-quarterly', feeSchedule: 'garden-fees' });
    const orphan = await fin.call('POST', '/api/billing/plans', { estateId, document: { ...plan, feeSchedule: 'nope' } });
    expect(orphan.status).toBe(422);
    expect(orphan.body.error.path).toBe('/feeSchedule');
    expect((await fin.call('POST', '/api/billing/plans', { estateId, document: plan })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: shop!.id, unitType: 'shop' })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: flat!.id, unitType: 'residential' })).status).toBe(200);

    const notices = await fin.call('GET', `/api/billing/notices?estateId=${estateId}&plan=garden-quarterly&period=2027-Q1`);
    expect(notices.body.notices.map((n: { issueOn: string }) => n.issueOn)).toEqual(['2026-12-01', '2027-01-01', '2027-02-09', '2027-02-15']);

    // the run is idempotent; the front desk may not run it
    expect((await desk.call('POST', '/api/billing/runs', { estateId, plan: 'garden-quarterly', period: '2027-Q1' })).status).toBe(403);
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-quarterly', period: '2027-Q1' });
    expect(run.status).toBe(200);
    expect(run.body.created.map((b: { totalFen: number }) => b.totalFen)).toEqual([123456, 67028]); // 89.37 × 2.50 × 3 = 670.275 → 670.28
    const rerun = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-quarterly', period: '2027-Q1' });
    expect(rerun.body).toMatchObject({ created: [], existing: 2, errors: [] });
    // concurrent runs of another period: still one bill per unit (the key index decides)
    const racing = await Promise.all([1, 2, 3].map(() => fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-quarterly', period: '2027-Q2' })));
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(racing.flatMap((r) => r.body.created).length).toBe(2);
    const q2 = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&period=2027-Q2&asOf=2027-04-01`);
    expect(q2.body.items.map((b: { key: string }) => b.key).sort()).toEqual([`garden-quarterly/${flat!.id}/2027-Q2`, `garden-quarterly/${shop!.id}/2027-Q2`].sort());
    const badPeriod = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-quarterly', period: '2027-05' });
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.error.field).toBe('period');
    // a year no date can be computed from (#16: was a 500): 400 naming the period, in zh and en
    for (const period of ['9999-Q4', '0000-Q1']) {
      const far = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-quarterly', period });
      expect(far.status).toBe(400);
      expect(far.body.error.field).toBe('period');
      expect(far.body.error.message.en).toContain('the year must be from 1900 to 2999');
      expect(far.body.error.message.zh).toContain('年份须在 1900 到 2999 之间');
      const notices = await fin.call('GET', `/api/billing/notices?estateId=${estateId}&plan=garden-quarterly&period=${period}`);
      expect(notices.status).toBe(400);
      expect(notices.body.error.field).toBe('period');
    }

    // the shop pays on 2027-02-20, after the final notice: 188.89 yuan late fee (51 days at 3 ‰)
    // amounts are bounded (MAX_AMOUNT_FEN, 1 亿元): a larger payment is 400 naming amountFen, nothing recorded
    const huge = await desk.call('POST', '/api/billing/payments', { estateId, unitId: shop!.id, amountFen: 10_000_000_001, method: 'cash' });
    expect(huge.status).toBe(400);
    expect(huge.body.error.field).toBe('amountFen');
    expect(huge.body.error.message.zh).toContain('1 亿元');
    const unknownMethod = await desk.call('POST', '/api/billing/payments', { estateId, unitId: shop!.id, amountFen: 142345, method: 'cheque' });
    expect(unknownMethod.status).toBe(400);
    expect(unknownMethod.body.error.field).toBe('method');
    const paid = await desk.call('POST', '/api/billing/payments', { estateId, unitId: shop!.id, amountFen: 142345, method: 'cash' });
    expect(paid.status).toBe(200);
    expect(paid.body.receipt).toMatchObject({ serial: 'SJ-2027-000001', receivedOn: '2027-02-20', creditFen: 0, method: 'cash' });
    expect(paid.body.receipt.lines.map((l: { component: string; amountFen: number }) => [l.component, l.amountFen])).toEqual([
      ['principal', 123456],
      ['late-fee', 18889],
    ]);
    expect(paid.body.balanceFen).toBe(0);
    const listedReceipts = await fin.call('GET', `/api/billing/receipts?estateId=${estateId}&unitId=${shop!.id}`);
    expect(listedReceipts.body.items.map((r: { serial: string; amountFen: number }) => [r.serial, r.amountFen])).toEqual([['SJ-2027-000001', 142345]]);
    const tooMuch = await desk.call('POST', '/api/billing/payments', { estateId, unitId: shop!.id, kind: 'refund', amountFen: 1, method: 'desk', reason: '多缴退回' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.field).toBe('amountFen');
    expect((await desk.call('POST', '/api/billing/payments', { estateId, unitId: shop!.id, amountFen: 12.5, method: 'desk' })).body.error.field).toBe('amountFen');

    // the flat still owes: 67,028 + 67,028 × 51 × 3 ‰ (10,255.284 → 10,255)
    const billsNow = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${flat!.id}`);
    expect(billsNow.body.asOf).toBe('2027-02-20');
    expect(billsNow.body.items[0]).toMatchObject({ periodId: '2027-Q1', lateFeeFen: 10255, outstandingFen: 77283 });
    const arrears = await fin.call('GET', `/api/billing/arrears?estateId=${estateId}&asOf=2027-02-20`);
    expect(arrears.body.rows).toEqual([{ unitId: flat!.id, unitLabel: '1-102', buckets: { '0-30': 0, '31-90': 77283, '91-180': 0, '181-365': 0, '365+': 0 }, totalFen: 77283, oldestPeriodId: '2027-Q1' }]); // due 2027-01-01: 50 days past due

    // a partial waiver is a new line; the bill keeps its total
    const waiver = await fin.call('POST', '/api/billing/adjustments', { estateId, billKey: `garden-quarterly/${flat!.id}/2027-Q1`, on: '2027-02-20', component: 'late-fee', amountFen: -5000, reason: { zh: '减免部分滞纳金', en: 'Late fee waived in part' } });
    expect(waiver.status).toBe(200);
    const afterWaiver = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${flat!.id}&asOf=2027-02-20`);
    expect(afterWaiver.body.items[0]).toMatchObject({ totalFen: 67028, outstandingFen: 72283 });

    const st = await fin.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${shop!.id}&from=2027-01-01&to=2027-02-28`);
    expect(st.body).toMatchObject({ openingFen: 123456, closingFen: 0 });
    expect(st.body.entries.map((e: { kind: string; amountFen: number }) => [e.kind, e.amountFen])).toEqual([
      ['payment', -142345],
      ['late-fee', 18889],
    ]);
    // without a range: from the unit's first bill's issue to the estate's today, one call for the household's whole statement
    const firstIssue = (await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${shop!.id}&limit=200`)).body.items.map((b: { issueOn: string }) => b.issueOn).sort()[0];
    const whole = await fin.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${shop!.id}`);
    expect(whole.status).toBe(200);
    expect(whole.body).toEqual((await fin.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${shop!.id}&from=${firstIssue}&to=2027-02-20`)).body);
    expect([whole.body.from, whole.body.to]).toEqual([firstIssue, '2027-02-20']);

    // a resident sees their own household only
    const res = await signIn(app, `res-${kind}`, 'pw');
    const mine = await res.call('GET', `/api/billing/bills?estateId=${estateId}`);
    expect(mine.body.items.map((b: { unitId: string }) => b.unitId)).toEqual([flat!.id]);
    expect((await res.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${shop!.id}&from=2027-01-01&to=2027-03-31`)).status).toBe(404);
    expect((await res.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${shop!.id}`)).status).toBe(404);
    expect((await res.call('GET', `/api/billing/receipts?estateId=${estateId}`)).body.items).toEqual([]);
    expect((await res.call('GET', `/api/billing/arrears?estateId=${estateId}`)).status).toBe(403);

    // another company sees nothing of this estate
    expect((await spy.call('GET', `/api/billing/bills?estateId=${estateId}`)).status).toBe(404);
    expect((await spy.call('POST', '/api/billing/payments', { estateId, unitId: shop!.id, amountFen: 1, method: 'desk' })).status).toBe(404);
    expect((await spy.call('GET', `/api/billing/arrears?estateId=${otherEstate}`)).body.rows).toEqual([]);
  });

  it(`lists a completed paid-service order with its serial on the next bill, once (PS-7, BL-5) on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '服务物业');
    const estateId = await createEstate(db, tenantId, { name: '服务小区', buildings: [{ name: '2栋', units: ['2-201'] }] });
    const [flat] = await db.select().from(units).where(eq(units.estateId, estateId));
    await db.update(units).set({ areaSqm: '89.37' }).where(and(eq(units.tenantId, tenantId), eq(units.id, flat!.id)));
    await createUser(db, testConfig as never, { tenantId, username: `fin2-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const instanceId = randomUUID();
    const completed = new Date('2027-02-10T02:00:00Z');
    await db.insert(instances).values({
      tenantId, id: instanceId, estateId, unitId: flat!.id, workflowKey: 'paid-service', definitionVersionId: randomUUID(), workflowVersion: 1,
      serial: 'PS-000007', state: 'done', snapshot: {}, status: 'done', startedAt: completed, updatedAt: completed,
    });
    await db.insert(outbox).values({ tenantId, id: randomUUID(), estateId, instanceId, kind: 'charge', payload: { item: 'lamp-replace', amountFen: 2000, serial: 'PS-000007', instanceId }, createdAt: completed });

    const app = testApp(db, { now: () => new Date('2027-02-20T04:00:00Z') });
    const fin = await signIn(app, `fin2-${kind}`, 'pw');
    await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample });
    await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('monthly', { id: 'garden-monthly', feeSchedule: 'garden-fees' }) });
    await fin.call('POST', '/api/billing/units', { estateId, unitId: flat!.id, unitType: 'residential', parking: [{ kind: 'underground', count: 1 }] });

    const march = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-03' }); // notice 2027-02-15
    expect(march.body.created).toEqual([{ key: `garden-monthly/${flat!.id}/2027-03`, unitId: flat!.id, unitLabel: '2-201', building: '2栋', totalFen: 22343 + 30000 + 2000 }]);
    const april = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-04' });
    expect(april.body.created[0].totalFen).toBe(22343 + 30000);
    const listed = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&period=2027-03`);
    expect(listed.body.items[0].lines.filter((l: { kind: string }) => l.kind === 'service')).toEqual([
      { no: 3, kind: 'service', description: { zh: '有偿服务 PS-000007（2027-02-10 完成）', en: 'Paid service PS-000007 (completed 2027-02-10)' }, amountFen: 2000, orderSerial: 'PS-000007' },
    ]);
    const [row] = await db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.kind, 'charge')));
    expect(row).toMatchObject({ status: 'done', processedBy: `billing:garden-monthly/${flat!.id}/2027-03` });
  });

  it(`one bad charge fails its unit alone: a charge above the money cap and two charges with one order number are reported (zh/en), every other unit is billed, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '出账物业');
    const estateId = await createEstate(db, tenantId, { name: '出账小区', buildings: [{ name: '3栋', units: ['3-301', '3-302', '3-303'] }] });
    const [capped, twice, fine] = await db.select().from(units).where(eq(units.estateId, estateId)).orderBy(units.label);
    await createUser(db, testConfig as never, { tenantId, username: `fin3-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const completed = new Date('2027-02-10T02:00:00Z');
    const charge = async (unitId: string, serial: string, amountFen: number) => {
      const instanceId = randomUUID();
      await db.insert(instances).values({
        tenantId, id: instanceId, estateId, unitId, workflowKey: 'paid-service', definitionVersionId: randomUUID(), workflowVersion: 1,
        serial, state: 'done', snapshot: {}, status: 'done', startedAt: completed, updatedAt: completed,
      });
      const id = randomUUID();
      await db.insert(outbox).values({ tenantId, id, estateId, instanceId, kind: 'charge', payload: { item: 'lamp-replace', amountFen, serial, instanceId }, createdAt: completed });
      return id;
    };
    const over = await charge(capped!.id, 'PS-000001', MAX_AMOUNT_FEN + 1);
    await charge(twice!.id, 'PS-000002', 1500);
    await charge(twice!.id, 'PS-000002', 2500); // a second request numbered PS-000002 in the same workflow
    await charge(fine!.id, 'PS-000003', 2000);
    const app = testApp(db, { now: () => new Date('2027-02-20T04:00:00Z') });
    const fin = await signIn(app, `fin3-${kind}`, 'pw');
    await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample });
    await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('monthly', { id: 'garden-monthly', feeSchedule: 'garden-fees' }) });
    for (const u of [capped, twice, fine]) {
      await db.update(units).set({ areaSqm: '89.37' }).where(and(eq(units.tenantId, tenantId), eq(units.id, u!.id)));
      expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: u!.id, unitType: 'residential' })).status).toBe(200);
    }

    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-03' });
    expect(run.status).toBe(200);
    expect(run.body.created).toEqual([{ key: `garden-monthly/${fine!.id}/2027-03`, unitId: fine!.id, unitLabel: '3-303', building: '3栋', totalFen: 22343 + 2000 }]);
    expect(run.body.errors.map((e: { unitId: string; reason: string }) => [e.unitId, e.reason])).toEqual([[capped!.id, 'invalid-amount'], [twice!.id, 'duplicate-order-serial']]);
    const [amountError, duplicateError] = run.body.errors as { orderSerial: string; message: { zh: string; en: string } }[];
    expect(amountError!.orderSerial).toBe('PS-000001');
    expect(amountError!.message.zh).toContain('3-301');
    expect(amountError!.message.zh).toContain('1 亿元');
    expect(amountError!.message.en).toContain('invalid amount');
    expect(duplicateError!.orderSerial).toContain('PS-000002');
    expect(duplicateError!.message.zh).toContain('2 笔单号');
    expect(duplicateError!.message.en).toContain('2 pending paid-service charges');
    // the bad units' charges stay pending; the good one's is billed
    const pending = await db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.kind, 'charge'), eq(outbox.status, 'pending')));
    expect(pending).toHaveLength(3);

    // corrected, the next run bills the unit with its charge, and still reports the duplicate alone
    await db.update(outbox).set({ payload: { item: 'lamp-replace', amountFen: 5000, serial: 'PS-000001' } }).where(and(eq(outbox.tenantId, tenantId), eq(outbox.id, over)));
    const rerun = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-03' });
    expect(rerun.body.created).toEqual([{ key: `garden-monthly/${capped!.id}/2027-03`, unitId: capped!.id, unitLabel: '3-301', building: '3栋', totalFen: 22343 + 5000 }]);
    expect(rerun.body.existing).toBe(1);
    expect(rerun.body.errors.map((e: { unitId: string; reason: string }) => [e.unitId, e.reason])).toEqual([[twice!.id, 'duplicate-order-serial']]);
  });
});
