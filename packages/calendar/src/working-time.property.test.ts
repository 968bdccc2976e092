import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCalendarRegistry } from './calendar-registry.ts';
import { fixtureCalendars } from './test-calendars.ts';
import { addWorkingDays, addWorkingMs, workingMsBetween } from './working-time.ts';

const calendars = createCalendarRegistry(fixtureCalendars);
const ids = ['cn-office', 'cn-statutory', 'emergency-24x7', 'front-desk', 'berlin-office', 'new-york-24x7'];
const H = 3_600_000;
const instant = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') });
const duration = fc.oneof(fc.integer({ min: 0, max: 40 * H }), fc.integer({ min: 0, max: 2000 * H }));
const calendar = fc.constantFrom(...ids).map((id) => calendars.get(id));
const runs = { numRuns: 300 };

describe('working time properties', () => {
  it('gives back the working duration it added, on every fixture calendar', () => {
    fc.assert(
      fc.property(calendar, instant, duration, (cal, t, d) => {
        expect(workingMsBetween(cal, t, addWorkingMs(cal, t, d))).toBe(d);
      }),
      runs,
    );
  });

  it('is monotonic in the start and in the duration', () => {
    fc.assert(
      fc.property(calendar, instant, instant, duration, duration, (cal, a, b, d1, d2) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        const [x, y] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(addWorkingMs(cal, t1, x)).toBeLessThanOrEqual(addWorkingMs(cal, t2, x));
        expect(addWorkingMs(cal, t1, x)).toBeLessThanOrEqual(addWorkingMs(cal, t1, y));
        expect(workingMsBetween(cal, t1, t2)).toBeLessThanOrEqual(workingMsBetween(cal, t1, t2 + y));
        expect(workingMsBetween(cal, t1, t2 + y)).toBeGreaterThanOrEqual(workingMsBetween(cal, t2, t2 + y));
      }),
      runs,
    );
  });

  it('holds across the DST changes of Berlin and New York', () => {
    const nearDst = fc.constantFrom(
      Date.parse('2026-03-28T12:00:00Z'),
      Date.parse('2026-10-24T12:00:00Z'),
      Date.parse('2026-03-07T12:00:00Z'),
      Date.parse('2026-10-31T12:00:00Z'),
    );
    fc.assert(
      fc.property(fc.constantFrom('berlin-office', 'new-york-24x7'), nearDst, fc.integer({ min: 0, max: 48 * H }), fc.integer({ min: 0, max: 60 * H }), (id, base, offset, d) => {
        const cal = calendars.get(id);
        const t = base + offset;
        const end = addWorkingMs(cal, t, d);
        expect(workingMsBetween(cal, t, end)).toBe(d);
        if (id === 'new-york-24x7') expect(end - t).toBe(d);
      }),
      runs,
    );
  });

  it('adds working days monotonically in the start and the count', () => {
    fc.assert(
      fc.property(calendar, instant, instant, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (cal, a, b, n1, n2) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        const [x, y] = n1 <= n2 ? [n1, n2] : [n2, n1];
        const at = (t: number, n: number): number => addWorkingDays(cal, new Date(t), n).getTime();
        expect(at(t1, x)).toBeLessThanOrEqual(at(t2, x));
        expect(at(t1, x)).toBeLessThanOrEqual(at(t1, y));
      }),
      runs,
    );
  });
});
