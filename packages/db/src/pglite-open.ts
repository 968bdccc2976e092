import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { acquirePgliteLock } from './pglite-lock.ts';
import { pgliteExtensions } from './pglite-extensions.ts';

/** A PGlite folder that PostgreSQL refuses to open (its recovery stopped with PANIC or FATAL). */
export class PgliteOpenError extends Error {
  readonly reason = 'pglite-unreadable' as const;
  constructor(
    readonly dataDir: string,
    /** PostgreSQL's own log lines explaining why (LOG/PANIC/FATAL), when it wrote any */
    readonly postgresLog: string[],
    cause: unknown,
  ) {
    const said = postgresLog.length ? `\nPostgreSQL: ${postgresLog.join('\n            ')}` : '';
    // the checkpoint pg_control names is gone from the WAL: the case of two processes on one folder
    const rescue = postgresLog.some((l) => l.includes('valid checkpoint record'))
      ? `\n若日志提到检查点，可先用 pnpm wf pglite-rescue ${dataDir} 读出数据。\nPostgreSQL lost its checkpoint: \`pnpm wf pglite-rescue ${dataDir}\` may read the data out (then pnpm backup at once).`
      : '';
    super(
      `无法打开嵌入式数据库 ${dataDir}：PostgreSQL 恢复时中止。请用备份恢复：pnpm restore <备份文件>（见 README“嵌入式数据库”）；原目录请保留，勿删除。\n` +
        `The embedded database in ${dataDir} cannot be opened: PostgreSQL stopped while recovering it.${said}\n` +
        'Restore your latest backup with `pnpm restore <backup file>` (README, "The embedded database"), which also covers ' +
        `moving to PostgreSQL. Keep the folder as it is (move it aside, do not delete it).${rescue}`,
      { cause },
    );
    this.name = 'PgliteOpenError';
  }
}

/**
 * Opens PGlite on a folder for this process alone: takes the folder's lock (else
 * `PgliteLockedError`), and turns PGlite's `RuntimeError: Aborted()` into a `PgliteOpenError` that
 * carries PostgreSQL's reason. The returned `close` also releases the lock.
 */
export async function openPgliteFolder(dataDir: string): Promise<{ client: PGlite; close(): Promise<void> }> {
  mkdirSync(dataDir, { recursive: true });
  const release = acquirePgliteLock(dataDir);
  const log: string[] = [];
  const keep = (line: string) => {
    if (/\b(PANIC|FATAL|LOG):/.test(line)) log.push(line.replace(/^.*?\] /, '').trim());
    return false;
  };
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir, { onStderr: keep, onStdout: keep, extensions: pgliteExtensions });
  } catch (e) {
    release();
    throw new PgliteOpenError(dataDir, log.slice(-4), e);
  }
  return {
    client,
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}
