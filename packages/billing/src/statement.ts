import { accountsByUnit, settleAccount, type AccountInput, type BillState } from './account.ts';
import { ageArrears, AGEING_BUCKETS, ageingBillOf, ageingBucket, type AgeingBucket } from './cashier.ts';
import { addDays, compareDates } from './civil-date.ts';
import type { CivilDate, Fen, Payment, Text } from './types.ts';

export interface StatementEntry {
  readonly on: CivilDate;
  readonly kind: 'charge' | 'adjustment' | 'late-fee' | 'payment' | 'refund';
  readonly ref: string;
  readonly description: Text;
  /** Positive = owed by the unit, negative = paid by it. */
  readonly amountFen: Fen;
}

export interface Statement {
  readonly unitId: string;
  readonly from: CivilDate;
  readonly to: CivilDate;
  readonly openingFen: Fen;
  readonly entries: readonly StatementEntry[];
  /** openingFen + Σ entries, equal to the balance settled as of `to`. */
  readonly closingFen: Fen;
  readonly creditFen: Fen;
}

/** `退款 TK-2027-000001（原因）`: a refund's slip number and reason, where it has them. */
const refundText = (p: Payment): Text => {
  const serial = p.serial ? ` ${p.serial}` : '';
  const reason = p.reason ? { zh: `（${p.reason}）`, en: ` (${p.reason})` } : { zh: '', en: '' };
  return { zh: `退款${serial}${reason.zh}`, en: `Refund${serial}${reason.en}` };
};

const inRange = (d: CivilDate, from: CivilDate, to: CivilDate) => compareDates(d, from) >= 0 && compareDates(d, to) <= 0;

/**
 * A unit's statement 对账单 for [from, to] (e.g. a billing period): balance brought forward, the
 * bill lines issued, adjustments, the change in late fee charged, payments and refunds, and the
 * closing balance. Invariant: opening + Σ entries = closing. Pure.
 */
export function statement(unitId: string, input: Omit<AccountInput, 'asOf'>, from: CivilDate, to: CivilDate): Statement {
  const own = {
    ...input,
    bills: input.bills.filter((b) => b.unitId === unitId),
    payments: input.payments.filter((p) => p.unitId === unitId),
  };
  const opening = settleAccount({ ...own, asOf: addDays(from, -1) });
  const closing = settleAccount({ ...own, asOf: to });
  const entries: StatementEntry[] = [];
  for (const b of own.bills) {
    if (!inRange(b.issueOn, from, to)) continue;
    for (const l of b.lines) entries.push({ on: b.issueOn, kind: 'charge', ref: `${b.key}#${l.no}`, description: l.description, amountFen: l.amountFen });
  }
  const issuedOn = new Map(closing.bills.map((b) => [b.bill.key, b.bill.issueOn]));
  for (const a of own.adjustments ?? []) {
    const issued = issuedOn.get(a.billKey);
    if (inRange(a.on, from, to) && issued !== undefined && compareDates(issued, a.on) <= 0) entries.push({ on: a.on, kind: 'adjustment', ref: a.id, description: a.reason, amountFen: a.amountFen });
  }
  const before = new Map(opening.bills.map((b) => [b.bill.key, b.lateFee.amountFen]));
  for (const b of closing.bills) {
    const delta = b.lateFee.amountFen - (before.get(b.bill.key) ?? 0);
    if (delta !== 0) {
      entries.push({
        on: to,
        kind: 'late-fee',
        ref: b.bill.key,
        description: { zh: `滞纳金 ${b.bill.periodId}`, en: `Late fee ${b.bill.periodId}` },
        amountFen: delta,
      });
    }
  }
  const refundFailed = new Set(closing.errors.filter((e) => e.reason === 'refund-exceeds-credit').map((e) => e.path));
  for (const p of own.payments) {
    if (!inRange(p.receivedOn, from, to) || p.amountFen < 0) continue;
    if (p.kind === 'payment') entries.push({ on: p.receivedOn, kind: 'payment', ref: p.id, description: { zh: '缴费', en: 'Payment' }, amountFen: -p.amountFen });
    else if (!refundFailed.has(`/payments/${p.id}/amountFen`)) entries.push({ on: p.receivedOn, kind: 'refund', ref: p.id, description: refundText(p), amountFen: p.amountFen });
  }
  entries.sort((a, b) => compareDates(a.on, b.on));
  return { unitId, from, to, openingFen: opening.balanceFen, entries, closingFen: closing.balanceFen, creditFen: closing.creditFen };
}

/**
 * The ageing buckets of arrears: the cashier's (ageArrears), days past the bill's due date. One rule:
 * the arrears card of /bills, the arrears by building and the unit's household file all age by it.
 */
export type AgeBucket = AgeingBucket;
export const AGE_BUCKETS: readonly AgeBucket[] = AGEING_BUCKETS;
/** The bucket of a debt `days` past its due date (ageingBucket). */
export const ageBucket = ageingBucket;

export interface ArrearsRow {
  readonly unitId: string;
  readonly buckets: Readonly<Record<AgeBucket, Fen>>;
  readonly totalFen: Fen;
  /** Oldest overdue period. */
  readonly oldestPeriodId: string;
}

export interface ArrearsReport {
  readonly asOf: CivilDate;
  readonly rows: readonly ArrearsRow[];
  readonly totals: Readonly<Record<AgeBucket, Fen>>;
  readonly totalFen: Fen;
}

/**
 * An estate's arrears 欠费 as of `asOf`: every unit with a bill past its due date that still owes
 * (principal and late fee, as settleAccount has them), in ageing buckets by days past the due date
 * (ageArrears, the one rule). Rows sorted by total, largest first. Pure.
 */
export function arrearsReport(input: AccountInput): ArrearsReport {
  const states: BillState[] = [];
  for (const account of accountsByUnit(input).values()) if (account.bills.length > 0) states.push(...settleAccount(account).bills);
  return arrearsOf(states, input.asOf);
}

/**
 * THE arrears by unit from settled bills (settleAccount's, or a per-bill paid total's as of the
 * same day, billStateOf): each bill past its due date on `asOf` that still owes goes in the bucket
 * of its days past the due date (ageArrears, the rule of the arrears by building). Pure, integer fen.
 */
export function arrearsOf(states: readonly BillState[], asOf: CivilDate): ArrearsReport {
  const ageing = ageArrears(states.map(ageingBillOf), asOf);
  const rows: ArrearsRow[] = ageing.units.map((u) => {
    const oldest = u.bills.reduce((x, y) => (compareDates(y.dueOn, x.dueOn) < 0 ? y : x), u.bills[0]!);
    return { unitId: u.unitId, buckets: u.buckets, totalFen: u.totalFen, oldestPeriodId: oldest.periodId };
  });
  rows.sort((x, y) => y.totalFen - x.totalFen || (x.unitId < y.unitId ? -1 : 1));
  return { asOf, rows, totals: ageing.totals, totalFen: ageing.totalFen };
}
