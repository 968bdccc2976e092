import { describe, expect, it } from 'vitest';
import { settleAccount } from './account.ts';
import { generateBills } from './generate-bills.ts';
import { parsePeriod, type Period } from './period.ts';
import { formatReceiptSerial, makeReceipt, nextReceiptSerial } from './receipt.ts';
import { FLAT, plan, SCHEDULE } from './testing/fixtures.ts';
import type { Payment } from './types.ts';

describe('receipts (BL-7)', () => {
  it('numbers receipts per prefix and year, restarting each year', () => {
    expect(formatReceiptSerial('SJ', 2027, 42)).toBe('SJ-2027-000042');
    expect(nextReceiptSerial('SJ', '2027-03-05')).toBe('SJ-2027-000001');
    expect(nextReceiptSerial('SJ', '2027-03-05', 'SJ-2027-000041')).toBe('SJ-2027-000042');
    expect(nextReceiptSerial('SJ', '2028-01-01', 'SJ-2027-999999')).toBe('SJ-2028-000001');
    expect(nextReceiptSerial('SJ', '2027-03-05', 'SJ-2027-1000000')).toBe('SJ-2027-1000001');
  });

  it('lists what a payment paid on the day and the rest as credit', () => {
    const m = plan('monthly');
    const bills = generateBills(m, SCHEDULE, [FLAT], parsePeriod(m, '2027-03') as Period, []).bills;
    const payment: Payment = { id: 'p1', unitId: FLAT.id, kind: 'payment', receivedOn: '2027-03-05', amountFen: 30000, method: 'home-collection' };
    const state = settleAccount({ plans: [m], bills, payments: [payment], asOf: '2027-03-05' });
    const receipt = makeReceipt(payment, state.allocations, 'SJ-2027-000001');
    expect(receipt).toEqual({
      serial: 'SJ-2027-000001',
      paymentId: 'p1',
      unitId: FLAT.id,
      receivedOn: '2027-03-05',
      method: 'home-collection',
      amountFen: 30000,
      lines: [{ billKey: bills[0]!.key, component: 'principal', amountFen: 22343 }],
      creditFen: 7657,
    });
  });
});
