import { CalendarError } from './calendar-error.ts';
import type { CalendarDocument, TimeRange, Weekday } from './calendar-document.ts';
import { WEEKDAYS } from './calendar-document.ts';
import { assertTimeZone, DAY_MS, type EpochDay, fromLocal, offsetMs, parseIsoDate, toLocal, weekdayOf } from './local-time.ts';

/** A working interval as instants: [start, end) in epoch milliseconds. */
export type Span = readonly [number, number];

/** A calendar whose inheritance is resolved: every field known, dates as epoch days. */
export interface ResolvedCalendar {
  readonly id: string;
  readonly timeZone: string;
  readonly week: Readonly<Record<Weekday, readonly (readonly [number, number])[]>>;
  readonly holidays: ReadonlyMap<EpochDay, string>;
  readonly workdays: ReadonlyMap<EpochDay, readonly (readonly [number, number])[] | undefined>;
  readonly workdayHoursFrom: Weekday;
  readonly observeHolidays: boolean;
}

/**
 * A business calendar: the working spans of any civil day in its zone. Pure; the per-day
 * spans are memoised, which changes no result.
 */
export class BusinessCalendar {
  readonly id: string;
  readonly timeZone: string;
  readonly resolved: ResolvedCalendar;
  readonly #days = new Map<EpochDay, readonly Span[]>();
  readonly #hasAnyHours: boolean;

  constructor(resolved: ResolvedCalendar) {
    this.resolved = resolved;
    this.id = resolved.id;
    this.timeZone = resolved.timeZone;
    this.#hasAnyHours =
      WEEKDAYS.some((d) => resolved.week[d].length > 0) ||
      (resolved.observeHolidays && resolved.workdays.size > 0);
  }

  /** True when at least one day of some week (or a listed workday) has working hours. */
  get hasWorkingTime(): boolean {
    return this.#hasAnyHours;
  }

  /** The civil day, in this calendar's zone, of an instant. */
  dayOf(instant: number): EpochDay {
    return toLocal(instant, this.timeZone).day;
  }

  /** Whether a civil day is a working day (has any working span). */
  isWorkingDay(day: EpochDay): boolean {
    return this.spans(day).length > 0;
  }

  /** Working spans of a civil day, ascending and disjoint. */
  spans(day: EpochDay): readonly Span[] {
    let spans = this.#days.get(day);
    if (spans === undefined) {
      spans = this.#computeSpans(day);
      this.#days.set(day, spans);
    }
    return spans;
  }

  /** The first and last instant of a civil day (local midnight to the next local midnight). */
  dayBounds(day: EpochDay): Span {
    return [fromLocal(day, 0, this.timeZone), fromLocal(day + 1, 0, this.timeZone)];
  }

  #minutesOf(day: EpochDay): readonly (readonly [number, number])[] {
    const r = this.resolved;
    const weekday = WEEKDAYS[weekdayOf(day)] ?? 'mon';
    if (!r.observeHolidays) return r.week[weekday];
    if (r.workdays.has(day)) return r.workdays.get(day) ?? r.week[r.workdayHoursFrom];
    if (r.holidays.has(day)) return [];
    return r.week[weekday];
  }

  #computeSpans(day: EpochDay): readonly Span[] {
    const minutes = this.#minutesOf(day);
    if (minutes.length === 0) return [];
    // Fast path: one offset for the whole day when none changes from the evening before to the
    // morning after; else each boundary goes through fromLocal's DST handling.
    const tz = this.timeZone;
    const midnight = day * DAY_MS;
    const offset = offsetMs(tz, midnight - DAY_MS / 2);
    const steady = offset === offsetMs(tz, midnight + (3 * DAY_MS) / 2);
    const at = (minute: number): number => (steady ? midnight + minute * 60_000 - offset : fromLocal(day, minute * 60_000, tz));
    const spans: Span[] = [];
    for (const [from, to] of minutes) {
      const start = at(from);
      const end = at(to);
      const last = spans[spans.length - 1];
      if (end <= start) continue;
      if (last && start <= last[1]) spans[spans.length - 1] = [last[0], Math.max(last[1], end)];
      else spans.push([start, end]);
    }
    return spans;
  }
}

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** Parses "HH:MM" to minutes since midnight; "24:00" is 1440. */
export function parseTimeOfDay(text: string, path: string): number {
  const m = HHMM.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  if (!m || minutes > 1440) {
    throw new CalendarError(
      'invalid-calendar',
      { zh: `时间 "${text}" 无效，应为 HH:MM（00:00–24:00）`, en: `Time "${text}" is invalid: expected HH:MM (00:00–24:00)` },
      { path },
    );
  }
  return minutes;
}

export function parseRanges(ranges: readonly TimeRange[], path: string): (readonly [number, number])[] {
  const parsed = ranges.map((range, i) => {
    const [a = '', b = ''] = range;
    if (range.length !== 2) {
      throw new CalendarError(
        'invalid-calendar',
        { zh: `时段应为 [开始, 结束] 两个时刻，得到 ${range.length} 个`, en: `An interval is [start, end], got ${range.length} times` },
        { path: `${path}/${i}` },
      );
    }
    const from = parseTimeOfDay(a, `${path}/${i}/0`);
    const to = parseTimeOfDay(b, `${path}/${i}/1`);
    if (to <= from) {
      throw new CalendarError(
        'invalid-calendar',
        { zh: `时段 ${a}–${b} 的结束时间必须晚于开始时间`, en: `Interval ${a}–${b} must end after it starts` },
        { path: `${path}/${i}` },
      );
    }
    return [from, to] as const;
  });
  return parsed.sort((x, y) => x[0] - y[0]);
}

export function parseDay(text: string, path: string): EpochDay {
  const day = parseIsoDate(text);
  if (day === undefined) {
    throw new CalendarError(
      'invalid-calendar',
      { zh: `日期 "${text}" 无效，应为 YYYY-MM-DD`, en: `Date "${text}" is invalid: expected YYYY-MM-DD` },
      { path },
    );
  }
  return day;
}

export function checkTimeZone(timeZone: string, path: string): void {
  try {
    assertTimeZone(timeZone);
  } catch (cause) {
    throw new CalendarError(
      'unknown-time-zone',
      { zh: `未知时区 "${timeZone}"（应为 IANA 时区，如 Asia/Shanghai）`, en: `Unknown time zone "${timeZone}" (expected an IANA zone such as Asia/Shanghai)` },
      { path, cause },
    );
  }
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export { DAY_MS };
export type { CalendarDocument };
