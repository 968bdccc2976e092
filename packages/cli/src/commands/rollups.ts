import { eq } from 'drizzle-orm';
import { estates, type DbOrTx } from '@estateflow/db';
import { parseCommandArgs, processIo, type Command } from './io.ts';
import { openForCommand } from './backup.ts';

const HELP = `用法 usage: wf rollups recompute [--estate <id>] [--tenant <id>]   (pnpm wf rollups recompute)
  按历史重新计算报表汇总（看板、SLA、回访、月度统计所读的汇总表）：先删除该小区（或公司，或全部）的汇总，
  再逐批从每个请求的历史算回；并按账单、缴款与调整重算每张账单的已缴本金（欠费报表所读，逐批、逐户加锁）。
  服务器与工作进程可照常运行；重算期间该范围的报表数字偏少。
  数据库：DATABASE_URL，否则 PGlite（PGLITE_DIR 或 .data/pglite；PGlite 只服务一个进程，请先停止服务器）。
  Recomputes the report rollups (what the dashboard, SLA, revisit and monthly statistics read) from
  history, for repair: the estate's (or company's, or every) rollups are removed, then counted again
  from each request's history, a batch at a time; and each bill's paid total (what the arrears
  read) is settled again from bills, payments and adjustments, a batch of units at a time, each
  under its billing lock. The server and workers may keep running; the
  range's reports read low until it ends. Database: DATABASE_URL, else PGlite (PGLITE_DIR or
  .data/pglite; PGlite serves one process: stop the server first).`;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API's rollup service (apps/api/src/services/rollups.ts), loaded when the command runs: the CLI package does not depend on the API's. */
type RollupService = { recomputeRollups(db: DbOrTx, opts: { now: Date; tenantId?: string; estateId?: string; log?: (n: number) => void }): Promise<number> };
/** The API's per-bill paid totals (apps/api/src/services/bill-paid.ts), what the arrears read. */
type PaidService = { recomputePaidTotals(db: DbOrTx, opts: { now: Date; tenantId?: string; estateId?: string }): Promise<number> };

export const rollupsCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { estate: { type: 'string' }, tenant: { type: 'string' } }, HELP, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals[0] !== 'recompute' || positionals.length !== 1) {
    io.err(HELP);
    return 2;
  }
  for (const [name, v] of [['--estate', values.estate], ['--tenant', values.tenant]] as const) {
    if (v !== undefined && !uuid.test(v)) {
      io.err(`${name} 须为编号（uuid） must be an id (uuid): ${v}\n${HELP}`);
      return 2;
    }
  }
  const opened = await openForCommand(io, true);
  if (typeof opened === 'number') return opened;
  try {
    const db = opened.handle.db;
    let tenantId = values.tenant;
    if (values.estate) {
      const [found] = (await db.select({ t: estates.tenantId }).from(estates).where(eq(estates.id, values.estate))).map((r) => r.t);
      if (!found) {
        io.err(`没有这个小区 no such estate: ${values.estate}`);
        return 1;
      }
      tenantId = found;
    }
    const service = (await import(new URL('../../../../apps/api/src/services/rollups.ts', import.meta.url).href)) as RollupService;
    let shown = 0;
    const n = await service.recomputeRollups(db, {
      now: new Date(), ...(tenantId ? { tenantId } : {}), ...(values.estate ? { estateId: values.estate } : {}),
      log: (total) => {
        if (total - shown >= 10_000) io.out(`… ${(shown = total)}`);
      },
    });
    io.out(`已按历史重算 ${opened.label} 的 ${n} 个请求的报表汇总\nRecomputed the report rollups of ${n} request(s) of ${opened.label} from history`);
    const paid = (await import(new URL('../../../../apps/api/src/services/bill-paid.ts', import.meta.url).href)) as PaidService;
    const bills = await paid.recomputePaidTotals(db, { now: new Date(), ...(tenantId ? { tenantId } : {}), ...(values.estate ? { estateId: values.estate } : {}) });
    io.out(`已按账单、缴款与调整重算 ${bills} 张账单的已缴本金（欠费报表所读）\nRecomputed the paid totals of ${bills} bill(s) (what the arrears read) from bills, payments and adjustments`);
    return 0;
  } finally {
    await opened.handle.close();
  }
};
