import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createCompany, createEstate, sendEvent, startInstance } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { withDatabases } from '../support/db.ts';

withDatabases((kind, getDb) => {
  let place: { tenantId: string; estateId: string };
  beforeAll(async () => {
    const db = getDb();
    const tenantId = await createCompany(db, 'params');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家' });
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/lost-and-found'));
    await installBundle(db, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now: new Date() });
    place = { tenantId, estateId };
  });

  it(`steps with the workflow's own parameter defaults beside the bundle's on ${kind}`, async () => {
    const deps = { db: getDb(), cache: new CompiledCache(), now: () => new Date('2026-06-01T09:00:00+08:00') };
    const actor = { id: randomUUID(), role: 'duty_manager' };
    const inst = await startInstance(deps, { ...place, workflowKey: 'lost-and-found', actor, data: { item: '钱包', quantity: 1, foundAt: '大堂', finderName: '李' } });
    const sent = await sendEvent(deps, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'REGISTER', data: { valueFen: 5000, storage: 'A-3', hasLead: false } } });
    // cheapRetentionMonths defaults to 3 in workflow.json; the bundle only sets valuableThresholdFen
    expect(sent.outcome.timers.arm.map((t) => t.due.slice(0, 7))).toEqual(['2026-09']);
  });
});
