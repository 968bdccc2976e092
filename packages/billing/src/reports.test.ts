import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { accountsByUnit, settleAccount } from './account.ts';
import { generateBills } from './generate-bills.ts';
import { periodsBetween } from './period.ts';
import { feeMonthReport, incomeSpendingReport, rateBp } from './reports.ts';
import { FLAT, plan, SCHEDULE, SHOP } from './testing/fixtures.ts';
import type { Bill, BillLineKind, Payment, Unit } from './types.ts';

const m = plan('monthly');
const units: Unit[] = [FLAT, SHOP, { ...FLAT, id: 'b1-0102', parking: [{ kind: 'underground', count: 1 }] }, { ...FLAT, id: 'b1-0103', custody: true }];
const bills: Bill[] = periodsBetween(m, '2027-01-01', '2027-08-01').flatMap((period) => generateBills(m, SCHEDULE, units, period, []).bills);
const day = fc.integer({ min: 0, max: 300 }).map((d) => new Date(Date.UTC(2027, 0, 1 + d)).toISOString().slice(0, 10));
const payment = fc.record({ unit: fc.constantFrom(...units.map((u) => u.id)), kind: fc.constantFrom<'payment' | 'refund'>('payment', 'payment', 'payment', 'refund'), receivedOn: day, amountFen: fc.integer({ min: 0, max: 90000 }), method: fc.constantFrom<Payment['method']>('cash', 'wechat', 'alipay') });
const building = (unitId: string) => (unitId === SHOP.id ? 'shops' : 'flats');

describe('rateBp', () => {
  it('is collected ÷ receivable in basis points, rounded half up, null when nothing was receivable', () => {
    expect([rateBp(117028, 273961), rateBp(50000, 206933), rateBp(1, 1), rateBp(0, 0), rateBp(1, 20000), rateBp(1, 20001)]).toEqual([4272, 2416, 10000, null, 1, 0]);
  });
});

describe('feeMonthReport and incomeSpendingReport', () => {
  it('property: every total is the sum of its buildings; income is exactly what was received less refunds, split by kind; the balance is income − spending', () => {
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 25 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.record({ category: fc.constantFrom('人员工资', '公共能耗'), amountFen: fc.integer({ min: -5000, max: 90000 }), spentOn: day }), { maxLength: 6 }), (ps, month, spending) => {
        const payments: Payment[] = ps.map((p, i) => ({ id: `p${i}`, unitId: p.unit, kind: p.kind, receivedOn: p.receivedOn, amountFen: p.amountFen, method: p.method }));
        const input = { plans: [m], bills, payments, adjustments: [] };
        const mm = String(month).padStart(2, '0');
        const to = new Date(Date.UTC(2027, month, 0)).toISOString().slice(0, 10);
        const r = feeMonthReport(input, { month: `2027-${mm}`, from: `2027-${mm}-01`, to, asOf: to }, new Set(), building);
        const keys = Object.keys(r.totals).filter((k) => k.endsWith('Fen') || k === 'bills') as (keyof typeof r.totals)[];
        for (const k of keys) expect(r.groups.reduce((s, g) => s + (g.figures[k] as number), 0), k).toBe(r.totals[k]);
        expect(r.totals.receivedFen).toBe(r.received.netFen);
        expect(r.totals.collectedFen).toBeLessThanOrEqual(r.totals.receivableFen);

        const from = '2027-01-01';
        const end = '2027-06-30';
        const inc = incomeSpendingReport(input, spending, from, end);
        const net = payments.filter((p) => p.receivedOn >= from && p.receivedOn <= end).reduce((s, p) => s + (p.kind === 'refund' ? -p.amountFen : p.amountFen), 0);
        const kinds: BillLineKind[] = ['management', 'parking', 'service'];
        expect(kinds.reduce((s, k) => s + inc.income.byKind[k], 0) + inc.income.lateFeeFen + inc.income.unallocatedFen).toBe(inc.income.totalFen);
        expect(inc.income.totalFen).toBe(net);
        expect(inc.spending.totalFen).toBe(spending.filter((s) => s.spentOn >= from && s.spentOn <= end).reduce((s, e) => s + e.amountFen, 0));
        expect(inc.balanceFen).toBe(inc.income.totalFen - inc.spending.totalFen);
      }),
      { numRuns: 60 },
    );
  });
});

describe('incomeSpendingReport reads only the units that received money in the range', () => {
  it('property: the same figures from the units with payments or refunds in the range as from the estate, and its allocated income is what settling every account gives', () => {
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 25 }), fc.integer({ min: 0, max: 280 }), fc.integer({ min: 0, max: 120 }), (ps, start, length) => {
        const payments: Payment[] = ps.map((p, i) => ({ id: `p${i}`, unitId: p.unit, kind: p.kind, receivedOn: p.receivedOn, amountFen: p.amountFen, method: p.method }));
        const input = { plans: [m], bills, payments, adjustments: [] };
        const from = new Date(Date.UTC(2027, 0, 1 + start)).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(2027, 0, 1 + start + length)).toISOString().slice(0, 10);
        const inRange = payments.filter((p) => p.receivedOn >= from && p.receivedOn <= to);
        const units = new Set(inRange.map((p) => p.unitId));
        const some = { ...input, bills: bills.filter((b) => units.has(b.unitId)), payments: payments.filter((p) => units.has(p.unitId)) };
        const all = incomeSpendingReport(input, [], from, to);
        expect(incomeSpendingReport(some, [], from, to)).toEqual(all);
        // settling every unit, as the report did before: the money of the range allocated by its end
        const received = new Set(inRange.filter((p) => p.kind === 'payment').map((p) => p.id));
        const allocations = [...accountsByUnit(input).values()].flatMap((a) => settleAccount({ ...a, asOf: to }).allocations).filter((a) => received.has(a.paymentId));
        expect(all.income.totalFen - all.income.unallocatedFen).toBe(allocations.reduce((s, a) => s + a.amountFen, 0));
        expect(all.income.lateFeeFen).toBe(allocations.filter((a) => a.component === 'late-fee').reduce((s, a) => s + a.amountFen, 0));
      }),
      { numRuns: 60 },
    );
  });
});
