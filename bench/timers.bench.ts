/**
 * Durable timers: 100,000 pending, of which the first DUE fall due at 1,000 per second; the API's
 * worker (`startWorker`: a batch claimed FOR UPDATE SKIP LOCKED in one statement, every timer
 * stepped in Node, one statement writes the batch, one transaction per batch) fires them (2
 * workers × 1 claim loop, up to 100 instances a batch, as `pnpm worker` runs by default), beside
 * graphile-worker running the same number of no-op jobs with the same run_at times (concurrency 8)
 * on the same server.
 *
 * Set-up (not measured): one lost-and-found instance is registered through the event path (its
 * retention timer armed), then cloned in SQL DUE times, each clone's snapshot carrying its own
 * due time; the other 95,000 pending timers are due in a year (they only weigh on the due index).
 * Lateness = moment the worker sends the statement that writes the batch and marks its timers fired
 * (`ef_commit`, one per batch, the commit follows it) − due; for graphile-worker, the moment the
 * no-op job runs − run_at.
 * Each side gets at most DRAIN seconds after the last due time; what is still pending counts as
 * "not fired" and the p99 is then a lower bound.
 */
import { Logger, run as runGraphile, runMigrations } from 'graphile-worker';
import { startWorker } from '@estateflow/api';
import type { BenchResult } from './run.ts';
import { CompiledCache } from '../apps/api/src/services/compiled-cache.ts';
import { firedRecorder, seedTimers, shiftTimers } from './support/timers.ts';
import { openPostgres, quantile, scratchDatabase, seedLostAndFound, sleep } from './support/world.ts';

const PENDING = 100_000;
const DUE = 5_000;
const PER_SECOND = 1_000;
const WORKERS = 2;
// as `pnpm worker` runs by default; BENCH_TIMER_LOOPS / BENCH_TIMER_BATCH try others (2 × 50 also keeps up here)
const PER_WORKER = Number(process.env.BENCH_TIMER_LOOPS ?? 1);
const BATCH = Number(process.env.BENCH_TIMER_BATCH ?? 100);
/** graphile-worker's concurrency (its jobs are no-ops: more is not slower) */
const GRAPHILE_CONCURRENCY = 8;
const LEAD_MS = 3_000;
const DRAIN_S = 20;

type Side = { fired: number; perSecond: number; p50: number; p99: number; notFired: number };

function summarise(lateness: number[], firstDue: number, lastDone: number): Side {
  const notFired = DUE - lateness.length;
  const all = [...lateness, ...Array.from({ length: notFired }, () => DRAIN_S * 1000 + (DUE / PER_SECOND) * 1000)];
  return {
    fired: lateness.length,
    perSecond: lateness.length / Math.max(1e-3, (lastDone - firstDue) / 1000),
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    notFired,
  };
}

async function ours(): Promise<{ side: Side; pending: number }> {
  const scratch = await scratchDatabase();
  const bdb = await openPostgres(scratch.url, 10);
  try {
    const place = await seedLostAndFound(bdb.db);
    const t0 = new Date(Date.now() + 600_000); // re-timed below, once seeding is done
    const dues = await seedTimers(bdb, place, { clones: DUE, due: DUE, t0, perSecond: PER_SECOND, pending: PENDING });
    const pending = Number((await bdb.client!.unsafe(`select count(*)::int as n from timers where status = 'armed'`))[0]?.n);
    const shift = Date.now() + LEAD_MS - t0.getTime();
    await shiftTimers(bdb, shift);
    for (const [id, due] of dues) dues.set(id, due + shift);
    const rec = firedRecorder(bdb, dues);
    const lateness = rec.lateness;
    const cache = new CompiledCache();
    const firstDue = Math.min(...dues.values());
    const lastDue = Math.max(...dues.values());
    const stops = Array.from({ length: WORKERS }, (_, k) => startWorker({ db: bdb.db, workerId: `bench-${k}`, cache, batchSize: BATCH, concurrency: PER_WORKER, intervalMs: 50, onError: () => {} }));
    while (lateness.length < DUE && Date.now() < lastDue + DRAIN_S * 1000) await sleep(200);
    await Promise.all(stops.map((s) => s()));
    rec.stop();
    return { side: summarise(lateness, firstDue, rec.last()), pending };
  } finally {
    await bdb.close();
    await scratch.drop();
  }
}

async function graphile(): Promise<Side> {
  const scratch = await scratchDatabase();
  const logger = new Logger(() => () => {});
  try {
    await runMigrations({ connectionString: scratch.url, logger });
    const bdb = await openPostgres(scratch.url, 2);
    const t0 = Date.now() + 10_000;
    try {
      await bdb.client!.unsafe(`select graphile_worker.add_jobs(array(
          select row('noop', json_build_object('due', $1::bigint + i * $2::int), null, to_timestamp(($1::bigint + i * $2::int) / 1000.0), null, null, null, null)::graphile_worker.job_spec
          from generate_series(0, $3::int - 1) i))`, [t0, 1000 / PER_SECOND, DUE]);
      await bdb.client!.unsafe(`select graphile_worker.add_jobs(array(
          select row('noop', '{}'::json, null, now() + interval '1 year', null, null, null, null)::graphile_worker.job_spec
          from generate_series(1, $1::int)))`, [PENDING - DUE]);
    } finally {
      await bdb.close();
    }
    if (Date.now() > t0 - 1000) throw new Error('graphile-worker seeding took longer than its lead time');
    const lateness: number[] = [];
    let lastDone = 0;
    const runner = await runGraphile({
      connectionString: scratch.url, concurrency: GRAPHILE_CONCURRENCY, pollInterval: 100, noHandleSignals: true, logger,
      taskList: {
        noop: async (payload) => {
          const due = (payload as { due?: number }).due;
          if (due === undefined) return;
          lastDone = Date.now();
          lateness.push(lastDone - due);
        },
      },
    });
    const lastDue = t0 + ((DUE - 1) * 1000) / PER_SECOND;
    while (lateness.length < DUE && Date.now() < lastDue + DRAIN_S * 1000) await sleep(200);
    await runner.stop();
    return summarise(lateness, t0, lastDone);
  } finally {
    await scratch.drop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const o = await ours();
  const g = await graphile();
  const late = (s: Side) => `${s.notFired ? '≥ ' : ''}${Math.round(s.p99)} ms`;
  return [
    {
      name: 'timers fired/s (1,000/s falling due, 100,000 pending)', value: o.side.perSecond, unit: 'timers/s', ratio: o.side.perSecond / g.perSecond,
      target: `keep up with 1,000/s`, baseline: `graphile-worker 0.16, same run_at times, no-op jobs, concurrency ${GRAPHILE_CONCURRENCY}: ${Math.round(g.perSecond)} jobs/s`,
      note: `${o.side.fired} of ${DUE} due fired within ${DRAIN_S} s after the last due (${o.pending.toLocaleString('en-US')} armed at start); ${WORKERS} workers × ${PER_WORKER} claim loops, up to ${BATCH} instances per batch transaction`,
    },
    {
      name: 'timer lateness p99 (due → fired)', value: o.side.p99, unit: 'ms', ratio: o.side.p99 / Math.max(1, g.p99), target: 'p99 ≤ 100 ms',
      baseline: `graphile-worker p99 ${late(g)}, p50 ${Math.round(g.p50)} ms (${g.fired} of ${DUE} run)`,
      note: `ours p50 ${Math.round(o.side.p50)} ms${o.side.notFired ? `; ${o.side.notFired} not fired in time, so the p99 is a lower bound` : ''}`,
    },
  ];
}
