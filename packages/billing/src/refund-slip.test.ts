import { describe, expect, it } from 'vitest';
import { settleAccount } from './account.ts';
import { checkRefundReason, makeRefundSlip, REFUND_REASON_MAX } from './refund-slip.ts';
import { statement } from './statement.ts';
import { FLAT, plan } from './testing/fixtures.ts';
import type { Payment } from './types.ts';

const m = plan('monthly');

describe('refund slips (BL-7)', () => {
  it('keeps a reason trimmed and refuses one that is missing, blank or over 200 characters, at /reason', () => {
    expect(checkRefundReason('  业主搬离，退还预收 ')).toBe('业主搬离，退还预收');
    expect(checkRefundReason('退'.repeat(REFUND_REASON_MAX))).toBe('退'.repeat(200));
    // characters, not UTF-16 units: 200 emoji are 200 characters
    expect(checkRefundReason('🏠'.repeat(200))).toBe('🏠'.repeat(200));
    for (const bad of [undefined, null, '', '   \n ', 42, '退'.repeat(201)]) {
      expect(checkRefundReason(bad)).toMatchObject({ reason: 'invalid-reason', path: '/reason' });
    }
    expect(checkRefundReason('')).toMatchObject({ message: { zh: '退款原因为必填项', en: 'A refund reason is required' } });
    expect(checkRefundReason('  ')).toMatchObject({ message: { zh: '退款原因不能为空白', en: 'The refund reason must not be blank' } });
    expect(checkRefundReason('x'.repeat(201))).toMatchObject({ message: { zh: '退款原因最多 200 个字（现为 201 个）', en: 'The refund reason must be at most 200 characters (it has 201)' } });
  });

  it('states what a refund returned, from which payments, and the credit left', () => {
    const payments: Payment[] = [
      { id: 'p1', unitId: FLAT.id, kind: 'payment', receivedOn: '2027-03-01', amountFen: 10000, method: 'cash' },
      { id: 'p2', unitId: FLAT.id, kind: 'payment', receivedOn: '2027-03-02', amountFen: 5000, method: 'wechat' },
      { id: 'r1', unitId: FLAT.id, kind: 'refund', receivedOn: '2027-03-03', amountFen: 8000, method: 'cash', reason: '多缴退回' },
    ];
    const state = settleAccount({ plans: [m], bills: [], payments, asOf: '2027-03-03' });
    const slip = makeRefundSlip({ ...payments[2]!, reason: '多缴退回' }, state, 'TK-2027-000001', { unitLabel: '1-1-101', cashier: { id: 'u1', name: '财务 李' } });
    expect(slip).toEqual({
      kind: 'refund',
      serial: 'TK-2027-000001',
      paymentId: 'r1',
      unitId: FLAT.id,
      unitLabel: '1-1-101',
      receivedOn: '2027-03-03',
      method: 'cash',
      amountFen: 8000,
      reason: '多缴退回',
      cashier: { id: 'u1', name: '财务 李' },
      from: [{ paymentId: 'p2', amountFen: 5000 }, { paymentId: 'p1', amountFen: 3000 }],
      creditFen: 7000,
    });
  });

  it('lists a refund on the statement with its slip number and reason', () => {
    const payments: Payment[] = [
      { id: 'p1', unitId: FLAT.id, kind: 'payment', receivedOn: '2027-03-01', amountFen: 10000, method: 'cash' },
      { id: 'r1', unitId: FLAT.id, kind: 'refund', receivedOn: '2027-03-03', amountFen: 4000, method: 'cash', reason: '业主搬离', serial: 'TK-2027-000007' },
      { id: 'r0', unitId: FLAT.id, kind: 'refund', receivedOn: '2027-03-04', amountFen: 1000, method: 'cash' },
    ];
    const s = statement(FLAT.id, { plans: [m], bills: [], payments }, '2027-03-01', '2027-03-31');
    expect(s.entries.filter((e) => e.kind === 'refund').map((e) => e.description)).toEqual([
      { zh: '退款 TK-2027-000007（业主搬离）', en: 'Refund TK-2027-000007 (业主搬离)' },
      // a refund recorded before slips were numbered
      { zh: '退款', en: 'Refund' },
    ]);
  });
});
