import { describe, expect, it } from 'vitest';
import { CalendarError } from './calendar-error.ts';
import { createCalendarRegistry } from './calendar-registry.ts';
import { fromLocal, parseIsoDate } from './local-time.ts';
import { fixtureCalendars } from './test-calendars.ts';

const calendars = createCalendarRegistry(fixtureCalendars);
const day = (iso: string): number => {
  const d = parseIsoDate(iso);
  if (d === undefined) throw new Error(iso);
  return d;
};
const hours = (id: string, iso: string): number =>
  calendars.get(id).spans(day(iso)).reduce((sum, [s, e]) => sum + (e - s), 0) / 3_600_000;

describe('business calendar', () => {
  it('closes on the 2026 National Day holiday and works the make-up days the State Council lists', () => {
    const statutory = calendars.get('cn-statutory');
    for (const d of ['2026-10-01', '2026-10-07', '2026-09-25', '2026-02-16']) expect(statutory.isWorkingDay(day(d))).toBe(false);
    // 调休 in holiday-cn 2026.json: Sunday 2026-09-20, Saturday 2026-10-10, Saturday 2026-02-28, Sunday 2026-01-04.
    for (const d of ['2026-09-20', '2026-10-10', '2026-02-28', '2026-01-04']) expect(statutory.isWorkingDay(day(d))).toBe(true);
    expect(statutory.isWorkingDay(day('2026-09-19'))).toBe(false);
  });

  it('gives a make-up Sunday the hours of a Monday of the inheriting calendar', () => {
    expect(hours('cn-office', '2026-09-20')).toBe(7.5);
    expect(hours('cn-statutory', '2026-09-20')).toBe(8);
  });

  it('keeps a 24x7 line open on holidays and a desk open 08:00-20:00 every day', () => {
    expect(hours('emergency-24x7', '2026-10-01')).toBe(24);
    expect(hours('front-desk', '2026-10-03')).toBe(0);
    expect(hours('front-desk', '2026-10-11')).toBe(12);
  });

  it('counts a New York spring-forward Sunday as 23 hours and the autumn one as 25', () => {
    const ny = calendars.get('new-york-24x7');
    expect(ny.spans(day('2026-03-08')).reduce((s, [a, b]) => s + b - a, 0)).toBe(23 * 3_600_000);
    expect(ny.spans(day('2026-11-01')).reduce((s, [a, b]) => s + b - a, 0)).toBe(25 * 3_600_000);
  });

  it('shortens a span over the Berlin spring-forward hour and lengthens it over the autumn one', () => {
    const berlin = calendars.get('berlin-office');
    expect(berlin.spans(day('2026-03-29')).map(([s, e]) => [new Date(s).toISOString(), new Date(e).toISOString()])).toEqual([
      ['2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z'],
    ]);
    expect(berlin.spans(day('2026-10-25')).map(([s, e]) => (e - s) / 3_600_000)).toEqual([3]);
  });

  it('reads a skipped local time as the first valid minute after the jump and a repeated one as the earlier instant', () => {
    expect(new Date(fromLocal(day('2026-03-29'), 150 * 60_000, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(new Date(fromLocal(day('2026-10-25'), 150 * 60_000, 'Europe/Berlin')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('rejects a calendar that inherits an unknown one, naming the pointer', () => {
    const build = () => createCalendarRegistry([{ kind: 'calendar', id: 'x', inherits: 'nope' }]);
    expect(build).toThrow(CalendarError);
    try {
      build();
    } catch (e) {
      expect((e as CalendarError).reason).toBe('unknown-calendar');
      expect((e as CalendarError).path).toBe('x#/inherits');
      expect((e as CalendarError).messages.zh).toContain('未知日历');
    }
  });

  it('rejects inheritance loops, bad times and unknown zones', () => {
    const reasonOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof CalendarError ? `${e.reason} ${e.path}` : 'other';
      }
      return undefined;
    };
    expect(reasonOf(() => createCalendarRegistry([
      { kind: 'calendar', id: 'a', inherits: 'b' },
      { kind: 'calendar', id: 'b', inherits: 'a' },
    ]))).toMatch(/^inherit-cycle/);
    expect(reasonOf(() => createCalendarRegistry([{ kind: 'calendar', id: 'a', week: { mon: [['08:30', '25:00']] } }]))).toBe(
      'invalid-calendar a#/week/mon/0/1',
    );
    expect(reasonOf(() => createCalendarRegistry([{ kind: 'calendar', id: 'a', week: { mon: [['12:00', '08:00']] } }]))).toBe(
      'invalid-calendar a#/week/mon/0',
    );
    expect(reasonOf(() => createCalendarRegistry([{ kind: 'calendar', id: 'a', week: { tue: [['08:00']] } }]))).toBe(
      'invalid-calendar a#/week/tue/0',
    );
    expect(reasonOf(() => createCalendarRegistry([{ kind: 'calendar', id: 'a', timeZone: 'Mars/Olympus' }]))).toBe(
      'unknown-time-zone a#/timeZone',
    );
    expect(reasonOf(() => createCalendarRegistry([{ kind: 'calendar', id: 'a', holidays: [{ date: '2026-02-30' }] }]))).toBe(
      'invalid-calendar a#/holidays/0/date',
    );
  });

  it('lets a child calendar work a day its parent lists as a holiday', () => {
    const reg = createCalendarRegistry([{ kind: 'calendar', id: 'open-on-labour-day', inherits: 'cn-statutory', workdays: [{ date: '2026-05-01', hours: [['10:00', '16:00']] }] }]);
    expect(reg.get('open-on-labour-day').spans(day('2026-05-01')).length).toBe(1);
    expect(reg.get('cn-statutory').isWorkingDay(day('2026-05-01'))).toBe(false);
  });
});
