import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { attachments, backupTables, companies, createDb, derivedTables, restoreBackup, type Db } from '@estateflow/db';
import { createCompany, defaultConfig, seedDemo } from '@estateflow/api';
import { backupCommand, restoreCommand } from '../../packages/cli/src/commands/backup.ts';
import { freshDatabase, type FreshDatabase } from '../support/db.ts';
import { testConfig } from '../support/api.ts';
import { freePort, startServer, stop } from '../support/server-process.ts';

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? (r as T[]) : (r as { rows: T[] }).rows);

/** Every row of every table (the derived ones too, which the restore rebuilds) as JSON text, sorted, instants in UTC: two databases hold the same data iff equal. */
async function everyTable(db: Db): Promise<Record<string, string[]>> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local timezone = 'UTC'`);
    const out: Record<string, string[]> = {};
    for (const t of [...await backupTables(tx), ...derivedTables]) {
      out[t] = rowsOf<{ j: string }>(await tx.execute(sql`select row_to_json(x)::text as j from ${sql.identifier(t)} x`)).map((r) => r.j).sort();
    }
    return out;
  });
}

function withEnv(env: Record<string, string | undefined>): () => void {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  return () => withEnv(before);
}

describe('pnpm backup / pnpm restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-backup-'));
  const disposers: FreshDatabase[] = [];
  afterAll(async () => {
    for (const d of disposers) await d.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const io = () => {
    const lines: string[] = [];
    return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) } };
  };

  it('backs up the demo estate on PGlite and restores it into PostgreSQL (or PGlite), every table equal, and refuses a second restore', async () => {
    const source = join(dir, 'source');
    const seeded = await createDb({ dataDir: source });
    const demo = await seedDemo(seeded.db, defaultConfig(testConfig), () => {});
    // an upload's bytes (bytea) travel too
    await seeded.db.insert(attachments).values({ tenantId: demo.tenantId, id: randomUUID(), estateId: demo.estateId, name: '照片.jpg', contentType: 'image/jpeg', size: 4, sha256: 'x', data: new Uint8Array([0, 255, 1, 92]), createdAt: new Date() });
    await seeded.db.execute(sql`insert into idempotency_keys (tenant_id, user_id, key, method, path, request_hash, status_code, response) select ${demo.tenantId}, id, 'k', 'POST', '/p', 'h', 201, '{"a":[1,"二"]}'::jsonb from users limit 1`);
    const expected = await everyTable(seeded.db);
    await seeded.close();
    expect(Object.keys(expected).length).toBeGreaterThan(20);
    expect(Object.values(expected).filter((rows) => rows.length > 0).length).toBeGreaterThan(10);

    const file = join(dir, 'demo.backup.gz');
    const backup = io();
    let restoreEnv = withEnv({ PGLITE_DIR: source, DATABASE_URL: undefined });
    try {
      expect(await backupCommand(['--out', file], backup.io)).toBe(0);
    } finally {
      restoreEnv();
    }
    expect(backup.lines.join('\n')).toContain('Backed up');

    let target: Db;
    let close: () => Promise<void>;
    if (process.env.DATABASE_URL) {
      const fresh = await freshDatabase('postgres');
      disposers.push(fresh);
      restoreEnv = withEnv({ DATABASE_URL: fresh.url });
      target = fresh.handle.db;
      close = async () => {};
    } else {
      restoreEnv = withEnv({ PGLITE_DIR: join(dir, 'target') });
      close = async () => {};
      target = undefined as never;
    }
    try {
      const restore = io();
      expect(await restoreCommand([file], restore.io)).toBe(0);
      expect(restore.lines.join('\n')).toContain('Restored');
      const again = io();
      // the target now has rows: a second restore is refused and writes nothing
      expect(await restoreCommand([file], again.io)).toBe(1);
      expect(again.lines.join('\n')).toMatch(/not empty/);
    } finally {
      restoreEnv();
    }
    if (!process.env.DATABASE_URL) {
      const h = await createDb({ dataDir: join(dir, 'target') });
      target = h.db;
      close = () => h.close();
    }
    try {
      const got = await everyTable(target);
      expect(Object.keys(got)).toEqual(Object.keys(expected));
      for (const t of Object.keys(expected)) expect({ table: t, rows: got[t] }).toEqual({ table: t, rows: expected[t] });
    } finally {
      await close();
    }
  }, 300_000);

  it('refuses a file that is not a backup, and a missing one, in both languages', async () => {
    const restoreEnv = withEnv({ PGLITE_DIR: join(dir, 'never'), DATABASE_URL: undefined });
    try {
      const missing = io();
      expect(await restoreCommand([join(dir, 'nope.gz')], missing.io)).toBe(1);
      expect(missing.lines.join('\n')).toMatch(/找不到备份文件[\s\S]*No backup file/);
      const { gzipSync } = await import('node:zlib');
      const bogus = join(dir, 'bogus.gz');
      (await import('node:fs')).writeFileSync(bogus, gzipSync('{"hello":1}\n'));
      const wrong = io();
      expect(await restoreCommand([bogus], wrong.io)).toBe(1);
      expect(wrong.lines.join('\n')).toMatch(/不是 EstateFlow 备份文件[\s\S]*is not an EstateFlow backup/);
    } finally {
      restoreEnv();
    }
  }, 120_000);

  it('pnpm start on PGlite backs the folder up while it serves (EF_BACKUP_HOURS), and the file restores', async () => {
    const dataDir = join(dir, 'served', 'pglite');
    const seeded = await createDb({ dataDir });
    const tenantId = await createCompany(seeded.db, '定时备份');
    await seeded.close();
    // every 2 s here; the default is a day
    const server = startServer({ PGLITE_DIR: dataDir, EF_NO_WORKER: '1', EF_BACKUP_HOURS: String(2 / 3600), EF_BACKUP_FIRST_AFTER_MS: '200' }, await freePort());
    try {
      await server.listening;
      const until = Date.now() + 60_000;
      while (!server.output().includes('backup written') && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    } finally {
      await stop(server, 'SIGTERM');
    }
    expect(server.output()).toContain('backup written');
    const files = readdirSync(join(dir, 'served', 'backups')).filter((f) => f.endsWith('.backup.gz'));
    expect(files.length).toBeGreaterThan(0);
    const target = await createDb();
    try {
      await restoreBackup(target.db, join(dir, 'served', 'backups', files[0]!));
      expect((await target.db.select().from(companies)).map((c) => c.id)).toEqual([tenantId]);
    } finally {
      await target.close();
    }
  }, 180_000);
});
