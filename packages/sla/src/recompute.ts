import type { CalendarSource } from './calendar-source.ts';
import { type Clock, computeClocks, type SlaEvaluate } from './sla-clock.ts';
import type { SlaHistoryEntry } from './sla-history.ts';
import type { SlaPolicy } from './sla-policy.ts';

/** A policy with the calendars it runs on: one side of a recompute. */
export interface PolicyVersion {
  readonly policy: SlaPolicy;
  readonly calendars?: CalendarSource;
}

export interface ClockChange {
  readonly instanceId: string;
  readonly metricId: string;
  /** Fields whose value differs: status, dueAt, breachedAt, budgetMs, elapsedMs, warningsReached, goal. */
  readonly fields: readonly string[];
  readonly before: Clock | undefined;
  readonly after: Clock | undefined;
}

export interface RecomputeReport {
  readonly changes: readonly ClockChange[];
  readonly unchanged: number;
  /** Open clocks whose timers must be re-armed: cancel the old `nextInstants`, arm these. */
  readonly rearm: readonly { readonly instanceId: string; readonly metricId: string; readonly nextInstants: Clock['nextInstants'] }[];
}

const time = (d: Date | undefined): number | undefined => d?.getTime();

function diff(a: Clock | undefined, b: Clock | undefined): string[] {
  if (!a || !b) return ['metric'];
  const fields: string[] = [];
  if (a.status !== b.status) fields.push('status');
  if (a.goal !== b.goal) fields.push('goal');
  if (time(a.dueAt) !== time(b.dueAt)) fields.push('dueAt');
  if (time(a.breachedAt) !== time(b.breachedAt)) fields.push('breachedAt');
  if (a.budgetMs !== b.budgetMs) fields.push('budgetMs');
  if (a.elapsedMs !== b.elapsedMs) fields.push('elapsedMs');
  if (a.warningsReached.join() !== b.warningsReached.join()) fields.push('warningsReached');
  return fields;
}

/**
 * Recomputes every instance's clocks under an old and a new policy (or calendar) from history
 * and reports what changed: open clocks get new due instants to re-arm, closed ones may flip
 * between met and breached. Pure: it changes nothing, the caller applies the report.
 * @example
 * const report = recompute({ policy: v1, calendars }, { policy: v2, calendars }, [{ instanceId, history }], { now, evaluate });
 */
export function recompute(
  before: PolicyVersion,
  after: PolicyVersion,
  histories: readonly { readonly instanceId: string; readonly history: readonly SlaHistoryEntry[]; readonly endedAt?: Date | undefined }[],
  options: { readonly now: Date; readonly evaluate: SlaEvaluate },
): RecomputeReport {
  const changes: ClockChange[] = [];
  const rearm: { instanceId: string; metricId: string; nextInstants: Clock['nextInstants'] }[] = [];
  let unchanged = 0;
  for (const { instanceId, history, endedAt } of histories) {
    const old = computeClocks(before.policy, history, { ...options, endedAt, calendars: before.calendars });
    const next = computeClocks(after.policy, history, { ...options, endedAt, calendars: after.calendars });
    const ids = new Set([...old.map((c) => c.metricId), ...next.map((c) => c.metricId)]);
    for (const metricId of ids) {
      const a = old.find((c) => c.metricId === metricId);
      const b = next.find((c) => c.metricId === metricId);
      const fields = diff(a, b);
      if (fields.length === 0) {
        unchanged += 1;
        continue;
      }
      changes.push({ instanceId, metricId, fields, before: a, after: b });
      const armedBefore = (a?.nextInstants ?? []).map((t) => `${t.kind}@${t.at.getTime()}`).join();
      const armedAfter = (b?.nextInstants ?? []).map((t) => `${t.kind}@${t.at.getTime()}`).join();
      if (armedBefore !== armedAfter) rearm.push({ instanceId, metricId, nextInstants: b?.nextInstants ?? [] });
    }
  }
  return { changes, unchanged, rearm };
}
