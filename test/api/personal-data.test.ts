// Personal information (PIPL, issue #17; #18 "phone numbers are masked where the role may not see
// them"): phone and ID numbers masked for every role by default, revealed only by a role with the
// personal-data permission and audited; a person's data exported as JSON, and erased on request
// with the accounting records kept and the files they uploaded deleted. On PGlite and PostgreSQL.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { attachments, auditLog, bills, payments, receipts, type Db } from '@estateflow/db';
import { createCompany, createEstate, createResidentAccount, createUser, pruneAdminAudit } from '@estateflow/api';
import { rowsOf } from '../../apps/api/src/store/sql.ts';
import { maskData, maskId, maskPhone, maskText, personalFieldsOf, personalKindOf } from '../../apps/api/src/services/personal-data.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';

const WORKFLOWS = join(import.meta.dirname, '../../workflows');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const formsOf = (bundle: string): any[] => {
  const dir = join(WORKFLOWS, bundle, 'forms');
  return readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
};

describe('masking rules', () => {
  it('masks a mobile as 138****5678 and an ID-card number as 4401**********1234, inside free text too', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
    expect(maskId('440106199001011234')).toBe('4401**********1234');
    expect(maskText('对接人张工 13812345678，证件 44010619900101123X')).toBe('对接人张工 138****5678，证件 4401**********123X');
    expect(maskText('R-000012 于 2026-12-08 完成')).toBe('R-000012 于 2026-12-08 完成');
  });

  it('reads a field as personal from its annotation, else from its widget, pattern or camelCase name', () => {
    const text = { type: 'string', maxLength: 50 };
    expect(personalKindOf('contact', { ...text, 'x-personal': 'phone' })).toBe('phone');
    expect(personalKindOf('holder', { ...text, 'x-personal': 'name' })).toBe('name');
    expect(personalKindOf('contact', text, 'phone')).toBe('phone');
    expect(personalKindOf('x', { ...text, pattern: '^[0-9+ -]{5,20}$' })).toBe('phone');
    expect(personalKindOf('ownerPhone', text)).toBe('phone');
    expect(personalKindOf('tenantIdNo', text)).toBe('id');
    expect(personalKindOf('idCardNumber', text)).toBe('id');
    // not personal: other words that end the same way, a channel choice, a non-string
    expect(personalKindOf('hotel', text)).toBeUndefined();
    expect(personalKindOf('id', text)).toBeUndefined();
    expect(personalKindOf('channel', { type: 'string', enum: ['phone', 'visit'] })).toBeUndefined();
    expect(personalKindOf('phone', { type: 'string', enum: ['phone', 'visit'] })).toBeUndefined();
    expect(personalKindOf('phoneCount', { type: 'integer' })).toBeUndefined();
  });

  it('knows the personal fields of every bundle: annotated, phone widgets and patterns, and move-in\'s ID numbers', () => {
    const movein = personalFieldsOf(formsOf('move-in'));
    expect(movein.get('phone')).toBe('phone');
    expect(movein.get('residents/*/phone')).toBe('phone');
    expect(movein.get('residents/*/idNo')).toBe('id');
    expect(movein.get('residents/*/name')).toBe('name');
    expect(personalFieldsOf(formsOf('renovation')).get('passes/*/idNo')).toBe('id');
    // every field of every bundle that is named or shaped like a phone is personal, annotated or not
    for (const bundle of readdirSync(WORKFLOWS).filter((d) => !d.includes('.'))) {
      for (const form of formsOf(bundle)) {
        const fields = personalFieldsOf([form]);
        for (const [key, schema] of Object.entries(form.schema.properties as Record<string, { type?: string; enum?: unknown }>)) {
          if (/phone$/i.test(key) && schema.type === 'string' && !schema.enum) expect(fields.get(key), `${bundle}/${form.id}/${key}`).toBe('phone');
        }
      }
    }
    const { data, masked } = maskData({ residents: [{ name: '钱淑芬', phone: '13700137001', idNo: '440106199001011234' }], keys: 2 }, movein);
    expect(data).toEqual({ residents: [{ name: '钱淑芬', phone: '137****7001', idNo: '4401**********1234' }], keys: 2 });
    expect(masked).toEqual(['residents/0/idNo', 'residents/0/phone']);
  });
});

withDatabases((kind, getDb) => {
  let db: Db;
  let tenantId: string;
  let estateId: string;
  let unitId: string;
  let residentId: string;
  let wangId: string;
  let instanceId: string;
  const clients: Record<'admin' | 'office' | 'front' | 'tech' | 'resident', Client> = {} as never;
  const now = new Date('2026-06-01T02:00:00Z');
  const app = () => testApp(db, { now: () => now });
  const tag = `${kind}-${Math.random().toString(36).slice(2, 7)}`;
  const PHONE = '13700137001';
  const NAME = '钱淑芬';

  beforeAll(async () => {
    db = getDb();
    tenantId = await createCompany(db, `个人信息公司 ${tag}`);
    estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '1栋', units: ['1-1-101', '1-1-102'] }] });
    const cfg = testConfig as never;
    await createUser(db, cfg, { tenantId, username: `pa-admin-${tag}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    const admin = await signIn(app(), `pa-admin-${tag}`, 'pw');
    // an office administrator who manages people but may not read personal data (a company role without personal_data)
    expect((await admin.call('POST', '/api/roles', { estateId, key: 'office_admin', title: { zh: '行政文员', en: 'Office administrator' }, permissions: ['people'] })).status).toBe(200);
    await createUser(db, cfg, { tenantId, username: `pa-office-${tag}`, password: 'pw', roles: [{ estateId, role: 'office_admin' }] });
    await createUser(db, cfg, { tenantId, username: `pa-front-${tag}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    await createUser(db, cfg, { tenantId, username: `pa-tech-${tag}`, password: 'pw', roles: [{ estateId, role: 'technician' }] });
    const resident = await createResidentAccount(db, { ...testConfig, now: () => now } as never, tenantId, { username: `pa-res-${tag}`, realName: NAME, displayName: '钱阿姨', phone: PHONE, password: 'resident password 1', demo: true, estateId, unitLabel: '1-1-101' }, { userId: null });
    residentId = resident.userId;
    const wang = await admin.call('POST', '/api/people', { estateId, username: `pa-wang-${tag}`, realName: '王建国', displayName: '王师傅', phone: '13900001111', roles: [{ estateId, role: 'technician' }], password: 'wang password 2026' });
    expect(wang.status, JSON.stringify(wang.body)).toBe(200);
    wangId = wang.body.id;
    Object.assign(clients, {
      admin,
      office: await signIn(app(), `pa-office-${tag}`, 'pw'),
      front: await signIn(app(), `pa-front-${tag}`, 'pw'),
      tech: await signIn(app(), `pa-tech-${tag}`, 'pw'),
      resident: await signIn(app(), `pa-res-${tag}`, 'resident password 1'),
    });
    expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'repair' })).status).toBe(200);
    unitId = (await admin.call('GET', `/api/estates/${estateId}/units?q=1-1-101`)).body.items[0].id;
    const started = await clients.resident.call('POST', '/api/instances', { estateId, workflow: 'repair', unitId, data: { name: NAME, unit: '1-1-101', phone: PHONE, fault: `厨房漏水，请致电 ${PHONE}` } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    // the answer to the start is the resident's own: their number as they gave it
    expect(started.body.data.phone).toBe(PHONE);
    instanceId = started.body.id;
  });

  const piiLines = () => db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), sql`${auditLog.action} like 'pii.%'`));

  it(`masks phones in a request for every staff role by default: technician, front desk, admin without and with the permission, on ${kind}`, async () => {
    for (const who of ['tech', 'front', 'office', 'admin'] as const) {
      const one = await clients[who].call('GET', `/api/instances/${instanceId}`);
      expect(one.status, `${who}: ${JSON.stringify(one.body)}`).toBe(200);
      expect(one.body.data.phone, who).toBe('137****7001');
      expect(one.body.data.fault, who).toBe('厨房漏水，请致电 137****7001');
      expect(one.body.personal, who).toEqual({ masked: ['fault', 'phone'], revealed: false, mayReveal: who === 'front' || who === 'admin' });
      const list = await clients[who].call('GET', `/api/instances?estateId=${estateId}`);
      expect(list.body.items.find((i: { id: string }) => i.id === instanceId).data.phone, who).toBe('137****7001');
      const history = await clients[who].call('GET', `/api/instances/${instanceId}/history`);
      expect(history.body.items[0].data.phone, who).toBe('137****7001');
      expect(JSON.stringify(history.body)).not.toContain(PHONE);
    }
    expect(await piiLines()).toEqual([]);
  });

  it(`shows the resident who raised a request their own numbers as they gave them: nothing masked, nothing to reveal, nothing audited, on ${kind}`, async () => {
    const one = await clients.resident.call('GET', `/api/instances/${instanceId}`);
    expect(one.body.data.phone).toBe(PHONE);
    expect(one.body.data.fault).toBe(`厨房漏水，请致电 ${PHONE}`);
    expect(one.body.personal).toEqual({ masked: [], revealed: false, mayReveal: false });
    const list = await clients.resident.call('GET', `/api/instances?estateId=${estateId}`);
    expect(list.body.items.find((i: { id: string }) => i.id === instanceId).data.phone).toBe(PHONE);
    const history = await clients.resident.call('GET', `/api/instances/${instanceId}/history`);
    expect(history.body.items[0].data.phone).toBe(PHONE);
    expect(await piiLines()).toEqual([]);
  });

  it(`answers a keyed start the same when it is replayed, masked to everyone but its resident, on ${kind}`, async () => {
    const body = { estateId, workflow: 'repair', unitId, data: { name: NAME, unit: '1-1-101', phone: PHONE, fault: '门铃不响' } };
    const key = { 'idempotency-key': `pii-${tag}` };
    const first = await clients.resident.call('POST', '/api/instances', body, key);
    const again = await clients.resident.call('POST', '/api/instances', body, key);
    expect(first.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    // the resident's own start answers their own number; the front desk registering it for them reads it masked
    expect(first.body.data.phone).toBe(PHONE);
    expect(first.body.personal).toEqual({ masked: [], revealed: false, mayReveal: false });
    const seen = await clients.tech.call('GET', `/api/instances/${first.body.id}`);
    expect(seen.body.data.phone).toBe('137****7001');
  });

  it(`reveals only to a role with the personal-data permission, and audits every unmasked read, on ${kind}`, async () => {
    for (const who of ['resident', 'tech', 'office'] as const) {
      const refused = await clients[who].call('GET', `/api/instances/${instanceId}?reveal=1`);
      expect(refused.status, who).toBe(403);
      expect(refused.body.error.message.zh).toMatch(/查看个人信息/);
      expect(refused.body.error.message.en).toMatch(/read personal data/);
    }
    expect(await piiLines()).toEqual([]);
    const front = await clients.front.call('GET', `/api/instances/${instanceId}?reveal=1`);
    expect(front.status).toBe(200);
    expect(front.body.data.phone).toBe(PHONE);
    expect(front.body.personal).toMatchObject({ revealed: true, masked: ['fault', 'phone'] });
    const history = await clients.admin.call('GET', `/api/instances/${instanceId}/history?reveal=1`);
    expect(history.body.items[0].data.phone).toBe(PHONE);
    const lines = await piiLines();
    expect(lines).toHaveLength(2);
    const [frontId] = rowsOf<{ id: string }>(await db.execute(sql`select id from users where username = ${`pa-front-${tag}`}`));
    expect(lines.find((l) => l.target === `instance/${instanceId}`)).toMatchObject({ action: 'pii.reveal', actorId: frontId!.id, estateId, detail: { fields: ['fault', 'phone'], startedBy: residentId } });
    expect(lines.find((l) => l.target === `instance/${instanceId}/history`)?.detail).toMatchObject({ fields: ['1/fault', '1/phone'] });

    // the People page: phones masked; one person revealed at a time by a holder of the permission, audited
    const people = await clients.admin.call('GET', `/api/people?estateId=${estateId}`);
    expect(people.body.mayReveal).toBe(true);
    expect(people.body.items.find((p: { id: string }) => p.id === wangId).phone).toBe('139****1111');
    expect(JSON.stringify(people.body)).not.toContain('13900001111');
    const officeList = await clients.office.call('GET', `/api/people?estateId=${estateId}`);
    expect(officeList.body.mayReveal).toBe(false);
    expect((await clients.office.call('GET', `/api/people/personal?estateId=${estateId}&userId=${wangId}`)).status).toBe(403);
    const revealed = await clients.admin.call('GET', `/api/people/personal?estateId=${estateId}&userId=${wangId}`);
    expect(revealed.body).toEqual({ id: wangId, phone: '13900001111' });
    expect((await piiLines()).find((l) => l.target === `user/${wangId}`)).toMatchObject({ action: 'pii.reveal', detail: { fields: ['phone'] } });
  });

  it(`exports a person's data as a JSON download, for people managers who may read personal data, audited, on ${kind}`, async () => {
    await db.insert(bills).values({ tenantId, id: randomUUID(), estateId, unitId, key: `mgmt/${unitId}/2026-Q2`, planKey: 'mgmt', periodId: '2026-Q2', periodStart: '2026-04-01', periodEnd: '2026-06-30', issueOn: '2026-04-01', payBy: '2026-04-30', scheduleVersion: '2026-01-01', totalFen: 12345, createdAt: now });
    // a display preference kept on the account is held about them too (large text, 适老化)
    expect((await clients.resident.call('PUT', '/api/auth/me/preferences', { largeText: true })).status).toBe(200);
    expect((await clients.office.call('GET', `/api/people/export?estateId=${estateId}&userId=${residentId}`)).status).toBe(403);
    const res = await clients.admin.call('GET', `/api/people/export?estateId=${estateId}&userId=${residentId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="person-${residentId}.json"`);
    expect(res.body.account).toMatchObject({ id: residentId, realName: NAME, phone: PHONE, displayName: '钱阿姨', largeText: true });
    expect(res.body.links).toEqual([expect.objectContaining({ unitId, unit: '1-1-101', kind: 'owner', phone: PHONE })]);
    expect(res.body.requests).toHaveLength(2);
    expect(res.body.requests.find((r: { id: string }) => r.id === instanceId)).toMatchObject({ id: instanceId, workflow: 'repair', data: { phone: PHONE } });
    expect(res.body.requests.find((r: { id: string }) => r.id === instanceId).history[0]).toMatchObject({ seq: 1, byThem: true, data: { phone: PHONE } });
    expect(res.body.bills).toEqual([expect.objectContaining({ period: '2026-Q2', totalFen: 12345, total: '¥123.45' })]);
    expect(Array.isArray(res.body.notices)).toBe(true);
    expect(res.body.sessions.length).toBeGreaterThan(0);
    expect((await piiLines()).find((l) => l.action === 'pii.export')).toMatchObject({ target: `user/${residentId}`, detail: { requests: 2, bills: 1 } });
  });

  it(`erases a person on request: identity gone everywhere, bills and payments kept with their totals, audited, on ${kind}`, async () => {
    const paymentId = randomUUID();
    await db.insert(payments).values({ tenantId, id: paymentId, estateId, unitId, kind: 'payment', receivedOn: '2026-04-20', amountFen: 12345, method: 'cash', createdAt: now });
    await db.insert(receipts).values({ tenantId, id: randomUUID(), estateId, paymentId, serial: `SJ-2026-${tag}`, content: { unitLabel: '1-1-101', amountFen: 12345, payer: NAME, phone: PHONE }, issuedAt: now });
    const totals = async () => rowsOf(await db.execute(sql`select (select coalesce(sum(total_fen), 0)::int from bills where tenant_id = ${tenantId}) as bills,
      (select coalesce(sum(amount_fen), 0)::int from payments where tenant_id = ${tenantId}) as paid,
      (select count(*)::int from receipts where tenant_id = ${tenantId}) as receipts`))[0];
    const before = await totals();
    expect(before).toEqual({ bills: 12345, paid: 12345, receipts: 1 });
    // a photo the resident uploaded with a repair, and one the technician uploaded whose file name names her
    const jpeg = Buffer.alloc(600, 0x20);
    jpeg.set([0xff, 0xd8, 0xff, 0xe0]);
    jpeg.set([0xff, 0xd9], 598);
    const upload = async (client: Client, name: string) => {
      const res = await app().request(`/api/attachments?estateId=${estateId}&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { cookie: client.cookie, 'content-type': 'image/jpeg' }, body: jpeg });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; url: string };
    };
    const hers = await upload(clients.resident, '阳台.jpg');
    const withPhoto = await clients.resident.call('POST', '/api/instances', { estateId, workflow: 'repair', unitId, data: { name: NAME, unit: '1-1-101', phone: PHONE, fault: '阳台渗水', photos: [hers.url] } });
    expect(withPhoto.status, JSON.stringify(withPhoto.body)).toBe(201);
    const theirs = await upload(clients.tech, `${NAME}家阳台.jpg`);
    const fileRows = () => db.select({ id: attachments.id, name: attachments.name, createdBy: attachments.createdBy }).from(attachments).where(eq(attachments.tenantId, tenantId));
    expect((await fileRows()).map((f) => f.id).sort()).toEqual([hers.id, theirs.id].sort());

    const wrong = await clients.admin.call('POST', '/api/people/erase', { estateId, userId: residentId, confirm: '钱' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ field: 'confirm' });
    expect(wrong.body.error.message.zh).toMatch(/钱阿姨/);
    expect(wrong.body.error.message.en).toMatch(/display name/);
    expect((await clients.resident.call('GET', '/api/auth/me')).status).toBe(200);
    expect((await clients.tech.call('POST', '/api/people/erase', { estateId, userId: residentId, confirm: '钱阿姨' })).status).toBe(403);

    const erased = await clients.admin.call('POST', '/api/people/erase', { estateId, userId: residentId, confirm: '钱阿姨' });
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(erased.body).toMatchObject({ requests: 3, receipts: 1, files: 1, sessionsEnded: 1 });
    // her file is gone, bytes and all, and no request names it any more; the technician's stays, its name without hers
    expect(await fileRows()).toEqual([{ id: theirs.id, name: '（已删除）家阳台.jpg', createdBy: expect.any(String) }]);
    const photoRequest = await clients.admin.call('GET', `/api/instances/${withPhoto.body.id}?reveal=1`);
    expect(photoRequest.body.data.photos).toEqual(['（已删除）']);
    expect((await app().request(hers.url, { headers: { cookie: clients.admin.cookie } })).status).toBe(404);
    const [named] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from events where tenant_id = ${tenantId} and data::text like ${`%${hers.id}%`}`));
    expect(named!.n).toBe(0);
    expect(erased.body.pseudonym).toMatch(/^已注销用户 /);

    // accounting records kept, totals unchanged
    expect(await totals()).toEqual(before);
    // no row of any table holds the old name or phone
    const tables = rowsOf<{ table_name: string }>(await db.execute(sql`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`)).map((r) => r.table_name);
    for (const table of tables) {
      const [hits] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier(table)} t where t::text like ${`%${PHONE}%`} or t::text like ${`%${NAME}%`} or t::text like ${`%钱阿姨%`}`));
      expect(hits!.n, `${table} still names the person`).toBe(0);
    }
    // the request stays, its personal fields erased; the person can no longer sign in
    const inst = await clients.admin.call('GET', `/api/instances/${instanceId}?reveal=1`);
    expect(inst.body.data).toMatchObject({ name: '（已删除）', phone: '（已删除）', fault: '厨房漏水，请致电 （已删除）' });
    expect((await clients.resident.call('GET', '/api/auth/me')).status).toBe(401);
    const login = await app().request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `pa-res-${tag}`, password: 'resident password 1' }) });
    expect(login.status).toBe(401);
    const [line] = (await piiLines()).filter((l) => l.action === 'pii.erase');
    expect(line).toMatchObject({ target: `user/${residentId}`, estateId, detail: { requests: 3, files: 1, units: [unitId], kept: expect.arrayContaining(['bills', 'payments', 'receipts']) } });
    // nobody erases themselves
    const self = await clients.admin.call('POST', '/api/people/erase', { estateId, userId: (await clients.admin.call('GET', '/api/auth/me')).body.id, confirm: 'x' });
    expect(self.status).toBe(400);
    expect(self.body.error.field).toBe('userId');
  });

  it(`keeps reveal, export and erasure audit lines for the retention (at least 180 days), on ${kind}`, async () => {
    const count = async () => (await piiLines()).length;
    const kept = await count();
    expect(kept).toBeGreaterThanOrEqual(5);
    await pruneAdminAudit(db, new Date(now.getTime() + 179 * 86_400_000), 30);
    expect(await count()).toBe(kept);
    await pruneAdminAudit(db, new Date(now.getTime() + 181 * 86_400_000), 180);
    expect(await count()).toBe(0);
  });
});
