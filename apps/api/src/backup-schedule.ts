import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeBackup, type Db } from '@estateflow/db';

export interface BackupSchedule {
  /** folder of the backup files (`estateflow-<time>.backup.gz`) */
  dir: string;
  /** hours between backups; 0 turns them off (not in the field documents: a day, as a nightly backup) */
  everyHours: number;
  /** newest files kept (not in the field documents: a week of daily backups) */
  keep: number;
  /** first backup at the earliest this long after start, so a start is not slowed */
  firstAfterMs?: number;
  log?: (line: string) => void;
}

const pattern = /^estateflow-.*\.backup\.gz$/;

function backupsIn(dir: string): { name: string; at: number }[] {
  try {
    return readdirSync(dir).filter((n) => pattern.test(n)).map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs })).sort((a, b) => b.at - a.at);
  } catch {
    return [];
  }
}

/**
 * Backs the embedded database up while the server runs (PGlite serves one process, so `pnpm
 * backup` needs the server stopped): due `everyHours` after the newest file in `dir`, then again
 * every `everyHours`; keeps the `keep` newest. Returns `stop`.
 */
export function scheduleBackups(db: Db, s: BackupSchedule): () => void {
  if (!(s.everyHours > 0)) return () => {};
  const every = s.everyHours * 3_600_000;
  const log = s.log ?? ((l: string) => console.log(l));
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const plan = () => {
    if (stopped) return;
    const newest = backupsIn(s.dir)[0]?.at ?? 0;
    timer = setTimeout(run, Math.max(newest + every - Date.now(), s.firstAfterMs ?? 60_000));
    timer.unref();
  };
  const run = async () => {
    try {
      mkdirSync(s.dir, { recursive: true });
      const file = join(s.dir, `estateflow-${new Date().toISOString().replace(/[:.]/g, '-')}.backup.gz`);
      const h = await writeBackup(db, 'pglite', file);
      for (const old of backupsIn(s.dir).slice(s.keep)) unlinkSync(join(s.dir, old.name));
      log(`[estateflow] backup written: ${file} (${Object.values(h.tables).reduce((a, b) => a + b, 0)} rows)`);
    } catch (e) {
      log(`[estateflow] 备份失败 backup failed: ${(e as Error).message}`);
    }
    plan();
  };
  plan();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
