import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { instances, outbox, timers, type Db, type OutboxRow, type Tx } from '@estateflow/db';
import type { Effect } from '@estateflow/engine';
import { ApiError } from './errors.ts';
import { CompiledCache } from './services/compiled-cache.ts';
import { sendEvent, startInstance, systemActor, type EventPathDeps } from './services/event-path.ts';
import { fireSlaTimer, isSlaTimer } from './services/sla-timers.ts';

export interface WorkerOptions {
  db: Db;
  /** identifies this worker in `timers.fired_by` / `outbox.processed_by` */
  workerId: string;
  batchSize?: number;
  /** timers of one batch in flight at once, each in its own transaction (default 4) */
  concurrency?: number;
  now?: () => Date;
  cache?: CompiledCache;
  /** pause inside each timer's transaction, before commit (crash tests only) */
  stepDelayMs?: number;
}

export interface BatchResult {
  fired: number;
  skipped: number;
  cancelled: number;
  delivered: number;
}

/** Outbox kinds the worker delivers; `charge` rows wait for billing. */
const deliverable = ['notify', 'escalate', 'incident', 'startChild', 'parentDone'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Fires one batch of due timers. Each timer gets its own transaction that locks the instance and
 * then the timer, both `FOR UPDATE SKIP LOCKED` (the event path's lock order, so no deadlock):
 * a timer another worker holds is skipped, and a worker killed mid-batch loses only its open
 * transaction, which rolls back and leaves the timer armed for the next worker. The timer event
 * goes through the same event path as a user's, with actor `system`.
 */
export async function fireDueTimers(opts: WorkerOptions, deps: EventPathDeps): Promise<Omit<BatchResult, 'delivered'>> {
  const now = deps.now();
  const due = await opts.db
    .select({ tenantId: timers.tenantId, id: timers.id, instanceId: timers.instanceId })
    .from(timers)
    .where(and(eq(timers.status, 'armed'), lte(timers.dueAt, now)))
    .orderBy(asc(timers.dueAt))
    .limit(opts.batchSize ?? 20);
  const result = { fired: 0, skipped: 0, cancelled: 0 };
  // one timer per round trip chain is bound by latency, not by the database: run a few at once
  let next = 0;
  const lane = async () => {
    while (next < due.length) result[await fireOne(opts, deps, due[next++]!, now)]++;
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, due.length)) }, lane));
  return result;
}

async function fireOne(opts: WorkerOptions, deps: EventPathDeps, candidate: { tenantId: string; id: string; instanceId: string }, now: Date): Promise<'fired' | 'skipped' | 'cancelled'> {
  return opts.db.transaction(async (tx) => {
    const [inst] = await tx.select({ id: instances.id }).from(instances)
      .where(and(eq(instances.tenantId, candidate.tenantId), eq(instances.id, candidate.instanceId)))
      .for('update', { skipLocked: true });
    const [timer] = await tx.select().from(timers)
      .where(and(eq(timers.tenantId, candidate.tenantId), eq(timers.id, candidate.id), eq(timers.status, 'armed')))
      .for('update', { skipLocked: true });
    if (!timer) return 'skipped' as const;
    if (!inst) {
      // the instance is busy (another worker or a user event): try again next round
      const [exists] = await tx.select({ id: instances.id }).from(instances).where(and(eq(instances.tenantId, candidate.tenantId), eq(instances.id, candidate.instanceId)));
      if (exists) return 'skipped' as const;
      await tx.update(timers).set({ status: 'cancelled', firedAt: now, firedBy: opts.workerId }).where(and(eq(timers.tenantId, timer.tenantId), eq(timers.id, timer.id)));
      return 'cancelled' as const;
    }
    let status: 'fired' | 'cancelled' = 'fired';
    // an SLA deadline is not an event of the workflow: it is recorded and noticed, not sent to the machine
    if (isSlaTimer(timer)) status = await fireSlaTimer(tx, deps.cache, timer, now);
    else try {
      const sent = await sendEvent(deps, {
        tenantId: timer.tenantId, instanceId: timer.instanceId, actor: systemActor,
        event: { type: timer.event, data: timer.data, timer: { id: timer.key, due: timer.dueAt.toISOString() } },
      }, tx);
      if (sent.stale) status = 'cancelled';
    } catch (e) {
      // refused (e.g. the instance ended): nothing was written; the timer is retired, not retried
      if (!(e instanceof ApiError)) throw e;
      status = 'cancelled';
    }
    await tx.update(timers).set({ status, firedAt: now, firedBy: opts.workerId }).where(and(eq(timers.tenantId, timer.tenantId), eq(timers.id, timer.id)));
    if (opts.stepDelayMs) await sleep(opts.stepDelayMs);
    return status;
  });
}

async function deliver(tx: Tx, row: OutboxRow, deps: EventPathDeps): Promise<void> {
  const effect = row.payload as unknown as Effect;
  switch (effect.kind) {
    case 'startChild': {
      if (!row.instanceId) return;
      await startInstance({ ...deps, db: tx as unknown as Db }, {
        tenantId: row.tenantId, estateId: row.estateId, workflowKey: effect.workflow, data: effect.input, actor: systemActor,
        instanceId: effect.childId, parent: { instanceId: row.instanceId, doneEvent: effect.doneEvent },
      }).catch((e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
      });
      return;
    }
    case 'parentDone':
      await sendEvent(deps, {
        tenantId: row.tenantId, instanceId: effect.parent.instanceId, actor: systemActor,
        event: { type: effect.parent.doneEvent, data: (effect.output ?? {}) as Record<string, unknown> },
      }, tx).catch((e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
      });
      return;
    case 'notify':
    case 'escalate':
    case 'incident':
      // in-app delivery: the delivered row is the notice, listed by GET /api/notices
      return;
    default:
      return;
  }
}

/** Delivers one batch of pending outbox rows, claimed with `FOR UPDATE SKIP LOCKED`. */
export async function deliverOutbox(opts: WorkerOptions, deps: EventPathDeps): Promise<number> {
  return opts.db.transaction(async (tx) => {
    const rows = await tx.select().from(outbox)
      .where(and(eq(outbox.status, 'pending'), inArray(outbox.kind, deliverable)))
      .orderBy(asc(outbox.createdAt))
      .limit(opts.batchSize ?? 20)
      .for('update', { skipLocked: true });
    for (const row of rows) {
      await deliver(tx, row, deps);
      await tx.update(outbox).set({ status: 'done', attempts: sql`${outbox.attempts} + 1`, processedAt: deps.now(), processedBy: opts.workerId })
        .where(and(eq(outbox.tenantId, row.tenantId), eq(outbox.id, row.id)));
    }
    return rows.length;
  });
}

/** One round: a batch of due timers, then a batch of outbox rows. */
export async function runWorkerOnce(opts: WorkerOptions): Promise<BatchResult> {
  const deps: EventPathDeps = { db: opts.db, cache: opts.cache ?? new CompiledCache(), now: opts.now ?? (() => new Date()) };
  const t = await fireDueTimers(opts, deps);
  const delivered = await deliverOutbox(opts, deps);
  return { ...t, delivered };
}

/**
 * Polls for due timers and outbox rows until stopped; a full batch is followed at once by the next.
 * @example const stop = startWorker({ db, workerId: 'w1' }); … await stop();
 */
export function startWorker(opts: WorkerOptions & { intervalMs?: number; onError?: (e: unknown) => void }): () => Promise<void> {
  let running = true;
  const cache = opts.cache ?? new CompiledCache();
  const loop = (async () => {
    while (running) {
      let busy = false;
      try {
        const r = await runWorkerOnce({ ...opts, cache });
        busy = r.fired + r.skipped + r.cancelled >= (opts.batchSize ?? 20) || r.delivered >= (opts.batchSize ?? 20);
      } catch (e) {
        (opts.onError ?? ((err) => console.error('[worker]', err)))(e);
      }
      if (!busy && running) await sleep(opts.intervalMs ?? 1000);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
