import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { auditLog, counters, events, instances, outbox, tasks, timers, type Db, type DbOrTx, type Instance, type Tx } from '@estateflow/db';
import { start, step, type Actor, type EngineError, type EngineEvent, type EngineSnapshot, type Outcome } from '@estateflow/engine';
import { ApiError, notFound, type Reason } from '../errors.ts';
import type { CompiledCache } from './compiled-cache.ts';
import { estateCalendars, latestVersion } from './definition-store.ts';
import { armSlaTimers } from './sla-timers.ts';

export const systemActor: Actor = { id: 'system', role: 'system' };

export interface EventPathDeps {
  db: Db;
  cache: CompiledCache;
  now: () => Date;
  /** the estate's calendars; the worker memoises them per batch (default: read them each time) */
  calendars?: (db: DbOrTx, tenantId: string, estateId: string) => Promise<Record<string, unknown>>;
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

async function audit(db: DbOrTx, line: { tenantId: string; estateId?: string | null; actor: Actor; action: string; target: string; outcome: 'accepted' | 'refused'; detail: Record<string, unknown>; at: Date }) {
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
  return deps.db.transaction(async (tx) => {
    const n = await nextSerial(tx, req.tenantId, `serial:${req.estateId}:${req.workflowKey}`);
    const serial = `${req.workflowKey.split('-').map((w) => w[0]?.toUpperCase()).join('')}-${String(n).padStart(6, '0')}`;
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
    await armSlaTimers(tx, deps.cache, row!, now);
    await audit(tx, { tenantId: req.tenantId, estateId: req.estateId, actor: req.actor, action: 'start', target: `instance/${instanceId}`, outcome: 'accepted', detail: { workflow: req.workflowKey, version: version.version }, at: now });
    return row!;
  });
}

export interface SendRequest {
  tenantId: string;
  instanceId: string;
  event: EngineEvent;
  /** the sender, or a function of the instance's estate that checks access (404/403) and answers the sender */
  actor: Actor | ((estateId: string) => Actor);
  expectedVersion?: number | undefined;
  idempotencyKey?: string | undefined;
  /** the instance row, already locked `FOR UPDATE` by the caller in `tx` (the worker's batch claim): saves the read */
  locked?: Instance;
}

export type SendResult = { instance: Instance; outcome: Outcome; stale: boolean };

/**
 * The one path that changes an instance: lock the row, step the pinned definition (pure), then
 * write snapshot (version + 1), history, timers, tasks and outbox in the same transaction.
 * A refusal rolls everything back and leaves only an audit line.
 */
export async function sendEvent(deps: EventPathDeps, req: SendRequest, tx?: Tx): Promise<SendResult> {
  const now = deps.now();
  let estateId: string | null = null;
  let actor: Actor = typeof req.actor === 'function' ? { id: 'unknown', role: 'unknown' } : req.actor;
  const run = async (t: Tx): Promise<SendResult> => {
    const [inst] = req.locked && tx ? [req.locked] : await t.select().from(instances).where(and(eq(instances.tenantId, req.tenantId), eq(instances.id, req.instanceId))).for('update');
    if (!inst) throw notFound('instance', req.instanceId);
    estateId = inst.estateId;
    if (typeof req.actor === 'function') actor = req.actor(inst.estateId);
    if (req.expectedVersion !== undefined && req.expectedVersion !== inst.version) {
      throw new ApiError(
        'version-conflict',
        { zh: `工单已被他人更新（当前版本 ${inst.version}，您提交的是 ${req.expectedVersion}），请刷新后重试`, en: `The instance was changed meanwhile (version ${inst.version}, you sent ${req.expectedVersion}); reload and try again` },
        { field: 'expectedVersion' },
      );
    }
    const pinned = await deps.cache.get(t, req.tenantId, inst.definitionVersionId);
    const calendars = await (deps.calendars ?? estateCalendars)(t, req.tenantId, inst.estateId);
    const result = step(pinned.compiled, inst.snapshot as unknown as EngineSnapshot, req.event, { now: now.toISOString(), actor: actor, calendars, params: pinned.params });
    if (!result.ok) throw refusal(result.error);
    const outcome = result.value;
    if (outcome.stale) return { instance: inst, outcome, stale: true };
    const snapshot = outcome.snapshot;
    const version = inst.version + 1;
    const done = snapshot.status !== 'active';
    const changed = {
      snapshot: snapshot as unknown as Record<string, unknown>, state: snapshot.value as object, version, status: done ? 'done' as const : 'active' as const,
      grade: gradeOf(snapshot), searchText: searchTextOf(inst.serial, snapshot), updatedAt: now, endedAt: done ? (inst.endedAt ?? now) : null,
    };
    // the row as the update leaves it (no column is computed by the database)
    const row: Instance = { ...inst, ...changed };
    const written = Promise.all([
      t.update(instances).set(changed).where(and(eq(instances.tenantId, req.tenantId), eq(instances.id, inst.id))),
      t.insert(events).values({
        tenantId: req.tenantId, instanceId: inst.id, seq: version, type: req.event.type, data: req.event.data ?? {},
        actorId: actor.id === 'system' ? null : actor.id, actorRole: actor.role, at: now, idempotencyKey: req.idempotencyKey ?? null,
        stateAfter: snapshot.value as object,
      }),
      applyOutcome(t, inst, outcome, now),
      audit(t, { tenantId: req.tenantId, estateId: inst.estateId, actor: actor, action: `event:${req.event.type}`, target: `instance/${inst.id}`, outcome: 'accepted', detail: { version }, at: now }),
    ]);
    // SLA timers: its reads go out behind the writes on the same connection (so they see them), in the same round trip
    await Promise.all([written, armSlaTimers(t, deps.cache, row, now)]);
    return { instance: row, outcome, stale: false };
  };
  try {
    return tx ? await run(tx) : await deps.db.transaction(run);
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
