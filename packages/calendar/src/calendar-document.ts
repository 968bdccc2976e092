import type { Calendar } from '@estateflow/definitions';

/**
 * The `calendar` definition document (schemas/calendar.schema.json). Written by hand until
 * packages/definitions generates it from the schema; keep both in step.
 */
export interface Text {
  readonly zh: string;
  readonly en: string;
}

/**
 * `["08:30", "12:00"]`: a working interval in the calendar's zone; "24:00" ends at midnight.
 * Typed as an array (not a tuple) to match the type generated from the schema; the length is
 * checked when the calendar is resolved.
 */
export type TimeRange = readonly string[];

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type WeekHours = { readonly [K in Weekday]?: readonly TimeRange[] };

export interface CalendarDay {
  readonly date: string;
  readonly name?: string | Text;
  /** A working day only: its hours, when not the calendar's usual working-day hours. */
  readonly hours?: readonly TimeRange[];
}

export interface CalendarDocument {
  readonly $schema?: string;
  readonly kind: 'calendar';
  readonly id: string;
  readonly title?: Text;
  readonly description?: Text;
  /** IANA zone; inherited, else Asia/Shanghai. */
  readonly timeZone?: string;
  /** Id of the calendar this one refines (e.g. `cn-statutory`); its days and hours apply unless overridden. */
  readonly inherits?: string;
  /** Weekly hours; weekdays not listed are inherited, or closed when nothing is inherited. */
  readonly week?: WeekHours;
  /** Days off (statutory holidays, company closures). */
  readonly holidays?: readonly CalendarDay[];
  /** Make-up working days (调休) and dates with special hours. */
  readonly workdays?: readonly CalendarDay[];
  /** Weekday whose hours a make-up day keeps unless the day lists `hours`; default `mon`. */
  readonly workdayHoursFrom?: Weekday;
  /** false for a 24×7 line or a desk that ignores holidays and make-up days (default true). */
  readonly observeHolidays?: boolean;
}

type Assert<T extends true> = T;
/** Compile-time check: every document valid against schemas/calendar.schema.json is a CalendarDocument. */
export type CalendarSchemaFits = Assert<Calendar extends CalendarDocument ? true : false>;
