import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, isNotNull, lte } from 'drizzle-orm';
import { buildings, feeWaivers, spendingEntries, units, type DbOrTx } from '@estateflow/db';
import { feeMonthReport, feeMonthReportOf, incomeSpendingReport, monthRange } from '@estateflow/billing';
import { MAX_AMOUNT_FEN } from '@estateflow/definitions';
import { ApiError, invalid } from '../errors.ts';
import { financeStaff, Resource } from '../route-table.ts';
import { auditAdmin } from '../services/admin-audit.ts';
import { feeMonthInput, incomeInput } from '../services/bill-paid.ts';
import { accountInput, naturalCompare } from '../services/billing-store.ts';
import { estateDay, pastDay } from '../services/estate-day.ts';
import { displayNames } from '../services/people-named.ts';
import { exactTotal } from '../services/exact-total.ts';
import * as S from '../schemas/finance-reports.ts';
import { yearMonth } from '../schemas/common.ts';

/**
 * The reports the seeds ask of finance (issue #20): the monthly fee report (财务收费报表, BL-9) for
 * the property manager's review, and the quarterly or half-yearly income-and-spending report
 * (财务收支报表, BL-11) for the owners' committee, with the spending entries finance keeps for it.
 * Every billing figure comes from the billing package (feeMonthReport and incomeSpendingReport over
 * settleAccount), never computed here.
 */

/** Finance's reports are read by roles holding the finance permission (built in: finance, the property manager who reviews them (BL-9), the admin). */
const uuid = { type: 'string', format: 'uuid' } as const;
const day = { type: 'string', format: 'date' } as const;
/** A quarter or a half year (BL-11: 每季度或半年). */
const reportPeriod = { type: 'string', pattern: '^20[0-9]{2}-(Q[1-4]|H[12])$', description: 'a quarter (2026-Q4) or a half year (2026-H2)', examples: ['2026-Q4', '2026-H2'] } as const;
/** Spending category and note lengths (not in the field documents: a short heading, a line of explanation). */
const CATEGORY_MAX = 40;
const NOTE_MAX = 200;

/** The first and last month of a quarter or half year. */
function periodRange(period: string): { from: string; to: string } {
  const year = period.slice(0, 4);
  const n = Number(period.slice(6));
  const [first, last] = period[5] === 'Q' ? [3 * n - 2, 3 * n] : [6 * n - 5, 6 * n];
  const mm = (m: number) => String(m).padStart(2, '0');
  return { from: `${year}-${mm(first)}-01`, to: monthRange(`${year}-${mm(last)}`).to };
}

/** A range that has begun, settled as of its last day or today, whichever is first. */
function begun(from: string, to: string, today: string, field: string, what: { zh: string; en: string }): string {
  if (from > today) throw new ApiError('form-invalid', { zh: `字段“${field}”：${what.zh}尚未开始（今天是 ${today}）`, en: `Field "${field}": the ${what.en} has not begun yet (today is ${today})` }, { field });
  return to < today ? to : today;
}

/** The monthly fee report with every account of the estate settled: while its paid totals are not trusted (before a recompute). */
async function settledMonthReport(db: DbOrTx, tenantId: string, estateId: string, range: Parameters<typeof feeMonthReport>[1], groupOf: (unitId: string) => string) {
  const [input, waivers] = await Promise.all([
    accountInput(db, tenantId, estateId),
    db.select({ id: feeWaivers.adjustmentId }).from(feeWaivers)
      .where(and(eq(feeWaivers.tenantId, tenantId), eq(feeWaivers.estateId, estateId), eq(feeWaivers.status, 'approved'), isNotNull(feeWaivers.adjustmentId))),
  ]);
  return feeMonthReport(input, range, new Set(waivers.map((w) => w.id!)), groupOf);
}

async function spendingRows(db: DbOrTx, tenantId: string, estateId: string, from: string, to: string, id?: string) {
  const rows = await db.select().from(spendingEntries)
    .where(and(eq(spendingEntries.tenantId, tenantId), eq(spendingEntries.estateId, estateId), gte(spendingEntries.spentOn, from), lte(spendingEntries.spentOn, to), id ? eq(spendingEntries.id, id) : undefined))
    .orderBy(asc(spendingEntries.spentOn), asc(spendingEntries.enteredAt), asc(spendingEntries.id))
    .limit(1000);
  const who = await displayNames(db, tenantId, rows.map((r) => r.enteredBy));
  return rows.map((r) => ({ id: r.id, category: r.category, amountFen: r.amountFen, spentOn: r.spentOn, note: r.note, enteredBy: { id: r.enteredBy, name: who.get(r.enteredBy) ?? '' }, enteredAt: r.enteredAt.toISOString() }));
}

export const financeReportRoutes = new Resource('/reports', 'Finance reports')
  .get(
    '/fees/monthly',
    {
      responses: { 200: S.feeMonthReport },
      summary: "The monthly fee report (财务收费报表, BL-9) for the property manager's review: for the estate and a month (YYYY-MM), the bills issued and their receivable (应收), what of it is collected and the collection rate (收缴率), money received by payment method against the receipts (实收), arrears aged from the due date (欠费), late fee accrued and paid (滞纳金), approved waivers (减免) and credit held (预收); in total and per building. Settled as of the month's last day (today in the current month) through settleAccount, read from the per-bill paid totals (a unit that refunded in or before the month is settled in full); a month not begun is refused (422)",
      errors: [422],
      access: financeStaff,
      estate: { from: 'query' },
      query: { estateId: uuid, month: yearMonth },
      queryRequired: ['estateId', 'month'],
    },
    async (c, { query }) => {
      const { estateId, tenantId, db, today } = await estateDay(c, query.estateId);
      const month = query.month!;
      const { from, to } = monthRange(month);
      const asOf = begun(from, to, today, 'month', { zh: '该月', en: 'month' });
      const range = { month, from, to, asOf };
      const [cached, homes] = await Promise.all([
        feeMonthInput(db, tenantId, estateId, range),
        db.select({ unitId: units.id, buildingId: buildings.id, building: buildings.name }).from(units)
          .innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
          .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId))),
      ]);
      const homeOf = new Map(homes.map((h) => [h.unitId, h]));
      const groupOf = (unitId: string) => homeOf.get(unitId)?.buildingId ?? '';
      const report = cached
        ? feeMonthReportOf(cached.parts, cached.paymentsIn, cached.waivers, range, groupOf)
        : await settledMonthReport(db, tenantId, estateId, range, groupOf);
      const nameOf = new Map(homes.map((h) => [h.buildingId, h.building]));
      const list = report.groups
        .filter((g) => nameOf.has(g.group))
        .map((g) => ({ buildingId: g.group, building: nameOf.get(g.group)!, figures: g.figures }))
        .sort((a, b) => naturalCompare(a.building, b.building));
      return c.json({ month, from, to, asOf, totals: report.totals, received: report.received, buildings: list });
    },
  )
  .get(
    '/income-spending',
    {
      responses: { 200: S.incomeSpendingReport },
      summary: "The income-and-spending report (财务收支报表, BL-11) for the owners' committee, for a quarter (2026-Q4) or half year (2026-H2): the money billing received in it by the kind of fee it paid (management, parking, paid service), late fee and prepayment not yet allocated, against the spending entries dated in it by category, and the balance. A period not begun is refused (422)",
      errors: [422],
      access: financeStaff,
      estate: { from: 'query' },
      query: { estateId: uuid, period: reportPeriod },
      queryRequired: ['estateId', 'period'],
    },
    async (c, { query }) => {
      const { estateId, tenantId, db, today } = await estateDay(c, query.estateId);
      const period = query.period!;
      const { from, to } = periodRange(period);
      const asOf = begun(from, to, today, 'period', { zh: '该期', en: 'period' });
      // the money received in the period and what it paid (from the paid totals: the period's payments and the bills
      // they changed), and every spending entry of the period (the list route pages at 1000; the report counts them all)
      const [income, spending] = await Promise.all([
        incomeInput(db, tenantId, estateId, { from, asOf }),
        db.select({ category: spendingEntries.category, amountFen: spendingEntries.amountFen, spentOn: spendingEntries.spentOn }).from(spendingEntries)
          .where(and(eq(spendingEntries.tenantId, tenantId), eq(spendingEntries.estateId, estateId), gte(spendingEntries.spentOn, from), lte(spendingEntries.spentOn, asOf)))
          .orderBy(asc(spendingEntries.spentOn), asc(spendingEntries.enteredAt), asc(spendingEntries.id)),
      ]);
      const report = incomeSpendingReport(income.money, spending, from, asOf, income.allocations);
      return c.json({ period, from, to, asOf, income: report.income, spending: report.spending, balanceFen: report.balanceFen });
    },
  )
  .get(
    '/spending',
    {
      responses: { 200: S.spendingList },
      summary: 'Spending entries (支出, BL-11) dated in [from, to], oldest first (1000 at most), with their total',
      errors: [422],
      access: financeStaff,
      estate: { from: 'query' },
      query: { estateId: uuid, from: day, to: day },
      queryRequired: ['estateId', 'from', 'to'],
    },
    async (c, { query }) => {
      const { estateId, tenantId, db } = await estateDay(c, query.estateId);
      if (query.to! < query.from!) throw invalid('to', 'must not be before "from"', '不得早于 from');
      const items = await spendingRows(db, tenantId, estateId, query.from!, query.to!);
      return c.json({ items, totalFen: exactTotal('totalFen', items.map((i) => i.amountFen)) });
    },
  )
  .post(
    '/spending',
    {
      responses: { 200: S.spendingEntry },
      summary: `Enter a spending entry (支出, BL-11): category (1–${CATEGORY_MAX} characters), amount in fen, the day spent (today or earlier) and a note; finance permission; audited (finance.spending). Entries are never edited: a wrong one is corrected by a further entry with a negative amount, whose note must say why`,
      errors: [422],
      access: financeStaff,
      estate: { from: 'body' },
      body: {
        type: 'object',
        required: ['estateId', 'category', 'amountFen', 'spentOn'],
        properties: {
          estateId: uuid,
          category: { type: 'string', description: `1–${CATEGORY_MAX} characters, e.g. 人员工资, 公共能耗, 维修养护` },
          amountFen: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description: 'fen; negative only to correct an earlier entry' },
          spentOn: day,
          note: { type: 'string', maxLength: NOTE_MAX },
        },
      },
    },
    async (c, { body }) => {
      const { estateId, tenantId, userId, db, config, today } = await estateDay(c, body.estateId);
      const { amountFen } = body;
      const category = body.category.trim();
      if (category.length === 0 || category.length > CATEGORY_MAX) throw invalid('category', `must be 1–${CATEGORY_MAX} characters`, `须为 1–${CATEGORY_MAX} 个字`);
      if (amountFen === 0) throw invalid('amountFen', 'must not be 0', '不能为 0');
      if (amountFen > MAX_AMOUNT_FEN || amountFen < -MAX_AMOUNT_FEN) throw invalid('amountFen', `must be at most ${MAX_AMOUNT_FEN} fen (100,000,000 yuan) either way`, `绝对值不能超过 ${MAX_AMOUNT_FEN} 分（1 亿元）`);
      const note = body.note?.trim() || null;
      if (amountFen < 0 && !note) throw invalid('note', 'must say which entry a negative amount corrects and why', '负数金额用于更正，须在备注写明更正哪笔、为何更正');
      const spentOn = pastDay(body.spentOn, today, 'spentOn');
      const id = randomUUID();
      const at = config.now();
      await db.transaction(async (tx) => {
        await tx.insert(spendingEntries).values({ tenantId, id, estateId, category, amountFen, spentOn, note, enteredBy: userId, enteredAt: at });
        await auditAdmin(tx, { tenantId, actorId: userId, action: 'finance.spending', target: `spending/${id}`, estateId, detail: { category, amountFen, spentOn, note }, at });
      });
      return c.json((await spendingRows(db, tenantId, estateId, spentOn, spentOn, id))[0]!);
    },
  );
