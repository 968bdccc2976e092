/**
 * Monthly partitions of history (`events`, by `at`) and the outbox (by `created_at`), issue #21.
 * Migration 0036 partitions both by range, one UTC calendar month per partition
 * (`events_y2026m12`), with a default partition (`<table>_default`) as a safety net for any row
 * outside the months made. The worker keeps `PARTITION_MONTHS_AHEAD` months ready
 * (`ensurePartitions`, SQL function `ef_partitions_ensure`, packages/db/sql/ef_partitions.sql).
 *
 * Retention: accounting records (bills, payments, receipts, adjustments) are never deleted, and are
 * not partitioned. History is kept (it is the record of every request). Delivered outbox months older
 * than the notice retention window (`noticeRetentionMonths`, env EF_NOTICE_RETENTION_MONTHS, default
 * 12: not in the field documents) may be archived: `archiveOutbox` detaches them from the outbox and
 * moves them to the schema `archive`, where they can be dumped (`pg_dump -n archive`), moved to a
 * cheaper tablespace or dropped; no query of the application reads them.
 */
import { sql, type SQL } from 'drizzle-orm';
import { events } from './schema/instances.ts';
import type { DbOrTx } from './client.ts';
import { rowsOf } from './rows.ts';

export const PARTITIONED_TABLES = ['events', 'outbox'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/**
 * Months made ahead of the current one: two, as the migration makes them, so the worker makes a
 * month only when the calendar turns (once a month, two months early). Making one takes locks that
 * stall writes to history and the outbox for a moment: with three ahead the worker's first sweep
 * made one on every fresh database while timers were falling due, and the timers bench fell from
 * ~990 to ~440 fired/s (2026-12-07).
 */
export const PARTITION_MONTHS_AHEAD = 2;

/** Months notices stay on the notices page, and delivered outbox rows are kept before they may be archived (env EF_NOTICE_RETENTION_MONTHS, at least 1; default 12, not in the field documents). */
export const noticeRetentionMonths = (): number => {
  const n = Number(process.env.EF_NOTICE_RETENTION_MONTHS);
  return Number.isInteger(n) && n >= 1 ? n : 12;
};

/** The first instant of the UTC month `months` away from the month of `at`. */
export function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

/** The oldest instant the notices page shows at `now`: the start of the month `retention` months back. */
export const noticesSince = (now: Date, retention = noticeRetentionMonths()): Date => monthStart(now, -retention);


/** Makes the missing months from the month of `now` to `ahead` months after it, for each partitioned table. Answers how many it made. */
export async function ensurePartitions(db: DbOrTx, now: Date, ahead = PARTITION_MONTHS_AHEAD): Promise<number> {
  let made = 0;
  for (const table of PARTITIONED_TABLES) {
    const [r] = rowsOf<{ n: number }>(await db.execute(sql`select ef_partitions_ensure(${table}, ${monthStart(now).toISOString()}::timestamptz, ${monthStart(now, ahead + 1).toISOString()}::timestamptz) as n`));
    made += Number(r?.n ?? 0);
  }
  return made;
}

/** One month partition of a table, with its bounds (the default partition has none). */
export interface Partition {
  name: string;
  from: Date | null;
  to: Date | null;
  isDefault: boolean;
}

/** The partitions of a table, oldest first, the default last. */
export async function listPartitions(db: DbOrTx, table: PartitionedTable): Promise<Partition[]> {
  const rows = rowsOf<{ name: string; bound: string }>(await db.execute(sql`select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits h join pg_class c on c.oid = h.inhrelid where h.inhparent = ${table}::regclass`));
  const parts = rows.map((r): Partition => {
    const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound);
    return { name: r.name, from: m ? new Date(m[1]!) : null, to: m ? new Date(m[2]!) : null, isDefault: r.bound === 'DEFAULT' };
  });
  return parts.sort((a, b) => (a.from?.getTime() ?? Infinity) - (b.from?.getTime() ?? Infinity));
}

export interface ArchiveResult {
  /** partitions detached and moved to the schema `archive` */
  archived: { name: string; as: string; rows: number }[];
  /** months before the limit kept, and why (rows not yet delivered) */
  kept: { name: string; reason: { zh: string; en: string } }[];
}

export class RetentionError extends Error {
  constructor(readonly words: { zh: string; en: string }) {
    super(words.en);
    this.name = 'RetentionError';
  }
}

/**
 * Detaches the outbox months wholly before `before` (the first instant of a month) whose rows are all
 * delivered (`done`), and moves them to the schema `archive` as `archive.outbox_yYYYYmMM`. Refuses a
 * limit inside the notice retention window (months newer than `retention` before `now`). A month
 * still holding pending or failed rows is kept, and named. History and accounting records are never archived here.
 */
export async function archiveOutbox(db: DbOrTx, before: Date, now: Date, retention = noticeRetentionMonths()): Promise<ArchiveResult> {
  const limit = noticesSince(now, retention);
  if (before.getTime() > limit.getTime()) {
    const m = limit.toISOString().slice(0, 7);
    throw new RetentionError({
      zh: `“--before”不得晚于 ${m}：通知保留 ${retention} 个月（EF_NOTICE_RETENTION_MONTHS）`,
      en: `"--before" must not be after ${m}: notices are kept ${retention} month(s) (EF_NOTICE_RETENTION_MONTHS)`,
    });
  }
  const result: ArchiveResult = { archived: [], kept: [] };
  await db.execute(sql`create schema if not exists archive`);
  for (const p of await listPartitions(db, 'outbox')) {
    if (p.isDefault || !p.to || p.to.getTime() > before.getTime()) continue;
    const [open] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier(p.name)} where status <> 'done'`));
    if (Number(open?.n) > 0) {
      result.kept.push({ name: p.name, reason: { zh: `还有 ${open!.n} 行未送达`, en: `${open!.n} row(s) not yet delivered` } });
      continue;
    }
    const [count] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier(p.name)}`));
    let as = p.name;
    for (let i = 2; rowsOf(await db.execute(sql`select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'archive' and c.relname = ${as}`)).length > 0; i++) as = `${p.name}_${i}`;
    await db.execute(sql`alter table outbox detach partition ${sql.identifier(p.name)}`);
    if (as !== p.name) await db.execute(sql`alter table ${sql.identifier(p.name)} rename to ${sql.identifier(as)}`);
    await db.execute(sql`alter table ${sql.identifier(as)} set schema archive`);
    result.archived.push({ name: p.name, as: `archive.${as}`, rows: Number(count?.n ?? 0) });
  }
  return result;
}

/**
 * A request's history from its start on (#21): a history row is never older than its request (the first row
 * is written with the request, at its start instant, and each later one at its own write), and history is
 * partitioned by month on `at`, so the bound lets PostgreSQL skip every month before the request began
 * (partition pruning) instead of probing each month's index for the request.
 */
export const historySince = (startedAt: Date): SQL => sql`${events.at} >= ${startedAt.toISOString()}::timestamptz`;
