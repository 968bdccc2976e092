export { createDb, migratePostgresUrl, migrationsFolder, pgliteExtensions } from './client.ts';
export type { Db, DbHandle, DbOptions, DbOrTx, Schema, Tx } from './client.ts';
export * as schema from './schema/index.ts';
export * from './schema/index.ts';
export { functionFiles, functionsAfterMigrations, normalise, pendingFunctionMigration, sqlFolder, type SqlFunction } from './sql-functions.ts';
