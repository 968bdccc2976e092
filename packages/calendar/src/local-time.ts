import { tzOffset } from '@date-fns/tz';

/** Milliseconds in a civil day (not a zoned day: those may have 23 or 25 hours). */
export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** A civil date as a count of days since 1970-01-01; weekday and month arithmetic stay integer. */
export type EpochDay = number;

export function epochDay(year: number, month: number, day: number): EpochDay {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

export function civilDate(day: EpochDay): { year: number; month: number; day: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`; undefined when malformed or not a real date (2026-02-30). */
export function parseIsoDate(text: string): EpochDay | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = epochDay(y, mo, d);
  const back = civilDate(day);
  return back.year === y && back.month === mo && back.day === d ? day : undefined;
}

export function formatIsoDate(day: EpochDay): string {
  const { year, month, day: d } = civilDate(day);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: EpochDay): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Adds months to a civil date, clamping the day to the target month's length (Jan 31 + 1 = Feb 28/29). */
export function addMonths(day: EpochDay, months: number): EpochDay {
  const { year, month, day: d } = civilDate(day);
  const index = year * 12 + (month - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = index - ty * 12 + 1;
  const last = civilDate(epochDay(ty, tm + 1, 1) - 1).day;
  return epochDay(ty, tm, Math.min(d, last));
}

/** Throws a RangeError for a zone the runtime does not know. */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone });
}

const HOUR_MS = 3_600_000;
/** Offsets per zone by hour, kept only for hours whose first and last millisecond agree (no transition inside). */
const offsets = new Map<string, Map<number, number>>();
const OFFSETS_KEPT = 50_000;

/**
 * The zone's UTC offset, in ms, at an instant. `Intl` (through @date-fns/tz) is asked once per zone
 * and hour: an hour whose first and last millisecond have the same offset has no transition in it,
 * so every instant in it shares that offset (the engine asks this a few times per deadline).
 */
export function offsetMs(timeZone: string, instant: number): number {
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const hour = Math.floor(instant / HOUR_MS);
  const kept = zone.get(hour);
  if (kept !== undefined) return kept;
  const at = tzOffset(timeZone, new Date(instant)) * MINUTE_MS;
  const first = tzOffset(timeZone, new Date(hour * HOUR_MS)) * MINUTE_MS;
  if (first === at && tzOffset(timeZone, new Date(hour * HOUR_MS + HOUR_MS - 1)) * MINUTE_MS === at) {
    if (zone.size >= OFFSETS_KEPT) zone.clear();
    zone.set(hour, at);
  }
  return at;
}

/** The local wall clock of an instant: its civil day and the milliseconds since local midnight. */
export function toLocal(instant: number, timeZone: string): { day: EpochDay; ms: number } {
  const local = instant + offsetMs(timeZone, instant);
  const day = Math.floor(local / DAY_MS);
  return { day, ms: local - day * DAY_MS };
}

/**
 * The instant of a local wall-clock time. A time skipped by a DST jump moves forward by the
 * jump (02:30 on a spring-forward night is 03:30); a repeated time takes the earlier instant,
 * as Temporal's `disambiguation: 'compatible'` does.
 */
export function fromLocal(day: EpochDay, msOfDay: number, timeZone: string): number {
  const local = day * DAY_MS + msOfDay;
  const before = offsetMs(timeZone, local - DAY_MS / 2);
  const after = offsetMs(timeZone, local + DAY_MS / 2);
  if (before === after) return local - before;
  const candidates = [local - before, local - after].filter((u) => offsetMs(timeZone, u) === local - u);
  if (candidates.length > 0) return Math.min(...candidates);
  return local - Math.min(before, after);
}
