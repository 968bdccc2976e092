import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { definitionVersions, type DbOrTx, type Instance, type Timer } from '@estateflow/db';
import { evaluateExpr, renderTemplate } from '@estateflow/expr';
import { computeClocks, describePaths, statePaths, type CalendarSource, type Clock, type ClockInstant, type SlaHistoryEntry, type SlaPolicy, type StateValue } from '@estateflow/sla';
import type { Recipient } from '@estateflow/engine';
import { slaEvaluate } from './sla-clocks.ts';
import type { AuditWrite, HistoryRow, InstanceContext, OutboxWrite, SlaTimersWrite, SlaTimerWrite, WriteExtras } from '../store/index.ts';

type Text = { zh: string; en: string };
type SlaKind = ClockInstant['kind'];

/** What an SLA timer carries in `timers.data`. */
export interface SlaTimerData {
  policy: string;
  metric: string;
  kind: SlaKind;
  percent?: number;
  rung?: number;
}

// published versions are immutable: one parsed policy per version id, for the life of the process
const policyCache = new Map<string, Promise<SlaPolicy | undefined>>();

function policyDocument(db: DbOrTx, tenantId: string, versionId: string): Promise<SlaPolicy | undefined> {
  const k = `${tenantId}/${versionId}`;
  let hit = policyCache.get(k);
  if (!hit) {
    hit = db.select({ document: definitionVersions.document }).from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.id, versionId)))
      .then(([r]) => r?.document as unknown as SlaPolicy | undefined);
    policyCache.set(k, hit);
    hit.catch(() => policyCache.delete(k));
  }
  return hit;
}

type Bound = { key: string; policy: SlaPolicy };

/** The policy documents of bound versions (cached per version id; read on a miss). */
export async function policiesOf(db: DbOrTx, tenantId: string, versions: { id: string; key: string }[]): Promise<Bound[]> {
  const docs = await Promise.all(versions.map((r) => policyDocument(db, tenantId, r.id)));
  return versions.flatMap((r, n) => (docs[n] ? [{ key: r.key, policy: docs[n] }] : []));
}

interface InstanceClocks {
  policies: { key: string; policy: SlaPolicy; clocks: Clock[] }[];
  calendars: Record<string, unknown>;
}

// calendar documents are compiled once per object: one values array per calendars object
const calendarSources = new WeakMap<object, CalendarSource>();
const sourceOf = (calendars: Record<string, unknown>): CalendarSource => {
  let s = calendarSources.get(calendars);
  if (!s) calendarSources.set(calendars, (s = Object.values(calendars) as unknown as CalendarSource));
  return s;
};

function computeClocksOf(inst: Instance, bound: Bound[], rows: HistoryRow[], calendars: Record<string, unknown>, params: Record<string, unknown>, now: Date): InstanceClocks {
  // as on the instance page (sla-clocks.ts): events carry no context, so the current one stands for all
  const context = ((inst.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data ?? {}) as Record<string, unknown>;
  const history: SlaHistoryEntry[] = rows.map((e) => ({ at: e.at, type: e.type, state: (e.stateAfter ?? inst.state) as SlaHistoryEntry['state'], data: e.data, context }));
  const evaluate = slaEvaluate(inst, params);
  const source = sourceOf(calendars);
  const policies = bound.flatMap(({ key, policy }) => {
    try {
      const clocks = computeClocks(policy, history, {
        now, calendars: source,
        evaluate, endedAt: inst.endedAt ?? undefined,
      });
      return [{ key, policy, clocks }];
    } catch {
      // a policy that cannot be computed arms nothing; the instance page lists its issue
      return [];
    }
  });
  return { policies, calendars };
}

/**
 * The SLA timers the clocks want armed: each future warning, breach and escalation instant, named
 * by policy, metric, kind and step (the key is made from these by `ef_sla_timer_key`, the scheme's
 * one home). One per instant of a clock, the latest computed winning.
 */
function wantedTimers(computed: InstanceClocks | undefined, newId: () => string): SlaTimerWrite[] {
  const wanted = new Map<string, SlaTimerWrite>();
  for (const { key, clocks } of computed?.policies ?? []) {
    for (const c of clocks) {
      for (const i of c.nextInstants) {
        const data: SlaTimerData = { policy: key, metric: i.metricId, kind: i.kind, ...(i.percent !== undefined ? { percent: i.percent } : {}), ...(i.rung !== undefined ? { rung: i.rung } : {}) };
        const step = i.kind === 'warning' ? (i.percent ?? 0) : i.kind === 'escalation' ? (i.rung ?? 0) : 0;
        wanted.set(JSON.stringify([key, i.metricId, i.kind, step]), {
          id: newId(), policy: key, metric: i.metricId, kind: i.kind, step, event: `sla.${i.kind}`, data: data as unknown as Record<string, unknown>, dueAt: i.at.toISOString(),
        });
      }
    }
  }
  return [...wanted.values()];
}

function armWrite(computed: InstanceClocks | undefined, now: Date, exceptTimerId: string | null): SlaTimersWrite {
  return { now: now.toISOString(), except: exceptTimerId, wanted: wantedTimers(computed, randomUUID) };
}

/**
 * What the event path needs to keep an instance's SLA timers right, read with the instance
 * (`ef_instance_context`): its bound policies, armed SLA timers and history. `clocks` computes the
 * clocks for the instance as a step leaves it (its history so far plus that step's event).
 */
export class SlaState {
  private constructor(
    private readonly bound: Bound[],
    private readonly hasArmed: boolean,
    private readonly history: HistoryRow[],
    private readonly calendars: Record<string, unknown>,
    private readonly params: Record<string, unknown>,
  ) {}

  /** undefined when no policy is bound and no SLA timer is armed (most workflows): nothing to do */
  static async of(db: DbOrTx, ctx: Pick<InstanceContext, 'sla' | 'armed' | 'history'> & { row: Pick<Instance, 'tenantId'> }, calendars: Record<string, unknown>, params: Record<string, unknown>): Promise<SlaState | undefined> {
    if (!ctx.sla && ctx.armed.length === 0) return undefined;
    const bound = ctx.sla ? await policiesOf(db, ctx.row.tenantId, ctx.sla) : [];
    return new SlaState(bound, ctx.armed.length > 0, ctx.history ?? [], calendars, params);
  }

  /** Records an event the batch applied to the instance (the worker steps several in a row). */
  append(row: HistoryRow): void {
    this.history.push(row);
  }

  private clocks(inst: Instance, now: Date): InstanceClocks | undefined {
    return this.bound.length === 0 ? undefined : computeClocksOf(inst, this.bound, this.history, this.calendars, this.params, now);
  }

  /** The SLA part of a change's plan, for the instance as the change leaves it (its event already appended). */
  arm(inst: Instance, now: Date): SlaTimersWrite | undefined {
    if (this.bound.length === 0 && !this.hasArmed) return undefined;
    return armWrite(this.clocks(inst, now), now, null);
  }

  /**
   * Fires a claimed SLA timer (the worker; the instance is locked): when the clock recomputed at
   * `now` agrees the warning, breach or rung was reached, one `sla.<kind>` audit row and a notice
   * per role into the outbox, and the instance's SLA timers re-armed. `cancelled` when the clock no
   * longer agrees (stopped, reset, policy changed).
   */
  fire(timer: Pick<Timer, 'id' | 'key' | 'data' | 'dueAt'>, inst: Instance, now: Date): { status: 'fired' | 'cancelled'; extras?: Pick<WriteExtras, 'audit' | 'outbox' | 'slaTimers'> } {
    const computed = this.clocks(inst, now);
    const fired = fireSlaPlan(timer, inst, computed, this.params, now);
    if (fired.status === 'cancelled' && !fired.rearm) return { status: 'cancelled' };
    return { status: fired.status, extras: { ...(fired.audit ? { audit: [fired.audit] } : {}), ...(fired.outbox?.length ? { outbox: fired.outbox } : {}), slaTimers: armWrite(computed, now, timer.id) } };
  }
}

const fmt = (d: Date, timeZone: string): string => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
};

function noticeText(kind: SlaKind, metric: Text, serial: string, due: string, zone: string, n: number | undefined): Text {
  switch (kind) {
    case 'warning':
      return { zh: `SLA 预警：${serial}「${metric.zh}」已用 ${n ?? 0}% 时限，将于 ${due} 到期`, en: `SLA warning: ${serial} "${metric.en}" has used ${n ?? 0}% of its time; due ${due} (${zone})` };
    case 'breach':
      return { zh: `SLA 超时：${serial}「${metric.zh}」已于 ${due} 超时`, en: `SLA breached: ${serial} "${metric.en}" was due ${due} (${zone})` };
    case 'escalation':
      return { zh: `SLA 升级（第 ${(n ?? 0) + 1} 级）：${serial}「${metric.zh}」已于 ${due} 超时，请跟进`, en: `SLA escalation (level ${(n ?? 0) + 1}): ${serial} "${metric.en}" was due ${due} (${zone}); please follow up` };
    default:
      return kind satisfies never;
  }
}

/** What firing an SLA timer comes to, from the clocks at `now` (pure). */
function fireSlaPlan(timer: Pick<Timer, 'id' | 'key' | 'data' | 'dueAt'>, inst: Instance, computed: InstanceClocks | undefined, params: Record<string, unknown>, now: Date):
  { status: 'fired' | 'cancelled'; rearm: boolean; audit?: Omit<AuditWrite, 'id'>; outbox?: Omit<OutboxWrite, 'id'>[] } {
  const data = timer.data as unknown as SlaTimerData;
  const entry = computed?.policies.find((p) => p.key === data.policy);
  const clock = entry?.clocks.find((c) => c.metricId === data.metric);
  const metric = entry?.policy.metrics.find((m) => m.id === data.metric);
  if (!entry || !clock || !metric || !computed) return { status: 'cancelled', rearm: false };
  const firstRung = metric.onBreach?.ladder?.[0]?.notify ?? [];
  let roles: readonly string[];
  let reached: boolean;
  switch (data.kind) {
    case 'warning': {
      reached = clock.warnings.some((w) => w.percent === data.percent && w.reached);
      const w = (metric.warnings ?? []).find((x) => (typeof x === 'number' ? x : x.percent) === data.percent);
      // a bare percentage warns whoever the breach would be escalated to first
      roles = typeof w === 'object' && w.notify?.length ? w.notify : firstRung;
      break;
    }
    case 'breach':
      reached = clock.breached && clock.breachRecorded;
      roles = firstRung;
      break;
    case 'escalation': {
      const rung = clock.escalations.find((e) => e.rung === data.rung);
      reached = rung?.reached ?? false;
      roles = rung?.notify ?? [];
      break;
    }
    default:
      return data.kind satisfies never;
  }
  if (!reached) return { status: 'cancelled', rearm: true };
  const calendarId = metric.calendar ?? entry.policy.calendar;
  const zone = ((calendarId && (computed.calendars[calendarId] as { timeZone?: string } | undefined)?.timeZone) || 'Asia/Shanghai');
  const dueAt = clock.dueAt ?? timer.dueAt;
  const title = (metric.title as Text | undefined) ?? { zh: metric.id, en: metric.id };
  const message = noticeText(data.kind, title, inst.serial, fmt(data.kind === 'warning' ? dueAt : (clock.breachedAt ?? dueAt), zone), zone, data.kind === 'warning' ? data.percent : data.rung);
  const sla = { ...data, serial: inst.serial, dueAt: dueAt.toISOString(), firedFor: timer.dueAt.toISOString(), timerKey: timer.key };
  const kind = data.kind === 'escalation' ? 'escalate' : 'notify';
  const acted = data.kind === 'breach' ? breachActions(metric.onBreach?.actions ?? [], inst, params, now, sla) : { rows: [], errors: [] };
  return {
    status: 'fired', rearm: true,
    audit: {
      actorId: null, actorRole: 'system', action: `sla.${data.kind}`, target: `instance/${inst.id}`, outcome: 'accepted',
      detail: { ...sla, message, roles, ...(acted.rows.length ? { actions: acted.rows.map((r) => r.kind) } : {}), ...(acted.errors.length ? { actionErrors: acted.errors } : {}) },
    },
    outbox: [...roles.map((role) => ({ kind, payload: { kind, to: { role }, message, channel: 'in-app', sla } })), ...acted.rows],
  };
}

type BreachAction = NonNullable<NonNullable<SlaPolicy['metrics'][number]['onBreach']>['actions']>[number];

/**
 * A metric's `onBreach.actions` when its breach is recorded: `notify` (role, a user by CEL, or the
 * resident; message templates rendered against the instance) and `recordIncident` become outbox rows
 * shaped as the engine's effects of the same names. Other actions change the instance and belong in
 * the workflow: `wf validate`, publish and install refuse them (`unsupported-action`), so a policy
 * published before that check has them skipped and named in the audit line, as is an action whose
 * expression fails here (the breach itself is still recorded).
 */
function breachActions(actions: readonly BreachAction[], inst: Instance, params: Record<string, unknown>, now: Date, sla: Record<string, unknown>):
  { rows: Omit<OutboxWrite, 'id'>[]; errors: { action: number; type: string; error: string }[] } {
  const rows: Omit<OutboxWrite, 'id'>[] = [];
  const errors: { action: number; type: string; error: string }[] = [];
  if (actions.length === 0) return { rows, errors };
  const context = ((inst.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data ?? {}) as Record<string, unknown>;
  const vars = {
    context, params, now,
    event: { type: 'sla.breach', data: { policy: sla['policy'], metric: sla['metric'] } },
    instance: { id: inst.id, estateId: inst.estateId, unitId: inst.unitId, startedAt: inst.startedAt, serial: inst.serial, state: describePaths(statePaths(inst.state as StateValue)) },
  };
  const text = (t: unknown): Text => {
    const v = (t ?? {}) as Partial<Text>;
    return { zh: renderTemplate(v.zh ?? '', vars), en: renderTemplate(v.en ?? '', vars) };
  };
  actions.forEach((a, n) => {
    const p = (a.params ?? {}) as Record<string, unknown>;
    try {
      if (a.type === 'notify') {
        const to = (p['to'] ?? {}) as Recipient;
        const resolved: Recipient = {};
        if (to.role) resolved.role = to.role;
        if (to.user) resolved.user = String(evaluateExpr(to.user, vars));
        if (to.resident) resolved.resident = true;
        if (to.residents) resolved.residents = to.residents;
        rows.push({ kind: 'notify', payload: { kind: 'notify', to: resolved, message: text(p['message']), channel: typeof p['channel'] === 'string' ? p['channel'] : 'in-app', sla } });
      } else if (a.type === 'recordIncident') {
        const payload: Record<string, unknown> = { kind: 'incident', incidentKind: String(p['kind']), summary: text(p['summary']), sla };
        if (typeof p['severity'] === 'string') payload['severity'] = evaluateExpr(p['severity'], vars);
        rows.push({ kind: 'incident', payload });
      } else {
        errors.push({ action: n, type: a.type, error: 'unsupported in onBreach: belongs in the workflow' });
      }
    } catch (e) {
      errors.push({ action: n, type: a.type, error: e instanceof Error ? e.message : String(e) });
    }
  });
  return { rows, errors };
}
