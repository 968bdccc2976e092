/**
 * A WritePlan: every row one change of one instance writes, as one typed value with readable
 * names. `planWrite` (plan-write.ts) makes it from what the engine decided; an `EventStore`
 * commits it whole or not at all. The fast store hands it to PostgreSQL as it is (JSON), where
 * `ef_commit_plan` (packages/db/sql/ef_commit_plan.sql) reads these very names.
 */
import type { EngineSnapshot } from '@estateflow/engine';

/** What the change was computed with besides the instance row: the write holds only while it is unchanged. */
export interface ContextFingerprint {
  /** the estate's calendar fingerprint as read (`ef_calendar_fingerprint`) */
  calendars: string;
  /** the workflow whose bound SLA policies are compared */
  workflow: string;
  /** the SLA policy versions bound to it as read (`ef_bound_sla`); the commit compares their ids */
  sla: { id: string; key: string; version: number }[];
}

/** The instance row's new fields (status, grade and search text follow the snapshot). */
interface SnapshotFields {
  document: EngineSnapshot;
  status: 'active' | 'done';
  grade: string | null;
  searchText: string;
  endedAt: string | null;
}

/** A start: the row is inserted at version 1. */
export interface CreateSnapshot extends SnapshotFields {
  write: 'create';
  created: { unitId: string | null; workflowKey: string; definitionVersionId: string; workflowVersion: number; serial: string; startedBy: string | null; requestedFor: string | null };
}

/** An event: the row moves from `expectedVersion` to the next, only if it is still there. */
export interface NextSnapshot extends SnapshotFields {
  write: 'next';
  expectedVersion: number;
}

/** A re-arm or re-timing (no event): the row is held at `expectedVersion`, its version stays; `document` replaces the snapshot when given. */
export interface HoldSnapshot {
  write: 'hold';
  expectedVersion: number;
  document?: EngineSnapshot;
}

export type SnapshotWrite = CreateSnapshot | NextSnapshot | HoldSnapshot;

/** The history row of an accepted start or event (seq = the version it produced). */
export interface HistoryWrite {
  seq: number;
  type: string;
  data: Record<string, unknown>;
  actorId: string | null;
  actorRole: string;
  idempotencyKey: string | null;
  stateAfter: unknown;
}

export interface TimerWrite { id: string; key: string; event: string; data: Record<string, unknown>; dueAt: string }
export interface DueMove { key: string; dueAt: string }
export interface TaskWrite { id: string; key: string; title: unknown; role: string | null; assigneeId: string | null; form: string | null; events: string[]; dueAt: string | null }
export interface TaskReassign { key: string; role: string | null; assigneeId: string | null }

/**
 * The inbox's change of who works one open task of the instance (a claim, a supervisor's or a
 * deactivation's reassignment): the instance's snapshot and version stay, so a plan with a claim
 * carries no snapshot. It decides like a snapshot does: when the task is no longer open (or, with
 * `unlessHeld`, someone else holds it) nothing is written and the answer is `moved`.
 */
export interface TaskClaimWrite {
  taskId: string;
  /** the new assignee (`claimed_at` = the plan's `at`), or null: back to the role's pool */
  assigneeId: string | null;
  role: string | null;
  /** a claim: only while the task is unassigned or already the assignee's */
  unlessHeld: boolean;
}

/** One SLA timer wanted: its key is `ef_sla_timer_key(policy, metric, kind, step)` (the scheme's one home). */
export interface SlaTimerWrite {
  id: string;
  policy: string;
  metric: string;
  kind: 'warning' | 'breach' | 'escalation';
  /** the warning's percentage, the escalation's rung, or 0 */
  step: number;
  event: string;
  data: Record<string, unknown>;
  dueAt: string;
}

/** The instance's SLA timers as they should be: future armed ones not wanted are cancelled, wanted ones not armed inserted. */
export interface SlaTimersWrite {
  now: string;
  /** the timer being fired, left alone */
  except: string | null;
  wanted: SlaTimerWrite[];
}

export interface OutboxWrite { id: string; kind: string; payload: Record<string, unknown> }
export interface ChargeWrite { id: string; payload: Record<string, unknown> }

export interface AuditWrite {
  id: string;
  actorId: string | null;
  actorRole: string;
  action: string;
  target: string;
  outcome: 'accepted' | 'refused';
  detail: Record<string, unknown>;
}

/** The request's key and its stored answer, committed with the effect (a retry replays it). */
export interface IdempotencyWrite {
  userId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  statusCode: number;
  response: unknown;
}

/** Every row one change of one instance writes. Parts that are absent write nothing. */
export interface WritePlan {
  tenantId: string;
  instanceId: string;
  /** null only in the worker's plan retiring the timers of an instance that is gone */
  estateId: string | null;
  /** ISO instant: updated_at, history `at`, tasks opened/closed, outbox, audit, uploads claimed */
  at: string;
  snapshot?: SnapshotWrite;
  /** never with `snapshot` */
  claim?: TaskClaimWrite;
  context?: ContextFingerprint;
  history?: HistoryWrite;
  timers?: { cancel?: string[]; arm?: TimerWrite[]; move?: DueMove[] };
  /** open tasks closed by key: `close` as done, `cancel` as cancelled (the engine's `TaskChanges` says which) */
  tasks?: { close?: string[]; cancel?: string[]; open?: TaskWrite[]; reassign?: TaskReassign[]; move?: DueMove[] };
  slaTimers?: SlaTimersWrite;
  outbox?: OutboxWrite[];
  charges?: ChargeWrite[];
  /** uploads the change names, claimed so the orphan sweep keeps them */
  attachments?: string[];
  audit?: AuditWrite[];
  idempotency?: IdempotencyWrite;
  /** the worker's claimed timers this change retires */
  firedTimers?: { by: string; timers: { id: string; status: 'fired' | 'cancelled' }[] };
}
