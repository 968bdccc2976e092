import ICAL from 'ical.js';
import { CalendarError } from './calendar-error.ts';
import type { CalendarDay, CalendarDocument, Text } from './calendar-document.ts';
import { formatIsoDate, parseIsoDate } from './local-time.ts';

/** One year of the holiday-cn data set: `isOffDay` true = holiday, false = make-up working day. */
export interface HolidayCnYear {
  readonly year: number;
  readonly papers?: readonly string[];
  readonly days: readonly { readonly name: string; readonly date: string; readonly isOffDay: boolean }[];
}

export interface ImportOptions {
  readonly id?: string;
  readonly title?: Text;
  /** Calendar the imported days refine; default `cn-statutory`, so a new year extends the built-in one. */
  readonly inherits?: string | null;
}

function invalid(zh: string, en: string, path: string, cause?: unknown): CalendarError {
  return new CalendarError('invalid-import', { zh, en }, { path, cause });
}

function isHolidayCnYear(value: unknown): value is HolidayCnYear {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { year?: unknown; days?: unknown };
  return typeof v.year === 'number' && Array.isArray(v.days);
}

function document(holidays: CalendarDay[], workdays: CalendarDay[], options: ImportOptions, fallbackId: string, title: Text): CalendarDocument {
  const byDate = (a: CalendarDay, b: CalendarDay): number => a.date.localeCompare(b.date);
  const inherits = options.inherits === undefined ? 'cn-statutory' : options.inherits;
  return {
    kind: 'calendar',
    id: options.id ?? fallbackId,
    title: options.title ?? title,
    ...(inherits === null ? {} : { inherits }),
    holidays: holidays.sort(byDate),
    workdays: workdays.sort(byDate),
  };
}

/**
 * Turns a holiday-cn year (`{ year, days: [{ name, date, isOffDay }] }`) into a calendar document.
 * Pure; throws CalendarError `invalid-import` naming the JSON pointer of a bad entry.
 */
export function calendarFromHolidayCn(data: unknown, options: ImportOptions = {}): CalendarDocument {
  if (!isHolidayCnYear(data)) {
    throw invalid('不是 holiday-cn 年度数据：需要 year（数字）与 days（数组）', 'Not a holiday-cn year: expected year (number) and days (array)', '');
  }
  const holidays: CalendarDay[] = [];
  const workdays: CalendarDay[] = [];
  data.days.forEach((d, i) => {
    if (typeof d.date !== 'string' || parseIsoDate(d.date) === undefined) {
      throw invalid(`日期无效：${String(d.date)}`, `Invalid date: ${String(d.date)}`, `/days/${i}/date`);
    }
    if (typeof d.isOffDay !== 'boolean') {
      throw invalid('isOffDay 必须为 true 或 false', 'isOffDay must be true or false', `/days/${i}/isOffDay`);
    }
    (d.isOffDay ? holidays : workdays).push({ date: d.date, name: d.name });
  });
  return document(holidays, workdays, options, `cn-statutory-${data.year}`, {
    zh: `${data.year} 年法定节假日与调休`,
    en: `China statutory holidays and make-up working days ${data.year}`,
  });
}

/** A summary naming a working day: 补班 / 上班 / 调休上班 / "make-up workday" / "working day". */
const WORKDAY_SUMMARY = /补班|上班|班$|make-?up work|working day|workday/i;

/**
 * Turns an iCalendar file of all-day events into a calendar document: each event covers its
 * dates (DTEND exclusive); a summary such as "国庆节补班" or "Make-up workday" makes them
 * working days, any other summary holidays. Parsed with ical.js (RFC 5545).
 */
export function calendarFromIcs(text: string, options: ImportOptions = {}): CalendarDocument {
  let component: ICAL.Component;
  try {
    component = new ICAL.Component(ICAL.parse(text));
  } catch (cause) {
    throw invalid('无法解析 iCalendar 文件', 'Cannot parse the iCalendar file', '', cause);
  }
  const holidays = new Map<string, CalendarDay>();
  const workdays = new Map<string, CalendarDay>();
  const years = new Set<number>();
  component.getAllSubcomponents('vevent').forEach((vevent, i) => {
    const event = new ICAL.Event(vevent);
    const start = event.startDate;
    if (!start) throw invalid(`第 ${i + 1} 个事件缺少 DTSTART`, `Event ${i + 1} has no DTSTART`, `/VEVENT/${i}`);
    const summary = event.summary ?? '';
    const endDate = event.endDate;
    const first = Date.UTC(start.year, start.month - 1, start.day) / 86_400_000;
    const last = endDate && endDate.compare(start) > 0 ? Date.UTC(endDate.year, endDate.month - 1, endDate.day) / 86_400_000 - 1 : first;
    const name = summary.replace(/\s*(第\d+天\/共\d+天|假期|补班|上班)\s*/g, '').trim() || summary;
    for (let day = first; day <= Math.max(first, last); day++) {
      const date = formatIsoDate(day);
      years.add(Number(date.slice(0, 4)));
      if (WORKDAY_SUMMARY.test(summary)) workdays.set(date, { date, name });
      else holidays.set(date, { date, name });
    }
  });
  if (holidays.size + workdays.size === 0) {
    throw invalid('iCalendar 文件中没有全天事件', 'The iCalendar file has no all-day events', '/VEVENT');
  }
  const span = [...years].sort();
  const label = span.length > 1 ? `${span[0]}-${span[span.length - 1]}` : String(span[0]);
  return document([...holidays.values()], [...workdays.values()], options, `imported-${label}`, {
    zh: `导入的节假日 ${label}`,
    en: `Imported holidays ${label}`,
  });
}
