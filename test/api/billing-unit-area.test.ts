import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { defaultPlan } from '@estateflow/billing';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;

withDatabases((kind, getDb) => {
  it(`sets a unit's floor area with its billing profile, so a unit created without one can be billed (BL-8) on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '面积物业');
    const estateId = await createEstate(db, tenantId, { name: '面积小区', buildings: [{ name: '1栋', units: ['1-1-101'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `area-fin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    await createUser(db, testConfig as never, { tenantId, username: `area-desk-${kind}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    const app = testApp(db, { now: () => new Date('2027-01-10T04:00:00Z') });
    const fin = await signIn(app, `area-fin-${kind}`, 'pw');
    const estate = async () => (await fin.call('GET', `/api/estates/${estateId}/units`)).body.items[0] as { id: string; areaSqm: string | null };
    const unitId = (await estate()).id;
    await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample });
    await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('quarterly', { id: 'area-quarterly', feeSchedule: 'garden-fees' }) });

    // without an area the run refuses the unit and says why
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId, unitType: 'residential' })).body.areaSqm).toBeNull();
    const refused = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'area-quarterly', period: '2027-Q1' });
    expect(refused.body.created).toEqual([]);
    expect(refused.body.errors.map((e: { reason: string }) => e.reason)).toEqual(['invalid-area']);

    // bad areas are refused naming the field, and change nothing
    for (const areaSqm of ['12.345', '0', '0.00', 89.37, '-5', '']) {
      const bad = await fin.call('POST', '/api/billing/units', { estateId, unitId, unitType: 'shop', areaSqm });
      expect(bad.status, String(areaSqm)).toBe(400);
      expect(bad.body.error).toMatchObject({ reason: 'invalid-request', field: 'areaSqm' });
      expect(bad.body.error.message.zh).toContain('字段“areaSqm”');
    }
    expect((await estate()).areaSqm).toBeNull();
    // only finance roles set it
    const desk = await signIn(app, `area-desk-${kind}`, 'pw');
    expect((await desk.call('POST', '/api/billing/units', { estateId, unitId, unitType: 'residential', areaSqm: '1.00' })).status).toBe(403);

    const set = await fin.call('POST', '/api/billing/units', { estateId, unitId, unitType: 'residential', areaSqm: '89.37' });
    expect(set.body).toMatchObject({ unitId, unitType: 'residential', areaSqm: '89.37' });
    expect((await estate()).areaSqm).toBe('89.37');
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'area-quarterly', period: '2027-Q1' });
    expect(run.body.created.map((b: { totalFen: number }) => b.totalFen)).toEqual([67028]); // 89.37 × 2.50 × 3 = 670.275 → 670.28
  });
});
