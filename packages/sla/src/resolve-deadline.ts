import {
  addMonths,
  addWorkingDays,
  addWorkingMs,
  type BusinessCalendar,
  civilDate,
  endOfCalendarDay,
  epochDay,
  fromLocal,
  nextWorkingInstant,
  toLocal,
  workingMsBetween,
} from '@estateflow/calendar';
import { type CalendarSource, calendarOf } from './calendar-source.ts';
import type { Deadline, Duration, SimpleDeadline } from './deadline-types.ts';
import { SlaError } from './sla-error.ts';

export interface DeadlineEnv {
  /** Calendars by id (registry, documents, or a record of documents); `cn-statutory` is built in. */
  readonly calendars?: CalendarSource;
  /** Calendar used when the deadline names none; default `cn-statutory`. */
  readonly calendarId?: string;
  /** Evaluates a CEL expression against the instance (amounts, `when`, `expr`). */
  readonly evaluate: (expr: string) => unknown;
}

const UNIT_MS = { minutes: 60_000, hours: 3_600_000 } as const;
const DAY_MS = 86_400_000;

function fail(zh: string, en: string, path: string, cause?: unknown): SlaError {
  return new SlaError('deadline-invalid', { zh, en }, { path, cause });
}

function evaluateAt(env: DeadlineEnv, expr: string, path: string): unknown {
  try {
    return env.evaluate(expr);
  } catch (cause) {
    throw new SlaError('expression-failed', { zh: `表达式 "${expr}" 求值失败`, en: `Expression "${expr}" failed` }, { path, cause });
  }
}

/** Picks the branch of a `cases` deadline (first `when` that is true, else `else`). */
export function selectDeadline(deadline: Deadline, env: Pick<DeadlineEnv, 'evaluate'>, path = ''): { deadline: SimpleDeadline; path: string } {
  if (!('cases' in deadline)) return { deadline, path };
  for (const [i, c] of deadline.cases.entries()) {
    if (evaluateAt(env as DeadlineEnv, c.when, `${path}/cases/${i}/when`) === true) return { deadline: c.deadline, path: `${path}/cases/${i}/deadline` };
  }
  return { deadline: deadline.else, path: `${path}/else` };
}

function amountOf(duration: Duration, env: DeadlineEnv, path: string): number {
  const raw = typeof duration.amount === 'string' ? evaluateAt(env, duration.amount, `${path}/after/amount`) : duration.amount;
  const n = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw fail(`时长数量必须是非负数，得到 ${String(raw)}`, `The duration amount must be a non-negative number, got ${String(raw)}`, `${path}/after/amount`);
  }
  return n;
}

function toInstant(value: unknown, path: string): number {
  const t = value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : Number.NaN;
  if (Number.isNaN(t)) throw fail(`期限表达式没有得到时间点：${String(value)}`, `The deadline expression did not give an instant: ${String(value)}`, `${path}/expr`);
  return t;
}

/** Adds calendar (not working) time in the calendar's zone: days keep the wall-clock time across DST. */
function addCalendarTime(calendar: BusinessCalendar, from: number, duration: Duration, n: number): number {
  const unit = duration.unit;
  if (unit === 'minutes' || unit === 'hours') return from + n * UNIT_MS[unit];
  const { day, ms } = toLocal(from, calendar.timeZone);
  if (unit === 'days' || unit === 'weeks') return fromLocal(day + Math.round(n * (unit === 'weeks' ? 7 : 1)), ms, calendar.timeZone);
  const months = Math.round(n * (unit === 'years' ? 12 : 1));
  return fromLocal(addMonths(day, months), ms, calendar.timeZone);
}

/** The working calendar a simple deadline counts on, or undefined when it counts wall-clock time. */
export function workingCalendarOf(deadline: SimpleDeadline, env: Omit<DeadlineEnv, 'evaluate'>): BusinessCalendar | undefined {
  return 'after' in deadline && deadline.working === true ? calendarOf(env.calendars, deadline.calendar ?? env.calendarId) : undefined;
}

function resolveSimple(deadline: SimpleDeadline, from: number, env: DeadlineEnv, path: string): number {
  if ('expr' in deadline) return toInstant(evaluateAt(env, deadline.expr, `${path}/expr`), path);
  const calendar = calendarOf(env.calendars, deadline.calendar ?? env.calendarId);
  if ('after' in deadline) {
    const n = amountOf(deadline.after, env, path);
    const unit = deadline.after.unit;
    if (deadline.working !== true) return addCalendarTime(calendar, from, deadline.after, n);
    if (unit === 'minutes' || unit === 'hours') return addWorkingMs(calendar, from, Math.round(n * UNIT_MS[unit]));
    if (unit === 'days') return addWorkingDays(calendar, new Date(from), Math.round(n)).getTime();
    // Working weeks, months, years: the calendar date, moved to the next working instant.
    return nextWorkingInstant(calendar, new Date(addCalendarTime(calendar, from, deadline.after, n))).getTime();
  }
  if ('endOfDay' in deadline) return endOfCalendarDay(calendar, new Date(from)).getTime();
  if ('at' in deadline) {
    const [h, m] = deadline.at.split(':').map(Number);
    const minutes = (h ?? Number.NaN) * 60 + (m ?? Number.NaN);
    if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 1440) throw fail(`时刻 "${deadline.at}" 无效`, `Time "${deadline.at}" is invalid`, `${path}/at`);
    const { day } = toLocal(from, calendar.timeZone);
    const today = fromLocal(day, minutes * 60_000, calendar.timeZone);
    return today > from ? today : fromLocal(day + 1, minutes * 60_000, calendar.timeZone);
  }
  const { day } = toLocal(from, calendar.timeZone);
  const { year, month } = civilDate(day);
  const first = addMonths(epochDay(year, month, 1), deadline.monthsAhead ?? 0);
  const lastOfMonth = addMonths(first, 1) - 1;
  const target = Math.min(first + deadline.dayOfMonth - 1, lastOfMonth);
  return fromLocal(target + 1, 0, calendar.timeZone);
}

/**
 * Turns a Deadline (after / working / endOfDay / at / dayOfMonth / expr / cases) armed at `from`
 * into the instant it falls due. Pure: no clock, no I/O. Times of day are in the calendar's zone.
 * - `after` minutes/hours: elapsed time; days/weeks/months/years: the same wall-clock time that
 *   many days or months later (DST-safe, month ends clamped).
 * - `working: true`: minutes/hours of working time; N days = N working days (see addWorkingDays);
 *   weeks/months/years: the calendar date, moved to the next working instant.
 * - `endOfDay`: the next local midnight; `at`: that time today, or tomorrow when already past;
 *   `dayOfMonth`: the end (midnight) of that day, `monthsAhead` months on, clamped to the month.
 * @example
 * resolveDeadline({ after: { amount: 3, unit: 'days' }, working: true }, new Date('2026-09-25T17:50:00+08:00'),
 *   { evaluate: () => undefined }) // 2026-09-30T18:00+08:00 on cn-statutory
 */
export function resolveDeadline(deadline: Deadline, from: Date, env: DeadlineEnv): Date {
  const chosen = selectDeadline(deadline, env);
  return new Date(resolveSimple(chosen.deadline, from.getTime(), env, chosen.path));
}

/** The clock a deadline runs on: elapsed wall time, or working time on a calendar. */
export interface TimeBase {
  readonly kind: 'wall' | 'working';
  readonly calendarId: string | undefined;
  between(from: number, to: number): number;
  add(from: number, ms: number): number;
}

export const wallTime: TimeBase = {
  kind: 'wall',
  calendarId: undefined,
  between: (from, to) => Math.max(0, to - from),
  add: (from, ms) => from + ms,
};

export function timeBaseOf(deadline: SimpleDeadline, env: Omit<DeadlineEnv, 'evaluate'>): TimeBase {
  const calendar = workingCalendarOf(deadline, env);
  if (!calendar) return wallTime;
  return {
    kind: 'working',
    calendarId: calendar.id,
    between: (from, to) => workingMsBetween(calendar, from, to),
    add: (from, ms) => addWorkingMs(calendar, from, ms),
  };
}

export { resolveSimple as resolveSimpleDeadline, DAY_MS };
