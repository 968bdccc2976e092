import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

/**
 * #21: an admin of several estates pages through all their requests, most recently updated first,
 * each once, from each estate's own newest page (the list no longer sorts every request of every
 * estate); the pages equal the order the database gives for the same filter.
 */
withDatabases((kind, getDb) => {
  it(`pages every estate's requests newest first, each once, with filters, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '多项目物业');
    const estates: string[] = [];
    for (const n of [1, 2, 3]) estates.push(await createEstate(db, tenantId, { name: `${n}号小区` }));
    const roles = estates.map((estateId) => ({ estateId, role: 'admin' as const }));
    await createUser(db, testConfig as never, { tenantId, username: `multi-admin-${kind}`, password: 'pw', roles });
    await createUser(db, testConfig as never, { tenantId, username: `multi-desk-${kind}`, password: 'pw', roles: [{ estateId: estates[1]!, role: 'front_desk' }] });
    await createUser(db, testConfig as never, { tenantId, username: `multi-start-${kind}`, password: 'pw', roles: estates.map((estateId) => ({ estateId, role: 'front_desk' as const })) });
    const app = testApp(db);
    const admin = await signIn(app, `multi-admin-${kind}`, 'pw');
    for (const estateId of estates) expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'lost-and-found' })).status).toBe(200);
    const starter = await signIn(app, `multi-start-${kind}`, 'pw');
    // 45 requests spread over the estates unevenly (one estate holds most), their update times interleaved
    for (let n = 0; n < 45; n++) {
      const estateId = estates[n % 5 === 0 ? 0 : n % 5 === 1 ? 1 : 2]!;
      const res = await starter.call('POST', '/api/instances', { estateId, workflow: 'lost-and-found', data: { item: `钥匙 ${n}`, quantity: 1, foundAt: '大堂', finderName: '李经理' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await db.execute(sql`update instances set updated_at = timestamptz '2026-11-01' + (hashtext(id::text) & 65535) * interval '1 minute' where tenant_id = ${tenantId}::uuid`);
    await db.execute(sql`update instances set status = 'done' where tenant_id = ${tenantId}::uuid and (hashtext(id::text) & 3) = 0`);

    const expected = async (status?: string) => {
      const rows = (await db.execute(sql`select serial from instances where tenant_id = ${tenantId}::uuid ${status ? sql`and status = ${status}` : sql``} order by updated_at desc, id desc`)) as unknown;
      return (Array.isArray(rows) ? rows : (rows as { rows: { serial: string }[] }).rows).map((r: { serial: string }) => r.serial);
    };
    const pages = async (path: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await admin.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((i: { serial: string }) => i.serial));
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await pages('/api/instances')).toEqual(await expected());
    expect(await pages('/api/instances?status=done')).toEqual(await expected('done'));
    expect(await pages('/api/instances?status=active')).toEqual(await expected('active'));
    // one estate's staff see only theirs
    const desk = await signIn(app, `multi-desk-${kind}`, 'pw');
    const theirs = await desk.call('GET', '/api/instances?limit=200');
    expect(theirs.body.items.every((i: { estateId: string }) => i.estateId === estates[1])).toBe(true);
    expect(theirs.body.items.length).toBe(9);
  }, 120_000);
});
