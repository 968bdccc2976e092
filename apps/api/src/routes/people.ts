import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Context } from 'hono';
import { memberships, users } from '@estateflow/db';
import type { AppEnv } from '../env.ts';
import { ApiError, invalid } from '../errors.ts';
import { authOf, peopleManagers, requireEstate, Resource, staff } from '../route-table.ts';
import { isUuid } from '../services/body.ts';
import { storeOf } from '../services/event-path.ts';
import { issueResetCode } from '../services/accounts.ts';
import { auditAdmin } from '../services/admin-audit.ts';
import { createStaff, deactivateStaff, openTasksOf, parseRoles, parseStaffInput, setStaffRoles } from '../services/people.ts';
import { parseRoleInput, roleCatalogue, saveRole } from '../services/role-catalogue.ts';
import { erasePerson, exportPerson } from '../services/person-data.ts';
import { auditReveal, maskPhone, mayReadPersonal, personalFieldsOfVersion } from '../services/personal-data.ts';
import { ok } from '../schemas/common.ts';
import * as P from '../schemas/people.ts';

/** The estates where the caller may manage people (their role there holds `people`). */
const managedEstates = (c: Context<AppEnv>) => {
  const auth = authOf(c);
  return (estateId: string) => auth.permissions.get(estateId)?.has('people') ?? false;
};

/** A person of the caller's company, by a body's `userId` (400 naming the field when there is none). */
async function personOf(c: Context<AppEnv>, userId: string | undefined) {
  const { tenantId } = authOf(c);
  const [u] = isUuid(userId) ? await c.get('deps').db.select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId))) : [];
  if (!u) throw invalid('userId', 'names no person of your company', '不是本公司的人员');
  return u;
}

/** 403 unless the caller's role in the estate holds `personal_data` (zh/en naming the permission). */
function requirePersonalData(c: Context<AppEnv>, estateId: string): void {
  if (!mayReadPersonal(c, estateId)) {
    throw new ApiError('forbidden', { zh: '您的角色没有“查看个人信息”权限', en: 'Your role lacks the "read personal data" permission' });
  }
}

const staffBody = {
  type: 'object',
  required: ['estateId', 'username', 'realName', 'roles'],
  properties: {
    estateId: { type: 'string', format: 'uuid' },
    username: { type: 'string' }, realName: { type: 'string' }, displayName: { type: 'string' }, phone: { type: 'string' }, employeeNo: { type: 'string' },
    password: { type: 'string', description: 'optional first password (≥ 10 characters); when absent one is generated and answered once' },
    roles: { type: 'array', items: { type: 'object', required: ['estateId', 'role'], properties: { estateId: { type: 'string' }, role: { type: 'string' } } } },
  },
} as const;

export const peopleRoutes = new Resource('/people', 'People')
  .get('/', { responses: { 200: P.personList }, summary: 'The staff of an estate with every role they hold in the estates the caller manages people in (people permission)', access: peopleManagers, estate: { from: 'query' }, query: { estateId: { type: 'string' } } }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const { tenantId } = authOf(c);
    const db = c.get('deps').db;
    const here = await db.select({ userId: memberships.userId }).from(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.estateId, estateId!)));
    const ids = [...new Set(here.map((m) => m.userId))];
    if (ids.length === 0) return c.json({ items: [] });
    const people = await db.select().from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, ids))).orderBy(asc(users.displayName));
    const held = await db.select().from(memberships).where(and(eq(memberships.tenantId, tenantId), inArray(memberships.userId, ids)));
    const manages = managedEstates(c);
    return c.json({
      items: people
        .map((u) => ({ u, roles: held.filter((m) => m.userId === u.id && manages(m.estateId)).map((m) => ({ estateId: m.estateId, role: m.role })) }))
        .filter(({ roles }) => roles.some((r) => r.role !== 'resident'))
        .map(({ u, roles }) => ({
          // phones are masked here for everyone; a holder of personal_data reveals one person at a time (audited)
          id: u.id, username: u.username, displayName: u.displayName, realName: u.realName, phone: u.phone ? maskPhone(u.phone) : null, employeeNo: u.employeeNo,
          status: u.status, demo: u.demo, mustChangePassword: u.mustChangePassword, roles,
        })),
      mayReveal: mayReadPersonal(c, estateId!),
    });
  })
  .get('/personal', { responses: { 200: P.personalData }, summary: "One person's phone unmasked, for a role with the personal-data permission; every such read is audited (pii.reveal: who, whose, which fields, when)", access: peopleManagers, estate: { from: 'query' }, query: { estateId: { type: 'string' }, userId: { type: 'string' } }, queryRequired: ['estateId', 'userId'] }, async (c) => {
    const estateId = c.req.query('estateId')!;
    requireEstate(c, estateId);
    requirePersonalData(c, estateId);
    const person = await personOf(c, c.req.query('userId'));
    await auditReveal(c, { estateId, target: `user/${person.id}`, fields: ['phone'] });
    return c.json({ id: person.id, phone: person.phone });
  })
  .get('/export', { responses: { 200: P.personExport }, summary: "Everything held about a person as a JSON download (PIPL art. 45): account, roles, links to units, sessions, the requests they started with their history, their notices, and the bills, payments and receipts of the units where they are the payer; needs the people and personal-data permissions; audited (pii.export)", access: peopleManagers, estate: { from: 'query' }, query: { estateId: { type: 'string' }, userId: { type: 'string' } }, queryRequired: ['estateId', 'userId'] }, async (c) => {
    const estateId = c.req.query('estateId')!;
    requireEstate(c, estateId);
    requirePersonalData(c, estateId);
    const person = await personOf(c, c.req.query('userId'));
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    const document = await exportPerson(db, auth.tenantId, person, config.now());
    await auditAdmin(db, { tenantId: auth.tenantId, actorId: auth.userId, action: 'pii.export', target: `user/${person.id}`, estateId, at: config.now(), detail: { requests: document.requests.length, notices: document.notices.length, bills: document.bills.length, payments: document.payments.length } });
    c.header('content-disposition', `attachment; filename="person-${person.id}.json"`);
    return c.json(document);
  })
  .post('/erase', { responses: { 200: P.erased }, summary: "Erase a person on request (PIPL art. 47), irreversibly: name, phone, ID numbers and user name are replaced by a pseudonym in their account, links to units, requests, history, notices, receipts and audit details; roles and sessions end; bills, payments and receipts are kept with their amounts (30-year accounting retention). `confirm` must repeat the person's display name. Refused while they hold open tasks. Audited (pii.erase)", access: peopleManagers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'userId', 'confirm'], properties: { estateId: { type: 'string' }, userId: { type: 'string' }, confirm: { type: 'string', description: "the person's display name, typed again" }, reason: { type: 'string', maxLength: 500, description: 'why: the request it answers (e.g. the resident asked at the front desk on 3 May), kept in the audit line' } } }, example: { userId: '00000000-0000-4000-8000-000000000000', confirm: '王师傅', reason: '本人书面申请' }, errors: [409] }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const person = await personOf(c, body.userId);
    const auth = authOf(c);
    if (person.id === auth.userId) throw invalid('userId', 'is you: another administrator erases your data', '是您本人：请由另一位管理员删除您的个人信息');
    if (body.confirm.trim() !== person.displayName) throw invalid('confirm', `must repeat the person's display name (${person.displayName}) to confirm the erasure`, `须重复输入此人的显示名（${person.displayName}）以确认删除`);
    const { db, config, cache } = c.get('deps');
    const done = await db.transaction((tx) => erasePerson(tx, { config, cache, fieldsOf: (versionId) => personalFieldsOfVersion(c, auth.tenantId, versionId, tx) }, auth.tenantId, person, { userId: auth.userId, estateId: body.estateId, reason: body.reason?.trim() || undefined }));
    return c.json(done);
  })
  .post('/', { responses: { 200: P.staffCreated }, summary: 'Create a staff account: real name, display name, phone, employee number and one role in each of several estates; answers the generated first password once (it must be changed at the first sign-in)', access: peopleManagers, estate: { from: 'body' }, body: staffBody, example: { username: 'wang.shifu', realName: '王建国', displayName: '王师傅', phone: '13900001111', employeeNo: 'E0107', roles: [] } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const input = parseStaffInput(body);
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    const created = await db.transaction((tx) => createStaff(tx, config, auth.tenantId, input, { userId: auth.userId, mayManage: managedEstates(c) }));
    return c.json({ id: created.userId, username: input.username, ...(created.initialPassword ? { initialPassword: created.initialPassword } : {}) });
  })
  .post('/roles', { responses: { 200: ok }, summary: "Change a person's role in estates (role null removes it there)", access: peopleManagers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'userId', 'roles'], properties: { estateId: { type: 'string' }, userId: { type: 'string' }, roles: { type: 'array' } } }, example: { userId: '00000000-0000-4000-8000-000000000000', roles: [] } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const person = await personOf(c, body.userId);
    if (!Array.isArray(body.roles)) throw invalid('roles', 'must be a list of { estateId, role }', '必须是 { estateId, role } 的列表');
    const removals = (body.roles as Record<string, unknown>[]).map((r, i) => ({ i, r })).filter(({ r }) => r?.role === null);
    const grants = (body.roles as Record<string, unknown>[]).filter((r) => r?.role !== null);
    const parsed = grants.length ? parseRoles(grants) : [];
    const changes = [...parsed, ...removals.map(({ r, i }) => {
      if (typeof r.estateId !== 'string') throw invalid(`roles/${i}/estateId`, 'must be an estate id', '必须是项目 id');
      return { estateId: r.estateId, role: null };
    })];
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    if (person.status !== 'active') throw invalid('userId', 'is deactivated', '已停用');
    await db.transaction((tx) => setStaffRoles(tx, config, auth.tenantId, person.id, changes, { userId: auth.userId, mayManage: managedEstates(c) }));
    return c.json({ ok: true });
  })
  .get('/open-tasks', { responses: { 200: P.openTaskList }, summary: 'The open tasks a person holds: what must go to someone else before they are deactivated', access: peopleManagers, estate: { from: 'query' }, query: { estateId: { type: 'string' }, userId: { type: 'string' } } }, async (c) => {
    requireEstate(c, c.req.query('estateId'));
    const person = await personOf(c, c.req.query('userId'));
    const open = await openTasksOf(c.get('deps').db, authOf(c).tenantId, person.id);
    return c.json({ items: open.map((t) => ({ id: t.id, estateId: t.estateId, instanceId: t.instanceId, title: t.title, role: t.role, dueAt: t.dueAt?.toISOString() ?? null })) });
  })
  .post('/deactivate', { responses: { 200: P.deactivated }, summary: 'Deactivate someone who left: in one step their open tasks go to the people named (reassignTo, or reassign by task id; a task with nobody named refuses the step), their roles are removed and every session ends', access: peopleManagers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'userId'], properties: { estateId: { type: 'string' }, userId: { type: 'string' }, reassignTo: { type: 'string' }, reassign: { type: 'object', additionalProperties: { type: 'string' } } } }, example: { userId: '00000000-0000-4000-8000-000000000000' } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const person = await personOf(c, body.userId);
    if (person.status !== 'active') throw new ApiError('conflict', { zh: '此人已停用', en: 'This person is already deactivated' }, { field: 'userId' });
    const reassign = body.reassign;
    if (reassign !== undefined && (typeof reassign !== 'object' || reassign === null || Array.isArray(reassign) || Object.values(reassign).some((v) => typeof v !== 'string'))) {
      throw invalid('reassign', 'must map task ids to user ids', '必须是“任务 id → 用户 id”的对象');
    }
    const { db, config, cache } = c.get('deps');
    const auth = authOf(c);
    const done = await db.transaction((tx) => deactivateStaff(tx, storeOf({ db, cache, now: config.now }).within(tx), config, auth.tenantId, person.id, { reassignTo: body.reassignTo, reassign: reassign as Record<string, string> | undefined }, { userId: auth.userId, mayManage: managedEstates(c) }));
    return c.json(done);
  })
  .post('/reset-code', { responses: { 200: P.resetCode }, summary: 'Issue a one-time password reset code to hand to a person (valid 24 hours, used once; the person then sets a new password at sign-in)', access: peopleManagers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'userId'], properties: { estateId: { type: 'string' }, userId: { type: 'string' } } }, example: { userId: '00000000-0000-4000-8000-000000000000' } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const person = await personOf(c, body.userId);
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    const held = await db.select().from(memberships).where(and(eq(memberships.tenantId, auth.tenantId), eq(memberships.userId, person.id)));
    if (person.status !== 'active' || held.some((m) => !managedEstates(c)(m.estateId)) || held.length === 0) {
      throw invalid('userId', 'is not an active person of the estates you manage', '不是您管理的项目中的在职人员');
    }
    return c.json(await issueResetCode(db, config, person, auth.userId));
  });

export const roleRoutes = new Resource('/roles', 'Roles')
  .get('/', { responses: { 200: P.roleList }, summary: "The company's role catalogue: the built-in roles and its own, each with zh/en title, description, kind and permissions", access: staff, estate: { from: 'query' }, query: { estateId: { type: 'string' } } }, async (c) => {
    requireEstate(c, c.req.query('estateId'));
    return c.json({ items: await roleCatalogue(c.get('deps').db, authOf(c).tenantId) });
  })
  .post('/', { responses: { 200: P.roleList }, summary: "Add a role to the company's catalogue or change one (titles, description, permissions: design, people, finance, personal_data)", access: peopleManagers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'key', 'title'], properties: { estateId: { type: 'string' }, key: { type: 'string' }, title: { type: 'object' }, description: { type: 'object' }, permissions: { type: 'array', items: { type: 'string' } } } }, example: { key: 'admin_supervisor', title: { zh: '行政主管', en: 'Administrative supervisor' }, permissions: [] } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const input = parseRoleInput(body);
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    await db.transaction(async (tx) => {
      await saveRole(tx, auth.tenantId, input);
      await auditAdmin(tx, { tenantId: auth.tenantId, actorId: auth.userId, action: 'roles.save', target: `role/${input.key}`, at: config.now(), detail: { ...input } });
    });
    return c.json({ items: await roleCatalogue(db, auth.tenantId) });
  });
