import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { definitionVersions } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

withDatabases((kind, getDb) => {
  it(`a resident reads the resident-facing description of a process and staff the procedure, each with the estate's parameter values, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '说明物业');
    const estateId = await createEstate(db, tenantId, { name: '说明小区' });
    for (const role of ['admin', 'resident', 'front_desk'] as const) await createUser(db, testConfig as never, { tenantId, username: `pd-${role}-${kind}`, password: 'pw', roles: [{ estateId, role }] });
    const app = testApp(db);
    const [admin, resident, desk] = await Promise.all(['admin', 'resident', 'front_desk'].map((r) => signIn(app, `pd-${r}-${kind}`, 'pw')));
    expect((await admin!.call('POST', '/api/bundles/install', { estateId, bundleId: 'repair' })).status).toBe(200);
    const repairOf = async (who: typeof admin) => ((await who!.call('GET', `/api/processes?estateId=${estateId}`)).body.items as { key: string; description: { zh: string; en: string } }[]).find((p) => p.key === 'repair')!;

    const mine = await repairOf(resident);
    expect(mine.description.zh).toContain('一般在报修后 30 分钟内到场');
    expect(mine.description.en).toContain('within 30 minutes of your report');
    expect(mine.description.zh).not.toContain('{{');
    const staff = await repairOf(desk);
    expect(staff.description.zh).toContain('受理报修 → 按内容与保修分类');

    // the estate changes the on-site limit: the words follow
    const [latest] = await db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'repair')));
    const doc = structuredClone(latest!.document) as { params: { onSiteMinutes: { default: number }; onSiteFrom: { default: string } } };
    doc.params.onSiteMinutes.default = 10;
    doc.params.onSiteFrom.default = 'dispatch';
    expect((await admin!.call('POST', '/api/definitions/publish', { estateId, kind: 'workflow', key: 'repair', changeNote: '10 分钟到场', document: doc })).status).toBe(200);
    expect((await repairOf(resident)).description.zh).toContain('一般在派单后 10 分钟内到场');
  });

  it(`the server's validate shows a text that states a parameter's default as a warning, and refuses a requirement id in a title, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '校验物业');
    const estateId = await createEstate(db, tenantId, { name: '校验小区' });
    await createUser(db, testConfig as never, { tenantId, username: `pv-admin-${kind}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    const admin = await signIn(testApp(db), `pv-admin-${kind}`, 'pw');
    const T = (zh: string, en: string) => ({ zh, en });
    const workflow = {
      kind: 'workflow', id: 'quick-service', title: T('快修', 'Quick service'), serialPrefix: 'QS', roles: ['dispatcher'],
      params: { dispatchMinutes: { schema: { type: 'integer', minimum: 1 }, default: 15, title: T('派单时限（分钟）', 'Minutes to dispatch'), source: ['PS-3'] } },
      events: { GO: { label: T('派单', 'Dispatch'), roles: ['dispatcher'] } },
      machine: { initial: 'open', states: { open: { title: T('待派单', 'To dispatch'), description: T('登记后 15 分钟内派单', 'Dispatched within 15 minutes'), on: { GO: 'done' } }, done: { title: T('已派单', 'Dispatched'), type: 'final' } } },
    };
    const checked = await admin.call('POST', '/api/definitions/validate', { estateId, document: workflow });
    expect(checked.body.valid).toBe(true);
    expect(checked.body.warnings.map((w: { path: string }) => w.path)).toEqual(['/machine/states/open/description/zh', '/machine/states/open/description/en']);
    expect(checked.body.warnings[0].message.zh).toContain('{{params.dispatchMinutes}}');
    const withId = structuredClone(workflow);
    withId.machine.states.done.title = T('已派单（PS-3）', 'Dispatched (PS-3)');
    const refused = await admin.call('POST', '/api/definitions/publish', { estateId, kind: 'workflow', key: 'quick-service', changeNote: 'v1', document: withId });
    expect(refused.status).toBe(422);
    expect(refused.body.error.path).toBe('/machine/states/done/title/zh');
    expect(refused.body.error.message.en).toContain('requirement id "PS-3"');
  });
});
