// Residents' links to units (issue #17): one-time link codes (expiry, single use, wrong codes, the
// throttle against guessing), front-desk verification, move-out with history and the loss of the
// unit's requests, sign-up with a code by someone with no account, the front desk's narrower
// residents_link permission, editing a person's roles per estate, and a bundle that needs roles the company
// lacks (created only with the admin's consent); on PGlite and PostgreSQL.
import { beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, memberships, residents, units, type Db } from '@estateflow/db';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { ticketBundle } from '../support/bundle.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';

const repairData = { name: '王先生', unit: '1-1-102', phone: '13800000000', fault: '厨房水管漏水', photos: [] };
const complaintData = { channel: 'app', name: '李女士', unit: '1-1-102', against: '邻居装修噪音', what: '夜间施工' };
const DAY = 86_400_000;

withDatabases((kind, getDb) => {
  let db: Db;
  let tenantId: string;
  let estateId: string;
  let otherEstateId: string;
  let unit101: string;
  let unit102: string;
  let admin: Client;
  let adminId: string;
  let desk: Client;
  // the business clock: 10:00 in Shanghai
  let now = new Date('2026-06-01T02:00:00Z');
  const app = () => testApp(db, { now: () => now, sessionTtlMs: 400 * DAY });
  const tag = `${kind}-${Math.random().toString(36).slice(2, 7)}`;

  /** A resident account made at the front desk (papers checked), signed in with its own password. */
  const newResident = async (name: string, unitId: string, relation: 'owner' | 'tenant' | 'family', phone: string) => {
    const username = `${name}-${tag}`;
    const made = await admin.call('POST', '/api/residents/verify', {
      estateId, unitId, kind: relation, documents: ['id_card', 'property_certificate'],
      account: { username, realName: name, phone, password: 'first password 1' },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const client = await signIn(app(), username, 'first password 1');
    expect((await client.call('POST', '/api/auth/password', { currentPassword: 'first password 1', newPassword: `${name} own secret 9` })).status).toBe(200);
    return { id: made.body.userId as string, linkId: made.body.linkId as string, client: await signIn(app(), username, `${name} own secret 9`) };
  };
  const code = async (unitId: string, relation: 'owner' | 'tenant' | 'family' = 'tenant') => {
    const res = await admin.call('POST', '/api/residents/codes', { estateId, unitId, kind: relation });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { code: string; expiresAt: string; unitLabel: string };
  };
  const start = async (client: Client, workflow: string, data: Record<string, unknown>, unitId: string) => {
    const res = await client.call('POST', '/api/instances', { estateId, workflow, data, unitId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const listed = async (client: Client) => ((await client.call('GET', `/api/instances?estateId=${estateId}`)).body.items as { id: string }[]).map((i) => i.id);

  beforeAll(async () => {
    db = getDb();
    tenantId = await createCompany(db, `住户公司 ${tag}`);
    estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '1栋', units: ['1-1-101', '1-1-102'] }] });
    otherEstateId = await createEstate(db, tenantId, { name: '翠湖苑' });
    adminId = await createUser(db, testConfig as never, { tenantId, username: `boss-${tag}`, password: 'pw', roles: [{ estateId, role: 'admin' }, { estateId: otherEstateId, role: 'admin' }] });
    await createUser(db, testConfig as never, { tenantId, username: `desk-${tag}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    await createUser(db, testConfig as never, { tenantId, username: `tech-${tag}`, password: 'pw', roles: [{ estateId, role: 'technician' }] });
    admin = await signIn(app(), `boss-${tag}`, 'pw');
    desk = await signIn(app(), `desk-${tag}`, 'pw');
    for (const bundleId of ['repair', 'complaint']) {
      const res = await admin.call('POST', '/api/bundles/install', { estateId, bundleId, parameters: {} });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const rows = await db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    unit101 = rows.find((u) => u.label === '1-1-101')!.id;
    unit102 = rows.find((u) => u.label === '1-1-102')!.id;
  });

  it(`links a resident with a one-time code: used once, refused when wrong or expired, audited, on ${kind}`, async () => {
    const zhang = await newResident('zhang', unit101, 'owner', '13900000001');
    // the front desk links residents (residents_link) without the people permission; a technician does not
    const byDesk = await desk.call('POST', '/api/residents/codes', { estateId, unitId: unit102, kind: 'family' });
    expect(byDesk.status, JSON.stringify(byDesk.body)).toBe(200);
    expect((await desk.call('GET', `/api/residents?estateId=${estateId}&unitId=${unit102}`)).status).toBe(200);
    expect((await desk.call('GET', `/api/people?estateId=${estateId}`)).status).toBe(403);
    const tech = await signIn(app(), `tech-${tag}`, 'pw');
    const refused = await tech.call('POST', '/api/residents/codes', { estateId, unitId: unit102, kind: 'tenant' });
    expect(refused.status).toBe(403);
    expect((await tech.call('GET', `/api/residents?estateId=${estateId}&unitId=${unit102}`)).status).toBe(403);
    const given = await code(unit102, 'tenant');
    expect(given.code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    expect(given.unitLabel).toBe('1-1-102');
    expect(new Date(given.expiresAt).getTime() - now.getTime()).toBe(7 * DAY);
    // typed at the counter in lower case with a space: still the code
    const linked = await zhang.client.call('POST', '/api/residents/link', { code: given.code.toLowerCase().replace('-', ' ') });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body).toMatchObject({ unitId: unit102, unitLabel: '1-1-102', kind: 'tenant', estateId });
    const mine = (await zhang.client.call('GET', '/api/residents/mine')).body.items as { unitLabel: string; active: boolean; linkedVia: string }[];
    expect(mine.map((l) => [l.unitLabel, l.linkedVia, l.active]).sort()).toEqual([['1-1-101', 'verification', true], ['1-1-102', 'code', true]]);
    // used once
    const again = await zhang.client.call('POST', '/api/residents/link', { code: given.code });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ reason: 'invalid-request', field: 'code' });
    expect(again.body.error.message.zh).toContain('已使用过');
    expect(again.body.error.message.en).toContain('has been used');
    // wrong
    const wrong = await zhang.client.call('POST', '/api/residents/link', { code: 'AAAAA-BBBBB' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message.en).toContain('not right');
    // expired a minute after its 7 days
    const late = await code(unit101, 'family');
    const li = await newResident('li', unit102, 'owner', '13900000002');
    now = new Date(now.getTime() + 7 * DAY + 60_000);
    const expired = await li.client.call('POST', '/api/residents/link', { code: late.code });
    expect(expired.status).toBe(400);
    expect(expired.body.error.message.zh).toContain('已过期');
    expect((await li.client.call('GET', '/api/residents/mine')).body.items).toHaveLength(1);
    // every issue, link and refusal is an audit line
    const lines = await db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId));
    expect(lines.filter((l) => l.action === 'people.link-code')).toHaveLength(3);
    expect(lines.filter((l) => l.action === 'people.link-code-redeem' && l.outcome === 'accepted')).toHaveLength(1);
    expect(lines.filter((l) => l.action === 'people.link-code-redeem' && l.outcome === 'refused').map((l) => l.detail.why).sort()).toEqual(['expired', 'used', 'wrong']);
  });

  it(`signs up a resident with no account with a code: own user name and password, linked in one step, signed in, errors naming the field, on ${kind}`, async () => {
    const given = (await desk.call('POST', '/api/residents/codes', { estateId, unitId: unit101, kind: 'tenant' })).body as { code: string };
    const signUp = (body: Record<string, unknown>) => app().request('/api/auth/sign-up', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' }, body: JSON.stringify(body) });
    const username = `signup-chen-${tag}`;
    const base = { code: given.code, username, password: 'my own long secret', realName: '陈静', phone: '13700001111' };
    const refusals: [Record<string, unknown>, string, string][] = [
      [{ ...base, phone: '' }, 'phone', '手机'],
      [{ ...base, phone: '12345' }, 'phone', '手机号'],
      [{ ...base, realName: ' ' }, 'realName', '实名'],
      [{ ...base, username: 'X' }, 'username', '小写字母'],
      [{ ...base, password: 'short' }, 'password', '密码至少'],
      [{ ...base, password: `${username}-secret` }, 'password', '用户名'],
      [{ ...base, password: 'password123' }, 'password', '常见密码'],
      [{ ...base, code: 'AAAAA-BBBBB' }, 'code', '不正确'],
    ];
    for (const [body, field, zh] of refusals) {
      const res = await signUp(body);
      const answer = await res.json() as { error: { field: string; message: { zh: string; en: string } } };
      expect([res.status, answer.error.field], JSON.stringify(answer)).toEqual([400, field]);
      expect(answer.error.message.zh).toContain(zh);
      expect(answer.error.message.en.length).toBeGreaterThan(5);
    }
    // nothing was written by a refusal: the code still works, once
    const res = await signUp({ ...base, code: given.code.toLowerCase() });
    const body = await res.json() as { user: { username: string; mustChangePassword: boolean }; memberships: { estateId: string; role: string }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.user).toMatchObject({ username, mustChangePassword: false });
    expect(body.memberships).toEqual([expect.objectContaining({ estateId, role: 'resident' })]);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const mine = await app().request('/api/residents/mine', { headers: { cookie } });
    expect(((await mine.json()) as { items: unknown[] }).items).toEqual([expect.objectContaining({ unitId: unit101, kind: 'tenant', linkedVia: 'code', name: '陈静' })]);
    // signs in again with the password they chose; the code is used up; the user name is theirs
    await signIn(app(), username, 'my own long secret');
    const again = await signUp({ ...base, username: `chen2-${tag}` });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { message: { en: string } } }).error.message.en).toContain('has been used');
    const other = (await desk.call('POST', '/api/residents/codes', { estateId, unitId: unit102, kind: 'family' })).body as { code: string };
    const taken = await signUp({ ...base, code: other.code });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: { field: string } }).error.field).toBe('username');
    const lines = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'people.resident')));
    expect(lines.filter((l) => l.detail.via === 'code')).toHaveLength(1);
  });

  it(`throttles sign-up with wrong codes like sign-in: the address is locked after its failures, on ${kind}`, async () => {
    // behind a proxy the API trusts, so this test's address is its own (other tests keep signing in)
    const proxied = testApp(db, { now: () => now, sessionTtlMs: 400 * DAY, trustProxy: true });
    const signUp = (i: number, code: string) => proxied.request('/api/auth/sign-up', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ code, username: `guess${i}-${tag}`, password: 'my own long secret', realName: '猜码人', phone: '13700002222' }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await signUp(i, `QQQQQ-QQQ${(i % 8) + 2}Q`)).status);
    expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
    expect(statuses).toContain(429);
    const good = (await desk.call('POST', '/api/residents/codes', { estateId, unitId: unit101, kind: 'family' })).body as { code: string };
    expect((await signUp(99, good.code)).status).toBe(429);
  });

  it(`stops guessing: the sixth wrong code within 15 minutes is refused unread (429), and the window passes, on ${kind}`, async () => {
    const guesser = await newResident('guess', unit101, 'family', '13900000003');
    const good = await code(unit102, 'family');
    for (let i = 0; i < 5; i++) {
      const res = await guesser.client.call('POST', '/api/residents/link', { code: `ZZZZZ-ZZZZ${i + 2}` });
      expect(res.status).toBe(400);
      now = new Date(now.getTime() + 60_000);
    }
    // even the right code is refused while the throttle holds, and it stays unused
    const blocked = await guesser.client.call('POST', '/api/residents/link', { code: good.code });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatchObject({ reason: 'too-many-attempts', field: 'code' });
    expect(blocked.body.error.message.zh).toMatch(/分钟后再试/);
    now = new Date(now.getTime() + 15 * 60_000);
    const through = await guesser.client.call('POST', '/api/residents/link', { code: good.code });
    expect(through.status, JSON.stringify(through.body)).toBe(200);
  });

  it(`verifies a resident at the front desk: finds the account, records who checked which papers and when, on ${kind}`, async () => {
    const wu = await newResident('wu', unit101, 'owner', '13900000004');
    const found = await admin.call('GET', `/api/residents/accounts?estateId=${estateId}&q=13900000004`);
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([expect.objectContaining({ id: wu.id, username: `wu-${tag}`, units: 1 })]);
    // staff are not offered as residents
    expect((await admin.call('GET', `/api/residents/accounts?estateId=${estateId}&q=desk-${tag}`)).body.items).toEqual([]);
    const noPapers = await admin.call('POST', '/api/residents/verify', { estateId, unitId: unit102, kind: 'family', documents: [], userId: wu.id });
    expect(noPapers.status).toBe(400);
    expect(JSON.stringify(noPapers.body.error)).toContain('documents');
    const badUnit = await admin.call('POST', '/api/residents/verify', { estateId, unitId: '00000000-0000-4000-8000-000000000000', kind: 'family', documents: ['id_card'], userId: wu.id });
    expect(badUnit.body.error).toMatchObject({ field: 'unitId' });
    expect(badUnit.body.error.message.zh).toContain('不是本项目的房屋');
    const ok = await admin.call('POST', '/api/residents/verify', { estateId, unitId: unit102, kind: 'family', documents: ['id_card', 'household_register'], userId: wu.id });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const twice = await admin.call('POST', '/api/residents/verify', { estateId, unitId: unit102, kind: 'family', documents: ['id_card'], userId: wu.id });
    expect(twice.status).toBe(409);
    const history = (await admin.call('GET', `/api/residents?estateId=${estateId}&unitId=${unit102}`)).body.items as { userId: string; kind: string; linkedVia: string; linkedBy: string; linkedByName: string; startedAt: string }[];
    expect(history.find((l) => l.userId === wu.id)).toMatchObject({ kind: 'family', linkedVia: 'verification', linkedBy: adminId, startedAt: now.toISOString() });
    const [line] = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'people.link'), eq(auditLog.target, `user/${wu.id}`)));
    expect(line).toMatchObject({ actorId: adminId, detail: { unit: '1-1-102', kind: 'family', documents: ['id_card', 'household_register'] } });
    // a staff account is not linked as a resident of the estate it works in
    const [deskRow] = await db.select().from(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.estateId, estateId), eq(memberships.role, 'front_desk')));
    const staffLink = await admin.call('POST', '/api/residents/verify', { estateId, unitId: unit102, kind: 'owner', documents: ['id_card'], userId: deskRow!.userId });
    expect(staffLink.status).toBe(400);
    expect(staffLink.body.error.message.en).toContain('staff role');
  });

  it(`ends a link at move-out: after the last day the unit's requests are gone, the resident's own stay, history keeps the period, on ${kind}`, async () => {
    const owner = await newResident('chen', unit102, 'owner', '13900000005');
    const tenant = await newResident('zhou', unit101, 'owner', '13900000006');
    const given = await code(unit102, 'tenant');
    expect((await tenant.client.call('POST', '/api/residents/link', { code: given.code })).status).toBe(200);
    const repair = await start(owner.client, 'repair', repairData, unit102);
    const complaint = await start(owner.client, 'complaint', complaintData, unit102);
    const ownRepair = await start(tenant.client, 'repair', { ...repairData, fault: '卫生间灯不亮' }, unit102);
    // while linked: the unit's repair yes, another member's complaint never
    expect((await tenant.client.call('GET', `/api/instances/${repair}`)).status).toBe(200);
    expect((await tenant.client.call('GET', `/api/instances/${complaint}`)).status).toBe(403);
    expect(await listed(tenant.client)).toEqual(expect.arrayContaining([repair, ownRepair]));
    const link = ((await tenant.client.call('GET', '/api/residents/mine')).body.items as { id: string; unitId: string }[]).find((l) => l.unitId === unit102)!;
    // move-out on the last day (Shanghai): the link holds until that day ends
    const lastDay = '2026-06-30';
    now = new Date('2026-06-30T08:00:00Z');
    const out = await admin.call('POST', '/api/residents/move-out', { estateId, linkId: link.id, lastDay });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body.endedAt).toBe('2026-06-30T16:00:00.000Z');
    expect((await tenant.client.call('GET', `/api/instances/${repair}`)).status).toBe(200);
    now = new Date('2026-06-30T16:00:01Z');
    const gone = await tenant.client.call('GET', `/api/instances/${repair}`);
    expect(gone.status).toBe(403);
    const after = await listed(tenant.client);
    expect(after).not.toContain(repair);
    // the request they raised stays theirs
    expect(after).toContain(ownRepair);
    expect((await tenant.client.call('GET', `/api/instances/${ownRepair}`)).status).toBe(200);
    // and the unit is no longer one they may name
    const refused = await tenant.client.call('POST', '/api/instances', { estateId, workflow: 'repair', data: repairData, unitId: unit102 });
    expect(refused.status).toBe(422);
    expect(refused.body.error.field).toBe('/unitId');
    expect(((await tenant.client.call('GET', `/api/processes?estateId=${estateId}`)).body.units as { label: string }[]).map((u) => u.label)).toEqual(['1-1-101']);
    // the unit's history keeps who lived there when
    const history = (await admin.call('GET', `/api/residents?estateId=${estateId}&unitId=${unit102}`)).body.items as { userId: string; active: boolean; endedAt: string | null; endedByName: string | null }[];
    expect(history.find((l) => l.userId === tenant.id)).toMatchObject({ active: false, endedAt: '2026-06-30T16:00:00.000Z' });
    expect(history.find((l) => l.userId === owner.id)).toMatchObject({ active: true, endedAt: null });
    const [row] = await db.select().from(residents).where(and(eq(residents.tenantId, tenantId), eq(residents.id, link.id)));
    expect(row!.endedBy).toBe(adminId);
    const twice = await admin.call('POST', '/api/residents/move-out', { estateId, linkId: link.id });
    expect(twice.status).toBe(409);
    const badDay = await admin.call('POST', '/api/residents/move-out', { estateId, linkId: owner.linkId, lastDay: '2026-02-30' });
    expect(badDay.status).toBe(400);
  });

  it(`edits a staff member's roles per estate in several estates, audited, with the permission check, on ${kind}`, async () => {
    const made = await admin.call('POST', '/api/people', { estateId, username: `sun-${tag}`, realName: '孙立', displayName: '孙师傅', roles: [{ estateId, role: 'technician' }], password: 'sun password 2026' });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const userId = made.body.id as string;
    const roleOf = async () => ((await admin.call('GET', `/api/people?estateId=${estateId}`)).body.items as { id: string; roles: { estateId: string; role: string }[] }[]).find((p) => p.id === userId)?.roles;
    const grant = await admin.call('POST', '/api/people/roles', { estateId, userId, roles: [{ estateId, role: 'dispatcher' }, { estateId: otherEstateId, role: 'technician' }] });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);
    expect((await roleOf())?.sort((a, b) => a.estateId.localeCompare(b.estateId))).toEqual([{ estateId, role: 'dispatcher' }, { estateId: otherEstateId, role: 'technician' }].sort((a, b) => a.estateId.localeCompare(b.estateId)));
    const removed = await admin.call('POST', '/api/people/roles', { estateId, userId, roles: [{ estateId: otherEstateId, role: null }] });
    expect(removed.status).toBe(200);
    expect(await roleOf()).toEqual([{ estateId, role: 'dispatcher' }]);
    const unknown = await admin.call('POST', '/api/people/roles', { estateId, userId, roles: [{ estateId, role: 'pilot' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ field: 'roles/0/role' });
    expect(await roleOf()).toEqual([{ estateId, role: 'dispatcher' }]);
    const resident = await admin.call('POST', '/api/people/roles', { estateId, userId, roles: [{ estateId, role: 'resident' }] });
    expect(resident.status).toBe(400);
    // without the people permission: 403, nothing changes
    expect((await desk.call('POST', '/api/people/roles', { estateId, userId, roles: [{ estateId, role: 'admin' }] })).status).toBe(403);
    expect(await roleOf()).toEqual([{ estateId, role: 'dispatcher' }]);
    const lines = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'people.roles'), eq(auditLog.target, `user/${userId}`)));
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.actorId === adminId)).toBe(true);
  });

  it(`installs a bundle needing roles the company lacks only with consent, naming them in zh and en, on ${kind}`, async () => {
    const wf = ticketBundle.files['workflow.json'] as Record<string, unknown>;
    const pkg = {
      bundle: { ...ticketBundle.bundle, id: 'night-ticket', roles: [{ key: 'night_patrol', title: { zh: '夜间巡逻', en: 'Night patrol' }, description: { zh: '夜班巡逻', en: 'Night rounds' } }, { key: 'technician', title: { zh: '维修工', en: 'Technician' } }] },
      files: { ...ticketBundle.files, 'workflow.json': { ...wf, id: 'night-ticket', serialPrefix: 'NT', roles: [...(wf.roles as string[]), 'night_patrol'] } },
    };
    const catalogueRoles = async () => ((await admin.call('GET', `/api/roles?estateId=${estateId}`)).body.items as { key: string; permissions: string[] }[]);
    const refused = await admin.call('POST', '/api/bundles/install', { estateId, package: pkg, parameters: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ reason: 'conflict', field: 'createRoles' });
    expect(refused.body.error.message.zh).toContain('夜间巡逻（night_patrol）');
    expect(refused.body.error.message.en).toContain('Night patrol (night_patrol)');
    expect(refused.body.error.issues).toEqual([expect.objectContaining({ path: '/roles/0', field: 'bundle.json' })]);
    expect((await catalogueRoles()).some((r) => r.key === 'night_patrol')).toBe(false);
    expect((await admin.call('GET', `/api/bundles/installs?estateId=${estateId}`)).body.items.some((i: { bundleId: string }) => i.bundleId === 'night-ticket')).toBe(false);
    // consent given, but the bundle is invalid otherwise: nothing is created either
    const broken = { ...pkg, bundle: { ...pkg.bundle, version: 'one' } };
    expect((await admin.call('POST', '/api/bundles/install', { estateId, package: broken, parameters: {}, createRoles: true })).status).toBe(422);
    expect((await catalogueRoles()).some((r) => r.key === 'night_patrol')).toBe(false);
    const agreed = await admin.call('POST', '/api/bundles/install', { estateId, package: pkg, parameters: {}, createRoles: true });
    expect(agreed.status, JSON.stringify(agreed.body)).toBe(200);
    expect((await catalogueRoles()).find((r) => r.key === 'night_patrol')).toMatchObject({ permissions: [] });
    const [line] = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'roles.save'), eq(auditLog.target, 'role/night_patrol')));
    expect(line).toMatchObject({ actorId: adminId, detail: { bundle: 'night-ticket' } });
    // the catalogue lists each bundle's declared roles and, for this company, none missing now
    const cat = (await admin.call('GET', '/api/bundles/catalogue')).body.items as { id: string; roles: { key: string }[]; missingRoles: string[] }[];
    expect(cat.find((b) => b.id === 'complaint')).toMatchObject({ roles: [{ key: 'admin_supervisor' }, { key: 'cs_supervisor' }], missingRoles: [] });
  });

  it(`installs a bundle mapping a role it declares to one the company has: renamed in the workflow, nothing created, audited, on ${kind}`, async () => {
    // the ticket with its technician's work given to a night guard the bundle declares
    const wf = JSON.parse(JSON.stringify(ticketBundle.files['workflow.json']).replaceAll('"technician"', '"night_guard"')) as Record<string, unknown>;
    const pkg = {
      bundle: { ...ticketBundle.bundle, id: 'guard-ticket', roles: [{ key: 'night_guard', title: { zh: '夜班保安', en: 'Night guard' } }] },
      files: { ...ticketBundle.files, 'workflow.json': { ...wf, id: 'guard-ticket', serialPrefix: 'GT' } },
    };
    const install = (body: Record<string, unknown>) => admin.call('POST', '/api/bundles/install', { estateId, package: pkg, parameters: {}, ...body });
    const refused = await install({});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message.en).toContain('Map each to a role you have (roleMap)');
    // a mapping to a role the company lacks, or of a role the bundle does not declare: 400 naming it
    const unknownTarget = await install({ roleMap: { night_guard: 'ninja' } });
    expect(unknownTarget.status).toBe(400);
    expect(unknownTarget.body.error).toMatchObject({ field: 'roleMap.night_guard' });
    expect(unknownTarget.body.error.message.zh).toContain('公司角色目录');
    expect((await install({ roleMap: { day_guard: 'security' } })).body.error).toMatchObject({ field: 'roleMap.day_guard' });
    // a role an expression names in quotes cannot be renamed safely
    const machine = wf.machine as Record<string, unknown>;
    const quoted = { ...pkg, files: { ...pkg.files, 'workflow.json': { ...pkg.files['workflow.json'], machine: { ...machine, entry: [{ type: 'assign', params: { values: { summary: 'event.data.summary', grade: "actor.role == 'night_guard' ? 'major' : 'minor'" } } }] } } } };
    const literal = await admin.call('POST', '/api/bundles/install', { estateId, package: quoted, parameters: {}, roleMap: { night_guard: 'security' } });
    expect(literal.status).toBe(400);
    expect(literal.body.error.field).toBe('roleMap.night_guard');
    expect(literal.body.error.message.en).toContain('/machine/entry/0/params/values/grade');
    // mapped to security: installed, the workflow names security where the bundle said night_guard, no role created
    const mapped = await install({ roleMap: { night_guard: 'security' } });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    const versionId = (mapped.body.versions as { id: string; kind: string }[]).find((v) => v.kind === 'workflow')!.id;
    const doc = (await admin.call('GET', `/api/definitions/versions/${versionId}`)).body.document;
    expect(doc.roles).toEqual(['front_desk', 'security', 'dispatcher', 'resident', 'admin']);
    expect(doc.events.ACK.roles).toEqual(['security', 'dispatcher']);
    expect(doc.machine.states.open.tasks[0].role).toBe('security');
    expect(JSON.stringify(doc)).not.toContain('night_guard');
    expect(((await admin.call('GET', `/api/roles?estateId=${estateId}`)).body.items as { key: string }[]).some((r) => r.key === 'night_guard')).toBe(false);
    const [line] = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'roles.map')));
    expect(line).toMatchObject({ actorId: adminId, target: 'role/security', detail: { from: 'night_guard', to: 'security', bundle: 'guard-ticket' } });
  });
});
