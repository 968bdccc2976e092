import { describe, expect, it } from 'vitest';
import { computeClocks } from './sla-clock.ts';
import type { SlaHistoryEntry } from './sla-history.ts';
import type { SlaPolicy } from './sla-policy.ts';
import { calendars, evaluatorWith, sh } from './test-support.ts';

const H = 3_600_000;

const complaintPolicy: SlaPolicy = {
  kind: 'sla',
  id: 'complaint-clocks',
  title: { zh: '投诉时限', en: 'Complaint clocks' },
  workflow: 'complaint',
  calendar: 'cn-office',
  metrics: [
    {
      id: 'resolve',
      start: [{ enter: 'registered' }],
      pause: [{ enter: 'waitingResident' }],
      resume: [{ leave: 'waitingResident' }],
      stop: [{ enter: 'resolved' }],
      reset: [{ event: 'REOPEN' }],
      goals: [
        { when: "has(context.grade) && context.grade == 'major'", deadline: { after: { amount: 10, unit: 'days' } } },
        { when: "has(context.grade) && context.grade == 'important'", deadline: { after: { amount: 3, unit: 'days' } } },
        { deadline: { after: { amount: 3, unit: 'days' }, working: true } },
      ],
      warnings: [50, 80],
      onBreach: {
        once: true,
        ladder: [
          { after: { after: { amount: 0, unit: 'minutes' } }, notify: ['cs_manager'] },
          { after: { after: { amount: 1, unit: 'days' } }, notify: ['property_manager'] },
        ],
      },
    },
  ],
};

const entry = (at: string, type: string, state: string, context: Record<string, unknown> = {}): SlaHistoryEntry => ({
  at: sh(at),
  type,
  state,
  context,
});

const clockAt = (policy: SlaPolicy, history: SlaHistoryEntry[], now: string) => {
  const [clock] = computeClocks(policy, history, { now: sh(now), calendars, evaluate: evaluatorWith() });
  if (!clock) throw new Error('no clock');
  return clock;
};

describe('SLA clocks', () => {
  it('says whether a goal is a duration ("within 3 working days") or an instant ("by the 10th"), whose budget is only the time to it', () => {
    const history = [entry('2026-09-25T17:50', 'REGISTER', 'registered', { grade: 'minor' })];
    expect(clockAt(complaintPolicy, history, '2026-09-28T09:00').goalKind).toBe('duration');
    const byTenth: SlaPolicy = { ...complaintPolicy, metrics: [{ ...complaintPolicy.metrics[0]!, goals: [{ deadline: { dayOfMonth: 10, monthsAhead: 1 } }] }] };
    const clock = clockAt(byTenth, history, '2026-09-28T09:00');
    expect(clock.goalKind).toBe('instant');
    expect(clock.dueAt?.getTime()).toBe(sh('2026-10-11T00:00').getTime()); // by the end of the 10th
  });

  it('runs a 3-working-day clock from a complaint on Friday 2026-09-25 17:50 to 17:30 on 2026-09-30', () => {
    const history = [entry('2026-09-25T17:50', 'REGISTER', 'registered', { grade: 'minor' })];
    const clock = clockAt(complaintPolicy, history, '2026-09-28T09:00');
    expect(clock.status).toBe('running');
    expect(clock.timeBase).toBe('working');
    expect(clock.budgetMs).toBe(22.5 * H);
    expect(clock.elapsedMs).toBe(0.5 * H);
    expect(clock.dueAt).toEqual(sh('2026-09-30T17:30'));
    expect(clock.warnings.map((w) => w.at)).toEqual([sh('2026-09-29T13:45'), sh('2026-09-30T11:30')]);
    expect(clock.nextInstants.map((i) => [i.kind, i.at])).toEqual([
      ['warning', sh('2026-09-29T13:45')],
      ['warning', sh('2026-09-30T11:30')],
      ['breach', sh('2026-09-30T17:30')],
      ['escalation', sh('2026-09-30T17:30')],
      ['escalation', sh('2026-10-01T17:30')],
    ]);
  });

  it('is breached at the due instant itself, so a timer firing then records the breach', () => {
    const history = [entry('2026-09-25T17:50', 'REGISTER', 'registered')];
    const clock = clockAt(complaintPolicy, history, '2026-09-30T17:30');
    expect(clock.status).toBe('breached');
    expect(clock.breachedAt).toEqual(sh('2026-09-30T17:30'));
    expect(clock.breachRecorded).toBe(true);
    expect(clock.warningsReached).toEqual([50, 80]);
    expect(clock.nextInstants.map((i) => [i.kind, i.rung])).toEqual([['escalation', 1]]);
  });

  it('counts the make-up Saturday 2026-10-10 as working time of an open clock (due Tuesday 2026-10-13)', () => {
    const history = [entry('2026-10-09T16:30', 'REGISTER', 'registered')];
    const clock = clockAt(complaintPolicy, history, '2026-10-10T09:30');
    expect(clock.elapsedMs).toBe(2 * H);
    expect(clock.dueAt).toEqual(sh('2026-10-13T16:30'));
  });

  it('meets the goal when stopped in time and reports no instants to arm', () => {
    const history = [
      entry('2026-03-02T10:00', 'REGISTER', 'registered', { grade: 'important' }),
      entry('2026-03-04T09:00', 'RESOLVE', 'resolved', { grade: 'important' }),
    ];
    const clock = clockAt(complaintPolicy, history, '2026-03-20T10:00');
    expect(clock.status).toBe('met');
    expect(clock.goal).toBe(1);
    expect(clock.elapsedMs).toBe(47 * H);
    expect(clock.nextInstants).toEqual([]);
  });

  it('pauses across midnight while waiting for the resident and pushes the due instant by the pause', () => {
    const history = [
      entry('2026-03-02T10:00', 'REGISTER', 'registered', { grade: 'important' }),
      entry('2026-03-02T23:00', 'ASK_RESIDENT', 'waitingResident', { grade: 'important' }),
      entry('2026-03-03T01:30', 'RESIDENT_ANSWERED', 'registered', { grade: 'important' }),
    ];
    const during = clockAt(complaintPolicy, history.slice(0, 2), '2026-03-03T00:30');
    expect(during.status).toBe('paused');
    expect(during.elapsedMs).toBe(13 * H);
    expect(during.pausedMs).toBe(1.5 * H);
    expect(during.nextInstants).toEqual([]);
    const after = clockAt(complaintPolicy, history, '2026-03-03T02:00');
    expect(after.status).toBe('running');
    expect(after.pausedMs).toBe(2.5 * H);
    expect(after.dueAt).toEqual(sh('2026-03-05T12:30'));
  });

  it('chooses the goal by grade when the grade is set after the clock started', () => {
    const history = [
      entry('2026-03-02T10:00', 'REGISTER', 'registered', {}),
      entry('2026-03-02T10:20', 'TRIAGE', 'registered', { grade: 'major' }),
    ];
    const clock = clockAt(complaintPolicy, history, '2026-03-02T11:00');
    expect(clock.goal).toBe(0);
    expect(clock.dueAt).toEqual(sh('2026-03-12T10:00'));
  });

  it('records a breach once across a reopen when once is true, and again when it is false', () => {
    const history = [
      entry('2026-03-02T10:00', 'REGISTER', 'registered', { grade: 'important' }),
      entry('2026-03-06T10:00', 'RESOLVE', 'resolved', { grade: 'important' }),
      entry('2026-03-07T10:00', 'REOPEN', 'registered', { grade: 'important' }),
    ];
    const once = clockAt(complaintPolicy, history, '2026-03-11T10:00');
    expect(once.cycles).toHaveLength(1);
    expect(once.cycles[0]?.breachedAt).toEqual(sh('2026-03-05T10:00'));
    expect(once.status).toBe('breached');
    expect(once.breachRecorded).toBe(false);
    const rearmed: SlaPolicy = {
      ...complaintPolicy,
      metrics: complaintPolicy.metrics.map((m) => ({ ...m, onBreach: { ...m.onBreach, once: false } })),
    };
    const again = clockAt(rearmed, history, '2026-03-11T10:00');
    expect(again.breachRecorded).toBe(true);
    expect(again.breachedAt).toEqual(sh('2026-03-10T10:00'));
    const beforeSecondBreach = clockAt(complaintPolicy, history, '2026-03-08T10:00');
    // Warnings still fire in the new cycle; the breach and its ladder are not armed again.
    expect(beforeSecondBreach.nextInstants.map((i) => i.kind)).toEqual(['warning', 'warning']);
    expect(clockAt(rearmed, history, '2026-03-08T10:00').nextInstants.map((i) => i.kind)).toEqual(['warning', 'warning', 'breach', 'escalation', 'escalation']);
  });

  it('stays pending until the start condition holds and reads nested state values', () => {
    const history: SlaHistoryEntry[] = [
      { at: sh('2026-03-02T09:00'), type: 'CREATE', state: 'intake' },
      { at: sh('2026-03-02T09:05'), type: 'ACCEPT', state: { handling: 'registered' } },
    ];
    expect(clockAt(complaintPolicy, history.slice(0, 1), '2026-03-02T09:10').status).toBe('pending');
    expect(clockAt(complaintPolicy, history, '2026-03-02T09:10').startedAt).toEqual(sh('2026-03-02T09:05'));
  });

  it('counts a goal condition that reads a missing field as false and reports it as an issue', () => {
    const strict: SlaPolicy = {
      ...complaintPolicy,
      metrics: complaintPolicy.metrics.map((m) => ({ ...m, goals: [{ when: "context.grade == 'major'", deadline: { after: { amount: 10, unit: 'days' } } }, { deadline: { after: { amount: 2, unit: 'days' } } }] })),
    };
    const clock = clockAt(strict, [entry('2026-03-02T10:00', 'REGISTER', 'registered', {})], '2026-03-02T11:00');
    expect(clock.goal).toBe(1);
    expect(clock.dueAt).toEqual(sh('2026-03-04T10:00'));
    expect(clock.issues.map((i) => i.path)).toEqual(['/metrics/0/goals/0/when']);
    expect(clock.issues[0]?.error.messages.en).toContain('counts as false');
  });

  it('PS-3: a 15-minute notice clock started by intake and stopped by an event', () => {
    const policy: SlaPolicy = {
      kind: 'sla',
      id: 'paid-service',
      metrics: [{ id: 'notify-customer', start: [{ enter: 'intake' }], stop: [{ event: 'CUSTOMER_TOLD' }], goals: [{ deadline: { after: { amount: 15, unit: 'minutes' } } }] }],
    };
    const intake = { at: sh('2026-03-02T09:50'), type: 'CREATE', state: 'intake' };
    expect(clockAt(policy, [intake, { at: sh('2026-03-02T10:04'), type: 'CUSTOMER_TOLD', state: 'intake' }], '2026-03-02T12:00').status).toBe('met');
    const late = clockAt(policy, [intake, { at: sh('2026-03-02T10:06'), type: 'CUSTOMER_TOLD', state: 'intake' }], '2026-03-02T12:00');
    expect(late.status).toBe('breached');
    expect(late.breachedAt).toEqual(sh('2026-03-02T10:05'));
  });

  it('RP-2: reads the on-site limit from the estate parameter', () => {
    const policy: SlaPolicy = {
      kind: 'sla',
      id: 'repair',
      metrics: [{ id: 'on-site', start: [{ enter: 'dispatched' }], stop: [{ enter: 'onSite' }], goals: [{ deadline: { after: { amount: 'params.onSiteMinutes', unit: 'minutes' } } }] }],
    };
    const history = [{ at: sh('2026-03-02T09:00'), type: 'DISPATCH', state: 'dispatched' }];
    const clock = (minutes: number) =>
      computeClocks(policy, history, { now: sh('2026-03-02T09:01'), calendars, evaluate: evaluatorWith({ onSiteMinutes: minutes }) })[0]?.dueAt;
    expect(clock(10)).toEqual(sh('2026-03-02T09:10'));
    expect(clock(30)).toEqual(sh('2026-03-02T09:30'));
  });

  it('starts a clock on an expression condition', () => {
    const policy: SlaPolicy = {
      kind: 'sla',
      id: 'leak',
      metrics: [{ id: 'revisit', start: [{ expr: "event.type == 'LEAK_TEST' && event.data.passed == true" }], stop: [{ event: 'REVISITED' }], goals: [{ deadline: { after: { amount: 3, unit: 'days' } } }] }],
    };
    const history: SlaHistoryEntry[] = [
      { at: sh('2026-03-02T09:00'), type: 'LEAK_TEST', state: 'testing', data: { passed: false } },
      { at: sh('2026-03-03T10:00'), type: 'LEAK_TEST', state: 'testing', data: { passed: true } },
    ];
    expect(clockAt(policy, history, '2026-03-03T11:00').dueAt).toEqual(sh('2026-03-06T10:00'));
  });
});

describe('a request that ends', () => {
  // a repair clock whose stop condition names a state this path never shows (as a free repair skips billing)
  const policy: SlaPolicy = {
    kind: 'sla', id: 'repair-clocks', workflow: 'repair',
    metrics: [{
      id: 'complete', start: [{ event: 'CLASSIFY' }], stop: [{ enter: 'billing' }],
      goals: [{ deadline: { after: { amount: 2, unit: 'hours' } } }], warnings: [50, 80],
      onBreach: { ladder: [{ after: { after: { amount: 1, unit: 'days' } }, notify: ['property_manager'] }] },
    }],
  };
  const history = [
    entry('2026-05-06T09:00', 'start', 'received'),
    entry('2026-05-06T09:05', 'CLASSIFY', 'work'),
    entry('2026-05-06T09:55', 'ACCEPTANCE', 'revisit'),
    entry('2026-05-07T10:00', 'REVISIT', 'closed'),
  ];
  const at = (now: string, endedAt?: string) => computeClocks(policy, history, { now: sh(now), calendars, evaluate: evaluatorWith(), endedAt: endedAt ? sh(endedAt) : undefined })[0]!;

  it('stops every clock still running when it ends, and arms nothing after', () => {
    const open = at('2026-05-07T10:00');
    expect(open.status).toBe('breached');
    expect(open.nextInstants.map((i) => i.kind)).toEqual(['escalation']);
    const ended = at('2026-05-07T10:00', '2026-05-07T10:00');
    expect(ended.status).toBe('breached');
    expect(ended.stoppedAt).toEqual(sh('2026-05-07T10:00'));
    expect(ended.nextInstants).toEqual([]);
    expect(ended.escalations).toEqual([]);
  });

  it('a clock whose request ends (cancelled, withdrawn) before its stop condition and within its goal is stopped, not met, and arms nothing', () => {
    const early = computeClocks(policy, history.slice(0, 2), { now: sh('2026-05-06T09:30'), calendars, evaluate: evaluatorWith(), endedAt: sh('2026-05-06T09:30') })[0]!;
    expect(early.status).toBe('stopped');
    expect(early.breached).toBe(false);
    expect(early.stoppedAt).toEqual(sh('2026-05-06T09:30'));
    expect(early.elapsedMs).toBe(25 * 60_000);
    expect(early.nextInstants).toEqual([]);
    // the same history not ended would still wait for its 50 % warning, 80 % warning and breach
    const running = computeClocks(policy, history.slice(0, 2), { now: sh('2026-05-06T09:30'), calendars, evaluate: evaluatorWith() })[0]!;
    expect(running.nextInstants.map((i) => i.kind)).toEqual(['warning', 'warning', 'breach', 'escalation']);
  });

  it('a clock whose own stop condition held within the goal is met, even once the request has ended', () => {
    const met = computeClocks(policy, [...history.slice(0, 2), entry('2026-05-06T09:40', 'PRICE', 'billing')], { now: sh('2026-05-06T10:00'), calendars, evaluate: evaluatorWith(), endedAt: sh('2026-05-06T10:00') })[0]!;
    expect(met.status).toBe('met');
  });
});
