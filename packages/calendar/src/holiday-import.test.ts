import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CalendarError } from './calendar-error.ts';
import { createCalendarRegistry } from './calendar-registry.ts';
import { calendarFromHolidayCn, calendarFromIcs } from './holiday-import.ts';
import { parseIsoDate } from './local-time.ts';

const ics = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//holidays//CN',
  'BEGIN:VEVENT',
  'UID:2027-spring@test',
  'DTSTAMP:20261120T000000Z',
  'DTSTART;VALUE=DATE:20270206',
  'DTEND;VALUE=DATE:20270209',
  'SUMMARY:春节 假期',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:2027-spring-work@test',
  'DTSTAMP:20261120T000000Z',
  'DTSTART;VALUE=DATE:20270214',
  'SUMMARY:春节 补班',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

const day = (iso: string): number => parseIsoDate(iso) ?? Number.NaN;

describe('holiday import', () => {
  it('reads a holiday-cn year into holidays and make-up working days', () => {
    const data: unknown = JSON.parse(readFileSync(new URL('../data/holiday-cn/2026.json', import.meta.url), 'utf8'));
    const doc = calendarFromHolidayCn(data);
    expect(doc.id).toBe('cn-statutory-2026');
    expect(doc.inherits).toBe('cn-statutory');
    expect(doc.workdays?.map((d) => d.date)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(doc.holidays?.some((d) => d.date === '2026-10-01' && d.name === '国庆节')).toBe(true);
  });

  it('reads an iCalendar file of all-day events, DTEND exclusive, and makes 补班 days working days', () => {
    const doc = calendarFromIcs(ics, { id: 'cn-2027' });
    expect(doc.holidays?.map((d) => d.date)).toEqual(['2027-02-06', '2027-02-07', '2027-02-08']);
    expect(doc.workdays).toEqual([{ date: '2027-02-14', name: '春节' }]);
    const calendar = createCalendarRegistry([doc]).get('cn-2027');
    expect(calendar.isWorkingDay(day('2027-02-08'))).toBe(false);
    expect(calendar.isWorkingDay(day('2027-02-14'))).toBe(true);
    expect(calendar.isWorkingDay(day('2026-10-01'))).toBe(false);
  });

  it('names the JSON pointer of a bad entry', () => {
    try {
      calendarFromHolidayCn({ year: 2027, days: [{ name: 'x', date: '2027-13-01', isOffDay: true }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarError);
      expect((e as CalendarError).path).toBe('/days/0/date');
    }
    expect(() => calendarFromHolidayCn({ days: 3 })).toThrow(/Not a holiday-cn year/);
    expect(() => calendarFromIcs('not an ics')).toThrow(CalendarError);
  });
});
