import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

type Doc = { kind: string; id: string; versions: { effectiveFrom: string; management: { unitType: string; fenPerSqmMonth: number }[] }[] };

// issue #20, "One set of fee definitions, edited here": the fee editor saves a draft and publishes a
// version in the store bundles install into; billing uses the published version; bad input changes nothing
withDatabases((kind, getDb) => {
  it(`edits the bundle's fee schedule as a draft, publishes it and bills at the new rate; the plan's rule and bad drafts on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '2栋', units: ['2-1-101'] }, { name: '10栋', units: ['10-1-101'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    await createUser(db, testConfig as never, { tenantId, username: `desk-${kind}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    const now = new Date('2026-12-06T04:00:00Z');
    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `fin-${kind}`, 'pw');
    const desk = await signIn(app, `desk-${kind}`, 'pw');
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));

    const defs = await fin.call('GET', `/api/billing/definitions?estateId=${estateId}`);
    expect(defs.status).toBe(200);
    expect(defs.body.plans.map((p: { key: string }) => p.key)).toEqual(['monthly', 'quarterly', 'semi-annual']);
    const schedule = defs.body.schedules[0] as { key: string; published: { version: number; document: Doc }; draft: null };
    expect(schedule).toMatchObject({ key: 'standard-fees', published: { version: 1 }, draft: null });

    // a bad rate is refused with its JSON pointer, and nothing is written
    const doc = structuredClone(schedule.published.document);
    doc.versions[0]!.management[0]!.fenPerSqmMonth = -1;
    const bad = await fin.call('PUT', '/api/billing/drafts', { estateId, document: doc });
    expect(bad.status).toBe(422);
    expect(bad.body.error.path).toBe('/versions/0/management/0/fenPerSqmMonth');
    expect((await fin.call('GET', `/api/billing/definitions?estateId=${estateId}`)).body.schedules[0].draft).toBeNull();
    // the front desk reads, but does not edit
    expect((await desk.call('PUT', '/api/billing/drafts', { estateId, document: schedule.published.document })).status).toBe(403);

    // the residential rate from ¥2.50 to ¥3.10 per m² a month: a draft, then version 2
    doc.versions[0]!.management.find((m) => m.unitType === 'residential')!.fenPerSqmMonth = 310;
    expect((await fin.call('PUT', '/api/billing/drafts', { estateId, document: doc })).status).toBe(200);
    expect((await fin.call('GET', `/api/billing/definitions?estateId=${estateId}`)).body.schedules[0].draft.document).toEqual(doc);
    const noNote = await fin.call('POST', '/api/billing/publish', { estateId, kind: 'fee-schedule', key: 'standard-fees', changeNote: '  ' });
    expect(noNote.status).toBe(400);
    const pub = await fin.call('POST', '/api/billing/publish', { estateId, kind: 'fee-schedule', key: 'standard-fees', changeNote: '住宅物业费调至 3.10 元/㎡·月' });
    expect(pub.body).toMatchObject({ kind: 'fee-schedule', key: 'standard-fees', version: 2 });

    const listed = await fin.call('GET', `/api/estates/${estateId}/units?limit=50`);
    for (const u of listed.body.items as { id: string }[]) {
      expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: u.id, unitType: 'residential', areaSqm: '100.00' })).status).toBe(200);
    }
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2027-Q1' });
    // 100 m² × ¥3.10 × 3 months, and the bills come by building in natural order (2栋 before 10栋)
    expect(run.body.created.map((b: { building: string; totalFen: number }) => [b.building, b.totalFen])).toEqual([['2栋', 93000], ['10栋', 93000]]);

    // a plan naming a fee schedule the estate lacks is refused
    const plan = structuredClone(defs.body.plans.find((p: { key: string }) => p.key === 'quarterly').published.document);
    const orphan = await fin.call('PUT', '/api/billing/drafts', { estateId, document: { ...plan, feeSchedule: 'nope' } });
    expect(orphan.status).toBe(422);
    expect(orphan.body.error.path).toBe('/feeSchedule');
    // a cap on the late fee, published like any definition
    plan.lateFee.cap = { ratioOfPrincipal: { numerator: 1, denominator: 5 } };
    expect((await fin.call('PUT', '/api/billing/drafts', { estateId, document: plan })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/publish', { estateId, kind: 'billing-plan', key: 'quarterly', changeNote: '滞纳金不超过欠费的 20%' })).body.version).toBe(2);
  });
});
