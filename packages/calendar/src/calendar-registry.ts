import {
  BusinessCalendar,
  checkTimeZone,
  DEFAULT_TIME_ZONE,
  parseDay,
  parseRanges,
  type ResolvedCalendar,
} from './business-calendar.ts';
import { CalendarError } from './calendar-error.ts';
import { type CalendarDocument, type Text, WEEKDAYS, type Weekday } from './calendar-document.ts';
import { cnStatutoryCalendar } from './cn-statutory.ts';
import type { EpochDay } from './local-time.ts';

/** Looks calendars up by id, inheritance resolved. */
export interface CalendarRegistry {
  /** Throws CalendarError `unknown-calendar` for an id it does not hold. */
  get(id: string): BusinessCalendar;
  has(id: string): boolean;
  ids(): string[];
}

type Minutes = readonly (readonly [number, number])[];

function nameOf(name: string | Text | undefined): string {
  if (name === undefined) return '';
  return typeof name === 'string' ? name : name.zh;
}

/**
 * Builds a registry from calendar documents, plus the built-in `cn-statutory` (unless
 * `builtins: false` or a document takes its id). Every document is resolved and checked
 * eagerly, so bad configuration fails here, with the JSON pointer of the fault.
 * @example
 * const calendars = createCalendarRegistry([{ kind: 'calendar', id: 'cn-office', inherits: 'cn-statutory',
 *   week: { mon: [['08:30', '12:00'], ['13:30', '17:30']] } }]);
 * addWorkingTime(calendars.get('cn-office'), new Date('2026-09-30T09:00:00+08:00'), 8 * 3600_000);
 */
export function createCalendarRegistry(
  documents: readonly CalendarDocument[] = [],
  options: { builtins?: boolean } = {},
): CalendarRegistry {
  const docs = new Map<string, CalendarDocument>();
  if (options.builtins !== false) docs.set(cnStatutoryCalendar.id, cnStatutoryCalendar);
  for (const doc of documents) docs.set(doc.id, doc);

  const resolved = new Map<string, BusinessCalendar>();
  const resolve = (id: string, chain: readonly string[], path: string): BusinessCalendar => {
    const done = resolved.get(id);
    if (done) return done;
    const doc = docs.get(id);
    if (!doc) {
      throw new CalendarError(
        'unknown-calendar',
        { zh: `未知日历 "${id}"`, en: `Unknown calendar "${id}"` },
        { path },
      );
    }
    if (chain.includes(id)) {
      const loop = [...chain, id].join(' → ');
      throw new CalendarError('inherit-cycle', { zh: `日历继承形成循环：${loop}`, en: `Calendar inheritance loops: ${loop}` }, { path });
    }
    const parent = doc.inherits === undefined ? undefined : resolve(doc.inherits, [...chain, id], `${id}#/inherits`).resolved;
    const calendar = new BusinessCalendar(resolveDocument(doc, parent));
    resolved.set(id, calendar);
    return calendar;
  };
  for (const id of docs.keys()) resolve(id, [], id);

  return {
    get: (id) => resolve(id, [], '/calendar'),
    has: (id) => docs.has(id),
    ids: () => [...docs.keys()],
  };
}

/** Merges a document over its resolved parent (pure). Child dates win over the parent's. */
export function resolveDocument(doc: CalendarDocument, parent: ResolvedCalendar | undefined): ResolvedCalendar {
  const at = (pointer: string): string => `${doc.id}#${pointer}`;
  const timeZone = doc.timeZone ?? parent?.timeZone ?? DEFAULT_TIME_ZONE;
  if (doc.timeZone !== undefined) checkTimeZone(timeZone, at('/timeZone'));

  const week = {} as Record<Weekday, Minutes>;
  for (const d of WEEKDAYS) {
    const own = doc.week?.[d];
    week[d] = own ? parseRanges(own, at(`/week/${d}`)) : (parent?.week[d] ?? []);
  }

  const holidays = new Map<EpochDay, string>(parent?.holidays);
  const workdays = new Map<EpochDay, Minutes | undefined>(parent?.workdays);
  (doc.holidays ?? []).forEach((h, i) => {
    const day = parseDay(h.date, at(`/holidays/${i}/date`));
    workdays.delete(day);
    holidays.set(day, nameOf(h.name));
  });
  (doc.workdays ?? []).forEach((w, i) => {
    const day = parseDay(w.date, at(`/workdays/${i}/date`));
    holidays.delete(day);
    workdays.set(day, w.hours ? parseRanges(w.hours, at(`/workdays/${i}/hours`)) : undefined);
  });

  return {
    id: doc.id,
    timeZone,
    week,
    holidays,
    workdays,
    workdayHoursFrom: doc.workdayHoursFrom ?? parent?.workdayHoursFrom ?? 'mon',
    observeHolidays: doc.observeHolidays ?? parent?.observeHolidays ?? true,
  };
}
