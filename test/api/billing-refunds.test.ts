import { and, eq, like } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { counters, payments, receipts, units, type Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

/** Everything a refused refund must leave as it was: the unit's money records, their slips and the serial counters. */
async function written(db: Db, tenantId: string) {
  return {
    payments: (await db.select().from(payments).where(eq(payments.tenantId, tenantId))).length,
    receipts: (await db.select().from(receipts).where(eq(receipts.tenantId, tenantId))).length,
    counters: await db.select().from(counters).where(and(eq(counters.tenantId, tenantId), like(counters.scope, '%:%:%'))).orderBy(counters.scope),
  };
}

withDatabases((kind, getDb) => {
  it(`refunds credit with a reason and a date onto numbered TK slips; refuses a missing, blank or long reason, a future date and more than the credit, writing nothing (BL-7, BL-8) on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '退款物业');
    const estateId = await createEstate(db, tenantId, { name: '退款小区', buildings: [{ name: '3栋', units: ['3-301'] }] });
    const otherEstate = await createEstate(db, tenantId, { name: '另一小区', buildings: [{ name: '9栋', units: ['9-901'] }] });
    const [flat] = await db.select().from(units).where(eq(units.estateId, estateId));
    const [elsewhere] = await db.select().from(units).where(eq(units.estateId, otherEstate));
    await createUser(db, testConfig as never, { tenantId, username: `cashier-${kind}`, displayName: '收银 张敏', password: 'pw', roles: [{ estateId, role: 'front_desk' }, { estateId: otherEstate, role: 'front_desk' }] });
    const app = testApp(db, { now: () => new Date('2027-02-20T04:00:00Z') }); // 12:00 on 2027-02-20 in Shanghai
    const desk = await signIn(app, `cashier-${kind}`, 'pw');
    const pay = (body: Record<string, unknown>) => desk.call('POST', '/api/billing/payments', { estateId, unitId: flat!.id, method: 'cash', ...body });

    // ¥300.00 received with no bill to pay: all of it is credit (预收)
    const paid = await pay({ amountFen: 30000, receivedOn: '2027-02-10' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ receipt: { serial: 'SJ-2027-000001', creditFen: 30000 }, slip: null, creditFen: 30000 });

    // a refund without a reason, blank, over 200 characters or not text: 422 naming `reason`, in zh and en, nothing written
    const before = await written(db, tenantId);
    for (const reason of [undefined, '', '  \n\t ', '退'.repeat(201), 42]) {
      const refused = await pay({ kind: 'refund', amountFen: 1000, ...(reason === undefined ? {} : { reason }) });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ reason: 'form-invalid', field: 'reason' });
      expect(refused.body.error.message.zh).toContain('字段“reason”');
      expect(refused.body.error.message.en).toContain('Field "reason"');
    }
    expect((await pay({ kind: 'refund', amountFen: 1000, reason: '退'.repeat(201) })).body.error.message).toEqual({
      zh: '字段“reason”：退款原因最多 200 个字（现为 201 个）',
      en: 'Field "reason": The refund reason must be at most 200 characters (it has 201)',
    });
    // a payment takes no reason: refused the same way rather than silently dropped
    const paymentWithReason = await pay({ amountFen: 1000, reason: '预交物业费' });
    expect(paymentWithReason.status).toBe(422);
    expect(paymentWithReason.body.error.field).toBe('reason');
    // dated after the estate's today: refused at `receivedOn`, for a refund and a payment alike
    const tomorrow = await pay({ kind: 'refund', amountFen: 1000, reason: '业主搬离', receivedOn: '2027-02-21' });
    expect(tomorrow.status).toBe(422);
    expect(tomorrow.body.error).toMatchObject({ field: 'receivedOn', message: { zh: '字段“receivedOn”不得晚于今天（2027-02-20）', en: 'Field "receivedOn" must not be after today (2027-02-20)' } });
    expect((await pay({ amountFen: 1000, receivedOn: '2027-03-01' })).body.error.field).toBe('receivedOn');
    expect(await written(db, tenantId)).toEqual(before);

    // ¥100.00 back on a chosen earlier date: reason trimmed, the first TK slip of 2027
    const first = await pay({ kind: 'refund', amountFen: 10000, method: 'wechat', reason: '  业主搬离，退还部分预收  ', receivedOn: '2027-02-15' });
    expect(first.status).toBe(200);
    expect(first.body.receipt).toBeNull();
    expect(first.body.payment).toMatchObject({ kind: 'refund', receivedOn: '2027-02-15', amountFen: 10000, method: 'wechat', reason: '业主搬离，退还部分预收', serial: 'TK-2027-000001' });
    expect(first.body.slip).toEqual({
      kind: 'refund',
      serial: 'TK-2027-000001',
      paymentId: first.body.payment.id,
      unitId: flat!.id,
      unitLabel: '3-301',
      receivedOn: '2027-02-15',
      method: 'wechat',
      amountFen: 10000,
      reason: '业主搬离，退还部分预收',
      cashier: { id: expect.any(String), name: '收银 张敏' },
      from: [{ paymentId: paid.body.payment.id, amountFen: 10000 }],
      creditFen: 20000,
    });
    const [row] = await db.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, first.body.payment.id)));
    expect(row).toMatchObject({ kind: 'refund', reason: '业主搬离，退还部分预收', receivedOn: '2027-02-15' });

    // the next refund takes the next number; receipts keep their own counter
    const second = await pay({ kind: 'refund', amountFen: 5000, reason: '重复缴费' });
    expect(second.body.slip).toMatchObject({ serial: 'TK-2027-000002', receivedOn: '2027-02-20', creditFen: 15000 });
    expect((await pay({ amountFen: 2000 })).body.receipt.serial).toBe('SJ-2027-000002');

    // above the credit (¥170.00 left): still 409 at `amountFen`, and it takes no number
    const afterSecond = await written(db, tenantId);
    const tooMuch = await pay({ kind: 'refund', amountFen: 17001, reason: '全部退还' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.field).toBe('amountFen');
    expect(await written(db, tenantId)).toEqual(afterSecond);
    expect((await pay({ kind: 'refund', amountFen: 17000, reason: '全部退还' })).body.slip).toMatchObject({ serial: 'TK-2027-000003', creditFen: 0 });

    // numbering is per estate and per year
    await desk.call('POST', '/api/billing/payments', { estateId: otherEstate, unitId: elsewhere!.id, amountFen: 500, method: 'cash', receivedOn: '2026-12-30' });
    const lastYear = await desk.call('POST', '/api/billing/payments', { estateId: otherEstate, unitId: elsewhere!.id, kind: 'refund', amountFen: 500, method: 'cash', reason: '年末退还', receivedOn: '2026-12-31' });
    expect(lastYear.body.slip.serial).toBe('TK-2026-000001');

    // the unit's receipts list the slips beside the receipts, newest first, with kind and reason; the statement names them
    const listed = await desk.call('GET', `/api/billing/receipts?estateId=${estateId}&unitId=${flat!.id}`);
    expect(listed.body.items.map((r: { kind: string; serial: string; reason?: string }) => [r.kind, r.serial, r.reason ?? null]).sort((a: string[], b: string[]) => a[1]!.localeCompare(b[1]!))).toEqual([
      ['payment', 'SJ-2027-000001', null],
      ['payment', 'SJ-2027-000002', null],
      ['refund', 'TK-2027-000001', '业主搬离，退还部分预收'],
      ['refund', 'TK-2027-000002', '重复缴费'],
      ['refund', 'TK-2027-000003', '全部退还'],
    ]);
    const st = await desk.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${flat!.id}&from=2027-02-01&to=2027-02-28`);
    expect(st.body.entries.filter((e: { kind: string }) => e.kind === 'refund').map((e: { on: string; description: { zh: string; en: string }; amountFen: number }) => [e.on, e.description.zh, e.amountFen])).toEqual([
      ['2027-02-15', '退款 TK-2027-000001（业主搬离，退还部分预收）', 10000],
      ['2027-02-20', '退款 TK-2027-000002（重复缴费）', 5000],
      ['2027-02-20', '退款 TK-2027-000003（全部退还）', 17000],
    ]);
    expect(st.body).toMatchObject({ closingFen: 0, creditFen: 0 });
  });
});
