import { hostname } from 'node:os';
import { openDatabaseOrExit } from './open-database.ts';
import { startWorker } from './worker.ts';

/** `pnpm worker`: the timer and outbox worker alone, for scale-out next to API processes on PostgreSQL. */
const url = process.env.DATABASE_URL;
if (!url) {
  // `pnpm start` already runs the worker in its own process; a second process on the same PGlite
  // folder is what destroyed the quick start's `.data/pglite` (README, "The embedded database")
  console.error(
    '[worker] 嵌入式数据库 PGlite 只服务一个进程，pnpm start 已自带定时器工作进程。要横向扩展，请设置 DATABASE_URL 使用 PostgreSQL（数据可用 pnpm backup / pnpm restore 迁移）。\n' +
      '[worker] The embedded database (PGlite) serves one process, and `pnpm start` already runs the timer worker inside it. ' +
      'Scale-out needs PostgreSQL: set DATABASE_URL=postgres://… for the server and every worker (move the data with `pnpm backup` and `pnpm restore`).',
  );
  process.exit(2);
}
const { db, close } = await openDatabaseOrExit({ url, migrate: process.env.EF_SKIP_MIGRATE !== '1' });
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
console.log(`[worker ${workerId}] started on PostgreSQL`);
const shutdown = async () => {
  await stop();
  await close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
