import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Billing (packages/billing, helper D). Money is integer fen in `bigint` columns (read as JS
 * numbers, always safe integers); calendar dates are `date` strings in the estate's time zone.
 * Bills, lines, payments, adjustments and receipts are append-only: nothing is updated or deleted.
 */

type Text = { zh: string; en: string };

// Fee schedules and billing plans live in the one definition store (`definition_versions`, kinds
// `fee-schedule` and `billing-plan`): bundles install them, the fee editor and `POST
// /api/billing/plans` publish them, billing reads them. The older `fee_schedules` and
// `billing_plans` tables were copied into it and dropped (migration 0038, issue #20).

/** BL-10: a signed custody agreement (托管协议): the party (owner) who signed, its dates and the paper's reference. */
export type CustodyAgreement = { party: string; signedOn: string; from: string; to: string | null; reference: string };

/** What billing needs to know of a unit beyond `units.area_sqm`: its fee type, custody (BL-6), parking. */
export const unitBillingProfiles = pgTable(
  'unit_billing_profiles',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    unitType: text('unit_type').notNull(),
    custody: boolean('custody').notNull().default(false),
    parking: jsonb('parking').$type<{ kind: string; count: number }[]>().notNull().default([]),
    /**
     * Whose account the unit's bills are: `household` (default) = every resident of the unit reads them;
     * `owner` / `tenant` = only its residents of that kind (`residents.kind`), when the estate keeps owner
     * and tenant accounts apart. Staff read them all.
     */
    payer: text('payer').$type<'household' | 'owner' | 'tenant'>().notNull().default('household'),
    /**
     * BL-10: the signed custody agreement (托管协议) a custody plan needs: who signed it, the dates it
     * holds (to: open-ended when null) and the reference of the signed paper. A unit in custody
     * without one is not billed (the run reports it).
     */
    custodyAgreement: jsonb('custody_agreement').$type<CustodyAgreement | null>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.unitId] }), index('unit_billing_profiles_estate_idx').on(t.tenantId, t.estateId)],
);

/**
 * The history of a unit's floor area and billing profile (the unit register, issue #20): each change
 * with the date it holds from, who made it and when, and each field's value before and after. The
 * values in force stay in `units.area_sqm` and `unit_billing_profiles`; this table only records.
 * Append-only.
 */
export const unitProfileChanges = pgTable(
  'unit_profile_changes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    /** the civil date (estate time) the new values hold from */
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    /** field → its value before and after (`areaSqm`, `unitType`, `custody`, `parking`, `payer`); only fields that changed */
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>().notNull(),
    /** who made the change (null: the demo's own seed) */
    changedBy: uuid('changed_by'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('unit_profile_changes_unit_idx').on(t.tenantId, t.estateId, t.unitId, t.changedAt)],
);

/** One bill per plan, unit and period: `key` = `<plan>/<unit>/<period>` is unique, so a rerun inserts nothing. */
export const bills = pgTable(
  'bills',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    key: text('key').notNull(),
    planKey: text('plan_key').notNull(),
    periodId: text('period_id').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    issueOn: date('issue_on', { mode: 'string' }).notNull(),
    payBy: date('pay_by', { mode: 'string' }).notNull(),
    scheduleVersion: date('schedule_version', { mode: 'string' }).notNull(),
    totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('bills_key_uq').on(t.tenantId, t.estateId, t.key),
    index('bills_unit_idx').on(t.tenantId, t.estateId, t.unitId, t.periodStart),
    // the bills list: an estate's bills newest period first, and one period's (keyset: the key, then the id)
    index('bills_estate_period_idx').on(t.tenantId, t.estateId, t.periodStart, t.id),
    index('bills_period_idx').on(t.tenantId, t.estateId, t.periodId, t.periodStart, t.id),
  ],
);

/** The lines of a bill; a paid-service order serial is billed once per estate (PS-7). */
export const billLines = pgTable(
  'bill_lines',
  {
    tenantId: uuid('tenant_id').notNull(),
    billId: uuid('bill_id').notNull(),
    no: integer('no').notNull(),
    estateId: uuid('estate_id').notNull(),
    kind: text('kind').$type<'management' | 'parking' | 'service'>().notNull(),
    description: jsonb('description').$type<Text>().notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    orderSerial: text('order_serial'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.billId, t.no] }),
    uniqueIndex('bill_lines_order_uq').on(t.tenantId, t.estateId, t.orderSerial).where(sql`order_serial is not null`),
  ],
);

/** A signed correction, discount or late-fee waiver against a bill, appended (never an edit). */
export const billAdjustments = pgTable(
  'bill_adjustments',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    billId: uuid('bill_id').notNull(),
    on: date('on', { mode: 'string' }).notNull(),
    component: text('component').$type<'principal' | 'late-fee'>().notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    reason: jsonb('reason').$type<Text>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    createdBy: uuid('created_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('bill_adjustments_bill_idx').on(t.tenantId, t.billId)],
);

/** Money received (`payment`) or paid back from credit (`refund`); amounts positive; a refund says why (`reason`, null for payments). */
export const payments = pgTable(
  'payments',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    kind: text('kind').$type<'payment' | 'refund'>().notNull(),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    method: text('method').notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    createdBy: uuid('created_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('payments_unit_idx').on(t.tenantId, t.estateId, t.unitId, t.receivedOn)],
);

/** BL-7: the receipt of a payment (`SJ-2027-000042`) or the slip of a refund (`TK-2027-000001`), with a serial unique per estate. */
export const receipts = pgTable(
  'receipts',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    paymentId: uuid('payment_id').notNull(),
    serial: text('serial').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('receipts_serial_uq').on(t.tenantId, t.estateId, t.serial),
    // a payment's receipt (a household's bills, statement, a payment at the counter): found by its payment, not by scanning the company's
    index('receipts_payment_idx').on(t.tenantId, t.paymentId),
    // the receipts list, newest first (keyset)
    index('receipts_issued_idx').on(t.tenantId, t.estateId, t.issuedAt, t.id),
  ],
);

/**
 * 日结/交班: a cashier's close of a day (the estate's local date of the payments they recorded), with
 * who closed it, when, and the totals by method as they stood; payments of that day recorded after the
 * last close show as after-close. Appended, never edited (a second close of the same day is a new row).
 */
export const cashierCloses = pgTable(
  'cashier_closes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    cashierId: uuid('cashier_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
    closedBy: uuid('closed_by').notNull(),
    totals: jsonb('totals').$type<Record<string, unknown>>().notNull(),
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('cashier_closes_day_idx').on(t.tenantId, t.estateId, t.day, t.cashierId)],
);

/**
 * 减免: a fee waiver requested by one person and decided by another with the finance role. The
 * approval appends the bill adjustment (`adjustment_id`) that the one ledger reads; a pending or
 * rejected request moves no money. The decision columns are written once, when it is decided.
 */
export const feeWaivers = pgTable(
  'fee_waivers',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    billId: uuid('bill_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    component: text('component').$type<'principal' | 'late-fee'>().notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    requestedBy: uuid('requested_by').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    status: text('status').$type<'pending' | 'approved' | 'rejected'>().notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    adjustmentId: uuid('adjustment_id'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('fee_waivers_estate_idx').on(t.tenantId, t.estateId, t.status, t.requestedAt)],
);

/**
 * 押金: money held for a unit (e.g. 装修押金), not part of its bills: taken, held, then refunded or
 * forfeited (with a reason) once; the settlement columns are written once.
 */
export const deposits = pgTable(
  'deposits',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    kind: text('kind').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    method: text('method').notNull(),
    takenOn: date('taken_on', { mode: 'string' }).notNull(),
    takenBy: uuid('taken_by').notNull(),
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull(),
    note: text('note'),
    status: text('status').$type<'held' | 'refunded' | 'forfeited'>().notNull(),
    settledOn: date('settled_on', { mode: 'string' }),
    settledBy: uuid('settled_by'),
    settleReason: text('settle_reason'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('deposits_unit_idx').on(t.tenantId, t.estateId, t.unitId)],
);

/**
 * A billing run started from the run page (`POST /api/billing/runs`): one plan and period of an
 * estate, billed building by building in batches (each its own transaction), so `GET
 * /api/billing/runs/{id}` can show its progress. `result` holds what it made so far (bills created,
 * already there, units not billed with why); a rerun finds every bill there and makes nothing new.
 */
export const billingRuns = pgTable(
  'billing_runs',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    planKey: text('plan_key').notNull(),
    periodId: text('period_id').notNull(),
    status: text('status').$type<'queued' | 'running' | 'done' | 'failed'>().notNull().default('queued'),
    /** units of the plan's profiled units looked at so far, of all of them */
    unitsDone: integer('units_done').notNull().default(0),
    unitsTotal: integer('units_total').notNull().default(0),
    result: jsonb('result').$type<Record<string, unknown>>(),
    /** why a failed run stopped (zh/en) */
    error: jsonb('error').$type<Text>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    createdBy: uuid('created_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('billing_runs_estate_idx').on(t.tenantId, t.estateId, t.createdAt)],
);

export type UnitBillingProfile = typeof unitBillingProfiles.$inferSelect;
export type BillRow = typeof bills.$inferSelect;
export type BillingRunRow = typeof billingRuns.$inferSelect;
export type BillLineRow = typeof billLines.$inferSelect;
export type BillAdjustmentRow = typeof billAdjustments.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type ReceiptRow = typeof receipts.$inferSelect;
export type CashierCloseRow = typeof cashierCloses.$inferSelect;
export type FeeWaiverRow = typeof feeWaivers.$inferSelect;
export type DepositRow = typeof deposits.$inferSelect;

/**
 * The per-bill paid total (issue #21): what settleAccount has allocated to each bill after all of
 * its unit's history (payments, refunds, adjustments, waivers), kept by the one billing writer
 * (apps/api/src/services/bill-paid.ts) in the same transaction as every billing write, and
 * recomputable from bills, payments and adjustments (`pnpm wf rollups recompute`). A cache, not a
 * record: bills, payments and adjustments stay append-only and are the truth.
 * - `changedOn`: the last day anything (its issue, an allocation, an adjustment) changed the bill:
 *   the row is the bill's state as of any day on or after it.
 * - `principalPayments`: the principal allocated to it, by day (what the late fee is computed from).
 * - `lateFeePayments`, `adjustments`: the late fee allocated to it and its adjustments, by day: with
 *   `principalPayments`, every dated change of the bill, so the row is its state as of any day from
 *   its issue (the totals less what is dated after the day; billing's `billStateOf`). Rows written
 *   before these lists (migration 0045) are trusted by no reader: their estate's mark is of an older
 *   format (`plansHash`) until `pnpm wf rollups recompute`.
 * - `open`: it owes something, or is owed (outstanding ≠ 0 at `changedOn`, or principal unpaid).
 */
export const billPaid = pgTable(
  'bill_paid',
  {
    tenantId: uuid('tenant_id').notNull(),
    billId: uuid('bill_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    issueOn: date('issue_on', { mode: 'string' }).notNull(),
    changedOn: date('changed_on', { mode: 'string' }).notNull(),
    principalFen: bigint('principal_fen', { mode: 'number' }).notNull(),
    principalPaidFen: bigint('principal_paid_fen', { mode: 'number' }).notNull(),
    principalPayments: jsonb('principal_payments').$type<{ on: string; amountFen: number }[]>().notNull(),
    lateFeeAdjustedFen: bigint('late_fee_adjusted_fen', { mode: 'number' }).notNull(),
    lateFeePaidFen: bigint('late_fee_paid_fen', { mode: 'number' }).notNull(),
    lateFeePayments: jsonb('late_fee_payments').$type<{ on: string; amountFen: number }[]>().notNull().default([]),
    adjustments: jsonb('adjustments').$type<{ on: string; component: 'principal' | 'late-fee'; amountFen: number }[]>().notNull().default([]),
    open: boolean('open').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.billId] }),
    // the arrears: an estate's open bills (few), by unit
    index('bill_paid_open_idx').on(t.tenantId, t.estateId, t.unitId).where(sql`open`),
    // bills changed after the day asked (their units are settled in full for a past day)
    index('bill_paid_changed_idx').on(t.tenantId, t.estateId, t.changedOn),
    // bills issued by a day (the count the arrears page shows)
    index('bill_paid_issue_idx').on(t.tenantId, t.estateId, t.issueOn),
  ],
);

/**
 * An estate whose `bill_paid` rows cover every bill, and the billing plans they were settled with
 * (a hash of the plan documents): without a row, or with other plans, the arrears settle the estate
 * in full (correct, slower) until `wf rollups recompute` or a plan save refreshes it.
 */
export const billPaidEstates = pgTable(
  'bill_paid_estates',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    plansHash: text('plans_hash').notNull(),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.estateId] })],
);

/**
 * BL-11: the management office's spending (支出), entered by finance for the income-and-spending
 * report (财务收支报表) to the owners' committee: category, amount in fen, the day spent and a note.
 * Append-only; a wrong entry is corrected by a further entry (negative amount) with its note. Every
 * entry is audited (`audit_log`, action `finance.spending`).
 */
export const spendingEntries = pgTable(
  'spending_entries',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    category: text('category').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    spentOn: date('spent_on', { mode: 'string' }).notNull(),
    note: text('note'),
    enteredBy: uuid('entered_by').notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('spending_entries_estate_idx').on(t.tenantId, t.estateId, t.spentOn)],
);
export type SpendingEntry = typeof spendingEntries.$inferSelect;
