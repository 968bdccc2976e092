import { createHash } from 'node:crypto';
import { and, asc, eq, lte, gt, sql, type SQL } from 'drizzle-orm';
import { billPaid, billPaidEstates, bills, estates, type DbOrTx } from '@estateflow/db';
import { accountsByUnit, billStateOf, paidTotals, settleAccount, type AccountInput, type AccountState, type Bill, type BillingPlan, type BillState, type CivilDate } from '@estateflow/billing';
import { accountInput, billingDocuments } from './billing-store.ts';
import { uuidArray } from './keyset.ts';

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
 * were settled with the plans it has now (a hash of the plan documents); otherwise `settledStates`
 * settles in full, as before (correct, slower) until a recompute.
 */

/** The unit's billing lock: one writer per unit at a time (the refund check, the allocation, these rows). */
export const unitLockKey = (tenantId: string, unitId: string) => `billing:${tenantId}:${unitId}`;

/** A fingerprint of an estate's billing plans: rows settled with other plans are not used. */
export function plansHash(plans: readonly BillingPlan[]): string {
  const sorted = [...plans].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
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
        principalPayments: t.principalPayments.map((p) => ({ on: p.on, amountFen: p.amountFen })), lateFeeAdjustedFen: t.lateFeeAdjustedFen, lateFeePaidFen: t.lateFeePaidFen, open: t.open,
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
 * Every issued bill's state as of `asOf` that may owe or be owed anything (of the estate, or of
 * `unitIds`), as settleAccount has it: from `bill_paid` for the open bills of units not changed
 * after `asOf`, by settling in full the units changed after it, or the whole estate when its rows
 * are not trusted. Bills that owe nothing and are owed nothing may be left out. Also how many
 * bills are issued by `asOf` (`billsIssued`, as settleAccount counts them).
 */
export async function settledStates(db: DbOrTx, tenantId: string, estateId: string, asOf: string, unitIds?: readonly string[]): Promise<{ states: BillState[]; billsIssued: number; cached: boolean }> {
  if (unitIds && unitIds.length === 0) return { states: [], billsIssued: 0, cached: true };
  const settleAll = async (units?: readonly string[]) => {
    const out: BillState[] = [];
    if (units && units.length === 0) return out;
    for (const account of accountsByUnit(await accountInput(db, tenantId, estateId, units)).values()) out.push(...settleAccount({ ...account, asOf }).bills);
    return out;
  };
  const [plans, [mark]] = await Promise.all([
    plansOf(db, tenantId, estateId),
    db.select({ hash: billPaidEstates.plansHash }).from(billPaidEstates).where(and(eq(billPaidEstates.tenantId, tenantId), eq(billPaidEstates.estateId, estateId))),
  ]);
  if (!mark || mark.hash !== plansHash(plans)) {
    const states = await settleAll(unitIds);
    return { states, billsIssued: states.length, cached: false };
  }
  const mine = and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId), unitIds ? sql`${billPaid.unitId} = any(${uuidArray(unitIds)})` : undefined);
  const [changed, open, [issued]] = await Promise.all([
    db.selectDistinct({ unitId: billPaid.unitId }).from(billPaid).where(and(mine, gt(billPaid.changedOn, asOf), lte(billPaid.issueOn, asOf))),
    db.select({ paid: billPaid, bill: bills }).from(billPaid)
      .innerJoin(bills, and(eq(bills.tenantId, billPaid.tenantId), eq(bills.id, billPaid.billId)))
      .where(and(mine, eq(billPaid.open, true), lte(billPaid.issueOn, asOf))),
    db.select({ n: sql<number>`count(*)::int` }).from(billPaid).where(and(mine, lte(billPaid.issueOn, asOf))),
  ]);
  const stale = new Set(changed.map((r) => r.unitId));
  const planOf = new Map(plans.map((p) => [p.id, p]));
  const states: BillState[] = [];
  for (const { paid: p, bill: b } of open) {
    if (stale.has(p.unitId)) continue;
    const plan = planOf.get(b.planKey);
    if (!plan) continue;
    const bill: Bill = {
      key: b.key, planId: b.planKey, unitId: b.unitId, periodId: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd,
      issueOn: b.issueOn, payBy: b.payBy, scheduleVersion: b.scheduleVersion, totalFen: b.totalFen, lines: [],
    };
    states.push(billStateOf(plan, bill, { billKey: b.key, ...p }, asOf));
  }
  states.push(...(await settleAll([...stale])));
  return { states, billsIssued: issued?.n ?? 0, cached: true };
}
