import { createCalendarRegistry } from '@estateflow/calendar';
import { describe, expect, it } from 'vitest';
import { recompute } from './recompute.ts';
import type { SlaHistoryEntry } from './sla-history.ts';
import type { SlaPolicy } from './sla-policy.ts';
import { calendars, evaluatorWith, officeCalendar, sh } from './test-support.ts';

const policy = (days: number, working = false): SlaPolicy => ({
  kind: 'sla',
  id: 'repair-clocks',
  calendar: 'cn-office',
  metrics: [
    {
      id: 'resolve',
      start: [{ enter: 'open' }],
      stop: [{ enter: 'done' }],
      goals: [{ deadline: { after: { amount: days, unit: 'days' }, working } }],
      warnings: [50],
    },
  ],
});

const histories: { instanceId: string; history: SlaHistoryEntry[] }[] = [
  { instanceId: 'open-one', history: [{ at: sh('2026-03-02T09:00'), type: 'CREATE', state: 'open' }] },
  {
    instanceId: 'closed-one',
    history: [
      { at: sh('2026-02-23T09:00'), type: 'CREATE', state: 'open' },
      { at: sh('2026-02-25T12:00'), type: 'FINISH', state: 'done' },
    ],
  },
];

describe('retroactive recompute', () => {
  it('reports new due instants for open clocks and flips closed ones when the policy changes while clocks run', () => {
    const report = recompute({ policy: policy(3), calendars }, { policy: policy(2), calendars }, histories, {
      now: sh('2026-03-03T10:00'),
      evaluate: evaluatorWith(),
    });
    const open = report.changes.find((c) => c.instanceId === 'open-one');
    expect(open?.before?.dueAt).toEqual(sh('2026-03-05T09:00'));
    expect(open?.after?.dueAt).toEqual(sh('2026-03-04T09:00'));
    expect(open?.fields).toEqual(expect.arrayContaining(['dueAt', 'budgetMs', 'warningsReached']));
    expect(report.rearm.find((r) => r.instanceId === 'open-one')?.nextInstants.map((i) => [i.kind, i.at])).toEqual([['breach', sh('2026-03-04T09:00')]]);
    const closed = report.changes.find((c) => c.instanceId === 'closed-one');
    expect([closed?.before?.status, closed?.after?.status]).toEqual(['met', 'breached']);
    expect(closed?.after?.breachedAt).toEqual(sh('2026-02-25T09:00'));
    expect(report.unchanged).toBe(0);
  });

  it('recomputes working-time clocks when a calendar gains a holiday', () => {
    const withClosure = createCalendarRegistry([{ ...officeCalendar, holidays: [{ date: '2026-03-04', name: '停电检修' }] }]);
    const report = recompute({ policy: policy(2, true), calendars }, { policy: policy(2, true), calendars: withClosure }, histories.slice(0, 1), {
      now: sh('2026-03-03T10:00'),
      evaluate: evaluatorWith(),
    });
    expect(report.changes).toHaveLength(1);
    expect(report.changes[0]?.before?.dueAt).toEqual(sh('2026-03-04T09:00'));
    expect(report.changes[0]?.after?.dueAt).toEqual(sh('2026-03-05T09:00'));
  });

  it('reports nothing when nothing changes', () => {
    const report = recompute({ policy: policy(3), calendars }, { policy: policy(3), calendars }, histories, { now: sh('2026-03-03T10:00'), evaluate: evaluatorWith() });
    expect(report).toEqual({ changes: [], unchanged: 2, rearm: [] });
  });
});
