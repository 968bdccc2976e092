import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, runWorkerOnce } from '@estateflow/api';
import { events, instances, outbox, privacyCleanups, tasks, units } from '@estateflow/db';
import { ERASED } from '../../apps/api/src/services/person-data.ts';
import { withDatabases } from '../support/db.ts';
import { testApp } from '../support/api.ts';
import { driveScenario, finishedScenarios } from '../support/scenario-drive.ts';

/**
 * #22, CP-13 with CP-8: a closed complaint keeps its case, but once the complaint bundle's retention
 * window (`personalDataRetentionDays`, 365 days by default) has passed since it ended, the worker's
 * periodic clean-up clears the complainant's name and phone and the staff member complained about,
 * in the request, its history, task titles and notices, and leaves one record of doing so.
 * Fixture: cp-major-harm-reopen (李女士, 13800138001, against 地下车库排风), closed in May 2026.
 */
withDatabases((kind, getDb) => {
  it(`clears the personal data of complaints closed longer than the retention window, keeping the case, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '隐私物业');
    const estateId = await createEstate(db, tenantId, { name: '隐私小区', buildings: [{ name: '2栋', units: ['2-0301'] }] });
    const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.tenantId, tenantId));
    const clock = { now: new Date('2026-05-01T00:00:00Z') };
    const app = testApp(db, { now: () => clock.now });
    const s = finishedScenarios().find((x) => x.scenario.id === 'cp-major-harm-reopen')!;
    const { instanceId } = await driveScenario(db, app, clock, { tenantId, estateId, unitId: unit!.id, tag: 'pc' }, s);
    const [closed] = await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, instanceId)));
    expect(closed!.status).toBe('done');
    const dataOf = async () => ((await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, instanceId))))[0]!.snapshot as { context: { data: Record<string, unknown> } }).context.data;
    expect(await dataOf()).toMatchObject({ name: '李女士', phone: '13800138001', against: '地下车库排风' });
    const worker = (at: Date) => runWorkerOnce({ db, workerId: `pc-${kind}`, now: () => at, attachmentSweepEveryMs: 0, log: () => {} });

    // a day short of a year after closing: nothing yet
    await worker(new Date(closed!.endedAt!.getTime() + 364 * 86_400_000));
    expect(await dataOf()).toMatchObject({ name: '李女士', phone: '13800138001' });
    expect(await db.select().from(privacyCleanups).where(eq(privacyCleanups.tenantId, tenantId))).toEqual([]);

    // past the year: the complainant and the staff member complained about are cleared, the case kept
    const later = new Date(closed!.endedAt!.getTime() + 366 * 86_400_000);
    await worker(later);
    const data = await dataOf();
    expect(data).toMatchObject({ name: ERASED, phone: ERASED, against: ERASED, what: '车库排风机故障，废气倒灌入户', grade: 'major', channel: 'phone' });
    const history = await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, instanceId)));
    expect(history.length).toBeGreaterThan(3);
    const text = JSON.stringify(history.map((e) => e.data));
    for (const gone of ['李女士', '13800138001', '地下车库排风']) expect(text).not.toContain(gone);
    expect(text).toContain('车库排风机故障');
    for (const t of await db.select({ title: tasks.title }).from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId)))) expect(JSON.stringify(t.title)).not.toContain('李女士');
    for (const n of await db.select({ payload: outbox.payload }).from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.instanceId, instanceId)))) {
      expect(JSON.stringify(n.payload)).not.toContain('13800138001');
      expect(JSON.stringify(n.payload)).not.toContain('李女士');
    }
    // its own record
    const records = await db.select().from(privacyCleanups).where(eq(privacyCleanups.tenantId, tenantId));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ instanceId, estateId, workflowKey: 'complaint', serial: closed!.serial, retentionDays: 365, cleanedAt: later });
    expect(records[0]!.fields).toEqual(expect.arrayContaining(['name', 'phone', 'against']));
    expect(records[0]!.events).toBeGreaterThan(0);
    // done once: the next round finds nothing to do
    await worker(new Date(later.getTime() + 86_400_000));
    expect(await db.select().from(privacyCleanups).where(eq(privacyCleanups.tenantId, tenantId))).toHaveLength(1);
  }, 300_000);
});
