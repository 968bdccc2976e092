/**
 * Residents' links to their units: a one-time code the front desk hands over (the resident enters
 * it on their page), or the front desk's check of the resident's papers; moving out ends a link at
 * an instant and keeps it as history of who lived where when. Who sees a household's requests reads
 * only the links in force (`residentLinkActive` of @estateflow/db, through services/instance-access.ts).
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, gt, ilike, inArray, isNull, or } from 'drizzle-orm';
import { fromLocal, parseIsoDate } from '@estateflow/calendar';
import { auditLog, companies, estates, memberships, residentLinkActive, residentLinkCodes, residents, units, users, RESIDENT_KINDS, type DbOrTx, type ResidentKind } from '@estateflow/db';
import type { ApiConfig } from '../config.ts';
import { ApiError, invalid } from '../errors.ts';
import { auditAdmin } from './admin-audit.ts';
import { isUuid } from './body.ts';

const uuidOf = (v: unknown): string | undefined => (typeof v === 'string' && isUuid(v) ? v : undefined);

/** How long a link code is valid: 7 days to hand over keys and sign in (not in the field documents). */
export const LINK_CODE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Guessing codes: an account that enters `failures` wrong, used or expired codes within `windowMs`
 * is refused (429) until the oldest of them leaves the window (not in the field documents). With
 * 32¹⁰ possible codes, 5 guesses per 15 minutes find one in about 10¹³ years.
 */
export const LINK_CODE_THROTTLE = { failures: 5, windowMs: 15 * 60_000 } as const;

/** Code letters without look-alikes (no 0/O, 1/I/L), so a code read aloud at the counter is typed right. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A code people can read out: two groups of five, e.g. `K7QP2-XM9RD`. */
const newCode = (): string => Array.from({ length: 10 }, (_, i) => (i === 5 ? '-' : '') + ALPHABET[randomInt(0, ALPHABET.length)]).join('');

/** The code as typed, without spaces and dashes, upper-cased: `k7qp2 xm9rd` is `K7QP2-XM9RD`. */
const normalise = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase();

const codeHash = (tenantId: string, code: string): string => createHash('sha256').update(`${tenantId}:${normalise(code)}`).digest('hex');

/** Reads `kind` (owner / tenant / family member): 400 naming the field otherwise. */
export function parseKind(value: unknown, field = 'kind'): ResidentKind {
  if (!(RESIDENT_KINDS as readonly unknown[]).includes(value)) throw invalid(field, `must be one of ${RESIDENT_KINDS.join(', ')}`, `必须是 ${RESIDENT_KINDS.join('、')} 之一（业主、租户、家庭成员）`);
  return value as ResidentKind;
}

/** A unit of the estate, or 400 naming `unitId`. */
async function unitOf(db: DbOrTx, tenantId: string, estateId: string, unitId: unknown) {
  const id = uuidOf(unitId);
  const [unit] = id ? await db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, id))) : [];
  if (!unit) throw invalid('unitId', 'names no unit of this estate', '不是本项目的房屋');
  return unit;
}

/** Issues a one-time code linking whoever redeems it to `unitId` as `kind`; answers the code once. */
export async function issueLinkCode(
  db: DbOrTx, config: Pick<ApiConfig, 'now'>, input: { tenantId: string; estateId: string; unitId: unknown; kind: ResidentKind }, issuedBy: string,
): Promise<{ code: string; expiresAt: string; unitLabel: string; kind: ResidentKind }> {
  const unit = await unitOf(db, input.tenantId, input.estateId, input.unitId);
  const now = config.now();
  const code = newCode();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await db.insert(residentLinkCodes).values({ tenantId: input.tenantId, codeHash: codeHash(input.tenantId, code), estateId: input.estateId, unitId: unit.id, kind: input.kind, issuedBy, expiresAt, createdAt: now });
  await auditAdmin(db, { tenantId: input.tenantId, actorId: issuedBy, action: 'people.link-code', target: `unit/${unit.id}`, estateId: input.estateId, at: now, detail: { kind: input.kind, expiresAt: expiresAt.toISOString() } });
  return { code, expiresAt: expiresAt.toISOString(), unitLabel: unit.label, kind: input.kind };
}

const REDEEM = 'people.link-code-redeem';

/** Why a code does not link: not a code, used already, or expired. */
export type CodeRefusal = 'wrong' | 'used' | 'expired';

/** The 400 naming `code` (zh/en) of a code that does not link, saying why. */
export const codeRefused = (why: CodeRefusal): ApiError => new ApiError('invalid-request', {
  wrong: { zh: '绑定码不正确，请核对后重新输入', en: 'This link code is not right: check it and type it again' },
  used: { zh: '此绑定码已使用过，每个绑定码只能用一次，请到服务中心重新领取', en: 'This link code has been used: each code works once, ask the service centre for a new one' },
  expired: { zh: '此绑定码已过期，请到服务中心重新领取', en: 'This link code has expired: ask the service centre for a new one' },
}[why], { field: 'code' });

export type LinkCodeRow = typeof residentLinkCodes.$inferSelect;

/**
 * A code typed by someone with no account yet (sign-up with a code): which company's it is is not
 * known, so the code is hashed as each company's and looked up once (the hash is the table's key).
 * Answers the unused, unexpired code, or why there is none.
 */
export async function findLinkCode(db: DbOrTx, code: string, now: Date): Promise<{ row: LinkCodeRow } | { why: CodeRefusal }> {
  if (!normalise(code)) return { why: 'wrong' };
  const tenants = await db.select({ id: companies.id }).from(companies);
  const hashes = tenants.map((t) => codeHash(t.id, code));
  const [known] = hashes.length ? await db.select().from(residentLinkCodes).where(inArray(residentLinkCodes.codeHash, hashes)) : [];
  if (!known) return { why: 'wrong' };
  if (known.usedAt) return { why: 'used' };
  if (known.expiresAt <= now) return { why: 'expired' };
  return { row: known };
}

/** Uses up a code found by `findLinkCode` for `userId`; 400 naming `code` when someone used it meanwhile. */
export async function useLinkCode(db: DbOrTx, row: LinkCodeRow, userId: string, now: Date): Promise<void> {
  const used = await db.update(residentLinkCodes).set({ usedAt: now, usedBy: userId })
    .where(and(eq(residentLinkCodes.codeHash, row.codeHash), eq(residentLinkCodes.tenantId, row.tenantId), isNull(residentLinkCodes.usedAt), gt(residentLinkCodes.expiresAt, now)))
    .returning({ hash: residentLinkCodes.codeHash });
  if (used.length === 0) throw codeRefused('used');
}

/**
 * Links the caller to the unit of a code: the code must be the company's, unused and unexpired; it is
 * used up. A wrong, used or expired code is refused (400 naming `code`, saying which) and audited;
 * `LINK_CODE_THROTTLE.failures` refusals within its window refuse every further try (429) for a while.
 * Call it outside a transaction: a refusal's audit line is what the throttle counts.
 */
export async function redeemLinkCode(
  db: DbOrTx, config: Pick<ApiConfig, 'now'>, who: { tenantId: string; userId: string }, code: string,
): Promise<{ linkId: string; estateId: string; unitId: string; unitLabel: string; kind: ResidentKind }> {
  const now = config.now();
  const since = new Date(now.getTime() - LINK_CODE_THROTTLE.windowMs);
  const failed = await db.select({ at: auditLog.at }).from(auditLog)
    .where(and(eq(auditLog.tenantId, who.tenantId), eq(auditLog.target, `user/${who.userId}`), gt(auditLog.at, since), eq(auditLog.action, REDEEM), eq(auditLog.outcome, 'refused')))
    .orderBy(asc(auditLog.at));
  if (failed.length >= LINK_CODE_THROTTLE.failures) {
    const until = new Date(failed[failed.length - LINK_CODE_THROTTLE.failures]!.at.getTime() + LINK_CODE_THROTTLE.windowMs);
    const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
    throw new ApiError('too-many-attempts', {
      zh: `绑定码输错次数过多，请 ${minutes} 分钟后再试，或到服务中心办理`,
      en: `Too many wrong link codes: try again in ${minutes} minute(s), or ask the service centre`,
    }, { field: 'code' });
  }
  const hash = codeHash(who.tenantId, code);
  const used = await db.update(residentLinkCodes).set({ usedAt: now, usedBy: who.userId })
    .where(and(eq(residentLinkCodes.codeHash, hash), eq(residentLinkCodes.tenantId, who.tenantId), isNull(residentLinkCodes.usedAt), gt(residentLinkCodes.expiresAt, now)))
    .returning();
  const row = used[0];
  if (!row) {
    const [known] = await db.select().from(residentLinkCodes).where(and(eq(residentLinkCodes.codeHash, hash), eq(residentLinkCodes.tenantId, who.tenantId)));
    const why = !known ? 'wrong' : known.usedAt ? 'used' : 'expired';
    await auditAdmin(db, { tenantId: who.tenantId, actorId: who.userId, action: REDEEM, target: `user/${who.userId}`, at: now, outcome: 'refused', detail: { why } });
    throw codeRefused(why);
  }
  const [unit] = await db.select().from(units).where(and(eq(units.tenantId, who.tenantId), eq(units.id, row.unitId)));
  const linkId = await linkResident(db, now, { tenantId: who.tenantId, estateId: row.estateId, unitId: row.unitId, userId: who.userId, kind: row.kind, via: 'code', by: row.issuedBy });
  await auditAdmin(db, { tenantId: who.tenantId, actorId: who.userId, action: REDEEM, target: `user/${who.userId}`, estateId: row.estateId, at: now, detail: { unit: unit?.label, kind: row.kind, issuedBy: row.issuedBy, linkId } });
  return { linkId, estateId: row.estateId, unitId: row.unitId, unitLabel: unit?.label ?? '', kind: row.kind };
}

/**
 * Links an account to a unit from now on (a `residents` row naming the user); the account gets the
 * role `resident` in the estate unless it already holds one there. One account may hold several
 * units; a second link to a unit the account already lives in is refused (409).
 */
export async function linkResident(
  db: DbOrTx, now: Date,
  input: { tenantId: string; estateId: string; unitId: string; userId: string; kind: ResidentKind; via: 'code' | 'verification'; by: string | null },
): Promise<string> {
  const [person] = await db.select().from(users).where(and(eq(users.tenantId, input.tenantId), eq(users.id, input.userId)));
  if (!person || person.status !== 'active') throw invalid('userId', 'names no active account of your company', '不是本公司的在用账号');
  const [already] = await db.select({ id: residents.id }).from(residents)
    .where(and(eq(residents.tenantId, input.tenantId), eq(residents.unitId, input.unitId), eq(residents.userId, input.userId), residentLinkActive(now)));
  if (already) throw new ApiError('conflict', { zh: '此账号已绑定这套房屋', en: 'This account is already linked to this unit' }, { field: 'unitId' });
  const id = randomUUID();
  await db.insert(residents).values({
    tenantId: input.tenantId, id, estateId: input.estateId, unitId: input.unitId, name: person.realName ?? person.displayName, phone: person.phone,
    kind: input.kind, userId: input.userId, startedAt: now, linkedVia: input.via, linkedBy: input.by,
  });
  await db.insert(memberships).values({ tenantId: input.tenantId, userId: input.userId, estateId: input.estateId, role: 'resident' }).onConflictDoNothing();
  return id;
}

/** Papers the front desk may check before linking (which ones were seen is audited; no number is kept). */
export const DOCUMENTS = ['id_card', 'property_certificate', 'purchase_contract', 'lease', 'household_register', 'other'] as const;

/**
 * Front-desk verification: after checking the papers, the front desk links a resident's account to
 * a unit; the link records who verified and when (`linkedBy`, `startedAt`) and the audit line which
 * papers were seen.
 */
export async function verifyResident(
  db: DbOrTx, config: Pick<ApiConfig, 'now'>,
  input: { tenantId: string; estateId: string; unitId: unknown; userId: unknown; kind: ResidentKind; documents: unknown },
  by: string,
): Promise<{ linkId: string; unitLabel: string }> {
  if (!Array.isArray(input.documents) || input.documents.length === 0) throw invalid('documents', `must list the papers checked: ${DOCUMENTS.join(', ')}`, `请勾选核验过的证件：${DOCUMENTS.join('、')}`);
  input.documents.forEach((d, i) => {
    if (!(DOCUMENTS as readonly unknown[]).includes(d)) throw invalid(`documents/${i}`, `must be one of ${DOCUMENTS.join(', ')}`, `必须是 ${DOCUMENTS.join('、')} 之一`);
  });
  const unit = await unitOf(db, input.tenantId, input.estateId, input.unitId);
  const userId = uuidOf(input.userId);
  if (!userId) throw invalid('userId', 'names no active account of your company', '不是本公司的在用账号');
  const staffHere = await db.select({ role: memberships.role }).from(memberships)
    .where(and(eq(memberships.tenantId, input.tenantId), eq(memberships.userId, userId), eq(memberships.estateId, input.estateId)));
  if (staffHere.some((m) => m.role !== 'resident')) {
    throw invalid('userId', 'holds a staff role in this estate: a resident signs in with an account of their own', '在本项目担任员工角色：住户请使用自己的住户账号');
  }
  const now = config.now();
  const linkId = await linkResident(db, now, { tenantId: input.tenantId, estateId: input.estateId, unitId: unit.id, userId, kind: input.kind, via: 'verification', by });
  await auditAdmin(db, { tenantId: input.tenantId, actorId: by, action: 'people.link', target: `user/${userId}`, estateId: input.estateId, at: now, detail: { unit: unit.label, kind: input.kind, documents: input.documents, linkId } });
  return { linkId, unitLabel: unit.label };
}

/**
 * Move-out: the link ends at `endsAt` (by default now; a date ends it when that day ends in the
 * estate's time zone). From then the former resident no longer sees the unit's household requests,
 * bills or notices; the requests they raised stay theirs. The row stays as history.
 */
export async function endLink(
  db: DbOrTx, config: Pick<ApiConfig, 'now'>, input: { tenantId: string; estateId: string; linkId: unknown; lastDay?: unknown }, by: string,
): Promise<{ endedAt: string }> {
  const linkId = uuidOf(input.linkId);
  const [link] = linkId
    ? await db.select().from(residents).where(and(eq(residents.tenantId, input.tenantId), eq(residents.estateId, input.estateId), eq(residents.id, linkId)))
    : [];
  if (!link) throw invalid('linkId', 'names no resident link of this estate', '不是本项目的住户绑定');
  const now = config.now();
  let endsAt = now;
  if (input.lastDay !== undefined && input.lastDay !== null && input.lastDay !== '') {
    const day = typeof input.lastDay === 'string' ? parseIsoDate(input.lastDay) : undefined;
    if (day === undefined) throw invalid('lastDay', 'must be a date YYYY-MM-DD (the last day lived there)', '必须是日期 YYYY-MM-DD（居住的最后一天）');
    const [estate] = await db.select({ timeZone: estates.timeZone }).from(estates).where(and(eq(estates.tenantId, input.tenantId), eq(estates.id, input.estateId)));
    endsAt = new Date(fromLocal(day + 1, 0, estate!.timeZone));
  }
  if (link.endedAt && link.endedAt <= now) throw new ApiError('conflict', { zh: '此住户已迁出', en: 'This resident has already moved out' }, { field: 'linkId' });
  if (endsAt < link.startedAt) throw invalid('lastDay', 'is before the link began', '早于绑定开始的日期');
  await db.update(residents).set({ endedAt: endsAt, endedBy: by }).where(and(eq(residents.tenantId, input.tenantId), eq(residents.id, link.id)));
  await auditAdmin(db, { tenantId: input.tenantId, actorId: by, action: 'people.move-out', target: link.userId ? `user/${link.userId}` : `unit/${link.unitId}`, estateId: input.estateId, at: now, detail: { linkId: link.id, unitId: link.unitId, endedAt: endsAt.toISOString() } });
  return { endedAt: endsAt.toISOString() };
}

/** A link as the pages show it: who, how related, from when until when, and who vouched for it. */
export interface LinkView {
  id: string; estateId: string; unitId: string; unitLabel: string; userId: string | null; name: string; displayName: string | null;
  kind: ResidentKind; startedAt: string; endedAt: string | null; active: boolean; linkedVia: 'code' | 'verification' | null;
  linkedBy: string | null; linkedByName: string | null; endedByName: string | null;
}

async function linkViews(db: DbOrTx, tenantId: string, where: ReturnType<typeof and>, now: Date): Promise<LinkView[]> {
  const rows = await db.select({ r: residents, unitLabel: units.label }).from(residents)
    .innerJoin(units, and(eq(units.tenantId, residents.tenantId), eq(units.id, residents.unitId)))
    .where(and(eq(residents.tenantId, tenantId), where))
    .orderBy(desc(residents.startedAt));
  const ids = [...new Set(rows.flatMap(({ r }) => [r.userId, r.linkedBy, r.endedBy]).filter((x): x is string => x !== null))];
  const names = new Map(ids.length
    ? (await db.select({ id: users.id, displayName: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, ids)))).map((u) => [u.id, u.displayName])
    : []);
  return rows.map(({ r, unitLabel }) => ({
    id: r.id, estateId: r.estateId, unitId: r.unitId, unitLabel, userId: r.userId, name: r.name, displayName: r.userId ? names.get(r.userId) ?? null : null,
    kind: (RESIDENT_KINDS as readonly string[]).includes(r.kind) ? r.kind : 'owner', startedAt: r.startedAt.toISOString(), endedAt: r.endedAt?.toISOString() ?? null,
    active: r.endedAt === null || r.endedAt > now, linkedVia: r.linkedVia, linkedBy: r.linkedBy, linkedByName: r.linkedBy ? names.get(r.linkedBy) ?? null : null,
    endedByName: r.endedBy ? names.get(r.endedBy) ?? null : null,
  }));
}

/** Everyone who lives or lived in a unit, newest first: the unit's history of who lived there when. */
export const unitResidents = (db: DbOrTx, tenantId: string, estateId: string, unitId: string, now: Date) =>
  linkViews(db, tenantId, and(eq(residents.estateId, estateId), eq(residents.unitId, unitId)), now);

/** The units an account is or was linked to, newest first (its own page). */
export const linksOf = (db: DbOrTx, tenantId: string, userId: string, now: Date) => linkViews(db, tenantId, eq(residents.userId, userId), now);

/**
 * Accounts the front desk may link, found by user name, name or phone: active accounts that hold no
 * staff role (residents, of this estate or another of the company), with how many units each lives in now.
 */
export async function findResidentAccounts(db: DbOrTx, tenantId: string, q: string, now: Date) {
  const text = q.trim();
  if (text.length < 2) throw invalid('q', 'needs at least 2 characters (user name, name or phone)', '至少输入 2 个字符（用户名、姓名或手机号）');
  const like = `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const found = await db.select().from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.status, 'active'), or(ilike(users.username, like), ilike(users.displayName, like), ilike(users.realName, like), ilike(users.phone, like))))
    .orderBy(asc(users.displayName)).limit(40);
  if (found.length === 0) return [];
  const ids = found.map((u) => u.id);
  const held = await db.select().from(memberships).where(and(eq(memberships.tenantId, tenantId), inArray(memberships.userId, ids)));
  const linked = await db.select({ userId: residents.userId, n: count() }).from(residents)
    .where(and(eq(residents.tenantId, tenantId), inArray(residents.userId, ids), residentLinkActive(now))).groupBy(residents.userId);
  return found
    .filter((u) => held.every((m) => m.userId !== u.id || m.role === 'resident'))
    .slice(0, 20)
    .map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, realName: u.realName, phone: u.phone, units: linked.find((l) => l.userId === u.id)?.n ?? 0 }));
}
