/**
 * People of a company: staff accounts with their real name, phone, employee number and a role in
 * each of several estates; deactivating someone who left. The only code path (besides tests) that
 * creates users: the UI's routes and the demo seed both call these functions.
 */
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { estates, memberships, tasks, units, users, type DbOrTx, type ResidentKind, type Role } from '@estateflow/db';
import { generatePassword, MIN_PASSWORD_LENGTH, passwordProblem } from '../auth/password-policy.ts';
import { revokeSessions } from '../auth/session.ts';
import type { ApiConfig } from '../config.ts';
import { ApiError, invalid } from '../errors.ts';
import { auditAdmin } from './admin-audit.ts';
import { createUser } from './provision.ts';
import { roleCatalogue } from './role-catalogue.ts';
import { planClaim, type EventStore } from '../store/index.ts';
import { isUuid } from './body.ts';
import { findLinkCode, linkResident, useLinkCode, type CodeRefusal, type LinkCodeRow } from './resident-links.ts';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,39}$/;
/** A mainland mobile number (11 digits starting with 1), optionally with +86. */
export const PHONE_PATTERN = /^(\+86)?1\d{10}$/;

export interface StaffInput {
  username: string;
  displayName: string;
  realName: string;
  phone?: string | undefined;
  employeeNo?: string | undefined;
  /** one role in each estate */
  roles: { estateId: string; role: Role }[];
  /** the first password; when absent one is generated and answered once */
  password?: string | undefined;
  /** a demo account (the seed): keeps its password, never forced to change it */
  demo?: boolean;
}

const fieldText = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : undefined);

/** Reads a staff member from a request body: 400 naming the field (zh/en) on anything wrong. */
export function parseStaffInput(body: Record<string, unknown>): StaffInput {
  const username = fieldText(body.username)?.toLowerCase() ?? '';
  if (!USERNAME_PATTERN.test(username)) throw invalid('username', 'must be 2–40 lower-case letters, digits, ".", "_" or "-" (e.g. wang.shifu)', '必须是 2–40 位小写字母、数字、“.”、“_”或“-”（例如 wang.shifu）');
  const realName = fieldText(body.realName) ?? '';
  if (!realName) throw invalid('realName', 'is required: the person’s legal name', '为必填项：本人实名');
  const displayName = fieldText(body.displayName) || realName;
  const phone = fieldText(body.phone) || undefined;
  if (phone !== undefined && !PHONE_PATTERN.test(phone.replace(/[\s-]/g, ''))) throw invalid('phone', 'must be an 11-digit mobile number starting with 1', '必须是以 1 开头的 11 位手机号');
  const employeeNo = fieldText(body.employeeNo) || undefined;
  if (employeeNo !== undefined && employeeNo.length > 40) throw invalid('employeeNo', 'may have at most 40 characters', '最多 40 个字符');
  const roles = parseRoles(body.roles);
  const password = body.password === undefined || body.password === '' ? undefined : fieldText(body.password);
  return { username, displayName, realName, phone: phone?.replace(/[\s-]/g, ''), employeeNo, roles, password };
}

export function parseRoles(value: unknown): { estateId: string; role: Role }[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('roles', 'needs at least one { estateId, role }', '至少需要一项 { estateId, role }');
  const seen = new Set<string>();
  return value.map((r, i) => {
    const item = r as Record<string, unknown> | null;
    if (typeof item?.estateId !== 'string' || typeof item.role !== 'string' || !item.role) throw invalid(`roles/${i}`, 'must be { estateId, role }', '必须是 { estateId, role }');
    if (seen.has(item.estateId)) throw invalid(`roles/${i}/estateId`, 'names an estate twice: a person holds one role per estate', '重复的项目：每人在一个项目中只有一个角色');
    seen.add(item.estateId);
    return { estateId: item.estateId, role: item.role };
  });
}

/**
 * Checks that every role is a staff role of the company's catalogue and every estate one of the
 * company's the admin manages people in (`mayManage`; the seed passes everything).
 */
async function checkRoles(db: DbOrTx, tenantId: string, roles: StaffInput['roles'], mayManage: (estateId: string) => boolean): Promise<void> {
  const catalogue = new Map((await roleCatalogue(db, tenantId)).map((r) => [r.key, r]));
  const ids = roles.map((r) => r.estateId).filter(isUuid);
  const rows = ids.length ? await db.select({ id: estates.id }).from(estates).where(and(eq(estates.tenantId, tenantId), inArray(estates.id, ids))) : [];
  const own = new Set(rows.map((e) => e.id));
  roles.forEach((r, i) => {
    if (!own.has(r.estateId) || !mayManage(r.estateId)) throw invalid(`roles/${i}/estateId`, 'is not an estate where you manage people', '不是您可以管理人员的项目');
    const def = catalogue.get(r.role);
    if (!def) throw invalid(`roles/${i}/role`, `"${r.role}" is not in the company's role catalogue`, `“${r.role}”不在公司的角色目录中`);
    if (def.kind !== 'staff') throw invalid(`roles/${i}/role`, 'is a resident role: residents are linked to their unit, not created as staff', '是住户角色：住户通过房屋绑定加入，不作为员工创建');
  });
}

/** Creates a staff account; answers its id and, when none was given, the generated first password (shown once). */
export async function createStaff(
  db: DbOrTx,
  config: Pick<ApiConfig, 'argon2' | 'now'>,
  tenantId: string,
  input: StaffInput,
  by: { userId: string | null; mayManage: (estateId: string) => boolean },
): Promise<{ userId: string; initialPassword?: string }> {
  await checkRoles(db, tenantId, input.roles, by.mayManage);
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username));
  if (taken) throw new ApiError('conflict', { zh: `用户名“${input.username}”已被使用`, en: `The user name "${input.username}" is taken` }, { field: 'username' });
  const generated = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generated!;
  const problem = passwordProblem(password, input.username);
  if (problem) throw new ApiError('invalid-request', problem, { field: 'password' });
  const userId = await createUser(db, config, { tenantId, username: input.username, password, displayName: input.displayName, roles: input.roles });
  await db.update(users).set({
    realName: input.realName, phone: input.phone ?? null, employeeNo: input.employeeNo ?? null, demo: input.demo ?? false,
    // a password someone else chose is changed at the first sign-in (demo accounts keep the printed one)
    mustChangePassword: !input.demo,
  }).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  await auditAdmin(db, { tenantId, actorId: by.userId, action: 'people.create', target: `user/${userId}`, at: config.now(), detail: { username: input.username, roles: input.roles } });
  return { userId, ...(generated ? { initialPassword: generated } : {}) };
}

/** Replaces a staff member's role in the listed estates (role `null`: removes it there). */
export async function setStaffRoles(
  db: DbOrTx, config: Pick<ApiConfig, 'now'>, tenantId: string, userId: string,
  changes: { estateId: string; role: Role | null }[], by: { userId: string | null; mayManage: (estateId: string) => boolean },
): Promise<void> {
  await checkRoles(db, tenantId, changes.filter((c): c is { estateId: string; role: Role } => c.role !== null), by.mayManage);
  changes.forEach((c, i) => {
    if (!by.mayManage(c.estateId)) throw invalid(`roles/${i}/estateId`, 'is not an estate where you manage people', '不是您可以管理人员的项目');
  });
  for (const c of changes) {
    await db.delete(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId), eq(memberships.estateId, c.estateId)));
    if (c.role) await db.insert(memberships).values({ tenantId, userId, estateId: c.estateId, role: c.role });
  }
  await auditAdmin(db, { tenantId, actorId: by.userId, action: 'people.roles', target: `user/${userId}`, at: config.now(), detail: { changes } });
}

/** The open tasks a person holds (assigned to them), oldest first: what must go to someone else when they leave. */
export async function openTasksOf(db: DbOrTx, tenantId: string, userId: string) {
  return db.select().from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.assigneeId, userId), eq(tasks.status, 'open'))).orderBy(asc(tasks.createdAt));
}

/**
 * Deactivates someone who left, in one transaction: every open task they hold goes to the person
 * named for it (`reassign[taskId]`, else `reassignTo`), who must be an active staff member of the
 * task's estate; a task with nobody named refuses the whole step (400 listing the tasks), so no
 * task is left with nobody. Then their roles are removed, the account is marked inactive (it can no
 * longer sign in) and every session ends. The tasks change through the EventStore (a claim plan each). Answers the reassigned tasks and the sessions ended.
 */
export async function deactivateStaff(
  db: DbOrTx,
  /** the EventStore within the same transaction: it writes the tasks' new assignees */
  store: EventStore,
  config: Pick<ApiConfig, 'now'>,
  tenantId: string,
  userId: string,
  input: { reassignTo?: string | undefined; reassign?: Record<string, string> | undefined },
  by: { userId: string; mayManage: (estateId: string) => boolean },
): Promise<{ reassigned: { taskId: string; to: string }[]; sessionsEnded: number }> {
  if (userId === by.userId) throw invalid('userId', 'is you: ask another administrator to deactivate your account', '是您本人：请由另一位管理员停用您的账号');
  const [person] = await db.select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  if (!person) throw new ApiError('not-found', { zh: '找不到此人', en: 'No such person' }, { field: 'userId' });
  const held = await db.select().from(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  if (held.some((m) => !by.mayManage(m.estateId))) {
    throw new ApiError('forbidden', { zh: '此人在您不能管理人员的项目中有角色', en: 'This person holds a role in an estate where you do not manage people' });
  }
  const open = await openTasksOf(db, tenantId, userId);
  const missing = open.filter((t) => !(input.reassign?.[t.id] ?? input.reassignTo));
  if (missing.length) {
    throw new ApiError('invalid-request', {
      zh: `此人还有 ${missing.length} 项未完成的任务，请为每项指定接手人（reassignTo 或 reassign）`,
      en: `This person still holds ${missing.length} open task(s): name who takes each over (reassignTo or reassign)`,
    }, { field: 'reassign', issues: missing.map((t) => ({ path: `/reassign/${t.id}`, message: { zh: `任务“${t.title.zh}”无人接手`, en: `Nobody named for task "${t.title.en}"` } })) });
  }
  const targets = [...new Set(open.map((t) => input.reassign?.[t.id] ?? input.reassignTo!))];
  const members = targets.length
    ? await db.select({ userId: memberships.userId, estateId: memberships.estateId, role: memberships.role, status: users.status })
      .from(memberships).innerJoin(users, and(eq(users.tenantId, memberships.tenantId), eq(users.id, memberships.userId)))
      .where(and(eq(memberships.tenantId, tenantId), inArray(memberships.userId, targets.filter(isUuid)), ne(memberships.userId, userId)))
    : [];
  const now = config.now();
  const reassigned: { taskId: string; to: string }[] = [];
  for (const t of open) {
    const to = input.reassign?.[t.id] ?? input.reassignTo!;
    const m = members.find((x) => x.userId === to && x.estateId === t.estateId && x.status === 'active' && x.role !== 'resident');
    if (!m) throw invalid(input.reassign?.[t.id] ? `reassign/${t.id}` : 'reassignTo', `must be an active staff member of the estate of task "${t.title.en}"`, `必须是任务“${t.title.zh}”所在项目的在职员工`);
    const [answer] = await store.commit([planClaim(t, { taskId: t.id, assigneeId: to, role: t.role, unlessHeld: false }, now)]);
    // the transaction read the task open; a task closed meanwhile needs no one
    if (answer === 'ok') reassigned.push({ taskId: t.id, to });
  }
  await db.delete(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  await db.update(users).set({ status: 'inactive', deactivatedAt: now }).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  const sessionsEnded = await revokeSessions(db, tenantId, userId);
  await auditAdmin(db, { tenantId, actorId: by.userId, action: 'people.deactivate', target: `user/${userId}`, at: now, detail: { roles: held.map((m) => ({ estateId: m.estateId, role: m.role })), reassigned, sessionsEnded } });
  return { reassigned, sessionsEnded };
}

/**
 * Front-desk verification of a newcomer: the front desk checks a resident's papers and creates their
 * account linked to their unit (`linkResident`: a `residents` row naming the user, who vouched and
 * when; role `resident` in the estate). The demo seed's resident comes this way too. Answers the user
 * id, the link and, when no password was given, the first password (changed at the first sign-in).
 */
export async function createResidentAccount(
  db: DbOrTx,
  config: Pick<ApiConfig, 'argon2' | 'now'>,
  tenantId: string,
  input: Omit<StaffInput, 'roles' | 'employeeNo'> & { estateId: string; unitLabel?: string; unitId?: string; kind?: ResidentKind; documents?: readonly string[] },
  /**
   * who vouches: the front desk that checked the papers, or (`code`) the resident signing up with
   * the code that staff member issued: they chose their own password, so no forced change
   */
  by: { userId: string | null; code?: LinkCodeRow },
): Promise<{ userId: string; linkId: string; unitLabel: string; initialPassword?: string }> {
  const { estateId } = input;
  const [unit] = await db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId),
    input.unitId !== undefined ? eq(units.id, isUuid(input.unitId) ? input.unitId : '00000000-0000-0000-0000-000000000000') : eq(units.label, input.unitLabel ?? '')));
  if (!unit) throw invalid('unitId', 'names no unit of this estate', '不是本项目的房屋');
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username));
  if (taken) throw new ApiError('conflict', { zh: `用户名“${input.username}”已被使用`, en: `The user name "${input.username}" is taken` }, { field: 'username' });
  const generated = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generated!;
  const problem = passwordProblem(password, input.username);
  if (problem) throw new ApiError('invalid-request', problem, { field: 'password' });
  const userId = await createUser(db, config, { tenantId, username: input.username, password, displayName: input.displayName, roles: [{ estateId, role: 'resident' }] });
  await db.update(users).set({ realName: input.realName, phone: input.phone ?? null, demo: input.demo ?? false, mustChangePassword: !input.demo && !by.code })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  const now = config.now();
  const kind = input.kind ?? 'owner';
  if (by.code) await useLinkCode(db, by.code, userId, now);
  const linkId = await linkResident(db, now, { tenantId, estateId, unitId: unit.id, userId, kind, via: by.code ? 'code' : 'verification', by: by.code?.issuedBy ?? by.userId });
  await auditAdmin(db, {
    tenantId, actorId: by.code ? userId : by.userId, action: 'people.resident', target: `user/${userId}`, estateId, at: now,
    detail: by.code ? { unit: unit.label, kind, via: 'code', issuedBy: by.code.issuedBy, linkId } : { unit: unit.label, kind, documents: input.documents ?? [], linkId },
  });
  return { userId, linkId, unitLabel: unit.label, ...(generated ? { initialPassword: generated } : {}) };
}

/** What a resident gives to sign up with a link code: the code, a user name and password of their own, their name and phone. */
export interface SignUpInput {
  code: string;
  username: string;
  password: string;
  realName: string;
  displayName: string;
  phone: string;
}

/** Reads a sign-up from a request body: 400 naming the field (zh/en); phone and password are required. */
export function parseSignUp(body: Record<string, unknown>): SignUpInput {
  const code = fieldText(body.code) ?? '';
  if (!code) throw invalid('code', 'is required: the link code the service centre gave you', '为必填项：服务中心给您的绑定码');
  const person = parseStaffInput({ ...body, employeeNo: undefined, roles: [{ estateId: '-', role: 'resident' }] });
  if (!person.phone) throw invalid('phone', 'is required: the service centre reaches you on this mobile number', '为必填项：服务中心通过这个手机号联系您');
  if (person.password === undefined) throw invalid('password', `is required: choose one of at least ${MIN_PASSWORD_LENGTH} characters`, `为必填项：请设置至少 ${MIN_PASSWORD_LENGTH} 个字符的密码`);
  return { code, username: person.username, password: person.password, realName: person.realName, displayName: person.displayName, phone: person.phone };
}

/**
 * A resident with no account signs up with the one-time code the front desk gave them: their
 * account (the password policy of every account) is created and linked to the code's unit in one
 * step, through `createResidentAccount`, the front desk's own path; the code is used up. Answers
 * why the code does not link (wrong, used, expired) without writing anything, so the caller counts
 * the attempt like a failed sign-in; otherwise the new account.
 */
export async function signUpWithCode(
  db: DbOrTx, config: Pick<ApiConfig, 'argon2' | 'now'>, input: SignUpInput,
): Promise<{ refused: CodeRefusal } | { tenantId: string; userId: string; linkId: string; unitLabel: string }> {
  const found = await findLinkCode(db, input.code, config.now());
  if ('why' in found) return { refused: found.why };
  const { row } = found;
  const made = await createResidentAccount(db, config, row.tenantId, { ...input, estateId: row.estateId, unitId: row.unitId, kind: row.kind }, { userId: null, code: row });
  return { tenantId: row.tenantId, userId: made.userId, linkId: made.linkId, unitLabel: made.unitLabel };
}
