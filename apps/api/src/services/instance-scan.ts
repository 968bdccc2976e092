import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { events, historySince, instances, type DbOrTx, type Instance } from '@estateflow/db';
import type { ClockHistoryRow } from './sla-clocks.ts';
import { afterCursor, uuidArray, type Cursor } from './keyset.ts';

/**
 * Every instance matching `where`, in batches of `batch` in the order (started_at, id) on
 * `instances_started_idx`: a report reads all of its range, however large, with memory bounded by
 * one batch (no `limit` that silently drops the rest).
 */
export async function* instanceBatches(db: DbOrTx, where: SQL | undefined, batch: number): AsyncGenerator<Instance[]> {
  let cursor: Cursor | undefined;
  for (;;) {
    const rows = await db.select({ row: instances, key: sql<string>`${instances.startedAt}::text` }).from(instances)
      .where(and(where, afterCursor(instances.startedAt, instances.id, cursor, 'timestamptz', 'asc')))
      .orderBy(asc(instances.startedAt), asc(instances.id))
      .limit(batch);
    if (rows.length === 0) return;
    yield rows.map((r) => r.row);
    if (rows.length < batch) return;
    const last = rows[rows.length - 1]!;
    cursor = { key: last.key, id: last.row.id };
  }
}

/** The earliest start of some requests, the bound of their histories read together (`historySince`). */
export const earliestStart = (rows: readonly { startedAt: Date }[]): Date => new Date(Math.min(...rows.map((r) => r.startedAt.getTime())));

/**
 * The histories of many instances of a tenant in one statement (one array parameter), by instance id, each in
 * order; `since`, the earliest of their starts (`earliestStart`), skips the months before it.
 */
export async function historiesOf(db: DbOrTx, tenantId: string, ids: readonly string[], since?: Date): Promise<Map<string, ClockHistoryRow[]>> {
  const out = new Map<string, ClockHistoryRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.select({ instanceId: events.instanceId, at: events.at, type: events.type, data: events.data, stateAfter: events.stateAfter }).from(events)
    .where(and(eq(events.tenantId, tenantId), sql`${events.instanceId} = any(${uuidArray(ids)})`, since ? historySince(since) : undefined))
    .orderBy(asc(events.instanceId), asc(events.seq));
  for (const r of rows) out.get(r.instanceId)?.push(r);
  return out;
}
