import { createHash } from 'node:crypto';
import { and, asc, eq, gte, isNotNull, lt, lte, gt, sql, type SQL } from 'drizzle-orm';
import { billAdjustments, billPaid, billPaidEstates, bills, estates, feeWaivers, payments, receipts, type DbOrTx } from '@estateflow/db';
import {
  accountsByUnit, billStateOf, feeMonthUnit, feeMonthUnitOfPaid, incomeAllocations, incomeAllocationsOfPaid, paidTotals, settleAccount,
  type AccountInput, type AccountState, type Bill, type BillingPlan, type BillState, type PaidTotal, type CivilDate, type FeeMonthUnit,
  type IncomeAllocation, type IncomeMoney, type PaymentMethod,
} from '@estateflow/billing';
import { accountInput, billingDocuments, billLinesOf } from './billing-store.ts';
import { uuidArray } from './keyset.ts';
import { rowsOf } from '../store/sql.ts';

/**
 * The per-bill paid total (`bill_paid`, issue #21): what settleAccount has allocated to each bill
 * after all of its unit's history, so that the arrears read an estate's open bills instead of
 * settling every account on each request.
 *
 * One writer: `refreshUnits`, called by every billing write (a payment or refund, an adjustment,
 * a waiver, a bill issued) in the same transaction, after its insert. It takes the unit's billing
 * lock (the one a payment takes), settles the unit from bills, payments and adjustments (which stay
 * append-only, the truth) and rewrites the unit's rows. `recomputeEstate` does the same for every
 * unit of an estate, a batch at a time (`pnpm wf rollups recompute`, a plan save).
 *
 * An estate's rows are trusted only when `bill_paid_estates` says they cover all of its bills and
 * were settled with the plans it has now, in the rows' current format (a hash of both); otherwise
 * `settledStates` and `feeMonthInput` settle in full, as before (correct, slower) until a recompute.
 */

/** The unit's billing lock: one writer per unit at a time (the refund check, the allocation, these rows). */
export const unitLockKey = (tenantId: string, unitId: string) => `billing:${tenantId}:${unitId}`;

/**
 * The rows' format: raised when a row gains what older rows lack (2: every dated change, migration
 * 0045), so the marks of estates whose rows are older mismatch and nothing reads them until a recompute.
 */
const PAID_FORMAT = 2;

/** A fingerprint of an estate's billing plans and the rows' format: rows settled with other plans, or of an older format, are not used. */
export function plansHash(plans: readonly BillingPlan[]): string {
  const sorted = [...plans].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(JSON.stringify({ format: PAID_FORMAT, plans: sorted })).digest('hex');
}

async function plansOf(db: DbOrTx, tenantId: string, estateId: string): Promise<BillingPlan[]> {
  return [...(await billingDocuments(db, tenantId, estateId, 'billing-plan')).values()].map((p) => p as unknown as BillingPlan);
}

/** The estate's refresh lock: shared by a refresh of a few units, exclusive for one of many (a billing run, a recompute batch). */
const estateRefreshKey = (tenantId: string, estateId: string) => `billing-refresh:${tenantId}:${estateId}`;
/** Above this many units a refresh takes the estate's lock alone, not one lock per unit (a 10,000-unit run would overflow PostgreSQL's lock table). */
const MANY_UNITS = 32;

/**
 * Settles `unitIds` and rewrites their rows; returns the plans' hash. A few units are locked each
 * (in order, under the estate's lock shared); many take the estate's lock exclusively instead, held
 * to the commit, so a payment's refresh of one unit waits for a billing run's refresh and then sees
 * its bills, and the run's refresh waits for payments already refreshing and then sees them.
 */
/** A unit's account as its writer has just read it (after its insert) and settled it: the refresh reads and settles it no second time. */
export type ReadAccount = { unitId: string; input: Omit<AccountInput, 'asOf'>; settled?: { asOf: CivilDate; state: AccountState } };

async function rewriteUnits(tx: DbOrTx, tenantId: string, estateId: string, unitIds: readonly string[], given?: ReadAccount): Promise<string> {
  const sorted = [...new Set(unitIds)].sort();
  if (sorted.length > MANY_UNITS) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${estateRefreshKey(tenantId, estateId)}))`);
  } else {
    await tx.execute(sql`select pg_advisory_xact_lock_shared(hashtext(${estateRefreshKey(tenantId, estateId)}))`);
    for (const u of sorted) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${unitLockKey(tenantId, u)}))`);
  }
  // the writer's own reading of the unit, taken after its lock and insert, or the units' accounts read now
  const reuse = given && sorted.length === 1 && sorted[0] === given.unitId;
  const [input, ids] = await Promise.all([
    reuse ? given.input : accountInput(tx, tenantId, estateId, sorted),
    tx.select({ id: bills.id, key: bills.key, unitId: bills.unitId, issueOn: bills.issueOn }).from(bills)
      .where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), sql`${bills.unitId} = any(${uuidArray(sorted)})`)),
  ]);
  const byKey = new Map(ids.map((b) => [b.key, b]));
  const rows: (typeof billPaid.$inferInsert)[] = [];
  for (const [unitId, account] of accountsByUnit(input)) {
    for (const t of paidTotals(account, reuse ? given.settled : undefined)) {
      const b = byKey.get(t.billKey)!;
      rows.push({
        tenantId, billId: b.id, estateId, unitId, issueOn: b.issueOn, changedOn: t.changedOn, principalFen: t.principalFen, principalPaidFen: t.principalPaidFen,
        principalPayments: t.principalPayments.map((p) => ({ on: p.on, amountFen: p.amountFen })), lateFeeAdjustedFen: t.lateFeeAdjustedFen, lateFeePaidFen: t.lateFeePaidFen,
        lateFeePayments: t.lateFeePayments.map((p) => ({ on: p.on, amountFen: p.amountFen })), adjustments: t.adjustments.map((a) => ({ on: a.on, component: a.component, amountFen: a.amountFen })), open: t.open,
      });
    }
  }
  await tx.delete(billPaid).where(and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId), sql`${billPaid.unitId} = any(${uuidArray(sorted)})`));
  for (let i = 0; i < rows.length; i += 1000) await tx.insert(billPaid).values(rows.slice(i, i + 1000));
  return plansHash(input.plans);
}

/**
 * THE writer of `bill_paid`: after a billing write of these units (in its transaction), settle them
 * again and rewrite their rows. The first write of an estate whose bills are all of these units
 * marks the estate covered (a new estate); an estate with other bills is marked by a recompute.
 */
export async function refreshUnits(tx: DbOrTx, tenantId: string, estateId: string, unitIds: readonly string[], now: Date, given?: ReadAccount): Promise<void> {
  if (unitIds.length === 0) return;
  const hash = await rewriteUnits(tx, tenantId, estateId, unitIds, given);
  const [mark] = await tx.select({ hash: billPaidEstates.plansHash }).from(billPaidEstates).where(and(eq(billPaidEstates.tenantId, tenantId), eq(billPaidEstates.estateId, estateId)));
  if (mark) return;
  const [other] = await tx.select({ one: sql<number>`1` }).from(bills)
    .where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), sql`not (${bills.unitId} = any(${uuidArray([...new Set(unitIds)])}))`)).limit(1);
  if (!other) await tx.insert(billPaidEstates).values({ tenantId, estateId, plansHash: hash, refreshedAt: now }).onConflictDoNothing();
}

/**
 * Recomputes an estate's rows from bills, payments and adjustments, `batch` units per transaction
 * (each batch under the estate's refresh lock, so payments wait at most one batch), then marks the estate covered with its plans.
 * Returns the number of bills.
 */
export async function recomputeEstate(db: DbOrTx, tenantId: string, estateId: string, now: Date, batch = 200): Promise<number> {
  const plans = await plansOf(db, tenantId, estateId);
  const unitRows = await db.selectDistinct({ unitId: bills.unitId }).from(bills).where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId))).orderBy(asc(bills.unitId));
  const all = unitRows.map((r) => r.unitId);
  // (bills are never deleted: a unit with rows has bills, so every row is rewritten below; a unit first billed
  // meanwhile wrote its own rows in its billing write)
  for (let i = 0; i < all.length; i += batch) {
    await db.transaction(async (tx) => {
      await rewriteUnits(tx, tenantId, estateId, all.slice(i, i + batch));
    });
  }
  const hash = plansHash(plans);
  await db.insert(billPaidEstates).values({ tenantId, estateId, plansHash: hash, refreshedAt: now })
    .onConflictDoUpdate({ target: [billPaidEstates.tenantId, billPaidEstates.estateId], set: { plansHash: hash, refreshedAt: now } });
  const [n] = await db.select({ n: sql<number>`count(*)::int` }).from(billPaid).where(and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId)));
  return n?.n ?? 0;
}

/** Every estate's rows (or a company's, or one estate's), for repair: `pnpm wf rollups recompute`. Returns the number of bills. */
export async function recomputePaidTotals(db: DbOrTx, opts: { now: Date; tenantId?: string; estateId?: string }): Promise<number> {
  const conds: SQL[] = [];
  if (opts.tenantId) conds.push(eq(estates.tenantId, opts.tenantId));
  if (opts.estateId) conds.push(eq(estates.id, opts.estateId));
  const list = await db.select({ tenantId: estates.tenantId, id: estates.id }).from(estates).where(conds.length ? and(...conds) : undefined);
  let n = 0;
  for (const e of list) n += await recomputeEstate(db, e.tenantId, e.id, opts.now);
  return n;
}

/**
 * The estates with bills whose rows are not trusted (no mark, or a mark of other plans or of an
 * older format: after an upgrade such as 0045, or a mark lost), for the worker to repair one at a
 * time (`recomputeEstate`); until then their arrears and statistics settle in full, correct and slower.
 */
export async function untrustedEstates(db: DbOrTx): Promise<{ tenantId: string; estateId: string }[]> {
  const billed = rowsOf<{ tenantId: string; estateId: string }>(await db.execute(sql`
    select e.tenant_id as "tenantId", e.id as "estateId" from ${estates} e
    where exists (select 1 from ${bills} b where b.tenant_id = e.tenant_id and b.estate_id = e.id)
    order by e.tenant_id, e.id`));
  const out: { tenantId: string; estateId: string }[] = [];
  for (const e of billed) if (!(await trustedPlans(db, e.tenantId, e.estateId)).trusted) out.push(e);
  return out;
}

/** The estate's billing plans, and whether its `bill_paid` rows are complete and were settled with them (its mark's plans hash). */
async function trustedPlans(db: DbOrTx, tenantId: string, estateId: string): Promise<{ plans: BillingPlan[]; trusted: boolean }> {
  const [plans, [mark]] = await Promise.all([
    plansOf(db, tenantId, estateId),
    db.select({ hash: billPaidEstates.plansHash }).from(billPaidEstates).where(and(eq(billPaidEstates.tenantId, tenantId), eq(billPaidEstates.estateId, estateId))),
  ]);
  return { plans, trusted: !!mark && mark.hash === plansHash(plans) };
}

/** A bill row as billing reads it beside its paid totals (no lines: a bill's state does not need them). */
const billOfRow = (b: Pick<typeof bills.$inferSelect, 'key' | 'planKey' | 'unitId' | 'periodId' | 'periodStart' | 'periodEnd' | 'issueOn' | 'payBy' | 'scheduleVersion' | 'totalFen'>): Bill => ({
  key: b.key, planId: b.planKey, unitId: b.unitId, periodId: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd,
  issueOn: b.issueOn, payBy: b.payBy, scheduleVersion: b.scheduleVersion, totalFen: b.totalFen, lines: [],
});

/**
 * Every issued bill's state as of `asOf` that may owe or be owed anything (of the estate, or of
 * `unitIds`), as settleAccount has it: from `bill_paid` for the open bills of units not changed
 * after `asOf`, by settling in full the units changed after it, or the whole estate when its rows
 * are not trusted. Bills that owe nothing and are owed nothing may be left out. Also how many
 * bills are issued by `asOf` (`billsIssued`, as settleAccount counts them).
 */
export function settledStates(db: DbOrTx, tenantId: string, estateId: string, asOf: string, unitIds?: readonly string[]): Promise<SettledStates> {
  // one settle answers every caller asking the same while it runs (a bills page asks the list sorted by amount owed and the arrears at once)
  const key = `${tenantId}|${estateId}|${asOf}|${unitIds ? [...unitIds].sort().join(',') : '*'}`;
  let running = inFlight.get(db);
  if (!running) inFlight.set(db, (running = new Map()));
  const shared = running.get(key);
  if (shared) return shared;
  const mine = running;
  const settling = settle(db, tenantId, estateId, asOf, unitIds).finally(() => mine.delete(key));
  running.set(key, settling);
  return settling;
}

/** What `settledStates` answers: the states are shared by the callers that asked at once, not to be changed. */
export type SettledStates = { readonly states: readonly BillState[]; readonly billsIssued: number; readonly cached: boolean };
/** The settles running now, by database (a transaction has its own) and question. */
const inFlight = new WeakMap<DbOrTx, Map<string, Promise<SettledStates>>>();

async function settle(db: DbOrTx, tenantId: string, estateId: string, asOf: string, unitIds?: readonly string[]): Promise<SettledStates> {
  if (unitIds && unitIds.length === 0) return { states: [], billsIssued: 0, cached: true };
  const settleAll = async (units?: readonly string[]) => {
    const out: BillState[] = [];
    if (units && units.length === 0) return out;
    for (const account of accountsByUnit(await accountInput(db, tenantId, estateId, units)).values()) out.push(...settleAccount({ ...account, asOf }).bills);
    return out;
  };
  const { plans, trusted } = await trustedPlans(db, tenantId, estateId);
  if (!trusted) {
    const states = await settleAll(unitIds);
    return { states, billsIssued: states.length, cached: false };
  }
  const mine = and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId), unitIds ? sql`${billPaid.unitId} = any(${uuidArray(unitIds)})` : undefined);
  const [changed, open, [issued]] = await Promise.all([
    db.selectDistinct({ unitId: billPaid.unitId }).from(billPaid).where(and(mine, gt(billPaid.changedOn, asOf), lte(billPaid.issueOn, asOf))),
    stateRows(db, and(mine, eq(billPaid.open, true), lte(billPaid.issueOn, asOf)), 'since its change'),
    db.select({ n: sql<number>`count(*)::int` }).from(billPaid).where(and(mine, lte(billPaid.issueOn, asOf))),
  ]);
  const stale = new Set(changed.map((r) => r.unitId));
  const planOf = new Map(plans.map((p) => [p.id, p]));
  const states: BillState[] = [];
  for (const { paid: p, bill: b } of open) {
    if (stale.has(p.unitId)) continue;
    const plan = planOf.get(b.planKey);
    if (!plan) continue;
    const bill = billOfRow(b);
    states.push(billStateOf(plan, bill, { billKey: b.key, ...p }, asOf));
  }
  states.push(...(await settleAll([...stale])));
  return { states, billsIssued: issued?.n ?? 0, cached: true };
}

/**
 * The states as of `asOf` of a page of an estate's bills (issued by then), with their lines, by bill
 * key: from their rows when the estate's rows are trusted (a row answers any day from its bill's
 * issue: `billStateOf`, the one late-fee rule, equal to settling the unit; see `PaidTotal`), so a page
 * of 50 bills reads 50 rows, not its units' whole histories. A bill of a plan the estate no longer has
 * is left out, as settleAccount leaves it. Undefined when the rows are not trusted: the caller settles.
 */
export async function pageStates(db: DbOrTx, tenantId: string, estateId: string, asOf: CivilDate, page: readonly { id: string; key: string }[]): Promise<Map<string, BillState> | undefined> {
  const out = new Map<string, BillState>();
  if (page.length === 0) return out;
  const [{ plans, trusted }, rows, lines] = await Promise.all([
    trustedPlans(db, tenantId, estateId),
    stateRows(db, and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId), sql`${billPaid.billId} = any(${uuidArray(page.map((b) => b.id))})`), 'any day'),
    billLinesOf(db, tenantId, estateId, page.map((b) => b.key)),
  ]);
  if (!trusted) return undefined;
  const planOf = new Map(plans.map((p) => [p.id, p]));
  for (const { paid: p, bill: b } of rows) {
    const plan = planOf.get(b.planKey);
    if (!plan || b.issueOn > asOf) continue;
    out.set(b.key, billStateOf(plan, { ...billOfRow(b), lines: lines.get(b.key) ?? [] }, { billKey: b.key, ...p }, asOf));
  }
  return out;
}

/** A bill and its paid total as `stateRows` reads them. */
type StateRow = {
  paid: Omit<PaidTotal, 'billKey'> & { unitId: string };
  bill: Pick<typeof bills.$inferSelect, 'key' | 'planKey' | 'unitId' | 'periodId' | 'periodStart' | 'periodEnd' | 'issueOn' | 'payBy' | 'scheduleVersion' | 'totalFen'>;
};

/**
 * Bills' paid totals with the columns a bill's state on any day needs, no more (thousands of bills
 * on a large estate). Read as plain rows: drizzle's mapping of a nested selection cost as much
 * again as the query at 9,661 open bills (median 371 ms against 188 on a busy machine).
 */
async function stateRows(db: DbOrTx, where: SQL | undefined, asked: 'any day' | 'since its change' | { changedSince: CivilDate }): Promise<StateRow[]> {
  // as of a day on or after a bill's last change its state reads no dated list but the principal payments (billStateOf): the others
  // are not sent, for any bill (asked since its change) or for those changed before a day (every day asked is on or after it)
  const dated = (list: SQL) => (asked === 'any day' ? list : asked === 'since its change' ? sql`null` : sql`case when ${billPaid.changedOn} >= ${asked.changedSince} then ${list} end`);
  const rows = rowsOf<Omit<StateRow['paid'], 'lateFeePayments' | 'adjustments'> & Partial<Pick<StateRow['paid'], 'lateFeePayments' | 'adjustments'>> & StateRow['bill']>(await db.execute(sql`
    select ${billPaid.unitId} as "unitId", ${billPaid.changedOn}::text as "changedOn", ${billPaid.principalFen} as "principalFen", ${billPaid.principalPaidFen} as "principalPaidFen",
      ${billPaid.principalPayments} as "principalPayments", ${billPaid.lateFeeAdjustedFen} as "lateFeeAdjustedFen", ${billPaid.lateFeePaidFen} as "lateFeePaidFen",
      ${dated(sql`${billPaid.lateFeePayments}`)} as "lateFeePayments", ${dated(sql`${billPaid.adjustments}`)} as "adjustments", ${billPaid.open} as "open",
      ${bills.key} as "key", ${bills.planKey} as "planKey", ${bills.periodId} as "periodId", ${bills.periodStart}::text as "periodStart", ${bills.periodEnd}::text as "periodEnd",
      ${bills.issueOn}::text as "issueOn", ${bills.payBy}::text as "payBy", ${bills.scheduleVersion}::text as "scheduleVersion", ${bills.totalFen} as "totalFen"
    from ${billPaid}
    inner join ${bills} on ${bills.tenantId} = ${billPaid.tenantId} and ${bills.estateId} = ${billPaid.estateId} and ${bills.id} = ${billPaid.billId}
    where ${where}`));
  // (the estate on both sides of the join, the same: the planner reads the estate's bills on an index, never the company's)
  return rows.map((r) => ({
    paid: {
      // (bigint columns come as strings on the wire; fen below 2^53, as everywhere)
      unitId: r.unitId, changedOn: r.changedOn, principalFen: Number(r.principalFen), principalPaidFen: Number(r.principalPaidFen), principalPayments: r.principalPayments,
      lateFeeAdjustedFen: Number(r.lateFeeAdjustedFen), lateFeePaidFen: Number(r.lateFeePaidFen), lateFeePayments: r.lateFeePayments ?? [], adjustments: r.adjustments ?? [], open: r.open,
    },
    bill: {
      key: r.key, planKey: r.planKey, unitId: r.unitId, periodId: r.periodId, periodStart: r.periodStart, periodEnd: r.periodEnd,
      issueOn: r.issueOn, payBy: r.payBy, scheduleVersion: r.scheduleVersion, totalFen: Number(r.totalFen),
    },
  }));
}

/** The money of one month for the monthly fee report: each unit's part, the payments and refunds received in it, the approved waivers dated in it. */
export interface FeeMonthInput {
  parts: Map<string, FeeMonthUnit>;
  paymentsIn: { unitId: string; kind: 'payment' | 'refund'; method: PaymentMethod; amountFen: number; serial?: string }[];
  waivers: { unitId: string; component: 'principal' | 'late-fee'; amountFen: number }[];
}

/**
 * The monthly fee report's input for [from, asOf] from `bill_paid` (the figures of `feeMonthReport`
 * over the estate's whole history, exactly), for the current month or a past one: each unit that
 * refunded nothing by `asOf` is read from its bills issued by `asOf` that are open now or changed on
 * or after `from` (`feeMonthUnitOfPaid`: a row answers any day from its bill's issue; a bill closed
 * before the month owes nothing in it), its credit counted as received − allocated by `asOf`; a unit
 * that refunded by `asOf` is settled in full (which payment a refund comes out of, and whether it is
 * refused for want of credit, is not on the rows). So a month reads the open bills and those changed
 * since it began, however long the estate's history. Undefined when the estate's rows are not
 * trusted (see `settledStates`): the caller settles all.
 */
export async function feeMonthInput(db: DbOrTx, tenantId: string, estateId: string, range: { from: CivilDate; asOf: CivilDate }): Promise<FeeMonthInput | undefined> {
  const { from, asOf } = range;
  const { plans, trusted } = await trustedPlans(db, tenantId, estateId);
  if (!trusted) return undefined;
  const mine = and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId));
  const [openRows, changedRows, received, allocated, billed, paymentsIn, waivers] = await Promise.all([
    // its open bills (as the arrears read them), then the others changed since the month began; an open bill changed
    // before the month is read as of the day before it and of asOf, both on or after its change: no dated list
    stateRows(db, and(mine, eq(billPaid.open, true), lte(billPaid.issueOn, asOf)), { changedSince: from }),
    stateRows(db, and(mine, eq(billPaid.open, false), gte(billPaid.changedOn, from), lte(billPaid.issueOn, asOf)), 'any day'),
    db.select({
      unitId: payments.unitId,
      receivedFen: sql<string>`coalesce(sum(${payments.amountFen}) filter (where ${payments.kind} = 'payment' and ${payments.amountFen} > 0 and ${payments.receivedOn} <= ${asOf}), 0)`,
      refunded: sql<boolean>`coalesce(bool_or(${payments.kind} = 'refund' and ${payments.receivedOn} <= ${asOf}), false)`,
    }).from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId))).groupBy(payments.unitId),
    db.select({ unitId: billPaid.unitId, fen: sql<string>`sum(${billPaid.principalPaidFen} + ${billPaid.lateFeePaidFen})` }).from(billPaid)
      .where(and(mine, lte(billPaid.issueOn, asOf))).groupBy(billPaid.unitId),
    db.selectDistinct({ unitId: bills.unitId }).from(bills).where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId))),
    db.select({ payment: payments, serial: receipts.serial }).from(payments)
      .leftJoin(receipts, and(eq(receipts.tenantId, payments.tenantId), eq(receipts.paymentId, payments.id)))
      .where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), gte(payments.receivedOn, from), lte(payments.receivedOn, asOf), gte(payments.amountFen, 0)))
      .orderBy(asc(payments.receivedOn), asc(payments.createdAt)),
    db.select({ unitId: bills.unitId, component: billAdjustments.component, amountFen: billAdjustments.amountFen }).from(feeWaivers)
      .innerJoin(billAdjustments, and(eq(billAdjustments.tenantId, feeWaivers.tenantId), eq(billAdjustments.id, feeWaivers.adjustmentId)))
      .innerJoin(bills, and(eq(bills.tenantId, billAdjustments.tenantId), eq(bills.id, billAdjustments.billId), eq(bills.estateId, estateId)))
      .where(and(eq(feeWaivers.tenantId, tenantId), eq(feeWaivers.estateId, estateId), eq(feeWaivers.status, 'approved'), isNotNull(feeWaivers.adjustmentId), gte(billAdjustments.on, from), lte(billAdjustments.on, asOf))),
  ]);
  const full = new Set(received.filter((r) => r.refunded).map((r) => r.unitId));
  const planOf = new Map(plans.map((p) => [p.id, p]));
  const billsOf = new Map<string, Parameters<typeof feeMonthUnitOfPaid>[0][number][]>();
  for (const { paid: p, bill: b } of [...openRows, ...changedRows]) {
    const plan = planOf.get(b.planKey);
    if (full.has(p.unitId) || !plan) continue;
    const bill = billOfRow(b);
    let list = billsOf.get(p.unitId);
    if (!list) billsOf.set(p.unitId, (list = []));
    list.push({ plan, bill, paid: { billKey: b.key, ...p } });
  }
  // credit as of asOf (feeMonthUnitOfPaid): received by then less allocated by then (refunds are settled in full)
  const allocatedOf = new Map(allocated.map((r) => [r.unitId, BigInt(r.fen)]));
  const receivedOf = new Map(received.map((r) => [r.unitId, BigInt(r.receivedFen)]));
  const parts = new Map<string, FeeMonthUnit>();
  if (full.size > 0) {
    // lean: settling reads no bill lines nor receipt serials (the month's payments are read above with theirs)
    for (const [unitId, account] of accountsByUnit(await accountInput(db, tenantId, estateId, [...full], true))) parts.set(unitId, feeMonthUnit(account, range));
  }
  for (const unitId of new Set([...billed.map((r) => r.unitId), ...received.map((r) => r.unitId)])) {
    if (full.has(unitId)) continue;
    const money = { receivedFen: Number(receivedOf.get(unitId) ?? 0n), allocatedFen: Number(allocatedOf.get(unitId) ?? 0n) };
    parts.set(unitId, feeMonthUnitOfPaid(billsOf.get(unitId) ?? [], range, money));
  }
  return {
    parts,
    paymentsIn: paymentsIn.map(({ payment: p, serial }) => ({ unitId: p.unitId, kind: p.kind, method: p.method as PaymentMethod, amountFen: p.amountFen, ...(serial === null ? {} : { serial }) })),
    waivers,
  };
}

/**
 * What the income-and-spending report (BL-11) reads for [from, asOf]: the money received in it, what
 * settleAccount allocated of it by `asOf` (`incomeAllocations`), and the lines of the bills whose
 * principal it paid, which split it by kind. Only units that received money in the range are read.
 * From `bill_paid` when the estate's rows are trusted (`incomeAllocationsOfPaid`: a unit that held no
 * credit when the range began spent, in it, only the range's money; the rows changed since it began
 * say on what), so a quarter reads its own payments and the bills they changed, however long the
 * estate's history; a unit that held credit then, or refunded by `asOf`, is settled in full, as is
 * every paying unit while the rows are not trusted.
 */
export async function incomeInput(db: DbOrTx, tenantId: string, estateId: string, range: { from: CivilDate; asOf: CivilDate }): Promise<{ money: IncomeMoney; allocations: IncomeAllocation[]; fromRows: number }> {
  const { from, asOf } = range;
  const [{ trusted }, received] = await Promise.all([
    trustedPlans(db, tenantId, estateId),
    db.select({ unitId: payments.unitId, kind: payments.kind, amountFen: payments.amountFen, receivedOn: payments.receivedOn }).from(payments)
      .where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), gte(payments.receivedOn, from), lte(payments.receivedOn, asOf), gte(payments.amountFen, 0))),
  ]);
  const paying = [...new Set(received.map((p) => p.unitId))];
  const allocations: IncomeAllocation[] = [];
  const full = new Set(trusted ? [] : paying);
  let fromRows = 0;
  if (trusted && paying.length > 0) {
    const units = uuidArray(paying);
    const mine = and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId), sql`${billPaid.unitId} = any(${units})`);
    const [before, allocatedBefore, changed] = await Promise.all([
      db.select({
        unitId: payments.unitId,
        receivedFen: sql<string>`coalesce(sum(${payments.amountFen}) filter (where ${payments.kind} = 'payment' and ${payments.amountFen} > 0 and ${payments.receivedOn} < ${from}), 0)`,
        refunded: sql<boolean>`coalesce(bool_or(${payments.kind} = 'refund'), false)`,
      }).from(payments)
        .where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), sql`${payments.unitId} = any(${units})`, lte(payments.receivedOn, asOf)))
        .groupBy(payments.unitId),
      // what was allocated to bills changed before the range (all of it before the range)
      db.select({ unitId: billPaid.unitId, fen: sql<string>`sum(${billPaid.principalPaidFen} + ${billPaid.lateFeePaidFen})` }).from(billPaid)
        .where(and(mine, lt(billPaid.changedOn, from))).groupBy(billPaid.unitId),
      db.execute(sql`
        select ${billPaid.unitId} as "unitId", ${bills.key} as "billKey", ${billPaid.principalPayments} as "principalPayments", ${billPaid.lateFeePayments} as "lateFeePayments"
        from ${billPaid}
        inner join ${bills} on ${bills.tenantId} = ${billPaid.tenantId} and ${bills.estateId} = ${billPaid.estateId} and ${bills.id} = ${billPaid.billId}
        where ${and(mine, gte(billPaid.changedOn, from), lte(billPaid.issueOn, asOf))}`).then((r) => rowsOf<{ unitId: string } & Pick<PaidTotal, 'billKey' | 'principalPayments' | 'lateFeePayments'>>(r)),
    ]);
    const allocatedOf = new Map(allocatedBefore.map((r) => [r.unitId, Number(r.fen)]));
    const changedOf = new Map<string, (typeof changed)[number][]>();
    for (const r of changed) {
      let list = changedOf.get(r.unitId);
      if (!list) changedOf.set(r.unitId, (list = []));
      list.push(r);
    }
    for (const { unitId, receivedFen, refunded } of before) {
      const mineNow = refunded ? undefined : incomeAllocationsOfPaid(changedOf.get(unitId) ?? [], from, asOf, { receivedBeforeFen: Number(receivedFen), allocatedFen: allocatedOf.get(unitId) ?? 0 });
      if (!mineNow) full.add(unitId);
      else {
        allocations.push(...mineNow);
        fromRows++;
      }
    }
  }
  // lean: settling reads no bill lines nor receipt serials (the lines are read below for the bills the money paid)
  if (full.size > 0) allocations.push(...incomeAllocations(await accountInput(db, tenantId, estateId, [...full], true), from, asOf));
  const lines = await billLinesOf(db, tenantId, estateId, allocations.filter((a) => a.component === 'principal').map((a) => a.billKey));
  // (fromRows: how many paying units were read from their rows, the others settled in full)
  return { money: { bills: [...lines].map(([key, list]) => ({ key, lines: list })), payments: received }, allocations, fromRows };
}

