import { hostname } from 'node:os';
import { createDb } from '@estateflow/db';
import { startWorker } from './worker.ts';

/** `pnpm worker`: the timer and outbox worker alone, for scale-out next to API processes. */
const url = process.env.DATABASE_URL;
const dataDir = process.env.PGLITE_DIR ?? '.data/pglite';
const { db, close } = await createDb(url ? { url, migrate: process.env.EF_SKIP_MIGRATE !== '1' } : { dataDir });
const workerId = process.env.WORKER_ID ?? `${hostname()}:${process.pid}`;
const stop = startWorker({
  db,
  workerId,
  // a batch costs three round trips whatever its size; one loop of 100 per process kept up with
  // 1,000 timers/s at p99 lateness ~50 ms in bench/timers.bench.ts (two such workers); more loops add little
  batchSize: Number(process.env.WORKER_BATCH ?? 100),
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 1),
  intervalMs: Number(process.env.WORKER_INTERVAL_MS ?? 1000),
  stepDelayMs: Number(process.env.WORKER_STEP_DELAY_MS ?? 0),
});
console.log(`[worker ${workerId}] started on ${url ? 'PostgreSQL' : `PGlite ${dataDir}`}`);
const shutdown = async () => {
  await stop();
  await close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
