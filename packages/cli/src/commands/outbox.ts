import { archiveOutbox, ensurePartitions, listPartitions, noticeRetentionMonths, PARTITIONED_TABLES, RetentionError } from '@estateflow/db';
import { parseCommandArgs, processIo, type Command } from './io.ts';
import { openForCommand } from './backup.ts';

const HELP = `用法 usage: wf outbox archive --before <YYYY-MM>   |   wf outbox partitions
  archive：把 <YYYY-MM> 之前、已全部送达的发件箱月分区从 outbox 分离，移到 archive 模式
  （archive.outbox_yYYYYmMM），之后可 pg_dump -n archive 导出、移到廉价表空间或删除。通知页只显示
  保留期内的通知（EF_NOTICE_RETENTION_MONTHS，默认 12 个月），早于保留期的月份才可归档；有未送达行的月份保留。
  账务记录（账单、收款、收据、调整）永不删除，历史不在此归档。
  partitions：补建本月及之后三个月的分区（工作进程也会定期补建），并列出历史与发件箱的分区。
  数据库：DATABASE_URL，否则 PGlite（PGLITE_DIR 或 .data/pglite；PGlite 只服务一个进程，请先停止服务器）。
  archive: detaches the delivered outbox months before <YYYY-MM> from the outbox and moves them to the
  schema archive (archive.outbox_yYYYYmMM), to dump (pg_dump -n archive), move to cheaper storage or
  drop. The notices page shows notices of the retention window (EF_NOTICE_RETENTION_MONTHS, default
  12 months); only months before it may be archived; a month with rows not yet delivered is kept.
  Accounting records (bills, payments, receipts, adjustments) are never deleted; history is not archived here.
  partitions: makes this month's and the next two months' partitions (the worker does too) and
  lists the partitions of history and the outbox.
  Database: DATABASE_URL, else PGlite (PGLITE_DIR or .data/pglite; PGlite serves one process: stop the server first).`;

const month = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const outboxCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { before: { type: 'string' } }, HELP, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (positionals.length !== 1 || (action !== 'archive' && action !== 'partitions')) {
    io.err(HELP);
    return 2;
  }
  let before: Date | undefined;
  if (action === 'archive') {
    const m = month.exec(values.before ?? '');
    if (!m) {
      io.err(`“--before”须为月份 YYYY-MM "--before" must be a month YYYY-MM: ${values.before ?? '(missing)'}\n${HELP}`);
      return 2;
    }
    before = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  }
  const opened = await openForCommand(io, true);
  if (typeof opened === 'number') return opened;
  try {
    const db = opened.handle.db;
    const now = new Date();
    if (action === 'partitions') {
      const made = await ensurePartitions(db, now);
      io.out(`新建 made ${made}`);
      for (const table of PARTITIONED_TABLES) {
        for (const p of await listPartitions(db, table)) {
          io.out(`${table}\t${p.name}\t${p.isDefault ? 'DEFAULT' : `${p.from!.toISOString().slice(0, 7)} .. ${p.to!.toISOString().slice(0, 7)}`}`);
        }
      }
      return 0;
    }
    let result;
    try {
      result = await db.transaction((tx) => archiveOutbox(tx, before!, now));
    } catch (e) {
      if (e instanceof RetentionError) {
        io.err(`${e.words.zh}\n${e.words.en}`);
        return 1;
      }
      throw e;
    }
    for (const a of result.archived) io.out(`已归档 archived ${a.name} → ${a.as} (${a.rows})`);
    for (const k of result.kept) io.out(`保留 kept ${k.name}: ${k.reason.zh} / ${k.reason.en}`);
    io.out(`${opened.label}: 归档 ${result.archived.length} 个月，保留期 ${noticeRetentionMonths()} 个月 / archived ${result.archived.length} month(s); notices kept ${noticeRetentionMonths()} month(s)`);
    return 0;
  } finally {
    await opened.handle.close();
  }
};
