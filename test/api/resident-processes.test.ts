import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { findBundles, loadBundle } from '@estateflow/cli';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

/**
 * #18: a resident can start every process the estate offers to residents. With the whole catalogue
 * installed, the start page's list (`GET /processes`) offers a resident exactly the workflows whose
 * `start.roles` name residents, each with its resident-facing description and a start form that
 * opens; the rest answer 403 with a zh/en message. Whether residents may order a paid service is
 * the estate's choice (the designer's "who may start"; PS-1 takes orders at the desk by default).
 */
const catalogue = findBundles(new URL('../../workflows', import.meta.url).pathname).map((dir) => loadBundle(dir));
const residentStarts = catalogue.flatMap((b) => (b.workflows as unknown as { id: string; start?: { roles?: string[] }; residentDescription?: unknown }[])
  .filter((wf) => wf.start?.roles?.includes('resident')).map((wf) => wf.id)).sort();

withDatabases((kind, getDb) => {
  it(`offers a resident every process whose start roles name residents, each with its own description and an opening start form, and no other, on ${kind}`, async () => {
    expect(residentStarts).toEqual(['complaint', 'enquiry', 'goods-release', 'move-in', 'renovation', 'repair']);
    const db = getDb();
    const tenantId = await createCompany(db, '发起物业');
    const estateId = await createEstate(db, tenantId, { name: '发起小区' });
    for (const role of ['admin', 'resident'] as const) await createUser(db, testConfig as never, { tenantId, username: `rp-${role}-${kind}`, password: 'pw', roles: [{ estateId, role }] });
    const app = testApp(db);
    const [admin, resident] = await Promise.all(['admin', 'resident'].map((r) => signIn(app, `rp-${r}-${kind}`, 'pw')));
    // bundles another requires first (paid-service prices from billing-dunning's fee schedule)
    const order = [...catalogue].sort((a, b) => Number(Boolean((a.manifest as { requires?: unknown[] }).requires?.length)) - Number(Boolean((b.manifest as { requires?: unknown[] }).requires?.length)));
    for (const b of order) {
      const res = await admin!.call('POST', '/api/bundles/install', { estateId, bundleId: b.manifest.id });
      expect(res.status, `${b.manifest.id}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const listed = (await resident!.call('GET', `/api/processes?estateId=${estateId}`)).body.items as { key: string; description: { zh: string; en: string } }[];
    expect(listed.map((p) => p.key).sort()).toEqual(residentStarts);
    for (const p of listed) {
      const wf = catalogue.flatMap((b) => b.workflows as unknown as { id: string; residentDescription?: { zh: string } }[]).find((w) => w.id === p.key)!;
      // the resident-facing description, with the estate's numbers in place of the placeholders
      expect(wf.residentDescription, p.key).toBeTruthy();
      expect(p.description.zh, p.key).not.toContain('{{');
      const form = await resident!.call('GET', `/api/processes/${p.key}/form?estateId=${estateId}`);
      expect(form.status, p.key).toBe(200);
      expect(form.body.form, p.key).toBeTruthy();
    }
    const staffOnly = await resident!.call('GET', `/api/processes/paid-service/form?estateId=${estateId}`);
    expect(staffOnly.status).toBe(403);
    expect(staffOnly.body.error.message.zh).toContain('不能发起');
  });
});
