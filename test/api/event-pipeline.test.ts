import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { events, instances, tasks, timers } from '@estateflow/db';
import { createCompany, createEstate, sendEvent, startInstance } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { withDatabases } from '../support/db.ts';

// the event path sends its writes pipelined: one failing write must still take every other one back
withDatabases((kind, getDb) => {
  let place: { tenantId: string; estateId: string };
  beforeAll(async () => {
    const db = getDb();
    const tenantId = await createCompany(db, 'pipeline');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家' });
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/lost-and-found'));
    await installBundle(db, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now: new Date() });
    place = { tenantId, estateId };
  });

  it(`rolls back the snapshot, tasks and timers when one pipelined write fails on ${kind}`, async () => {
    const db = getDb();
    const deps = { db, cache: new CompiledCache(), now: () => new Date('2026-06-01T09:00:00+08:00') };
    const actor = { id: randomUUID(), role: 'duty_manager' };
    const inst = await startInstance(deps, { ...place, workflowKey: 'lost-and-found', actor, data: { item: '钱包', quantity: 1, foundAt: '大堂', finderName: '李' } });
    // a history row already holding seq 2 makes the event insert fail after the snapshot update was sent
    await db.insert(events).values({ tenantId: place.tenantId, instanceId: inst.id, seq: 2, type: 'X', data: {}, actorRole: 'system', at: new Date(), stateAfter: 'reported' });
    await expect(sendEvent(deps, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'REGISTER', data: { valueFen: 5000, storage: 'A-3', hasLead: false } } })).rejects.toThrow();
    const [row] = await db.select().from(instances).where(and(eq(instances.tenantId, place.tenantId), eq(instances.id, inst.id)));
    expect(row).toMatchObject({ version: 1, state: 'reported' });
    expect(await db.select().from(timers).where(eq(timers.instanceId, inst.id))).toHaveLength(0);
    expect((await db.select().from(tasks).where(eq(tasks.instanceId, inst.id))).map((t) => [t.key, t.status])).toEqual([['register', 'open']]);
  });
});
