import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, like, sql } from 'drizzle-orm';
import { auditLog, definitionVersions, events, instances, outbox, timers, type DbOrTx, type Instance, type Timer, type Tx } from '@estateflow/db';
import { evaluateExpr } from '@estateflow/expr';
import { computeClocks, type CalendarSource, type Clock, type ClockInstant, type SlaHistoryEntry, type SlaPolicy } from '@estateflow/sla';
import type { CompiledCache } from './compiled-cache.ts';
import { estateCalendars } from './definition-store.ts';

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

/** SLA timers are told apart from workflow timers by this key prefix. */
export const slaKeyPrefix = 'sla:';

export const isSlaTimer = (t: Pick<Timer, 'key'>): boolean => t.key.startsWith(slaKeyPrefix);

/** Deterministic timer key: `sla:<policy>:<metric>:<kind>:<percent | rung | 0>`. */
export function slaTimerKey(policy: string, i: Pick<ClockInstant, 'metricId' | 'kind' | 'percent' | 'rung'>): string {
  const n = i.kind === 'warning' ? (i.percent ?? 0) : i.kind === 'escalation' ? (i.rung ?? 0) : 0;
  return `${slaKeyPrefix}${policy}:${i.metricId}:${i.kind}:${n}`;
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

/** The latest version of each SLA policy of the estate bound to the workflow (documents cached per version). */
async function boundPolicies(db: DbOrTx, inst: Instance): Promise<{ key: string; policy: SlaPolicy }[]> {
  const rows = await db.select({ id: definitionVersions.id, key: definitionVersions.key, version: definitionVersions.version }).from(definitionVersions)
    .where(and(eq(definitionVersions.tenantId, inst.tenantId), eq(definitionVersions.estateId, inst.estateId), eq(definitionVersions.kind, 'sla'),
      sql`${definitionVersions.document}->>'workflow' = ${inst.workflowKey}`));
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if ((latest.get(r.key)?.version ?? 0) < r.version) latest.set(r.key, r);
  const out: { key: string; policy: SlaPolicy }[] = [];
  for (const r of latest.values()) {
    const policy = await policyDocument(db, inst.tenantId, r.id);
    if (policy) out.push({ key: r.key, policy });
  }
  return out;
}

interface InstanceClocks {
  policies: { key: string; policy: SlaPolicy; clocks: Clock[] }[];
  calendars: Record<string, unknown>;
}

/** Every bound policy's clocks of the instance as of `now`, from its history (the history is the truth). */
async function clocksNow(tx: DbOrTx, cache: CompiledCache, inst: Instance, now: Date, bound?: { key: string; policy: SlaPolicy }[]): Promise<InstanceClocks | undefined> {
  bound ??= await boundPolicies(tx, inst);
  if (bound.length === 0) return undefined;
  const [rows, calendars, pinned] = await Promise.all([
    tx.select({ at: events.at, type: events.type, data: events.data, stateAfter: events.stateAfter }).from(events)
      .where(and(eq(events.tenantId, inst.tenantId), eq(events.instanceId, inst.id))).orderBy(asc(events.seq)),
    estateCalendars(tx, inst.tenantId, inst.estateId),
    cache.get(tx, inst.tenantId, inst.definitionVersionId),
  ]);
  // as on the instance page (sla-clocks.ts): events carry no context, so the current one stands for all
  const context = ((inst.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data ?? {}) as Record<string, unknown>;
  const history: SlaHistoryEntry[] = rows.map((e) => ({ at: e.at, type: e.type, state: (e.stateAfter ?? inst.state) as SlaHistoryEntry['state'], data: e.data, context }));
  const instance = { id: inst.id, estateId: inst.estateId, unitId: inst.unitId, startedAt: inst.startedAt };
  const source = Object.values(calendars) as unknown as CalendarSource;
  const policies = bound.flatMap(({ key, policy }) => {
    try {
      const clocks = computeClocks(policy, history, {
        now, calendars: source,
        evaluate: (expr, scope) => evaluateExpr(expr, { event: scope.event, context: scope.context, now: scope.now, instance, params: pinned.params }),
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
 * Arms the instance's SLA timers for the future warning, breach and escalation instants of its
 * clocks, inside the caller's transaction: a timer already armed for the same key and instant is
 * kept, one whose instant moved or went away is cancelled. Overdue armed timers are left to the
 * worker, which checks them against the clocks when it fires them.
 * @example await armSlaTimers(tx, cache, instanceRow, now); // after engine.step's writes
 */
export async function armSlaTimers(tx: Tx | DbOrTx, cache: CompiledCache, inst: Instance, now: Date, exceptTimerId?: string): Promise<void> {
  // the policies and the armed timers in one round trip; no policy and no timer (most workflows) ends here
  const [bound, armed] = await Promise.all([
    boundPolicies(tx, inst),
    tx.select({ id: timers.id, key: timers.key, dueAt: timers.dueAt }).from(timers)
      .where(and(eq(timers.tenantId, inst.tenantId), eq(timers.instanceId, inst.id), eq(timers.status, 'armed'), like(timers.key, `${slaKeyPrefix}%`))),
  ]);
  if (bound.length === 0 && armed.length === 0) return;
  const computed = await clocksNow(tx, cache, inst, now, bound);
  const wanted = new Map<string, { at: Date; data: SlaTimerData }>();
  for (const { key, clocks } of computed?.policies ?? []) {
    for (const c of clocks) {
      for (const i of c.nextInstants) {
        const data: SlaTimerData = { policy: key, metric: i.metricId, kind: i.kind, ...(i.percent !== undefined ? { percent: i.percent } : {}), ...(i.rung !== undefined ? { rung: i.rung } : {}) };
        wanted.set(slaTimerKey(key, i), { at: i.at, data });
      }
    }
  }
  const cancel: string[] = [];
  for (const t of armed) {
    if (t.id === exceptTimerId || t.dueAt.getTime() <= now.getTime()) continue;
    const w = wanted.get(t.key);
    if (w && w.at.getTime() === t.dueAt.getTime()) wanted.delete(t.key);
    else cancel.push(t.id);
  }
  const writes: PromiseLike<unknown>[] = [];
  if (cancel.length) writes.push(tx.update(timers).set({ status: 'cancelled' }).where(and(eq(timers.tenantId, inst.tenantId), inArray(timers.id, cancel))));
  if (wanted.size) {
    writes.push(tx.insert(timers).values([...wanted].map(([key, w]) => ({
      tenantId: inst.tenantId, id: randomUUID(), instanceId: inst.id, key, event: `sla.${w.data.kind}`, data: w.data as unknown as Record<string, unknown>, dueAt: w.at,
    }))));
  }
  await Promise.all(writes);
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

/**
 * Fires a claimed SLA timer inside the worker's transaction (the instance and the timer are
 * locked): when the clock recomputed at `now` agrees the warning, breach or rung was reached, it
 * writes one `sla.<kind>` audit row and a notice per role into the outbox, then re-arms the
 * instance's SLA timers. Answers `cancelled` when the clock no longer agrees (stopped, reset, policy changed).
 */
export async function fireSlaTimer(tx: Tx, cache: CompiledCache, timer: Timer, now: Date): Promise<'fired' | 'cancelled'> {
  const [inst] = await tx.select().from(instances).where(and(eq(instances.tenantId, timer.tenantId), eq(instances.id, timer.instanceId)));
  if (!inst) return 'cancelled';
  const data = timer.data as unknown as SlaTimerData;
  const computed = await clocksNow(tx, cache, inst, now);
  const entry = computed?.policies.find((p) => p.key === data.policy);
  const clock = entry?.clocks.find((c) => c.metricId === data.metric);
  const metric = entry?.policy.metrics.find((m) => m.id === data.metric);
  if (!entry || !clock || !metric || !computed) return 'cancelled';
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
  if (!reached) {
    await armSlaTimers(tx, cache, inst, now, timer.id);
    return 'cancelled';
  }
  const calendarId = metric.calendar ?? entry.policy.calendar;
  const zone = ((calendarId && (computed.calendars[calendarId] as { timeZone?: string } | undefined)?.timeZone) || 'Asia/Shanghai');
  const dueAt = clock.dueAt ?? timer.dueAt;
  const title = (metric.title as Text | undefined) ?? { zh: metric.id, en: metric.id };
  const message = noticeText(data.kind, title, inst.serial, fmt(data.kind === 'warning' ? dueAt : (clock.breachedAt ?? dueAt), zone), zone, data.kind === 'warning' ? data.percent : data.rung);
  const sla = { ...data, serial: inst.serial, dueAt: dueAt.toISOString(), firedFor: timer.dueAt.toISOString(), timerKey: timer.key };
  const writes: PromiseLike<unknown>[] = [
    tx.insert(auditLog).values({
      tenantId: inst.tenantId, id: randomUUID(), estateId: inst.estateId, actorId: null, actorRole: 'system', action: `sla.${data.kind}`,
      target: `instance/${inst.id}`, outcome: 'accepted', detail: { ...sla, message, roles }, at: now,
    }),
  ];
  if (roles.length) {
    writes.push(tx.insert(outbox).values(roles.map((role) => ({
      tenantId: inst.tenantId, id: randomUUID(), estateId: inst.estateId, instanceId: inst.id, kind: data.kind === 'escalation' ? 'escalate' : 'notify',
      payload: { kind: data.kind === 'escalation' ? 'escalate' : 'notify', to: { role }, message, channel: 'in-app', sla }, createdAt: now,
    }))));
  }
  await Promise.all(writes);
  await armSlaTimers(tx, cache, inst, now, timer.id);
  return 'fired';
}
