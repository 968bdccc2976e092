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
