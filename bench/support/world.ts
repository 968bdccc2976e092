/**
 * Shared set-up for the system benches: a scratch PostgreSQL database (created and dropped), a
 * drizzle handle whose SQL can be recorded, a company with one estate and the lost-and-found
 * bundle installed, and small helpers (bounded worker pool, percentiles).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { migratePostgresUrl, migrationsFolder, pgliteExtensions, schema, type Db, type Instance } from '@estateflow/db';
import { createCompany, createEstate, createUser, startInstance } from '@estateflow/api';
// not part of the API's public surface; the bench installs a catalogue bundle the way the route does
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import type { EventPathDeps } from '../../apps/api/src/services/event-path.ts';

export const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const workflows = join(import.meta.dirname, '../../workflows');

/** Creates `ef_bench_<random>` on the server and returns its URL and a function that drops it. */
export async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ef_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end({ timeout: 5 });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end({ timeout: 5 });
    },
  };
}

export interface Recorded {
  query: string;
  params: unknown[];
}

export interface BenchDb {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** the postgres-js client under `db` (PostgreSQL only) */
  client?: postgres.Sql;
  /** while set, every statement drizzle sends is appended here */
  record: { into: Recorded[] | null };
  close(): Promise<void>;
}

/** A migrated PostgreSQL handle with `max` connections and synchronous commit on every connection. */
export async function openPostgres(url: string, max = 8): Promise<BenchDb> {
  await migratePostgresUrl(url);
  const client = postgres(url, { max, onnotice: () => {}, connection: { synchronous_commit: 'on' } });
  const record: BenchDb['record'] = { into: null };
  const db = drizzlePostgres(client, { schema, logger: { logQuery: (query, params) => record.into?.push({ query, params }) } });
  return { db: db as unknown as Db, kind: 'postgres', client, record, close: () => client.end({ timeout: 5 }) };
}

/** A migrated PGlite database in a fresh folder on disk (removed on close). */
export async function openPglite(): Promise<BenchDb> {
  const dir = mkdtempSync(join(tmpdir(), 'ef-bench-pglite-'));
  const client = await PGlite.create(dir, { extensions: pgliteExtensions });
  const record: BenchDb['record'] = { into: null };
  const db = drizzlePglite(client, { schema, logger: { logQuery: (query, params) => record.into?.push({ query, params }) } });
  await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Db, kind: 'pglite', record,
    async close() {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Place {
  tenantId: string;
  estateId: string;
  userId: string;
  deps: EventPathDeps;
}

/** One company, one estate, a duty manager, and the lost-and-found bundle installed. */
export async function seedLostAndFound(db: Db): Promise<Place> {
  const tenantId = await createCompany(db, `bench ${randomBytes(3).toString('hex')}`);
  const estateId = await createEstate(db, tenantId, { name: '颐园世家' });
  const userId = await createUser(db, { argon2: { memoryCost: 1024, timeCost: 1 } }, {
    tenantId, username: `duty-${randomBytes(3).toString('hex')}`, password: 'pw', roles: [{ estateId, role: 'duty_manager' }],
  });
  const pkg = await readBundleFolder(join(workflows, 'lost-and-found'));
  await installBundle(db, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now: new Date() });
  return { tenantId, estateId, userId, deps: { db, cache: new CompiledCache(), now: () => new Date() } };
}

export const reportData = { item: '黑色钱包', quantity: 1, foundAt: '1栋大堂', finderName: '保洁 李' };

/** Starts `n` lost-and-found instances (set-up, not measured) with `concurrency` at a time. */
export async function startMany(place: Place, n: number, concurrency: number): Promise<Instance[]> {
  const out: Instance[] = [];
  await pool(concurrency, n, async () => {
    out.push(await startInstance(place.deps, {
      tenantId: place.tenantId, estateId: place.estateId, workflowKey: 'lost-and-found', data: reportData,
      actor: { id: place.userId, role: 'duty_manager' },
    }));
  });
  return out;
}

/** Runs `count` jobs with at most `concurrency` in flight; job i gets its index. */
export async function pool(concurrency: number, count: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
