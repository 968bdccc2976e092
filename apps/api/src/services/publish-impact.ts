import { and, count, eq } from 'drizzle-orm';
import { instances, type DbOrTx } from '@estateflow/db';
import type { Text } from '../errors.ts';

/** What publishing a document does to the estate's running requests, for the review before publishing. */
export type PublishImpact = { running: number; message: Text };

/**
 * How many running requests a publish reaches, and how: a workflow's running requests stay pinned to
 * the version they started on (new requests take the new one); an SLA policy re-times the running
 * requests of its workflow, a calendar every running request of the estate (the re-arm job,
 * `sla-rearm-job.ts`). Other kinds answer null: they reach requests only through those.
 */
export async function publishImpact(db: DbOrTx, tenantId: string, estateId: string, document: { kind?: unknown; id?: unknown; workflow?: unknown }): Promise<PublishImpact | null> {
  const running = async (workflowKey?: string) => {
    const [row] = await db.select({ n: count() }).from(instances)
      .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), eq(instances.status, 'active'), ...(workflowKey ? [eq(instances.workflowKey, workflowKey)] : [])));
    return Number(row?.n ?? 0);
  };
  if (document.kind === 'workflow' && typeof document.id === 'string') {
    const n = await running(document.id);
    return { running: n, message: { zh: `${n} 个进行中的工单继续按原版本办理（版本固定），发布后新发起的工单使用新版本`, en: `${n} running request${n === 1 ? '' : 's'} keep the version they started on (pinned); requests started after the publish use the new one` } };
  }
  if (document.kind === 'sla' && typeof document.workflow === 'string') {
    const n = await running(document.workflow);
    return { running: n, message: { zh: `${n} 个进行中的工单将按新策略重新计时`, en: `${n} running request${n === 1 ? '' : 's'} will be re-timed on the new policy` } };
  }
  if (document.kind === 'calendar') {
    const n = await running();
    return { running: n, message: { zh: `最多 ${n} 个进行中的工单将按新日历重新计时`, en: `Up to ${n} running request${n === 1 ? '' : 's'} will be re-timed on the new calendar` } };
  }
  return null;
}
