import { and, asc, eq, inArray, isNull, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { billAdjustments, billLines, bills, buildings, definitionVersions, estates, payments, receipts, residentLinkActive, residents, unitBillingProfiles, units, type DbOrTx } from '@estateflow/db';
import type { AccountInput, Adjustment, Bill, BillingPlan, FeeSchedule, Payment, PaymentMethod } from '@estateflow/billing';
import { ApiError, notFound } from '../errors.ts';
import type { RunResult } from './billing-run.ts';
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
 * With no profile, or `payer` = `household` (the default), every resident of the unit does. Only
 * links in force at `at` count: after moving out, a unit's bills are no longer theirs to read.
 */
export async function accountUnits(db: DbOrTx, tenantId: string, estateId: string, userId: string, at: Date): Promise<string[]> {
  const rows = await db.selectDistinct({ unitId: residents.unitId }).from(residents)
    .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, residents.tenantId), eq(unitBillingProfiles.unitId, residents.unitId)))
    .where(and(eq(residents.tenantId, tenantId), eq(residents.estateId, estateId), eq(residents.userId, userId), residentLinkActive(at),
      or(isNull(unitBillingProfiles.payer), eq(unitBillingProfiles.payer, 'household'), eq(unitBillingProfiles.payer, residents.kind))));
  return rows.map((r) => r.unitId);
}

/**
 * An estate's billing documents of one kind by key, as billing reads them: the latest published
 * definition version of each key, the one store (what a bundle installs, e.g. billing-dunning's
 * `quarterly`; what the fee editor publishes through `POST /api/billing/publish`; what `POST
 * /api/billing/plans` or `/schedules` publish).
 */
export async function billingDocuments(db: DbOrTx, tenantId: string, estateId: string, kind: 'billing-plan' | 'fee-schedule'): Promise<Map<string, Record<string, unknown>>> {
  const published = await db.select({ key: definitionVersions.key, document: definitionVersions.document }).from(definitionVersions)
    .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, kind)))
    .orderBy(asc(definitionVersions.key), asc(definitionVersions.version));
  const byKey = new Map<string, Record<string, unknown>>();
  for (const r of published) byKey.set(r.key, r.document);
  return byKey;
}

const listed = (keys: Iterable<string>, sep: string): string => [...keys].sort().join(sep);

/** A 404 naming the missing plan or fee schedule, the estate's ones, and how to install or create it (field `plan`). */
function missingDocument(kind: 'billing-plan' | 'fee-schedule', key: string, known: Iterable<string>): ApiError {
  const keys = [...known];
  const zhKind = kind === 'billing-plan' ? '收费计划' : '收费标准';
  const enKind = kind === 'billing-plan' ? 'billing plan' : 'fee schedule';
  const zhKnown = keys.length ? `本项目现有：${listed(keys, '、')}。` : `本项目还没有${zhKind}。`;
  const enKnown = keys.length ? `This estate has: ${listed(keys, ', ')}. ` : `This estate has no ${enKind} yet. `;
  return new ApiError(
    'not-found',
    {
      zh: `本项目没有${zhKind}“${key}”。${zhKnown}请安装含该${zhKind}的模板包（如 billing-dunning「物业费收缴」），或在“收费标准与收费计划”页（/billing/fees）新建 id 为“${key}”的${zhKind}并发布。`,
      en: `This estate has no ${enKind} "${key}". ${enKnown}Install a bundle that includes it (such as billing-dunning), or create one with id "${key}" on the "Fee schedules and billing plans" page (/billing/fees) and publish it.`,
    },
    { field: kind === 'billing-plan' ? 'plan' : 'feeSchedule' },
  );
}

/** The estate's billing plan `key` (see `billingDocuments`), or a 404 naming it and how to install or create it. */
export async function loadPlan(db: DbOrTx, tenantId: string, estateId: string, key: string): Promise<BillingPlan> {
  const plans = await billingDocuments(db, tenantId, estateId, 'billing-plan');
  const plan = plans.get(key);
  if (!plan) throw missingDocument('billing-plan', key, plans.keys());
  return plan as unknown as BillingPlan;
}

/** The estate's fee schedule `key` (see `billingDocuments`), or a 404 naming it and how to install or create it. */
export async function loadSchedule(db: DbOrTx, tenantId: string, estateId: string, key: string): Promise<FeeSchedule> {
  const schedules = await billingDocuments(db, tenantId, estateId, 'fee-schedule');
  const schedule = schedules.get(key);
  if (!schedule) throw missingDocument('fee-schedule', key, schedules.keys());
  return schedule as unknown as FeeSchedule;
}

/** `col` is the unit, or one of the units (one array parameter however many), or anything (undefined). */
function unitIs(col: SQLWrapper, units: string | readonly string[] | undefined): SQL | undefined {
  if (units === undefined) return undefined;
  return typeof units === 'string' ? sql`${col} = ${units}` : sql`${col} = any(${uuidArray(units)})`;
}

const billColumns = {
  id: bills.id, key: bills.key, planKey: bills.planKey, unitId: bills.unitId, periodId: bills.periodId, periodStart: bills.periodStart, periodEnd: bills.periodEnd,
  issueOn: bills.issueOn, payBy: bills.payBy, scheduleVersion: bills.scheduleVersion, totalFen: bills.totalFen,
};
const paymentColumns = { id: payments.id, unitId: payments.unitId, kind: payments.kind, receivedOn: payments.receivedOn, amountFen: payments.amountFen, method: payments.method, reason: payments.reason };

/** A bill line as billing reads it. */
const lineOf = (l: typeof billLines.$inferSelect): Bill['lines'][number] => ({ no: l.no, kind: l.kind, description: l.description, amountFen: l.amountFen, ...(l.orderSerial ? { orderSerial: l.orderSerial } : {}) });

/**
 * Bills (with lines), payments, adjustments and plans of an estate, or of one or some of its units,
 * as billing inputs. Lines and adjustments are read through a join on the bills' own condition (no
 * list of bill ids as parameters) and grouped by bill in one pass; receipts are found by payment
 * (`receipts_payment_idx`). `lean`: without the bills' lines and the payments' receipt serials, which
 * settling reads neither of (a report that settles many units reads the lines it needs by `billLinesOf`).
 */
export async function accountInput(db: DbOrTx, tenantId: string, estateId: string, units?: string | readonly string[], lean = false): Promise<Omit<AccountInput, 'asOf'>> {
  const billWhere = and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), unitIs(bills.unitId, units));
  const payWhere = and(eq(payments.tenantId, tenantId), eq(payments.estateId, estateId), unitIs(payments.unitId, units));
  const [billRows, lineRows, adjRows, payRows, planRows] = await Promise.all([
    // the columns billing reads, no more (an estate's 20,000 bills and payments are read whole)
    db.select(billColumns).from(bills).where(billWhere).orderBy(asc(bills.periodStart), asc(bills.key)),
    lean ? [] : db.select({ line: billLines }).from(billLines).innerJoin(bills, and(eq(bills.tenantId, billLines.tenantId), eq(bills.id, billLines.billId))).where(billWhere).orderBy(asc(billLines.billId), asc(billLines.no)),
    db.select({ adjustment: billAdjustments, billKey: bills.key }).from(billAdjustments).innerJoin(bills, and(eq(bills.tenantId, billAdjustments.tenantId), eq(bills.id, billAdjustments.billId))).where(billWhere).orderBy(asc(billAdjustments.createdAt), asc(billAdjustments.id)),
    lean
      ? db.select({ payment: paymentColumns, serial: sql<string | null>`null` }).from(payments).where(payWhere).orderBy(asc(payments.receivedOn), asc(payments.createdAt))
      : db.select({ payment: paymentColumns, serial: receipts.serial }).from(payments)
        .leftJoin(receipts, and(eq(receipts.tenantId, payments.tenantId), eq(receipts.paymentId, payments.id)))
        .where(payWhere)
        .orderBy(asc(payments.receivedOn), asc(payments.createdAt)),
    billingDocuments(db, tenantId, estateId, 'billing-plan'),
  ]);
  const linesOf = new Map<string, Bill['lines'][number][]>();
  for (const { line: l } of lineRows) {
    let list = linesOf.get(l.billId);
    if (!list) linesOf.set(l.billId, (list = []));
    list.push(lineOf(l));
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
  return { plans: [...planRows.values()].map((p) => p as unknown as BillingPlan), bills: billList, payments: paymentList, adjustments };
}

/** The lines of an estate's bills by bill key, in order (of a few thousand bills: by `bills_key_uq`, then the lines' primary key). */
export async function billLinesOf(db: DbOrTx, tenantId: string, estateId: string, billKeys: readonly string[]): Promise<Map<string, Bill['lines'][number][]>> {
  const out = new Map<string, Bill['lines'][number][]>();
  const keys = [...new Set(billKeys)];
  // a few thousand parameters a query (PostgreSQL takes at most 65,535)
  for (let i = 0; i < keys.length; i += 5000) {
    const rows = await db.select({ line: billLines, key: bills.key }).from(billLines)
      .innerJoin(bills, and(eq(bills.tenantId, billLines.tenantId), eq(bills.id, billLines.billId)))
      .where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), inArray(bills.key, keys.slice(i, i + 5000))))
      .orderBy(asc(billLines.billId), asc(billLines.no));
    for (const { line, key } of rows) {
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(lineOf(line));
    }
  }
  return out;
}

/**
 * Where units are, as people name them: their label (3-1-502) and building (3栋), by unit id; one query however many.
 * `{ estateId }`: every unit of the estate (for a caller that does not yet know which it needs, asking at once).
 */
export async function unitPlaces(db: DbOrTx, tenantId: string, unitIds: readonly string[] | { estateId: string }): Promise<Map<string, { unitLabel: string; building: string }>> {
  if ('length' in unitIds && unitIds.length === 0) return new Map();
  const rows = await db.select({ id: units.id, label: units.label, building: buildings.name }).from(units)
    .innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
    .where(and(eq(units.tenantId, tenantId), 'length' in unitIds ? sql`${units.id} = any(${uuidArray([...new Set(unitIds)])})` : eq(units.estateId, unitIds.estateId)));
  return new Map(rows.map((r) => [r.id, { unitLabel: r.label, building: r.building }]));
}

const collator = new Intl.Collator('zh-CN', { numeric: true });
/** Natural order of names and labels, as people count them: 2栋 before 10栋, 1-1-2 before 1-1-10. */
export const naturalCompare = (a: string, b: string): number => collator.compare(a, b);

/** Rows by building, then unit, in natural order (rows without a place last). */
export function byPlace<T extends { building?: string | undefined; unitLabel?: string | undefined }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => naturalCompare(a.building ?? '\uffff', b.building ?? '\uffff') || naturalCompare(a.unitLabel ?? '', b.unitLabel ?? ''));
}

/** A run's result with each unit's label and building, sorted by building then unit in natural order, for the page that lists it by building and unit. */
export async function withPlaces(db: DbOrTx, tenantId: string, result: RunResult) {
  const places = await unitPlaces(db, tenantId, [...result.created.map((b) => b.unitId), ...result.errors.flatMap((e) => (e.unitId ? [e.unitId] : []))]);
  return {
    ...result,
    created: byPlace(result.created.map((b) => ({ ...b, ...places.get(b.unitId) }))),
    errors: byPlace(result.errors.map((e) => ({ ...e, ...places.get(e.unitId) }))),
  };
}
