import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { lateFee, type BillingPlan, type PrincipalPayment } from '@estateflow/billing';
import { instances, outbox } from '@estateflow/db';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { loadPlan } from '../../apps/api/src/services/billing-store.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// issue #20, "One ledger, one late-fee rule" (BL-2): the dunning workflow holds no money; its final
// notice shows the late fee the billing package computes for the bill as of the notice's issue date,
// and a unit is never charged a late fee twice for the same bill and days.

const UNITS = 14;
const PERIOD = '2027-Q1';
const FINAL_ON = '2027-02-09';
const END = '2027-03-31';
const day = (n: number) => new Date(Date.parse('2026-12-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);
/** Yuan as the workflow's `yuan()` writes it: 138060 → "1380.60" (no grouping). */
const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const NOTICE_DAYS = ['2027-01-01', FINAL_ON, '2027-02-15'];

withDatabases((kind, getDb) => {
  it(`the final notice's late fee is lateFee(...) on its issue date, once per bill, for random bills and payments on ${kind}`, { timeout: 240_000 }, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const labels = Array.from({ length: UNITS }, (_, i) => `1-${101 + i}`);
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '1栋', units: labels }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    await createUser(db, testConfig as never, { tenantId, username: `desk-${kind}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    const now = new Date('2027-04-01T04:00:00Z');
    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `fin-${kind}`, 'pw');
    const desk = await signIn(app, `desk-${kind}`, 'pw');
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
    const plan: BillingPlan = await loadPlan(db, tenantId, estateId, 'quarterly');
    const listed = await fin.call('GET', `/api/estates/${estateId}/units?limit=50`);
    const unitIds: string[] = labels.map((l) => listed.body.items.find((u: { label: string }) => u.label === l).id);

    // only the system sends a dunning's payment: nobody types an amount into the workflow
    expect((await desk.call('POST', '/api/billing/dunning', { estateId })).status).toBe(403);

    let next = 0;
    let finalsSeen = 0;
    const payments = fc.array(fc.record({ day: fc.integer({ min: 0, max: 120 }), share: fc.integer({ min: 1, max: 1200 }) }), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1000, max: 30000 }), payments, async (areaHundredths, paid) => {
        const unitId = unitIds[next++]!;
        const areaSqm = `${Math.floor(areaHundredths / 100)}.${String(areaHundredths % 100).padStart(2, '0')}`;
        expect((await fin.call('POST', '/api/billing/units', { estateId, unitId, unitType: 'residential', areaSqm })).status).toBe(200);
        const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: PERIOD });
        const bill = run.body.created.find((b: { unitId: string }) => b.unitId === unitId) as { key: string; totalFen: number };
        expect(bill).toBeTruthy();
        // payments of random days and amounts (‰ of the bill), and the dunning sweep after each day's
        const byDay = new Map<string, number[]>();
        for (const p of paid) {
          const on = day(p.day);
          byDay.set(on, [...(byDay.get(on) ?? []), Math.max(1, Math.floor((bill.totalFen * p.share) / 1000))]);
        }
        const days = [...new Set([...byDay.keys(), ...NOTICE_DAYS, END])].sort();
        const principal: PrincipalPayment[] = [];
        let left = bill.totalFen;
        for (const on of days) {
          for (const amountFen of byDay.get(on) ?? []) {
            const r = await desk.call('POST', '/api/billing/payments', { estateId, unitId, amountFen, method: 'cash', receivedOn: on });
            expect(r.status).toBe(200);
            const toPrincipal = Math.min(left, amountFen);
            if (toPrincipal > 0) principal.push({ on, amountFen: toPrincipal });
            left -= toPrincipal;
          }
          const sweep = await fin.call('POST', '/api/billing/dunning', { estateId, asOf: on });
          expect(sweep.status).toBe(200);
          // a second sweep of the same day sends nothing new
          expect((await fin.call('POST', '/api/billing/dunning', { estateId, asOf: on })).body).toMatchObject({ started: 0, notices: [] });
        }

        const dunned = await db.select({ id: instances.id }).from(instances)
          .where(and(eq(instances.tenantId, tenantId), eq(instances.unitId, unitId), eq(instances.workflowKey, 'dunning')));
        expect(dunned.length).toBeLessThanOrEqual(1);
        const rows = dunned.length
          ? await db.select({ kind: outbox.kind, payload: outbox.payload }).from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.instanceId, dunned[0]!.id)))
          : [];
        // the workflow charges nothing itself: the late fee is billing's alone
        expect(rows.filter((r) => r.kind === 'charge')).toEqual([]);
        const finals = rows.map((r) => (r.payload as { message?: { zh?: string } }).message?.zh ?? '').filter((m) => m.startsWith('最后缴款通知书'));
        expect(finals.length).toBeLessThanOrEqual(1);
        const expected = lateFee(plan, '2027-01-01', bill.totalFen, principal, FINAL_ON);
        const owedOnFinal = bill.totalFen - principal.filter((p) => p.on <= FINAL_ON).reduce((s, p) => s + p.amountFen, 0);
        if (finals.length === 1) {
          finalsSeen += 1;
          expect(finals[0]).toContain(`滞纳金 ${yuan(expected.amountFen)} 元`);
          expect(finals[0]).toContain(`欠费 ${yuan(owedOnFinal)} 元`);
        } else {
          // no final notice: the principal and its late fee were cleared by then, or the bill never went overdue
          const state = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${unitId}&asOf=${FINAL_ON}`);
          expect(state.body.items[0].outstandingFen).toBeLessThanOrEqual(0);
        }
        // the bill bears one late fee for its days: billing's, as of the end, never the notice's added to it
        const end = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${unitId}&asOf=${END}`);
        expect(end.body.items[0].lateFeeFen).toBe(lateFee(plan, '2027-01-01', bill.totalFen, principal, END).amountFen);
      }),
      { numRuns: UNITS, endOnFailure: true },
    );
    expect(finalsSeen).toBeGreaterThan(0);
  });
});
