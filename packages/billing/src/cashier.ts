import { addDays, compareDates, daysBetween } from './civil-date.ts';
import { sumFen, toFen } from './money.ts';
import type { BillState } from './account.ts';
import type { CivilDate, Fen, PaymentMethod } from './types.ts';

// ---------------------------------------------------------------- takings (日结/交班, month-end reconciliation, PS-7)

/** The methods a counter takes, in the order a close lists them (现金, 微信, 支付宝, 银行卡, 转账); others follow. */
export const COUNTER_METHODS: readonly PaymentMethod[] = ['cash', 'wechat', 'alipay', 'card', 'bank-transfer'];

/** One recorded payment or refund as a takings report reads it: its method, amount and receipt serial. */
export interface TakingsEntry {
  readonly kind: 'payment' | 'refund';
  readonly method: string;
  readonly amountFen: Fen;
  /** The receipt (SJ-…) or refund slip (TK-…) issued for it; absent if none was issued. */
  readonly serial?: string | null;
}

export interface MethodTakings {
  readonly method: string;
  readonly payments: number;
  readonly inFen: Fen;
  readonly refunds: number;
  readonly outFen: Fen;
  /** inFen − outFen: what this method's drawer or account should hold from these entries. */
  readonly netFen: Fen;
}

export interface SerialRange {
  readonly count: number;
  readonly first: string | null;
  readonly last: string | null;
  /** Σ the amounts of the entries that have a serial. */
  readonly amountFen: Fen;
}

export interface Takings {
  /** Every counter method (zero if none), then any other method met, each once. */
  readonly byMethod: readonly MethodTakings[];
  readonly inFen: Fen;
  readonly outFen: Fen;
  readonly netFen: Fen;
  /** Receipts issued for the payments (SJ-…) and slips for the refunds (TK-…). */
  readonly receipts: SerialRange;
  readonly slips: SerialRange;
  /** Payments or refunds with no receipt or slip: a close with any of these does not balance. */
  readonly unreceipted: number;
  /** Money taken equals the receipts issued, and every entry has its receipt. */
  readonly balanced: boolean;
}

const serialOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function range(entries: readonly TakingsEntry[]): SerialRange {
  const serials = entries.flatMap((e) => (e.serial ? [e.serial] : [])).sort(serialOrder);
  return { count: serials.length, first: serials[0] ?? null, last: serials[serials.length - 1] ?? null, amountFen: sumFen(entries.filter((e) => e.serial).map((e) => e.amountFen)) };
}

/**
 * What a set of payments and refunds took, by method, against the receipts and slips issued for
 * them: the cashier's day (日结/交班) and the estate's month (月末对账) are both this over their
 * entries. Integer fen; pure.
 */
export function takings(entries: readonly TakingsEntry[]): Takings {
  const methods = [...COUNTER_METHODS, ...new Set(entries.map((e) => e.method).filter((m) => !(COUNTER_METHODS as readonly string[]).includes(m)))];
  const byMethod = methods.map((method) => {
    const mine = entries.filter((e) => e.method === method);
    const ins = mine.filter((e) => e.kind === 'payment');
    const outs = mine.filter((e) => e.kind === 'refund');
    const inFen = sumFen(ins.map((e) => e.amountFen));
    const outFen = sumFen(outs.map((e) => e.amountFen));
    return { method, payments: ins.length, inFen, refunds: outs.length, outFen, netFen: inFen - outFen };
  });
  const inFen = sumFen(byMethod.map((m) => m.inFen));
  const outFen = sumFen(byMethod.map((m) => m.outFen));
  const receipts = range(entries.filter((e) => e.kind === 'payment'));
  const slips = range(entries.filter((e) => e.kind === 'refund'));
  const unreceipted = entries.filter((e) => !e.serial).length;
  return { byMethod, inFen, outFen, netFen: inFen - outFen, receipts, slips, unreceipted, balanced: unreceipted === 0 && receipts.amountFen === inFen && slips.amountFen === outFen };
}

/** Money held apart from bills (押金) taken at a counter, by method: every counter method (zero if none), then any other met. */
export interface HeldTakings {
  readonly byMethod: readonly { readonly method: string; readonly count: number; readonly inFen: Fen }[];
  readonly count: number;
  readonly inFen: Fen;
}

/** What deposits (押金) a counter took, by method, beside its takings: a drawer holds both. Integer fen; pure. */
export function heldTakings(entries: readonly { readonly method: string; readonly amountFen: Fen }[]): HeldTakings {
  const methods = [...COUNTER_METHODS, ...new Set(entries.map((e) => e.method).filter((m) => !(COUNTER_METHODS as readonly string[]).includes(m)))];
  const byMethod = methods.map((method) => {
    const mine = entries.filter((e) => e.method === method);
    return { method, count: mine.length, inFen: sumFen(mine.map((e) => e.amountFen)) };
  });
  return { byMethod, count: entries.length, inFen: sumFen(entries.map((e) => e.amountFen)) };
}

/** Deposits (押金) a counter paid back, by method: every counter method (zero if none), then any other met. */
export interface RefundedTakings {
  readonly byMethod: readonly { readonly method: string; readonly count: number; readonly outFen: Fen }[];
  readonly count: number;
  readonly outFen: Fen;
}

/** What deposit refunds (押金退还) a counter paid out, by method: the same grouping as the deposits it took, money going the other way. Integer fen; pure. */
export function refundedTakings(entries: readonly { readonly method: string; readonly amountFen: Fen }[]): RefundedTakings {
  const out = heldTakings(entries);
  return { byMethod: out.byMethod.map((m) => ({ method: m.method, count: m.count, outFen: m.inFen })), count: out.count, outFen: out.inFen };
}

// ---------------------------------------------------------------- ageing (欠费账龄)

/** Days past the bill's due date (pay-by): 0–30, 31–90, 91–180, 181–365, over 365. */
export type AgeingBucket = '0-30' | '31-90' | '91-180' | '181-365' | '365+';
export const AGEING_BUCKETS: readonly AgeingBucket[] = ['0-30', '31-90', '91-180', '181-365', '365+'];

/** The bucket of a debt `days` past its due date (1 = the day after it). */
export function ageingBucket(days: number): AgeingBucket {
  return days <= 30 ? '0-30' : days <= 90 ? '31-90' : days <= 180 ? '91-180' : days <= 365 ? '181-365' : '365+';
}

/**
 * One bill as the ageing reads it: what it charges and what is paid on it, from either source (the
 * settled account, or a per-bill paid-principal cache). `lateFeeOwedFen` is the late fee still owed
 * (charged + adjusted − paid), where the source knows it; a cache of principal alone leaves it out.
 */
export interface AgeingBill {
  readonly billKey: string;
  readonly unitId: string;
  readonly periodId: string;
  /** The pay-by date: a bill is in arrears from the day after. */
  readonly dueOn: CivilDate;
  /** The principal charged: the bill's total plus its principal adjustments (voids, waivers). */
  readonly principalFen: Fen;
  readonly principalPaidFen: Fen;
  readonly lateFeeOwedFen?: Fen;
}

export type Buckets = Readonly<Record<AgeingBucket, Fen>>;

export interface AgeingUnit {
  readonly unitId: string;
  readonly buckets: Buckets;
  readonly totalFen: Fen;
  /** Overdue bills of the unit, oldest due first. */
  readonly bills: readonly { readonly billKey: string; readonly periodId: string; readonly dueOn: CivilDate; readonly days: number; readonly bucket: AgeingBucket; readonly owedFen: Fen }[];
}

export interface Ageing {
  readonly asOf: CivilDate;
  /** Units that owe anything overdue, by unit id. */
  readonly units: readonly AgeingUnit[];
  readonly totals: Buckets;
  readonly totalFen: Fen;
}

/** Bucket sums in BigInt, stated as fen only when exact (`toFen` refuses, never rounds). */
const zeroSums = (): Record<AgeingBucket, bigint> => ({ '0-30': 0n, '31-90': 0n, '91-180': 0n, '181-365': 0n, '365+': 0n });
const exactBuckets = (sums: Record<AgeingBucket, bigint>, path: string): Record<AgeingBucket, Fen> =>
  Object.fromEntries(AGEING_BUCKETS.map((k) => [k, toFen(sums[k], `${path}/${k}`)])) as Record<AgeingBucket, Fen>;

/**
 * THE ageing of arrears (one function, whatever feeds it): each bill past its due date on `asOf`
 * that still owes principal or late fee goes in the bucket of its days past due; per unit and in
 * total. Pure, integer fen.
 */
export function ageArrears(bills: readonly AgeingBill[], asOf: CivilDate): Ageing {
  const byUnit = new Map<string, { buckets: Record<AgeingBucket, bigint>; bills: AgeingUnit['bills'][number][] }>();
  const sums = zeroSums();
  for (const b of bills) {
    const days = daysBetween(b.dueOn, asOf);
    if (days <= 0) continue;
    const owed = b.principalFen - b.principalPaidFen + (b.lateFeeOwedFen ?? 0);
    if (owed <= 0) continue;
    const bucket = ageingBucket(days);
    let u = byUnit.get(b.unitId);
    if (!u) byUnit.set(b.unitId, (u = { buckets: zeroSums(), bills: [] }));
    u.buckets[bucket] += BigInt(owed);
    sums[bucket] += BigInt(owed);
    u.bills.push({ billKey: b.billKey, periodId: b.periodId, dueOn: b.dueOn, days, bucket, owedFen: owed });
  }
  const units = [...byUnit].sort(([a], [b]) => serialOrder(a, b)).map(([unitId, u]) => {
    const buckets = exactBuckets(u.buckets, `/units/${unitId}/buckets`);
    return { unitId, buckets, totalFen: sumFen(AGEING_BUCKETS.map((k) => buckets[k]), `/units/${unitId}/totalFen`), bills: u.bills.sort((a, b) => compareDates(a.dueOn, b.dueOn)) };
  });
  const totals = exactBuckets(sums, '/totals');
  return { asOf, units, totals, totalFen: sumFen(AGEING_BUCKETS.map((k) => totals[k]), '/totalFen') };
}

/** A settled bill (settleAccount's BillState) as the ageing reads it. */
export function ageingBillOf(s: BillState): AgeingBill {
  return {
    billKey: s.bill.key, unitId: s.bill.unitId, periodId: s.bill.periodId, dueOn: s.bill.payBy,
    principalFen: s.principalFen, principalPaidFen: s.principalPaidFen,
    lateFeeOwedFen: s.lateFee.amountFen + s.lateFeeAdjustedFen - s.lateFeePaidFen,
  };
}

/** Sum of bucket records (a building's from its units'), exact in BigInt; a bucket beyond the safe range is refused (`toFen`), never rounded. */
export function addBuckets(list: readonly Buckets[]): Buckets {
  const out = zeroSums();
  for (const b of list) for (const k of AGEING_BUCKETS) out[k] += BigInt(b[k]);
  return exactBuckets(out, '/buckets');
}

/** The first and last day of the month `YYYY-MM`. */
export function monthRange(month: string): { from: CivilDate; to: CivilDate } {
  const from = `${month}-01`;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}
