import { describe, expect, it } from 'vitest';
import type { Deadline } from './deadline-types.ts';
import { resolveDeadline } from './resolve-deadline.ts';
import { SlaError } from './sla-error.ts';
import { calendars, contextEvaluator, sh } from './test-support.ts';

const due = (deadline: Deadline, from: Date, context: Record<string, unknown> = {}, params: Record<string, unknown> = {}, calendarId?: string): Date =>
  resolveDeadline(deadline, from, { calendars, calendarId, evaluate: contextEvaluator(context, params) });

describe('resolveDeadline: the limits of requirements.md', () => {
  it('PS-3: tells the customer within 15 minutes of intake', () => {
    expect(due({ after: { amount: 15, unit: 'minutes' } }, sh('2026-03-02T09:50'))).toEqual(sh('2026-03-02T10:05'));
  });

  it('RP-2: on site within 10 or 30 minutes, as the estate parameter says', () => {
    const onSite: Deadline = { after: { amount: 'params.onSiteMinutes', unit: 'minutes' } };
    expect(due(onSite, sh('2026-03-02T23:55'), {}, { onSiteMinutes: 10 })).toEqual(sh('2026-03-03T00:05'));
    expect(due(onSite, sh('2026-03-02T23:55'), {}, { onSiteMinutes: 30 })).toEqual(sh('2026-03-03T00:25'));
  });

  it('RP-3: an urgent repair is closed before the day ends; a major one within 7 days', () => {
    const repair: Deadline = {
      cases: [
        { when: "context.grade == 'urgent'", deadline: { endOfDay: true } },
        { when: "context.grade == 'major'", deadline: { after: { amount: 7, unit: 'days' } } },
      ],
      else: { after: { amount: 0, unit: 'minutes' } },
    };
    expect(due(repair, sh('2026-03-02T22:10'), { grade: 'urgent' })).toEqual(sh('2026-03-03T00:00'));
    expect(due(repair, sh('2026-03-02T22:10'), { grade: 'major' })).toEqual(sh('2026-03-09T22:10'));
    expect(due(repair, sh('2026-03-02T22:10'), { grade: 'minor' })).toEqual(sh('2026-03-02T22:10'));
  });

  it('RP-4: revisits within 2 days, and leaks 3 days after the leak test', () => {
    expect(due({ after: { amount: 2, unit: 'days' } }, sh('2026-03-02T16:00'))).toEqual(sh('2026-03-04T16:00'));
    const leak: Deadline = { expr: "context.leakTestAt + duration('72h')" };
    expect(due(leak, sh('2026-03-02T16:00'), { leakTestAt: sh('2026-03-03T10:00') })).toEqual(sh('2026-03-06T10:00'));
  });

  it('CP-4: major same day, 1 hour, 2 days, 10 days; important 3 days; minor by the date asked', () => {
    const received = sh('2026-03-02T15:20');
    expect(due({ endOfDay: true }, received)).toEqual(sh('2026-03-03T00:00'));
    expect(due({ after: { amount: 1, unit: 'hours' } }, received)).toEqual(sh('2026-03-02T16:20'));
    expect(due({ after: { amount: 2, unit: 'days' } }, received)).toEqual(sh('2026-03-04T15:20'));
    expect(due({ after: { amount: 10, unit: 'days' } }, received)).toEqual(sh('2026-03-12T15:20'));
    expect(due({ after: { amount: 3, unit: 'days' } }, received)).toEqual(sh('2026-03-05T15:20'));
    const minor: Deadline = {
      cases: [{ when: 'has(context.requestedBy)', deadline: { expr: 'timestamp(context.requestedBy)' } }],
      else: { after: { amount: 2, unit: 'days' } },
    };
    expect(due(minor, received, { requestedBy: '2026-03-06T18:00:00+08:00' })).toEqual(sh('2026-03-06T18:00'));
    expect(due(minor, received, {})).toEqual(sh('2026-03-04T15:20'));
  });

  it("CP-4 (seed 000): 3 working days on the office calendar skip the weekend", () => {
    // Thursday 2026-03-05 15:20 → Fri, Mon, Tue at the same working position.
    expect(due({ after: { amount: 3, unit: 'days' }, working: true, calendar: 'cn-office' }, sh('2026-03-05T15:20'))).toEqual(sh('2026-03-10T15:20'));
  });

  it('PS-8: front-desk orders reach dispatch by 17:30 the same day; revisits by the 10th of next month', () => {
    expect(due({ at: '17:30' }, sh('2026-03-02T10:00'))).toEqual(sh('2026-03-02T17:30'));
    expect(due({ at: '17:30' }, sh('2026-03-02T18:00'))).toEqual(sh('2026-03-03T17:30'));
    expect(due({ dayOfMonth: 10, monthsAhead: 1 }, sh('2026-01-31T20:00'))).toEqual(sh('2026-02-11T00:00'));
    expect(due({ dayOfMonth: 31, monthsAhead: 1 }, sh('2026-01-15T20:00'))).toEqual(sh('2026-03-01T00:00'));
  });

  it('LF-4: keeps an item 3 months when worth < 100 yuan, else 1 year', () => {
    const retention: Deadline = {
      cases: [{ when: 'context.valueFen < 10000', deadline: { after: { amount: 3, unit: 'months' } } }],
      else: { after: { amount: 1, unit: 'years' } },
    };
    expect(due(retention, sh('2025-11-30T10:00'), { valueFen: 9999 })).toEqual(sh('2026-02-28T10:00'));
    expect(due(retention, sh('2025-11-30T10:00'), { valueFen: 10000 })).toEqual(sh('2026-11-30T10:00'));
  });
});

describe('resolveDeadline: calendars and edges', () => {
  it('ends 3 working days from Friday 2026-09-25 17:50 (Mid-Autumn) at the close of Wednesday 2026-09-30', () => {
    const threeDays: Deadline = { after: { amount: 3, unit: 'days' }, working: true };
    expect(due(threeDays, sh('2026-09-25T17:50'))).toEqual(sh('2026-09-30T18:00'));
    expect(due(threeDays, sh('2026-09-25T17:50'), {}, {}, 'cn-office')).toEqual(sh('2026-09-30T17:30'));
  });

  it('counts the make-up working days 2026-09-20 (Sunday) and 2026-10-10 (Saturday) of the 2026 data', () => {
    const oneDay: Deadline = { after: { amount: 1, unit: 'days' }, working: true };
    expect(due(oneDay, sh('2026-09-18T12:00'))).toEqual(sh('2026-09-20T12:00'));
    expect(due(oneDay, sh('2026-10-09T12:00'))).toEqual(sh('2026-10-10T12:00'));
    expect(due({ after: { amount: 4, unit: 'hours' }, working: true }, sh('2026-09-30T16:00'))).toEqual(sh('2026-10-08T11:00'));
  });

  it('keeps the wall-clock time when adding days across the Berlin DST change', () => {
    const berlin = { kind: 'calendar' as const, id: 'berlin', timeZone: 'Europe/Berlin' };
    const at = resolveDeadline({ after: { amount: 1, unit: 'days' }, calendar: 'berlin' }, new Date('2026-03-28T10:00:00+01:00'), {
      calendars: [berlin],
      evaluate: () => undefined,
    });
    expect(at).toEqual(new Date('2026-03-29T10:00:00+02:00'));
  });

  it('rejects a negative or non-numeric amount with the pointer of the amount', () => {
    try {
      due({ after: { amount: 'params.x', unit: 'minutes' } }, sh('2026-03-02T10:00'), {}, { x: -5 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SlaError);
      expect((e as SlaError).path).toBe('/after/amount');
      expect((e as SlaError).messages.zh).toContain('非负数');
    }
    expect(() => due({ expr: "'soon'" }, sh('2026-03-02T10:00'))).toThrow(SlaError);
  });
});
