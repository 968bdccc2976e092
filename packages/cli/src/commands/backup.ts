import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquirePgliteLock, BackupError, createDb, PgliteLockedError, PgliteOpenError, rescuePglite, restoreBackup, writeBackup, type DbHandle } from '@estateflow/db';
import { assertNever } from '@estateflow/engine';
import { parseCommandArgs, processIo, type Command, type CommandIo } from './io.ts';

/** `pnpm start`'s folder: `.data/pglite` at the repository root (apps/api/src/main.ts), or PGLITE_DIR. */
export const defaultPgliteDir = (): string => process.env['PGLITE_DIR'] ?? fileURLToPath(new URL('../../../../.data/pglite', import.meta.url));

const where = (url: string | undefined, dataDir: string) => (url ? `PostgreSQL ${new URL(url).host}${new URL(url).pathname}` : `PGlite ${dataDir}`);

/** The command's database (DATABASE_URL, else PGlite), with a label for messages; a number is the exit code when it cannot open. */
export async function openForCommand(io: CommandIo, migrate: boolean): Promise<{ handle: DbHandle; label: string } | number> {
  const url = process.env['DATABASE_URL'];
  const dataDir = defaultPgliteDir();
  try {
    return { handle: await createDb(url ? { url, migrate } : { dataDir, migrate }), label: where(url, dataDir) };
  } catch (e) {
    if (e instanceof PgliteLockedError || e instanceof PgliteOpenError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
}

const BACKUP_HELP = `用法 usage: wf backup [--out <file>]   (pnpm backup)
  把数据库的全部表写入一个文件（gzip JSON 行）：DATABASE_URL，否则 PGlite（PGLITE_DIR 或 .data/pglite；
  PGlite 只服务一个进程，请先停止服务器）。默认文件 estateflow-<时间>.backup.gz。
  Writes every table of the database to one file (gzipped JSON lines): DATABASE_URL, else PGlite
  (PGLITE_DIR or .data/pglite; PGlite serves one process: stop the server first). Default file
  estateflow-<time>.backup.gz. Restore it with pnpm restore, into PGlite or PostgreSQL.`;

export const backupCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { out: { type: 'string', short: 'o' } }, BACKUP_HELP, io);
  if (typeof parsed === 'number') return parsed;
  const file = parsed.values.out ?? `estateflow-${new Date().toISOString().replace(/[:.]/g, '-')}.backup.gz`;
  const opened = await openForCommand(io, true);
  if (typeof opened === 'number') return opened;
  try {
    const h = await writeBackup(opened.handle.db, opened.handle.kind, file);
    const rows = Object.values(h.tables).reduce((a, b) => a + b, 0);
    io.out(`已备份 ${opened.label} 的 ${Object.keys(h.tables).length} 张表、${rows} 行到 ${file}\nBacked up ${Object.keys(h.tables).length} tables, ${rows} rows of ${opened.label} to ${file}`);
    return 0;
  } finally {
    await opened.handle.close();
  }
};

const RESTORE_HELP = `用法 usage: wf restore <file>   (pnpm restore <file>)
  把 pnpm backup 的文件恢复到一个新的空数据库：设置了 DATABASE_URL 时恢复到 PostgreSQL（这也是把
  PGlite 的数据迁到 PostgreSQL 的方法），否则恢复到 PGlite（PGLITE_DIR 或 .data/pglite，目录须不存在或为空；
  损坏的目录请先移走）。全部成功才写入。
  Restores a pnpm backup file into a new, empty database: PostgreSQL when DATABASE_URL is set (this
  is how an estate's data moves from PGlite to PostgreSQL), else PGlite (PGLITE_DIR or .data/pglite,
  which must not exist or be empty: move a broken folder aside first). All or nothing.`;

export const restoreCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, {}, RESTORE_HELP, io);
  if (typeof parsed === 'number') return parsed;
  const [file] = parsed.positionals;
  if (!file || parsed.positionals.length > 1) {
    io.err(RESTORE_HELP);
    return 2;
  }
  if (!existsSync(file)) {
    io.err(`找不到备份文件 ${file}\nNo backup file ${file}`);
    return 1;
  }
  const dataDir = defaultPgliteDir();
  if (!process.env['DATABASE_URL'] && existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    io.err(`PGlite 目录 ${dataDir} 已有数据：请先把它移走（保留以备救援），再恢复\nThe PGlite folder ${dataDir} is not empty: move it aside (keep it for a rescue), then restore`);
    return 1;
  }
  const opened = await openForCommand(io, true);
  if (typeof opened === 'number') return opened;
  try {
    const h = await restoreBackup(opened.handle.db, file);
    const rows = Object.values(h.tables).reduce((a, b) => a + b, 0);
    io.out(`已把 ${file}（${h.createdAt} 备份自 ${h.source}）的 ${rows} 行恢复到 ${opened.label}\nRestored ${rows} rows from ${file} (backed up from ${h.source} at ${h.createdAt}) into ${opened.label}`);
    return 0;
  } catch (e) {
    if (e instanceof BackupError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  } finally {
    await opened.handle.close();
  }
};

const RESCUE_HELP = `用法 usage: wf pglite-rescue [folder]   (默认 default PGLITE_DIR 或 or .data/pglite)
  当 PGlite 目录因“could not locate a valid checkpoint record”无法打开（两个进程曾同时使用它）时，
  把 pg_control 指回最近一个完好的检查点，让 PostgreSQL 从那里重放 WAL。原文件保存为
  global/pg_control.before-rescue。之后请立即 pnpm backup，并恢复到新目录：这是读出数据，不是修复。
  When a PGlite folder cannot open with "could not locate a valid checkpoint record" (two processes
  used it at once), points pg_control back at the latest intact checkpoint so PostgreSQL replays
  the WAL from there; the old file is kept as global/pg_control.before-rescue. Then run pnpm backup
  at once and restore into a new folder: this reads the data out, it does not repair the folder.`;

export const pgliteRescueCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, {}, RESCUE_HELP, io);
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length > 1) {
    io.err(RESCUE_HELP);
    return 2;
  }
  const dataDir = parsed.positionals[0] ?? defaultPgliteDir();
  if (!existsSync(join(dataDir, 'global', 'pg_control'))) {
    io.err(`${dataDir} 不是 PGlite 目录（没有 global/pg_control）\n${dataDir} is not a PGlite folder (no global/pg_control)`);
    return 1;
  }
  let release: () => void;
  try {
    release = acquirePgliteLock(dataDir);
  } catch (e) {
    if (e instanceof PgliteLockedError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
  try {
    const r = rescuePglite(dataDir);
    switch (r.reason) {
      case 'checkpoint-intact':
        io.out(`pg_control 指向的检查点 ${r.checkpoint} 完好，无需救援\nThe checkpoint pg_control names (${r.checkpoint}) is intact: nothing to rescue`);
        return 0;
      case 'no-intact-checkpoint':
        io.err(`在 ${r.checkpoint} 之前的 WAL 中找不到完好的检查点：无法救援，请用备份恢复\nNo intact checkpoint before ${r.checkpoint} in the WAL: cannot rescue; restore a backup`);
        return 1;
      case 'rescued':
        io.out(`已把 pg_control 从 ${r.from} 指回完好的检查点 ${r.to}（原文件：${r.saved}）。请立即 pnpm backup，再恢复到新目录。\n` +
          `Pointed pg_control from ${r.from} back to the intact checkpoint ${r.to} (old file: ${r.saved}). Run pnpm backup now, then restore into a new folder.`);
        return 0;
      default:
        return assertNever(r);
    }
  } finally {
    release();
  }
};
