import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import postgres from 'postgres';
import { createDb, type Db, type DbHandle } from '@estateflow/db';

export type DbKind = 'pglite' | 'postgres';

/** The kinds of database this run covers: PGlite always, PostgreSQL when DATABASE_URL is set. */
export function databaseKinds(): DbKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface FreshDatabase {
  handle: DbHandle;
  /** URL of the fresh PostgreSQL database (undefined for PGlite) */
  url: string | undefined;
  dispose(): Promise<void>;
}

/**
 * A migrated, empty database: in-memory PGlite, or a fresh PostgreSQL database `ef_<random>`
 * created next to DATABASE_URL (dropped by `dispose`), since test files run in parallel.
 */
export async function freshDatabase(kind: DbKind): Promise<FreshDatabase> {
  if (kind === 'pglite') {
    const handle = await createDb();
    return { handle, url: undefined, dispose: () => handle.close() };
  }
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `ef_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = await createDb({ url: url.toString(), max: 8 });
  return {
    handle,
    url: url.toString(),
    async dispose() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/**
 * Runs one contract suite against every database kind of this run: `fn(kind, getDb)` is called
 * inside a `describe` per kind, with a database migrated in `beforeAll` and dropped in `afterAll`.
 */
export function withDatabases(fn: (kind: DbKind, getDb: () => Db, getFresh: () => FreshDatabase) => void): void {
  for (const kind of databaseKinds()) {
    describe(`on ${kind}`, () => {
      let fresh: FreshDatabase | undefined;
      beforeAll(async () => {
        fresh = await freshDatabase(kind);
      });
      afterAll(async () => {
        await fresh?.dispose();
      });
      fn(
        kind,
        () => {
          if (!fresh) throw new Error('database not ready');
          return fresh.handle.db;
        },
        () => {
          if (!fresh) throw new Error('database not ready');
          return fresh;
        },
      );
    });
  }
}
