import { billingError, type BillingError } from './billing-error.ts';
import { addDays, addMonths, civilDate, compareDates, payByDate } from './civil-date.ts';
import { periodOf, type Period } from './period.ts';
import type { BillingPlan, CivilDate, MonthDayNotice, RecoveryChannel, Text } from './types.ts';

export type NoticeKind = 'payment-notice' | 'reminder' | 'final-notice' | 'recovery';

export interface ScheduledNotice {
  readonly kind: NoticeKind;
  readonly issueOn: CivilDate;
  readonly payBy: CivilDate;
}

function monthDay(period: Period, rule: MonthDayNotice): CivilDate {
  const month = addMonths(period.start, rule.monthOffset);
  return civilDate(Number(month.slice(0, 4)), Number(month.slice(5, 7)), rule.day);
}

/**
 * The dunning timetable of one period (BL table, BL-1, BL-3), in order: payment notice 付款通知书,
 * reminder 催款通知书, final notice 最后缴款通知书, recovery 追讨. Pure; every date comes from the plan.
 *
 * @example
 * noticeSchedule(defaultPlan('quarterly', …), parsePeriod(plan, '2027-Q1'))
 * // payment-notice 2026-12-01 → 2027-01-01, reminder 2027-01-01 → 2027-02-01,
 * // final-notice 2027-02-09 → 2027-02-14, recovery 2027-02-15 → 2027-05-15
 */
export function noticeSchedule(plan: BillingPlan, period: Period): ScheduledNotice[] {
  const n = plan.notices;
  const paymentIssue = monthDay(period, n.paymentNotice);
  const reminderIssue = monthDay(period, n.reminder);
  const reminderPayBy = payByDate(reminderIssue, n.reminder.payWithin);
  const finalIssue = addDays(n.finalNotice.after === 'reminder-issue' ? reminderIssue : reminderPayBy, n.finalNotice.days);
  const finalPayBy = payByDate(finalIssue, n.finalNotice.payWithin);
  const recoveryIssue = addDays(finalPayBy, n.recovery.daysAfterFinalPayBy);
  return [
    { kind: 'payment-notice', issueOn: paymentIssue, payBy: payByDate(paymentIssue, n.paymentNotice.payWithin) },
    { kind: 'reminder', issueOn: reminderIssue, payBy: reminderPayBy },
    { kind: 'final-notice', issueOn: finalIssue, payBy: finalPayBy },
    { kind: 'recovery', issueOn: recoveryIssue, payBy: payByDate(recoveryIssue, n.recovery.payWithin) },
  ];
}

/** The notice of one kind from {@link noticeSchedule}. */
export function noticeOf(schedule: readonly ScheduledNotice[], kind: NoticeKind): ScheduledNotice {
  const found = schedule.find((s) => s.kind === kind);
  if (!found) throw new Error(`noticeSchedule has no ${kind}`);
  return found;
}

export interface RecoveryLadderStep {
  readonly channel: RecoveryChannel;
  readonly on: CivilDate;
  readonly title: Text;
}

/** BL-4's softer ladder dated for one period (phone/SMS, formal letter after 3 months, visit, legal). */
export function recoveryLadder(plan: BillingPlan, period: Period): RecoveryLadderStep[] {
  const start = noticeOf(noticeSchedule(plan, period), 'recovery').issueOn;
  return (plan.notices.recovery.steps ?? []).map((s) => ({ channel: s.channel, on: payByDate(start, s.after), title: s.title }));
}

function isNonNegativeInt(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * Checks what the JSON Schema cannot: ranges and the order of the notices over a sample year
 * (a final notice must not go out before the reminder's deadline). Empty array = valid.
 */
export function checkPlan(plan: BillingPlan): BillingError[] {
  const errors: BillingError[] = [];
  const bad = (path: string, zh: string, en: string) => errors.push(billingError('invalid-plan', path, zh, en));
  const anchor = plan.anchorMonth ?? 1;
  if (!Number.isInteger(anchor) || anchor < 1 || anchor > 12) bad('/anchorMonth', '起始月份须为 1–12', 'anchorMonth must be 1–12');
  for (const key of ['paymentNotice', 'reminder'] as const) {
    const rule = plan.notices[key];
    if (!Number.isInteger(rule.day) || rule.day < 1 || rule.day > 31) bad(`/notices/${key}/day`, '日期须为 1–31', 'day must be 1–31');
    if (!Number.isInteger(rule.monthOffset) || Math.abs(rule.monthOffset) > 12) bad(`/notices/${key}/monthOffset`, '月份偏移须为 −12..12 的整数', 'monthOffset must be an integer in −12..12');
    if (!isNonNegativeInt(rule.payWithin.amount)) bad(`/notices/${key}/payWithin/amount`, '缴款期限须为非负整数', 'payWithin.amount must be a non-negative integer');
  }
  if (!isNonNegativeInt(plan.notices.finalNotice.days)) bad('/notices/finalNotice/days', '天数须为非负整数', 'days must be a non-negative integer');
  const rate = plan.lateFee.dailyRate;
  if (!isNonNegativeInt(rate.numerator) || !Number.isSafeInteger(rate.denominator) || rate.denominator <= 0) {
    bad('/lateFee/dailyRate', '滞纳金日费率须为非负整数 / 正整数', 'lateFee.dailyRate must be a non-negative integer over a positive integer');
  }
  if (errors.length > 0) return errors;
  for (let index = 1; index <= 12 / periodOf(plan.cadence, 2027, 1, anchor).months; index++) {
    const period = periodOf(plan.cadence, 2027, index, anchor);
    const s = noticeSchedule(plan, period);
    const payment = noticeOf(s, 'payment-notice');
    const reminder = noticeOf(s, 'reminder');
    const final = noticeOf(s, 'final-notice');
    if (compareDates(reminder.issueOn, payment.issueOn) < 0) {
      bad('/notices/reminder', `催款通知书（${reminder.issueOn}）早于付款通知书（${payment.issueOn}），账期 ${period.id}`, `The reminder (${reminder.issueOn}) comes before the payment notice (${payment.issueOn}) for ${period.id}`);
      break;
    }
    if (compareDates(final.issueOn, reminder.payBy) <= 0) {
      bad('/notices/finalNotice', `最后缴款通知书（${final.issueOn}）不晚于催款通知书的缴款期限（${reminder.payBy}），账期 ${period.id}；请改为 "after": "reminder-pay-by"`, `The final notice (${final.issueOn}) is not after the reminder's deadline (${reminder.payBy}) for ${period.id}; use "after": "reminder-pay-by"`);
      break;
    }
  }
  return errors;
}
