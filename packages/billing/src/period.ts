import { billingError, type BillingError } from './billing-error.ts';
import { addDays, addMonths, civilDate, compareDates, isCivilDate } from './civil-date.ts';
import type { BillingPlan, Cadence, CivilDate } from './types.ts';

/** One billing period: `2027-03` (monthly), `2027-Q1` (quarterly), `2027-H1` (semi-annual). */
export interface Period {
  readonly cadence: Cadence;
  readonly id: string;
  readonly year: number;
  /** 1-based index within the year: month 1–12, quarter 1–4, half 1–2. */
  readonly index: number;
  readonly months: number;
  /** First day (inclusive). */
  readonly start: CivilDate;
  /** Last day (inclusive). */
  readonly end: CivilDate;
}

const MONTHS: Record<Cadence, number> = { monthly: 1, quarterly: 3, 'semi-annual': 6 };
const ID: Record<Cadence, RegExp> = {
  monthly: /^(\d{4})-(\d{2})$/,
  quarterly: /^(\d{4})-Q([1-4])$/,
  'semi-annual': /^(\d{4})-H([12])$/,
};

/**
 * Years a period id may name (not in the field documents): every date a period leads to (its
 * bills, notices and recovery ladder, a few years at most) stays a four-digit year, which the
 * civil-date format and the database both need; `9999-12` was a 500 before.
 */
export const PERIOD_YEARS = { min: 1900, max: 2999 } as const;

export function monthsPerPeriod(cadence: Cadence): number {
  return MONTHS[cadence];
}

function periodId(cadence: Cadence, year: number, index: number): string {
  switch (cadence) {
    case 'monthly':
      return `${year}-${String(index).padStart(2, '0')}`;
    case 'quarterly':
      return `${year}-Q${index}`;
    case 'semi-annual':
      return `${year}-H${index}`;
    default:
      return assertNever(cadence);
  }
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${String(x)}`);
}

/**
 * The period `index` of `year` for a cadence. Periods of a year start in `anchorMonth` (default
 * January): with anchor 1, `2027-Q1` runs 2027-01-01..2027-03-31.
 */
export function periodOf(cadence: Cadence, year: number, index: number, anchorMonth = 1): Period {
  const months = MONTHS[cadence];
  const start = addMonths(civilDate(year, anchorMonth, 1), (index - 1) * months);
  const end = addDays(addMonths(start, months), -1);
  return { cadence, id: periodId(cadence, year, index), year, index, months, start, end };
}

/** Parses a period id for a plan's cadence; an error value names the expected form. */
export function parsePeriod(plan: Pick<BillingPlan, 'cadence' | 'anchorMonth'>, id: string): Period | BillingError {
  const m = ID[plan.cadence].exec(id);
  const index = m ? Number(m[2]) : 0;
  const shown = id.length > 40 ? `${id.slice(0, 40)}…` : id;
  if (!m || index < 1 || index > 12 / MONTHS[plan.cadence]) {
    const example = periodId(plan.cadence, 2027, 1);
    return billingError('invalid-period', '/period', `账期 "${shown}" 不符合${plan.cadence}的格式，例如 ${example}`, `Period "${shown}" is not a ${plan.cadence} period id such as ${example}`);
  }
  const year = Number(m[1]);
  if (year < PERIOD_YEARS.min || year > PERIOD_YEARS.max) {
    return billingError('invalid-period', '/period', `账期 "${shown}" 的年份须在 ${PERIOD_YEARS.min} 到 ${PERIOD_YEARS.max} 之间`, `Period "${shown}": the year must be from ${PERIOD_YEARS.min} to ${PERIOD_YEARS.max}`);
  }
  return periodOf(plan.cadence, Number(m[1]), index, plan.anchorMonth ?? 1);
}

/** The period of a plan that contains `date`. */
export function periodContaining(plan: Pick<BillingPlan, 'cadence' | 'anchorMonth'>, date: CivilDate): Period {
  if (!isCivilDate(date)) throw new RangeError(`Not a civil date: ${date}`);
  const anchor = plan.anchorMonth ?? 1;
  const months = MONTHS[plan.cadence];
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  // months elapsed since the anchor month of `year`, possibly negative (date before the anchor)
  let offset = month - anchor;
  let periodYear = year;
  if (offset < 0) {
    periodYear -= 1;
    offset += 12;
  }
  return periodOf(plan.cadence, periodYear, (offset - (offset % months)) / months + 1, anchor);
}

/** The period after `period`. */
export function nextPeriod(period: Period, anchorMonth = 1): Period {
  const perYear = 12 / period.months;
  return period.index < perYear
    ? periodOf(period.cadence, period.year, period.index + 1, anchorMonth)
    : periodOf(period.cadence, period.year + 1, 1, anchorMonth);
}

/** Every period of a plan whose first day lies in [from, to]. */
export function periodsBetween(plan: Pick<BillingPlan, 'cadence' | 'anchorMonth'>, from: CivilDate, to: CivilDate): Period[] {
  const out: Period[] = [];
  let p = periodContaining(plan, from);
  if (compareDates(p.start, from) < 0) p = nextPeriod(p, plan.anchorMonth ?? 1);
  while (compareDates(p.start, to) <= 0) {
    out.push(p);
    p = nextPeriod(p, plan.anchorMonth ?? 1);
  }
  return out;
}
