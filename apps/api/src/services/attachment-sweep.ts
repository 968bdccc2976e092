/**
 * Uploads never submitted are removed: a resident who uploads a photo and closes the page leaves
 * an attachment no start or event names. Accepted starts and events claim the uploads they name
 * (the `attachments` of its WritePlan); the worker deletes what stays unclaimed past
 * `EF_ATTACHMENT_ORPHAN_HOURS` (`sweepOrphanAttachments`), a batch per statement.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@estateflow/db';
import { rowsOf } from '../store/index.ts';

/** Hours an unclaimed upload is kept when `EF_ATTACHMENT_ORPHAN_HOURS` is not set. */
export const defaultOrphanHours = 72;

/**
 * The age in hours past which an unclaimed upload is removed: `EF_ATTACHMENT_ORPHAN_HOURS`, default
 * 72. Throws, saying how to fix it, when the variable is set to anything but a positive number.
 */
export function attachmentOrphanHours(env: Record<string, string | undefined> = process.env): number {
  const raw = env.EF_ATTACHMENT_ORPHAN_HOURS;
  if (raw === undefined || raw.trim() === '') return defaultOrphanHours;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new Error(`EF_ATTACHMENT_ORPHAN_HOURS="${raw}" is not a positive number of hours (小时数必须为正数); set it to e.g. 72, or unset it for the default of ${defaultOrphanHours}`);
  }
  return hours;
}

export interface SweepResult {
  /** unclaimed uploads older than the limit that were deleted */
  removed: number;
  /** unclaimed uploads a history row names (their claim was lost): marked claimed, kept */
  claimed: number;
  /** the batch was full: more old unclaimed uploads may be left */
  more: boolean;
}

/** History rows written up to this long before an upload still count as naming it (clocks of two API hosts may differ). */
const clockSlack = '1 hour';

/**
 * One batch of the sweep in one statement: the oldest `batchSize` uploads created before
 * `now - olderThanHours` with no `claimed_at`, locked `FOR UPDATE SKIP LOCKED` (two workers take
 * disjoint batches and never wait on each other). Those a history row of the same tenant names
 * (`events.data` containing the id, written since the upload) are marked claimed instead; the rest
 * are deleted. Idempotent: a second run over the same rows finds nothing to do.
 */
export async function sweepOrphanAttachments(db: DbOrTx, now: Date, olderThanHours: number, batchSize = 200): Promise<SweepResult> {
  const cutoff = new Date(now.getTime() - olderThanHours * 3_600_000);
  const [r] = rowsOf<{ removed: number; claimed: number; seen: number }>(await db.execute(sql`
    with candidates as (
      select tenant_id, id, created_at from attachments
      where claimed_at is null and created_at < ${cutoff.toISOString()}::timestamptz
      order by created_at
      limit ${batchSize}::int
      for update skip locked
    ), referenced as (
      select c.tenant_id, c.id from candidates c
      where exists (
        select 1 from events e
        where e.tenant_id = c.tenant_id and e.at >= c.created_at - ${clockSlack}::interval
          and position(c.id::text in lower(e.data::text)) > 0
      )
    ), claimed as (
      update attachments a set claimed_at = ${now.toISOString()}::timestamptz
      from referenced r where a.tenant_id = r.tenant_id and a.id = r.id
      returning 1
    ), removed as (
      delete from attachments a using candidates c
      where a.tenant_id = c.tenant_id and a.id = c.id
        and not exists (select 1 from referenced r where r.tenant_id = c.tenant_id and r.id = c.id)
      returning 1
    )
    select (select count(*) from removed)::int as removed, (select count(*) from claimed)::int as claimed, (select count(*) from candidates)::int as seen`));
  return { removed: Number(r?.removed ?? 0), claimed: Number(r?.claimed ?? 0), more: Number(r?.seen ?? 0) >= batchSize };
}
