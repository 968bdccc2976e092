/**
 * Calendar preview of an SLA policy: for a start instant, each goal's due instant, its warning
 * instants and the breach ladder, from `@estateflow/sla` (`selectDeadline`, `resolveDeadline`,
 * `timeBaseOf`) over the estate's calendars (+ the built-in `cn-statutory`). Tolerates a policy
 * in the middle of an edit: a goal that cannot be computed carries its error instead.
 */
import { resolveDeadline, selectDeadline, timeBaseOf, type CalendarSource, type Deadline } from '@estateflow/sla';
import { evaluateExpr } from '@estateflow/expr';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { percentOf, type Metric, type Policy } from './policy-doc.ts';

export { percentOf };
export type WarningAt = { percent: number; at: Date };
export type RungAt = { rung: number; at: Date; notify: readonly string[] };
export type GoalPreview = { when?: string; due?: Date; timeBase?: 'wall' | 'working'; warnings: WarningAt[]; ladder: RungAt[]; error?: Text };
export type MetricPreview = { metric: Metric; calendarId: string; goals: GoalPreview[] };

export function previewPolicy(policy: Policy, from: Date, calendars: CalendarSource, params: Record<string, unknown>): MetricPreview[] {
  return (Array.isArray(policy.metrics) ? policy.metrics : []).map((metric) => {
    const calendarId = metric.calendar || policy.calendar || 'cn-statutory';
    const env = { calendars, calendarId, evaluate: (expr: string) => evaluateExpr(expr, { params, context: {}, now: from }) };
    const goals = (Array.isArray(metric.goals) ? metric.goals : []).map((goal): GoalPreview => {
      const out: GoalPreview = { warnings: [], ladder: [], ...(goal.when ? { when: goal.when } : {}) };
      try {
        const deadline = goal.deadline as unknown as Deadline;
        const chosen = selectDeadline(deadline, env);
        const due = resolveDeadline(deadline, from, env);
        if (Number.isNaN(due.getTime())) throw new Error('invalid deadline');
        const base = timeBaseOf(chosen.deadline, env);
        const budget = base.between(from.getTime(), due.getTime());
        out.due = due;
        out.timeBase = base.kind;
        out.warnings = (metric.warnings ?? []).filter((w) => Number.isFinite(percentOf(w))).map((w) => {
          const percent = percentOf(w);
          return { percent, at: new Date(base.add(from.getTime(), Math.round((budget * percent) / 100))) };
        });
        out.ladder = (metric.onBreach?.ladder ?? []).map((r, i) => ({ rung: i + 1, at: resolveDeadline(r.after as unknown as Deadline, due, env), notify: r.notify ?? [] }));
      } catch (e) {
        const messages = (e as { messages?: Text }).messages;
        const plain = e instanceof Error ? e.message : String(e);
        out.error = messages?.zh && messages.en ? messages : { zh: plain, en: plain };
      }
      return out;
    });
    return { metric, calendarId, goals };
  });
}
