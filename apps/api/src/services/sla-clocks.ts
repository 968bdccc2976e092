import { and, asc, eq } from 'drizzle-orm';
import { events, historySince, type DbOrTx, type Instance } from '@estateflow/db';
import { evaluateExpr } from '@estateflow/expr';
import { computeClocks, describePaths, type CalendarSource, type Clock, type SlaEvaluate, type SlaHistoryEntry, type SlaPolicy } from '@estateflow/sla';
import { estateCalendars } from './definition-store.ts';
import { CompiledCache } from './compiled-cache.ts';
import { estateContext } from '../store/index.ts';
import { policiesOf } from './sla-timers.ts';

// the pinned version's parameter values (bundle install over the workflow's defaults), as the engine and the SLA timers see them
// made on first use, not at import: compiled-cache.ts reaches this module back through definition-store.ts
// (→ sla-rearm-job.ts → rollups.ts), so at import time the class may not be defined yet
let pinnedParamsCache: CompiledCache | undefined;
const pinnedParams = () => (pinnedParamsCache ??= new CompiledCache());

export type ClockView = {
  policy: string;
  metricId: string;
  status: Clock['status'];
  timeBase: Clock['timeBase'];
  startedAt: string | null;
  stoppedAt: string | null;
  dueAt: string | null;
  budgetMs: number | null;
  goalKind: 'duration' | 'instant' | null;
  elapsedMs: number;
  remainingMs: number | null;
  pausedMs: number;
};

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/** The SLA policies of an estate bound to a workflow (`ef_bound_sla`, the rule's one definition), with their documents. */
export async function policiesFor(db: DbOrTx, tenantId: string, estateId: string, workflowKey: string): Promise<{ key: string; policy: SlaPolicy }[]> {
  const { sla } = await estateContext(db, tenantId, estateId, workflowKey);
  return sla ? policiesOf(db, tenantId, sla) : [];
}

/**
 * CEL for an instance's SLA expressions (metric conditions, goals' `when`, deadline amounts): the
 * workflow's variables as its guards see them, `instance.state` being the states active after the
 * history entry the expression is evaluated for (as `event` and `context` are that entry's).
 */
export function slaEvaluate(inst: Pick<Instance, 'id' | 'estateId' | 'unitId' | 'startedAt'>, params: Record<string, unknown>): SlaEvaluate {
  const base = { id: inst.id, estateId: inst.estateId, unitId: inst.unitId, startedAt: inst.startedAt };
  return (expr, scope) => evaluateExpr(expr, { event: scope.event, context: scope.context, now: scope.now, params, instance: { ...base, state: describePaths(scope.state) } });
}

/** The history rows the clocks read (the `events` columns they need). */
export type ClockHistoryRow = { at: Date; type: string; data: Record<string, unknown>; stateAfter: unknown };

/** What an instance's clocks are computed with besides its history: the bound policies, the estate's calendars, the pinned parameters. */
export interface ClockInputs {
  policies: { key: string; policy: SlaPolicy }[];
  calendars: CalendarSource;
  params: Record<string, unknown>;
}

/** The SLA clocks of an instance from its history and inputs, as of `now` (pure). */
export function clocksFromHistory(inst: Instance, rows: readonly ClockHistoryRow[], inputs: ClockInputs, now: Date): { clocks: ClockView[]; issues: unknown[] } {
  const context = ((inst.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data ?? {}) as Record<string, unknown>;
  const history: SlaHistoryEntry[] = rows.map((e) => ({ at: e.at, type: e.type, state: (e.stateAfter ?? inst.state) as SlaHistoryEntry['state'], data: e.data, context }));
  const clocks: ClockView[] = [];
  const issues: unknown[] = [];
  for (const { key, policy } of inputs.policies) {
    try {
      const result = computeClocks(policy, history, {
        now,
        endedAt: inst.endedAt ?? undefined,
        calendars: inputs.calendars,
        evaluate: slaEvaluate(inst, inputs.params),
      });
      for (const c of result) {
        clocks.push({
          policy: key, metricId: c.metricId, status: c.status, timeBase: c.timeBase, startedAt: iso(c.startedAt), stoppedAt: iso(c.stoppedAt),
          dueAt: iso(c.dueAt), budgetMs: c.budgetMs ?? null, goalKind: c.goalKind ?? null, elapsedMs: c.elapsedMs, remainingMs: c.remainingMs ?? null, pausedMs: c.pausedMs,
        });
        for (const i of c.issues) issues.push({ policy: key, path: i.path, message: i.error.messages });
      }
    } catch (e) {
      issues.push({ policy: key, message: { zh: `SLA 计算失败：${(e as Error).message}`, en: `SLA computation failed: ${(e as Error).message}` } });
    }
  }
  return { clocks, issues };
}

/**
 * The inputs of many instances' clocks, each read once: policies per estate and workflow,
 * calendars per estate, parameters per pinned version (a report over thousands of instances
 * reads them a handful of times, not per instance).
 */
export class ClockInputCache {
  private readonly policies = new Map<string, Promise<{ key: string; policy: SlaPolicy }[]>>();
  private readonly calendars = new Map<string, Promise<CalendarSource>>();
  constructor(private readonly db: DbOrTx) {}

  /** undefined when no policy is bound to the instance's workflow (its clocks are none) */
  async of(inst: Instance): Promise<ClockInputs | undefined> {
    const pk = `${inst.tenantId}/${inst.estateId}/${inst.workflowKey}`;
    let p = this.policies.get(pk);
    if (!p) this.policies.set(pk, (p = policiesFor(this.db, inst.tenantId, inst.estateId, inst.workflowKey)));
    const policies = await p;
    if (policies.length === 0) return undefined;
    const ck = `${inst.tenantId}/${inst.estateId}`;
    let cal = this.calendars.get(ck);
    if (!cal) this.calendars.set(ck, (cal = estateCalendars(this.db, inst.tenantId, inst.estateId).then((c) => Object.values(c) as unknown as CalendarSource)));
    const params = await pinnedParams().get(this.db, inst.tenantId, inst.definitionVersionId).then((x) => x.params, () => ({}));
    return { policies, calendars: await cal, params };
  }
}

/**
 * The SLA clocks of an instance, computed from its history (the history is the truth): each
 * metric's status, due instant and remaining time as of `now`.
 */
export async function clocksOf(db: DbOrTx, inst: Instance, now: Date): Promise<{ clocks: ClockView[]; issues: unknown[] }> {
  const inputs = await new ClockInputCache(db).of(inst);
  if (!inputs) return { clocks: [], issues: [] };
  const rows = await db.select().from(events).where(and(eq(events.tenantId, inst.tenantId), eq(events.instanceId, inst.id), historySince(inst.startedAt))).orderBy(asc(events.seq));
  return clocksFromHistory(inst, rows, inputs, now);
}
