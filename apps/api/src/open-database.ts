import { sql } from 'drizzle-orm';
import { createDb, PgliteLockedError, PgliteOpenError, type DbHandle, type DbOptions } from '@estateflow/db';

/**
 * `createDb` for a command's start: a PGlite folder held by another process, or one PostgreSQL
 * cannot recover, ends the process with its message in words (zh and en) and exit code 1,
 * instead of a stack through minified WebAssembly.
 */
export async function openDatabaseOrExit(options: DbOptions): Promise<DbHandle> {
  try {
    return await createDb(options);
  } catch (e) {
    if (e instanceof PgliteLockedError || e instanceof PgliteOpenError) {
      console.error(`[estateflow] ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}

/**
 * The read replica that reports read (`DATABASE_READ_URL`, a PostgreSQL streaming replica), or
 * undefined without one. It is opened without migrating (a standby is read-only and replays the
 * primary's schema) and checked to be in recovery, so a URL pointing at a second primary by mistake
 * is refused at start rather than serving reports that never see a write. On PGlite it is refused
 * in words: an embedded database has no replica.
 */
export async function openReportReplica(url: string | undefined, primaryKind: DbHandle['kind']): Promise<DbHandle | undefined> {
  if (!url) return undefined;
  if (primaryKind !== 'postgres') {
    console.error('[estateflow] DATABASE_READ_URL 需要 PostgreSQL：内置数据库（PGlite）没有只读副本，请同时设置 DATABASE_URL / DATABASE_READ_URL needs PostgreSQL: the embedded database (PGlite) has no replica; set DATABASE_URL too');
    process.exit(1);
  }
  const handle = await createDb({ url, migrate: false, max: 5 });
  const [row] = (await handle.db.execute<{ standby: boolean }>(sql`select pg_is_in_recovery() as standby`)) as unknown as { standby: boolean }[];
  if (!row?.standby) {
    await handle.close();
    console.error('[estateflow] DATABASE_READ_URL 指向的不是只读副本（pg_is_in_recovery() 为 false）/ DATABASE_READ_URL is not a streaming replica (pg_is_in_recovery() is false)');
    process.exit(1);
  }
  console.log('[estateflow] reports read the replica at DATABASE_READ_URL');
  return handle;
}
