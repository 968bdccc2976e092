import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { billStateOf, paidTotals, paidTotalsAsOf, settleAccount } from './account.ts';
import { generateBills } from './generate-bills.ts';
import { periodsBetween } from './period.ts';
import { arrearsOf, arrearsReport } from './statement.ts';
import { FLAT, plan, SCHEDULE } from './testing/fixtures.ts';
import type { Adjustment, Bill, BillingPlan, Payment } from './types.ts';
import type { Cadence } from './types.ts';

// Issue #21: the per-bill paid total, read as of any day on or after the bill's last change, is
// exactly what settleAccount gives for that day.
const day = (min: number, max: number) => fc.integer({ min, max }).map((d) => new Date(Date.UTC(2027, 0, 1 + d)).toISOString().slice(0, 10));

describe('paidTotals / billStateOf', () => {
  it('property: the cached state as of any later day equals a full settlement', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Cadence>('monthly', 'quarterly'),
        fc.constantFrom('principal-first', 'late-fee-first'),
        fc.constantFrom('oldest-first', 'newest-first'),
        fc.array(fc.record({ kind: fc.constantFrom<'payment' | 'refund'>('payment', 'payment', 'refund'), receivedOn: day(0, 420), amountFen: fc.integer({ min: 1, max: 90000 }) }), { maxLength: 12 }),
        fc.array(fc.record({ bill: fc.nat(), on: day(0, 420), component: fc.constantFrom<'principal' | 'late-fee'>('principal', 'late-fee'), amountFen: fc.integer({ min: -30000, max: 5000 }) }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 500 }),
        (cadence, within, order, ps, adjs, extra) => {
          const base = plan(cadence);
          const p: BillingPlan = { ...base, allocation: { order: order as 'oldest-first', within: within as 'principal-first' } };
          const bills: Bill[] = periodsBetween(p, '2027-01-01', '2027-12-01').flatMap((period) => generateBills(p, SCHEDULE, [FLAT], period, []).bills);
          const payments: Payment[] = ps.map((x, i) => ({ ...x, id: `p${i}`, unitId: FLAT.id, method: 'cash', ...(x.kind === 'refund' ? { reason: 'r' } : {}) }));
          const adjustments: Adjustment[] = adjs.map((a, i) => {
            const b = bills[a.bill % bills.length]!;
            return { id: `a${i}`, billKey: b.key, on: a.on < b.issueOn ? b.issueOn : a.on, component: a.component, amountFen: a.amountFen, reason: { zh: '调', en: 'adj' } };
          });
          const input = { plans: [p], bills, payments, adjustments };
          const totals = new Map(paidTotals(input).map((t) => [t.billKey, t]));
          // a payment's own settlement of its day is reused when that day is the account's last (settled once), and
          // the totals are the same; a settlement of another day is not used
          const last = paidTotalsAsOf(input);
          if (last !== undefined) {
            expect(paidTotals(input, { asOf: last, state: settleAccount({ ...input, asOf: last }) })).toEqual(paidTotals(input));
            const other = new Date(Date.parse(`${last}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
            expect(paidTotals(input, { asOf: other, state: settleAccount({ ...input, asOf: other }) })).toEqual(paidTotals(input));
          }
          const lastChange = [...totals.values()].reduce((m, t) => (t.changedOn > m ? t.changedOn : m), '0000-00-00');
          // any day after every change: every bill from the cache
          const asOf = new Date(Date.parse(`${lastChange}T00:00:00Z`) + extra * 86_400_000).toISOString().slice(0, 10);
          const full = settleAccount({ ...input, asOf });
          const cached = bills.filter((b) => b.issueOn <= asOf).map((b) => billStateOf(p, b, totals.get(b.key)!, asOf));
          expect(cached).toEqual(full.bills);
          expect(arrearsOf(cached, asOf)).toEqual(arrearsReport({ ...input, asOf }));
          // an earlier day: the bills not changed since are equal too
          const early = new Date(Date.parse('2027-01-01T00:00:00Z') + extra * 86_400_000).toISOString().slice(0, 10);
          const then = settleAccount({ ...input, asOf: early });
          for (const s of then.bills) {
            const t = totals.get(s.bill.key)!;
            if (t.changedOn <= early) expect(billStateOf(p, s.bill, t, early)).toEqual(s);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
