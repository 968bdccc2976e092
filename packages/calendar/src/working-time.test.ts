import { describe, expect, it } from 'vitest';
import { CalendarError } from './calendar-error.ts';
import { createCalendarRegistry } from './calendar-registry.ts';
import { fixtureCalendars } from './test-calendars.ts';
import {
  addWorkingDays,
  addWorkingTime,
  endOfCalendarDay,
  endOfWorkingDay,
  isWorkingTime,
  nextWorkingInstant,
  workingTimeBetween,
} from './working-time.ts';

const calendars = createCalendarRegistry(fixtureCalendars);
const office = calendars.get('cn-office');
const statutory = calendars.get('cn-statutory');
const H = 3_600_000;
const sh = (local: string): Date => new Date(`${local}+08:00`);

describe('working time', () => {
  it('adds an hour at 17:00 on the eve of National Day and lands at 09:00 on 2026-10-08', () => {
    expect(addWorkingTime(office, sh('2026-09-30T17:00:00'), H)).toEqual(sh('2026-10-08T09:00:00'));
  });

  it('ends at 17:30 rather than the next morning when the time runs out at the close', () => {
    expect(addWorkingTime(office, sh('2026-09-29T17:00:00'), H / 2)).toEqual(sh('2026-09-29T17:30:00'));
  });

  it('skips the lunch break', () => {
    expect(addWorkingTime(office, sh('2026-09-29T11:30:00'), H)).toEqual(sh('2026-09-29T14:00:00'));
  });

  it('adds nothing for a zero duration', () => {
    expect(addWorkingTime(office, sh('2026-09-26T03:00:00'), 0)).toEqual(sh('2026-09-26T03:00:00'));
  });

  it('counts 45 working hours from 2026-09-28 to 2026-10-10 including the Saturday make-up day', () => {
    expect(workingTimeBetween(office, sh('2026-09-28T00:00:00'), sh('2026-10-11T00:00:00'))).toBe(45 * H);
    expect(workingTimeBetween(office, sh('2026-10-11T00:00:00'), sh('2026-09-28T00:00:00'))).toBe(0);
  });

  it('finds the next working instant on the make-up Sunday 2026-09-20', () => {
    expect(nextWorkingInstant(office, sh('2026-09-19T10:00:00'))).toEqual(sh('2026-09-20T08:30:00'));
    expect(nextWorkingInstant(office, sh('2026-09-20T09:00:00'))).toEqual(sh('2026-09-20T09:00:00'));
    expect(isWorkingTime(office, sh('2026-09-20T12:30:00'))).toBe(false);
  });

  it('ends the working day at 17:30, or at the next working day close after hours', () => {
    expect(endOfWorkingDay(office, sh('2026-09-29T09:00:00'))).toEqual(sh('2026-09-29T17:30:00'));
    expect(endOfWorkingDay(office, sh('2026-09-30T18:00:00'))).toEqual(sh('2026-10-08T17:30:00'));
    expect(endOfCalendarDay(office, sh('2026-09-30T18:00:00'))).toEqual(sh('2026-10-01T00:00:00'));
  });

  it('ends 3 working days from a complaint on the holiday Friday 2026-09-25 17:50 at 18:00 on 2026-09-30', () => {
    expect(addWorkingDays(statutory, sh('2026-09-25T17:50:00'), 3)).toEqual(sh('2026-09-30T18:00:00'));
  });

  it('keeps the position in the working day when adding working days', () => {
    expect(addWorkingDays(office, sh('2026-09-29T10:00:00'), 1)).toEqual(sh('2026-09-30T10:00:00'));
    expect(addWorkingDays(office, sh('2026-09-29T10:00:00'), 2)).toEqual(sh('2026-10-08T10:00:00'));
    expect(addWorkingDays(office, sh('2026-09-28T08:30:00'), 1)).toEqual(sh('2026-09-28T17:30:00'));
  });

  it('adds working time across the Berlin spring-forward night', () => {
    const berlin = calendars.get('berlin-office');
    // Friday 2026-03-27 16:00 CET + 1 h (to 17:00) + 1 h on Sunday's shortened 01:30-03:30 span = Sunday 03:30 CEST.
    expect(addWorkingTime(berlin, new Date('2026-03-27T16:00:00+01:00'), 2 * H)).toEqual(new Date('2026-03-29T03:30:00+02:00'));
    expect(addWorkingTime(berlin, new Date('2026-03-27T16:00:00+01:00'), 3 * H)).toEqual(new Date('2026-03-30T09:00:00+02:00'));
  });

  it('fails with no-working-time on a calendar without hours', () => {
    const closed = createCalendarRegistry([{ kind: 'calendar', id: 'closed' }], { builtins: false }).get('closed');
    expect(() => addWorkingTime(closed, sh('2026-01-01T00:00:00'), H)).toThrow(CalendarError);
    expect(() => addWorkingTime(office, sh('2026-01-01T00:00:00'), -1)).toThrow(/Invalid working duration/);
  });
});
