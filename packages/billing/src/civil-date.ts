import { TZDate } from '@date-fns/tz';
import { addDays as addDaysFns, addMonths as addMonthsFns, format, isValid } from 'date-fns';
import type { CivilDate, PayWithin } from './types.ts';

/**
 * Civil dates (`YYYY-MM-DD`) in the estate's time zone. Arithmetic runs on date-fns with the
 * date placed at local midnight; only the calendar fields are ever read back, so the host's own
 * time zone does not matter.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
export function isCivilDate(value: string): boolean {
  return parse(value) !== undefined;
}

function parse(value: string): Date | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  return isValid(date) && date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d ? date : undefined;
}

function toDate(date: CivilDate): Date {
  const d = parse(date);
  if (!d) throw new RangeError(`Not a civil date (YYYY-MM-DD): ${date}`);
  return d;
}

// the calendar fields written out by hand: date-fns `format` is the hot spot of a billing run
function fromDate(date: Date): CivilDate {
  return `${String(date.getFullYear()).padStart(4, '0')}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` for year, month (1–12) and day, the day clamped to the month's last day. */
export function civilDate(year: number, month: number, day: number): CivilDate {
  const first = new Date(year, month - 1, 1);
  const last = addDaysFns(addMonthsFns(first, 1), -1).getDate();
  return fromDate(new Date(first.getFullYear(), first.getMonth(), Math.min(Math.max(day, 1), last)));
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return fromDate(addDaysFns(toDate(date), days));
}

/** Adds calendar months; a day missing in the target month becomes its last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: CivilDate, months: number): CivilDate {
  return fromDate(addMonthsFns(toDate(date), months));
}

/**
 * The last day to pay for a notice issued on `issuedOn` that allows `within`: counting starts the
 * day after issue (PRC Civil Code art. 201), so 7 days from Mar 1 ends Mar 8 and one month from
 * Dec 1 ends Jan 1 (the corresponding day; art. 203 takes the month's last day when it has none).
 */
export function payByDate(issuedOn: CivilDate, within: { amount: number; unit: PayWithin['unit'] }): CivilDate {
  return within.unit === 'days' ? addDays(issuedOn, within.amount) : addMonths(issuedOn, within.amount);
}

// a date's day count since 1970-01-01, read once: daysBetween is the hot spot of settling accounts
// (every open bill's late fee at every payment), and an estate's bills share a few hundred dates
const dayNumbers = new Map<CivilDate, number>();
function dayNumber(date: CivilDate): number {
  let n = dayNumbers.get(date);
  if (n === undefined) {
    const d = toDate(date);
    n = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000;
    if (dayNumbers.size >= 100_000) dayNumbers.clear();
    dayNumbers.set(date, n);
  }
  return n;
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CivilDate, to: CivilDate): number {
  return dayNumber(to) - dayNumber(from);
}

/** Compares two civil dates (the string order of `YYYY-MM-DD` is the calendar order). */
export function compareDates(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The civil date of an instant in an estate's time zone (default Asia/Shanghai). */
export function estateDate(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): CivilDate {
  return format(new TZDate(instant.getTime(), timeZone), 'yyyy-MM-dd');
}

/** The instants a civil day spans in `timeZone`: [start, end), local midnight to the next (23–25 h across a clock change). */
export function dayBounds(date: CivilDate, timeZone: string): { start: Date; end: Date } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = addDays(date, 1).split('-').map(Number) as [number, number, number];
  return { start: new Date(new TZDate(y, m - 1, d, timeZone).getTime()), end: new Date(new TZDate(next[0], next[1] - 1, next[2], timeZone).getTime()) };
}
