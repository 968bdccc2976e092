import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { openPgliteFolder } from './pglite-open.ts';
import { pgliteExtensions } from './pglite-extensions.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** One handle type for both drivers: PGlite (embedded) and PostgreSQL (postgres-js). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** The transaction handle passed to `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either a database or an open transaction. */
export type DbOrTx = Db | Tx;

export interface DbOptions {
  /** PostgreSQL URL; when absent, embedded PGlite is used */
  url?: string;
  /** PGlite data folder, held by this process alone (lock file); `memory://` (default when no folder) keeps everything in memory */
  dataDir?: string;
  /** run migrations before returning (default true) */
  migrate?: boolean;
  /** pool size for PostgreSQL (default 10) */
  max?: number;
}

export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Opens a database: PostgreSQL when `url` is given, else embedded PGlite (in `dataDir`, or in
 * memory), and migrates it with the committed drizzle-kit migrations.
 * @example const { db, close } = await createDb({ url: process.env.DATABASE_URL, dataDir: '.data/pglite' });
 */
export async function createDb(options: DbOptions = {}): Promise<DbHandle> {
  const runMigrations = options.migrate ?? true;
  if (options.url) {
    if (runMigrations) await migratePostgresUrl(options.url);
    const client = postgres(options.url, { max: options.max ?? 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema });
    return { db: db as unknown as Db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
  }
  const dataDir = options.dataDir ?? 'memory://';
  // a folder is held by one process (lock file), and a folder PostgreSQL cannot recover says why
  const { client, close } = dataDir.startsWith('memory://') ? { client: await PGlite.create(dataDir, { extensions: pgliteExtensions }), close: undefined } : await openPgliteFolder(dataDir);
  const db = drizzlePglite(client, { schema });
  try {
    if (runMigrations) await migratePglite(db, { migrationsFolder });
  } catch (e) {
    await (close ?? (() => client.close()))();
    throw e;
  }
  return { db: db as unknown as Db, kind: 'pglite', close: close ?? (() => client.close()) };
}

/** Migrates a PostgreSQL database under an advisory lock, so concurrent starters do not race. */
export async function migratePostgresUrl(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const db = drizzlePostgres(client);
    await db.execute(sql`select pg_advisory_lock(424242)`);
    try {
      await migratePostgres(db, { migrationsFolder });
    } finally {
      await db.execute(sql`select pg_advisory_unlock(424242)`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}
