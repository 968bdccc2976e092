import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, instances, outbox, residents, units, type Db } from '@estateflow/db';
import { createEstate, createUser } from '@estateflow/api';
import { signIn, testConfig, type Client } from '../support/api.ts';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// Object-level authorisation (OWASP API1, issue #16): one rule (apps/api/src/services/instance-access.ts)
// answers who may see and act on a request, for reads, lists, events, tasks, attachments and notices.
// Another estate or company is 404; a request of one's own estate that is not one's own is 403 with the reason.

const text = (zh: string, en = zh) => ({ zh, en });
const noteForm = {
  kind: 'form',
  id: 'hs-note',
  title: text('补充说明', 'Note'),
  schema: {
    type: 'object',
    properties: { text: { type: 'string', maxLength: 200 }, photos: { type: 'array', maxItems: 9, items: { type: 'string', maxLength: 500 } } },
    additionalProperties: false,
  },
  layout: {
    sections: [{
      id: 'main', title: text('内容', 'Content'),
      fields: [{ field: 'text', widget: 'text', label: text('说明', 'Text') }, { field: 'photos', widget: 'photo', label: text('照片', 'Photos'), maxFiles: 9, accept: ['image/*'] }],
    }],
  },
};

/** A request that waits for its resident's signature (a task for the role `resident`) and a technician's fix. */
const signWorkflow = (id: string, privacy: 'household' | 'private') => ({
  kind: 'workflow',
  id,
  title: text(`签收 ${id}`, `Sign-off ${id}`),
  privacy,
  roles: ['front_desk', 'technician', 'dispatcher', 'resident'],
  context: { text: '' },
  start: { form: 'hs-note', roles: ['front_desk', 'resident'] },
  events: {
    NOTE: { label: text('补充', 'Add a note'), roles: ['resident', 'technician'], form: 'hs-note' },
    FIX: { label: text('维修', 'Fix'), roles: ['technician'], form: 'hs-note' },
    SIGN: { label: text('签收', 'Sign'), roles: ['resident'], form: 'hs-note' },
    CANCEL: { label: text('取消', 'Cancel'), roles: ['dispatcher', 'resident'], form: 'hs-note' },
  },
  machine: {
    initial: 'open',
    states: {
      open: {
        tasks: [
          { id: 'sign', title: text('业主签收', 'Resident signs'), role: 'resident', form: 'hs-note', events: ['SIGN'] },
          { id: 'fix', title: text('维修', 'Fix it'), role: 'technician', form: 'hs-note', events: ['FIX'] },
        ],
        on: {
          NOTE: { actions: [{ type: 'assign', params: { values: { text: "has(event.data.text) ? event.data.text : ''" } } }] },
          FIX: { actions: [{ type: 'assign', params: { values: { text: "has(event.data.text) ? event.data.text : ''" } } }] },
          SIGN: 'signed',
          CANCEL: 'cancelled',
        },
      },
      signed: { type: 'final' },
      cancelled: { type: 'final' },
    },
  },
});

const signBundle = {
  bundle: {
    kind: 'bundle', id: 'sign-off', version: '1.0.0', title: text('签收', 'Sign-off'), description: text('测试', 'Test'), platform: '^0.1.0',
    contents: { workflow: ['household.workflow.json', 'private.workflow.json'], form: ['forms/hs-note.form.json'] },
  },
  files: {
    'forms/hs-note.form.json': noteForm,
    'household.workflow.json': signWorkflow('household-sign', 'household'),
    'private.workflow.json': signWorkflow('private-sign', 'private'),
  },
};

const repairData = (photos: string[] = []) => ({ name: '王先生', unit: '1-101', phone: '13800000000', fault: '厨房水管漏水', photos });
const complaintData = { channel: 'app', name: '王先生', unit: '1-101', against: '邻居装修噪音', what: '夜间施工' };
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

withDatabases((kind, getDb) => {
  let w: World;
  let db: Db;
  let estateId: string;
  /** owner of 1-101 (the world's resident) */
  let owner: Client;
  /** tenant in 1-101: the same household */
  let member: Client;
  /** owner of 1-102 */
  let neighbour: Client;
  let unit101: string;
  let unit102: string;
  let ownerId: string;
  let neighbourId: string;

  const upload = async (client: Client): Promise<string> => {
    const res = await w.app.request(`/api/attachments?estateId=${estateId}&name=p.png`, { method: 'POST', headers: { cookie: client.cookie, 'content-type': 'image/png' }, body: png });
    expect(res.status).toBe(201);
    return ((await res.json()) as { url: string }).url;
  };
  const start = async (client: Client, workflow: string, data: Record<string, unknown>, unitId?: string) => {
    const res = await client.call('POST', '/api/instances', { estateId, workflow, data, ...(unitId ? { unitId } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; version: number };
  };
  const instanceCount = async () => Number((await db.select({ n: sql<number>`count(*)::int` }).from(instances).where(eq(instances.tenantId, w.own.tenantId)))[0]!.n);
  const resident = async (name: string, unitId: string, kindOf: 'owner' | 'tenant') => {
    const username = `${name}-${randomUUID().slice(0, 8)}`;
    const id = await createUser(db, testConfig as never, { tenantId: w.own.tenantId, username, password: 'pw', roles: [{ estateId, role: 'resident' }] });
    await db.insert(residents).values({ tenantId: w.own.tenantId, id: randomUUID(), estateId, unitId, name, kind: kindOf, userId: id });
    return { id, client: await signIn(w.app, username, 'pw') };
  };

  beforeAll(async () => {
    db = getDb();
    w = await buildWorld(db);
    estateId = w.own.estateId;
    const admin = w.own.admin;
    for (const bundleId of ['repair', 'complaint']) {
      const res = await admin.call('POST', '/api/bundles/install', { estateId, bundleId, parameters: {} });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const sign = await admin.call('POST', '/api/bundles/install', { estateId, package: signBundle, parameters: {} });
    expect(sign.status, JSON.stringify(sign.body)).toBe(200);
    const rows = await db.select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, estateId)));
    unit101 = rows.find((u) => u.label === '1-101')!.id;
    unit102 = rows.find((u) => u.label === '1-102')!.id;
    owner = w.clients.get('resident')!;
    ownerId = w.userIds.get('resident')!;
    await db.insert(residents).values({ tenantId: w.own.tenantId, id: randomUUID(), estateId, unitId: unit101, name: '王先生', kind: 'owner', userId: ownerId });
    member = (await resident('租户', unit101, 'tenant')).client;
    const n = await resident('邻居', unit102, 'owner');
    neighbour = n.client;
    neighbourId = n.id;
  });

  describe(`requests on ${kind}`, () => {
    it('refuses a neighbour reading, listing or cancelling a resident\'s repair: 403 with the reason, nothing changes, the refusal is audited', async () => {
      const repair = await start(owner, 'repair', repairData(), unit101);
      for (const path of [`/api/instances/${repair.id}`, `/api/instances/${repair.id}/history`]) {
        const res = await neighbour.call('GET', path);
        expect(res.status, path).toBe(403);
        expect(res.body.error.reason).toBe('forbidden');
        expect(res.body.error.message.zh).toContain('住户只能查看和办理自己提交的事项');
        expect(res.body.error.message.en).toContain('Residents see and act on the requests they raised');
      }
      const cancel = await neighbour.call('POST', `/api/instances/${repair.id}/events`, { type: 'CANCEL', data: { by: 'resident', reason: '不修了' } });
      expect(cancel.status, JSON.stringify(cancel.body)).toBe(403);
      expect(cancel.body.error.reason).toBe('forbidden');
      const after = await owner.call('GET', `/api/instances/${repair.id}`);
      expect(after.body).toMatchObject({ version: repair.version, state: 'received', status: 'active' });
      const list = await neighbour.call('GET', `/api/instances?estateId=${estateId}`);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(repair.id);
      const [line] = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, w.own.tenantId), eq(auditLog.target, `instance/${repair.id}`), eq(auditLog.outcome, 'refused')));
      expect(line).toMatchObject({ actorId: neighbourId, action: 'event:CANCEL', detail: { reason: 'forbidden', rule: 'instance-access' } });
      // another estate's or company's people meet 404, as for anything absent
      for (const outsider of [w.otherEstate.admin, w.otherCompany.admin]) {
        expect((await outsider.call('GET', `/api/instances/${repair.id}`)).status).toBe(404);
        expect((await outsider.call('POST', `/api/instances/${repair.id}/events`, { type: 'CANCEL', data: { by: 'office', reason: 'x' } })).status).toBe(404);
      }
    });

    it('lets a household member see and act on the unit\'s repair, but not the complaint raised from the same unit (CP-13)', async () => {
      const repair = await start(owner, 'repair', repairData(), unit101);
      const complaint = await start(owner, 'complaint', complaintData, unit101);
      expect((await member.call('GET', `/api/instances/${repair.id}`)).status).toBe(200);
      expect((await member.call('GET', `/api/instances/${repair.id}/history`)).status).toBe(200);
      const list = (await member.call('GET', `/api/instances?estateId=${estateId}`)).body.items.map((i: { id: string }) => i.id);
      expect(list).toContain(repair.id);
      expect(list).not.toContain(complaint.id);
      const hidden = await member.call('GET', `/api/instances/${complaint.id}`);
      expect(hidden.status).toBe(403);
      expect(hidden.body.error.message.zh).toContain('投诉等个人事项只有提交人本人可见');
      expect((await member.call('POST', `/api/instances/${complaint.id}/events`, { type: 'WITHDRAW', data: { reason: '撤回' } })).status).toBe(403);
      // the complainant keeps seeing it
      expect((await owner.call('GET', `/api/instances/${complaint.id}`)).status).toBe(200);
      // the household acts on the unit's repair as any resident of it may
      const cancel = await member.call('POST', `/api/instances/${repair.id}/events`, { type: 'CANCEL', data: { by: 'resident', reason: '已自行修好' } });
      expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
      expect(cancel.body.status).toBe('done');
    });

    it('shows the household a repair the front desk raised for their unit, and nobody else', async () => {
      const desk = w.clients.get('front_desk')!;
      const repair = await start(desk, 'repair', { ...repairData(), channel: 'phone' }, unit101);
      expect((await owner.call('GET', `/api/instances/${repair.id}`)).status).toBe(200);
      expect((await member.call('GET', `/api/instances/${repair.id}`)).status).toBe(200);
      expect((await neighbour.call('GET', `/api/instances/${repair.id}`)).status).toBe(403);
      // a notice to the request's resident reaches whoever may see the request
      const message = { zh: `维修师傅已出发 ${repair.id}`, en: `The technician is on the way ${repair.id}` };
      await db.insert(outbox).values({ tenantId: w.own.tenantId, id: randomUUID(), estateId, instanceId: repair.id, kind: 'notify', payload: { kind: 'notify', to: { resident: true }, message, channel: 'app' }, status: 'done', createdAt: new Date(), processedAt: new Date() });
      const noticed = async (client: Client) => ((await client.call('GET', `/api/notices?estateId=${estateId}`)).body.items as { payload: { message: { en: string } } }[]).some((n) => n.payload.message.en === message.en);
      expect(await noticed(owner)).toBe(true);
      expect(await noticed(member)).toBe(true);
      expect(await noticed(neighbour)).toBe(false);
    });

    it('sends a notice about a request to the role "resident" only to that request\'s residents', async () => {
      const complaint = await start(owner, 'complaint', complaintData, unit101);
      const message = { zh: `投诉已受理 ${complaint.id}`, en: `Complaint accepted ${complaint.id}` };
      const row = (kindOf: 'notify' | 'escalate', payload: Record<string, unknown>) => ({ tenantId: w.own.tenantId, id: randomUUID(), estateId, instanceId: complaint.id, kind: kindOf, payload, status: 'done' as const, createdAt: new Date(), processedAt: new Date() });
      await db.insert(outbox).values([
        row('notify', { kind: 'notify', to: { role: 'resident' }, message, channel: 'app' }),
        row('escalate', { kind: 'escalate', ladder: 'x', rung: 0, roles: ['resident', 'dispatcher'], message }),
      ]);
      const count = async (client: Client) => ((await client.call('GET', `/api/notices?estateId=${estateId}`)).body.items as { payload: { message: { en: string } } }[]).filter((n) => n.payload.message.en === message.en).length;
      expect(await count(owner)).toBe(2);
      expect(await count(member)).toBe(0);
      expect(await count(neighbour)).toBe(0);
      expect(await count(w.clients.get('dispatcher')!)).toBe(1);
    });
  });

  describe(`units named by a start on ${kind}`, () => {
    it('refuses a resident naming a unit they do not live in, or any unit outside the estate, with 422 naming /unitId, and writes nothing', async () => {
      // a unit of another estate of the same company
      const nextDoor = await createEstate(db, w.own.tenantId, { name: '隔壁小区', buildings: [{ name: '9栋', units: ['9-901'] }] });
      const [elsewhere] = await db.select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, nextDoor)));
      const otherEstateUnit = elsewhere!.id;
      const before = await instanceCount();
      const cases: [Client, string, string, string][] = [
        [owner, unit102, '不是您登记居住的房屋', 'is not a unit you live in'],
        [owner, otherEstateUnit, '不属于本项目', 'is not a unit of this estate'],
        [owner, randomUUID(), '不属于本项目', 'is not a unit of this estate'],
        [owner, 'room-101', '所选房屋无效', 'The chosen unit is not valid'],
        [w.clients.get('front_desk')!, randomUUID(), '不属于本项目', 'is not a unit of this estate'],
      ];
      for (const [client, unitId, zh, en] of cases) {
        const res = await client.call('POST', '/api/instances', { estateId, workflow: 'repair', unitId, data: repairData() });
        expect(res.status, unitId).toBe(422);
        expect(res.body.error).toMatchObject({ reason: 'form-invalid', field: '/unitId' });
        expect(res.body.error.message.zh).toContain(zh);
        expect(res.body.error.message.en).toContain(en);
      }
      expect(await instanceCount()).toBe(before);
      // staff may name any unit of the estate; a resident their own
      await start(w.clients.get('front_desk')!, 'repair', repairData(), unit102);
      await start(owner, 'repair', repairData(), unit101);
    });
  });

  describe(`attachments on ${kind}`, () => {
    it('refuses a submission naming someone else\'s upload, and the upload stays unreadable', async () => {
      const stolen = await upload(neighbour);
      const before = await instanceCount();
      const res = await owner.call('POST', '/api/instances', { estateId, workflow: 'repair', unitId: unit101, data: repairData([stolen]) });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ reason: 'form-invalid', field: '/photos/0' });
      expect(res.body.error.message.zh).toContain('不是您上传的');
      expect(res.body.error.message.en).toContain('was not uploaded by you');
      expect(await instanceCount()).toBe(before);
      expect((await owner.call('GET', stolen)).status).toBe(403);
      // nor through an event on a request of their own, nor by staff on a request the file is not attached to
      const mine = await start(owner, 'household-sign', {}, unit101);
      const viaEvent = await owner.call('POST', `/api/instances/${mine.id}/events`, { type: 'NOTE', data: { photos: [stolen] } });
      expect(viaEvent.status).toBe(422);
      expect(viaEvent.body.error.field).toBe('/photos/0');
      const viaStaff = await w.clients.get('technician')!.call('POST', `/api/instances/${mine.id}/events`, { type: 'FIX', data: { photos: [stolen] } });
      expect(viaStaff.status).toBe(422);
      expect((await owner.call('GET', `/api/instances/${mine.id}`)).body.version).toBe(mine.version);
      expect((await owner.call('GET', stolen)).status).toBe(403);
    });

    it('accepts a file already attached to the request, and lets who may see the request read it', async () => {
      const photo = await upload(owner);
      const req = await start(owner, 'household-sign', { photos: [photo] }, unit101);
      // the household member names the request's own photo again
      const again = await member.call('POST', `/api/instances/${req.id}/events`, { type: 'NOTE', data: { text: '同上', photos: [photo] } });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect((await member.call('GET', photo)).status).toBe(200);
      expect((await neighbour.call('GET', photo)).status).toBe(403);
      expect((await w.clients.get('technician')!.call('GET', photo)).status).toBe(200);
      // a file of a private request is the complainant's alone among residents
      const evidence = await upload(owner);
      await start(owner, 'private-sign', { photos: [evidence] }, unit101);
      expect((await member.call('GET', evidence)).status).toBe(403);
    });
  });

  describe(`tasks on ${kind}`, () => {
    it('lists a task for residents to that request\'s residents only, and lets only them claim and complete it', async () => {
      const household = await start(owner, 'household-sign', {}, unit101);
      const personal = await start(owner, 'private-sign', {}, unit101);
      const signTask = async (client: Client, instanceId: string) =>
        ((await client.call('GET', `/api/tasks?estateId=${estateId}`)).body.items as { id: string; instanceId: string; key: string }[]).find((t) => t.instanceId === instanceId && t.key === 'sign');
      expect(await signTask(owner, household.id)).toBeDefined();
      expect(await signTask(owner, personal.id)).toBeDefined();
      const shared = await signTask(member, household.id);
      expect(shared).toBeDefined();
      expect(await signTask(member, personal.id)).toBeUndefined();
      expect(await signTask(neighbour, household.id)).toBeUndefined();
      const inbox = (await neighbour.call('GET', `/api/tasks?estateId=${estateId}`)).body.items as { instanceId: string }[];
      expect(inbox.map((t) => t.instanceId)).not.toContain(household.id);
      // the neighbour can neither claim it nor send its event; a supervisor does not take a resident's task
      const claim = await neighbour.call('POST', `/api/tasks/${shared!.id}/claim`, {});
      expect(claim.status).toBe(403);
      expect(claim.body.error.message.en).toContain('Residents see and act on');
      expect((await w.clients.get('dispatcher')!.call('POST', `/api/tasks/${shared!.id}/claim`, {})).status).toBe(403);
      expect((await neighbour.call('POST', `/api/instances/${household.id}/events`, { type: 'SIGN', data: {} })).status).toBe(403);
      const claimed = await member.call('POST', `/api/tasks/${shared!.id}/claim`, {});
      expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
      const signed = await member.call('POST', `/api/instances/${household.id}/events`, { type: 'SIGN', data: {} });
      expect(signed.status, JSON.stringify(signed.body)).toBe(200);
      expect(signed.body.state).toBe('signed');
    });

    it('gives staff holding a task no more than their role: a technician with the task cannot cancel, and a task goes only to someone who may see its request', async () => {
      const tech = w.clients.get('technician')!;
      const req = await start(owner, 'private-sign', {}, unit101);
      const detail = await tech.call('GET', `/api/instances/${req.id}`);
      const fix = (detail.body.tasks as { id: string; key: string }[]).find((t) => t.key === 'fix')!;
      expect((await tech.call('POST', `/api/tasks/${fix.id}/claim`, {})).status).toBe(200);
      const held = await tech.call('GET', `/api/instances/${req.id}`);
      expect(held.body.actions.map((a: { type: string }) => a.type).sort()).toEqual(['FIX', 'NOTE']);
      const cancel = await tech.call('POST', `/api/instances/${req.id}/events`, { type: 'CANCEL', data: {} });
      expect(cancel.status).toBe(403);
      expect(cancel.body.error.path).toBe('/events/CANCEL/roles');
      expect((await tech.call('GET', `/api/instances/${req.id}`)).body).toMatchObject({ version: req.version, state: 'open' });
      // reassigning the resident's task: to the neighbour is refused, to the complainant accepted
      const sign = (detail.body.tasks as { id: string; key: string }[]).find((t) => t.key === 'sign')!;
      const dispatcher = w.clients.get('dispatcher')!;
      const refused = await dispatcher.call('POST', `/api/tasks/${sign.id}/reassign`, { userId: neighbourId });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ field: 'userId', message: { en: 'That user may not see the request this task belongs to' } });
      expect((await dispatcher.call('POST', `/api/tasks/${sign.id}/reassign`, { userId: ownerId })).status).toBe(200);
    });
  });

  describe(`household accounts on ${kind}`, () => {
    it('keeps a unit\'s receipts to its payer when the unit keeps owner and tenant accounts apart', async () => {
      const fin = w.clients.get('finance')!;
      const paid = await w.clients.get('front_desk')!.call('POST', '/api/billing/payments', { estateId, unitId: unit101, amountFen: 10000, method: 'cash' });
      expect(paid.status, JSON.stringify(paid.body)).toBe(200);
      const serials = async (client: Client, unit = '') => {
        const res = await client.call('GET', `/api/billing/receipts?estateId=${estateId}${unit ? `&unitId=${unit}` : ''}`);
        return { status: res.status, serials: (res.body.items ?? []).map((r: { serial: string }) => r.serial) as string[] };
      };
      const serial = paid.body.receipt.serial as string;
      // one household account (the default): every resident of the unit reads it
      expect((await serials(owner)).serials).toContain(serial);
      expect((await serials(member)).serials).toContain(serial);
      expect((await serials(neighbour)).serials).not.toContain(serial);
      const bad = await fin.call('POST', '/api/billing/units', { estateId, unitId: unit101, unitType: 'residential', payer: 'landlord' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('payer');
      const set = await fin.call('POST', '/api/billing/units', { estateId, unitId: unit101, unitType: 'residential', payer: 'owner' });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      expect(set.body.payer).toBe('owner');
      expect((await serials(owner)).serials).toContain(serial);
      expect((await serials(member)).serials).not.toContain(serial);
      expect((await serials(member, unit101)).status).toBe(404);
      expect((await serials(fin, unit101)).serials).toContain(serial);
    });
  });

  // last, so that every request the tests above raised is compared
  describe(`the two readings of the rule on ${kind}`, () => {
    it('answers the same for one request as the lists do, for every caller and every request of the estate', async () => {
      const callers: [string, Client][] = [['owner', owner], ['member', member], ['neighbour', neighbour], ['technician', w.clients.get('technician')!], ['front desk', w.clients.get('front_desk')!]];
      const all = (await w.own.admin.call('GET', `/api/instances?estateId=${estateId}&limit=200`)).body.items as { id: string }[];
      expect(all.length).toBeGreaterThan(5);
      for (const [who, client] of callers) {
        const listed = new Set(((await client.call('GET', `/api/instances?estateId=${estateId}&limit=200`)).body.items as { id: string }[]).map((i) => i.id));
        for (const { id } of all) {
          const one = await client.call('GET', `/api/instances/${id}`);
          expect([200, 403], `${who} ${id}`).toContain(one.status);
          expect(one.status === 200, `${who} ${id}: read ${one.status}, listed ${listed.has(id)}`).toBe(listed.has(id));
        }
      }
    });
  });
});
