import { billingError, type BillingError } from './billing-error.ts';
import { addDays, addMonths, compareDates } from './civil-date.ts';
import { periodicLines, scheduleSegments } from './fee-schedule.ts';
import { assertFen, sumFen } from './money.ts';
import { noticeOf, noticeSchedule } from './notice-schedule.ts';
import type { Period } from './period.ts';
import type { Bill, BillingPlan, BillLine, FeeSchedule, ServiceCharge, Unit } from './types.ts';

/** The deterministic key of the one bill of a plan, unit and period. */
export function billKey(planId: string, unitId: string, periodId: string): string {
  return `${planId}/${unitId}/${periodId}`;
}

export interface GenerateOptions {
  /** Completed paid-service orders (PS-7); each joins the first bill whose payment notice is issued after its completion. */
  readonly charges?: readonly ServiceCharge[];
  /** Order serials already listed on an earlier bill. */
  readonly billedOrderSerials?: ReadonlySet<string> | readonly string[];
}

export interface GenerateResult {
  /** The missing bills only, in the order of `units`. */
  readonly bills: Bill[];
  /** Units that could not be billed, each with the JSON pointer of the offending field. */
  readonly errors: BillingError[];
}

function asSet(keys: ReadonlySet<string> | readonly string[] | undefined): ReadonlySet<string> {
  if (keys === undefined) return new Set();
  return keys instanceof Set ? keys : new Set(keys as readonly string[]);
}

/**
 * Generates a period's bills, idempotently: one bill per plan, unit and period, keyed
 * `<plan>/<unit>/<period>`; units whose key is in `existingBillKeys` are skipped, so rerunning a
 * run with the keys it produced returns nothing. Pure: no I/O, no clock.
 *
 * Lines: the management fee (rounded half-up once per line, BL-6 custody factor applied), parking
 * (one pair per fee-schedule version in force during the period, by month),
 * then each completed paid-service order with its serial (PS-7, BL-5) not yet billed and completed
 * before this period's payment notice is issued. The total is the exact sum of the lines.
 *
 * @example
 * const { bills } = generateBills(plan, schedule, units, parsePeriod(plan, '2027-Q1') as Period, existingKeys);
 */
export function generateBills(
  plan: BillingPlan,
  schedule: FeeSchedule,
  units: readonly Unit[],
  period: Period,
  existingBillKeys: ReadonlySet<string> | readonly string[],
  options: GenerateOptions = {},
): GenerateResult {
  if (period.cadence !== plan.cadence) {
    const e = billingError('cadence-mismatch', '/period', `账期 ${period.id} 不是收费计划 "${plan.id}" 的${plan.cadence}账期`, `Period ${period.id} is not a ${plan.cadence} period of plan "${plan.id}"`);
    return { bills: [], errors: [e] };
  }
  if (schedule.id !== plan.feeSchedule) {
    const e = billingError('invalid-plan', '/feeSchedule', `收费计划引用收费标准 "${plan.feeSchedule}"，收到的是 "${schedule.id}"`, `Plan refers to fee schedule "${plan.feeSchedule}", got "${schedule.id}"`);
    return { bills: [], errors: [e] };
  }
  const segments = scheduleSegments(schedule, period.start, period.months);
  if ('reason' in segments) return { bills: [], errors: [segments] };
  // a version taking effect inside the period: each run of months is billed at its own rates
  const labels = segments.map((seg) => (segments.length === 1 ? '' : ` ${seg.from.slice(0, 7)}..${addDays(addMonths(seg.from, seg.months), -1).slice(0, 7)}`));

  const existing = asSet(existingBillKeys);
  const billed = asSet(options.billedOrderSerials);
  const notices = noticeSchedule(plan, period);
  const payment = noticeOf(notices, 'payment-notice');
  const chargesByUnit = new Map<string, ServiceCharge[]>();
  if (plan.includeServiceCharges ?? true) {
    for (const [i, c] of (options.charges ?? []).entries()) {
      assertFen(c.amountFen, `/charges/${i}/amountFen`);
      if (billed.has(c.orderSerial) || compareDates(c.completedOn, payment.issueOn) >= 0) continue;
      const list = chargesByUnit.get(c.unitId) ?? [];
      list.push(c);
      chargesByUnit.set(c.unitId, list);
    }
  }

  const bills: Bill[] = [];
  const errors: BillingError[] = [];
  const seen = new Set<string>();
  units.forEach((unit, i) => {
    const key = billKey(plan.id, unit.id, period.id);
    if (existing.has(key) || seen.has(key)) return;
    seen.add(key);
    const lines: BillLine[] = [];
    for (const [s, seg] of segments.entries()) {
      const computed = periodicLines(seg.version, unit, seg.months, `/units/${i}`, labels[s]);
      if ('reason' in computed) {
        errors.push(computed);
        return;
      }
      for (const l of computed) lines.push({ no: lines.length + 1, ...l });
    }
    const charges = (chargesByUnit.get(unit.id) ?? [])
      .slice()
      .sort((a, b) => compareDates(a.completedOn, b.completedOn) || (a.orderSerial < b.orderSerial ? -1 : a.orderSerial > b.orderSerial ? 1 : 0));
    for (const c of charges) {
      lines.push({
        no: lines.length + 1,
        kind: 'service',
        description: c.description ?? { zh: `有偿服务 ${c.orderSerial}（${c.completedOn} 完成）`, en: `Paid service ${c.orderSerial} (completed ${c.completedOn})` },
        amountFen: c.amountFen,
        orderSerial: c.orderSerial,
      });
    }
    bills.push({
      key,
      planId: plan.id,
      unitId: unit.id,
      periodId: period.id,
      periodStart: period.start,
      periodEnd: period.end,
      issueOn: payment.issueOn,
      payBy: payment.payBy,
      scheduleVersion: segments[0]!.version.effectiveFrom,
      lines,
      totalFen: sumFen(lines.map((l) => l.amountFen)),
    });
  });
  return { bills, errors };
}
