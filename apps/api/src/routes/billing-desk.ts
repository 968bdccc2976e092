import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import type { Context } from 'hono';
import { billAdjustments, bills, buildings, unitBillingProfiles, units, type Role } from '@estateflow/db';
import { estateDate, makeReceipt, nextPeriod, noticeOf, noticeSchedule, periodContaining, settleAccount, type BillingPlan, type Period, type Text } from '@estateflow/billing';
import { MAX_AMOUNT_FEN } from '@estateflow/definitions';
import type { AppEnv } from '../env.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { authOf, financeStaff, requireEstate, Resource } from '../route-table.ts';
import { isUuid } from '../services/body.ts';
import { runBilling, type RunResult } from '../services/billing-run.ts';
import { accountInput, billingDocuments, estateTimeZone, naturalCompare, withPlaces } from '../services/billing-store.ts';
import { exactTotal } from '../services/exact-total.ts';
import { refreshUnits } from '../services/bill-paid.ts';
import { demoPeriod } from '../demo-billing.ts';
import * as S from '../schemas/billing.ts';

/** The billing desk's screens: the run page (options, preview) and the counter (allocation before paying, voiding a wrong bill). */

const cashiers: readonly Role[] = ['admin', 'finance', 'property_manager', 'front_desk'];
const uuid = { type: 'string', format: 'uuid' } as const;
const day = { type: 'string', format: 'date' } as const;
const runBody = {
  type: 'object',
  required: ['estateId', 'plan', 'period'],
  properties: { estateId: uuid, plan: { type: 'string', minLength: 1 }, period: { type: 'string', minLength: 1, examples: ['2027-Q1'] }, buildingId: { ...uuid, description: 'only this building (a run made building by building)' } },
} as const;
/** A void's reason: 1–200 characters after trimming (not in the field documents; as a refund's reason, BL-7). */
const REASON_MAX = 200;

type C = Context<AppEnv>;

/** Answers the run's result from inside a transaction that is then rolled back. */
class Preview extends Error {
  constructor(readonly result: RunResult) {
    super('preview');
  }
}

async function today(c: C, estateId: string): Promise<string> {
  return estateDate(c.get('deps').config.now(), await estateTimeZone(c.get('deps').db, authOf(c).tenantId, estateId));
}

/** The periods offered for a plan on `on`: the one before the current, the current and the next two, with each payment notice's date. */
function periodsAround(plan: BillingPlan, on: string): { id: string; start: string; end: string; issueOn: string }[] {
  const anchor = plan.anchorMonth ?? 1;
  const current = periodContaining(plan, on);
  const before = periodContaining(plan, prevDay(current.start));
  const list: Period[] = [before, current];
  while (list.length < 4) list.push(nextPeriod(list[list.length - 1]!, anchor));
  return list.map((p) => ({ id: p.id, start: p.start, end: p.end, issueOn: noticeOf(noticeSchedule(plan, p), 'payment-notice').issueOn }));
}

const prevDay = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

export const billingDeskRoutes = new Resource('/billing', 'Billing')
  .get(
    '/run-options',
    { responses: { 200: S.runOptions }, summary: "The estate's billing plans (published by bundles or saved here) with the periods to offer, and its buildings, for the billing run page", access: financeStaff, estate: { from: 'query' }, query: { estateId: uuid }, queryRequired: ['estateId'] },
    async (c, { query }) => {
      const estateId = query.estateId!;
      requireEstate(c, estateId);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const on = await today(c, estateId);
      const plans = [...(await billingDocuments(db, tenantId, estateId, 'billing-plan')).values()].map((d) => d as unknown as BillingPlan);
      const rows = await db.select({ id: buildings.id, name: buildings.name, units: count(units.id) }).from(buildings)
        .leftJoin(units, and(eq(units.tenantId, buildings.tenantId), eq(units.buildingId, buildings.id)))
        .where(and(eq(buildings.tenantId, tenantId), eq(buildings.estateId, estateId)))
        .groupBy(buildings.id, buildings.name)
        .orderBy(asc(buildings.name));
      return c.json({
        today: on,
        plans: plans.sort((a, b) => (a.id < b.id ? -1 : 1)).map((p) => ({ id: p.id, title: (p as { title?: Text }).title ?? { zh: p.id, en: p.id }, cadence: p.cadence, periods: periodsAround(p, on), suggested: demoPeriod(p, on).id })),
        buildings: rows.sort((a, b) => naturalCompare(a.name, b.name)).map((b) => ({ id: b.id, name: b.name, units: Number(b.units) })),
      });
    },
  )
  .post(
    '/runs/preview',
    { responses: { 200: S.runPreview }, summary: 'What a billing run would do: units considered, the bills and their total, units that cannot be billed and why; computed by the run itself, then rolled back (writes nothing)', access: financeStaff, estate: { from: 'body' }, body: runBody },
    async (c, { body }) => {
      requireEstate(c, body.estateId);
      const { tenantId } = authOf(c);
      const { db, config } = c.get('deps');
      const { estateId, plan: planKey, period: periodId, buildingId } = body;
      const scope = and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), buildingId === undefined ? undefined : eq(units.buildingId, buildingId));
      let result: RunResult;
      try {
        await db.transaction(async (tx) => {
          throw new Preview(await runBilling(tx, { tenantId, estateId, planKey, periodId, now: config.now(), ...(buildingId ? { buildingId } : {}) }));
        });
        throw new Error('a preview transaction must roll back');
      } catch (e) {
        if (!(e instanceof Preview)) throw e;
        result = e.result;
      }
      const [all, unprofiled] = await Promise.all([
        db.select({ n: count() }).from(units).where(scope),
        db.select({ unitId: units.id, unitLabel: units.label, building: buildings.name }).from(units)
          .innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
          .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, units.tenantId), eq(unitBillingProfiles.unitId, units.id)))
          .where(and(scope, isNull(unitBillingProfiles.unitId)))
          .orderBy(asc(units.label)),
      ]);
      return c.json({ ...(await withPlaces(db, tenantId, result)), units: Number(all[0]?.n ?? 0), totalFen: exactTotal('totalFen', result.created.map((b) => b.totalFen)), unprofiled: unprofiled.sort((a, b) => naturalCompare(a.building, b.building) || naturalCompare(a.unitLabel, b.unitLabel)) });
    },
  )
  .post(
    '/bills/void',
    {
      responses: { 200: S.voided },
      summary: 'Void a wrong bill with a reason: adjustments that bring its principal and its late fee to zero are appended (the bill itself is never edited); a bill with money paid on it, or already void, is refused (409)',
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'billKey', 'reason'], properties: { estateId: uuid, billKey: { type: 'string', minLength: 1 }, reason: { type: 'string', description: `作废原因, 1–${REASON_MAX} characters after trimming` } } },
    },
    async (c, { body }) => {
      requireEstate(c, body.estateId);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const { estateId, billKey } = body;
      const reason = body.reason.trim();
      if (reason.length === 0 || reason.length > REASON_MAX) throw invalid('reason', `must be 1–${REASON_MAX} characters`, `须为 1–${REASON_MAX} 个字`);
      const on = await today(c, estateId);
      const result = await db.transaction(async (tx) => {
        const [bill] = await tx.select().from(bills).where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), eq(bills.key, billKey)));
        if (!bill) throw notFound('bill', billKey);
        const input = await accountInput(tx, tenantId, estateId, bill.unitId);
        const state = settleAccount({ ...input, asOf: on }).bills.find((b) => b.bill.key === billKey);
        if (!state) throw notFound('bill', billKey);
        if (state.principalFen === 0) throw new ApiError('conflict', { zh: `账单 ${bill.periodId} 已作废`, en: `The bill for ${bill.periodId} is already void` }, { field: 'billKey' });
        if (state.principalPaidFen > 0 || state.lateFeePaidFen > 0) {
          throw new ApiError('conflict', { zh: `账单 ${bill.periodId} 已有缴款，不能作废；请先退款或以调整更正`, en: `The bill for ${bill.periodId} has money paid on it and cannot be voided; refund it or correct it with an adjustment` }, { field: 'billKey' });
        }
        const text = { zh: `作废：${reason}`, en: `Void: ${reason}` };
        const principal = { id: randomUUID(), billKey, on, component: 'principal' as const, amountFen: -state.principalFen, reason: text };
        // the late fee follows the principal (billing computes it on the adjusted principal); whatever is still charged is waived too
        const after = settleAccount({ ...input, adjustments: [...(input.adjustments ?? []), principal], asOf: on }).bills.find((b) => b.bill.key === billKey)!;
        const lateFee = after.lateFee.amountFen + after.lateFeeAdjustedFen;
        const made = [principal, ...(lateFee > 0 ? [{ id: randomUUID(), billKey, on, component: 'late-fee' as const, amountFen: -lateFee, reason: text }] : [])];
        await tx.insert(billAdjustments).values(made.map((a) => ({ tenantId, id: a.id, estateId, billId: bill.id, on, component: a.component, amountFen: a.amountFen, reason: a.reason, createdAt: config.now(), createdBy: userId })));
        await refreshUnits(tx, tenantId, estateId, [bill.unitId], config.now());
        return made;
      });
      return c.json({ billKey, adjustments: result });
    },
  )
  .post(
    '/payments/preview',
    {
      responses: { 200: S.paymentPreview },
      summary: "How a payment would be allocated to the unit's bills and what would be left as credit, computed by settleAccount exactly as the payment will be; writes nothing",
      access: cashiers,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'unitId', 'amountFen'], properties: { estateId: uuid, unitId: { type: 'string', minLength: 1 }, amountFen: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, receivedOn: day } },
    },
    async (c, { body }) => {
      requireEstate(c, body.estateId);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const { estateId, unitId, amountFen } = body;
      // the same refusals, in the same words, as POST /billing/payments
      if (amountFen === 0) throw invalid('amountFen', 'must be more than 0', '必须大于 0');
      if (amountFen > MAX_AMOUNT_FEN) throw invalid('amountFen', `must be at most ${MAX_AMOUNT_FEN} fen (100,000,000 yuan)`, `不能超过 ${MAX_AMOUNT_FEN} 分（1 亿元）`);
      const [unit] = isUuid(unitId) ? await db.select({ id: units.id }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId))) : [];
      if (!unit) throw notFound('unit', unitId);
      const on = await today(c, estateId);
      const receivedOn = body.receivedOn ?? on;
      if (receivedOn > on) throw new ApiError('form-invalid', { zh: `字段“receivedOn”不得晚于今天（${on}）`, en: `Field "receivedOn" must not be after today (${on})` }, { field: 'receivedOn' });
      const input = await accountInput(db, tenantId, estateId, unitId);
      const payment = { id: randomUUID(), unitId, kind: 'payment' as const, receivedOn, amountFen, method: 'other' as const };
      const before = settleAccount({ ...input, asOf: receivedOn });
      const after = settleAccount({ ...input, payments: [...input.payments, payment], asOf: receivedOn });
      const receipt = makeReceipt(payment, after.allocations, '');
      const periodOf = new Map(input.bills.map((b) => [b.key, b.periodId]));
      return c.json({
        receivedOn, amountFen,
        lines: receipt.lines.map((l) => ({ ...l, periodId: periodOf.get(l.billKey) ?? l.billKey })),
        creditFen: receipt.creditFen, balanceBeforeFen: before.balanceFen, balanceAfterFen: after.balanceFen,
      });
    },
  );
