import { describe, expect, it } from 'vitest';
import { estateDate, payByDate } from './civil-date.ts';
import { checkPlan, noticeSchedule, recoveryLadder } from './notice-schedule.ts';
import { parsePeriod, type Period } from './period.ts';
import { plan } from './testing/fixtures.ts';
import type { BillingPlan } from './types.ts';

const period = (p: BillingPlan, id: string) => parsePeriod(p, id) as Period;

describe('noticeSchedule', () => {
  it('dates the quarterly Q1 2027 notices from the BL table', () => {
    const q = plan('quarterly');
    expect(noticeSchedule(q, period(q, '2027-Q1'))).toEqual([
      { kind: 'payment-notice', issueOn: '2026-12-01', payBy: '2027-01-01' },
      { kind: 'reminder', issueOn: '2027-01-01', payBy: '2027-02-01' },
      { kind: 'final-notice', issueOn: '2027-02-09', payBy: '2027-02-14' },
      { kind: 'recovery', issueOn: '2027-02-15', payBy: '2027-05-15' },
    ]);
    expect(noticeSchedule(q, period(q, '2027-Q2'))[0]).toEqual({ kind: 'payment-notice', issueOn: '2027-03-01', payBy: '2027-04-01' });
  });

  it('dates the semi-annual notices on Jun 1/Dec 1 and Jan 1/Jul 1', () => {
    const h = plan('semi-annual');
    const h2 = noticeSchedule(h, period(h, '2027-H2'));
    expect(h2.map((n) => [n.kind, n.issueOn, n.payBy])).toEqual([
      ['payment-notice', '2027-06-01', '2027-07-01'],
      ['reminder', '2027-07-01', '2027-08-01'],
      ['final-notice', '2027-08-09', '2027-08-14'],
      ['recovery', '2027-08-15', '2027-11-15'],
    ]);
  });

  it('dates the monthly notices: the 15th before, the 1st with 7 days, final notice on the 8th day after', () => {
    const m = plan('monthly');
    expect(noticeSchedule(m, period(m, '2027-03'))).toEqual([
      { kind: 'payment-notice', issueOn: '2027-02-15', payBy: '2027-03-15' },
      { kind: 'reminder', issueOn: '2027-03-01', payBy: '2027-03-08' },
      { kind: 'final-notice', issueOn: '2027-03-16', payBy: '2027-03-21' },
      { kind: 'recovery', issueOn: '2027-03-22', payBy: '2027-06-22' },
    ]);
    // the seed's literal reading for monthly: 8 days after the reminder's issue
    const literal: BillingPlan = { ...m, notices: { ...m.notices, finalNotice: { ...m.notices.finalNotice, after: 'reminder-issue' } } };
    expect(noticeSchedule(literal, period(m, '2027-03'))[2]).toEqual({ kind: 'final-notice', issueOn: '2027-03-09', payBy: '2027-03-14' });
    expect(checkPlan(literal)).toEqual([]);
  });

  it('counts periods from the day after issue and clamps missing month ends', () => {
    expect(payByDate('2027-01-31', { amount: 1, unit: 'months' })).toBe('2027-02-28');
    expect(payByDate('2028-01-31', { amount: 1, unit: 'months' })).toBe('2028-02-29');
    expect(payByDate('2027-12-28', { amount: 5, unit: 'days' })).toBe('2028-01-02');
    const m: BillingPlan = { ...plan('monthly'), notices: { ...plan('monthly').notices, paymentNotice: { monthOffset: -1, day: 31, payWithin: { amount: 1, unit: 'months' } } } };
    expect(noticeSchedule(m, period(m, '2027-03'))[0]).toEqual({ kind: 'payment-notice', issueOn: '2027-02-28', payBy: '2027-03-28' });
  });

  it('turns an instant into the estate civil date in Asia/Shanghai', () => {
    expect(estateDate(new Date('2027-02-19T16:30:00Z'))).toBe('2027-02-20');
    expect(estateDate(new Date('2027-02-19T15:59:59Z'))).toBe('2027-02-19');
  });

  it('rejects a plan whose final notice precedes the reminder deadline, naming the field', () => {
    const q = plan('quarterly');
    const bad: BillingPlan = { ...q, notices: { ...q.notices, finalNotice: { ...q.notices.finalNotice, after: 'reminder-issue' } } };
    const errors = checkPlan(bad);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'invalid-plan', path: '/notices/finalNotice' });
    expect(errors[0]!.message.zh).toContain('2027-01-09');
    expect(checkPlan({ ...q, anchorMonth: 13 })[0]).toMatchObject({ path: '/anchorMonth' });
    expect(checkPlan({ ...q, lateFee: { ...q.lateFee, dailyRate: { numerator: 3, denominator: 0 } } })[0]).toMatchObject({ path: '/lateFee/dailyRate' });
    expect(checkPlan(q)).toEqual([]);
  });

  it('dates the BL-4 soft ladder: phone and SMS, a letter 3 months on, a visit, then legal', () => {
    const q = plan('quarterly');
    expect(recoveryLadder(q, period(q, '2027-Q1')).map((s) => `${s.channel}@${s.on}`)).toEqual([
      'phone@2027-02-15',
      'sms@2027-02-15',
      'letter@2027-05-15',
      'visit@2027-06-15',
      'legal@2027-08-15',
    ]);
  });
});
