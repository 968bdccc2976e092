import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { settleAccount } from './account.ts';
import { generateBills } from './generate-bills.ts';
import { noticeOf, noticeSchedule } from './notice-schedule.ts';
import { parsePeriod, periodsBetween, type Period } from './period.ts';
import { FLAT, plan, SCHEDULE, SHOP } from './testing/fixtures.ts';
import type { Bill, BillingPlan, Payment, Unit } from './types.ts';

const billsFor = (p: BillingPlan, unit: Unit, from: string, to: string): Bill[] =>
  periodsBetween(p, from, to).flatMap((period) => generateBills(p, SCHEDULE, [unit], period, []).bills);
const pay = (id: string, receivedOn: string, amountFen: number, unitId = FLAT.id): Payment => ({ id, unitId, kind: 'payment', receivedOn, amountFen, method: 'desk' });
const refund = (id: string, receivedOn: string, amountFen: number): Payment => ({ ...pay(id, receivedOn, amountFen), kind: 'refund' });

describe('settleAccount', () => {
  it('quarterly: a Q1 2027 bill of 1,234.56 yuan paid on 2027-02-20 owes a late fee of 188.89 yuan', () => {
    const q = plan('quarterly');
    const bills = billsFor(q, SHOP, '2027-01-01', '2027-01-01');
    const short = settleAccount({ plans: [q], bills, payments: [pay('p1', '2027-02-20', 123456, SHOP.id)], asOf: '2027-03-31' });
    expect(short.bills[0]).toMatchObject({ principalFen: 123456, principalPaidFen: 123456, lateFeePaidFen: 0, outstandingFen: 18889, clearedOn: '2027-02-20' });
    expect(short.bills[0]!.lateFee.amountFen).toBe(18889);
    const full = settleAccount({ plans: [q], bills, payments: [pay('p1', '2027-02-20', 142345, SHOP.id)], asOf: '2027-03-31' });
    expect(full.allocations.map((a) => [a.component, a.amountFen])).toEqual([
      ['principal', 123456],
      ['late-fee', 18889],
    ]);
    expect(full.balanceFen).toBe(0);
    expect(full.creditFen).toBe(0);
  });

  it('semi-annual: H1 2027 paid one day after the final notice deadline owes 46 days of late fee', () => {
    const h = plan('semi-annual');
    const h1 = parsePeriod(h, '2027-H1') as Period;
    const final = noticeOf(noticeSchedule(h, h1), 'final-notice');
    expect(final).toMatchObject({ issueOn: '2027-02-09', payBy: '2027-02-14' });
    const bills = billsFor(h, FLAT, '2027-01-01', '2027-01-01');
    expect(bills[0]!.totalFen).toBe(134055); // 89.37 m² × 2.50 × 6
    const state = settleAccount({ plans: [h], bills, payments: [pay('p1', '2027-02-15', 134055)], asOf: '2027-06-30' });
    // 134,055 × 46 days (Jan 1 .. Feb 15) × 3 ‰ = 18,499.59 → 18,500 fen
    expect(state.bills[0]!.lateFee.parts).toEqual([{ principalFen: 134055, from: '2027-01-01', through: '2027-02-15', days: 46 }]);
    expect(state.balanceFen).toBe(18500);
    const settled = settleAccount({ plans: [h], bills, payments: [pay('p1', '2027-02-15', 134055), pay('p2', '2027-03-01', 18500)], asOf: '2027-06-30' });
    expect(settled.balanceFen).toBe(0);
    expect(settled.allocations.at(-1)).toMatchObject({ paymentId: 'p2', component: 'late-fee', amountFen: 18500 });
  });

  it('monthly: a March 2027 bill paid in two parts, the second after the final notice', () => {
    const m = plan('monthly');
    const unit: Unit = { ...FLAT, parking: [{ kind: 'underground', count: 1 }] };
    const bills = billsFor(m, unit, '2027-03-01', '2027-03-01');
    expect(bills[0]!.totalFen).toBe(52343);
    // part 1 before the final notice (2027-03-16) bears nothing; part 2 on 2027-03-20:
    // 22,343 × 20 days × 3 ‰ = 1,340.58 → 1,341 fen
    const state = settleAccount({ plans: [m], bills, payments: [pay('p1', '2027-03-05', 30000), pay('p2', '2027-03-20', 23684)], asOf: '2027-04-30' });
    expect(state.allocations.map((a) => [a.paymentId, a.component, a.amountFen])).toEqual([
      ['p1', 'principal', 30000],
      ['p2', 'principal', 22343],
      ['p2', 'late-fee', 1341],
    ]);
    expect(state.balanceFen).toBe(0);
    const early = settleAccount({ plans: [m], bills, payments: [pay('p1', '2027-03-05', 30000), pay('p2', '2027-03-12', 22343)], asOf: '2027-04-30' });
    expect(early.bills[0]).toMatchObject({ outstandingFen: 0, clearedOn: '2027-03-12' });
    expect(early.bills[0]!.lateFee.accruedFen).toBe(1254); // warned, not charged: 30,000 × 5 d + 22,343 × 12 d at 3 ‰ = 1,254.348
  });

  it('allocates oldest bill first, principal before late fee, or as the estate configures', () => {
    const m = plan('monthly');
    const bills = billsFor(m, FLAT, '2027-01-01', '2027-02-01'); // 22,343 each
    const oldest = settleAccount({ plans: [m], bills, payments: [pay('p1', '2027-03-01', 30000)], asOf: '2027-03-01' });
    expect(oldest.allocations.map((a) => [a.billKey.slice(-7), a.component, a.amountFen])).toEqual([
      ['2027-01', 'principal', 22343],
      ['2027-01', 'late-fee', 4022], // 22,343 × 60 days (Jan 1 .. Mar 1) × 3 ‰ = 4,021.74
      ['2027-02', 'principal', 3635],
    ]);
    const newest = settleAccount({ plans: [m], bills, payments: [pay('p1', '2027-03-01', 30000)], asOf: '2027-03-01', allocation: { order: 'newest-first', within: 'late-fee-first' } });
    expect(newest.allocations.map((a) => [a.billKey.slice(-7), a.component, a.amountFen])).toEqual([
      ['2027-02', 'late-fee', 1944], // 22,343 × 29 days (Feb 1 .. Mar 1) × 3 ‰ = 1,943.841
      ['2027-02', 'principal', 22343],
      ['2027-01', 'late-fee', 4022],
      ['2027-01', 'principal', 1691],
    ]);
  });

  it('holds a prepayment as credit, applies it when the next bill is issued, and refunds from credit only', () => {
    const m = plan('monthly');
    const bills = billsFor(m, FLAT, '2027-03-01', '2027-03-01'); // issued 2027-02-15
    const payments = [pay('p1', '2027-02-01', 50000), refund('r1', '2027-02-20', 20000), refund('r2', '2027-02-21', 9000)];
    const state = settleAccount({ plans: [m], bills, payments, asOf: '2027-02-28' });
    expect(state.allocations).toEqual([{ paymentId: 'p1', billKey: bills[0]!.key, component: 'principal', on: '2027-02-15', amountFen: 22343 }]);
    expect(state.refunds).toEqual([{ refundId: 'r1', fromPaymentId: 'p1', on: '2027-02-20', amountFen: 20000 }]);
    expect(state.errors.map((e) => e.reason)).toEqual(['refund-exceeds-credit']);
    expect(state.errors[0]!.message.en).toContain('7657');
    expect(state.creditFen).toBe(7657);
    expect(state.balanceFen).toBe(-7657);
  });

  it('applies adjustments as new lines: a correction and a late-fee waiver', () => {
    const q = plan('quarterly');
    const bills = billsFor(q, SHOP, '2027-01-01', '2027-01-01');
    const key = bills[0]!.key;
    const adjustments = [
      { id: 'a1', billKey: key, on: '2027-01-05', component: 'principal' as const, amountFen: -3456, reason: { zh: '面积更正', en: 'Area correction' } },
      { id: 'a2', billKey: key, on: '2027-03-01', component: 'late-fee' as const, amountFen: -5000, reason: { zh: '减免滞纳金', en: 'Late fee waived in part' } },
    ];
    const state = settleAccount({ plans: [q], bills, payments: [pay('p1', '2027-02-20', 120000, SHOP.id)], adjustments, asOf: '2027-03-31' });
    // 120,000 × 51 days × 3 ‰ = 18,360
    expect(state.bills[0]).toMatchObject({ principalFen: 120000, lateFeeAdjustedFen: -5000, outstandingFen: 13360 });
    expect(bills[0]!.totalFen).toBe(123456); // the bill itself is never edited
  });

  it('property: allocation conserves every fen', () => {
    const m = plan('monthly');
    const bills = [...billsFor(m, FLAT, '2027-01-01', '2027-12-01'), ...billsFor(m, { ...FLAT, custody: true, id: 'other' }, '2027-01-01', '2027-03-01')];
    const day = fc.integer({ min: 0, max: 400 }).map((d) => {
      const date = new Date(Date.UTC(2027, 0, 1 + d));
      return date.toISOString().slice(0, 10);
    });
    const paymentArb = fc.record({ kind: fc.constantFrom<'payment' | 'refund'>('payment', 'payment', 'refund'), receivedOn: day, amountFen: fc.integer({ min: 0, max: 60000 }) });
    fc.assert(
      fc.property(fc.array(paymentArb, { maxLength: 15 }), day, fc.constantFrom('principal-first', 'late-fee-first') as fc.Arbitrary<'principal-first' | 'late-fee-first'>, (ps, asOf, within) => {
        const payments: Payment[] = ps.map((p, i) => ({ ...p, id: `p${i}`, unitId: FLAT.id, method: 'desk' }));
        const state = settleAccount({ plans: [m], bills: bills.filter((b) => b.unitId === FLAT.id), payments, asOf, allocation: { order: 'oldest-first', within } });
        const failed = new Set(state.errors.map((e) => e.path));
        const inflow = payments.filter((p) => p.kind === 'payment' && p.receivedOn <= asOf).reduce((s, p) => s + p.amountFen, 0);
        const refunded = state.refunds.reduce((s, r) => s + r.amountFen, 0);
        const allocated = state.allocations.reduce((s, a) => s + a.amountFen, 0);
        expect(allocated + state.creditFen + refunded).toBe(inflow);
        for (const p of payments) {
          const used = state.allocations.filter((a) => a.paymentId === p.id).reduce((s, a) => s + a.amountFen, 0) + state.refunds.filter((r) => r.fromPaymentId === p.id).reduce((s, r) => s + r.amountFen, 0);
          expect(used).toBeLessThanOrEqual(p.kind === 'payment' ? p.amountFen : 0);
        }
        for (const p of payments.filter((x) => x.kind === 'refund' && x.receivedOn <= asOf)) {
          const out = state.refunds.filter((r) => r.refundId === p.id).reduce((s, r) => s + r.amountFen, 0);
          expect(out === p.amountFen || (out === 0 && failed.has(`/payments/${p.id}/amountFen`))).toBe(true);
        }
        for (const b of state.bills) {
          expect(b.principalPaidFen).toBeLessThanOrEqual(b.principalFen);
          expect(b.lateFeePaidFen).toBeLessThanOrEqual(b.lateFee.amountFen);
        }
        const charged = state.bills.reduce((s, b) => s + b.principalFen + b.lateFee.amountFen, 0);
        expect(state.balanceFen).toBe(charged - inflow + refunded);
      }),
      { numRuns: 150 },
    );
  });
});
