import { describe, expect, it } from 'vitest';
import { addDuration, isDuration } from './duration.ts';

describe('ISO 8601 durations on the virtual clock', () => {
  it('adds minutes, hours and days as elapsed time', () => {
    expect(addDuration('2026-06-09T09:00:00+08:00', 'PT15M')).toBe('2026-06-09T01:15:00.000Z');
    expect(addDuration('2026-06-09T09:00:00+08:00', 'P1DT2H')).toBe('2026-06-10T03:00:00.000Z');
    expect(addDuration('2026-06-09T09:00:00+08:00', 'P2W')).toBe('2026-06-23T01:00:00.000Z');
  });

  it('adds months on the calendar in China time, clamping to the month end', () => {
    expect(addDuration('2026-05-04T09:30:00+08:00', 'P3M')).toBe('2026-08-04T01:30:00.000Z');
    expect(addDuration('2026-01-31T10:00:00+08:00', 'P1M')).toBe('2026-02-28T02:00:00.000Z');
    expect(addDuration('2028-01-31T10:00:00+08:00', 'P1M')).toBe('2028-02-29T02:00:00.000Z');
    expect(addDuration('2026-12-31T23:30:00+08:00', 'P1Y')).toBe('2027-12-31T15:30:00.000Z');
  });

  it('rejects what is not a duration, naming it', () => {
    expect(isDuration('P')).toBe(false);
    expect(isDuration('PT')).toBe(false);
    expect(isDuration('15M')).toBe(false);
    expect(() => addDuration('2026-06-09T09:00:00+08:00', '15 minutes')).toThrow('"15 minutes"');
  });
});
