import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser, sendEvent, startInstance } from '@estateflow/api';
import { definitionVersions } from '@estateflow/db';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// #19 parameters: a parameter edit is a published workflow version like any other. The README states
// which value wins (the installed bundle's parameter over the workflow's default) and that running
// requests keep the values of the version they started on; this test holds both to the code.
withDatabases((kind, getDb) => {
  it(`keeps the bundle's installed parameters after a designer publish, and running requests keep their version's values, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '参数物业');
    const estateId = await createEstate(db, tenantId, { name: '参数小区' });
    await createUser(db, testConfig as never, { tenantId, username: `pe-admin-${kind}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    const admin = await signIn(testApp(db), `pe-admin-${kind}`, 'pw');
    // the estate installs lost-and-found with its own value-threshold (the bundle's default is 10000)
    expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'lost-and-found', parameters: { valuableThresholdFen: 20000 } })).status).toBe(200);
    const versions = async () => db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'lost-and-found'))).orderBy(desc(definitionVersions.version));
    const [v1] = await versions();

    const deps = { db, cache: new CompiledCache(), now: () => new Date('2026-06-01T09:00:00+08:00') };
    const actor = { id: randomUUID(), role: 'duty_manager' };
    const start = () => startInstance(deps, { tenantId, estateId, workflowKey: 'lost-and-found', actor, data: { item: '钱包', quantity: 1, foundAt: '大堂', finderName: '李' } });
    const register = (id: string) => sendEvent(deps, { tenantId, instanceId: id, actor, event: { type: 'REGISTER', data: { valueFen: 15000, storage: 'A-3', hasLead: false } } });
    const running = await start();

    // the admin edits a workflow parameter in the designer: 3 → 6 months for low-value items, published
    const doc = structuredClone(v1!.document) as { params: { cheapRetentionMonths: { default: number } } };
    doc.params.cheapRetentionMonths.default = 6;
    expect((await admin.call('POST', '/api/definitions/publish', { estateId, kind: 'workflow', key: 'lost-and-found', changeNote: '低值物品保管 6 个月', document: doc })).status).toBe(200);
    const [v2] = await versions();
    expect(v2!.version).toBe(2);
    expect(v2!.bundleInstallId).toBe(v1!.bundleInstallId);
    const pinned = await deps.cache.get(db, tenantId, v2!.id);
    expect(pinned.params).toMatchObject({ valuableThresholdFen: 20000, cheapRetentionMonths: 6 });

    // 150 yuan is low-value under the installed 200-yuan threshold (the bundle's default would say valuable):
    // the running request keeps v1's 3 months, a new one takes v2's 6
    expect((await register(running.id)).outcome.timers.arm.map((t) => t.due.slice(0, 7))).toEqual(['2026-09']);
    const fresh = await start();
    expect((await register(fresh.id)).outcome.timers.arm.map((t) => t.due.slice(0, 7))).toEqual(['2026-12']);
  });
});
