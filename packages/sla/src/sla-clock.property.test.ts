import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeClocks } from './sla-clock.ts';
import type { SlaHistoryEntry } from './sla-history.ts';
import type { SlaPolicy } from './sla-policy.ts';
import { calendars, evaluatorWith } from './test-support.ts';

const policy = (working: boolean): SlaPolicy => ({
  kind: 'sla',
  id: 'p',
  calendar: 'cn-office',
  metrics: [
    {
      id: 'm',
      start: [{ enter: 'open' }],
      pause: [{ enter: 'waiting' }],
      resume: [{ leave: 'waiting' }],
      stop: [{ enter: 'done' }],
      goals: [{ deadline: working ? { after: { amount: 6, unit: 'hours' }, working: true } : { after: { amount: 20, unit: 'hours' } } }],
      warnings: [50],
    },
  ],
});

const T0 = Date.parse('2026-09-24T09:00:00+08:00');
const MIN = 60_000;
/** A start, then alternating pauses and resumes at increasing offsets (minutes). */
const histories = fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 8 }).map((gaps) => {
  const history: SlaHistoryEntry[] = [{ at: new Date(T0), type: 'OPEN', state: 'open' }];
  let t = T0;
  gaps.forEach((gap, i) => {
    t += gap * MIN;
    history.push({ at: new Date(t), type: i % 2 === 0 ? 'WAIT' : 'BACK', state: i % 2 === 0 ? 'waiting' : 'open' });
  });
  return { history, last: t };
});
const evaluate = evaluatorWith();
const clockAt = (working: boolean, history: SlaHistoryEntry[], now: number) => {
  const [clock] = computeClocks(policy(working), history, { now: new Date(now), calendars, evaluate });
  if (!clock) throw new Error('no clock');
  return clock;
};

describe('SLA clock properties', () => {
  it('splits wall time since the start into elapsed and paused time', () => {
    fc.assert(
      fc.property(histories, fc.integer({ min: 0, max: 3000 }), ({ history, last }, after) => {
        const now = last + after * MIN;
        const clock = clockAt(false, history, now);
        expect(clock.elapsedMs + clock.pausedMs).toBe(now - T0);
        expect(clock.elapsedMs + (clock.remainingMs ?? 0)).toBe(clock.budgetMs);
      }),
      { numRuns: 150 },
    );
  });

  it('breaches a running clock exactly at its due instant and not a millisecond before, wall or working time', () => {
    fc.assert(
      fc.property(histories, fc.boolean(), ({ history, last }, working) => {
        const running = clockAt(working, history, last);
        if (running.status !== 'running' || !running.dueAt || running.dueAt.getTime() <= last) return;
        const due = running.dueAt.getTime();
        expect(clockAt(working, history, due - 1).status).toBe('running');
        expect(clockAt(working, history, due).status).toBe('breached');
        expect(clockAt(working, history, due).elapsedMs).toBe(running.budgetMs);
      }),
      { numRuns: 150 },
    );
  });

  it('never decreases elapsed time as now moves on', () => {
    fc.assert(
      fc.property(histories, fc.boolean(), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), ({ history }, working, a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        expect(clockAt(working, history, T0 + x * MIN).elapsedMs).toBeLessThanOrEqual(clockAt(working, history, T0 + y * MIN).elapsedMs);
      }),
      { numRuns: 150 },
    );
  });
});
