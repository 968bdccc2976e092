/**
 * SLA re-arm after a publish: an estate with INSTANCES running complaints (each started through the
 * event path, so each has its SLA timers armed and its history), a new version of the complaint SLA
 * policy published (a shorter accept goal, as an admin would), then the worker's re-arm job run to
 * the end in batches of 100 instances per transaction (`rearmSlaBatch`, as `runWorkerOnce` calls it):
 * time from the publish to the last instance re-armed, and instances per second. Checked: every
 * running complaint holds a breach timer at the new goal afterwards. Setting up the 10,000 instances
 * through the event path takes most of the bench's ~100 s.
 */
import { join } from 'node:path';
import { createCompany, createEstate, createUser, startInstance } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../apps/api/src/services/compiled-cache.ts';
import { publishVersion } from '../apps/api/src/services/definition-store.ts';
import { rearmSlaBatch } from '../apps/api/src/services/sla-rearm.ts';
import type { BenchResult } from './run.ts';
import { openPostgres, pool, scratchDatabase } from './support/world.ts';

const INSTANCES = 10_000;
const BATCH = 100;
const intake = { channel: 'phone', name: '王女士', unit: '1-101', against: '客服中心', what: '电话无人接听' };

export async function run(): Promise<BenchResult[]> {
  const scratch = await scratchDatabase();
  const bdb = await openPostgres(scratch.url, 8);
  try {
    const db = bdb.db;
    const now = new Date();
    const tenantId = await createCompany(db, 'rearm bench');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家' });
    const userId = await createUser(db, { argon2: { memoryCost: 1024, timeCost: 1 } }, { tenantId, username: 'front', password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    const pkg = await readBundleFolder(join(import.meta.dirname, '../workflows/complaint'));
    await installBundle(db, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now });
    const deps = { db, cache: new CompiledCache(), now: () => new Date() };
    await pool(8, INSTANCES, async () => {
      await startInstance(deps, { tenantId, estateId, workflowKey: 'complaint', data: intake, actor: { id: userId, role: 'front_desk' } });
    });
    // jobs queued by the install ran before the instances existed: drop them, as a worker would have
    await bdb.client!.unsafe(`update outbox set status = 'done' where kind = 'slaRearm'`);
    const policy = structuredClone(pkg.files['sla/complaint.sla.json']) as { metrics: { id: string; goals: { deadline: unknown }[] }[] };
    const accept = policy.metrics.find((m) => m.id === 'accept')!;
    accept.goals = [{ ...accept.goals[0]!, deadline: { after: { amount: 30, unit: 'minutes' } } } as never];

    const t0 = performance.now();
    await db.transaction((tx) => publishVersion(tx, { tenantId, estateId, document: policy as never, changeNote: 'accept in 30 minutes', now: new Date() }));
    let rearmed = 0;
    let batches = 0;
    for (;;) {
      const r = await rearmSlaBatch(db, deps.cache, new Date(), BATCH, 'bench', (e) => console.error(e));
      rearmed += r.rearmed;
      batches++;
      if (!r.more && r.rearmed === 0) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const [check] = await bdb.client!.unsafe(
      `select count(distinct t.instance_id)::int as n from timers t join instances i on i.tenant_id = t.tenant_id and i.id = t.instance_id
       where t.key like 'sla:%:accept:breach:%' and t.status = 'armed' and t.due_at = i.started_at + interval '30 minutes'`,
    );
    const moved = Number(check?.n ?? 0);
    return [{
      name: `SLA re-arm after a policy publish (${INSTANCES.toLocaleString('en-US')} running complaints)`, value: seconds, unit: 's',
      note: `${rearmed} instances re-armed (${Math.round(rearmed / seconds)}/s), ${batches} batches of up to ${BATCH} in one transaction each; ${moved} of ${INSTANCES} hold the new 30-minute accept breach afterwards`,
    }];
  } finally {
    await bdb.close();
    await scratch.drop();
  }
}
