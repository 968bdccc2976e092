import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { auditLog, counters, events, instances, outbox, tasks, timers, type Db, type DbOrTx, type Instance, type Tx } from '@estateflow/db';
import { instanceSerial } from '@estateflow/definitions';
import { start, step, type Actor, type EngineError, type EngineEvent, type EngineSnapshot, type Outcome } from '@estateflow/engine';
import { ApiError, notFound, type Reason } from '../errors.ts';
import type { CompiledCache } from './compiled-cache.ts';
import { estateCalendars, latestVersion } from './definition-store.ts';
import { applyGrouped, applyWrites, fingerprintOf, loadContext, outcomeWrite, type HistoryRow, type InstanceContext, type StepWrite } from './event-store.ts';
import { holdSlaContext } from './sla-rearm-job.ts';
import { armSlaTimers, SlaState } from './sla-timers.ts';

export const systemActor: Actor = { id: 'system', role: 'system' };

export interface EventPathDeps {
  db: Db;
  cache: CompiledCache;
  now: () => Date;
}

const reasonOf: Record<EngineError['reason'], Reason> = {
  'not-allowed': 'forbidden',
  'form-invalid': 'form-invalid',
  'unknown-event': 'event-refused',
  'event-not-accepted': 'event-refused',
  'loop-limit': 'event-refused',
  'expr-error': 'event-refused',
  'instance-done': 'event-refused',
  'invalid-definition': 'invalid-definition',
};

/** An engine refusal as the API error users see (zh/en message, field or path, form issues). */
export function refusal(e: EngineError): ApiError {
  const extra: { field?: string; path?: string; issues?: unknown[] } = {};
  if (e.field !== undefined) extra.field = e.field;
  else if (e.issues?.[0]) extra.field = e.issues[0].field;
  if (e.path !== undefined) extra.path = e.path;
  if (e.issues) extra.issues = e.issues;
  return new ApiError(reasonOf[e.reason], e.message, extra);
}

/** Writes one `audit_log` line (a refusal's only trace; starts and admin actions). */
export async function audit(db: DbOrTx, line: { tenantId: string; estateId?: string | null; actor: Actor; action: string; target: string; outcome: 'accepted' | 'refused'; detail: Record<string, unknown>; at: Date }) {
  await db.insert(auditLog).values({
    tenantId: line.tenantId,
    id: randomUUID(),
    estateId: line.estateId ?? null,
    actorId: line.actor.id === 'system' ? null : line.actor.id,
    actorRole: line.actor.role,
    action: line.action,
    target: line.target,
    outcome: line.outcome,
    detail: line.detail,
    at: line.at,
  });
}

const textOf = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function searchTextOf(serial: string, snapshot: EngineSnapshot): string {
  const values = Object.values(snapshot.context.data ?? {}).map(textOf).filter(Boolean);
  return [serial, ...values].join(' ').slice(0, 4000);
}

const gradeOf = (snapshot: EngineSnapshot): string | null => {
  const g = snapshot.context.data?.grade;
  return typeof g === 'string' ? g : null;
};

/** Writes what the engine decided (timers, tasks, effects, charges) beside the new snapshot. */
async function applyOutcome(tx: Tx, inst: { tenantId: string; estateId: string; id: string; serial: string }, outcome: Outcome, now: Date) {
  const { tenantId, id: instanceId } = inst;
  // independent writes, sent back to back without waiting (postgres-js pipelines them on the transaction's connection)
  const writes: PromiseLike<unknown>[] = [];
  const rearmed = outcome.timers.arm.map((t) => t.id);
  const cancel = [...new Set([...outcome.timers.cancel, ...rearmed])];
  if (cancel.length) {
    writes.push(tx.update(timers).set({ status: 'cancelled' })
      .where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, instanceId), inArray(timers.key, cancel), eq(timers.status, 'armed'))));
  }
  if (outcome.timers.arm.length) {
    writes.push(tx.insert(timers).values(outcome.timers.arm.map((t) => ({
      tenantId, id: randomUUID(), instanceId, key: t.id, event: t.event.type, data: t.event.data ?? {}, dueAt: new Date(t.due),
    }))));
  }
  const closing = outcome.tasks.close.map((t) => t.id);
  if (closing.length) {
    writes.push(tx.update(tasks).set({ status: 'done', closedAt: now })
      .where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId), inArray(tasks.key, closing), eq(tasks.status, 'open'))));
  }
  if (outcome.tasks.open.length) {
    writes.push(tx.insert(tasks).values(outcome.tasks.open.map((t) => ({
      tenantId, id: randomUUID(), estateId: inst.estateId, instanceId, key: t.id, title: t.title, role: t.role ?? null,
      assigneeId: t.user && /^[0-9a-f-]{36}$/i.test(t.user) ? t.user : null, form: t.form ?? null, events: t.events ?? [],
      dueAt: t.due ? new Date(t.due) : null, createdAt: now,
    }))));
  }
  for (const t of outcome.tasks.assign) {
    writes.push(tx.update(tasks).set({ role: t.role ?? null, assigneeId: t.user && /^[0-9a-f-]{36}$/i.test(t.user) ? t.user : null })
      .where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId), eq(tasks.key, t.id), eq(tasks.status, 'open'))));
  }
  const effects = [
    ...outcome.effects.map((e) => ({ kind: e.kind, payload: e as unknown as Record<string, unknown> })),
    ...outcome.charges.map((ch) => ({ kind: 'charge', payload: { ...ch, instanceId, serial: ch.serial || inst.serial } as Record<string, unknown> })),
  ];
  if (effects.length) {
    writes.push(tx.insert(outbox).values(effects.map((e) => ({ tenantId, id: randomUUID(), estateId: inst.estateId, instanceId, kind: e.kind, payload: e.payload, createdAt: now }))));
  }
  await Promise.all(writes);
}

async function nextSerial(tx: Tx, tenantId: string, scope: string): Promise<number> {
  const [row] = await tx.insert(counters).values({ tenantId, scope, value: 1 })
    .onConflictDoUpdate({ target: [counters.tenantId, counters.scope], set: { value: sql`${counters.value} + 1` } })
    .returning({ value: counters.value });
  return row?.value ?? 1;
}

export interface StartRequest {
  tenantId: string;
  estateId: string;
  workflowKey: string;
  unitId?: string | undefined;
  data: Record<string, unknown>;
  actor: Actor;
  idempotencyKey?: string | undefined;
  /** set by the worker for a child started by a parent's `startChild` */
  instanceId?: string;
  parent?: { instanceId: string; doneEvent: string };
}

/** Starts an instance on the latest published version of a workflow, in one transaction. */
export async function startInstance(deps: EventPathDeps, req: StartRequest): Promise<Instance> {
  const now = deps.now();
  const version = await latestVersion(deps.db, req.tenantId, req.estateId, 'workflow', req.workflowKey);
  if (!version) throw notFound('definition', `workflow/${req.workflowKey}`);
  const pinned = await deps.cache.get(deps.db, req.tenantId, version.id);
  const calendars = await estateCalendars(deps.db, req.tenantId, req.estateId);
  const instanceId = req.instanceId ?? randomUUID();
  const result = start(pinned.compiled, { now: now.toISOString(), actor: req.actor, data: req.data, params: pinned.params, calendars, instanceId, ...(req.parent ? { parent: req.parent } : {}) });
  if (!result.ok) {
    await audit(deps.db, { tenantId: req.tenantId, estateId: req.estateId, actor: req.actor, action: 'start', target: `workflow/${req.workflowKey}`, outcome: 'refused', detail: { error: result.error as unknown as Record<string, unknown>, data: req.data }, at: now });
    throw refusal(result.error);
  }
  const outcome = result.value;
  const started = await deps.db.transaction(async (tx) => {
    // before the SLA policies are read below: a re-arm job for this estate waits for this start to commit (sla-rearm-job.ts)
    await holdSlaContext(tx, req.tenantId, req.estateId);
    const n = await nextSerial(tx, req.tenantId, `serial:${req.estateId}:${req.workflowKey}`);
    const serial = instanceSerial(pinned.compiled.definition, n);
    const snapshot = outcome.snapshot;
    const [row] = await tx.insert(instances).values({
      tenantId: req.tenantId, id: instanceId, estateId: req.estateId, unitId: req.unitId ?? null, workflowKey: req.workflowKey,
      definitionVersionId: version.id, workflowVersion: version.version, serial, state: snapshot.value as object,
      snapshot: snapshot as unknown as Record<string, unknown>, status: snapshot.status === 'active' ? 'active' : 'done',
      grade: gradeOf(snapshot), searchText: searchTextOf(serial, snapshot), version: 1, startedAt: now,
      startedBy: req.actor.id === 'system' ? null : req.actor.id, updatedAt: now, endedAt: snapshot.status === 'active' ? null : now,
    }).returning();
    await tx.insert(events).values({
      tenantId: req.tenantId, instanceId, seq: 1, type: 'start', data: req.data, actorId: req.actor.id === 'system' ? null : req.actor.id,
      actorRole: req.actor.role, at: now, idempotencyKey: req.idempotencyKey ?? null, stateAfter: snapshot.value as object,
    });
    await applyOutcome(tx, { tenantId: req.tenantId, estateId: req.estateId, id: instanceId, serial }, outcome, now);
    const sla = await armSlaTimers(tx, deps.cache, row!, now);
    await audit(tx, { tenantId: req.tenantId, estateId: req.estateId, actor: req.actor, action: 'start', target: `instance/${instanceId}`, outcome: 'accepted', detail: { workflow: req.workflowKey, version: version.version }, at: now });
    return { row: row!, sla };
  });
  // kept for the first event when the estate's calendars fingerprint is known (that event's write checks it)
  const stamp = deps.cache.calendarStamp(req.tenantId, req.estateId);
  if (stamp !== undefined) {
    const history: HistoryRow[] | null = started.sla.sla ? [{ at: now, type: 'start', data: req.data, stateAfter: outcome.snapshot.value }] : null;
    deps.cache.instances.set({ row: started.row, calendarStamp: stamp, sla: started.sla.sla, armed: started.sla.armed, history });
  }
  return started.row;
}

export interface SendRequest {
  tenantId: string;
  instanceId: string;
  event: EngineEvent;
  /** the sender, or a function of the instance's estate that checks access (404/403) and answers the sender */
  actor: Actor | ((estateId: string) => Actor);
  expectedVersion?: number | undefined;
  idempotencyKey?: string | undefined;
}

export type SendResult = { instance: Instance; outcome: Outcome; stale: boolean };

/** Times an event is stepped again after another writer moved the instance on between its read and its write. */
const RETRIES = 8;

const conflict = (current: number, sent: number) => new ApiError(
  'version-conflict',
  { zh: `工单已被他人更新（当前版本 ${current}，您提交的是 ${sent}），请刷新后重试`, en: `The instance was changed meanwhile (version ${current}, you sent ${sent}); reload and try again` },
  { field: 'expectedVersion' },
);

/** The instance as an accepted step leaves it, and that step's write (snapshot at version + 1, history row, what the engine decided). */
export function acceptedStep(inst: Instance, req: { tenantId: string; event: EngineEvent; idempotencyKey?: string | undefined }, actor: Actor, outcome: Outcome, now: Date):
  { row: Instance; write: StepWrite; history: HistoryRow } {
  const snapshot = outcome.snapshot;
  const version = inst.version + 1;
  const done = snapshot.status !== 'active';
  const grade = gradeOf(snapshot);
  const searchText = searchTextOf(inst.serial, snapshot);
  const endedAt = done ? (inst.endedAt ?? now) : null;
  // the row as the update leaves it (no column is computed by the database)
  const row: Instance = {
    ...inst, snapshot: snapshot as unknown as Record<string, unknown>, state: snapshot.value as object, version, status: done ? 'done' : 'active',
    grade, searchText, updatedAt: now, endedAt,
  };
  const actorId = actor.id === 'system' ? null : actor.id;
  const data = req.event.data ?? {};
  const write: StepWrite = {
    at: now.toISOString(),
    u: { v: inst.version, snapshot, state: snapshot.value, status: row.status, grade, search: searchText, ended: endedAt ? endedAt.toISOString() : null },
    ev: { seq: version, type: req.event.type, data, actor: actorId, role: actor.role, idem: req.idempotencyKey ?? null, state: snapshot.value },
    // no audit line: an accepted event is recorded once, as its history row (who, role, when, data);
    // the audit log keeps what the history cannot: refusals, SLA warnings/breaches, starts, admin actions
    ...outcomeWrite(inst, outcome),
  };
  return { row, write, history: { at: now, type: req.event.type, data, stateAfter: snapshot.value } };
}

/**
 * The one path that changes an instance, in two round trips and no lock held in between: one
 * statement reads the instance with its estate's calendar fingerprint and SLA binding
 * (`loadContext`); the pinned definition steps it (pure); one statement writes snapshot
 * (version + 1), history, timers, tasks, outbox, audit and SLA timers (`ef_apply`), on the
 * condition that the instance is still at the version read. When another writer got there first
 * nothing is written and the event is stepped again on the new version (a client's
 * `expectedVersion` then no longer matches: 409). A refusal writes nothing but an audit line.
 *
 * The read is skipped when the process holds the instance (`cache.instances`, kept from the last
 * read or write): the write then also checks that the calendars and the SLA binding the copy was
 * stepped with are still current, and anything the copy answered that the database might not (a
 * conflict, a refusal, a stale event, another `expectedVersion`) is tried again on a fresh read.
 * A write that re-arms SLA timers checks the same after a fresh read too: an SLA policy or calendar
 * published between the read and the write (and the worker's re-arm for it, which keeps the
 * version) sends the event round again rather than writing timers of the old policy.
 * Writes of events for different instances waiting at the same moment go out together
 * (`applyGrouped`). Inside a transaction `tx` (the worker's outbox delivery) the two statements
 * run there and the cache is left alone.
 */
export async function sendEvent(deps: EventPathDeps, req: SendRequest, tx?: Tx): Promise<SendResult> {
  const now = deps.now();
  const db: DbOrTx = tx ?? deps.db;
  const kept = deps.cache.instances;
  let estateId: string | null = null;
  let actor: Actor = typeof req.actor === 'function' ? { id: 'unknown', role: 'unknown' } : req.actor;
  // the cached copy is tried once, first; what it cannot settle is settled on fresh reads
  let fromCache = false;
  try {
    for (let attempt = 0; ; attempt++) {
      const cached = tx || attempt > 0 ? undefined : kept.get(req.tenantId, req.instanceId);
      if (tx) kept.delete(req.tenantId, req.instanceId);
      if (cached) fromCache = true;
      const read = cached ?? await loadContext(db, req.tenantId, req.instanceId);
      if (!read) throw notFound('instance', req.instanceId);
      // the copy's history is appended to below: a cached one stays as it is until the write lands
      const ctx: InstanceContext = cached ? { ...read, history: read.history ? [...read.history] : null } : read;
      const inst = ctx.row;
      estateId = inst.estateId;
      if (typeof req.actor === 'function') actor = req.actor(inst.estateId);
      if (req.expectedVersion !== undefined && req.expectedVersion !== inst.version) {
        if (cached) {
          kept.delete(req.tenantId, req.instanceId);
          continue;
        }
        throw conflict(inst.version, req.expectedVersion);
      }
      const [pinned, calendars] = await Promise.all([
        deps.cache.get(db, req.tenantId, inst.definitionVersionId),
        deps.cache.calendars(db, req.tenantId, inst.estateId, ctx.calendarStamp),
      ]);
      const result = step(pinned.compiled, inst.snapshot as unknown as EngineSnapshot, req.event, { now: now.toISOString(), actor: actor, calendars, params: pinned.params });
      if (!result.ok) {
        if (cached) {
          kept.delete(req.tenantId, req.instanceId);
          continue;
        }
        throw refusal(result.error);
      }
      const outcome = result.value;
      if (outcome.stale) {
        if (cached) {
          kept.delete(req.tenantId, req.instanceId);
          continue;
        }
        return { instance: inst, outcome, stale: true };
      }
      const { row, write, history } = acceptedStep(inst, req, actor, outcome, now);
      const sla = await SlaState.of(db, ctx, calendars, pinned.params);
      if (sla) {
        sla.append(history);
        const arm = sla.arm(row, now);
        if (arm) write.sla = arm;
      } else if (ctx.history) ctx.history.push(history);
      // a cached copy, and SLA timers computed from a read: a policy or calendar published since (and
      // the worker's re-arm of this instance for it, which keeps the version) must not be written over
      if ((cached || write.sla) && write.u) write.u.fp = fingerprintOf(ctx);
      const group = { t: inst.tenantId, i: inst.id, e: inst.estateId, steps: [write] };
      const moved = tx ? (await applyWrites(tx, [group], false)).conflicts.length > 0 : await applyGrouped(db, group);
      if (!moved) {
        if (!tx) {
          const armed = write.sla ? write.sla.wanted.map((w) => ({ id: w.id, key: w.key, dueAt: new Date(w.due) })) : ctx.armed;
          kept.set({ row, calendarStamp: ctx.calendarStamp, sla: ctx.sla, armed, history: ctx.history });
        }
        return { instance: row, outcome, stale: false };
      }
      kept.delete(req.tenantId, req.instanceId);
      if (attempt - (fromCache ? 1 : 0) >= RETRIES) throw conflict(inst.version + 1, inst.version);
    }
  } catch (e) {
    if (e instanceof ApiError && e.reason !== 'not-found' && !tx) {
      await audit(deps.db, {
        tenantId: req.tenantId, estateId, actor: actor, action: `event:${req.event.type}`, target: `instance/${req.instanceId}`, outcome: 'refused',
        detail: { reason: e.reason, message: e.text, field: e.field, data: req.event.data ?? {} }, at: now,
      });
    }
    throw e;
  }
}
