// People and roles (issue #17): the role catalogue as data with permissions apart from workflow roles,
// staff accounts made by an admin, deactivation that hands over open tasks in the same step, the
// password policy, the forced first change, reset codes and session expiry, on PGlite and PostgreSQL.
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, type Db } from '@estateflow/db';
import { commonPasswordCount, createCompany, createEstate, createUser, passwordProblem, pruneAdminAudit } from '@estateflow/api';
import { ticketBundle } from '../support/bundle.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, type Client } from '../support/api.ts';

describe('the password policy', () => {
  it('asks at least 10 characters, not the user name, not a shipped common password', () => {
    expect(commonPasswordCount()).toBeGreaterThan(200);
    expect(passwordProblem('short1', 'wang')?.en).toMatch(/at least 10 characters \(it has 6\)/);
    expect(passwordProblem('wang.shifu2026', 'wang.shifu')?.en).toMatch(/user name/);
    expect(passwordProblem('1234567890', 'wang')?.en).toMatch(/common password/);
    expect(passwordProblem('Woaini1314', 'wang')?.zh).toMatch(/常见密码/);
    expect(passwordProblem('aaaaaaaaaaaa', 'wang')?.en).toMatch(/repeated/);
    expect(passwordProblem('秋天的落叶很美丽呀呀', 'wang')).toBeUndefined();
    expect(passwordProblem('correct horse battery', 'wang')).toBeUndefined();
  });
});

withDatabases((kind, getDb) => {
  let db: Db;
  let estateId: string;
  let otherEstateId: string;
  let admin: Client;
  let dispatcherId: string;
  let now = new Date('2026-06-01T02:00:00Z');
  const app = () => testApp(db, { now: () => now, sessionIdleMs: 30 * 60_000, sessionTtlMs: 12 * 3600_000 });
  const tag = `${kind}-${Math.random().toString(36).slice(2, 7)}`;

  beforeAll(async () => {
    db = getDb();
    const tenantId = await createCompany(db, `人员公司 ${tag}`);
    estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '1栋', units: ['1-1-101'] }] });
    otherEstateId = await createEstate(db, tenantId, { name: '翠湖苑' });
    await createUser(db, { argon2: { memoryCost: 1024, timeCost: 1 } }, { tenantId, username: `boss-${tag}`, password: 'boss password 1', roles: [{ estateId, role: 'admin' }, { estateId: otherEstateId, role: 'admin' }] });
    dispatcherId = await createUser(db, { argon2: { memoryCost: 1024, timeCost: 1 } }, { tenantId, username: `li-${tag}`, password: 'dispatcher pw 1', roles: [{ estateId, role: 'dispatcher' }] });
    admin = await signIn(app(), `boss-${tag}`, 'boss password 1');
    const install = await admin.call('POST', '/api/bundles/install', { estateId, package: ticketBundle, parameters: { ackMinutes: 1 } });
    expect(install.status, JSON.stringify(install.body)).toBe(200);
  });

  it(`keeps a role catalogue per company: built-in roles, its own ones, permissions apart from workflow roles, on ${kind}`, async () => {
    const list = await admin.call('GET', `/api/roles?estateId=${estateId}`);
    // the 12 built-in roles and the field documents' 行政主管, 区域客户助理, 客服主管 are every company's defaults
    expect(list.body.items.map((r: { key: string }) => r.key)).toEqual(expect.arrayContaining(['admin', 'consultant', 'dispatcher', 'front_desk', 'technician', 'security', 'cleaning', 'finance', 'duty_manager', 'cs_manager', 'property_manager', 'resident', 'admin_supervisor', 'area_cs_assistant', 'cs_supervisor']));
    expect(list.body.items.find((r: { key: string }) => r.key === 'cs_supervisor')).toMatchObject({ title: { zh: '客服主管' } });
    expect(list.body.items.find((r: { key: string }) => r.key === 'area_cs_assistant')).toMatchObject({ title: { zh: '区域客户助理' } });
    expect(list.body.items.find((r: { key: string }) => r.key === 'admin_supervisor')).toMatchObject({ title: { zh: '行政主管' }, permissions: [] });
    const added = await admin.call('POST', '/api/roles', { estateId, key: 'garden_keeper', title: { zh: '园艺师', en: 'Gardener' }, permissions: [] });
    expect(added.status).toBe(200);
    const bad = await admin.call('POST', '/api/roles', { estateId, key: 'Garden Keeper', title: { zh: '园艺师', en: 'Gardener' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ reason: 'invalid-request', field: 'key' });
    expect(bad.body.error.message.zh).toMatch(/小写字母/);
    const badPerm = await admin.call('POST', '/api/roles', { estateId, key: 'garden_keeper', title: { zh: '园艺师', en: 'Gardener' }, permissions: ['design', 'fly'] });
    expect(badPerm.body.error.field).toBe('permissions/1');
    // a workflow role brings no designer power: 行政主管 may not publish
    const xu = await admin.call('POST', '/api/people', { estateId, username: `xu-${tag}`, realName: '许文', displayName: '许主管', roles: [{ estateId, role: 'admin_supervisor' }], password: 'xu password 2026' });
    expect(xu.status, JSON.stringify(xu.body)).toBe(200);
    const xuClient = await signIn(app(), `xu-${tag}`, 'xu password 2026');
    expect((await xuClient.call('POST', '/api/auth/password', { currentPassword: 'xu password 2026', newPassword: 'xu own password 7' })).status).toBe(200);
    const draft = await xuClient.call('PUT', '/api/definitions/drafts', { estateId, document: { kind: 'form', id: 'x', title: { zh: '例', en: 'X' }, schema: { type: 'object' } } });
    expect(draft.status).toBe(403);
    // granting the permission to the role gives it
    await admin.call('POST', '/api/roles', { estateId, key: 'admin_supervisor', title: { zh: '行政主管', en: 'Administrative supervisor' }, permissions: ['design'] });
    const again = await xuClient.call('PUT', '/api/definitions/drafts', { estateId, document: { kind: 'form', id: 'x', title: { zh: '例', en: 'X' }, schema: { type: 'object' } } });
    expect(again.status).toBe(200);
    await admin.call('POST', '/api/roles', { estateId, key: 'admin_supervisor', title: { zh: '行政主管', en: 'Administrative supervisor' }, permissions: [] });
  });

  it(`grants finance as a permission, not by role name: a role the company adds runs billing with it and not without, on ${kind}`, async () => {
    await admin.call('POST', '/api/roles', { estateId, key: 'billing_clerk', title: { zh: '收费员', en: 'Billing clerk' }, permissions: ['finance'] });
    const made = await admin.call('POST', '/api/people', { estateId, username: `qian-${tag}`, realName: '钱芳', roles: [{ estateId, role: 'billing_clerk' }], password: 'qian password 2026' });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const qian = await signIn(app(), `qian-${tag}`, 'qian password 2026');
    expect((await qian.call('POST', '/api/auth/password', { currentPassword: 'qian password 2026', newPassword: 'qian own password 8' })).status).toBe(200);
    const me = await qian.call('GET', '/api/auth/me');
    expect(me.body.memberships[0].permissions).toEqual(['finance']);
    for (const path of [`/api/billing/run-options?estateId=${estateId}`, `/api/reports/fees/monthly?estateId=${estateId}&month=2026-05`]) {
      expect((await qian.call('GET', path)).status, path).not.toBe(403);
    }
    // the same role without the permission: refused (the check reads the catalogue at each request)
    await admin.call('POST', '/api/roles', { estateId, key: 'billing_clerk', title: { zh: '收费员', en: 'Billing clerk' }, permissions: [] });
    const refused = await qian.call('GET', `/api/billing/run-options?estateId=${estateId}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message.en).toMatch(/\S/);
  });

  it(`refuses a workflow naming a role the company lacks, with its path, on ${kind}`, async () => {
    const wf = ticketBundle.files['workflow.json'] as Record<string, unknown>;
    const doc = { ...wf, roles: [...(wf.roles as string[]), 'night_watch'] };
    const res = await admin.call('POST', '/api/definitions/validate', { estateId, document: doc });
    expect(res.status).toBe(200);
    const issue = res.body.issues.find((i: { path: string }) => i.path === `/roles/${(wf.roles as string[]).length}`);
    expect(issue.message.en).toMatch(/no role "night_watch"/);
    expect(issue.message.zh).toMatch(/night_watch/);
    await admin.call('POST', '/api/roles', { estateId, key: 'night_watch', title: { zh: '夜间巡逻', en: 'Night watch' } });
    const ok = await admin.call('POST', '/api/definitions/validate', { estateId, document: doc });
    expect(ok.body.issues.filter((i: { path: string }) => i.path.startsWith('/roles'))).toEqual([]);
    // a field visible only to a role the company lacks names that role too
    const hidden = { ...doc, contextFields: { note: { title: { zh: '备注', en: 'Note' }, visibility: { roles: ['finance', 'night_owl'] } } } };
    const seen = await admin.call('POST', '/api/definitions/validate', { estateId, document: hidden });
    expect(seen.body.issues).toEqual([expect.objectContaining({ path: '/contextFields/note/visibility/roles/1' })]);
  });

  it(`lets an admin create a technician who must change the given password, then work; deactivating hands their task over and ends their sessions, on ${kind}`, async () => {
    const refused = await admin.call('POST', '/api/people', { estateId, username: `wang-${tag}`, realName: '王建国', roles: [{ estateId, role: 'technician' }], password: 'short' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('password');
    const resident = await admin.call('POST', '/api/people', { estateId, username: `res-${tag}`, realName: '某住户', roles: [{ estateId, role: 'resident' }] });
    expect(resident.body.error.field).toBe('roles/0/role');
    const created = await admin.call('POST', '/api/people', { estateId, username: `wang-${tag}`, realName: '王建国', displayName: '王师傅', phone: '139 0000 1111', employeeNo: 'E0105', roles: [{ estateId, role: 'technician' }, { estateId: otherEstateId, role: 'technician' }] });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.initialPassword).toMatch(/^[A-Za-z0-9]{12}$/);
    const taken = await admin.call('POST', '/api/people', { estateId, username: `wang-${tag}`, realName: '王建国', roles: [{ estateId, role: 'technician' }] });
    expect(taken.status).toBe(409);
    const wang = await signIn(app(), `wang-${tag}`, created.body.initialPassword);
    const me = await wang.call('GET', '/api/auth/me');
    expect(me.body.user).toMatchObject({ displayName: '王师傅', mustChangePassword: true });
    expect(me.body.memberships).toHaveLength(2);
    const blocked = await wang.call('GET', '/api/tasks');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.reason).toBe('password-change-required');
    const weak = await wang.call('POST', '/api/auth/password', { currentPassword: created.body.initialPassword, newPassword: 'password123' });
    expect(weak.body.error).toMatchObject({ field: 'newPassword' });
    const second = await signIn(app(), `wang-${tag}`, created.body.initialPassword);
    const changed = await wang.call('POST', '/api/auth/password', { currentPassword: created.body.initialPassword, newPassword: '修水管的王师傅2026' });
    expect(changed.status).toBe(200);
    expect(changed.body.sessionsEnded).toBe(1);
    expect((await second.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await wang.call('GET', '/api/tasks')).status).toBe(200);

    // the reassign picker lists staff only, by role, paginated
    const members = await admin.call('GET', `/api/estates/${estateId}/members?role=technician&limit=1`);
    expect(members.body).toMatchObject({ total: 1, limit: 1, offset: 0 });
    expect(members.body.items[0]).toMatchObject({ displayName: '王师傅', role: 'technician' });
    const badPage = await admin.call('GET', `/api/estates/${estateId}/members?limit=0`);
    expect(badPage.body.error.field).toBe('limit');

    // a ticket's task goes to 王师傅
    const started = await admin.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: '厨房漏水', grade: 'minor' } });
    const taskId = (await admin.call('GET', `/api/instances/${started.body.id}`)).body.tasks[0].id;
    expect((await wang.call('POST', `/api/tasks/${taskId}/claim`, {})).status).toBe(200);
    const open = await admin.call('GET', `/api/people/open-tasks?estateId=${estateId}&userId=${created.body.id}`);
    expect(open.body.items.map((t: { id: string }) => t.id)).toEqual([taskId]);

    // nobody named: refused, nothing changes
    const nobody = await admin.call('POST', '/api/people/deactivate', { estateId, userId: created.body.id });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.issues[0].path).toBe(`/reassign/${taskId}`);
    expect((await wang.call('GET', '/api/auth/me')).status).toBe(200);
    const done = await admin.call('POST', '/api/people/deactivate', { estateId, userId: created.body.id, reassignTo: dispatcherId });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ reassigned: [{ taskId, to: dispatcherId }], sessionsEnded: 1 });
    expect((await wang.call('GET', '/api/auth/me')).status).toBe(401);
    await expect(signIn(app(), `wang-${tag}`, '修水管的王师傅2026')).rejects.toThrow(/401/);
    const task = (await admin.call('GET', `/api/instances/${started.body.id}`)).body.tasks[0];
    expect(task.assigneeId).toBe(dispatcherId);
    const gone = await admin.call('GET', `/api/estates/${estateId}/members?role=technician`);
    expect(gone.body.total).toBe(0);
    const lines = await db.select().from(auditLog).where(and(eq(auditLog.action, 'people.deactivate'), eq(auditLog.target, `user/${created.body.id}`)));
    expect(lines).toHaveLength(1);
  });

  it(`resets a forgotten password with a one-time code and ends sessions after idle and absolute expiry, on ${kind}`, async () => {
    const created = await admin.call('POST', '/api/people', { estateId, username: `chen-${tag}`, realName: '陈静', roles: [{ estateId, role: 'front_desk' }], password: 'first given pw 9' });
    const code = await admin.call('POST', '/api/people/reset-code', { estateId, userId: created.body.id });
    expect(code.body.code).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    const wrong = await app().request('/api/auth/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `chen-${tag}`, code: '0000-0000-0000-0000', newPassword: 'a brand new secret' }) });
    expect(wrong.status).toBe(401);
    const reset = await app().request('/api/auth/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `chen-${tag}`, code: code.body.code, newPassword: 'a brand new secret' }) });
    expect(reset.status).toBe(200);
    const reused = await app().request('/api/auth/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `chen-${tag}`, code: code.body.code, newPassword: 'another new secret' }) });
    expect(reused.status).toBe(401);
    const chen = await signIn(app(), `chen-${tag}`, 'a brand new secret');
    expect((await chen.call('GET', '/api/auth/me')).body.user.mustChangePassword).toBe(false);
    const sessions = await chen.call('GET', '/api/auth/sessions');
    expect(sessions.body.items).toHaveLength(1);
    expect(sessions.body.items[0].current).toBe(true);
    // idle: 31 minutes without a request ends the session
    now = new Date(now.getTime() + 31 * 60_000);
    expect((await chen.call('GET', '/api/auth/me')).status).toBe(401);
    // absolute: busy all day, the session still ends at 12 h
    const busy = await signIn(app(), `chen-${tag}`, 'a brand new secret');
    for (let h = 0; h < 12 * 4; h++) {
      now = new Date(now.getTime() + 15 * 60_000);
      const r = await busy.call('GET', '/api/auth/me');
      if (h < 12 * 4 - 1) expect(r.status).toBe(200);
      else expect(r.status).toBe(401);
    }
    // sign out everywhere
    const a = await signIn(app(), `chen-${tag}`, 'a brand new secret');
    const b = await signIn(app(), `chen-${tag}`, 'a brand new secret');
    expect((await a.call('POST', '/api/auth/logout-everywhere', {})).body.sessionsEnded).toBe(2);
    expect((await b.call('GET', '/api/auth/me')).status).toBe(401);
  });

  it(`keeps administrative audit lines at least 180 days, whatever the setting, on ${kind}`, async () => {
    const [line] = await db.select().from(auditLog).where(eq(auditLog.action, 'people.create')).limit(1);
    const at = line!.at;
    expect(await pruneAdminAudit(db, new Date(at.getTime() + 179 * 86_400_000), 30)).toBe(0);
    expect((await db.select().from(auditLog).where(and(eq(auditLog.id, line!.id)))).length).toBe(1);
    expect(await pruneAdminAudit(db, new Date(at.getTime() + 400 * 86_400_000), 365)).toBeGreaterThan(0);
    expect((await db.select().from(auditLog).where(and(eq(auditLog.id, line!.id)))).length).toBe(0);
  });
});
