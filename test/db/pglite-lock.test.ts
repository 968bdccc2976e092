import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquirePgliteLock, createDb, PgliteLockedError, PgliteOpenError, pgliteLockFile } from '@estateflow/db';
import { freePort, startServer, stop, workerMain, type ServerProcess } from '../support/server-process.ts';

// One process per PGlite folder: two `pnpm start` on one `.data/` wrote over each other's WAL and
// lost the quick start's data (README, "The embedded database"). These run the real server.
describe('the embedded database is held by one process', () => {
  const dirs: string[] = [];
  const children: ServerProcess[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'ef-pglite-lock-'));
    dirs.push(d);
    return join(d, 'pglite');
  };
  afterAll(async () => {
    await Promise.all(children.map((c) => stop(c)));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 180_000);

  it('refuses a second server on the same folder, naming the process that holds it, and leaves the first serving', async () => {
    const dataDir = fresh();
    const first = startServer({ PGLITE_DIR: dataDir, EF_NO_WORKER: '1' }, await freePort());
    children.push(first);
    await first.listening;
    const second = startServer({ PGLITE_DIR: dataDir, EF_NO_WORKER: '1' }, await freePort());
    children.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`in use by process ${first.child.pid}`);
    expect(second.output()).toContain('正被进程');
    expect(second.output()).not.toContain('RuntimeError');
    const health = await fetch(`http://127.0.0.1:${first.port}/api/openapi.json`);
    expect(health.status).toBe(200);
    // a clean stop releases the folder: the next start gets it
    await stop(first, 'SIGTERM');
    expect(readdirSync(dataDir)).not.toContain(pgliteLockFile);
    const third = startServer({ PGLITE_DIR: dataDir, EF_NO_WORKER: '1' }, await freePort());
    children.push(third);
    await third.listening;
    await stop(third, 'SIGTERM');
  }, 180_000);

  it('takes over the lock of a process killed with SIGKILL', async () => {
    const dataDir = fresh();
    const killed = startServer({ PGLITE_DIR: dataDir, EF_NO_WORKER: '1' }, await freePort());
    children.push(killed);
    await killed.listening;
    await stop(killed, 'SIGKILL');
    expect(JSON.parse(readFileSync(join(dataDir, pgliteLockFile), 'utf8')).pid).toBe(killed.child.pid);
    const next = startServer({ PGLITE_DIR: dataDir, EF_NO_WORKER: '1' }, await freePort());
    children.push(next);
    await next.listening;
    await stop(next, 'SIGTERM');
  }, 180_000);

  it('refuses `pnpm worker` without DATABASE_URL, saying PGlite serves one process and scale-out needs PostgreSQL', async () => {
    const worker = startServer({ PGLITE_DIR: fresh() }, await freePort(), workerMain);
    children.push(worker);
    expect(await worker.exited).toBe(2);
    expect(worker.output()).toContain('serves one process');
    expect(worker.output()).toContain('DATABASE_URL');
    expect(worker.output()).toContain('只服务一个进程');
  }, 180_000);

  it('in one process: a second open and a live holder are refused, a stale lock file (dead or reused pid) is taken over, release frees the folder', async () => {
    const dataDir = fresh();
    const handle = await createDb({ dataDir, migrate: false });
    // a second open in the same process is refused as well
    expect(() => acquirePgliteLock(dataDir)).toThrow(PgliteLockedError);
    await handle.close();
    // a lock file with our own pid that this process does not hold (a restarted container reusing the pid) is taken over
    writeFileSync(join(dataDir, pgliteLockFile), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), command: 'pnpm start', since: '2026-01-01T00:00:00Z' }));
    acquirePgliteLock(dataDir)();
    writeFileSync(join(dataDir, pgliteLockFile), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), command: 'pnpm start', since: '2026-01-01T00:00:00Z' }));
    const refused = await createDb({ dataDir, migrate: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PgliteLockedError);
    expect((refused as PgliteLockedError).holder.pid).toBe(process.ppid);
    // no process has this pid (above the kernel's pid_max)
    writeFileSync(join(dataDir, pgliteLockFile), JSON.stringify({ pid: 2 ** 22 + 1, host: (await import('node:os')).hostname(), command: 'pnpm start', since: '2026-01-01T00:00:00Z' }));
    const taken = await createDb({ dataDir, migrate: false });
    await taken.close();
    expect(readdirSync(dataDir)).not.toContain(pgliteLockFile);
  }, 180_000);

  it('a folder PostgreSQL cannot recover gives its reason in words and points to the backup, not WebAssembly', async () => {
    const dataDir = fresh();
    const h = await createDb({ dataDir, migrate: false });
    await h.close();
    // the WAL the checkpoint in pg_control points into is gone, as in the evidence (overwritten there)
    const wal = join(dataDir, 'pg_wal');
    for (const f of readdirSync(wal)) if (/^[0-9A-F]{24}$/.test(f)) writeFileSync(join(wal, f), Buffer.alloc(statSync(join(wal, f)).size));
    const refused = await createDb({ dataDir, migrate: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PgliteOpenError);
    expect((refused as PgliteOpenError).postgresLog.join('\n')).toContain('could not locate a valid checkpoint record');
    expect(readdirSync(dataDir)).not.toContain(pgliteLockFile);
    const server = startServer({ PGLITE_DIR: dataDir, EF_NO_WORKER: '1' }, await freePort());
    children.push(server);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('cannot be opened');
    expect(server.output()).toContain('pnpm restore');
    expect(server.output()).toContain('无法打开嵌入式数据库');
    expect(server.output()).not.toContain('RuntimeError');
  }, 180_000);
});
