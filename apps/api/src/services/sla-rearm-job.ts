/**
 * The durable trigger of SLA re-arming: publishing an SLA policy or a calendar enqueues a
 * `slaRearm` outbox row in the publish's own transaction; the worker runs it (`sla-rearm.ts`).
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { definitionVersions, instances, outbox, type DbOrTx, type DefinitionVersion } from '@estateflow/db';

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
 * Starts and the re-arm of their estate meet on one advisory lock: a start holds it shared for its
 * transaction, before it reads the SLA policies and calendars (starts never wait on each other); a
 * re-arm job's first batch takes it exclusively before it lists the running instances. A start that
 * read the policies before the publish committed has therefore committed before the job lists
 * instances, and is re-armed with the rest; one that starts after the publish reads the new policy.
 * Without it, such a start committed after the job had listed past it and kept the old timers.
 */
const slaContextLock = (tenantId: string, estateId: string) => sql`hashtext(${`sla-context:${tenantId}/${estateId}`})`;

/** A start's side (see `slaContextLock`): call first in its transaction. */
export async function holdSlaContext(tx: DbOrTx, tenantId: string, estateId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${slaContextLock(tenantId, estateId)})`);
}

/** A re-arm job's side (see `slaContextLock`): waits for the estate's starts in flight, in the job's first batch. */
export async function awaitStartsInFlight(tx: DbOrTx, tenantId: string, estateId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${slaContextLock(tenantId, estateId)})`);
}

/** Enqueues the re-arm of a published SLA policy or calendar, in the publish's transaction (other kinds: nothing). */
export async function enqueueSlaRearm(tx: DbOrTx, v: DefinitionVersion): Promise<void> {
  const workflows = await affectedWorkflows(tx, v);
  if (workflows.length === 0) return;
  const job: SlaRearmJob = { cause: { kind: v.kind as 'sla' | 'calendar', key: v.key, version: v.version, versionId: v.id }, workflows, after: null, retry: [], rearmed: 0 };
  await tx.insert(outbox).values({ tenantId: v.tenantId, id: randomUUID(), estateId: v.estateId, instanceId: null, kind: slaRearmKind, payload: job as unknown as Record<string, unknown>, createdAt: v.publishedAt });
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
