/**
 * The one path that changes an instance for a start or an event: load (the store), authorise,
 * step (pure), plan (`planWrite`, pure), commit (the store), answer. Nothing here writes a row
 * of an instance: the plan says what to write and the `EventStore` writes it (apps/api/src/store).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { auditLog, counters, type Db, type DbOrTx, type Instance, type Tx } from '@estateflow/db';
import { instanceSerial } from '@estateflow/definitions';
import { shownType, start, step, type Actor, type EngineError, type EngineEvent, type EngineSnapshot, type Outcome } from '@estateflow/engine';
import { ApiError, notFound, type Reason } from '../errors.ts';
import { estateContext, FastEventStore, IdempotencyRace, planWrite, ReferenceEventStore, rowAfter, type EventStore, type IdempotencyInput, type InstanceContext, type NewInstance, type WritePlan } from '../store/index.ts';
import { attachmentRefs } from './attachment-refs.ts';
import { keyStored } from './idempotency.ts';
import { unknownAssignee } from './assignees.ts';
import { unknownStaffPick } from './staff-picks.ts';
import type { CompiledCache } from './compiled-cache.ts';
import { latestVersion } from './definition-store.ts';
import { SlaState } from './sla-timers.ts';

export const systemActor: Actor = { id: 'system', role: 'system' };

export interface EventPathDeps {
  db: Db;
  cache: CompiledCache;
  now: () => Date;
  /** the store every write goes through; default: the fast store on `db` with the cache's instances */
  store?: EventStore;
}

/** The store of these deps (the fast one unless another is given; `EF_EVENT_STORE=reference` picks the reference). */
export function storeOf(deps: EventPathDeps): EventStore {
  if (deps.store) return deps.store;
  return process.env.EF_EVENT_STORE === 'reference' ? new ReferenceEventStore(deps.db) : new FastEventStore(deps.db, deps.cache.instances);
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

/** Writes one `audit_log` line (a refusal's only trace; a start's accepted line rides on its plan). */
export async function audit(db: DbOrTx, line: { tenantId: string; estateId?: string | null; actor: Actor; action: string; target: string; outcome: 'accepted' | 'refused'; detail: Record<string, unknown>; at: Date }) {
  await db.insert(auditLog).values({
    tenantId: line.tenantId, id: randomUUID(), estateId: line.estateId ?? null, actorId: line.actor.id === 'system' ? null : line.actor.id,
    actorRole: line.actor.role, action: line.action, target: line.target, outcome: line.outcome, detail: line.detail, at: line.at,
  });
}

/**
 * What an audit line keeps of refused data: its size and its first keys (each cut to 64
 * characters), never the payload itself, which the sender chose and which may be large.
 */
export function dataSummary(data: unknown): { bytes: number; keys: string[] } {
  const keys = data && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data) : [];
  let bytes = 0;
  try {
    bytes = Buffer.byteLength(JSON.stringify(data ?? {}));
  } catch {
    bytes = -1; // not JSON (a cycle from an internal caller): its size is unknown
  }
  return { bytes, keys: keys.slice(0, 20).map((k) => (k.length > 64 ? `${k.slice(0, 64)}…` : k)) };
}

/** The uploads a start's or event's data names (claimed with its write, so the orphan sweep keeps them). */
const uploadsIn = (data: unknown): string[] => [...new Set(attachmentRefs(data).flatMap((r) => (r.id ? [r.id] : [])))];

async function nextSerial(db: DbOrTx, tenantId: string, scope: string): Promise<number> {
  const [row] = await db.insert(counters).values({ tenantId, scope, value: 1 })
    .onConflictDoUpdate({ target: [counters.tenantId, counters.scope], set: { value: sql`${counters.value} + 1` } })
    .returning({ value: counters.value });
  return row?.value ?? 1;
}

/** Times a change is planned again after another writer moved the instance (or its context) on between its read and its commit. */
const RETRIES = 8;

export interface StartRequest {
  tenantId: string;
  estateId: string;
  workflowKey: string;
  unitId?: string | undefined;
  /** the resident a staff member registers the request for (checked by the route: `checkRequestedFor`) */
  requestedFor?: string | undefined;
  data: Record<string, unknown>;
  actor: Actor;
  /** the request's Idempotency-Key, committed with the start (its answer made from the new row) */
  idempotency?: IdempotencyInput | undefined;
  /** set by the worker for a child started by a parent's `startChild` */
  instanceId?: string;
  parent?: { instanceId: string; doneEvent: string };
}

/**
 * Starts an instance on the latest published version of a workflow: the estate's context (calendar
 * fingerprint, bound SLA policies) read, the engine's start (pure), a serial, the plan (row at
 * version 1, history, timers, tasks, SLA timers, outbox, audit line, uploads claimed, idempotency
 * record) committed by the store, which holds it to the context read. Inside `tx` (the worker's
 * child start) it commits there.
 */
export async function startInstance(deps: EventPathDeps, req: StartRequest, tx?: Tx): Promise<Instance> {
  const now = deps.now();
  const db: DbOrTx = tx ?? deps.db;
  const store = tx ? storeOf(deps).within(tx) : storeOf(deps);
  const version = await latestVersion(db, req.tenantId, req.estateId, 'workflow', req.workflowKey);
  if (!version) throw notFound('definition', `workflow/${req.workflowKey}`);
  const pinned = await deps.cache.get(db, req.tenantId, version.id);
  const instanceId = req.instanceId ?? randomUUID();
  let serial: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const context = await estateContext(db, req.tenantId, req.estateId, req.workflowKey);
    const calendars = await deps.cache.calendars(db, req.tenantId, req.estateId, context.calendarStamp);
    const result = start(pinned.compiled, { now: now.toISOString(), actor: req.actor, data: req.data, params: pinned.params, calendars, instanceId, ...(req.parent ? { parent: req.parent } : {}) });
    const refused = !result.ok ? result.error
      : (req.actor.role === 'system' ? undefined : await unknownStaffPick(db, req.tenantId, req.estateId, pinned.compiled, pinned.compiled.definition.start?.form, req.data)) ?? (await unknownAssignee(db, req.tenantId, req.estateId, pinned.compiled, result.value));
    if (refused || !result.ok) {
      const error = refused ?? (result as { error: EngineError }).error;
      await audit(deps.db, { tenantId: req.tenantId, estateId: req.estateId, actor: req.actor, action: 'start', target: `workflow/${req.workflowKey}`, outcome: 'refused', detail: { error: error as unknown as Record<string, unknown>, data: dataSummary(req.data) }, at: now });
      throw refusal(error);
    }
    const outcome = result.value;
    serial ??= instanceSerial(pinned.compiled.definition, await nextSerial(db, req.tenantId, `serial:${req.estateId}:${req.workflowKey}`));
    const created: NewInstance = {
      tenantId: req.tenantId, id: instanceId, estateId: req.estateId, unitId: req.unitId ?? null, workflowKey: req.workflowKey,
      definitionVersionId: version.id, workflowVersion: version.version, serial, startedBy: req.actor.id === 'system' ? null : req.actor.id, requestedFor: req.requestedFor ?? null, ...context,
    };
    const sla = await SlaState.of(db, { row: created, sla: context.sla, armed: [], history: [] }, calendars, pinned.params);
    const plan = planWrite(created, {
      kind: 'step', outcome, event: { type: 'start', data: outcome.history.event.data ?? {} }, actor: req.actor,
      slaTimers: sla ? (row) => (sla.append({ at: now, type: 'start', data: outcome.history.event.data ?? {}, stateAfter: outcome.snapshot.value }), sla.arm(row, now)) : undefined,
      audit: [{ actorId: created.startedBy, actorRole: req.actor.role, action: 'start', target: `instance/${instanceId}`, outcome: 'accepted', detail: { workflow: req.workflowKey, version: version.version } }],
      attachments: uploadsIn(req.data), idempotency: req.idempotency,
    }, now);
    const [answer] = await store.commit([plan]);
    if (answer === 'ok') return rowAfter(created, plan);
    // a calendar or SLA policy published between the read and the commit: planned again on the new one
    if (attempt >= RETRIES) throw changedMeanwhile(attempt + 1);
  }
}

export interface SendRequest {
  tenantId: string;
  instanceId: string;
  event: EngineEvent;
  /** the sender, or a function of the instance's estate that checks access (404/403) and answers the sender */
  actor: Actor | ((estateId: string) => Actor);
  expectedVersion?: number | undefined;
  /** the request's Idempotency-Key, committed with the event (its answer made from the row it leaves) */
  idempotency?: IdempotencyInput | undefined;
}

export type SendResult = { instance: Instance; outcome: Outcome; stale: boolean };

/** The client sent `expectedVersion` and the instance is at another. */
const versionConflict = (current: number, sent: number) => new ApiError(
  'version-conflict',
  { zh: `工单已被他人更新（当前版本 ${current}，您提交的是 ${sent}），请刷新后重试`, en: `The instance was changed meanwhile (version ${current}, you sent ${sent}); reload and try again` },
  { field: 'expectedVersion' },
);

/** No version was sent, and every one of our tries found the instance (or its calendars and SLA policies) changed by another writer. */
const changedMeanwhile = (times: number) => new ApiError(
  'version-conflict',
  { zh: `提交期间工单被他人连续更新（我们重试时又被更新了 ${times} 次），未能保存，请稍后重试`, en: `The instance kept changing while we applied this (changed by others ${times} times while we retried); nothing was saved, try again shortly` },
);

/**
 * Sends an event: the store loads the instance (a copy the process keeps, else one statement with
 * its calendar fingerprint and SLA binding), the pinned definition steps it (pure), `planWrite`
 * makes the plan (snapshot at version + 1 from the version read, history row, timers, tasks, SLA
 * timers, outbox, uploads claimed, idempotency record), the store commits it. When another writer
 * got there first (`moved`) the event is stepped again on a fresh read; a client's
 * `expectedVersion` then no longer matches: 409. A plan from a kept copy, or one that arms SLA
 * timers, holds only while the calendars and SLA policies it was made with are current. Anything
 * a kept copy answered that the database might not (a conflict, a refusal, a stale timer) is tried
 * again on a fresh read. A refusal writes nothing but an audit line. Inside `tx` (the worker's
 * outbox delivery) the store works in that transaction.
 */
export async function sendEvent(deps: EventPathDeps, req: SendRequest, tx?: Tx): Promise<SendResult> {
  const now = deps.now();
  const db: DbOrTx = tx ?? deps.db;
  const store = tx ? storeOf(deps).within(tx) : storeOf(deps);
  let estateId: string | null = null;
  let actor: Actor = typeof req.actor === 'function' ? { id: 'unknown', role: 'unknown' } : req.actor;
  let fresh = false;
  let moved = 0;
  try {
    for (;;) {
      const [ctx] = await store.load([[req.tenantId, req.instanceId]], { fresh });
      if (!ctx) throw notFound('instance', req.instanceId);
      // what a kept copy cannot settle is settled on a fresh read
      const retryFresh = () => {
        if (!ctx.cached) return false;
        fresh = true;
        return true;
      };
      const inst = ctx.row;
      estateId = inst.estateId;
      if (typeof req.actor === 'function') actor = req.actor(inst.estateId);
      if (req.expectedVersion !== undefined && req.expectedVersion !== inst.version) {
        if (retryFresh()) continue;
        throw versionConflict(inst.version, req.expectedVersion);
      }
      const [pinned, calendars] = await Promise.all([
        deps.cache.get(db, req.tenantId, inst.definitionVersionId),
        deps.cache.calendars(db, req.tenantId, inst.estateId, ctx.calendarStamp),
      ]);
      const result = step(pinned.compiled, inst.snapshot as unknown as EngineSnapshot, req.event, { now: now.toISOString(), actor, calendars, params: pinned.params });
      const refused = !result.ok ? result.error
        : (actor.role === 'system' ? undefined : await unknownStaffPick(db, req.tenantId, inst.estateId, pinned.compiled, pinned.compiled.definition.events[req.event.type]?.form, req.event.data))
          ?? (await unknownAssignee(db, req.tenantId, inst.estateId, pinned.compiled, result.value));
      if (refused || !result.ok) {
        if (retryFresh()) continue;
        throw refusal(refused ?? (result as { error: EngineError }).error);
      }
      const outcome = result.value;
      if (outcome.stale) {
        if (retryFresh()) continue;
        return { instance: inst, outcome, stale: true };
      }
      const plan = await planEvent(db, ctx, { event: req.event, actor, outcome, idempotency: req.idempotency, calendars, params: pinned.params }, now);
      const [answer] = await store.commit([plan]);
      if (answer === 'ok') return { instance: rowAfter(ctx, plan), outcome, stale: false };
      fresh = true;
      if (!ctx.cached) moved++;
      if (moved > RETRIES) {
        if (req.expectedVersion !== undefined) throw versionConflict(inst.version + 1, req.expectedVersion);
        throw changedMeanwhile(moved);
      }
    }
  } catch (e) {
    // the same request ran alongside and committed first (this one then found the instance moved on): its answer is this one's
    if (e instanceof ApiError && req.idempotency && await keyStored(deps.db, req.tenantId, req.idempotency)) throw new IdempotencyRace(req.idempotency.key);
    if (e instanceof ApiError && e.reason !== 'not-found' && !tx) {
      await audit(deps.db, {
        tenantId: req.tenantId, estateId, actor, action: `event:${shownType(req.event.type)}`, target: `instance/${req.instanceId}`, outcome: 'refused',
        detail: { reason: e.reason, message: e.text, field: e.field, data: dataSummary(req.event.data ?? {}) }, at: now,
      });
    }
    throw e;
  }
}

/**
 * The plan of an accepted event (the worker's timer events too): the step's rows, and the SLA
 * timers re-armed for the instance as the event leaves it when a policy is bound or a timer armed.
 */
export async function planEvent(db: DbOrTx, ctx: InstanceContext, e: { event: EngineEvent; actor: Actor; outcome: Outcome; idempotency?: IdempotencyInput | undefined; calendars: Record<string, unknown>; params: Record<string, unknown>; firedTimers?: WritePlan['firedTimers'] }, now: Date): Promise<WritePlan> {
  // what the engine accepted (the form's cleaned data), not what was sent
  const data = e.outcome.history.event.data ?? e.event.data ?? {};
  const sla = await SlaState.of(db, ctx, e.calendars, e.params);
  return planWrite(ctx, {
    kind: 'step', outcome: e.outcome, event: { type: e.event.type, data }, actor: e.actor,
    // a kept copy's plan, and one with SLA timers computed from a read, hold only while the calendars and policies are those read
    checkContext: ctx.cached === true,
    slaTimers: sla ? (row) => (sla.append({ at: now, type: e.event.type, data, stateAfter: e.outcome.snapshot.value }), sla.arm(row, now)) : undefined,
    attachments: uploadsIn(data), idempotency: e.idempotency, firedTimers: e.firedTimers,
  }, now);
}
