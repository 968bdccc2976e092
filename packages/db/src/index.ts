export { createDb, migratePostgresUrl, migrationsFolder } from './client.ts';
export type { Db, DbHandle, DbOptions, DbOrTx, Schema, Tx } from './client.ts';
export * as schema from './schema/index.ts';
export * from './schema/index.ts';
export { functionFiles, functionsAfterMigrations, normalise, pendingFunctionMigration, sqlFolder, type SqlFunction } from './sql-functions.ts';
export { acquirePgliteLock, PgliteLockedError, pgliteLockFile, type PgliteLockHolder } from './pglite-lock.ts';
export { openPgliteFolder, PgliteOpenError } from './pglite-open.ts';
