export { createDb, migratePostgresUrl, migrationsFolder } from './client.ts';
export { pgliteExtensions } from './pglite-extensions.ts';
export type { Db, DbHandle, DbOptions, DbOrTx, Schema, Tx } from './client.ts';
export * as schema from './schema/index.ts';
export * from './schema/index.ts';
export { functionFiles, functionsAfterMigrations, normalise, pendingFunctionMigration, sqlFolder, type SqlFunction } from './sql-functions.ts';
export { acquirePgliteLock, PgliteLockedError, pgliteLockFile, type PgliteLockHolder } from './pglite-lock.ts';
export { openPgliteFolder, PgliteOpenError } from './pglite-open.ts';
export { BackupError, backupTables, restoreBackup, writeBackup, type BackupHeader } from './backup.ts';
