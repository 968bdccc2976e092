import { and, eq, inArray } from 'drizzle-orm';
import { companies, definitionDrafts, estates, users, type CompanySettings, type DbOrTx, type VersionReview } from '@estateflow/db';
import { changeList, diffJson } from '@estateflow/definitions';
import { roleCatalogue } from './role-catalogue.ts';
import { ApiError, type Text } from '../errors.ts';

/**
 * Publishing like a team (#19): the draft's revision (a save over someone else's is a conflict, not
 * a lost update) and the company's four-eyes rule (the person who saved a draft cannot publish it).
 * The rules are stated here once; routes/definitions.ts calls them.
 */

/** The company's settings (`companies.settings`); every rule off by default. */
export async function companySettings(db: DbOrTx, tenantId: string): Promise<CompanySettings> {
  const [row] = await db.select({ settings: companies.settings }).from(companies).where(eq(companies.id, tenantId));
  return row?.settings ?? {};
}

export async function setFourEyes(db: DbOrTx, tenantId: string, fourEyes: boolean): Promise<void> {
  const settings = await companySettings(db, tenantId);
  await db.update(companies).set({ settings: { ...settings, fourEyes } }).where(eq(companies.id, tenantId));
}

/** "王工 at 12月7日 10:05" in the estate's local time, both languages. */
async function savedBy(db: DbOrTx, tenantId: string, estateId: string, userId: string | null, at: Date): Promise<Text> {
  const [u] = userId ? await db.select({ name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId))) : [];
  const [e] = await db.select({ timeZone: estates.timeZone }).from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.id, estateId)));
  const timeZone = e?.timeZone ?? 'Asia/Shanghai';
  const fmt = (locale: string) => new Intl.DateTimeFormat(locale, { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at);
  const name = u?.name ?? '';
  return { zh: `${name || '另一位设计人员'}于 ${fmt('zh-CN')}`, en: `${name || 'another designer'} at ${fmt('en-GB')}` };
}

export type DraftRow = typeof definitionDrafts.$inferSelect;

/** The stored draft of (kind, key) in an estate, locked for the rest of the transaction. */
export async function lockedDraft(tx: DbOrTx, tenantId: string, estateId: string, kind: string, key: string): Promise<DraftRow | undefined> {
  const [d] = await tx.select().from(definitionDrafts)
    .where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), eq(definitionDrafts.kind, kind), eq(definitionDrafts.key, key)))
    .for('update');
  return d;
}

/**
 * A save based on `baseRevision` (the `updatedAt` of the draft it was loaded from; null: loaded from
 * the published version, no draft then) over a draft saved since by anyone: 409 naming who saved it
 * when. An absent `baseRevision` (API callers that do not track it) saves as before.
 */
export async function refuseStaleSave(db: DbOrTx, tenantId: string, estateId: string, current: DraftRow | undefined, baseRevision: string | null | undefined): Promise<void> {
  if (baseRevision === undefined || !current) return;
  if (baseRevision !== null && current.updatedAt.getTime() === new Date(baseRevision).getTime()) return;
  const who = await savedBy(db, tenantId, estateId, current.updatedBy, current.updatedAt);
  throw new ApiError('conflict', {
    zh: `草稿已被${who.zh}保存，您的修改基于更早的版本：请重新载入后再改`,
    en: `The draft was saved by ${who.en} after the version you edited: reload it and make your change again`,
  }, { field: 'baseRevision' });
}

/**
 * The four-eyes rule of a publish: the document published is the stored draft (as saved), and the
 * person who saved it is not the one publishing. Without the rule, nothing is asked.
 */
export async function refuseOwnApproval(db: DbOrTx, tenantId: string, estateId: string, userId: string, draft: DraftRow | undefined, document: unknown): Promise<void> {
  if (!(await companySettings(db, tenantId)).fourEyes) return;
  if (!draft) {
    throw new ApiError('forbidden', {
      zh: '本公司的发布须由第二人审批：请先保存草稿，再由另一位设计人员审阅发布',
      en: 'Your company asks a second person to approve each publish: save the draft, then another designer reviews and publishes it',
    }, { field: 'document' });
  }
  if (document !== undefined && diffJson(draft.document, document).length > 0) {
    throw new ApiError('forbidden', {
      zh: '本公司的发布须由第二人审批：发布的内容必须与已保存的草稿一致，请先保存',
      en: 'Your company asks a second person to approve each publish: what is published must be the saved draft; save it first',
    }, { field: 'document' });
  }
  if (draft.updatedBy === userId) {
    throw new ApiError('forbidden', {
      zh: '本公司的发布须由第二人审批：这份草稿由您保存，请另一位设计人员审阅发布',
      en: 'Your company asks a second person to approve each publish: you saved this draft, so another designer reviews and publishes it',
    }, { field: 'document' });
  }
}

/**
 * The review a publish records with its version (#19, four eyes beyond publishedBy): the drafter is
 * whoever saved the draft published, when they saved it; a document published without that draft
 * (typed straight into the editor, a roll back) was drafted by the publisher, now. The approver is the
 * publisher. `changes` is the change list the approver reviewed, against the version before.
 */
export async function reviewOf(tx: DbOrTx, input: { tenantId: string; userId: string; draft: DraftRow | undefined; document: Record<string, unknown>; previous: unknown; now: Date }): Promise<VersionReview> {
  const fromDraft = input.draft && diffJson(input.draft.document, input.document).length === 0 ? input.draft : undefined;
  const titles = new Map((await roleCatalogue(tx, input.tenantId)).map((r) => [r.key, r.title]));
  const changes = changeList(input.previous ?? null, input.document, { roleName: (r) => titles.get(r) ?? { zh: r, en: r } })
    .map((l) => ({ path: l.path, text: { zh: l.text.zh, en: l.text.en } }));
  return {
    fourEyes: (await companySettings(tx, input.tenantId)).fourEyes === true,
    draftedBy: fromDraft ? fromDraft.updatedBy : input.userId,
    draftedAt: (fromDraft ? fromDraft.updatedAt : input.now).toISOString(),
    approvedBy: input.userId,
    approvedAt: input.now.toISOString(),
    changes,
  };
}

/** The display names of the people behind versions (publisher, drafter, approver), by user id. */
export async function peopleNames(db: DbOrTx, tenantId: string, rows: { publishedBy: string | null; review: VersionReview | null }[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => [r.publishedBy, r.review?.draftedBy, r.review?.approvedBy]).filter((x): x is string => typeof x === 'string'))];
  if (!ids.length) return new Map();
  const found = await db.select({ id: users.id, name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, ids)));
  return new Map(found.map((u) => [u.id, u.name]));
}
