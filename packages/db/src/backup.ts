import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './client.ts';
import { rowsOf } from './rows.ts';

/**
 * A logical backup: every table of the `public` schema as JSON rows (`row_to_json`), gzipped JSON
 * lines. Being logical, it restores into embedded PGlite or PostgreSQL alike, which is also how an
 * estate's data moves from PGlite to PostgreSQL. Line 1 is the header; then per table a line
 * `{"table", "rows"}` followed by that many rows.
 */
export interface BackupHeader {
  format: 'estateflow-backup';
  version: 1;
  createdAt: string;
  source: 'pglite' | 'postgres';
  /** the drizzle migrations applied to the source (hash per migration, in order): a restore needs the same */
  migrations: string[];
  tables: Record<string, number>;
}

/** A backup file that does not fit this database (zh and en). */
export class BackupError extends Error {
  readonly reason: 'backup-format' | 'backup-migrations' | 'restore-not-empty';
  constructor(reason: BackupError['reason'], message: { zh: string; en: string }) {
    super(`${message.zh}\n${message.en}`);
    this.reason = reason;
    this.name = 'BackupError';
  }
}


/**
 * Tables a backup leaves out because the database derives them from other rows as they are restored:
 * `instance_search_pairs` (a request's search pairs) is written by a trigger on `instances`.
 */
export const derivedTables: ReadonlySet<string> = new Set(['instance_search_pairs']);

/**
 * The tables a backup covers: every table of `public` but the derived ones, by name. A partitioned
 * table (history and the outbox, by month) counts once, read and restored through its parent,
 * whatever months this database holds.
 */
export async function backupTables(db: DbOrTx): Promise<string[]> {
  const r = await db.execute(sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`);
  return rowsOf<{ name: string }>(r).map((t) => t.name).filter((t) => !derivedTables.has(t));
}

async function appliedMigrations(db: DbOrTx): Promise<string[]> {
  const r = await db.execute(sql`select hash from drizzle.__drizzle_migrations order by id`);
  return rowsOf<{ hash: string }>(r).map((m) => m.hash);
}

const batch = 200;
/** a restore statement carries at most this much JSON (attachments hold up to 10 MiB each) */
const statementBytes = 16 * 1024 * 1024;

/**
 * Writes every table to `file` from one consistent snapshot (a repeatable-read transaction; a
 * cursor per table, `batch` rows at a time). Answers the header written (rows per table).
 * @example await writeBackup(db, 'pglite', 'estateflow-2026-12-06.backup.gz');
 */
export async function writeBackup(db: Db, source: BackupHeader['source'], file: string): Promise<BackupHeader> {
  const gzip = createGzip();
  // written aside and renamed when whole: a process killed mid-backup leaves no file that looks complete
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  gzip.pipe(out);
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
  };
  let header: BackupHeader;
  try {
    header = await db.transaction(async (tx) => {
      await tx.execute(sql`set transaction isolation level repeatable read, read only`);
      const tables = await backupTables(tx);
      const counts: Record<string, number> = {};
      for (const t of tables) {
        const [c] = rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from ${sql.identifier(t)}`));
        counts[t] = c?.n ?? 0;
      }
      const h: BackupHeader = { format: 'estateflow-backup', version: 1, createdAt: new Date().toISOString(), source, migrations: await appliedMigrations(tx), tables: counts };
      await write(JSON.stringify(h));
      for (const t of tables) {
        await write(JSON.stringify({ table: t, rows: counts[t] }));
        await tx.execute(sql`declare ef_backup no scroll cursor for select row_to_json(x)::text as j from ${sql.identifier(t)} x`);
        for (let left = counts[t] ?? 0; left > 0; left -= batch) {
          const rows = rowsOf<{ j: string }>(await tx.execute(sql.raw(`fetch ${batch} from ef_backup`)));
          for (const r of rows) await write(r.j);
        }
        await tx.execute(sql`close ef_backup`);
      }
      return h;
    });
  } catch (e) {
    gzip.destroy();
    out.destroy();
    rmSync(partial, { force: true });
    throw e;
  }
  gzip.end();
  await once(out, 'close');
  renameSync(partial, file);
  return header;
}

/**
 * Restores a backup into an empty, migrated database (PGlite or PostgreSQL) in one transaction:
 * nothing is written unless every row is. Refuses a database with rows, or one migrated to another
 * point than the backup's source.
 */
export async function restoreBackup(db: Db, file: string): Promise<BackupHeader> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async (): Promise<string | undefined> => {
    const r = await lines.next();
    return r.done ? undefined : r.value;
  };
  let header: BackupHeader;
  try {
    header = JSON.parse((await next()) ?? '') as BackupHeader;
  } catch {
    header = {} as BackupHeader;
  }
  if (header.format !== 'estateflow-backup' || header.version !== 1) {
    throw new BackupError('backup-format', { zh: `${file} 不是 EstateFlow 备份文件（pnpm backup 生成）`, en: `${file} is not an EstateFlow backup (made by pnpm backup)` });
  }
  const here = await appliedMigrations(db);
  if (here.join() !== header.migrations.join()) {
    throw new BackupError('backup-migrations', {
      zh: `备份来自数据库迁移 ${header.migrations.length} 个的版本，此数据库有 ${here.length} 个：请用同一版本的 EstateFlow 备份和恢复`,
      en: `The backup was made at ${header.migrations.length} migrations, this database has ${here.length}: back up and restore with the same version of EstateFlow`,
    });
  }
  const tables = await backupTables(db);
  for (const t of tables) {
    const [c] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier(t)}`));
    if ((c?.n ?? 0) > 0) {
      throw new BackupError('restore-not-empty', { zh: `目标数据库不是空的（表 ${t} 有 ${c?.n} 行）：请恢复到新的空数据库`, en: `The target database is not empty (table ${t} has ${c?.n} rows): restore into a new, empty database` });
    }
  }
  await db.transaction(async (tx) => {
    for (;;) {
      const line = await next();
      if (line === undefined) break;
      const { table, rows } = JSON.parse(line) as { table: string; rows: number };
      if (!tables.includes(table)) throw new BackupError('backup-format', { zh: `备份中的表 ${table} 在此数据库中不存在`, en: `The backup's table ${table} does not exist in this database` });
      let chunk: string[] = [];
      let bytes = 0;
      const flush = async () => {
        if (chunk.length === 0) return;
        // json_populate_recordset types every column as the table declares it (jsonb, timestamptz, bytea…)
        await tx.execute(sql`insert into ${sql.identifier(table)} select * from json_populate_recordset(null::${sql.identifier(table)}, ${`[${chunk.join(',')}]`}::json)`);
        chunk = [];
        bytes = 0;
      };
      for (let i = 0; i < rows; i++) {
        const row = await next();
        if (row === undefined) throw new BackupError('backup-format', { zh: `备份文件不完整（表 ${table}）`, en: `The backup file is cut short (table ${table})` });
        chunk.push(row);
        bytes += row.length;
        if (chunk.length === batch || bytes > statementBytes) await flush();
      }
      await flush();
    }
  });
  return header;
}
