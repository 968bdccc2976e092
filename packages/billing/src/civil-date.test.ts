import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { differenceInCalendarDays } from 'date-fns';
import { daysBetween } from './civil-date.ts';

describe('daysBetween', () => {
  it('property: the calendar days between two dates, as date-fns counts them at local midnight', () => {
    const day = fc.integer({ min: -40000, max: 40000 }).map((d) => new Date(Date.UTC(2000, 0, 1 + d)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, (a, b) => {
        const local = (s: string) => new Date(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
        expect(daysBetween(a, b)).toBe(differenceInCalendarDays(local(b), local(a)));
      }),
      { numRuns: 500 },
    );
  });

  it('counts across a leap day and a year, and refuses what is not a date', () => {
    expect([daysBetween('2028-02-28', '2028-03-01'), daysBetween('2027-02-28', '2027-03-01'), daysBetween('2026-12-31', '2026-01-01')]).toEqual([2, 1, -364]);
    expect(() => daysBetween('2027-02-29', '2027-03-01')).toThrow(RangeError);
    expect(() => daysBetween('2027-03-01', '27-3-1')).toThrow(RangeError);
  });
});
