import { and, eq, inArray, sql } from 'drizzle-orm';
import { attachments, events, instances, type DbOrTx } from '@estateflow/db';
import type { Auth } from '../env.ts';
import { ApiError } from '../errors.ts';
import { accessibleInstances } from './instance-access.ts';

/** The path form values use to refer to an uploaded file. */
export const attachmentPrefix = '/api/attachments/';
const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const attachmentUrl = (id: string): string => `${attachmentPrefix}${id}`;

export interface AttachmentRef {
  /** JSON pointer of the value in the form data, e.g. `/photos/0` */
  field: string;
  /** the attachment id, or null when the reference is malformed */
  id: string | null;
  value: string;
}

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every string in `data` that refers to an attachment (`/api/attachments/<id>`), with where it sits (pure). */
export function attachmentRefs(data: unknown, path = '', out: AttachmentRef[] = []): AttachmentRef[] {
  if (typeof data === 'string') {
    if (data.startsWith(attachmentPrefix)) {
      const id = data.slice(attachmentPrefix.length);
      out.push({ field: path, id: uuidRe.test(id) ? id.toLowerCase() : null, value: data });
    }
  } else if (Array.isArray(data)) {
    data.forEach((v, i) => attachmentRefs(v, `${path}/${i}`, out));
  } else if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) attachmentRefs(v, `${path}/${escape(k)}`, out);
  }
  return out;
}

/** How long uploads are kept unclaimed (the worker's sweep), and the clock. */
export interface UploadAge {
  now: Date;
  orphanHours: number;
}

/**
 * An unclaimed upload is refused this long before the sweep may delete it: a start or event that
 * passed the check writes well within it, so the sweep never removes an upload between the check
 * and the write that claims it. One hour, or half the limit when that is shorter.
 */
export const expiryMarginHours = (orphanHours: number): number => Math.min(1, orphanHours / 2);

/** Who submits the data, and the instance it goes to (none for a start). */
export interface Submitter {
  userId: string;
  instanceId?: string;
}

/** Of `ids`, those the instance's history already names (attached by an accepted start or event). */
async function attachedTo(db: DbOrTx, tenantId: string, instanceId: string, ids: readonly string[]): Promise<Set<string>> {
  const named = await Promise.all(ids.map(async (id) => {
    const [hit] = await db.select({ one: sql<number>`1` }).from(events)
      .where(and(eq(events.tenantId, tenantId), eq(events.instanceId, instanceId), sql`${events.data}::text like ${`%${attachmentUrl(id)}%`}`))
      .limit(1);
    return hit ? [id] : [];
  }));
  return new Set(named.flat());
}

/**
 * Refuses form data that refers to an attachment which does not exist in this tenant and estate,
 * which the submitter did not upload and the instance does not already have (naming someone else's
 * upload must not make it readable to the readers of this instance), or which was uploaded so long
 * ago without being submitted that the worker is about to remove it: a `form-invalid` error naming
 * the field, zh/en. One query, plus one per upload of someone else; none when nothing is referenced.
 * Runs before the event path's transaction, so a refusal changes nothing. A missing upload and
 * someone else's get the same message, so the answer tells nobody whether an id exists.
 */
export async function checkAttachmentRefs(db: DbOrTx, tenantId: string, estateId: string, data: unknown, age: UploadAge, by: Submitter): Promise<void> {
  const refs = attachmentRefs(data);
  if (refs.length === 0) return;
  const ids = [...new Set(refs.flatMap((r) => (r.id ? [r.id] : [])))];
  const found = new Map(ids.length
    ? (await db.select({ id: attachments.id, createdAt: attachments.createdAt, claimedAt: attachments.claimedAt, createdBy: attachments.createdBy }).from(attachments)
      .where(and(eq(attachments.tenantId, tenantId), eq(attachments.estateId, estateId), inArray(attachments.id, ids)))).map((r) => [r.id, r])
    : []);
  const others = [...found.values()].filter((r) => r.createdBy !== by.userId).map((r) => r.id);
  const attached = by.instanceId && others.length ? await attachedTo(db, tenantId, by.instanceId, others) : new Set<string>();
  const keptHours = age.orphanHours - expiryMarginHours(age.orphanHours);
  const expiredBefore = age.now.getTime() - keptHours * 3_600_000;
  const hours = Number(keptHours.toFixed(2));
  const issues = refs.flatMap((r) => {
    const row = r.id ? found.get(r.id) : undefined;
    if (!row || (row.createdBy !== by.userId && !attached.has(row.id))) {
      return [{ field: r.field, keyword: 'attachment', message: {
        zh: `${r.field}：附件 ${r.value} 不存在、不属于本项目，或不是您上传的，请重新上传`,
        en: `${r.field}: attachment ${r.value} does not exist in this estate or was not uploaded by you; upload it again`,
      } }];
    }
    if (row.claimedAt === null && row.createdAt.getTime() < expiredBefore) {
      return [{ field: r.field, keyword: 'attachment-expired', message: {
        zh: `${r.field}：附件 ${r.value} 上传后超过 ${hours} 小时未提交，已过期，请重新上传`,
        en: `${r.field}: attachment ${r.value} was uploaded more than ${hours} hours ago and never submitted; it has expired, upload it again`,
      } }];
    }
    return [];
  });
  if (issues.length === 0) return;
  throw new ApiError(
    'form-invalid',
    { zh: `附件无效：${issues.map((i) => i.message.zh).join('；')}`, en: `Invalid attachment: ${issues.map((i) => i.message.en).join('; ')}` },
    { field: issues[0]!.field, issues },
  );
}

/**
 * Whether an attachment is named in the history of an instance of the estate that the caller may
 * see (`accessibleInstances`, the one access rule): a resident reads the files of their own and
 * their household's requests, not a neighbour's.
 */
export async function inAccessibleInstance(db: DbOrTx, auth: Auth, estateId: string, id: string): Promise<boolean> {
  const [hit] = await db.select({ one: sql<number>`1` }).from(instances)
    .where(and(eq(instances.tenantId, auth.tenantId), eq(instances.estateId, estateId), accessibleInstances(auth, [estateId]),
      sql`exists (select 1 from ${events} where ${events.tenantId} = ${instances.tenantId} and ${events.instanceId} = ${instances.id} and ${events.data}::text like ${`%${attachmentUrl(id)}%`})`))
    .limit(1);
  return hit !== undefined;
}
