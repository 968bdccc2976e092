import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { definitionVersions } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

withDatabases((kind, getDb) => {
  it(`a resident reads the words of the process behind their own request (resident titles, no internal field) and staff their own, never a 403 on their own page, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '用语物业');
    const estateId = await createEstate(db, tenantId, { name: '用语小区' });
    const roles = ['admin', 'resident', 'dispatcher'] as const;
    for (const role of roles) await createUser(db, testConfig as never, { tenantId, username: `dw-${role}-${kind}`, password: 'pw', roles: [{ estateId, role }] });
    const app = testApp(db);
    const [admin, resident, dispatcher] = await Promise.all(roles.map((r) => signIn(app, `dw-${r}-${kind}`, 'pw')));
    for (const bundleId of ['repair', 'lost-and-found']) expect((await admin!.call('POST', '/api/bundles/install', { estateId, bundleId })).status).toBe(200);
    const started = await resident!.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '王女士', unit: '1-101', phone: '13800000000', fault: '厨房漏水' } });
    expect(started.status).toBe(201);
    const versionId = started.body.definitionVersionId as string;

    const mine = await resident!.call('GET', `/api/definitions/versions/${versionId}/words`);
    expect(mine.status).toBe(200);
    expect(mine.body.title.zh).toBe('报修');
    expect(mine.body.states.received).toEqual({ zh: '已受理', en: 'Received' }); // the resident title
    expect(mine.body.states['work.dispatched'].zh).toBe('师傅即将上门');
    expect(mine.body.events.CLASSIFY.title.zh).toBe('分类派单');
    expect(mine.body.fields.fault.title.zh).toBeTruthy();
    expect(mine.body.hidden).toEqual(expect.arrayContaining(['charged', 'reworkCount', 'damageReported']));
    expect(Object.keys(mine.body.fields)).not.toContain('reworkCount');
    expect(mine.body.events.QUOTE.hidden).toContain('priceFen');
    expect(Object.keys(mine.body.events.QUOTE.fields)).toEqual(expect.arrayContaining(['decision', 'residentSignature']));
    const text = JSON.stringify(mine.body);
    expect(text).not.toContain('{{');
    expect(mine.body.fields.kind.options.find((o: { value: string }) => o.value === 'major').label.zh).toMatch(/不超过 \d+ 天/);
    expect(Object.values(mine.body.metrics).map((m) => (m as { title: { zh: string } }).title.zh)).toContain('到场时限');
    // nothing of the machinery: no guard, param, expression or requirement id; placeholders filled from the parameters
    for (const internal of ['guards', 'params.', 'RP-', '"machine"', 'onSiteFrom']) expect(text).not.toContain(internal);

    const staff = await dispatcher!.call('GET', `/api/definitions/versions/${versionId}/words`);
    expect(staff.status).toBe(200);
    expect(staff.body.states.received.zh).toBe('待派单');
    expect(staff.body.fields.reworkCount.title.zh).toBe('返工次数');
    expect(staff.body.events.QUOTE.fields.priceFen.widget).toBe('money');
    expect(staff.body.hidden).toEqual([]);
    // lists show the summary fields; timers read by their titles (#18)
    expect(staff.body.summary).toEqual(['name', 'fault', 'convenientTime']);
    expect(staff.body.timers.onSiteDue).toEqual({ zh: '到场时限', en: 'On-site deadline' });
    // the starting values a later step decides (kind "minor", a price of 0), so a new request does not show them as facts; empty ones are left out
    expect(staff.body.initial).toMatchObject({ kind: 'minor', priceFen: 0 });
    expect(Object.values(staff.body.initial as Record<string, unknown>)).not.toContain('');
    const inbox = await dispatcher!.call('GET', `/api/tasks?estateId=${estateId}`);
    const task = (inbox.body.items as { instanceId: string; summary?: Record<string, unknown> }[]).find((t) => t.instanceId === started.body.id);
    expect(task?.summary).toEqual({ name: '王女士', fault: '厨房漏水' });

    // a process the resident has no request on and may not start: refused with the reason, in both languages
    const [lost] = await db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'lost-and-found')));
    const refused = await resident!.call('GET', `/api/definitions/versions/${lost!.id}/words`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message.zh).toContain('住户');
    expect(refused.body.error.message.en).toContain('Residents');
    expect((await dispatcher!.call('GET', `/api/definitions/versions/${lost!.id}/words`)).status).toBe(200);

    // a list's rows in one call: the same words per version, and what the caller may not read is left out, not a 403
    const stranger = '00000000-0000-4000-8000-000000000000';
    const batch = await resident!.call('GET', `/api/definitions/words?versions=${versionId},${lost!.id},${stranger},nonsense`);
    expect(batch.status).toBe(200);
    expect(batch.body.items[versionId]).toEqual(mine.body);
    expect(batch.body.refused.sort()).toEqual([lost!.id, stranger, 'nonsense'].sort());
    const staffBatch = await dispatcher!.call('GET', `/api/definitions/words?versions=${versionId},${lost!.id}`);
    expect(staffBatch.body.items[versionId]).toEqual(staff.body);
    expect(staffBatch.body.items[lost!.id].title.zh).toBeTruthy();
    expect(staffBatch.body.refused).toEqual([]);
    const tooMany = await dispatcher!.call('GET', `/api/definitions/words?versions=${Array.from({ length: 51 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',')}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message.zh).toContain('versions');
  });

  it(`the batch sends the words of one workflow installed in several estates once, the other versions named in same, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '多小区用语物业');
    const estates = [await createEstate(db, tenantId, { name: '一期' }), await createEstate(db, tenantId, { name: '二期' }), await createEstate(db, tenantId, { name: '三期' })];
    await createUser(db, testConfig as never, { tenantId, username: `dws-admin-${kind}`, password: 'pw', roles: estates.map((estateId) => ({ estateId, role: 'admin' as const })) });
    const app = testApp(db);
    const admin = await signIn(app, `dws-admin-${kind}`, 'pw');
    for (const estateId of estates) for (const bundleId of ['repair', 'lost-and-found']) expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId })).status).toBe(200);
    const versions = await db.select({ id: definitionVersions.id, estateId: definitionVersions.estateId, key: definitionVersions.key }).from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow')));
    const repair = estates.map((e) => versions.find((v) => v.estateId === e && v.key === 'repair')!.id);
    const lost = estates.map((e) => versions.find((v) => v.estateId === e && v.key === 'lost-and-found')!.id);
    const one = await admin.call('GET', `/api/definitions/versions/${repair[2]}/words`);
    const batch = await admin.call('GET', `/api/definitions/words?versions=${[...repair, ...lost].join(',')}`);
    expect(batch.status).toBe(200);
    // the first of each reads in items; the others point at it, and read word for word as their own answer
    expect(Object.keys(batch.body.items).sort()).toEqual([repair[0], lost[0]].sort());
    expect(batch.body.same).toEqual({ [repair[1]!]: repair[0], [repair[2]!]: repair[0], [lost[1]!]: lost[0], [lost[2]!]: lost[0] });
    expect(batch.body.items[batch.body.same[repair[2]!]]).toEqual(one.body);
    expect(batch.body.refused).toEqual([]);
    // versions that read differently are each sent
    expect((await admin.call('GET', `/api/definitions/words?versions=${repair[0]},${lost[1]}`)).body.same).toBeUndefined();
  });

  it(`a field whose value is a role (isRole) reads as the role's title from the company's catalogue, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '角色用语物业');
    const estateId = await createEstate(db, tenantId, { name: '角色用语小区' });
    await createUser(db, testConfig as never, { tenantId, username: `rw-admin-${kind}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    const app = testApp(db);
    const admin = await signIn(app, `rw-admin-${kind}`, 'pw');
    // paid-service requires billing-dunning (its price list): refused alone, naming it, in zh and en
    const alone = await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'paid-service' });
    expect([alone.status, alone.body.error.field]).toEqual([422, 'requires']);
    expect(alone.body.error.message.zh).toContain('billing-dunning');
    expect(alone.body.error.message.en).toContain('Install billing-dunning in this estate, then paid-service');
    expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'billing-dunning' })).status).toBe(200);
    expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'paid-service' })).status).toBe(200);
    const [ps] = await db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'paid-service')));
    const words = await admin.call('GET', `/api/definitions/versions/${ps!.id}/words`);
    expect(words.status).toBe(200);
    const options = words.body.fields.intakeRole.options as { value: string; label: { zh: string; en: string } }[];
    expect(options.find((o) => o.value === 'front_desk')?.label).toEqual({ zh: '前台', en: 'Front desk' });
    expect(words.body.timers.dispatchWindow.zh).toBe('派单时限');
  });
});
