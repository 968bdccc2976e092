/**
 * `planWrite(instance, outcome, now)`: the one pure function that turns a change of an instance
 * (an accepted start or event, a re-arm, the worker's timer bookkeeping) into the `WritePlan` an
 * `EventStore` commits. No I/O, no clock: `now` and the ids' source are arguments.
 */
import { randomUUID } from 'node:crypto';
import type { Instance } from '@estateflow/db';
import type { Actor, EngineSnapshot, Outcome } from '@estateflow/engine';
import { fingerprintOf, type BoundVersion, type HistoryRow, type InstanceContext } from './event-store.ts';
import type { AuditWrite, DueMove, OutboxWrite, SlaTimersWrite, TaskClaimWrite, WritePlan } from './write-plan.ts';

/** An instance being started: the row to create, and the estate's context read for it. */
export interface NewInstance {
  tenantId: string;
  id: string;
  estateId: string;
  unitId: string | null;
  workflowKey: string;
  definitionVersionId: string;
  workflowVersion: number;
  serial: string;
  startedBy: string | null;
  /** the resident a staff member registered the request for (null: for whoever raised it) */
  requestedFor?: string | null;
  calendarStamp: string;
  sla: BoundVersion[] | null;
}

/** The request's Idempotency-Key: its record is committed with the change, its answer made from the row the change leaves. */
export interface IdempotencyInput {
  userId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  answer: (row: Instance) => { status: number; body: unknown };
}

/** What rides along with any change. */
export interface WriteExtras {
  /** the SLA timers as they should be, or how to compute them from the row the change leaves (undefined: none to write) */
  slaTimers?: SlaTimersWrite | ((row: Instance) => SlaTimersWrite | undefined) | undefined;
  outbox?: Omit<OutboxWrite, 'id'>[];
  audit?: Omit<AuditWrite, 'id'>[];
  attachments?: string[];
  idempotency?: IdempotencyInput | undefined;
  firedTimers?: WritePlan['firedTimers'] | undefined;
  /** the write holds only while the context read is current (a cached copy, SLA timers, a start) */
  checkContext?: boolean;
}

/** A change of an instance. */
export type WriteOutcome =
  /** an accepted start (on a `NewInstance`) or event: the engine's outcome, what was sent and by whom */
  | (WriteExtras & { kind: 'step'; outcome: Outcome; event: { type: string; data: Record<string, unknown> }; actor: Actor })
  /** a re-arm (SLA policy or calendar published): no event, the version stays; `retimed` moves the engine's timers and tasks' due times */
  | (WriteExtras & { kind: 'rearm'; retimed?: { document: EngineSnapshot; timers: DueMove[]; tasks: DueMove[] } })
  /** the worker's bookkeeping without an event (an SLA timer fired, a timer retired): the row is not written */
  | (WriteExtras & { kind: 'timers' });

const textOf = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** What the instance list searches: the serial and the instance's text and number values. */
export function searchTextOf(serial: string, snapshot: EngineSnapshot): string {
  const values = Object.values(snapshot.context.data ?? {}).map(textOf).filter(Boolean);
  return [serial, ...values].join(' ').slice(0, 4000);
}

const gradeOf = (snapshot: EngineSnapshot): string | null => {
  const g = snapshot.context.data?.grade;
  return typeof g === 'string' ? g : null;
};

/** The owner of timers whose instance is gone (the worker retires them): no row to read or write. */
export interface GoneInstance {
  tenantId: string;
  id: string;
  gone: true;
}

const isNew = (i: InstanceContext | NewInstance | GoneInstance): i is NewInstance => !('row' in i) && !('gone' in i);

/** The outbox rows of what the engine decided: its effects, and its charges (written as `charge` rows). */
function effectsOf(outcome: Outcome, instanceId: string, serial: string, newId: () => string): Pick<WritePlan, 'outbox' | 'charges'> {
  const out: Pick<WritePlan, 'outbox' | 'charges'> = {};
  if (outcome.effects.length) out.outbox = outcome.effects.map((e) => ({ id: newId(), kind: e.kind, payload: e as unknown as Record<string, unknown> }));
  if (outcome.charges.length) out.charges = outcome.charges.map((ch) => ({ id: newId(), payload: { ...ch, instanceId, serial: ch.serial || serial } }));
  return out;
}

/** The timer and task rows of what the engine decided (a timer armed again is cancelled first). */
function rowsOfOutcome(outcome: Outcome, newId: () => string): Pick<WritePlan, 'timers' | 'tasks'> {
  const out: Pick<WritePlan, 'timers' | 'tasks'> = {};
  const cancel = [...new Set([...outcome.timers.cancel, ...outcome.timers.arm.map((t) => t.id)])];
  const arm = outcome.timers.arm.map((t) => ({ id: newId(), key: t.id, event: t.event.type, data: t.event.data ?? {}, dueAt: new Date(t.due).toISOString() }));
  if (cancel.length || arm.length) out.timers = { ...(cancel.length ? { cancel } : {}), ...(arm.length ? { arm } : {}) };
  const close = outcome.tasks.close.map((t) => t.id);
  const cancelled = outcome.tasks.cancel.map((t) => t.id);
  const open = outcome.tasks.open.map((t) => ({
    id: newId(), key: t.id, title: t.title, role: t.role ?? null, assigneeId: t.user ?? null, form: t.form ?? null, events: t.events ?? [],
    dueAt: t.due ? new Date(t.due).toISOString() : null,
  }));
  const reassign = outcome.tasks.assign.map((t) => ({ key: t.id, role: t.role ?? null, assigneeId: t.user ?? null }));
  if (close.length || cancelled.length || open.length || reassign.length) {
    out.tasks = { ...(close.length ? { close } : {}), ...(cancelled.length ? { cancel: cancelled } : {}), ...(open.length ? { open } : {}), ...(reassign.length ? { reassign } : {}) };
  }
  return out;
}

/**
 * The plan of one change of an instance. Pure: writes nothing, reads no clock (`now`), ids from
 * `newId`. The snapshot part is what the change does to the row: `create` for a start, `next`
 * (version + 1, only from the version read) for an event, `hold` for a re-arm, none for the worker's
 * bookkeeping. A step records who sent what as its history row (an accepted event's only record);
 * the idempotency record, when given, carries the answer made from the row the change leaves.
 * @example const plan = planWrite(ctx, { kind: 'step', outcome, event, actor }, now); await store.commit([plan]);
 */
export function planWrite(instance: InstanceContext | NewInstance | GoneInstance, outcome: WriteOutcome, now: Date, newId: () => string = randomUUID): WritePlan {
  const at = now.toISOString();
  if ('gone' in instance) {
    if (outcome.kind !== 'timers' || !outcome.firedTimers) throw new Error(`instance ${instance.id} is gone: only its timers can be retired`);
    return { tenantId: instance.tenantId, instanceId: instance.id, estateId: null, at, firedTimers: outcome.firedTimers };
  }
  const base = isNew(instance) ? instance : instance.row;
  const serial = base.serial;
  const plan: WritePlan = { tenantId: base.tenantId, instanceId: base.id, estateId: base.estateId, at };
  switch (outcome.kind) {
    case 'step': {
      const snapshot = outcome.outcome.snapshot;
      const done = snapshot.status !== 'active';
      const fields = {
        document: snapshot, status: done ? 'done' as const : 'active' as const, grade: gradeOf(snapshot), searchText: searchTextOf(serial, snapshot),
        endedAt: done ? (isNew(instance) ? at : (instance.row.endedAt?.toISOString() ?? at)) : null,
      };
      const version = isNew(instance) ? 1 : instance.row.version + 1;
      plan.snapshot = isNew(instance)
        ? { write: 'create', ...fields, created: { unitId: instance.unitId, workflowKey: instance.workflowKey, definitionVersionId: instance.definitionVersionId, workflowVersion: instance.workflowVersion, serial, startedBy: instance.startedBy, requestedFor: instance.requestedFor ?? null } }
        : { write: 'next', expectedVersion: instance.row.version, ...fields };
      const actorId = outcome.actor.id === 'system' ? null : outcome.actor.id;
      plan.history = {
        seq: version, type: outcome.event.type, data: outcome.event.data, actorId, actorRole: outcome.actor.role,
        idempotencyKey: outcome.idempotency?.key ?? null, stateAfter: snapshot.value,
      };
      Object.assign(plan, rowsOfOutcome(outcome.outcome, newId), effectsOf(outcome.outcome, base.id, serial, newId));
      break;
    }
    case 'rearm': {
      const row = (instance as InstanceContext).row;
      plan.snapshot = { write: 'hold', expectedVersion: row.version, ...(outcome.retimed ? { document: outcome.retimed.document } : {}) };
      if (outcome.retimed?.timers.length) plan.timers = { move: outcome.retimed.timers };
      if (outcome.retimed?.tasks.length) plan.tasks = { move: outcome.retimed.tasks };
      break;
    }
    case 'timers':
      break;
    default:
      return outcome satisfies never;
  }
  const slaTimers = typeof outcome.slaTimers === 'function' ? outcome.slaTimers(rowAfter(instance, plan)) : outcome.slaTimers;
  if (slaTimers) plan.slaTimers = slaTimers;
  // SLA timers are computed from the policies and calendars read: they must still be those at the commit
  if (outcome.checkContext || outcome.kind === 'rearm' || isNew(instance) || slaTimers) {
    plan.context = fingerprintOf(isNew(instance) ? { calendarStamp: instance.calendarStamp, sla: instance.sla, row: { workflowKey: instance.workflowKey } } : instance);
  }
  if (outcome.outbox?.length) plan.outbox = [...(plan.outbox ?? []), ...outcome.outbox.map((o) => ({ id: newId(), ...o }))];
  if (outcome.audit?.length) plan.audit = outcome.audit.map((a) => ({ id: newId(), ...a }));
  if (outcome.attachments?.length) plan.attachments = [...new Set(outcome.attachments)];
  if (outcome.firedTimers?.timers.length) plan.firedTimers = outcome.firedTimers;
  if (outcome.idempotency) {
    const { answer, ...key } = outcome.idempotency;
    const { status, body } = answer(rowAfter(instance, plan));
    plan.idempotency = { ...key, statusCode: status, response: JSON.parse(JSON.stringify(body)) };
  }
  return plan;
}

/**
 * The plan of the inbox's change of who works one open task: a claim (`unlessHeld`: only while
 * nobody else holds it) or a reassignment. Pure. No snapshot: the instance's version stays, and
 * the commit answers `moved` when the task is no longer open (or is held by someone else).
 * @example const [answer] = await store.commit([planClaim(task, { taskId: task.id, assigneeId: me, role: task.role, unlessHeld: true }, now)]);
 */
export function planClaim(task: { tenantId: string; instanceId: string; estateId: string }, claim: TaskClaimWrite, now: Date): WritePlan {
  return { tenantId: task.tenantId, instanceId: task.instanceId, estateId: task.estateId, at: now.toISOString(), claim };
}

/** The instance row as a committed plan leaves it (no column is computed by the database). Pure. */
export function rowAfter(instance: InstanceContext | NewInstance, plan: WritePlan): Instance {
  const s = plan.snapshot;
  const at = new Date(plan.at);
  if (isNew(instance)) {
    if (s?.write !== 'create') throw new Error('a new instance is written by a create plan');
    return {
      tenantId: instance.tenantId, id: instance.id, estateId: instance.estateId, unitId: instance.unitId, workflowKey: instance.workflowKey,
      definitionVersionId: instance.definitionVersionId, workflowVersion: instance.workflowVersion, serial: instance.serial,
      state: s.document.value as object, snapshot: s.document as unknown as Record<string, unknown>, status: s.status, grade: s.grade, searchText: s.searchText,
      version: 1, startedAt: at, startedBy: instance.startedBy, requestedFor: instance.requestedFor ?? null, updatedAt: at, endedAt: s.endedAt ? new Date(s.endedAt) : null,
    };
  }
  const row = instance.row;
  if (!s) return row;
  if (s.write === 'hold') return s.document ? { ...row, snapshot: s.document as unknown as Record<string, unknown> } : row;
  if (s.write === 'create') throw new Error('an instance read is written by a next or hold plan');
  return {
    ...row, snapshot: s.document as unknown as Record<string, unknown>, state: s.document.value as object, version: s.expectedVersion + 1,
    status: s.status, grade: s.grade, searchText: s.searchText, updatedAt: at, endedAt: s.endedAt ? new Date(s.endedAt) : null,
  };
}

/** The history row a committed plan appends, as SLA clocks read it (undefined when it appends none). */
export function historyAfter(plan: WritePlan): HistoryRow | undefined {
  return plan.history ? { at: new Date(plan.at), type: plan.history.type, data: plan.history.data, stateAfter: plan.history.stateAfter } : undefined;
}
