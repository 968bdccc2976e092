/**
 * The boundary every writer of an instance goes through: starts, events, the worker's timer
 * firings and child starts, SLA re-arms and calendar re-timings (and, later, migrations). Two
 * operations: `load` reads instances with what planning their next change needs, `commit` writes
 * plans (plan-write.ts), each whole or not at all. Two implementations answer alike (one contract
 * suite, test/api/event-store.contract.test.ts): `ReferenceEventStore` (reference-store.ts), a
 * plain drizzle transaction to read first, and `FastEventStore` (fast-store.ts), the same in one
 * statement with a process cache and group commit.
 */
import type { Instance, Tx } from '@estateflow/db';
import type { ContextFingerprint, WritePlan } from './write-plan.ts';

export type { ContextFingerprint, WritePlan } from './write-plan.ts';

/** An SLA policy version bound to the instance's workflow (`ef_bound_sla`). */
export interface BoundVersion { id: string; key: string; version: number }

/** One history row as SLA clocks read it. */
export interface HistoryRow {
  at: Date;
  type: string;
  data: Record<string, unknown>;
  stateAfter: unknown;
}

/** An instance as read, with what stepping it and re-arming its SLA timers needs. */
export interface InstanceContext {
  row: Instance;
  /** the estate's calendar fingerprint (`ef_calendar_fingerprint`): calendars stay compiled while it is unchanged */
  calendarStamp: string;
  /** the SLA policy versions bound to the workflow (`ef_bound_sla`); null when none is */
  sla: BoundVersion[] | null;
  /** the instance's armed SLA timers */
  armed: { id: string; dueAt: Date }[];
  /** the instance's history by seq, only when a policy is bound */
  history: HistoryRow[] | null;
  /** set when the store answered from its process cache: the copy may be stale (the commit checks) */
  cached?: true;
}

/** `[tenantId, instanceId]` */
export type InstanceKey = [string, string];

/**
 * Per plan, in order: `ok` (written), or `moved`: nothing was written because the instance is no
 * longer at the expected version, its context (calendars, bound SLA policies) changed, a re-arm
 * found the row held by another writer, or (a store opened with `isolate`) its writes failed.
 */
export type CommitAnswer = 'ok' | 'moved';

export interface LoadOptions {
  /** read the database even when the process holds a copy */
  fresh?: boolean;
}

export interface EventStore {
  /** Reads instances by key, in order; missing ones are left out. */
  load(keys: InstanceKey[], options?: LoadOptions): Promise<InstanceContext[]>;
  /** Writes each plan whole or not at all (see `CommitAnswer`). A database error rejects; the plans of that call may then be tried one by one. */
  commit(plans: WritePlan[]): Promise<CommitAnswer[]>;
  /** The same store inside an open transaction (no cache, no group commit). `isolate`: each instance's plans in their own subtransaction, a failing one answered `moved` and reported to `onFailure`. */
  within(tx: Tx, options?: WithinOptions): EventStore;
}

export interface WithinOptions {
  isolate?: boolean;
  onFailure?: (plan: WritePlan, code: string, message: string) => void;
}

/** The context a plan was computed with, as the commit checks it. */
export const fingerprintOf = (ctx: Pick<InstanceContext, 'calendarStamp' | 'sla'> & { row: Pick<Instance, 'workflowKey'> }): ContextFingerprint => ({
  calendars: ctx.calendarStamp, workflow: ctx.row.workflowKey, sla: ctx.sla ?? [],
});

/** Raised by a commit whose idempotency record another run of the same request stored first (SQLSTATE EF409). */
export class IdempotencyRace extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key "${key}" was stored meanwhile`);
    this.name = 'IdempotencyRace';
  }
}
