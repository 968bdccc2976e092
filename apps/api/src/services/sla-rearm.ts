/**
 * Running instances follow a newly published SLA policy or calendar: publishing one enqueues a
 * `slaRearm` outbox row in the publish's transaction (`enqueueSlaRearm`, sla-rearm-job.ts), and the worker re-arms the
 * SLA timers of the estate's running instances it concerns, a batch per transaction (`rearmSlaBatch`).
 * A re-arm is not an event: no history row, the instance's version stays (clients' `expectedVersion`
 * holds). Its write (`ef_sla_rearm`, migration 0008) holds the instance row only if it is still at the
 * version and context (calendars, bound policy versions) the timers were computed from; otherwise
 * the instance is read again and recomputed.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { instances, outbox, type Db, type Tx } from '@estateflow/db';
import { retimeTimers, type EngineSnapshot } from '@estateflow/engine';
import type { CompiledCache } from './compiled-cache.ts';
import { awaitStartsInFlight, slaRearmKind, type SlaRearmJob } from './sla-rearm-job.ts';
import { executeNamed, fingerprintOf, jsonValue, loadContexts, rowsOf, type ContextFingerprint, type SlaArmWrite } from './event-store.ts';
import { SlaState } from './sla-timers.ts';

/** One instance's re-arm: its SLA timers (`sla`), and/or its engine timers and open tasks re-timed on a new calendar (`snap` with them, `et` and `kt` the rows to move). */
type RearmGroup = { t: string; i: string; e: string; v: number; fp: ContextFingerprint; sla?: SlaArmWrite; snap?: unknown; et?: { key: string; due: string }[]; kt?: { key: string; due: string }[] };
type RearmAnswer = { moved: number[]; busy: number[]; gone: number[] };

/** Rounds an instance that keeps moving on is read again within one batch before it waits for the next. */
const ROUNDS = 3;

/**
 * Re-arms the SLA timers of the given instances at `now` inside `tx`: each is read (as the event
 * path reads it), its clocks computed with the latest policies and calendars, and its timers made to
 * match by `ef_sla_rearm`, which holds the row at the version read. Instances that moved on are read
 * again (up to `ROUNDS` times); those another writer holds are answered as `busy`.
 */
export async function rearmInstances(tx: Tx, cache: CompiledCache, tenantId: string, ids: string[], now: Date, onError: (e: unknown) => void = console.error, retime = false): Promise<{ rearmed: string[]; busy: string[] }> {
  const rearmed: string[] = [];
  const busy: string[] = [];
  let todo = ids;
  for (let round = 0; round < ROUNDS && todo.length; round++) {
    const contexts = await loadContexts(tx, todo.map((id) => [tenantId, id]));
    const groups: RearmGroup[] = [];
    for (const ctx of contexts) {
      const inst = ctx.row;
      // an ended instance's last event settled its timers
      if (inst.status !== 'active') continue;
      try {
        const [pinned, calendars] = await Promise.all([
          cache.get(tx, inst.tenantId, inst.definitionVersionId),
          cache.calendars(tx, inst.tenantId, inst.estateId, ctx.calendarStamp),
        ]);
        const arm = (await SlaState.of(tx, ctx, calendars, pinned.params))?.arm(inst, now);
        // a calendar publish: the engine's timers armed from working-time delays follow it too
        const retimed = retime ? retimeTimers(pinned.compiled, inst.snapshot as unknown as EngineSnapshot, calendars) : undefined;
        const engine = retimed && (retimed.changed.length || retimed.tasks.length)
          ? { snap: retimed.snapshot, et: retimed.changed.map((t) => ({ key: t.id, due: t.due })), kt: retimed.tasks.map((k) => ({ key: k.id, due: k.due! })) }
          : {};
        if (arm || engine.snap) groups.push({ t: inst.tenantId, i: inst.id, e: inst.estateId, v: inst.version, fp: fingerprintOf(ctx), ...(arm ? { sla: arm } : {}), ...engine });
      } catch (e) {
        // one instance that cannot be computed (its pinned definition, say) must not stop the job: its next event tries again
        onError(e);
      }
    }
    if (groups.length === 0) break;
    const [r] = rowsOf<{ r: unknown }>(await executeNamed(tx, 'ef_sla_rearm', sql`select ef_sla_rearm(${JSON.stringify(groups)}::jsonb) as r`));
    const answer = jsonValue<RearmAnswer>(r?.r);
    const moved = new Set(answer.moved);
    const held = new Set(answer.busy);
    const gone = new Set(answer.gone);
    groups.forEach((g, n) => {
      if (held.has(n)) busy.push(g.i);
      else if (!moved.has(n) && !gone.has(n)) rearmed.push(g.i);
    });
    todo = answer.moved.map((n) => groups[n]!.i);
  }
  // still moving after every round: its own events re-arm it meanwhile; checked again with the next batch
  busy.push(...todo);
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
    const { rearmed, busy } = await rearmInstances(tx, cache, row.tenantId, [...new Set([...job.retry, ...next.map((r) => r.id)])], now, onError, job.cause.kind === 'calendar');
    const last = next.length < batchSize;
    const waited = (job.waited ?? 0) + (last && busy.length ? 1 : 0);
    const progress: SlaRearmJob = { ...job, after: next.at(-1)?.id ?? job.after, retry: busy, waited, rearmed: job.rearmed + rearmed.length };
    const done = last && (busy.length === 0 || waited >= MAX_WAITS);
    await tx.update(outbox).set({
      payload: progress as unknown as Record<string, unknown>, attempts: row.attempts + 1,
      ...(done ? { status: 'done' as const, processedAt: now, processedBy: workerId } : {}),
    }).where(and(eq(outbox.tenantId, row.tenantId), eq(outbox.id, row.id)));
    return { rearmed: rearmed.length, more: next.length === batchSize };
  });
}
