import { addDays, compareDates, daysBetween } from './civil-date.ts';
import { roundHalfUp, toFen } from './money.ts';
import { noticeOf, noticeSchedule } from './notice-schedule.ts';
import { periodContaining } from './period.ts';
import type { BillingPlan, CivilDate, Fen, LateFeeRule } from './types.ts';

export interface PrincipalPayment {
  readonly on: CivilDate;
  readonly amountFen: Fen;
}

export interface LateFeePart {
  /** Principal that bore the fee over [from, through]. */
  readonly principalFen: Fen;
  readonly from: CivilDate;
  readonly through: CivilDate;
  readonly days: number;
}

export interface LateFeeResult {
  /** The late fee charged as of `asOf`, rounded once. */
  readonly amountFen: Fen;
  /** What has accrued whether or not it is charged yet (the reminder's warning figure). */
  readonly accruedFen: Fen;
  /** First day of accrual. */
  readonly startsOn: CivilDate;
  /** First day the fee is charged (the final notice's issue date under `chargedFrom: 'final-notice'`). */
  readonly chargedFrom: CivilDate;
  readonly parts: readonly LateFeePart[];
  readonly waived?: 'grace' | 'below-minimum';
  readonly capped: boolean;
}

interface Dates {
  readonly startsOn: CivilDate;
  readonly finalIssue: CivilDate;
}

// plans are immutable definitions: their dates per period are computed once
const memo = new WeakMap<BillingPlan, Map<CivilDate, Dates>>();

function datesOf(plan: BillingPlan, periodStart: CivilDate): Dates {
  let byPeriod = memo.get(plan);
  if (!byPeriod) memo.set(plan, (byPeriod = new Map()));
  let dates = byPeriod.get(periodStart);
  if (!dates) {
    const s = noticeSchedule(plan, periodContaining(plan, periodStart));
    const rule: LateFeeRule['startsOn'] = plan.lateFee.startsOn;
    const kind = rule === 'payment-notice-pay-by' ? 'payment-notice' : rule === 'reminder-pay-by' ? 'reminder' : 'final-notice';
    const startsOn = rule === 'period-start' ? periodStart : addDays(noticeOf(s, kind).payBy, 1);
    dates = { startsOn, finalIssue: noticeOf(s, 'final-notice').issueOn };
    byPeriod.set(periodStart, dates);
  }
  return dates;
}

/** First day of accrual for a period (BL-2): its first day, or the day after the chosen pay-by. */
export function lateFeeStart(plan: BillingPlan, periodStart: CivilDate): CivilDate {
  return datesOf(plan, periodStart).startsOn;
}

/**
 * BL-2's late fee of one bill as of `asOf`: rate × Σ (principal × days it stayed unpaid), where a
 * day counts from the start through the payment day, both inclusive (a principal paid on
 * 2027-02-20 for a period starting 2027-01-01 bore 51 days). Under `chargedFrom: 'final-notice'`
 * principal paid before the final notice's issue date bears nothing, and nothing is charged
 * before that date. The exact sum is capped, then rounded half-up to the fen once (BigInt only).
 *
 * @example
 * lateFee(plan, '2027-01-01', 123456, [{ on: '2027-02-20', amountFen: 123456 }], '2027-02-20').amountFen // 18889
 */
export function lateFee(
  plan: BillingPlan,
  periodStart: CivilDate,
  principalFen: Fen,
  principalPayments: readonly PrincipalPayment[],
  asOf: CivilDate,
): LateFeeResult {
  // (no closures made per call: this runs once per open bill of an estate on every arrears read)
  const rule = plan.lateFee;
  const { startsOn, finalIssue } = datesOf(plan, periodStart);
  const chargedFrom = rule.chargedFrom === 'final-notice' ? (compareDates(finalIssue, startsOn) > 0 ? finalIssue : startsOn) : startsOn;
  if (principalFen <= 0 || compareDates(asOf, startsOn) < 0) return noFee(startsOn, chargedFrom, 0);

  const parts: LateFeePart[] = [];
  let remaining = BigInt(principalFen);
  let lastPaidOn: CivilDate | undefined;
  const acc: Accrual = { exact: 0n, accruedExact: 0n };
  const numerator = BigInt(rule.dailyRate.numerator);
  for (const p of paidBy(principalPayments, asOf)) {
    const amount = BigInt(p.amountFen) < remaining ? BigInt(p.amountFen) : remaining;
    if (amount <= 0n) break;
    remaining -= amount;
    lastPaidOn = p.on;
    // under chargedFrom 'final-notice', principal paid before the final notice's issue bears nothing charged
    accrue(acc, parts, numerator, startsOn, amount, p.on, !(rule.chargedFrom === 'final-notice' && compareDates(p.on, finalIssue) < 0));
  }
  if (remaining > 0n) accrue(acc, parts, numerator, startsOn, remaining, asOf, true);

  let denominator = BigInt(rule.dailyRate.denominator);
  let exact = acc.exact;
  const accruedFen = toFen(roundHalfUp(acc.accruedExact, denominator));

  if (compareDates(asOf, chargedFrom) < 0) return noFee(startsOn, chargedFrom, accruedFen);
  const grace = rule.waiver?.graceDays;
  if (grace !== undefined && remaining === 0n && lastPaidOn !== undefined && daysBetween(startsOn, lastPaidOn) < grace) {
    return noFee(startsOn, chargedFrom, accruedFen, 'grace');
  }

  // cap: compare exact fractions, keep the smaller, round once
  let capped = false;
  const cap = rule.cap;
  if (cap?.ratioOfPrincipal) {
    const capNum = BigInt(principalFen) * BigInt(cap.ratioOfPrincipal.numerator);
    const capDen = BigInt(cap.ratioOfPrincipal.denominator);
    if (exact * capDen > capNum * denominator) {
      exact = capNum;
      denominator = capDen;
      capped = true;
    }
  }
  if (cap?.maxFen !== undefined && exact > BigInt(cap.maxFen) * denominator) {
    exact = BigInt(cap.maxFen);
    denominator = 1n;
    capped = true;
  }
  const amount = toFen(roundHalfUp(exact, denominator));
  if (rule.waiver?.belowFen !== undefined && amount < rule.waiver.belowFen) {
    return { amountFen: 0, accruedFen, startsOn, chargedFrom, parts, capped, waived: 'below-minimum' };
  }
  return { amountFen: amount, accruedFen, startsOn, chargedFrom, parts, capped };
}

/** No fee charged (not yet accruing, not yet charged, or waived in grace), with what has accrued. */
function noFee(startsOn: CivilDate, chargedFrom: CivilDate, accruedFen: Fen, waived?: 'grace'): LateFeeResult {
  return { amountFen: 0, accruedFen, startsOn, chargedFrom, parts: [], capped: false, ...(waived ? { waived } : {}) };
}

/** The principal payments made by `asOf`, in date order (usually already: sorted only when not). */
function paidBy(payments: readonly PrincipalPayment[], asOf: CivilDate): readonly PrincipalPayment[] {
  let sorted = true;
  let all = true;
  for (let i = 0; i < payments.length; i++) {
    if (compareDates(payments[i]!.on, asOf) > 0) all = false;
    if (i > 0 && compareDates(payments[i - 1]!.on, payments[i]!.on) > 0) sorted = false;
  }
  if (all && sorted) return payments;
  return payments.filter((p) => compareDates(p.on, asOf) <= 0).sort((a, b) => compareDates(a.on, b.on));
}

/** The exact sums of principal × days × rate numerator: accrued, and of it charged. */
type Accrual = { exact: bigint; accruedExact: bigint };

/** `amount` unpaid from `startsOn` through `through`, both days counted; charged or only accrued. */
function accrue(acc: Accrual, parts: LateFeePart[], numerator: bigint, startsOn: CivilDate, amount: bigint, through: CivilDate, charged: boolean): void {
  const days = daysBetween(startsOn, through) + 1;
  if (amount <= 0n || days <= 0) return;
  const fee = amount * BigInt(days) * numerator;
  acc.accruedExact += fee;
  if (!charged) return;
  acc.exact += fee;
  parts.push({ principalFen: toFen(amount), from: startsOn, through, days });
}
