import { describe, expect, it } from 'vitest';
import { defaultPlan } from './default-plan.ts';
import { settleAccount } from './account.ts';
import { chargeBilling, oneOffBill } from './one-off.ts';

describe('one-off charges billed at once (临时收费)', () => {
  const plan = defaultPlan('quarterly', { id: 'q', feeSchedule: 'fees' });

  it('lets the charge’s own setting win over the plan’s default, and defaults to the next cycle', () => {
    expect(chargeBilling(plan, undefined)).toBe('next-cycle');
    expect(chargeBilling({ ...plan, oneOffCharges: { billing: 'at-once' } }, undefined)).toBe('at-once');
    expect(chargeBilling({ ...plan, oneOffCharges: { billing: 'at-once' } }, 'next-cycle')).toBe('next-cycle');
    expect(chargeBilling(plan, 'at-once')).toBe('at-once');
    expect(chargeBilling(undefined, undefined)).toBe('next-cycle');
  });

  it('makes a bill of one line, issued the day the charge was raised, due within the plan’s days (7 by default)', () => {
    const charge = { orderSerial: 'PS-000012', unitId: 'u1', completedOn: '2027-03-05', amountFen: 180000, description: { zh: '车位租赁 6 个月', en: 'Parking lease, 6 months' } };
    const bill = oneOffBill(plan, charge, '2027-01-01');
    expect(bill).toMatchObject({ key: 'q/u1/PS-000012', periodId: 'PS-000012', issueOn: '2027-03-05', payBy: '2027-03-12', totalFen: 180000 });
    expect(bill.lines).toEqual([{ no: 1, kind: 'service', description: charge.description, amountFen: 180000, orderSerial: 'PS-000012' }]);
    expect(oneOffBill({ ...plan, oneOffCharges: { billing: 'at-once', payWithin: { amount: 1, unit: 'months' } } }, charge, '2027-01-01').payBy).toBe('2027-04-05');
  });

  it('is a normal bill of the one ledger: a payment settles it and clears it', () => {
    const bill = oneOffBill(plan, { orderSerial: 'PS-000012', unitId: 'u1', completedOn: '2027-03-05', amountFen: 5000 }, '2027-01-01');
    const paid = settleAccount({ plans: [plan], bills: [bill], adjustments: [], asOf: '2027-03-06', payments: [{ id: 'p1', unitId: 'u1', kind: 'payment', receivedOn: '2027-03-06', amountFen: 5000, method: 'cash' }] });
    expect(paid.bills[0]).toMatchObject({ outstandingFen: 0, clearedOn: '2027-03-06' });
    expect(paid.balanceFen).toBe(0);
  });

  it('bears no late fee for the days it gave to pay, even when raised after the cycle’s final notice; after its pay-by the plan’s rule applies', () => {
    // 2027-03-05 is after Q1's final notice (2027-02-15): a bill "of" its issue day would bear a fee from day one
    const bill = oneOffBill(plan, { orderSerial: 'PS-000012', unitId: 'u1', completedOn: '2027-03-05', amountFen: 100000 }, '2027-01-01');
    const at = (asOf: string) => settleAccount({ plans: [plan], bills: [bill], adjustments: [], payments: [], asOf }).bills[0]!;
    expect(at('2027-03-12')).toMatchObject({ outstandingFen: 100000 });
    expect(at('2027-03-12').lateFee.amountFen).toBe(0);
    expect(at('2027-03-14').lateFee.amountFen).toBe(600); // 2 days × 3 ‰ × ¥1,000
  });
});
