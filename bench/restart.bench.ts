/**
 * Restart: a database with INSTANCES instances, each with an armed timer, OVERDUE of them overdue
 * (due over the 10 s before the restart, as after an outage). The "restarted process" opens a new
 * pool (migration check included) with a cold definition cache and starts the worker (2 workers ×
 * 1 claim loop, batches of up to 100, as `pnpm worker` runs by default); we time the first event
 * served (REGISTER on a waiting instance, through the event path) and the moment the last overdue
 * timer is fired.
 *
 * Full size, 100,000 instances with 5,000 overdue (5 %): seeding them in SQL takes a few seconds
 * (support/timers.ts), the whole bench about 10 s.
 */
import { sendEvent, startWorker } from '@estateflow/api';
import { CompiledCache } from '../apps/api/src/services/compiled-cache.ts';
import type { BenchResult } from './run.ts';
import { firedRecorder, seedTimers } from './support/timers.ts';
import { openPostgres, scratchDatabase, seedLostAndFound, sleep, startMany } from './support/world.ts';

const INSTANCES = 100_000;
const OVERDUE = 5_000;
const DRAIN_LIMIT_S = 90;

export async function run(): Promise<BenchResult[]> {
  const scratch = await scratchDatabase();
  try {
    const before = await openPostgres(scratch.url, 8);
    const place = await seedLostAndFound(before.db);
    const dues = await seedTimers(before, place, { clones: INSTANCES, due: OVERDUE, t0: new Date(Date.now() - 10_000), perSecond: OVERDUE / 10, pending: INSTANCES });
    const [waiting] = await startMany(place, 1, 1);
    await before.close();

    const t0 = performance.now();
    const after = await openPostgres(scratch.url, 10);
    try {
      const deps = { db: after.db, cache: new CompiledCache(), now: () => new Date() };
      const rec = firedRecorder(after, dues);
      const stops = Array.from({ length: 2 }, (_, k) => startWorker({ db: after.db, workerId: `restart-${k}`, cache: deps.cache, concurrency: 1, batchSize: 100, intervalMs: 50, onError: () => {} }));
      await sendEvent(deps, {
        tenantId: place.tenantId, instanceId: waiting!.id, actor: { id: place.userId, role: 'duty_manager' },
        event: { type: 'REGISTER', data: { valueFen: 5000, storage: 'A-3', hasLead: false } },
      });
      const served = performance.now() - t0;
      const limit = Date.now() + DRAIN_LIMIT_S * 1000;
      while (rec.lateness.length < OVERDUE && Date.now() < limit) await sleep(100);
      const drained = (performance.now() - t0) / 1000;
      await Promise.all(stops.map((s) => s()));
      rec.stop();
      const fired = rec.lateness.length;
      const rate = fired / drained;
      const complete = fired >= OVERDUE;
      return [
        {
          name: `restart: first event served (${INSTANCES.toLocaleString('en-US')} instances)`, value: served, unit: 'ms',
          note: 'new pool + migration check + cold definition cache, worker draining at the same time; independent of the instance count (nothing loaded per instance)',
        },
        {
          name: `restart: ${OVERDUE.toLocaleString('en-US')} overdue timers drained`, value: complete ? drained : (OVERDUE / rate), unit: 's',
          note: `${fired} fired in ${drained.toFixed(1)} s from the restart (${rate.toFixed(0)}/s), ${INSTANCES.toLocaleString('en-US')} instances, each with an armed timer${complete ? '' : `; not all within ${DRAIN_LIMIT_S} s: the value is extrapolated at that rate`}; 2 workers × 1 claim loop, batches of 100`,
        },
      ];
    } finally {
      await after.close();
    }
  } finally {
    await scratch.drop();
  }
}
