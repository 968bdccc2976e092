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
  const rule = plan.lateFee;
  const { startsOn, finalIssue } = datesOf(plan, periodStart);
  const chargedFrom = rule.chargedFrom === 'final-notice' ? (compareDates(finalIssue, startsOn) > 0 ? finalIssue : startsOn) : startsOn;
  const none = (extra: Partial<LateFeeResult> = {}): LateFeeResult => ({ amountFen: 0, accruedFen: 0, startsOn, chargedFrom, parts: [], capped: false, ...extra });
  if (principalFen <= 0 || compareDates(asOf, startsOn) < 0) return none();

  const parts: LateFeePart[] = [];
  let remaining = BigInt(principalFen);
  let lastPaidOn: CivilDate | undefined;
  const paid = principalPayments.filter((p) => compareDates(p.on, asOf) <= 0).slice().sort((a, b) => compareDates(a.on, b.on));
  const exempt = (on: CivilDate) => rule.chargedFrom === 'final-notice' && compareDates(on, finalIssue) < 0;
  const rate = rule.dailyRate;
  let exact = 0n;
  let accruedExact = 0n;
  const add = (amount: bigint, through: CivilDate, charged: boolean) => {
    const days = daysBetween(startsOn, through) + 1;
    if (amount <= 0n || days <= 0) return;
    const fee = amount * BigInt(days) * BigInt(rate.numerator);
    accruedExact += fee;
    if (!charged) return;
    exact += fee;
    parts.push({ principalFen: toFen(amount), from: startsOn, through, days });
  };
  for (const p of paid) {
    const amount = BigInt(p.amountFen) < remaining ? BigInt(p.amountFen) : remaining;
    if (amount <= 0n) break;
    remaining -= amount;
    lastPaidOn = p.on;
    add(amount, p.on, !exempt(p.on));
  }
  if (remaining > 0n) add(remaining, asOf, true);

  let denominator = BigInt(rate.denominator);
  const accruedFen = toFen(roundHalfUp(accruedExact, denominator));

  if (compareDates(asOf, chargedFrom) < 0) return none({ accruedFen });
  const grace = rule.waiver?.graceDays;
  if (grace !== undefined && remaining === 0n && lastPaidOn !== undefined && daysBetween(startsOn, lastPaidOn) < grace) {
    return none({ accruedFen, waived: 'grace' });
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
