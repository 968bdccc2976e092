import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateBills } from './generate-bills.ts';
import { periodsBetween } from './period.ts';
import { ageBucket, arrearsReport, statement } from './statement.ts';
import { FLAT, plan, SCHEDULE, SHOP } from './testing/fixtures.ts';
import type { Bill, BillingPlan, Payment, Unit } from './types.ts';

const m = plan('monthly');
const billsFor = (p: BillingPlan, units: Unit[], from: string, to: string): Bill[] =>
  periodsBetween(p, from, to).flatMap((period) => generateBills(p, SCHEDULE, units, period, []).bills);
const pay = (id: string, unitId: string, receivedOn: string, amountFen: number): Payment => ({ id, unitId, kind: 'payment', receivedOn, amountFen, method: 'desk' });

describe('statement', () => {
  it('carries the balance forward and lists charges, late fee and payments of a period', () => {
    const bills = billsFor(m, [FLAT], '2027-02-01', '2027-04-01');
    const payments = [pay('p1', FLAT.id, '2027-02-20', 22343), pay('p2', FLAT.id, '2027-03-20', 10000)];
    const s = statement(FLAT.id, { plans: [m], bills, payments }, '2027-03-01', '2027-03-31');
    // Feb paid on Feb 20 (after its final notice on Feb 16): 22,343 × 20 d × 3 ‰ = 1,340.58 → 1,341 owed at Mar 1
    expect(s.openingFen).toBe(22343 + 1341);
    expect(s.entries.map((e) => [e.on, e.kind, e.amountFen])).toEqual([
      ['2027-03-15', 'charge', 22343], // April's bill, issued Mar 15
      ['2027-03-20', 'payment', -10000],
      // p2 pays February's late fee 1,341 first (oldest bill), then 8,659 of March on Mar 20; March's late
      // fee: 8,659 × 20 d + 13,684 × 31 d at 3 ‰ = 519.54 + 1,272.612 = 1,792.152 → 1,792
      ['2027-03-31', 'late-fee', 1792],
    ]);
    expect(s.closingFen).toBe(s.openingFen + s.entries.reduce((t, e) => t + e.amountFen, 0));
  });

  it('property: opening + entries = closing for any history and range', () => {
    const bills = billsFor(m, [FLAT], '2027-01-01', '2027-12-01');
    const day = fc.integer({ min: 0, max: 364 }).map((d) => new Date(Date.UTC(2027, 0, 1 + d)).toISOString().slice(0, 10));
    const arb = fc.array(fc.record({ receivedOn: day, amountFen: fc.integer({ min: 1, max: 80000 }), refund: fc.boolean() }), { maxLength: 10 });
    fc.assert(
      fc.property(arb, day, day, (ps, a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const payments: Payment[] = ps.map((p, i) => ({ ...pay(`p${i}`, FLAT.id, p.receivedOn, p.amountFen), kind: p.refund ? 'refund' : 'payment' }));
        const s = statement(FLAT.id, { plans: [m], bills, payments }, from, to);
        expect(s.closingFen).toBe(s.openingFen + s.entries.reduce((t, e) => t + e.amountFen, 0));
      }),
      { numRuns: 60 },
    );
  });
});

describe('arrearsReport', () => {
  it('puts each bill past its due date that still owes in a 0–30, 31–90, 91–180, 181–365 or over-365 day bucket from the due date (ageArrears, one rule)', () => {
    expect([1, 30, 31, 90, 91, 180, 181, 365, 366].map(ageBucket)).toEqual(['0-30', '0-30', '31-90', '31-90', '91-180', '91-180', '181-365', '181-365', '365+']);
    const free: BillingPlan = { ...m, lateFee: { ...m.lateFee, dailyRate: { numerator: 0, denominator: 1000 } } };
    const shop: Unit = { ...SHOP, id: 's-02' };
    const bills = billsFor(free, [FLAT, shop], '2027-01-01', '2027-08-01'); // each month's bill is due on the 15th of the month
    const payments = [pay('p1', shop.id, '2027-07-20', 1_000_000)]; // the shop has paid everything
    const r = arrearsReport({ plans: [free], bills, payments, asOf: '2027-08-01' });
    expect(r.rows).toHaveLength(1);
    // days past due on 2027-08-01: Jan 198, Feb 167, Mar 139, Apr 108, May 78, Jun 47, Jul 17; Aug not due yet
    expect(r.rows[0]).toEqual({
      unitId: FLAT.id,
      buckets: { '0-30': 22343, '31-90': 2 * 22343, '91-180': 3 * 22343, '181-365': 22343, '365+': 0 },
      totalFen: 7 * 22343,
      oldestPeriodId: '2027-01',
    });
    expect(r.totalFen).toBe(7 * 22343);
    expect(arrearsReport({ plans: [free], bills, payments, asOf: '2027-07-15' }).rows.find((row) => row.unitId === FLAT.id)!.totalFen).toBe(6 * 22343); // July due that day: not overdue yet
  });
});
