import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * One process per PGlite folder. PGlite is PostgreSQL in single-user mode inside this process: it
 * keeps its own WAL insert position and buffers in memory, and nothing in the folder stops a second
 * process. Two of them write over each other's WAL and pg_control; that is how the quick start's
 * `.data/pglite` was lost (README, "The embedded database"). PGlite's own `postmaster.pid` holds
 * the fixed pid -42, so it cannot tell who holds the folder: this lock file can.
 */
export const pgliteLockFile = 'estateflow.lock';

export interface PgliteLockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** A second process on a folder that a live process holds. */
export class PgliteLockedError extends Error {
  readonly reason = 'pglite-locked' as const;
  constructor(
    readonly dataDir: string,
    readonly holder: PgliteLockHolder,
  ) {
    super(
      `嵌入式数据库 ${dataDir} 正被进程 ${holder.pid}（${holder.command}，自 ${holder.since} 起）使用；PGlite 只服务一个进程。请先停止该进程，或设置 DATABASE_URL 使用 PostgreSQL。\n` +
        `The embedded database ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}) on ${holder.host}. ` +
        'PGlite serves one process only: stop that process first, or set DATABASE_URL=postgres://… to share a PostgreSQL database between processes. ' +
        `(If no EstateFlow process runs as ${holder.pid}, delete ${join(dataDir, pgliteLockFile)}.)`,
    );
    this.name = 'PgliteLockedError';
  }
}

/** folders this process holds: a second open in the same process is refused too */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): PgliteLockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<PgliteLockHolder>;
    return typeof h.pid === 'number' ? { pid: h.pid, host: String(h.host ?? ''), command: String(h.command ?? ''), since: String(h.since ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the folder's lock file (created atomically, with this pid), or throws
 * `PgliteLockedError` naming the live holder. A lock left by a dead process (kill -9, a crash) on
 * this host is taken over. Returns `release`, which removes the file if it is still ours; it is
 * also removed when the process exits.
 * @example const release = acquirePgliteLock('.data/pglite');
 */
export function acquirePgliteLock(dataDir: string): () => void {
  const path = join(dataDir, pgliteLockFile);
  const key = resolve(dataDir);
  const me: PgliteLockHolder = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' ').slice(0, 200), since: new Date().toISOString() };
  if (held.has(key)) throw new PgliteLockedError(dataDir, readHolder(path) ?? me);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // written aside, then linked: the lock file appears whole or not at all
      const tmp = `${path}.${process.pid}`;
      writeFileSync(tmp, JSON.stringify(me));
      try {
        linkSync(tmp, path);
      } finally {
        unlinkSync(tmp);
      }
      held.add(key);
      const release = () => {
        process.off('exit', release);
        held.delete(key);
        if (readHolder(path)?.pid === process.pid) unlinkSync(path);
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(path);
    // a holder on another host (a folder shared over the network) cannot be checked: refuse
    if (holder && holder.pid !== process.pid && (holder.host !== me.host || alive(holder.pid))) throw new PgliteLockedError(dataDir, holder);
    // a dead holder, or our own pid from before a restart (containers reuse low pids): take it over
    try {
      unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error(`could not take the lock file ${path}`);
}
