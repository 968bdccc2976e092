/**
 * Running instances follow a newly published SLA policy or calendar: publishing one enqueues a
 * `slaRearm` outbox row in the publish's transaction (`enqueueSlaRearm`, sla-rearm-job.ts), and the worker re-arms the
 * SLA timers of the estate's running instances it concerns, a batch per transaction (`rearmSlaBatch`).
 * A re-arm is not an event: no history row, the instance's version stays (clients' `expectedVersion`
 * holds). Its plan (`planWrite`, kind `rearm`) holds the instance row only if it is still at the
 * version and context (calendars, bound policy versions) the timers were computed from; otherwise
 * the instance is read again and recomputed. It goes through the EventStore as a `rearm` plan.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { instances, outbox, type Db, type Tx } from '@estateflow/db';
import { retimeTimers, type EngineSnapshot } from '@estateflow/engine';
import { planWrite, type EventStore, type WritePlan } from '../store/index.ts';
import { saveJobProgress } from '../store/outbox-queue.ts';
import type { CompiledCache } from './compiled-cache.ts';
import { storeOf } from './event-path.ts';
import { awaitStartsInFlight, slaRearmKind, type SlaRearmJob } from './sla-rearm-job.ts';
import { SlaState } from './sla-timers.ts';

/** Rounds an instance that keeps moving on is read again within one batch before it waits for the next. */
const ROUNDS = 3;

/**
 * Re-arms the SLA timers of the given instances at `now` through `store` (inside the job's
 * transaction): each is loaded (as the event path reads it), its clocks computed with the latest
 * policies and calendars, and a `rearm` plan committed, which holds the row at the version read
 * and checks the context it was computed with. Instances that moved on, or that another writer
 * holds, are read again (up to `ROUNDS` times), then answered as `busy`.
 */
export async function rearmInstances(store: EventStore, db: Tx, cache: CompiledCache, tenantId: string, ids: string[], now: Date, onError: (e: unknown) => void = console.error, retime = false): Promise<{ rearmed: string[]; busy: string[] }> {
  const rearmed: string[] = [];
  let todo = ids;
  for (let round = 0; round < ROUNDS && todo.length; round++) {
    const contexts = await store.load(todo.map((id) => [tenantId, id]));
    const plans: WritePlan[] = [];
    for (const ctx of contexts) {
      const inst = ctx.row;
      // an ended instance's last event settled its timers
      if (inst.status !== 'active') continue;
      try {
        const [pinned, calendars] = await Promise.all([
          cache.get(db, inst.tenantId, inst.definitionVersionId),
          cache.calendars(db, inst.tenantId, inst.estateId, ctx.calendarStamp),
        ]);
        const slaTimers = (await SlaState.of(db, ctx, calendars, pinned.params))?.arm(inst, now);
        // a calendar publish: the engine's timers armed from working-time delays and tasks' due times follow it too
        const r = retime ? retimeTimers(pinned.compiled, inst.snapshot as unknown as EngineSnapshot, calendars) : undefined;
        const retimed = r && (r.changed.length || r.tasks.length)
          ? { document: r.snapshot, timers: r.changed.map((t) => ({ key: t.id, dueAt: t.due })), tasks: r.tasks.map((k) => ({ key: k.id, dueAt: k.due! })) }
          : undefined;
        if (slaTimers || retimed) plans.push(planWrite(ctx, { kind: 'rearm', slaTimers, retimed }, now));
      } catch (e) {
        // one instance that cannot be computed (its pinned definition, say) must not stop the job: its next event tries again
        onError(e);
      }
    }
    if (plans.length === 0) break;
    const answers = await store.commit(plans);
    plans.forEach((p, n) => {
      if (answers[n] === 'ok') rearmed.push(p.instanceId);
    });
    todo = plans.filter((_, n) => answers[n] === 'moved').map((p) => p.instanceId);
  }
  // still moving, or held by another writer, after every round: its own events re-arm it meanwhile; checked again with the next batch
  const busy = todo;
  // this process's kept copies list the timers as they were
  for (const id of [...rearmed, ...busy]) cache.instances.delete(tenantId, id);
  return { rearmed, busy };
}

/** Batches after which a job whose only instances left are held by other writers is given up (their next event re-arms them). */
const MAX_WAITS = 50;

/**
 * Runs one batch of a pending re-arm job (the one that ran fewest batches, then the oldest) in one
 * transaction: the job row is claimed `FOR UPDATE SKIP LOCKED` (another worker takes another job),
 * its next `batchSize` running instances in id order (plus those held last time) are re-armed, and
 * its progress saved; the row is `done` when no instance is left. Answers how many instances were
 * re-armed (checked and written) and whether the job has more to go. Idempotent: running a job
 * again changes no timer that is already right.
 */
export async function rearmSlaBatch(db: Db, cache: CompiledCache, now: Date, batchSize: number, workerId: string, onError?: (e: unknown) => void): Promise<{ rearmed: number; more: boolean }> {
  // every worker round asks: with no job pending (almost always) one statement answers, no transaction
  const [pending] = await db.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.status, 'pending'), eq(outbox.kind, slaRearmKind))).limit(1);
  if (!pending) return { rearmed: 0, more: false };
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(outbox)
      .where(and(eq(outbox.status, 'pending'), eq(outbox.kind, slaRearmKind)))
      // fewest batches run first: a job waiting on held instances does not hold back a newer one
      .orderBy(asc(outbox.attempts), asc(outbox.createdAt)).limit(1)
      .for('update', { skipLocked: true });
    if (!row) return { rearmed: 0, more: false };
    const job = row.payload as unknown as SlaRearmJob;
    // the first batch lists instances only once the estate's starts that may have read the old policy have committed
    if (row.attempts === 0) await awaitStartsInFlight(tx, row.tenantId, row.estateId);
    const next = await tx.select({ id: instances.id }).from(instances)
      .where(and(eq(instances.tenantId, row.tenantId), eq(instances.estateId, row.estateId), inArray(instances.workflowKey, job.workflows), eq(instances.status, 'active'),
        ...(job.after ? [gt(instances.id, job.after)] : [])))
      .orderBy(asc(instances.id)).limit(batchSize);
    const store = storeOf({ db, cache, now: () => now }).within(tx);
    const { rearmed, busy } = await rearmInstances(store, tx, cache, row.tenantId, [...new Set([...job.retry, ...next.map((r) => r.id)])], now, onError, job.cause.kind === 'calendar');
    const last = next.length < batchSize;
    const waited = (job.waited ?? 0) + (last && busy.length ? 1 : 0);
    const progress: SlaRearmJob = { ...job, after: next.at(-1)?.id ?? job.after, retry: busy, waited, rearmed: job.rearmed + rearmed.length };
    const done = last && (busy.length === 0 || waited >= MAX_WAITS);
    await saveJobProgress(tx, { tenantId: row.tenantId, id: row.id, payload: progress as unknown as Record<string, unknown>, attempts: row.attempts + 1 }, done ? { at: now, by: workerId } : undefined);
    return { rearmed: rearmed.length, more: next.length === batchSize };
  });
}
