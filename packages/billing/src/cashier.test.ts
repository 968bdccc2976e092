import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { settleAccount } from './account.ts';
import { ageArrears, ageingBillOf, ageingBucket, monthRange, refundedTakings, takings } from './cashier.ts';
import { addDays } from './civil-date.ts';
import { generateBills } from './generate-bills.ts';
import { periodsBetween } from './period.ts';
import { statement } from './statement.ts';
import { FLAT, plan, SCHEDULE, SHOP } from './testing/fixtures.ts';
import type { Adjustment, Bill, BillingPlan, Payment, Unit } from './types.ts';

const m = plan('monthly');
const q = plan('quarterly');
const billsFor = (p: BillingPlan, units: Unit[], from: string, to: string): Bill[] =>
  periodsBetween(p, from, to).flatMap((period) => generateBills(p, SCHEDULE, units, period, []).bills);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('takings (日结/交班, month-end reconciliation)', () => {
  it('totals payments and refunds by method against the receipts and slips issued', () => {
    const t = takings([
      { kind: 'payment', method: 'cash', amountFen: 67028, serial: 'SJ-2026-000003' },
      { kind: 'payment', method: 'wechat', amountFen: 10000, serial: 'SJ-2026-000001' },
      { kind: 'payment', method: 'cash', amountFen: 500, serial: 'SJ-2026-000002' },
      { kind: 'refund', method: 'cash', amountFen: 300, serial: 'TK-2026-000001' },
      { kind: 'payment', method: 'home-collection', amountFen: 100, serial: 'SJ-2026-000004' },
    ]);
    expect(t.byMethod.map((r) => r.method)).toEqual(['cash', 'wechat', 'alipay', 'card', 'bank-transfer', 'home-collection']);
    expect(t.byMethod[0]).toEqual({ method: 'cash', payments: 2, inFen: 67528, refunds: 1, outFen: 300, netFen: 67228 });
    expect(t.byMethod[2]).toEqual({ method: 'alipay', payments: 0, inFen: 0, refunds: 0, outFen: 0, netFen: 0 });
    expect(t.receipts).toEqual({ count: 4, first: 'SJ-2026-000001', last: 'SJ-2026-000004', amountFen: 77628 });
    expect(t.slips).toEqual({ count: 1, first: 'TK-2026-000001', last: 'TK-2026-000001', amountFen: 300 });
    expect([t.inFen, t.outFen, t.netFen, t.unreceipted, t.balanced]).toEqual([77628, 300, 77328, 0, true]);
    // a payment without its receipt: the close does not balance
    const missing = takings([{ kind: 'payment', method: 'cash', amountFen: 100, serial: null }]);
    expect([missing.unreceipted, missing.balanced, missing.receipts.count]).toEqual([1, false, 0]);
  });

  it('totals deposit refunds (押金退还) by method, paid out: every counter method, then any other', () => {
    const out = refundedTakings([{ method: 'wechat', amountFen: 200000 }, { method: 'cash', amountFen: 50000 }, { method: 'voucher', amountFen: 1 }, { method: 'wechat', amountFen: 1000 }]);
    expect(out).toMatchObject({ count: 4, outFen: 251001 });
    expect(out.byMethod.map((x) => [x.method, x.count, x.outFen])).toEqual([['cash', 1, 50000], ['wechat', 2, 201000], ['alipay', 0, 0], ['card', 0, 0], ['bank-transfer', 0, 0], ['voucher', 1, 1]]);
  });

  it('names the first and last day of a month', () => {
    expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  });
});

describe('ageArrears (one function, fed by settled accounts or a paid-principal cache)', () => {
  it('buckets by days past the due date: 0–30, 31–90, 91–180, 181–365, over 365', () => {
    expect([1, 30, 31, 90, 91, 180, 181, 365, 366].map(ageingBucket)).toEqual(['0-30', '0-30', '31-90', '31-90', '91-180', '91-180', '181-365', '181-365', '365+']);
    const a = ageArrears(
      [
        { billKey: 'a', unitId: 'u1', periodId: '2026-Q1', dueOn: '2026-01-31', principalFen: 1000, principalPaidFen: 400 },
        { billKey: 'b', unitId: 'u1', periodId: '2026-Q4', dueOn: '2026-12-01', principalFen: 1000, principalPaidFen: 0, lateFeeOwedFen: 30 },
        { billKey: 'c', unitId: 'u2', periodId: '2027-Q1', dueOn: '2026-12-07', principalFen: 5000, principalPaidFen: 0 }, // due today: not in arrears
        { billKey: 'd', unitId: 'u2', periodId: '2025-Q1', dueOn: '2025-01-31', principalFen: 800, principalPaidFen: 800, lateFeeOwedFen: 0 }, // paid
      ],
      '2026-12-07',
    );
    expect(a.units).toEqual([
      {
        unitId: 'u1',
        buckets: { '0-30': 1030, '31-90': 0, '91-180': 0, '181-365': 600, '365+': 0 },
        totalFen: 1630,
        bills: [
          { billKey: 'a', periodId: '2026-Q1', dueOn: '2026-01-31', days: 310, bucket: '181-365', owedFen: 600 },
          { billKey: 'b', periodId: '2026-Q4', dueOn: '2026-12-01', days: 6, bucket: '0-30', owedFen: 1030 },
        ],
      },
    ]);
    expect(a.totalFen).toBe(1630);
  });
});

/**
 * Issue #20, done-when: a statement of a unit over any range balances to the fen. A year of random
 * bills (monthly and quarterly plans, a flat and a shop), payments and refunds, waivers (减免, as
 * appended adjustments of principal or late fee) and dates.
 */
describe('property: a unit statement over any range balances to the fen', () => {
  const year = (d: number) => addDays('2027-01-01', d);
  const day = fc.integer({ min: 0, max: 364 }).map(year);
  const allBills = [...billsFor(m, [FLAT, SHOP], '2027-01-01', '2027-12-01'), ...billsFor(q, [FLAT], '2027-01-01', '2027-10-01')];
  const history = fc.record({
    billMask: fc.array(fc.boolean(), { minLength: allBills.length, maxLength: allBills.length }),
    payments: fc.array(fc.record({ unit: fc.constantFrom(FLAT.id, SHOP.id), on: day, amountFen: fc.integer({ min: 1, max: 300_000 }), refund: fc.boolean(), method: fc.constantFrom('cash', 'wechat', 'alipay', 'card', 'bank-transfer') }), { maxLength: 14 }),
    waivers: fc.array(fc.record({ bill: fc.nat(), after: fc.integer({ min: 0, max: 200 }), component: fc.constantFrom('principal' as const, 'late-fee' as const), amountFen: fc.integer({ min: 1, max: 50_000 }) }), { maxLength: 6 }),
  });

  it('opening + Σ entries = closing = the settled balance, for any unit, history and range; the ageing never exceeds what is owed', () => {
    fc.assert(
      fc.property(history, day, day, fc.constantFrom(FLAT.id, SHOP.id), (h, a, b, unitId) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const bills = allBills.filter((_, i) => h.billMask[i]);
        const payments: Payment[] = h.payments.map((p, i) => ({ id: `p${i}`, unitId: p.unit, kind: p.refund ? 'refund' : 'payment', receivedOn: p.on, amountFen: p.amountFen, method: p.method, ...(p.refund ? { reason: '多缴退回' } : {}) }));
        const adjustments: Adjustment[] = bills.length === 0 ? [] : h.waivers.map((w, i) => {
          const bill = bills[w.bill % bills.length]!;
          return { id: `w${i}`, billKey: bill.key, on: addDays(bill.issueOn, w.after), component: w.component, amountFen: -w.amountFen, reason: { zh: `减免：困难户`, en: 'Waiver: hardship' } };
        });
        const input = { plans: [m, q], bills, payments, adjustments };
        const s = statement(unitId, input, from, to);
        expect(s.closingFen).toBe(s.openingFen + sum(s.entries.map((e) => e.amountFen)));
        const own = { ...input, bills: bills.filter((x) => x.unitId === unitId), payments: payments.filter((p) => p.unitId === unitId) };
        const settled = settleAccount({ ...own, asOf: to });
        expect(s.closingFen).toBe(settled.balanceFen);
        expect(s.openingFen).toBe(settleAccount({ ...own, asOf: addDays(from, -1) }).balanceFen);
        // every waiver in the range and on an issued bill of this unit is on the statement, as the amount it took off
        const waived = adjustments.filter((w) => own.bills.some((x) => x.key === w.billKey && x.issueOn <= w.on) && w.on >= from && w.on <= to);
        expect(sum(s.entries.filter((e) => e.kind === 'adjustment').map((e) => e.amountFen))).toBe(sum(waived.map((w) => w.amountFen)));
        // the ageing of the same settled bills: overdue debts only, each at most what the bill still owes
        const ageing = ageArrears(settled.bills.map(ageingBillOf), to);
        const overdue = settled.bills.filter((x) => x.bill.payBy < to && x.outstandingFen > 0);
        expect(ageing.totalFen).toBe(sum(overdue.map((x) => x.outstandingFen)));
      }),
      { numRuns: 120 },
    );
  });
});
