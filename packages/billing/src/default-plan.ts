import type { BillingPlan, Cadence, RecoveryStep, Text } from './types.ts';

const TITLES: Record<Cadence, Text> = {
  monthly: { zh: '按月收费', en: 'Monthly billing' },
  quarterly: { zh: '按季收费', en: 'Quarterly billing' },
  'semi-annual': { zh: '按半年收费', en: 'Semi-annual billing' },
};

/** BL-4: phone and SMS, a formal letter by express post 3 months later, a visit, then legal channels. */
export const SOFT_LADDER: readonly RecoveryStep[] = [
  { channel: 'phone', after: { amount: 0, unit: 'days' }, title: { zh: '电话催缴', en: 'Phone reminder' } },
  { channel: 'sms', after: { amount: 0, unit: 'days' }, title: { zh: '短信催缴', en: 'SMS reminder' } },
  { channel: 'letter', after: { amount: 3, unit: 'months' }, title: { zh: '快递正式催缴函', en: 'Formal letter by express post' } },
  { channel: 'visit', after: { amount: 4, unit: 'months' }, title: { zh: '上门拜访', en: 'Home visit' } },
  { channel: 'legal', after: { amount: 6, unit: 'months' }, title: { zh: '法律途径', en: 'Legal action' } },
];

/**
 * The seed timetable (seed 001 part 5, the BL table) for a cadence: payment notice on Jun 1/Dec 1,
 * the quarter's preceding month's 1st, or the 15th of the month before, payable within a month;
 * reminder on the period's first day, payable within a month (7 days monthly); final notice on the
 * 8th day after the reminder's deadline, payable within 5 days (BL-1); late fee 3 ‰ a day from the
 * period's first day, charged by the final notice (BL-2); oldest bill first, principal first.
 */
export function defaultPlan(cadence: Cadence, ids: { id: string; feeSchedule: string }): BillingPlan {
  return {
    kind: 'billing-plan',
    id: ids.id,
    title: TITLES[cadence],
    feeSchedule: ids.feeSchedule,
    cadence,
    anchorMonth: 1,
    timeZone: 'Asia/Shanghai',
    notices: {
      paymentNotice: { monthOffset: -1, day: cadence === 'monthly' ? 15 : 1, payWithin: { amount: 1, unit: 'months' } },
      reminder: { monthOffset: 0, day: 1, payWithin: cadence === 'monthly' ? { amount: 7, unit: 'days' } : { amount: 1, unit: 'months' } },
      finalNotice: { after: 'reminder-pay-by', days: 8, payWithin: { amount: 5, unit: 'days' } },
      recovery: { daysAfterFinalPayBy: 1, payWithin: { amount: 3, unit: 'months' }, steps: [...SOFT_LADDER] },
    },
    lateFee: { dailyRate: { numerator: 3, denominator: 1000 }, startsOn: 'period-start', chargedFrom: 'final-notice' },
    allocation: { order: 'oldest-first', within: 'principal-first' },
    includeServiceCharges: true,
  };
}
