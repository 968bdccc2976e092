import type { BusinessCalendar, Span } from './business-calendar.ts';
import { CalendarError } from './calendar-error.ts';
import type { EpochDay } from './local-time.ts';

/** How far (in civil days) a search for working time goes before giving up: ten years. */
export const SEARCH_HORIZON_DAYS = 3660;

function noWorkingTime(calendar: BusinessCalendar): CalendarError {
  return new CalendarError(
    'no-working-time',
    {
      zh: `日历 "${calendar.id}" 在 ${SEARCH_HORIZON_DAYS} 天内没有工作时间`,
      en: `Calendar "${calendar.id}" has no working time within ${SEARCH_HORIZON_DAYS} days`,
    },
    { path: `${calendar.id}#/week` },
  );
}

function checkDuration(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new CalendarError('invalid-duration', { zh: `工作时长无效：${ms}`, en: `Invalid working duration: ${ms}` });
  }
}

/** Visits working spans from the civil day of `from` onwards until `visit` returns a value. */
function scanForward<T>(calendar: BusinessCalendar, from: number, visit: (span: Span) => T | undefined): T {
  if (!calendar.hasWorkingTime) throw noWorkingTime(calendar);
  const first = calendar.dayOf(from);
  for (let day = first; day < first + SEARCH_HORIZON_DAYS; day++) {
    for (const span of calendar.spans(day)) {
      if (span[1] <= from) continue;
      const found = visit(span);
      if (found !== undefined) return found;
    }
  }
  throw noWorkingTime(calendar);
}

/** Epoch-ms form of {@link addWorkingTime}. */
export function addWorkingMs(calendar: BusinessCalendar, from: number, ms: number): number {
  checkDuration(ms);
  if (ms === 0) return from;
  let remaining = ms;
  return scanForward(calendar, from, ([s, e]) => {
    const start = Math.max(s, from);
    const available = e - start;
    if (remaining <= available) return start + remaining;
    remaining -= available;
    return undefined;
  });
}

/**
 * The instant at which `ms` of working time has passed since `from`. Pure. When the time runs
 * out exactly at the end of a working span, that end is returned (17:30, not next 08:30).
 * @example addWorkingTime(office, new Date('2026-09-30T17:00:00+08:00'), 3600_000) // 2026-10-08 09:00 +08:00
 */
export function addWorkingTime(calendar: BusinessCalendar, from: Date, ms: number): Date {
  return new Date(addWorkingMs(calendar, from.getTime(), ms));
}

/** Epoch-ms form of {@link workingTimeBetween}. */
export function workingMsBetween(calendar: BusinessCalendar, from: number, to: number): number {
  if (to <= from) return 0;
  let total = 0;
  const last = calendar.dayOf(to);
  for (let day = calendar.dayOf(from); day <= last; day++) {
    for (const [s, e] of calendar.spans(day)) {
      const a = Math.max(s, from);
      const b = Math.min(e, to);
      if (b > a) total += b - a;
    }
  }
  return total;
}

/** Milliseconds of working time in [from, to); 0 when `to` is not after `from`. Pure. */
export function workingTimeBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  return workingMsBetween(calendar, from.getTime(), to.getTime());
}

/** `at` itself when it is working time, else the start of the next working span. Pure. */
export function nextWorkingInstant(calendar: BusinessCalendar, at: Date): Date {
  const t = at.getTime();
  return new Date(scanForward(calendar, t, ([s]) => Math.max(s, t)));
}

/** Whether `at` falls inside a working span. */
export function isWorkingTime(calendar: BusinessCalendar, at: Date): boolean {
  const t = at.getTime();
  return calendar.spans(calendar.dayOf(t)).some(([s, e]) => s <= t && t < e);
}

/**
 * The end of the working day: the last span's end of `at`'s day when that is still ahead,
 * else the end of the next working day. Pure.
 */
export function endOfWorkingDay(calendar: BusinessCalendar, at: Date): Date {
  const t = at.getTime();
  const lastEnd = (day: EpochDay): number | undefined => calendar.spans(day).at(-1)?.[1];
  const today = lastEnd(calendar.dayOf(t));
  if (today !== undefined && today > t) return new Date(today);
  return new Date(scanForward(calendar, t, ([s]) => lastEnd(calendar.dayOf(s))));
}

/** The end of the civil day of `at` in the calendar's zone (next local midnight). */
export function endOfCalendarDay(calendar: BusinessCalendar, at: Date): Date {
  return new Date(calendar.dayBounds(calendar.dayOf(at.getTime()))[1]);
}

function dayLength(calendar: BusinessCalendar, day: EpochDay): number {
  return calendar.spans(day).reduce((sum, [s, e]) => sum + e - s, 0);
}

function previousWorkingDay(calendar: BusinessCalendar, day: EpochDay): EpochDay {
  for (let d = day - 1; d > day - SEARCH_HORIZON_DAYS; d--) if (calendar.isWorkingDay(d)) return d;
  throw noWorkingTime(calendar);
}

/**
 * Adds `days` working days: the same position in the working day (the working time already
 * gone that day) on the `days`-th working day after, clamped to that day's length. An instant
 * before the day's first span, or on a day off, counts as the end of the previous working day,
 * so "3 working days" from Friday evening ends at the close of the third working day. Pure.
 * @example addWorkingDays(cnStatutory, new Date('2026-09-25T17:50:00+08:00'), 3) // 2026-09-30 18:00 +08:00
 */
export function addWorkingDays(calendar: BusinessCalendar, from: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 0) {
    throw new CalendarError('invalid-duration', { zh: `工作日数无效：${days}`, en: `Invalid number of working days: ${days}` });
  }
  if (!calendar.hasWorkingTime) throw noWorkingTime(calendar);
  const t = from.getTime();
  if (days === 0) return new Date(t);
  let day = calendar.dayOf(t);
  let position = 0;
  const spans = calendar.spans(day);
  for (const [s, e] of spans) if (t > s) position += Math.min(t, e) - s;
  if (position === 0) {
    day = previousWorkingDay(calendar, day);
    position = dayLength(calendar, day);
  }
  let target = day;
  for (let n = 0; n < days; n++) {
    target += 1;
    let guard = 0;
    while (!calendar.isWorkingDay(target)) {
      target += 1;
      if (++guard > SEARCH_HORIZON_DAYS) throw noWorkingTime(calendar);
    }
  }
  let remaining = position;
  const targetSpans = calendar.spans(target);
  for (const [s, e] of targetSpans) {
    if (remaining <= e - s) return new Date(s + remaining);
    remaining -= e - s;
  }
  return new Date(targetSpans.at(-1)?.[1] ?? t);
}
