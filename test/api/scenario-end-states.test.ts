import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate } from '@estateflow/api';
import { instances, tasks, timers, units } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { testApp } from '../support/api.ts';
import { driveScenario, finishedScenarios } from '../support/scenario-drive.ts';

const scenarios = finishedScenarios();
const bundles = [...new Set(scenarios.map((s) => s.bundle))];

withDatabases((kind, getDb) => {
  it('covers every bundle of the catalogue', () => {
    expect(bundles.length).toBe(14);
    expect(scenarios.length).toBeGreaterThan(55);
  });

  for (const bundle of bundles) {
    it(`${bundle}: every scenario that ends leaves its request done with no timer armed (workflow or SLA) and no task open, through the API and the worker on ${kind}`, async () => {
      const db = getDb();
      const clock = { now: new Date() };
      const app = testApp(db, { now: () => clock.now });
      const tenantId = await createCompany(db, `${bundle} 物业`);
      for (const [n, s] of scenarios.filter((x) => x.bundle === bundle).entries()) {
        // one estate per scenario: its own parameters, serials and clock
        const estateId = await createEstate(db, tenantId, { name: `${s.scenario.id} 小区`, buildings: [{ name: '3栋', units: ['3-1502'] }] });
        const [unit] = await db.select({ id: units.id }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
        const { instanceId } = await driveScenario(db, app, clock, { tenantId, estateId, unitId: unit!.id, tag: `${kind}-${bundle}-${n}` }, s);
        const [row] = await db.select({ status: instances.status }).from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, instanceId)));
        expect(row?.status, s.file).toBe('done');
        const armed = await db.select({ key: timers.key, dueAt: timers.dueAt }).from(timers).where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, instanceId), eq(timers.status, 'armed')));
        expect(armed, `${s.file}: armed timers`).toEqual([]);
        const open = await db.select({ key: tasks.key }).from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId), eq(tasks.status, 'open')));
        expect(open, `${s.file}: open tasks`).toEqual([]);
      }
    }, 600_000);
  }
});
