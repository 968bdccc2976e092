/** SLA clocks of a scenario run, from `@estateflow/sla`, for the timeline. */
import { evaluateExpr } from '@estateflow/expr';
import { localTime } from './local-time.ts';
import { computeClocks, type ClockStatus, type SlaHistoryEntry, type SlaPolicy } from '@estateflow/sla';

const fmt = (ms: number) => {
  const neg = ms < 0;
  let m = Math.round(Math.abs(ms) / 60_000);
  const d = Math.floor(m / 1440);
  m -= d * 1440;
  const h = Math.floor(m / 60);
  m -= h * 60;
  return `${neg ? '-' : ''}${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m || (!d && !h) ? `${m}m` : ''}`;
};

/** One line per metric: status, time left or over, due instant. Expression failures become notes. */
export function clockLines(policies: readonly SlaPolicy[], history: readonly SlaHistoryEntry[], now: string, params: Record<string, unknown>, endedAt?: string): string[] {
  const lines: string[] = [];
  for (const policy of policies) {
    let clocks;
    try {
      clocks = computeClocks(policy, history, {
        now: new Date(now),
        endedAt: endedAt === undefined ? undefined : new Date(endedAt),
        evaluate: (expr, scope) => evaluateExpr(expr, { event: scope.event, context: scope.context, now: scope.now, params }),
      });
    } catch (e) {
      lines.push(`${policy.id}: ${(e as Error).message}`);
      continue;
    }
    for (const c of clocks) {
      if (c.status === 'pending') continue;
      const left = c.remainingMs === undefined ? '' : c.remainingMs < 0 ? ` over by ${fmt(-c.remainingMs)}` : ` ${fmt(c.remainingMs)} left`;
      const due = c.dueAt ? ` (due ${localTime(c.dueAt.toISOString())})` : '';
      lines.push(`${policy.id}/${c.metricId} ${c.status}${c.breached && c.status !== 'breached' ? ' (breached)' : ''}${left}${due}`);
    }
  }
  return lines;
}

/** A clock as `expect.clocks` sees it. */
export type ObservedClock = { policy: string; metric: string; status: ClockStatus; due?: string };

/** Every metric's clock as of `now` (policies that fail to compute are left out; the timeline names them). */
export function clocksAt(policies: readonly SlaPolicy[], history: readonly SlaHistoryEntry[], now: string, params: Record<string, unknown>, endedAt?: string): ObservedClock[] {
  return policies.flatMap((policy) => {
    try {
      return computeClocks(policy, history, {
        now: new Date(now),
        endedAt: endedAt === undefined ? undefined : new Date(endedAt),
        evaluate: (expr, scope) => evaluateExpr(expr, { event: scope.event, context: scope.context, now: scope.now, params }),
      }).map((c) => ({ policy: policy.id, metric: c.metricId, status: c.status, ...(c.dueAt ? { due: c.dueAt.toISOString() } : {}) }));
    } catch {
      return [];
    }
  });
}
