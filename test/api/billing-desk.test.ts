import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

type Created = { key: string; unitId: string; totalFen: number };

// issue #20: the billing run page (options, preview that writes nothing, run building by building, void) and the counter (allocation before paying, the receipt's people)
withDatabases((kind, getDb) => {
  it(`previews a run without writing, runs it building by building, says nothing new on a rerun, voids a wrong bill and previews a payment's allocation on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '10栋', units: ['10-1-101'] }, { name: '2栋', units: ['2-1-101', '2-1-102', '2-1-103'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', displayName: '吴会计', roles: [{ estateId, role: 'finance' }] });
    const now = new Date('2026-12-06T04:00:00Z');
    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `fin-${kind}`, 'pw');
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));

    const options = await fin.call('GET', `/api/billing/run-options?estateId=${estateId}`);
    expect(options.status).toBe(200);
    expect(options.body.today).toBe('2026-12-06');
    const quarterly = options.body.plans.find((p: { id: string }) => p.id === 'quarterly');
    expect(quarterly.title.zh).toBeTruthy();
    expect(quarterly.periods.map((p: { id: string }) => p.id)).toEqual(['2026-Q3', '2026-Q4', '2027-Q1', '2027-Q2']);
    expect(quarterly.suggested).toBe('2027-Q1');
    const byName = new Map<string, { id: string; units: number }>(options.body.buildings.map((b: { id: string; name: string; units: number }) => [b.name, b]));
    expect(byName.get('2栋')!.units).toBe(3);

    const listed = await fin.call('GET', `/api/estates/${estateId}/units?limit=50`);
    const unitId = new Map<string, string>(listed.body.items.map((u: { id: string; label: string }) => [u.label, u.id]));
    for (const [label, areaSqm] of [['10-1-101', '89.37'], ['2-1-101', '126.54']] as const) {
      expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: unitId.get(label), unitType: 'residential', areaSqm })).status).toBe(200);
    }
    // a profile without a floor area cannot be billed; a unit without a profile is not billed by any plan
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: unitId.get('2-1-102'), unitType: 'residential' })).status).toBe(200);

    const body = { estateId, plan: 'quarterly', period: '2027-Q1' };
    const preview = await fin.call('POST', '/api/billing/runs/preview', body);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ plan: 'quarterly', period: '2027-Q1', units: 4, existing: 0, totalFen: 67028 + 94905, unprofiled: [{ unitId: unitId.get('2-1-103'), unitLabel: '2-1-103', building: '2栋' }] });
    expect(preview.body.created.map((b: Created) => b.totalFen).sort()).toEqual([67028, 94905]);
    expect(preview.body.errors).toEqual([{ unitId: unitId.get('2-1-102'), unitLabel: '2-1-102', building: '2栋', reason: 'invalid-area', message: { zh: '房屋 2-1-102 没有建筑面积', en: 'Unit 2-1-102 has no floor area' } }]);
    // the preview wrote nothing
    expect((await fin.call('GET', `/api/billing/bills?estateId=${estateId}`)).body.items).toEqual([]);
    // a missing plan is named in both languages
    const missing = await fin.call('POST', '/api/billing/runs/preview', { ...body, plan: 'yearly' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message.zh).toContain('本项目没有收费计划“yearly”');
    expect(missing.body.error.message.en).toContain('This estate has no billing plan "yearly"');

    // the run, building by building: each makes its own units' bills only
    const first = await fin.call('POST', '/api/billing/runs', { ...body, buildingId: byName.get('10栋')!.id });
    expect(first.body.created).toEqual([{ key: expect.any(String), unitId: unitId.get('10-1-101'), unitLabel: '10-1-101', building: '10栋', totalFen: 67028 }]);
    expect(first.body.errors).toEqual([]);
    const second = await fin.call('POST', '/api/billing/runs', { ...body, buildingId: byName.get('2栋')!.id });
    expect(second.body.created.map((b: Created) => [b.unitId, b.totalFen])).toEqual([[unitId.get('2-1-101'), 94905]]);
    expect(second.body.existing).toBe(0);
    // the rerun has nothing new, and the preview says so too
    const rerun = await fin.call('POST', '/api/billing/runs', body);
    expect(rerun.body).toMatchObject({ created: [], existing: 2 });
    expect((await fin.call('POST', '/api/billing/runs/preview', body)).body).toMatchObject({ created: [], existing: 2, totalFen: 0 });

    // void the wrong bill of 10-1-101 with a reason: adjustments, the bill stays
    const wrong = first.body.created[0] as Created;
    const noReason = await fin.call('POST', '/api/billing/bills/void', { estateId, billKey: wrong.key, reason: '   ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatchObject({ field: 'reason' });
    expect(noReason.body.error.message.zh).toContain('reason');
    const voided = await fin.call('POST', '/api/billing/bills/void', { estateId, billKey: wrong.key, reason: '面积录错' });
    expect(voided.status).toBe(200);
    expect(voided.body.adjustments).toMatchObject([{ billKey: wrong.key, component: 'principal', amountFen: -67028, reason: { zh: '作废：面积录错', en: 'Void: 面积录错' } }]);
    const after = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${wrong.unitId}`);
    expect(after.body.items).toMatchObject([{ key: wrong.key, totalFen: 67028, principalFen: 0, outstandingFen: 0 }]);
    const again = await fin.call('POST', '/api/billing/bills/void', { estateId, billKey: wrong.key, reason: '面积录错' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toEqual({ zh: '账单 2027-Q1 已作废', en: 'The bill for 2027-Q1 is already void' });

    // the counter: the allocation first (nothing written), then the payment, whose receipt names company, payer and cashier
    const shop = unitId.get('2-1-101')!;
    const allocation = await fin.call('POST', '/api/billing/payments/preview', { estateId, unitId: shop, amountFen: 100000 });
    expect(allocation.status).toBe(200);
    expect(allocation.body).toEqual({
      receivedOn: '2026-12-06', amountFen: 100000, creditFen: 100000 - 94905, balanceBeforeFen: 94905, balanceAfterFen: 94905 - 100000,
      lines: [{ billKey: second.body.created[0].key, periodId: '2027-Q1', component: 'principal', amountFen: 94905 }],
    });
    expect((await fin.call('GET', `/api/billing/receipts?estateId=${estateId}&unitId=${shop}`)).body.items).toEqual([]);
    const future = await fin.call('POST', '/api/billing/payments/preview', { estateId, unitId: shop, amountFen: 100, receivedOn: '2026-12-07' });
    expect(future.status).toBe(422);
    expect(future.body.error.field).toBe('receivedOn');
    const paid = await fin.call('POST', '/api/billing/payments', { estateId, unitId: shop, amountFen: 100000, method: 'wechat', payer: '张三' });
    expect(paid.status).toBe(200);
    expect(paid.body.receipt).toMatchObject({ amountFen: 100000, creditFen: 5095, method: 'wechat', payer: '张三', company: '长城物业', unitLabel: '2-1-101', cashier: { name: '吴会计' } });
    expect(paid.body.receipt.lines).toEqual(allocation.body.lines.map(({ periodId: _, ...l }: { periodId: string }) => l));
    // a paid bill cannot be voided
    const paidVoid = await fin.call('POST', '/api/billing/bills/void', { estateId, billKey: second.body.created[0].key, reason: '重复' });
    expect(paidVoid.status).toBe(409);
    expect(paidVoid.body.error.message.zh).toContain('已有缴款');

    // a bill with a late fee accrued (2026-Q4 began on 1 October): voided, it owes exactly nothing, principal and late fee
    const late = await fin.call('POST', '/api/billing/runs', { ...body, period: '2026-Q4', buildingId: byName.get('10栋')!.id });
    const lateKey = late.body.created[0].key as string;
    const lateBill = (await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${wrong.unitId}&period=2026-Q4`)).body.items[0];
    expect(lateBill.lateFeeFen).toBeGreaterThan(0);
    const lateVoid = await fin.call('POST', '/api/billing/bills/void', { estateId, billKey: lateKey, reason: '重复开单' });
    expect(lateVoid.status).toBe(200);
    expect(lateVoid.body.adjustments[0]).toMatchObject({ component: 'principal', amountFen: -lateBill.totalFen });
    const lateAfter = (await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${wrong.unitId}&period=2026-Q4`)).body.items[0];
    expect(lateAfter).toMatchObject({ principalFen: 0, outstandingFen: 0 });
    expect(lateAfter.lateFeeFen + lateVoid.body.adjustments.filter((a: { component: string }) => a.component === 'late-fee').reduce((n: number, a: { amountFen: number }) => n + a.amountFen, 0)).toBe(0);
  });
});
