import { and, eq, inArray } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { definitionVersions } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

/**
 * The words batch reads the SLA policies of every estate it words in one statement (#21), not each
 * version's binding: each version's words in the batch are still exactly those of the single route,
 * SLA metric titles (repair, complaint) and the monthly statistics' on-time columns (every policy of
 * the estate) included, across two estates.
 */
withDatabases((kind, getDb) => {
  it(`the batch words every version as the single route does, SLA metrics included, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '批量用语物业');
    const estates = [await createEstate(db, tenantId, { name: '甲小区' }), await createEstate(db, tenantId, { name: '乙小区' })];
    await createUser(db, testConfig as never, { tenantId, username: `dwb-admin-${kind}`, password: 'pw', roles: estates.map((estateId) => ({ estateId, role: 'admin' as const })) });
    const app = testApp(db);
    const admin = await signIn(app, `dwb-admin-${kind}`, 'pw');
    const bundles = ['repair', 'complaint', 'revisit-and-survey'];
    for (const estateId of estates) {
      for (const bundleId of estates.indexOf(estateId) === 0 ? bundles : bundles.slice(0, 2)) {
        const res = await admin.call('POST', '/api/bundles/install', { estateId, bundleId });
        expect(res.status, `${bundleId}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
      }
    }
    const versions = await db.select({ id: definitionVersions.id, key: definitionVersions.key }).from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), inArray(definitionVersions.estateId, estates), eq(definitionVersions.kind, 'workflow')));
    expect(versions.length).toBeGreaterThan(4);
    const batch = await admin.call('GET', `/api/definitions/words?versions=${versions.map((v) => v.id).join(',')}`);
    expect(batch.status).toBe(200);
    expect(batch.body.refused).toEqual([]);
    let metrics = 0;
    for (const v of versions) {
      const one = await admin.call('GET', `/api/definitions/versions/${v.id}/words`);
      expect(one.status).toBe(200);
      const inBatch = batch.body.items[v.id] ?? batch.body.items[batch.body.same?.[v.id]];
      expect(inBatch, v.key).toEqual(one.body);
      metrics += Object.keys(one.body.metrics ?? {}).length;
    }
    // the SLA policies were read: repair's and complaint's metrics are worded
    expect(metrics).toBeGreaterThan(0);
  }, 180_000);
});
