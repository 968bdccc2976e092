/**
 * Calendar preview of an SLA policy: for a start instant, each goal's due instant, its warning
 * instants and the breach ladder, from `@estateflow/sla` (`selectDeadline`, `resolveDeadline`,
 * `timeBaseOf`) over the estate's calendars (+ the built-in `cn-statutory`).
 */
import { resolveDeadline, selectDeadline, timeBaseOf, type CalendarSource, type Deadline, type Metric, type SlaPolicy } from '@estateflow/sla';
import { evaluateExpr } from '@estateflow/expr';

export type WarningAt = { percent: number; at: Date };
export type GoalPreview = { when?: string; deadline: Deadline; due?: Date; timeBase?: 'wall' | 'working'; warnings: WarningAt[]; ladder: { rung: number; at: Date; notify: readonly string[] }[]; error?: string };
export type MetricPreview = { metric: Metric; calendarId: string; goals: GoalPreview[] };

export const percentOf = (w: Metric['warnings'] extends readonly (infer W)[] | undefined ? W : never): number => (typeof w === 'number' ? w : w.percent);

export function previewPolicy(policy: SlaPolicy, from: Date, calendars: CalendarSource, params: Record<string, unknown>): MetricPreview[] {
  return policy.metrics.map((metric) => {
    const calendarId = metric.calendar ?? policy.calendar ?? 'cn-statutory';
    const env = { calendars, calendarId, evaluate: (expr: string) => evaluateExpr(expr, { params, context: {}, now: from }) };
    const goals = metric.goals.map((goal): GoalPreview => {
      const out: GoalPreview = { deadline: goal.deadline, warnings: [], ladder: [], ...(goal.when ? { when: goal.when } : {}) };
      try {
        const chosen = selectDeadline(goal.deadline, env);
        const due = resolveDeadline(goal.deadline, from, env);
        const base = timeBaseOf(chosen.deadline, env);
        const budget = base.between(from.getTime(), due.getTime());
        out.due = due;
        out.timeBase = base.kind;
        out.warnings = (metric.warnings ?? []).map((w) => {
          const percent = percentOf(w);
          return { percent, at: new Date(base.add(from.getTime(), Math.round((budget * percent) / 100))) };
        });
        out.ladder = (metric.onBreach?.ladder ?? []).map((r, i) => ({ rung: i + 1, at: resolveDeadline(r.after, due, env), notify: r.notify }));
      } catch (e) {
        out.error = e instanceof Error ? e.message : String(e);
      }
      return out;
    });
    return { metric, calendarId, goals };
  });
}

/** A deadline in a few words (for the goal list). */
export function describeDeadline(d: Deadline, zh: boolean): string {
  const units: Record<string, [string, string]> = { minutes: ['分钟', 'min'], hours: ['小时', 'h'], days: ['天', 'days'], weeks: ['周', 'weeks'], months: ['个月', 'months'], years: ['年', 'years'] };
  const r = d as Record<string, unknown>;
  if ('cases' in r) return zh ? '按条件选择' : 'by case';
  if (r.after && typeof r.after === 'object') {
    const a = r.after as { amount: unknown; unit: string };
    const u = units[a.unit] ?? [a.unit, a.unit];
    return `${String(a.amount)} ${zh ? u[0] : u[1]}${r.working ? (zh ? '（工作时间）' : ' (working time)') : ''}`;
  }
  if (r.endOfDay) return zh ? '当天结束前' : 'by the end of the day';
  if (r.at) return zh ? `${String(r.at)} 前` : `by ${String(r.at)}`;
  if (r.dayOfMonth) return zh ? `${String(r.monthsAhead ?? 0)} 个月后的 ${String(r.dayOfMonth)} 日` : `day ${String(r.dayOfMonth)}, ${String(r.monthsAhead ?? 0)} month(s) ahead`;
  if (r.expr) return `CEL: ${String(r.expr)}`;
  return JSON.stringify(d);
}
