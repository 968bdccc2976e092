import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { companies, createDb, PgliteOpenError } from '@estateflow/db';
import { createCompany } from '@estateflow/api';
import { pgliteRescueCommand } from '../../packages/cli/src/commands/backup.ts';

const dir = mkdtempSync(join(tmpdir(), 'ef-pglite-rescue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The evidence (README, "The embedded database"): pg_control named a checkpoint whose WAL bytes
// another process had overwritten with a record of its own. Made here on purpose, then rescued.
it('rescues a folder whose checkpoint record was overwritten: pg_control back at the last intact one, the data replayed', async () => {
  const dataDir = join(dir, 'pglite');
  await (await createDb({ dataDir })).close();
  const h = await createDb({ dataDir });
  const tenantId = await createCompany(h.db, '救援');
  await h.close();

  const control = readFileSync(join(dataDir, 'global', 'pg_control'));
  const pointer = control.readBigUInt64LE(32);
  const segment = readdirSync(join(dataDir, 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f)).sort()[0]!;
  const path = join(dataDir, 'pg_wal', segment);
  const wal = readFileSync(path);
  const offset = Number(pointer % BigInt(wal.length));
  // another writer's heap record where the checkpoint was: resource manager 10, a different CRC
  wal[offset + 17] = 10;
  wal.writeUInt32LE(0xdeadbeef, offset + 20);
  writeFileSync(path, wal);
  const refused = await createDb({ dataDir, migrate: false }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(PgliteOpenError);
  expect((refused as PgliteOpenError).postgresLog.join('\n')).toMatch(/checkpoint record/);

  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
  expect(await pgliteRescueCommand([dataDir], io)).toBe(0);
  expect(out.join('\n')).toMatch(/Pointed pg_control from [0-9A-F]+\/[0-9A-F]+ back to the intact checkpoint/);
  expect(readdirSync(join(dataDir, 'global'))).toContain('pg_control.before-rescue');
  const rescued = await createDb({ dataDir });
  try {
    expect((await rescued.db.select().from(companies)).map((c) => c.id)).toEqual([tenantId]);
  } finally {
    await rescued.close();
  }
  const again: string[] = [];
  expect(await pgliteRescueCommand([dataDir], { out: (l) => again.push(l), err: (l) => again.push(l) })).toBe(0);
  expect(again.join('\n')).toContain('nothing to rescue');
}, 180_000);
