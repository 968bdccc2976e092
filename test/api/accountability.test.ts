import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { demoNames } from '../../apps/api/src/demo.ts';
import { units } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';
import { driveScenario, finishedScenarios } from '../support/scenario-drive.ts';

/**
 * #22, CP-9: who was responsible for a complaint handled late or upheld is recorded per person on
 * the complaint (RECORD_ACCOUNTABILITY), and gathered per person each month. The fixture:
 * cp-late-triage-clocks, a complaint of 2026-05-11 whose triage was late, driven twice; each run
 * records its dispatcher (a pick of the estate's staff, #18: each run's own user, 调度 李敏) late in
 * 客服中心, with the measure 书面检讨，当月考核扣分.
 */
withDatabases((kind, getDb) => {
  it(`gathers a month's accountability records per person, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '追责物业');
    const estateId = await createEstate(db, tenantId, { name: '追责小区', buildings: [{ name: '2栋', units: ['2-0501'] }] });
    const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.tenantId, tenantId));
    const clock = { now: new Date('2026-05-01T00:00:00Z') };
    const app = testApp(db, { now: () => clock.now });
    const s = finishedScenarios().find((x) => x.scenario.id === 'cp-late-triage-clocks')!;
    let last = 0;
    for (const tag of ['ac1', 'ac2']) last = Math.max(last, (await driveScenario(db, app, clock, { tenantId, estateId, unitId: unit!.id, tag }, s)).now.getTime());
    clock.now = new Date(last + 86_400_000);
    await createUser(db, testConfig as never, { tenantId, username: `acc-pm-${kind}`, password: 'pw', roles: [{ estateId, role: 'property_manager' }] });
    await createUser(db, testConfig as never, { tenantId, username: `acc-dp-${kind}`, password: 'pw', roles: [{ estateId, role: 'dispatcher' }] });
    const pm = await signIn(app, `acc-pm-${kind}`, 'pw');

    const may = await pm.call('GET', `/api/reports/accountability?estateId=${estateId}&month=2026-05`);
    expect(may.status, JSON.stringify(may.body)).toBe(200);
    expect(may.body).toMatchObject({ month: '2026-05', from: '2026-04-30T16:00:00.000Z', to: '2026-05-31T16:00:00.000Z' });
    // two people (each run's dispatcher), named by display name, told apart by their user ids
    expect(may.body.people).toHaveLength(2);
    for (const p of may.body.people) {
      expect(p).toMatchObject({ person: demoNames.dispatcher, personId: expect.stringMatching(/^[0-9a-f-]{36}$/), departments: ['客服中心'], late: 1, upheld: 0, careless: 0, total: 1 });
      expect(p.records).toHaveLength(1);
    }
    expect(new Set(may.body.people.map((p: { personId: string }) => p.personId)).size).toBe(2);
    expect(may.body.people[0].records[0]).toMatchObject({ workflow: 'complaint', reason: 'late', department: '客服中心', measure: '书面检讨，当月考核扣分' });
    expect(may.body.people[0].records[0].serial).toMatch(/^CP-/);
    expect(typeof may.body.people[0].records[0].recordedBy).toBe('string');

    // another month has none
    const june = await pm.call('GET', `/api/reports/accountability?estateId=${estateId}&month=2026-06`);
    expect(june.body.people).toEqual([]);
    // a month that is not one is refused, naming the field
    const bad = await pm.call('GET', `/api/reports/accountability?estateId=${estateId}&month=2026-5`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('month');
    // staff who are not managers do not read who was held accountable
    const dp = await signIn(app, `acc-dp-${kind}`, 'pw');
    expect((await dp.call('GET', `/api/reports/accountability?estateId=${estateId}&month=2026-05`)).status).toBe(403);
  }, 300_000);
});
