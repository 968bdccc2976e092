import { describe, expect, it } from 'vitest';
import { lateFee, lateFeeStart } from './late-fee.ts';
import { plan } from './testing/fixtures.ts';
import type { BillingPlan, LateFeeRule } from './types.ts';

const q = plan('quarterly');
const withRule = (p: BillingPlan, rule: Partial<LateFeeRule>): BillingPlan => ({ ...p, lateFee: { ...p.lateFee, ...rule } });

describe('lateFee (BL-2)', () => {
  it('charges 188.89 yuan on a Q1 2027 bill of 1,234.56 yuan unpaid until 2027-02-20', () => {
    // 3 ‰ × 123,456 fen × 51 days (2027-01-01 .. 2027-02-20, both counted) = 18,888.768 → 18,889 fen
    const paidThatDay = lateFee(q, '2027-01-01', 123456, [{ on: '2027-02-20', amountFen: 123456 }], '2027-02-20');
    expect(paidThatDay).toMatchObject({ amountFen: 18889, startsOn: '2027-01-01', chargedFrom: '2027-02-09', capped: false });
    expect(paidThatDay.parts).toEqual([{ principalFen: 123456, from: '2027-01-01', through: '2027-02-20', days: 51 }]);
    // still unpaid, seen on that day: the same figure; it keeps accruing afterwards
    expect(lateFee(q, '2027-01-01', 123456, [], '2027-02-20').amountFen).toBe(18889);
    expect(lateFee(q, '2027-01-01', 123456, [], '2027-02-21').amountFen).toBe(19259); // 52 days: 19,259.136
    // paid on Feb 20, seen later: frozen
    expect(lateFee(q, '2027-01-01', 123456, [{ on: '2027-02-20', amountFen: 123456 }], '2027-12-31').amountFen).toBe(18889);
  });

  it('warns but does not charge before the final notice, and waives principal paid before it', () => {
    const before = lateFee(q, '2027-01-01', 123456, [], '2027-02-08');
    expect(before.amountFen).toBe(0);
    expect(before.accruedFen).toBe(14444); // 39 days: 14,444.352, the reminder's warning figure
    const paidEarly = lateFee(q, '2027-01-01', 123456, [{ on: '2027-02-08', amountFen: 123456 }], '2027-06-30');
    expect(paidEarly.amountFen).toBe(0);
    expect(lateFee(q, '2027-01-01', 123456, [{ on: '2027-02-09', amountFen: 123456 }], '2027-06-30').amountFen).toBe(14815); // paid on the final notice's day: 40 days, 14,814.72
  });

  it('in accrual mode charges from the first day of the period, the payment day included', () => {
    const accrual = withRule(q, { chargedFrom: 'accrual' });
    expect(lateFee(accrual, '2027-01-01', 123456, [], '2026-12-31').amountFen).toBe(0);
    expect(lateFee(accrual, '2027-01-01', 123456, [], '2027-01-01').amountFen).toBe(370); // 370.368
    expect(lateFee(accrual, '2027-01-01', 123456, [{ on: '2027-01-10', amountFen: 100000 }], '2027-01-20').amountFen).toBe(
      4407, // 100,000 × 10 days × 3 ‰ = 3,000 plus 23,456 × 20 days × 3 ‰ = 1,407.36: 4,407.36, rounded once
    );
  });

  it('rounds the sum once rather than each part', () => {
    const accrual = withRule(q, { chargedFrom: 'accrual' });
    // parts 1 fen × 1 day × 3 ‰ = 0.003 each; rounding each would give 0
    const payments = Array.from({ length: 200 }, (_, i) => ({ on: '2027-01-01', amountFen: 1 + i * 0 }));
    expect(lateFee(accrual, '2027-01-01', 200, payments, '2027-01-01').amountFen).toBe(1); // 200 × 0.003 = 0.6 → 1
  });

  it('starts later when the estate chooses another start rule', () => {
    expect(lateFeeStart(withRule(q, { startsOn: 'payment-notice-pay-by' }), '2027-01-01')).toBe('2027-01-02');
    expect(lateFeeStart(withRule(q, { startsOn: 'reminder-pay-by' }), '2027-01-01')).toBe('2027-02-02');
    const late = withRule(q, { startsOn: 'final-notice-pay-by' });
    expect(lateFeeStart(late, '2027-01-01')).toBe('2027-02-15');
    expect(lateFee(late, '2027-01-01', 123456, [], '2027-02-15')).toMatchObject({ amountFen: 370, chargedFrom: '2027-02-15' });
  });

  it('caps the fee at a share of the principal or an amount, and applies the waivers', () => {
    const capped = lateFee(withRule(q, { cap: { ratioOfPrincipal: { numerator: 1, denominator: 10 } } }), '2027-01-01', 123456, [], '2027-02-20');
    expect(capped).toMatchObject({ amountFen: 12346, capped: true }); // 12,345.6 → 12,346
    expect(lateFee(withRule(q, { cap: { maxFen: 10000 } }), '2027-01-01', 123456, [], '2027-02-20')).toMatchObject({ amountFen: 10000, capped: true });
    const grace = withRule(q, { chargedFrom: 'accrual', waiver: { graceDays: 10 } });
    expect(lateFee(grace, '2027-01-01', 123456, [{ on: '2027-01-10', amountFen: 123456 }], '2027-03-01')).toMatchObject({ amountFen: 0, waived: 'grace' });
    expect(lateFee(grace, '2027-01-01', 123456, [{ on: '2027-01-11', amountFen: 123456 }], '2027-03-01').amountFen).toBe(4074); // 11 days: 4,074.048
    const small = withRule(q, { chargedFrom: 'accrual', waiver: { belowFen: 500 } });
    expect(lateFee(small, '2027-01-01', 123456, [], '2027-01-01')).toMatchObject({ amountFen: 0, waived: 'below-minimum' });
  });
});
