/**
 * The durable trigger of SLA re-arming: publishing an SLA policy or a calendar enqueues a
 * `slaRearm` outbox row in the publish's own transaction; the worker runs it (`sla-rearm.ts`).
 */
import { recountRollups } from './rollups.ts';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { definitionVersions, instances, type DbOrTx, type DefinitionVersion } from '@estateflow/db';
import { enqueueJob } from '../store/outbox-queue.ts';

/** The outbox kind of a re-arm job. */
export const slaRearmKind = 'slaRearm';

/** What a `slaRearm` outbox row carries; `after`, `retry` and `rearmed` are its progress. */
export interface SlaRearmJob {
  cause: { kind: 'sla' | 'calendar'; key: string; version: number; versionId: string };
  /** workflows whose running instances are re-armed */
  workflows: string[];
  /** the last instance id done (instances are taken in id order) */
  after: string | null;
  /** instances another writer held at the last batch: tried again with the next one */
  retry: string[];
  /** batches run with nothing left but held instances (the job gives up on them after `MAX_WAITS`) */
  waited?: number;
  rearmed: number;
}

/**
 * The workflows whose running instances a published version concerns: for an SLA policy, the
 * workflow of every version of it (a policy moved to another workflow leaves the old one's timers
 * to cancel); for a calendar, every workflow an SLA policy of the estate is bound to, and every
 * workflow with running instances (their engine timers armed from working-time delays are re-timed
 * too). Empty for other kinds.
 */
async function affectedWorkflows(db: DbOrTx, v: Pick<DefinitionVersion, 'tenantId' | 'estateId' | 'kind' | 'key'>): Promise<string[]> {
  if (v.kind !== 'sla' && v.kind !== 'calendar') return [];
  const rows = await db.selectDistinct({ wf: sql<string | null>`${definitionVersions.document}->>'workflow'` }).from(definitionVersions)
    .where(and(eq(definitionVersions.tenantId, v.tenantId), eq(definitionVersions.estateId, v.estateId), eq(definitionVersions.kind, 'sla'),
      ...(v.kind === 'sla' ? [eq(definitionVersions.key, v.key)] : [])));
  const running = v.kind === 'calendar'
    ? await db.selectDistinct({ wf: instances.workflowKey }).from(instances)
      .where(and(eq(instances.tenantId, v.tenantId), eq(instances.estateId, v.estateId), eq(instances.status, 'active')))
    : [];
  return [...new Set([...rows.flatMap((r) => (r.wf ? [r.wf] : [])), ...running.map((r) => r.wf)])].sort();
}

/**
 * A re-arm job's side of the lock its estate's starts hold shared while they commit
 * (`ef_sla_context_lock`, packages/db/sql/ef_sla_context_lock.sql): taken exclusively in the job's
 * first batch before it lists the running instances, it waits for the starts in flight, so a start
 * that checked the old policy has committed by then and is re-armed with the rest.
 */
export async function awaitStartsInFlight(tx: DbOrTx, tenantId: string, estateId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(ef_sla_context_lock(${tenantId}::uuid, ${estateId}::uuid))`);
}

/** Enqueues the re-arm of a published SLA policy or calendar, in the publish's transaction (other kinds: nothing). */
export async function enqueueSlaRearm(tx: DbOrTx, v: DefinitionVersion): Promise<void> {
  const workflows = await affectedWorkflows(tx, v);
  if (workflows.length === 0) return;
  // the reports count these workflows' clocks under the new policy or calendar: their figures are recounted (services/rollups.ts)
  await recountRollups(tx, v.tenantId, v.estateId, workflows);
  const job: SlaRearmJob = { cause: { kind: v.kind as 'sla' | 'calendar', key: v.key, version: v.version, versionId: v.id }, workflows, after: null, retry: [], rearmed: 0 };
  await enqueueJob(tx, { tenantId: v.tenantId, estateId: v.estateId, kind: slaRearmKind, payload: job as unknown as Record<string, unknown>, createdAt: v.publishedAt });
}

/** What the admin is told on publishing an SLA policy or calendar. */
export interface RearmNotice {
  instances: number;
  message: { zh: string; en: string };
}

/** How many running instances a published SLA policy or calendar re-times (one count over an index); undefined for other kinds. */
export async function rearmNotice(db: DbOrTx, v: DefinitionVersion): Promise<RearmNotice | undefined> {
  if (v.kind !== 'sla' && v.kind !== 'calendar') return undefined;
  const workflows = await affectedWorkflows(db, v);
  const [row] = workflows.length === 0 ? [{ n: 0 }] : await db.select({ n: count() }).from(instances)
    .where(and(eq(instances.tenantId, v.tenantId), eq(instances.estateId, v.estateId), inArray(instances.workflowKey, workflows), eq(instances.status, 'active')));
  const n = Number(row?.n ?? 0);
  const what = v.kind === 'sla' ? { zh: '策略', en: 'policy' } : { zh: '日历', en: 'calendar' };
  return {
    instances: n,
    message: { zh: `${n} 个进行中的工单将按新${what.zh}重新计时`, en: `${n} running request${n === 1 ? '' : 's'} will be re-timed on the new ${what.en}` },
  };
}
