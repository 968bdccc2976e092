import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { attachments, events, instances, residents, units, type Db } from '@estateflow/db';
import { attachmentRefs, createUser } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';
import { buildWorld, type World } from '../support/world.ts';

/** A JPEG-looking body of `size` bytes (SOI marker, then filler): the server checks the leading bytes. */
function jpegBytes(size: number): Buffer<ArrayBuffer> {
  const b = Buffer.alloc(size, 0x20);
  b[0] = 0xff; b[1] = 0xd8; b[2] = 0xff; b[3] = 0xe0;
  b[size - 2] = 0xff; b[size - 1] = 0xd9;
  return b;
}

async function upload(w: World, client: Client, estateId: string, body: Buffer<ArrayBuffer> | FormData, headers: Record<string, string>, query = '') {
  const res = await w.app.request(`/api/attachments?estateId=${estateId}${query}`, { method: 'POST', headers: { cookie: client.cookie, ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('attachment references in form data', () => {
  it('finds every /api/attachments/ string with its JSON pointer, and flags malformed ids', () => {
    const id = randomUUID();
    expect(attachmentRefs({ photos: [`/api/attachments/${id}`, 'x'], 'a/b': { c: '/api/attachments/nope' }, n: 1 })).toEqual([
      { field: '/photos/0', id, value: `/api/attachments/${id}` },
      { field: '/a~1b/c', id: null, value: '/api/attachments/nope' },
    ]);
  });
});

withDatabases((kind, getDb) => {
  let w: World;
  let db: Db;
  let resident: Client;
  let admin: Client;
  let unitId: string;
  beforeAll(async () => {
    db = getDb();
    w = await buildWorld(db);
    resident = w.clients.get('resident')!;
    admin = w.own.admin;
    const install = await admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, bundleId: 'repair', parameters: {} });
    expect(install.status, JSON.stringify(install.body)).toBe(200);
    for (const bundleId of ['lost-and-found', 'complaint']) {
      expect((await admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, bundleId, parameters: {} })).status).toBe(200);
    }
    const [unit] = await db.select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, w.own.estateId), eq(units.label, '1-101')));
    unitId = unit!.id;
    await db.insert(residents).values({ tenantId: w.own.tenantId, id: randomUUID(), estateId: w.own.estateId, unitId, name: '王先生', userId: w.userIds.get('resident')! });
  });

  describe(`startable processes on ${kind}`, () => {
    it('lists to a resident the processes their role may start, with zh/en titles, descriptions, category and start form, and their own unit', async () => {
      const res = await resident.call('GET', `/api/processes?estateId=${w.own.estateId}`);
      expect(res.status).toBe(200);
      const byKey = new Map(res.body.items.map((p: { key: string }) => [p.key, p]));
      // RP-1: residents report repairs; lost and found is started by staff only (LF-1)
      expect(byKey.get('repair')).toMatchObject({ title: { zh: '报修', en: 'Repair' }, category: 'repair', startForm: 'rp-report', version: 1 });
      // the resident-facing description, not the staff procedure
      expect((byKey.get('repair') as { description: { zh: string } }).description.zh).toContain('报修后，客服中心会派维修师傅上门');
      expect((byKey.get('repair') as { description: { zh: string } }).description.zh).not.toContain('受理报修 →');
      expect(byKey.get('complaint')).toMatchObject({ category: 'complaint', startForm: 'cp-intake' });
      expect(byKey.has('test-ticket')).toBe(true);
      expect(byKey.has('lost-and-found')).toBe(false);
      expect(res.body.units).toEqual([{ id: unitId, label: '1-101' }]);
    });

    it('lists lost and found to security, who may start it', async () => {
      const res = await w.clients.get('security')!.call('GET', `/api/processes?estateId=${w.own.estateId}`);
      expect(res.body.items.map((p: { key: string }) => p.key)).toContain('lost-and-found');
      expect(res.body.units).toEqual([]);
    });

    it('gives a resident the start form of a process they may start, and 403 for one they may not', async () => {
      const res = await resident.call('GET', `/api/processes/repair/form?estateId=${w.own.estateId}`);
      expect(res.status).toBe(200);
      expect(res.body.form.id).toBe('rp-report');
      expect(res.body.title).toEqual({ zh: '报修', en: 'Repair' });
      const photos = res.body.form.layout.sections.flatMap((s: { fields: { field: string }[] }) => s.fields).find((f: { field: string }) => f.field === 'photos');
      expect(photos).toMatchObject({ widget: 'photo', maxFiles: 9, accept: ['image/*'] });
      const refused = await resident.call('GET', `/api/processes/lost-and-found/form?estateId=${w.own.estateId}`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message.zh).toContain('不能发起');
      expect(refused.body.error.message.en).toContain('may not start');
    });

    it('answers another estate, another company and an unknown process as 404 with a zh/en message', async () => {
      for (const place of [w.otherEstate, w.otherCompany]) {
        for (const path of [`/api/processes?estateId=${place.estateId}`, `/api/processes/test-ticket/form?estateId=${place.estateId}`]) {
          const res = await resident.call('GET', path);
          expect(res.status, path).toBe(404);
          expect(res.body.error.message.zh).toContain('未找到项目');
        }
      }
      const unknown = await resident.call('GET', `/api/processes/no-such/form?estateId=${w.own.estateId}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toEqual({ zh: '未找到流程（no-such）', en: 'Process no-such was not found' });
    });
  });

  describe(`attachments on ${kind}`, () => {
    it('stores a raw upload with its sha256 and streams it back with type, name and ETag', async () => {
      const bytes = jpegBytes(200 * 1024);
      const up = await upload(w, resident, w.own.estateId, bytes, { 'content-type': 'image/jpeg' }, `&name=${encodeURIComponent('厨房漏水.jpg')}`);
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({ name: '厨房漏水.jpg', size: bytes.length, contentType: 'image/jpeg', sha256: createHash('sha256').update(bytes).digest('hex') });
      expect(up.body.url).toBe(`/api/attachments/${up.body.id}`);
      const res = await w.app.request(up.body.url, { headers: { cookie: w.clients.get('technician')!.cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('厨房漏水.jpg')}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      const again = await w.app.request(up.body.url, { headers: { cookie: resident.cookie, 'if-none-match': res.headers.get('etag')! } });
      expect(again.status).toBe(304);
    });

    it('accepts a multipart upload with the estate in a form field', async () => {
      const form = new FormData();
      form.set('estateId', w.own.estateId);
      form.set('file', new Blob([Buffer.from('%PDF-1.7\n%%EOF\n')], { type: 'application/pdf' }), '验收单.pdf');
      const res = await w.app.request('/api/attachments', { method: 'POST', headers: { cookie: resident.cookie }, body: form });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { name: string; contentType: string };
      expect(body).toMatchObject({ name: '验收单.pdf', contentType: 'application/pdf' });
    });

    it('answers 404 to users of another estate or company, and for ids that name nothing', async () => {
      const up = await upload(w, resident, w.own.estateId, jpegBytes(1000), { 'content-type': 'image/jpeg' });
      for (const client of [w.otherEstate.admin, w.otherCompany.admin]) {
        const res = await client.call('GET', up.body.url);
        expect(res.status).toBe(404);
        expect(res.body.error.message.zh).toContain('未找到');
      }
      expect((await resident.call('GET', `/api/attachments/${randomUUID()}`)).status).toBe(404);
      expect((await resident.call('GET', '/api/attachments/not-a-uuid')).status).toBe(404);
      // uploading into an estate the caller is not a member of is refused the same way
      const foreign = await upload(w, resident, w.otherCompany.estateId, jpegBytes(1000), { 'content-type': 'image/jpeg' });
      expect(foreign.status).toBe(404);
    });

    it('refuses a file over the limit with 413 and a zh/en message, storing nothing', async () => {
      const small = testApp(db, { attachmentMaxBytes: 100 * 1024 });
      const client = await signIn(small, await usernameOf(resident), 'pw');
      const before = await countAttachments(db);
      const res = await small.request(`/api/attachments?estateId=${w.own.estateId}`, { method: 'POST', headers: { cookie: client.cookie, 'content-type': 'image/jpeg' }, body: jpegBytes(300 * 1024) });
      expect(res.status).toBe(413);
      const body = (await res.json()) as { error: { reason: string; field: string; message: { zh: string; en: string } } };
      expect(body.error).toMatchObject({ reason: 'too-large', field: 'file', message: { zh: '附件过大：上限为 0.1 MiB', en: 'The file is too large: the limit is 0.1 MiB' } });
      expect(await countAttachments(db)).toBe(before);
    });

    it('replays an upload sent again with the same Idempotency-Key, and refuses the key for other bytes', async () => {
      const bytes = jpegBytes(4000);
      const key = `upload-${randomUUID()}`;
      const before = await countAttachments(db);
      const first = await w.app.request(`/api/attachments?estateId=${w.own.estateId}&name=a.jpg`, { method: 'POST', headers: { cookie: resident.cookie, 'content-type': 'image/jpeg', 'idempotency-key': key }, body: bytes });
      expect(first.status).toBe(201);
      const a = (await first.json()) as { id: string; sha256: string };
      expect(a.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      const again = await w.app.request(`/api/attachments?estateId=${w.own.estateId}&name=a.jpg`, { method: 'POST', headers: { cookie: resident.cookie, 'content-type': 'image/jpeg', 'idempotency-key': key }, body: bytes });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(((await again.json()) as { id: string }).id).toBe(a.id);
      expect(await countAttachments(db)).toBe(before + 1);
      const other = await w.app.request(`/api/attachments?estateId=${w.own.estateId}&name=a.jpg`, { method: 'POST', headers: { cookie: resident.cookie, 'content-type': 'image/jpeg', 'idempotency-key': key }, body: jpegBytes(4001) });
      expect(other.status).toBe(422);
      expect(((await other.json()) as { error: { field: string } }).error.field).toBe('Idempotency-Key');
      expect(await countAttachments(db)).toBe(before + 1);
      // the stored bytes are the upload's, not a text-decoded copy
      const back = await w.app.request(`/api/attachments/${a.id}`, { headers: { cookie: resident.cookie } });
      expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('refuses a type outside the allow list, and content that does not match its type, with 415', async () => {
      const html = await upload(w, resident, w.own.estateId, Buffer.from('<script>alert(1)</script>'), { 'content-type': 'text/html' });
      expect(html.status).toBe(415);
      expect(html.body.error.message.zh).toContain('不支持的文件类型“text/html”');
      expect(html.body.error.message.en).toContain('Unsupported file type "text/html"');
      const fake = await upload(w, resident, w.own.estateId, Buffer.from('MZ not a jpeg'), { 'content-type': 'image/jpeg' });
      expect(fake.status).toBe(415);
      expect(fake.body.error.message.en).toBe('The file\'s content does not match its type "image/jpeg"');
    });
  });

  describe(`form data referring to attachments on ${kind}`, () => {
    const repairData = (photos: string[]) => ({ name: '王先生', unit: '1-101', phone: '13800000000', fault: '厨房水管漏水', photos });

    it('starts a repair whose photos are uploaded attachments', async () => {
      const up = await upload(w, resident, w.own.estateId, jpegBytes(5000), { 'content-type': 'image/jpeg' });
      const res = await resident.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'repair', unitId, data: repairData([up.body.url]) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.data.photos ?? (await resident.call('GET', `/api/instances/${res.body.id}/history`)).body.items[0].data.photos).toEqual([up.body.url]);
    });

    it('refuses a start naming a missing attachment, or one of another estate, with the field, and creates nothing', async () => {
      const elsewhere = await upload(w, w.otherEstate.admin, w.otherEstate.estateId, jpegBytes(1000), { 'content-type': 'image/jpeg' });
      const before = await countInstances(db, w.own.tenantId);
      const ok = await upload(w, resident, w.own.estateId, jpegBytes(1000), { 'content-type': 'image/jpeg' });
      for (const bad of [`/api/attachments/${randomUUID()}`, elsewhere.body.url, '/api/attachments/../../etc']) {
        const res = await resident.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'repair', data: repairData([ok.body.url, bad]) });
        expect(res.status, bad).toBe(422);
        expect(res.body.error).toMatchObject({ reason: 'form-invalid', field: '/photos/1' });
        expect(res.body.error.message.zh).toContain('不存在、不属于本项目，或不是您上传的');
        expect(res.body.error.message.en).toContain('does not exist in this estate or was not uploaded by you');
      }
      expect(await countInstances(db, w.own.tenantId)).toBe(before);
    });

    it('refuses an event naming a missing attachment and leaves the instance as it was', async () => {
      const tech = w.clients.get('technician')!;
      const before = await tech.call('GET', `/api/instances/${w.own.instanceId}`);
      const res = await tech.call('POST', `/api/instances/${w.own.instanceId}/events`, { type: 'ACK', data: { note: `/api/attachments/${randomUUID()}` } });
      expect(res.status).toBe(422);
      expect(res.body.error.field).toBe('/note');
      const after = await tech.call('GET', `/api/instances/${w.own.instanceId}`);
      expect(after.body.version).toBe(before.body.version);
      expect(after.body.state).toEqual(before.body.state);
      // the same event with a real attachment goes through
      const up = await upload(w, tech, w.own.estateId, jpegBytes(1000), { 'content-type': 'image/jpeg' });
      const ok = await tech.call('POST', `/api/instances/${w.own.instanceId}/events`, { type: 'ACK', data: { note: up.body.url } });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.version).toBe(before.body.version + 1);
    });

    it('shows a resident their own uploads and the files of their own requests, and refuses a neighbour\'s with 403', async () => {
      const neighbourName = `neighbour-${randomUUID().slice(0, 8)}`;
      await createUser(db, testConfig as never, { tenantId: w.own.tenantId, username: neighbourName, password: 'pw', roles: [{ estateId: w.own.estateId, role: 'resident' }] });
      const neighbour = await signIn(w.app, neighbourName, 'pw');
      const mine = await upload(w, resident, w.own.estateId, jpegBytes(2000), { 'content-type': 'image/jpeg' });
      // a technician's photo on the resident's own repair order
      const order = await resident.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'repair', unitId, data: repairData([mine.body.url]) });
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      const staffPhoto = await upload(w, w.clients.get('technician')!, w.own.estateId, jpegBytes(3000), { 'content-type': 'image/jpeg' });
      const unrelated = await upload(w, w.clients.get('technician')!, w.own.estateId, jpegBytes(3000), { 'content-type': 'image/jpeg' });
      const dispatcher = w.clients.get('dispatcher')!;
      // a history row naming the staff photo, as the work-order form's photos would (written directly: reaching that step takes the whole dispatch flow)
      await db.insert(events).values({ tenantId: w.own.tenantId, instanceId: order.body.id, seq: 1000, type: 'NOTE', data: { photos: [staffPhoto.body.url] }, actorRole: 'technician', at: new Date() });
      expect((await resident.call('GET', mine.body.url)).status).toBe(200);
      expect((await resident.call('GET', staffPhoto.body.url)).status).toBe(200);
      // as with instances, a resident meets a 403 with its reason for the estate's other files
      const hidden = await resident.call('GET', unrelated.body.url);
      expect(hidden.status).toBe(403);
      expect(hidden.body.error.message.zh).toBe('住户只能查看自己上传的附件，以及自己能查看的事项（自己提交的和自家房屋全户可见的）中的附件');
      for (const url of [mine.body.url, staffPhoto.body.url]) expect((await neighbour.call('GET', url)).status, url).toBe(403);
      // staff of the estate see them all
      for (const url of [mine.body.url, staffPhoto.body.url, unrelated.body.url]) expect((await dispatcher.call('GET', url)).status, url).toBe(200);
    });

    it('answers an event on another company\'s instance as 404 even when it names attachments', async () => {
      const res = await resident.call('POST', `/api/instances/${w.otherCompany.instanceId}/events`, { type: 'ACK', data: { note: `/api/attachments/${randomUUID()}` } });
      expect(res.status).toBe(404);
    });
  });
});

async function usernameOf(client: Client): Promise<string> {
  return (await client.call('GET', '/api/auth/me')).body.user.username;
}

async function countAttachments(db: Db): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(attachments);
  return Number(rows[0]!.n);
}

async function countInstances(db: Db, tenantId: string): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(instances).where(eq(instances.tenantId, tenantId));
  return Number(rows[0]!.n);
}
