import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { billAdjustments, billingPlans, billLines, bills, estates, payments, receipts, residents, unitBillingProfiles, type DbOrTx } from '@estateflow/db';
import type { AccountInput, Adjustment, Bill, BillingPlan, Payment, PaymentMethod } from '@estateflow/billing';
import { notFound } from '../errors.ts';

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

/** Bills (with lines), payments, adjustments and plans of an estate, optionally of one unit, as billing inputs. */
export async function accountInput(db: DbOrTx, tenantId: string, estateId: string, unitId?: string): Promise<Omit<AccountInput, 'asOf'>> {
  const billRows = await db.select().from(bills)
    .where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), ...(unitId ? [eq(bills.unitId, unitId)] : [])))
    .orderBy(asc(bills.periodStart), asc(bills.key));
  const ids = billRows.map((b) => b.id);
  const lineRows = ids.length
    ? await db.select().from(billLines).where(and(eq(billLines.tenantId, tenantId), inArray(billLines.billId, ids))).orderBy(asc(billLines.no))
    : [];
  const adjRows = ids.length
    ? await db.select().from(billAdjustments).where(and(eq(billAdjustments.tenantId, tenantId), inArray(billAdjustments.billId, ids))).orderBy(asc(billAdjustments.createdAt))
    : [];
  const payRows = await db.select({ payment: payments, serial: receipts.serial }).from(payments)
    .leftJoin(receipts, and(eq(receipts.tenantId, payments.tenantId), eq(receipts.paymentId, payments.id)))
    .where(and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), ...(unitId ? [eq(payments.unitId, unitId)] : [])))
    .orderBy(asc(payments.receivedOn), asc(payments.createdAt));
  const planRows = await db.select().from(billingPlans).where(and(eq(billingPlans.tenantId, tenantId), eq(billingPlans.estateId, estateId)));
  const keyOf = new Map(billRows.map((b) => [b.id, b.key]));
  const billList: Bill[] = billRows.map((b) => ({
    key: b.key, planId: b.planKey, unitId: b.unitId, periodId: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd,
    issueOn: b.issueOn, payBy: b.payBy, scheduleVersion: b.scheduleVersion, totalFen: b.totalFen,
    lines: lineRows.filter((l) => l.billId === b.id).map((l) => ({ no: l.no, kind: l.kind, description: l.description, amountFen: l.amountFen, ...(l.orderSerial ? { orderSerial: l.orderSerial } : {}) })),
  }));
  const adjustments: Adjustment[] = adjRows.map((a) => ({ id: a.id, billKey: keyOf.get(a.billId)!, on: a.on, component: a.component, amountFen: a.amountFen, reason: a.reason }));
  const paymentList: Payment[] = payRows.map(({ payment: p, serial }) => ({
    id: p.id, unitId: p.unitId, kind: p.kind, receivedOn: p.receivedOn, amountFen: p.amountFen, method: p.method as PaymentMethod,
    ...(p.reason === null ? {} : { reason: p.reason }),
    ...(serial === null ? {} : { serial }),
  }));
  return { plans: planRows.map((p) => p.document as unknown as BillingPlan), bills: billList, payments: paymentList, adjustments };
}

