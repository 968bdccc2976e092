import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { accountsByUnit, settleAccount } from './account.ts';
import { arrearsReport } from './statement.ts';
import { generateBills } from './generate-bills.ts';
import { periodsBetween } from './period.ts';
import { FLAT, plan, SCHEDULE, SHOP } from './testing/fixtures.ts';
import type { Adjustment, Bill, Payment, Unit } from './types.ts';

const m = plan('monthly');
const units: Unit[] = [FLAT, SHOP, { ...FLAT, id: 'b1-0102' }, { ...FLAT, id: 'b1-0103', custody: true }];
const bills: Bill[] = periodsBetween(m, '2027-01-01', '2027-08-01').flatMap((period) => generateBills(m, SCHEDULE, units, period, []).bills);
const day = fc.integer({ min: 0, max: 300 }).map((d) => new Date(Date.UTC(2027, 0, 1 + d)).toISOString().slice(0, 10));

describe('accountsByUnit', () => {
  it('property: settling each unit of the split equals settling it with the whole estate (the old per-unit filter), and the arrears report is unchanged', () => {
    const payment = fc.record({ unit: fc.constantFrom(...units.map((u) => u.id), 'no-bills'), kind: fc.constantFrom<'payment' | 'refund'>('payment', 'payment', 'refund'), receivedOn: day, amountFen: fc.integer({ min: 0, max: 90000 }) });
    const adjustment = fc.record({ bill: fc.integer({ min: 0, max: bills.length - 1 }), on: day, component: fc.constantFrom<'principal' | 'late-fee'>('principal', 'late-fee'), amountFen: fc.integer({ min: -5000, max: 5000 }) });
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 30 }), fc.array(adjustment, { maxLength: 8 }), day, (ps, as, asOf) => {
        const payments: Payment[] = ps.map((p, i) => ({ id: `p${i}`, unitId: p.unit, kind: p.kind, receivedOn: p.receivedOn, amountFen: p.amountFen, method: 'desk' }));
        const adjustments: Adjustment[] = as.map((a, i) => ({ id: `a${i}`, billKey: bills[a.bill]!.key, on: a.on, component: a.component, amountFen: a.amountFen, reason: { zh: '调整', en: 'Adjustment' } }));
        const input = { plans: [m], bills, payments, adjustments };
        const split = accountsByUnit(input);
        expect([...split.keys()].sort()).toEqual([...new Set([...bills.map((b) => b.unitId), ...payments.map((p) => p.unitId)])].sort());
        for (const [unitId, part] of split) {
          const whole = settleAccount({ ...input, bills: bills.filter((b) => b.unitId === unitId), payments: payments.filter((p) => p.unitId === unitId), asOf });
          const mine = settleAccount({ ...part, asOf });
          // the whole input also reports other units' adjustments as unknown bills; nothing else differs
          expect({ ...mine, errors: [] }).toEqual({ ...whole, errors: [] });
          const seen = new Set(whole.errors.map((e) => JSON.stringify(e)));
          expect(mine.errors.every((e) => seen.has(JSON.stringify(e)))).toBe(true);
          const own = new Set(mine.errors.map((e) => JSON.stringify(e)));
          expect(whole.errors.filter((e) => !own.has(JSON.stringify(e))).every((e) => e.reason === 'unknown-bill')).toBe(true);
        }
        const report = arrearsReport({ ...input, asOf });
        expect(report.totalFen).toBe(report.rows.reduce((s, r) => s + r.totalFen, 0));
        for (const row of report.rows) {
          const state = settleAccount({ ...input, bills: bills.filter((b) => b.unitId === row.unitId), payments: payments.filter((p) => p.unitId === row.unitId), asOf });
          // past its due date and still owing (ageArrears)
          expect(row.totalFen).toBe(state.bills.filter((b) => b.bill.payBy < asOf).reduce((s, b) => s + Math.max(0, b.outstandingFen), 0));
        }
      }),
      { numRuns: 100 },
    );
  });
});
