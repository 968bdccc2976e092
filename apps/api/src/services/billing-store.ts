import { and, asc, eq, isNull, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { billAdjustments, billingPlans, billLines, bills, estates, payments, receipts, residents, unitBillingProfiles, type DbOrTx } from '@estateflow/db';
import type { AccountInput, Adjustment, Bill, BillingPlan, Payment, PaymentMethod } from '@estateflow/billing';
import { notFound } from '../errors.ts';
import { uuidArray } from './keyset.ts';

/** Reads of the billing tables as @estateflow/billing inputs; every query scoped by tenant and estate. */

export async function estateTimeZone(db: DbOrTx, tenantId: string, estateId: string): Promise<string> {
  const [e] = await db.select({ timeZone: estates.timeZone }).from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.id, estateId)));
  if (!e) throw notFound('estate', estateId);
  return e.timeZone;
}

/**
 * The units whose bills, receipts and statements a resident reads: the units they live in, unless
 * the estate keeps owner and tenant accounts apart for the unit (its billing profile's `payer` is
 * `owner` or `tenant`), in which case only its residents of that kind (`residents.kind`) read them.
 * With no profile, or `payer` = `household` (the default), every resident of the unit does.
 */
export async function accountUnits(db: DbOrTx, tenantId: string, estateId: string, userId: string): Promise<string[]> {
  const rows = await db.selectDistinct({ unitId: residents.unitId }).from(residents)
    .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, residents.tenantId), eq(unitBillingProfiles.unitId, residents.unitId)))
    .where(and(eq(residents.tenantId, tenantId), eq(residents.estateId, estateId), eq(residents.userId, userId),
      or(isNull(unitBillingProfiles.payer), eq(unitBillingProfiles.payer, 'household'), eq(unitBillingProfiles.payer, residents.kind))));
  return rows.map((r) => r.unitId);
}

export async function loadPlan(db: DbOrTx, tenantId: string, estateId: string, key: string): Promise<BillingPlan> {
  const [row] = await db.select().from(billingPlans).where(and(eq(billingPlans.tenantId, tenantId), eq(billingPlans.estateId, estateId), eq(billingPlans.key, key)));
  if (!row) throw notFound('billing plan', key);
  return row.document as unknown as BillingPlan;
}

/** `col` is the unit, or one of the units (one array parameter however many), or anything (undefined). */
function unitIs(col: SQLWrapper, units: string | readonly string[] | undefined): SQL | undefined {
  if (units === undefined) return undefined;
  return typeof units === 'string' ? sql`${col} = ${units}` : sql`${col} = any(${uuidArray(units)})`;
}

/**
 * Bills (with lines), payments, adjustments and plans of an estate, or of one or some of its units,
 * as billing inputs. Lines and adjustments are read through a join on the bills' own condition (no
 * list of bill ids as parameters) and grouped by bill in one pass; receipts are found by payment
 * (`receipts_payment_idx`).
 */
export async function accountInput(db: DbOrTx, tenantId: string, estateId: string, units?: string | readonly string[]): Promise<Omit<AccountInput, 'asOf'>> {
  const billWhere = and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), unitIs(bills.unitId, units));
  const [billRows, lineRows, adjRows, payRows, planRows] = await Promise.all([
    db.select().from(bills).where(billWhere).orderBy(asc(bills.periodStart), asc(bills.key)),
    db.select({ line: billLines }).from(billLines).innerJoin(bills, and(eq(bills.tenantId, billLines.tenantId), eq(bills.id, billLines.billId))).where(billWhere).orderBy(asc(billLines.billId), asc(billLines.no)),
    db.select({ adjustment: billAdjustments, billKey: bills.key }).from(billAdjustments).innerJoin(bills, and(eq(bills.tenantId, billAdjustments.tenantId), eq(bills.id, billAdjustments.billId))).where(billWhere).orderBy(asc(billAdjustments.createdAt), asc(billAdjustments.id)),
    db.select({ payment: payments, serial: receipts.serial }).from(payments)
      .leftJoin(receipts, and(eq(receipts.tenantId, payments.tenantId), eq(receipts.paymentId, payments.id)))
      .where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), unitIs(payments.unitId, units)))
      .orderBy(asc(payments.receivedOn), asc(payments.createdAt)),
    db.select().from(billingPlans).where(and(eq(billingPlans.tenantId, tenantId), eq(billingPlans.estateId, estateId))),
  ]);
  const linesOf = new Map<string, Bill['lines'][number][]>();
  for (const { line: l } of lineRows) {
    let list = linesOf.get(l.billId);
    if (!list) linesOf.set(l.billId, (list = []));
    list.push({ no: l.no, kind: l.kind, description: l.description, amountFen: l.amountFen, ...(l.orderSerial ? { orderSerial: l.orderSerial } : {}) });
  }
  const billList: Bill[] = billRows.map((b) => ({
    key: b.key, planId: b.planKey, unitId: b.unitId, periodId: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd,
    issueOn: b.issueOn, payBy: b.payBy, scheduleVersion: b.scheduleVersion, totalFen: b.totalFen,
    lines: linesOf.get(b.id) ?? [],
  }));
  const adjustments: Adjustment[] = adjRows.map(({ adjustment: a, billKey }) => ({ id: a.id, billKey, on: a.on, component: a.component, amountFen: a.amountFen, reason: a.reason }));
  const paymentList: Payment[] = payRows.map(({ payment: p, serial }) => ({
    id: p.id, unitId: p.unitId, kind: p.kind, receivedOn: p.receivedOn, amountFen: p.amountFen, method: p.method as PaymentMethod,
    ...(p.reason === null ? {} : { reason: p.reason }),
    ...(serial === null ? {} : { serial }),
  }));
  return { plans: planRows.map((p) => p.document as unknown as BillingPlan), bills: billList, payments: paymentList, adjustments };
}
