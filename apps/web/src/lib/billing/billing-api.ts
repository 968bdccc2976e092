import type { PaymentMethod, Receipt as BillingReceipt, RefundSlip, Statement } from '@estateflow/billing';
import type { Arrears, Bill, BillList, PaymentPreview, RunJob, RunOptions, RunPreview, RunResult } from '@estateflow/api/schemas';
import { allPages, api } from '$lib/api/client.ts';
import type { UnitPage } from '@estateflow/api/schemas';
import type { MessageKey } from '$lib/i18n/index.svelte.ts';

/** One bill as `GET /api/billing/bills` answers it: the bill and its state as of `asOf`. */
/** A bill as `GET /api/billing/bills` lists it (its route schema). */
export type BillRow = Bill;
export type UnitOption = { id: string; label: string; building: string };
export type { Arrears, PaymentMethod, PaymentPreview, RefundSlip, RunJob, RunOptions, RunPreview, RunResult, Statement };
/** A receipt as the API issues it: the billing package's receipt, with who issued it, who paid and who took the money (BL-7). */
export type Receipt = BillingReceipt & { unitLabel?: string; payer?: string; company?: string; cashier?: { id: string | null; name: string } };

/** The methods `POST /api/billing/payments` accepts, as a counter offers them (现金, 微信, 支付宝, 银行卡, 转账), then collection at home (BL-7). */
export const PAYMENT_METHODS: readonly PaymentMethod[] = ['cash', 'wechat', 'alipay', 'card', 'bank-transfer', 'home-collection', 'other'];
export const methodKey = (m: string) => `pay.method.${m}` as MessageKey;

/** Roles the API lets record payments (`cashiers` in apps/api/src/routes/billing.ts) and read arrears. */
export const CASHIER_ROLES: readonly string[] = ['admin', 'finance', 'property_manager', 'front_desk'];
export const BILL_READER_ROLES: readonly string[] = [...CASHIER_ROLES, 'cs_manager', 'duty_manager'];

/** One item of `GET /api/billing/receipts`: a payment's receipt (SJ-…) or a refund's slip (TK-…), BL-7. */
export type AccountReceipt = ((Receipt & { kind: 'payment' }) | RefundSlip) & { issuedAt?: string };

/** One unit's account: its bills as of today, the statement from its first bill to today, its receipts and refund slips. */
export type UnitAccount = { asOf: string; bills: BillRow[]; statement: Statement; receipts: AccountReceipt[] };

/** The period of a bill key `<plan>/<unit>/<period>`. */
export const periodOfKey = (billKey: string): string => billKey.split('/').at(-1) ?? billKey;

/** Loads a unit's bills, statement and receipts at once; the statement runs from the first bill's issue date (or 1 January) to the estate's today (the API's default range). */
export async function loadUnitAccount(estateId: string, unitId: string, fetcher?: typeof fetch): Promise<UnitAccount> {
  const q = `estateId=${encodeURIComponent(estateId)}&unitId=${encodeURIComponent(unitId)}`;
  // one household's lists are small by nature: every page of 200
  const [first, receipts, statement] = await Promise.all([
    api<BillList>(`/billing/bills?${q}&limit=200`, { fetch: fetcher }),
    allPages<AccountReceipt>(`/billing/receipts?${q}&limit=200`, { fetch: fetcher }),
    api<Statement>(`/billing/statements?${q}`, { fetch: fetcher }),
  ]);
  const rest = first.nextCursor ? await allPages<BillRow>(`/billing/bills?${q}&limit=200&asOf=${first.asOf}`, { fetch: fetcher, cursor: first.nextCursor }) : [];
  return { asOf: first.asOf, bills: [...first.items, ...rest], statement, receipts };
}

export type PaymentInput = { estateId: string; unitId: string; amountFen: number; method: PaymentMethod; receivedOn: string; payer?: string };
export type PaymentResult = { receipt: Receipt | null; balanceFen: number; creditFen: number };

/** Records a payment; the API answers with its receipt (BL-7) or a zh/en error naming the field. */
export function recordPayment(input: PaymentInput, idempotencyKey?: string): Promise<PaymentResult> {
  return api<PaymentResult>('/billing/payments', { body: input, idempotencyKey });
}

export type RefundInput = { estateId: string; unitId: string; amountFen: number; method: PaymentMethod; receivedOn: string; reason: string };
/** What `POST /api/billing/payments` answers for `kind: "refund"`: its numbered slip (TK-…) and the unit's credit after it. */
export type RefundResult = { slip: RefundSlip; receipt: null; balanceFen: number; creditFen: number };

/**
 * Refunds part or all of a unit's credit (预收) on a date no later than today, with a reason (1–200
 * characters); the API answers the refund slip `TK-<year>-<seq>`. It refuses more than the credit
 * with a 409 naming `amountFen`, and a missing reason or a future date with a 422 naming the field.
 */
export function recordRefund(input: RefundInput, idempotencyKey?: string): Promise<RefundResult> {
  return api<RefundResult>('/billing/payments', { body: { ...input, kind: 'refund' }, idempotencyKey });
}

const unitOption = (u: UnitPage['items'][number]): UnitOption => ({ id: u.id, label: u.label, building: u.building });

/**
 * Units of the estate whose label contains `query` as people type it (`3栋1单元502`, `3-1-502`,
 * `3 1 502`: the server reads the separators alike), in label order, at most `limit`.
 */
export async function searchUnits(estateId: string, query: string, limit = 12, fetcher?: typeof fetch): Promise<UnitOption[]> {
  const q = new URLSearchParams({ q: query.trim(), limit: String(limit) });
  const page = await api<UnitPage>(`/estates/${encodeURIComponent(estateId)}/units?${q}`, { fetch: fetcher });
  return page.items.map(unitOption);
}

/** One unit of the estate by id (a link such as /bills?unit=<id>), or null when the estate has no such unit. */
export async function loadUnit(estateId: string, unitId: string, fetcher?: typeof fetch): Promise<UnitOption | null> {
  const page = await api<UnitPage>(`/estates/${encodeURIComponent(estateId)}/units?unitId=${encodeURIComponent(unitId)}`, { fetch: fetcher });
  return page.items[0] ? unitOption(page.items[0]) : null;
}

/** How a payment would be allocated, computed by the API's settleAccount exactly as the payment will be; writes nothing. */
export function previewPayment(input: { estateId: string; unitId: string; amountFen: number; receivedOn: string }): Promise<PaymentPreview> {
  return api<PaymentPreview>('/billing/payments/preview', { body: input });
}

/** Voids a bill with a reason: adjustments bring it to zero, the bill itself stays (409 when money was paid on it or it is void already). */
export function voidBill(input: { estateId: string; billKey: string; reason: string }): Promise<unknown> {
  return api('/billing/bills/void', { body: input });
}

const collator = new Intl.Collator('zh-CN', { numeric: true });
/** Natural order of labels and names: 2栋 before 10栋, 1-1-2 before 1-1-10. */
export const naturalCompare = (a: string, b: string): number => collator.compare(a, b);

/** The orders the server sorts the bills list in (`GET /billing/bills?sort=`). */
export const BILL_SORTS = ['period', 'unit', 'due', 'owed'] as const;
export type BillSort = (typeof BILL_SORTS)[number];

export type { ArrearsByBuilding, ArrearsOfBuilding, CashierClose, CashierDay, Deposit, DepositList, Reconciliation, Takings, Waiver } from '@estateflow/api/schemas';

/** The ageing buckets of the arrears report, oldest last (packages/billing AGEING_BUCKETS). */
export const AGEING: readonly ('0-30' | '31-90' | '91-180' | '181-365' | '365+')[] = ['0-30', '31-90', '91-180', '181-365', '365+'];
export type { FeeMonthReport, IncomeSpendingReport, SpendingEntry, SpendingList } from '@estateflow/api/schemas';

/** 收缴率 as people read it: basis points (9750) as a percent with two decimals (97.50 %), no floating point; — when nothing was receivable. */
export function ratePercent(bp: number | null): string {
  if (bp === null) return '—';
  return `${String(bp).slice(0, -2) || '0'}.${String(bp).padStart(2, '0').slice(-2)}%`;
}

/** The current month YYYY-MM and quarter YYYY-Qn of a civil date. */
export const monthOf = (day: string): string => day.slice(0, 7);
export const quarterOf = (day: string): string => `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) + 2) / 3)}`;
