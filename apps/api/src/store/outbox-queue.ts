/**
 * The outbox's queue side: rows that are not a change of an instance. Jobs (an SLA re-arm after a
 * publish) are enqueued and their progress saved; consumers mark the rows they handled (the
 * worker's deliveries, billing's charges). Changes of an instance write their outbox rows through
 * the EventStore, in their plan.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { outbox, type DbOrTx } from '@estateflow/db';
import { executeNamed } from './sql.ts';

/** Enqueues a job row (no instance), e.g. a `slaRearm` in a publish's transaction. */
export async function enqueueJob(tx: DbOrTx, job: { tenantId: string; estateId: string; kind: string; payload: Record<string, unknown>; createdAt: Date }): Promise<void> {
  await tx.insert(outbox).values({ ...job, id: randomUUID(), instanceId: null });
}

/** Saves a job's progress after one batch (one attempt more); `done` closes it. */
export async function saveJobProgress(tx: DbOrTx, job: { tenantId: string; id: string; payload: Record<string, unknown>; attempts: number }, done: { at: Date; by: string } | undefined): Promise<void> {
  await tx.update(outbox).set({ payload: job.payload, attempts: job.attempts, ...(done ? { status: 'done' as const, processedAt: done.at, processedBy: done.by } : {}) })
    .where(and(eq(outbox.tenantId, job.tenantId), eq(outbox.id, job.id), isNull(outbox.instanceId)));
}

/** Marks delivered rows done in one statement (the worker, in its delivery transaction). */
export async function markDelivered(tx: DbOrTx, rows: { tenantId: string; id: string; createdAt: Date }[], at: Date, by: string): Promise<void> {
  // the full key (with `created_at`, the partition key) finds each row in its own month's partition
  // (a Date holds milliseconds; the column may hold microseconds)
  const keys = JSON.stringify(rows.map((r) => [r.tenantId, r.id, r.createdAt.toISOString()]));
  await executeNamed(tx, 'ef_outbox_done', sql`update outbox o set status = 'done', attempts = o.attempts + 1, processed_at = ${at.toISOString()}::timestamptz, processed_by = ${by}
    from jsonb_array_elements(${keys}::jsonb) k where o.tenant_id = (k->>0)::uuid and o.id = (k->>1)::uuid and o.created_at >= (k->>2)::timestamptz and o.created_at < (k->>2)::timestamptz + interval '1 millisecond'`);
}

/** Marks `charge` rows billed by a bill (`billing:<bill key>`). */
export async function markBilled(tx: DbOrTx, tenantId: string, ids: string[], at: Date, billKey: string): Promise<void> {
  await tx.update(outbox).set({ status: 'done', processedAt: at, processedBy: `billing:${billKey}` }).where(and(eq(outbox.tenantId, tenantId), inArray(outbox.id, ids)));
}

/** Marks `charge` rows looked at by the at-once biller (one attempt more); they stay pending for the next cycle's run. */
export async function markChargesSeen(tx: DbOrTx, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(outbox).set({ attempts: sql`${outbox.attempts} + 1` }).where(and(eq(outbox.tenantId, tenantId), inArray(outbox.id, ids)));
}

/**
 * Enqueues the paid event of a charge (`chargePaid`: billing tells the request its bill is paid),
 * under an id made from the charge's, so a payment recorded twice enqueues it once. The worker
 * sends it to the request through the event path. Answers whether this call enqueued it.
 */
export async function enqueuePaidEvent(tx: DbOrTx, row: { tenantId: string; estateId: string; id: string; payload: Record<string, unknown>; createdAt: Date }): Promise<boolean> {
  // the outbox is partitioned by month, so its key holds `created_at` and cannot keep one row per id
  // across months: the id is locked, then looked for in every month (the payment also holds its unit's lock)
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`outbox:${row.tenantId}:${row.id}`}))`);
  const [seen] = await tx.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.tenantId, row.tenantId), eq(outbox.id, row.id))).limit(1);
  if (seen) return false;
  await tx.insert(outbox).values({ ...row, kind: 'chargePaid', instanceId: null });
  return true;
}
