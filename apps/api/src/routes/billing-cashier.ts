import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { billAdjustments, bills, buildings, cashierCloses, deposits, feeWaivers, payments, receipts, units, type DbOrTx, type Role } from '@estateflow/db';
import {
  accountsByUnit,
  addBuckets,
  ageArrears,
  ageingBillOf,
  AGEING_BUCKETS,
  dayBounds,
  heldTakings,
  monthRange,
  refundedTakings,
  settleAccount,
  takings,
  type AgeingBill,
  type BillState,
  type HeldTakings,
  type RefundedTakings,
  type Takings,
  type TakingsEntry,
} from '@estateflow/billing';
import { MAX_AMOUNT_FEN } from '@estateflow/definitions';
import type { AppEnv } from '../env.ts';
import { ApiError, forbidden, invalid, notFound } from '../errors.ts';
import { authOf, financeStaff, Resource } from '../route-table.ts';
import { isUuid } from '../services/body.ts';
import { accountInput, unitPlaces } from '../services/billing-store.ts';
import { estateDay, pastDay } from '../services/estate-day.ts';
import { displayNames } from '../services/people-named.ts';
import { exactTotal } from '../services/exact-total.ts';
import { refreshUnits, settledStates } from '../services/bill-paid.ts';
import * as S from '../schemas/billing-cashier.ts';
import { yearMonth } from '../schemas/common.ts';

/**
 * The cashier's day and finance's month (issue #20): the day close and hand-over (日结/交班) of one
 * cashier, the estate's month-end reconciliation by payment method (PS-7), fee waivers (减免: asked
 * by one person, decided by another with the finance permission; the approval is an adjustment in
 * the one ledger), arrears by building in ageing buckets from the due date, and deposits (押金).
 * Every money figure comes from the billing package (takings, settleAccount, ageArrears).
 */

const cashiers: readonly Role[] = ['admin', 'finance', 'property_manager', 'front_desk'];
const readers: readonly Role[] = ['admin', 'finance', 'property_manager', 'cs_manager', 'duty_manager', 'front_desk'];
const uuid = { type: 'string', format: 'uuid' } as const;
const day = { type: 'string', format: 'date' } as const;
const METHODS = ['cash', 'wechat', 'alipay', 'card', 'bank-transfer', 'home-collection', 'other'] as const;
/** A waiver's, close note's or deposit settlement's reason: 1–200 characters after trimming (as a void's and a refund's). */
const REASON_MAX = 200;

type C = Context<AppEnv>;

function reasonText(value: unknown, field: string, required = true): string | null {
  const v = typeof value === 'string' ? value.trim() : '';
  if (v.length === 0 && !required) return null;
  if (v.length === 0 || v.length > REASON_MAX) throw invalid(field, `must be 1–${REASON_MAX} characters`, `须为 1–${REASON_MAX} 个字`);
  return v;
}

const personOf = (who: Map<string, string>, id: string) => ({ id, name: who.get(id) ?? '' });

/** The payments and refunds one cashier recorded on a day of the estate's calendar, with their receipts, oldest first. */
async function dayEntries(db: DbOrTx, tenantId: string, estateId: string, cashierId: string, bounds: { start: Date; end: Date }) {
  return db.select({ payment: payments, serial: receipts.serial }).from(payments)
    .leftJoin(receipts, and(eq(receipts.tenantId, payments.tenantId), eq(receipts.paymentId, payments.id)))
    .where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), eq(payments.createdBy, cashierId), gte(payments.createdAt, bounds.start), lt(payments.createdAt, bounds.end)))
    .orderBy(asc(payments.createdAt), asc(receipts.serial), asc(payments.id));
}

const entryOf = (r: { payment: typeof payments.$inferSelect; serial: string | null }): TakingsEntry => ({ kind: r.payment.kind, method: r.payment.method, amountFen: r.payment.amountFen, serial: r.serial });

/**
 * A close's stored totals: the takings, and (closes since deposits joined the day) the deposits it
 * covered beside them, and (since deposit refunds did) the refunds it covered with their ids: a
 * refund is dated, not timed, so the close that covers it is the one that lists it.
 */
type StoredClose = Record<string, unknown> & { deposits?: HeldTakings; depositRefunds?: RefundedTakings & { ids: string[] } };
function closeTotals(stored: Record<string, unknown>): Takings {
  const { deposits: _held, depositRefunds: _refunded, ...rest } = stored as StoredClose;
  return rest as unknown as Takings;
}
const closeDeposits = (stored: Record<string, unknown>): HeldTakings => (stored as StoredClose).deposits ?? heldTakings([]);
function closeRefunds(stored: Record<string, unknown>): RefundedTakings {
  const { ids: _ids, ...refunded } = (stored as StoredClose).depositRefunds ?? { ...refundedTakings([]), ids: [] };
  return refunded;
}
const closeRefundIds = (stored: Record<string, unknown>): readonly string[] => (stored as StoredClose).depositRefunds?.ids ?? [];

/**
 * What the drawer should hold at the end of the day, by method: the takings' net (payments less
 * bill refunds), plus the deposits taken, less the deposits refunded, each added exactly.
 */
function drawerOf(day: Takings, held: HeldTakings, refunded: RefundedTakings) {
  const methods = [...new Set([...day.byMethod, ...held.byMethod, ...refunded.byMethod].map((m) => m.method))];
  const byMethod = methods.map((method) => {
    const takingsFen = day.byMethod.find((m) => m.method === method)?.netFen ?? 0;
    const depositsInFen = held.byMethod.find((m) => m.method === method)?.inFen ?? 0;
    const depositsOutFen = refunded.byMethod.find((m) => m.method === method)?.outFen ?? 0;
    return { method, takingsFen, depositsInFen, depositsOutFen, netFen: exactTotal('drawer.netFen', [takingsFen, depositsInFen, -depositsOutFen]) };
  });
  return { byMethod, netFen: exactTotal('drawer.netFen', [day.netFen, held.inFen, -refunded.outFen]) };
}

/** Whose day is read or closed: the caller's own, or (finance permission) anyone's. */
function cashierOf(c: C, estateId: string, given: string | undefined): string {
  const { userId, permissions, roles } = authOf(c);
  if (given === undefined || given === userId) return userId;
  if (!isUuid(given)) throw notFound('user', given);
  if (!permissions.get(estateId)?.has('finance')) throw forbidden(roles.get(estateId));
  return given;
}

/** The estate a day is read in, its zone and today there (estateDay). */
type EstateAt = { estateId: string; timeZone: string; today: string };

async function readDay(c: C, db: DbOrTx, { estateId, timeZone, today }: EstateAt, cashierId: string, dayOf: string) {
  const { tenantId, userId } = authOf(c);
  const bounds = dayBounds(dayOf, timeZone);
  const refundedThatDay = and(eq(deposits.tenantId, tenantId), eq(deposits.estateId, estateId), eq(deposits.status, 'refunded'), eq(deposits.settledOn, dayOf));
  const [rows, closes, others, taken, refunded, refunders] = await Promise.all([
    dayEntries(db, tenantId, estateId, cashierId, bounds),
    db.select().from(cashierCloses).where(and(eq(cashierCloses.tenantId, tenantId), eq(cashierCloses.estateId, estateId), eq(cashierCloses.day, dayOf), eq(cashierCloses.cashierId, cashierId))).orderBy(asc(cashierCloses.closedAt), asc(cashierCloses.id)),
    db.selectDistinct({ id: payments.createdBy }).from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), gte(payments.createdAt, bounds.start), lt(payments.createdAt, bounds.end))),
    // deposits (押金) this cashier took that day: money in the same drawer, apart from the bills
    db.select().from(deposits).where(and(eq(deposits.tenantId, tenantId), eq(deposits.estateId, estateId), eq(deposits.takenBy, cashierId), gte(deposits.takenAt, bounds.start), lt(deposits.takenAt, bounds.end))).orderBy(asc(deposits.takenAt), asc(deposits.id)),
    // deposits this cashier refunded (押金退还) dated that day: money out of the same drawer, by the method it was taken with
    // (a refund keeps no method or instant of its own: it is paid back the way it came, and dated, not timed)
    db.select().from(deposits).where(and(refundedThatDay, eq(deposits.settledBy, cashierId))).orderBy(asc(deposits.takenAt), asc(deposits.id)),
    db.selectDistinct({ id: deposits.settledBy }).from(deposits).where(refundedThatDay),
  ]);
  const places = await unitPlaces(db, tenantId, [...rows.map((r) => r.payment.unitId), ...taken.map((d) => d.unitId), ...refunded.map((d) => d.unitId)]);
  // prepayment (预存): the part of each payment no bill took as of the day, as settleAccount allocates it
  const payers = [...new Set(rows.filter((r) => r.payment.kind === 'payment').map((r) => r.payment.unitId))];
  const allocated = new Map<string, number>();
  if (payers.length > 0) {
    for (const account of accountsByUnit(await accountInput(db, tenantId, estateId, payers)).values()) {
      for (const a of settleAccount({ ...account, asOf: dayOf }).allocations) allocated.set(a.paymentId, (allocated.get(a.paymentId) ?? 0) + a.amountFen);
    }
  }
  const prepaidOf = (p: typeof payments.$inferSelect) => (p.kind === 'payment' ? p.amountFen - Math.min(p.amountFen, allocated.get(p.id) ?? 0) : 0);
  const who = await displayNames(db, tenantId, [userId, cashierId, ...closes.map((x) => x.closedBy), ...others.map((o) => o.id), ...refunders.map((o) => o.id)]);
  const closeNo = (at: Date): number | null => {
    const i = closes.findIndex((x) => x.closedAt.getTime() >= at.getTime());
    return i < 0 ? null : i + 1;
  };
  const entries = rows.map((r) => {
    const no = closeNo(r.payment.createdAt);
    const place = places.get(r.payment.unitId);
    return {
      paymentId: r.payment.id, kind: r.payment.kind, serial: r.serial, unitId: r.payment.unitId, unitLabel: place?.unitLabel ?? '', building: place?.building ?? '',
      method: r.payment.method, amountFen: r.payment.amountFen, receivedOn: r.payment.receivedOn, recordedAt: r.payment.createdAt.toISOString(),
      closeNo: no, afterClose: no === null && closes.length > 0, prepaidFen: prepaidOf(r.payment),
    };
  });
  const depositEntries = taken.map((d) => {
    const no = closeNo(d.takenAt);
    const place = places.get(d.unitId);
    return { depositId: d.id, kind: d.kind, unitId: d.unitId, unitLabel: place?.unitLabel ?? '', building: place?.building ?? '', method: d.method, amountFen: d.amountFen, takenAt: d.takenAt.toISOString(), status: d.status, closeNo: no, afterClose: no === null && closes.length > 0 };
  });
  // a refund is dated, not timed: listed in the order the closes covered them (then what none has yet), each close's by when the deposit was taken
  const refundEntries = refunded.map((d) => {
    const i = closes.findIndex((x) => closeRefundIds(x.totals).includes(d.id));
    const no = i < 0 ? null : i + 1;
    const place = places.get(d.unitId);
    return {
      depositId: d.id, kind: d.kind, unitId: d.unitId, unitLabel: place?.unitLabel ?? '', building: place?.building ?? '', method: d.method, amountFen: d.amountFen,
      takenOn: d.takenOn, refundedOn: d.settledOn!, refundedBy: personOf(who, d.settledBy!), reason: d.settleReason ?? '', closeNo: no, afterClose: no === null && closes.length > 0,
    };
  }).sort((a, b) => (a.closeNo ?? Number.MAX_SAFE_INTEGER) - (b.closeNo ?? Number.MAX_SAFE_INTEGER));
  const dayTakings = takings(rows.map(entryOf));
  const held = heldTakings(taken);
  const paidOut = refundedTakings(refunded);
  const ids = [...new Set([userId, cashierId, ...[...others, ...refunders].flatMap((o) => (o.id ? [o.id] : []))])];
  return {
    rows,
    body: {
      day: dayOf,
      today,
      cashier: personOf(who, cashierId),
      cashiers: ids.map((id) => personOf(who, id)),
      entries,
      takings: dayTakings,
      prepaidFen: exactTotal('prepaidFen', entries.map((e) => e.prepaidFen)),
      deposits: { entries: depositEntries, held, refunds: refundEntries, refunded: paidOut },
      drawer: drawerOf(dayTakings, held, paidOut),
      closes: closes.map((x, i) => ({ id: x.id, no: i + 1, closedAt: x.closedAt.toISOString(), closedBy: personOf(who, x.closedBy), totals: closeTotals(x.totals), deposits: closeDeposits(x.totals), refunds: closeRefunds(x.totals), note: x.note })),
      open: takings(rows.filter((r) => closeNo(r.payment.createdAt) === null).map(entryOf)),
      openDeposits: heldTakings(taken.filter((d) => closeNo(d.takenAt) === null)),
      openRefunds: refundedTakings(refunded.filter((d) => !refundEntries.find((e) => e.depositId === d.id)!.closeNo)),
    },
  };
}

/** Every bill of the estate settled as of `asOf`, through settleAccount (one figure per word on every page). */
async function settledBills(db: DbOrTx, tenantId: string, estateId: string, asOf: string, unitIds?: readonly string[]): Promise<BillState[]> {
  if (unitIds && unitIds.length === 0) return [];
  const out: BillState[] = [];
  for (const account of accountsByUnit(await accountInput(db, tenantId, estateId, unitIds)).values()) out.push(...settleAccount({ ...account, asOf }).bills);
  return out;
}

/** What a bill still owes on one component, as settleAccount has it. */
const owedOn = (s: BillState, component: 'principal' | 'late-fee') =>
  component === 'principal' ? s.principalFen - s.principalPaidFen : s.lateFee.amountFen + s.lateFeeAdjustedFen - s.lateFeePaidFen;

async function billState(db: DbOrTx, tenantId: string, estateId: string, billKey: string, on: string) {
  const [bill] = await db.select().from(bills).where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), eq(bills.key, billKey)));
  if (!bill) throw notFound('bill', billKey);
  const state = (await settledBills(db, tenantId, estateId, on, [bill.unitId])).find((b) => b.bill.key === billKey);
  if (!state) throw new ApiError('conflict', { zh: `账单 ${bill.periodId} 尚未开出`, en: `The bill for ${bill.periodId} is not issued yet` }, { field: 'billKey' });
  return { bill, state };
}

const componentZh = { principal: '本金', 'late-fee': '滞纳金' } as const;
const componentEn = { principal: 'principal', 'late-fee': 'late fee' } as const;

async function waiverRows(db: DbOrTx, tenantId: string, estateId: string, where: { status?: string; id?: string }) {
  const rows = await db.select({ w: feeWaivers, billKey: bills.key, periodId: bills.periodId }).from(feeWaivers)
    .innerJoin(bills, and(eq(bills.tenantId, feeWaivers.tenantId), eq(bills.id, feeWaivers.billId)))
    .where(and(eq(feeWaivers.tenantId, tenantId), eq(feeWaivers.estateId, estateId), where.status ? eq(feeWaivers.status, where.status as 'pending') : undefined, where.id ? eq(feeWaivers.id, where.id) : undefined))
    .orderBy(desc(feeWaivers.requestedAt), desc(feeWaivers.id))
    .limit(200);
  const [places, who] = await Promise.all([unitPlaces(db, tenantId, rows.map((r) => r.w.unitId)), displayNames(db, tenantId, rows.flatMap((r) => [r.w.requestedBy, r.w.decidedBy]))]);
  return rows.map(({ w, billKey, periodId }) => ({
    id: w.id, billKey, periodId, unitId: w.unitId, unitLabel: places.get(w.unitId)?.unitLabel ?? '', building: places.get(w.unitId)?.building ?? '',
    component: w.component, amountFen: w.amountFen, reason: w.reason, status: w.status,
    requestedBy: personOf(who, w.requestedBy), requestedAt: w.requestedAt.toISOString(),
    decidedBy: w.decidedBy ? personOf(who, w.decidedBy) : null, decidedAt: w.decidedAt?.toISOString() ?? null, decisionNote: w.decisionNote, adjustmentId: w.adjustmentId,
  }));
}

async function depositRows(db: DbOrTx, tenantId: string, estateId: string, where: { unitId?: string; id?: string }) {
  const rows = await db.select().from(deposits)
    .where(and(eq(deposits.tenantId, tenantId), eq(deposits.estateId, estateId), where.unitId ? eq(deposits.unitId, where.unitId) : undefined, where.id ? eq(deposits.id, where.id) : undefined))
    .orderBy(desc(deposits.takenAt), desc(deposits.id))
    .limit(200);
  const [places, who] = await Promise.all([unitPlaces(db, tenantId, rows.map((r) => r.unitId)), displayNames(db, tenantId, rows.flatMap((r) => [r.takenBy, r.settledBy]))]);
  return rows.map((d) => ({
    id: d.id, unitId: d.unitId, unitLabel: places.get(d.unitId)?.unitLabel ?? '', building: places.get(d.unitId)?.building ?? '', kind: d.kind, amountFen: d.amountFen, method: d.method,
    takenOn: d.takenOn, takenBy: personOf(who, d.takenBy), note: d.note, status: d.status, settledOn: d.settledOn, settledBy: d.settledBy ? personOf(who, d.settledBy) : null, settleReason: d.settleReason,
  }));
}

async function unitOf(db: DbOrTx, tenantId: string, estateId: string, unitId: string) {
  const [unit] = isUuid(unitId) ? await db.select({ id: units.id, buildingId: units.buildingId }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId))) : [];
  if (!unit) throw notFound('unit', unitId);
  return unit;
}

export const billingCashierRoutes = new Resource('/billing', 'Billing')
  .get(
    '/cashier-day',
    {
      responses: { 200: S.cashierDay },
      summary: "A cashier's day (日结/交班): the payments and refunds they recorded on a day of the estate's calendar (today by default), by method, against the receipts and slips issued with their serial range; the deposits they took and refunded (押金, 押金退还) that day beside them, and what the drawer should hold by method; the day's closes, and what no close covers yet (after-close). Anyone at the counter reads their own; the finance permission reads anyone's",
      errors: [422],
      access: cashiers,
      estate: { from: 'query' },
      query: { estateId: uuid, day, cashierId: uuid },
      queryRequired: ['estateId'],
    },
    async (c, { query }) => {
      const at = await estateDay(c, query.estateId);
      const cashierId = cashierOf(c, at.estateId, query.cashierId);
      const dayOf = pastDay(query.day, at.today, 'day');
      return c.json((await readDay(c, at.db, at, cashierId, dayOf)).body);
    },
  )
  .post(
    '/cashier-day/close',
    {
      responses: { 200: S.cashierClosed },
      summary: "Close a cashier's day (日结/交班): records who closed it, when, and the totals of what no earlier close covers; payments of that day recorded later show as after-close until the next close. The cashier closes their own day; the finance permission closes anyone's. A day with nothing new since its last close is refused (409)",
      errors: [409, 422],
      access: cashiers,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId'], properties: { estateId: uuid, day, cashierId: uuid, note: { type: 'string', maxLength: REASON_MAX, description: '交班备注, optional' } } },
    },
    async (c, { body }) => {
      const at = await estateDay(c, body.estateId);
      const { estateId, tenantId, userId, db, config, today } = at;
      const cashierId = cashierOf(c, estateId, body.cashierId);
      const dayOf = pastDay(body.day, today, 'day');
      const note = reasonText(body.note, 'note', false);
      const made = await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cashier-close:${tenantId}:${estateId}:${cashierId}:${dayOf}`}))`);
        const { body: read } = await readDay(c, tx, at, cashierId, dayOf);
        const openRefunds = read.deposits.refunds.filter((r) => r.closeNo === null);
        const open = [...read.entries.filter((e) => e.closeNo === null), ...read.deposits.entries.filter((d) => d.closeNo === null), ...openRefunds];
        if (read.closes.length > 0 && open.length === 0) {
          const last = read.closes[read.closes.length - 1]!;
          throw new ApiError('conflict', { zh: `${dayOf} 已日结（第 ${last.no} 次），之后没有新的收款`, en: `${dayOf} is already closed (close ${last.no}) and nothing was taken since` }, { field: 'day' });
        }
        const totals = read.open;
        const held = read.openDeposits;
        const refunds = read.openRefunds;
        const stored = { ...totals, deposits: held, depositRefunds: { ...refunds, ids: openRefunds.map((r) => r.depositId) } };
        const row = { tenantId, id: randomUUID(), estateId, cashierId, day: dayOf, closedAt: config.now(), closedBy: userId, totals: stored as unknown as Record<string, unknown>, note };
        await tx.insert(cashierCloses).values(row);
        const who = await displayNames(tx, tenantId, [userId]);
        return { id: row.id, no: read.closes.length + 1, closedAt: row.closedAt.toISOString(), closedBy: personOf(who, userId), totals, deposits: held, refunds, note };
      });
      return c.json(made);
    },
  )
  .get(
    '/reconciliation',
    {
      responses: { 200: S.reconciliation },
      summary: "Month-end reconciliation (月末对账, PS-7): the estate's payments and refunds received in a month (YYYY-MM), by payment method against the receipts and slips issued, by cashier (with their day closes) and by day",
      access: financeStaff,
      estate: { from: 'query' },
      query: { estateId: uuid, month: yearMonth },
      queryRequired: ['estateId', 'month'],
    },
    async (c, { query }) => {
      const { estateId, tenantId, db } = await estateDay(c, query.estateId);
      const month = query.month!;
      const { from, to } = monthRange(month);
      const [rows, closes] = await Promise.all([
        db.select({ payment: payments, serial: receipts.serial }).from(payments)
          .leftJoin(receipts, and(eq(receipts.tenantId, payments.tenantId), eq(receipts.paymentId, payments.id)))
          .where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), gte(payments.receivedOn, from), lte(payments.receivedOn, to)))
          .orderBy(asc(payments.receivedOn), asc(payments.createdAt)),
        db.select({ cashierId: cashierCloses.cashierId }).from(cashierCloses).where(and(eq(cashierCloses.tenantId, tenantId), eq(cashierCloses.estateId, estateId), gte(cashierCloses.day, from), lte(cashierCloses.day, to))),
      ]);
      const cashierIds = [...new Set(rows.flatMap((r) => (r.payment.createdBy ? [r.payment.createdBy] : [])))];
      const who = await displayNames(db, tenantId, cashierIds);
      const byCashier = cashierIds.map((id) => {
        const t = takings(rows.filter((r) => r.payment.createdBy === id).map(entryOf));
        return { cashier: personOf(who, id), inFen: t.inFen, outFen: t.outFen, netFen: t.netFen, entries: rows.filter((r) => r.payment.createdBy === id).length, closes: closes.filter((x) => x.cashierId === id).length };
      });
      const days = [...new Set(rows.map((r) => r.payment.receivedOn))].sort();
      const byDay = days.map((d) => {
        const t = takings(rows.filter((r) => r.payment.receivedOn === d).map(entryOf));
        return { day: d, inFen: t.inFen, outFen: t.outFen, netFen: t.netFen };
      });
      return c.json({ month, from, to, takings: takings(rows.map(entryOf)), byCashier, byDay });
    },
  )
  .get(
    '/waivers',
    { responses: { 200: S.waiverList }, summary: 'Fee waivers (减免) of the estate, newest first (200 at most), optionally only those of one status', access: readers, estate: { from: 'query' }, query: { estateId: uuid, status: { enum: ['pending', 'approved', 'rejected'] } }, queryRequired: ['estateId'] },
    async (c, { query }) => {
      const { estateId, tenantId, db } = await estateDay(c, query.estateId);
      return c.json({ items: await waiverRows(db, tenantId, estateId, query.status ? { status: query.status } : {}) });
    },
  )
  .post(
    '/waivers',
    {
      responses: { 200: S.waiver },
      summary: "Ask for a fee waiver (减免) on a bill's principal or late fee, with a reason; it moves no money until someone else with the finance permission approves it. At most what the component still owes today (422 otherwise)",
      errors: [422],
      access: cashiers,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'billKey', 'component', 'amountFen', 'reason'], properties: { estateId: uuid, billKey: { type: 'string', minLength: 1 }, component: { enum: ['principal', 'late-fee'] }, amountFen: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, reason: { type: 'string', description: `减免原因, 1–${REASON_MAX} characters after trimming` } } },
    },
    async (c, { body }) => {
      const { estateId, tenantId, userId, db, config, today } = await estateDay(c, body.estateId);
      const { billKey, component, amountFen } = body;
      const reason = reasonText(body.reason, 'reason')!;
      if (amountFen > MAX_AMOUNT_FEN) throw invalid('amountFen', `must be at most ${MAX_AMOUNT_FEN} fen (100,000,000 yuan)`, `不能超过 ${MAX_AMOUNT_FEN} 分（1 亿元）`);
      const { bill, state } = await billState(db, tenantId, estateId, billKey, today);
      const owed = owedOn(state, component);
      if (amountFen > owed) {
        throw new ApiError('form-invalid', { zh: `字段“amountFen”：减免不能超过该账单${componentZh[component]}尚欠的 ${owed} 分`, en: `Field "amountFen": a waiver cannot exceed the ${owed} fen of ${componentEn[component]} the bill still owes` }, { field: 'amountFen' });
      }
      const id = randomUUID();
      await db.insert(feeWaivers).values({ tenantId, id, estateId, billId: bill.id, unitId: bill.unitId, component, amountFen, reason, requestedBy: userId, requestedAt: config.now(), status: 'pending' });
      return c.json((await waiverRows(db, tenantId, estateId, { id }))[0]!);
    },
  )
  .post(
    '/waivers/decide',
    {
      responses: { 200: S.waiver },
      summary: "Approve or reject a pending fee waiver (finance permission; not the person who asked for it). Approval appends the adjustment (−amount, reason 减免：…) to the bill in the one ledger, dated today, so settleAccount and every billing figure reflect it; the bill is never edited. A waiver already decided, or one now larger than what the bill owes, is refused (409)",
      errors: [409],
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'waiverId', 'decision'], properties: { estateId: uuid, waiverId: uuid, decision: { enum: ['approve', 'reject'] }, note: { type: 'string', maxLength: REASON_MAX, description: '审批意见, optional' } } },
    },
    async (c, { body }) => {
      const { estateId, tenantId, userId, db, config, today } = await estateDay(c, body.estateId);
      const { waiverId, decision } = body;
      const note = reasonText(body.note, 'note', false);
      await db.transaction(async (tx) => {
        const [w] = await tx.select({ w: feeWaivers, billKey: bills.key, issueOn: bills.issueOn }).from(feeWaivers)
          .innerJoin(bills, and(eq(bills.tenantId, feeWaivers.tenantId), eq(bills.id, feeWaivers.billId)))
          .where(and(eq(feeWaivers.tenantId, tenantId), eq(feeWaivers.estateId, estateId), eq(feeWaivers.id, waiverId)));
        if (!w) throw notFound('waiver', waiverId);
        if (w.w.requestedBy === userId) throw new ApiError('forbidden', { zh: '减免须由申请人以外的人审批', en: 'A waiver must be decided by someone other than the person who asked for it' }, { field: 'waiverId' });
        if (w.w.status !== 'pending') throw new ApiError('conflict', { zh: '该减免申请已处理', en: 'This waiver has already been decided' }, { field: 'waiverId' });
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`billing:${tenantId}:${w.w.unitId}`}))`);
        let adjustmentId: string | null = null;
        if (decision === 'approve') {
          const { state } = await billState(tx, tenantId, estateId, w.billKey, today);
          const owed = owedOn(state, w.w.component);
          if (w.w.amountFen > owed) {
            throw new ApiError('conflict', { zh: `该账单${componentZh[w.w.component]}现只欠 ${owed} 分，少于申请减免的 ${w.w.amountFen} 分；请驳回后重新申请`, en: `The bill now owes only ${owed} fen of ${componentEn[w.w.component]}, less than the ${w.w.amountFen} fen asked; reject and ask again` }, { field: 'waiverId' });
          }
          adjustmentId = randomUUID();
          await tx.insert(billAdjustments).values({
            tenantId, id: adjustmentId, estateId, billId: w.w.billId, on: today < w.issueOn ? w.issueOn : today, component: w.w.component, amountFen: -w.w.amountFen,
            reason: { zh: `减免：${w.w.reason}`, en: `Waiver: ${w.w.reason}` }, createdAt: config.now(), createdBy: userId,
          });
          await refreshUnits(tx, tenantId, estateId, [w.w.unitId], config.now());
        }
        const done = await tx.update(feeWaivers)
          .set({ status: decision === 'approve' ? 'approved' : 'rejected', decidedBy: userId, decidedAt: config.now(), decisionNote: note, adjustmentId })
          .where(and(eq(feeWaivers.tenantId, tenantId), eq(feeWaivers.id, waiverId), eq(feeWaivers.status, 'pending')))
          .returning({ id: feeWaivers.id });
        if (done.length === 0) throw new ApiError('conflict', { zh: '该减免申请已处理', en: 'This waiver has already been decided' }, { field: 'waiverId' });
      });
      return c.json((await waiverRows(db, tenantId, estateId, { id: waiverId }))[0]!);
    },
  )
  .get(
    '/arrears/buildings',
    {
      responses: { 200: S.arrearsByBuilding },
      summary: "Arrears (欠费) by building as of a date (today by default): what bills past their due date still owe, principal and late fee as settleAccount has them, in ageing buckets 0–30, 31–90, 91–180, 181–365 and over 365 days past due (ageArrears)",
      access: readers,
      estate: { from: 'query' },
      query: { estateId: uuid, asOf: day },
      queryRequired: ['estateId'],
    },
    async (c, { query }) => {
      const { estateId, tenantId, db, today } = await estateDay(c, query.estateId);
      const asOf = query.asOf ?? today;
      const [states, homes] = await Promise.all([
        settledStates(db, tenantId, estateId, asOf).then((r) => r.states),
        db.select({ unitId: units.id, buildingId: buildings.id, building: buildings.name }).from(units)
          .innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
          .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId))),
      ]);
      const ageing = ageArrears(states.map(ageingBillOf), asOf);
      const homeOf = new Map(homes.map((h) => [h.unitId, h]));
      const byBuilding = new Map<string, { building: string; units: typeof ageing.units[number][] }>();
      for (const u of ageing.units) {
        const h = homeOf.get(u.unitId);
        if (!h) continue;
        let b = byBuilding.get(h.buildingId);
        if (!b) byBuilding.set(h.buildingId, (b = { building: h.building, units: [] }));
        b.units.push(u);
      }
      const list = [...byBuilding].map(([buildingId, b]) => {
        const buckets = addBuckets(b.units.map((u) => u.buckets));
        return { buildingId, building: b.building, units: b.units.length, buckets, totalFen: exactTotal('totalFen', AGEING_BUCKETS.map((k) => buckets[k])) };
      }).sort((a, b) => a.building.localeCompare(b.building, 'zh-CN', { numeric: true }));
      return c.json({ asOf, buildings: list, totals: ageing.totals, totalFen: ageing.totalFen });
    },
  )
  .get(
    '/arrears/building',
    {
      responses: { 200: S.arrearsOfBuilding },
      summary: "One building's arrears by unit, each with its overdue bills (days past due, bucket, what it owes), to drill down to a unit's statement (GET /api/billing/statements)",
      access: readers,
      estate: { from: 'query' },
      query: { estateId: uuid, buildingId: uuid, asOf: day },
      queryRequired: ['estateId', 'buildingId'],
    },
    async (c, { query }) => {
      const { estateId, tenantId, db, today } = await estateDay(c, query.estateId);
      const buildingId = query.buildingId!;
      const [building] = isUuid(buildingId) ? await db.select({ id: buildings.id, name: buildings.name }).from(buildings).where(and(eq(buildings.tenantId, tenantId), eq(buildings.estateId, estateId), eq(buildings.id, buildingId))) : [];
      if (!building) throw notFound('building', buildingId);
      const asOf = query.asOf ?? today;
      const own = await db.select({ id: units.id, label: units.label }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.buildingId, building.id)));
      const labelOf = new Map(own.map((u) => [u.id, u.label]));
      const { states } = await settledStates(db, tenantId, estateId, asOf, own.map((u) => u.id));
      const fed: AgeingBill[] = states.map(ageingBillOf);
      const ageing = ageArrears(fed, asOf);
      const list = ageing.units
        .map((u) => ({ unitId: u.unitId, unitLabel: labelOf.get(u.unitId) ?? '', buckets: u.buckets, totalFen: u.totalFen, bills: u.bills.map((b) => ({ ...b })) }))
        .sort((a, b) => a.unitLabel.localeCompare(b.unitLabel, 'zh-CN', { numeric: true }));
      return c.json({ asOf, buildingId: building.id, building: building.name, units: list, totals: ageing.totals, totalFen: ageing.totalFen });
    },
  )
  .get(
    '/deposits',
    { responses: { 200: S.depositList }, summary: 'Deposits (押金, e.g. 装修押金) of the estate or of one unit, newest first (200 at most), with the total still held', access: readers, estate: { from: 'query' }, query: { estateId: uuid, unitId: uuid }, queryRequired: ['estateId'] },
    async (c, { query }) => {
      const { estateId, tenantId, db } = await estateDay(c, query.estateId);
      const items = await depositRows(db, tenantId, estateId, query.unitId ? { unitId: query.unitId } : {});
      return c.json({ items, heldFen: exactTotal('heldFen', items.filter((d) => d.status === 'held').map((d) => d.amountFen)) });
    },
  )
  .post(
    '/deposits',
    {
      responses: { 200: S.deposit },
      summary: 'Take a deposit (押金) for a unit, e.g. 装修押金 (kind "renovation"): held apart from its bills until refunded or forfeited; dated today or earlier',
      errors: [422],
      access: cashiers,
      estate: { from: 'body' },
      body: {
        type: 'object',
        required: ['estateId', 'unitId', 'kind', 'amountFen', 'method'],
        properties: { estateId: uuid, unitId: uuid, kind: { type: 'string', minLength: 1, maxLength: 40, examples: ['renovation'] }, amountFen: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, method: { enum: METHODS }, takenOn: day, note: { type: 'string', maxLength: REASON_MAX } },
      },
    },
    async (c, { body }) => {
      const { estateId, tenantId, userId, db, config, today } = await estateDay(c, body.estateId);
      const { unitId, kind, amountFen, method } = body;
      if (amountFen > MAX_AMOUNT_FEN) throw invalid('amountFen', `must be at most ${MAX_AMOUNT_FEN} fen (100,000,000 yuan)`, `不能超过 ${MAX_AMOUNT_FEN} 分（1 亿元）`);
      await unitOf(db, tenantId, estateId, unitId);
      const takenOn = pastDay(body.takenOn, today, 'takenOn');
      const id = randomUUID();
      await db.insert(deposits).values({ tenantId, id, estateId, unitId, kind: kind.trim(), amountFen, method, takenOn, takenBy: userId, takenAt: config.now(), note: reasonText(body.note, 'note', false), status: 'held' });
      return c.json((await depositRows(db, tenantId, estateId, { id }))[0]!);
    },
  )
  .post(
    '/deposits/settle',
    {
      responses: { 200: S.deposit },
      summary: 'Refund or forfeit a held deposit, once, with a reason (finance permission); a deposit already settled is refused (409)',
      errors: [409, 422],
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'depositId', 'outcome', 'reason'], properties: { estateId: uuid, depositId: uuid, outcome: { enum: ['refunded', 'forfeited'] }, reason: { type: 'string', description: `1–${REASON_MAX} characters after trimming` }, on: day } },
    },
    async (c, { body }) => {
      const { estateId, tenantId, userId, db, today } = await estateDay(c, body.estateId);
      const { depositId, outcome } = body;
      const reason = reasonText(body.reason, 'reason')!;
      const on = pastDay(body.on, today, 'on');
      const [d] = await db.select().from(deposits).where(and(eq(deposits.tenantId, tenantId), eq(deposits.estateId, estateId), eq(deposits.id, depositId)));
      if (!d) throw notFound('deposit', depositId);
      if (on < d.takenOn) throw invalid('on', `must not be before the day the deposit was taken (${d.takenOn})`, `不得早于收取押金的日期（${d.takenOn}）`);
      const done = await db.update(deposits).set({ status: outcome, settledOn: on, settledBy: userId, settleReason: reason })
        .where(and(eq(deposits.tenantId, tenantId), eq(deposits.id, depositId), eq(deposits.status, 'held')))
        .returning({ id: deposits.id });
      if (done.length === 0) throw new ApiError('conflict', { zh: '该押金已退还或没收', en: 'This deposit has already been refunded or forfeited' }, { field: 'depositId' });
      return c.json((await depositRows(db, tenantId, estateId, { id: depositId }))[0]!);
    },
  );
