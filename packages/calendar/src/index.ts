export type { Text, TimeRange, Weekday, WeekHours, CalendarDay, CalendarDocument } from './calendar-document.ts';
export { WEEKDAYS } from './calendar-document.ts';
export { CalendarError } from './calendar-error.ts';
export type { CalendarErrorReason, Message } from './calendar-error.ts';
export { BusinessCalendar, DEFAULT_TIME_ZONE } from './business-calendar.ts';
export type { ResolvedCalendar, Span } from './business-calendar.ts';
export { createCalendarRegistry, resolveDocument } from './calendar-registry.ts';
export type { CalendarRegistry } from './calendar-registry.ts';
export { cnStatutoryCalendar, CN_STATUTORY_YEARS } from './cn-statutory.ts';
export { calendarFromHolidayCn, calendarFromIcs } from './holiday-import.ts';
export type { HolidayCnYear, ImportOptions } from './holiday-import.ts';
export {
  addMonths,
  civilDate,
  epochDay,
  formatIsoDate,
  fromLocal,
  parseIsoDate,
  toLocal,
  weekdayOf,
} from './local-time.ts';
export type { EpochDay } from './local-time.ts';
export {
  addWorkingDays,
  addWorkingMs,
  addWorkingTime,
  endOfCalendarDay,
  endOfWorkingDay,
  isWorkingTime,
  nextWorkingInstant,
  SEARCH_HORIZON_DAYS,
  workingMsBetween,
  workingTimeBetween,
} from './working-time.ts';
