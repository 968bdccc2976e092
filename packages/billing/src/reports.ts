import { accountsByUnit, billStateOf, settleAccount, type AccountInput, type BillState, type PaidTotal } from './account.ts';
import { ageArrears, ageingBillOf, takings, type Buckets, type Takings } from './cashier.ts';
import { addDays, compareDates } from './civil-date.ts';
import { roundHalfUp, sumFen, toFen } from './money.ts';
import type { Adjustment, Allocation, Bill, BillingPlan, BillLineKind, CivilDate, Fen, Payment } from './types.ts';

// ---------------------------------------------------------------- BL-9: the monthly fee report (财务收费报表)

/** The figures of one month, for the estate or one building. Integer fen. */
export interface FeeMonthFigures {
  /** Bills issued in the month. */
  readonly bills: number;
  /** 应收: the principal of the bills issued in the month (their totals plus principal adjustments, voids and waivers included) as of the report date. */
  readonly receivableFen: Fen;
  /** Of that, the principal paid by the report date. */
  readonly collectedFen: Fen;
  /** 收缴率 in basis points (a hundredth of a percent): collected ÷ receivable, rounded half up; null when nothing was receivable. */
  readonly collectionRateBp: number | null;
  /** 实收: payments received in the month, less refunds paid in it. */
  readonly receivedFen: Fen;
  readonly refundedFen: Fen;
  /** 欠费: what bills past their due date still owe on the report date (principal and late fee, ageArrears). */
  readonly arrearsFen: Fen;
  readonly arrearsBuckets: Buckets;
  /** 滞纳金: the late fee that accrued in the month (as settleAccount charges it), and the late fee paid in it. */
  readonly lateFeeChargedFen: Fen;
  readonly lateFeeReceivedFen: Fen;
  /** 减免: approved waivers dated in the month, on principal and on late fee (positive amounts). */
  readonly waivedPrincipalFen: Fen;
  readonly waivedLateFeeFen: Fen;
  /** 预收: money received and not yet allocated to any bill, held for the units on the report date. */
  readonly creditFen: Fen;
}

export interface FeeMonthReport {
  readonly month: string;
  readonly from: CivilDate;
  readonly to: CivilDate;
  /** The day the figures are settled as of: the month's last day, or today for the current month. */
  readonly asOf: CivilDate;
  readonly totals: FeeMonthFigures;
  /** 实收 by payment method against the receipts issued (the same takings as the day close and month-end reconciliation). */
  readonly received: Takings;
  /** The figures of each group (building), in the order the groups are first met; units with no group go under ''. */
  readonly groups: readonly { readonly group: string; readonly figures: FeeMonthFigures }[];
}

const inRange = (d: CivilDate, from: CivilDate, to: CivilDate) => compareDates(d, from) >= 0 && compareDates(d, to) <= 0;

/** collected ÷ receivable in basis points, rounded half up (BigInt, no float). */
export function rateBp(part: Fen, whole: Fen): number | null {
  if (whole <= 0) return null;
  return Number(roundHalfUp(BigInt(part) * 10000n, BigInt(whole)));
}

/** One unit's part of the monthly fee report: what settleAccount gives as of the report date, and the late fee of its bills the day before the month. */
export interface FeeMonthUnit {
  /** Its bills' states as of the report date (bills that owe nothing, are owed nothing, were not issued in the month and did not change in it may be left out). */
  readonly end: readonly BillState[];
  /** The late fee charged on its bills as of the day before the month, by bill key (bills not issued by then are left out). */
  readonly before: ReadonlyMap<string, Fen>;
  /** Late fee allocated to its bills in [from, asOf]. */
  readonly lateFeeReceived: Fen;
  /** Money received and not allocated (预收) as of the report date. */
  readonly creditFen: Fen;
}

/** A unit's part of the monthly fee report by settling its account twice: as of the report date and the day before the month. Pure. */
export function feeMonthUnit(account: Omit<AccountInput, 'asOf'>, range: { from: CivilDate; asOf: CivilDate }): FeeMonthUnit {
  const { from, asOf } = range;
  const end = settleAccount({ ...account, asOf });
  const before = settleAccount({ ...account, asOf: addDays(from, -1) });
  return {
    end: end.bills,
    before: new Map(before.bills.map((b) => [b.bill.key, b.lateFee.amountFen])),
    lateFeeReceived: sumFen(end.allocations.filter((a) => a.component === 'late-fee' && inRange(a.on, from, asOf)).map((a) => a.amountFen)),
    creditFen: end.creditFen,
  };
}

/**
 * A unit's part of the monthly fee report from its bills' paid totals (`PaidTotal`, the per-bill
 * cache, which answers any day on or after a bill's issue), for a unit that refunded nothing by
 * `asOf`: each bill's state is `billStateOf` its total as of `asOf` and as of the day before the
 * month; the late fee received is the late fee allocated in [from, asOf]. `bills`: its bills issued
 * by `asOf` that are open now or changed on or after `from` (the others were closed before the
 * month and stayed so: they owe nothing either day and their late fee did not move). `money`: what
 * it received by `asOf` (payments) and what was allocated to its bills issued by `asOf` over their
 * whole history (their paid totals); its credit as of `asOf` is received − allocated + what of that
 * is dated after `asOf` (all of it on `bills`, changed after `from`). Equal to `feeMonthUnit` for
 * such a unit. Pure.
 */
export function feeMonthUnitOfPaid(
  bills: readonly { readonly plan: BillingPlan; readonly bill: Bill; readonly paid: PaidTotal }[],
  range: { from: CivilDate; asOf: CivilDate },
  money: { readonly receivedFen: Fen; readonly allocatedFen: Fen },
): FeeMonthUnit {
  const { from, asOf } = range;
  const dayBefore = addDays(from, -1);
  const end: BillState[] = [];
  const before = new Map<string, Fen>();
  let lateFeeReceived = 0n;
  let allocatedLater = 0n;
  for (const { plan, bill, paid } of bills) {
    end.push(billStateOf(plan, bill, paid, asOf));
    if (compareDates(bill.issueOn, from) < 0) before.set(bill.key, billStateOf(plan, bill, paid, dayBefore).lateFee.amountFen);
    for (const p of paid.lateFeePayments) if (inRange(p.on, from, asOf)) lateFeeReceived += BigInt(p.amountFen);
    for (const p of [...paid.principalPayments, ...paid.lateFeePayments]) if (compareDates(p.on, asOf) > 0) allocatedLater += BigInt(p.amountFen);
  }
  return {
    end,
    before,
    lateFeeReceived: toFen(lateFeeReceived, '/lateFeeReceived'),
    creditFen: toFen(BigInt(money.receivedFen) - BigInt(money.allocatedFen) + allocatedLater, '/creditFen'),
  };
}

/**
 * The monthly fee report (BL-9, 财务收费报表 for the property manager's review) of an estate's
 * billing input for [from, to], settled as of `asOf` (≤ to) through settleAccount, the one ledger:
 * receivable and collected on the month's bills, received by method (takings), arrears aged from
 * the due date (ageArrears), late fee accrued and paid, waivers, credit; in total and by group
 * (`groupOf(unitId)`, the building). `waiverIds` names the adjustments that are approved waivers.
 * Every total is the sum of its groups. Pure, integer fen.
 */
export function feeMonthReport(
  input: Omit<AccountInput, 'asOf'>,
  range: { month: string; from: CivilDate; to: CivilDate; asOf: CivilDate },
  waiverIds: ReadonlySet<string>,
  groupOf: (unitId: string) => string,
): FeeMonthReport {
  const { from, asOf } = range;
  const parts = new Map<string, FeeMonthUnit>();
  for (const [unitId, account] of accountsByUnit(input)) parts.set(unitId, feeMonthUnit(account, range));
  const unitOfBill = new Map(input.bills.map((b) => [b.key, b.unitId]));
  const waivers = (input.adjustments ?? []).filter((a) => waiverIds.has(a.id) && inRange(a.on, from, asOf)).map((a) => ({ unitId: unitOfBill.get(a.billKey) ?? '', component: a.component, amountFen: a.amountFen }));
  const paymentsIn = input.payments.filter((p) => p.amountFen >= 0 && inRange(p.receivedOn, from, asOf));
  return feeMonthReportOf(parts, paymentsIn, waivers, range, groupOf);
}

/**
 * The monthly fee report from its units' parts (`feeMonthUnit` or `feeMonthUnitOfPaid`; a unit
 * with bills or payments has one), the payments and refunds received in [from, asOf], and the
 * approved waivers dated in it (by the unit of their bill). Pure, integer fen.
 */
export function feeMonthReportOf(
  parts: ReadonlyMap<string, FeeMonthUnit>,
  paymentsIn: readonly Pick<Payment, 'unitId' | 'kind' | 'method' | 'amountFen' | 'serial'>[],
  waivers: readonly { readonly unitId: string; readonly component: Adjustment['component']; readonly amountFen: Fen }[],
  range: { month: string; from: CivilDate; to: CivilDate; asOf: CivilDate },
  groupOf: (unitId: string) => string,
): FeeMonthReport {
  const { from, to, asOf } = range;
  const figures = (unitIds: readonly string[]): FeeMonthFigures => {
    const mine = new Set(unitIds);
    const list = unitIds.flatMap((u) => parts.get(u)?.end ?? []);
    const issued = list.filter((s) => inRange(s.bill.issueOn, from, asOf));
    const receivableFen = sumFen(issued.map((s) => s.principalFen));
    const collectedFen = sumFen(issued.map((s) => (s.principalPaidFen < s.principalFen ? s.principalPaidFen : s.principalFen)));
    const ageing = ageArrears(list.map(ageingBillOf), asOf);
    const lateFeeChargedFen = sumFen(unitIds.flatMap((u) => {
      const p = parts.get(u);
      return p ? p.end.map((s) => s.lateFee.amountFen - (p.before.get(s.bill.key) ?? 0)) : [];
    }));
    const pays = paymentsIn.filter((p) => mine.has(p.unitId));
    const t = takings(pays.map((p) => ({ kind: p.kind, method: p.method, amountFen: p.amountFen, serial: p.serial ?? null })));
    const waived = waivers.filter((a) => mine.has(a.unitId));
    return {
      bills: issued.length,
      receivableFen,
      collectedFen,
      collectionRateBp: rateBp(collectedFen, receivableFen),
      receivedFen: t.netFen,
      refundedFen: t.outFen,
      arrearsFen: ageing.totalFen,
      arrearsBuckets: ageing.totals,
      lateFeeChargedFen,
      lateFeeReceivedFen: sumFen(unitIds.map((u) => parts.get(u)?.lateFeeReceived ?? 0)),
      waivedPrincipalFen: 0 - sumFen(waived.filter((a) => a.component === 'principal').map((a) => a.amountFen)),
      waivedLateFeeFen: 0 - sumFen(waived.filter((a) => a.component === 'late-fee').map((a) => a.amountFen)),
      creditFen: sumFen(unitIds.map((u) => parts.get(u)?.creditFen ?? 0)),
    };
  };

  const byGroup = new Map<string, string[]>();
  for (const unitId of parts.keys()) {
    const g = groupOf(unitId);
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(unitId);
  }
  const all = [...parts.keys()];
  return {
    month: range.month,
    from,
    to,
    asOf,
    totals: figures(all),
    received: takings(paymentsIn.map((p) => ({ kind: p.kind, method: p.method, amountFen: p.amountFen, serial: p.serial ?? null }))),
    groups: [...byGroup].map(([group, unitIds]) => ({ group, figures: figures(unitIds) })),
  };
}

// ---------------------------------------------------------------- BL-11: income and spending (财务收支报表)

/** One spending entry (支出) as the report reads it. */
export interface SpendingItem {
  readonly category: string;
  readonly amountFen: Fen;
  readonly spentOn: CivilDate;
}

export interface IncomeSpendingReport {
  readonly from: CivilDate;
  readonly to: CivilDate;
  /** Income from billing: the money received in the range (net of refunds paid in it), by what it paid: bill lines of each kind (management, parking, service), late fee, and what is not yet allocated (预收). */
  readonly income: {
    readonly byKind: Readonly<Record<BillLineKind, Fen>>;
    readonly lateFeeFen: Fen;
    /** Received in the range and not allocated to any bill by its end (预收), less the refunds paid in the range. */
    readonly unallocatedFen: Fen;
    readonly totalFen: Fen;
  };
  /** Spending by category (in the order first met) and in total. */
  readonly spending: { readonly byCategory: readonly { readonly category: string; readonly amountFen: Fen; readonly entries: number }[]; readonly totalFen: Fen };
  /** income − spending. */
  readonly balanceFen: Fen;
}

/**
 * Splits an amount paid on a bill's principal over its lines in proportion to the line amounts,
 * exactly: largest remainder on BigInt, so the parts sum to the amount. Lines of zero get nothing.
 */
function splitOverLines(amount: bigint, lines: readonly { kind: BillLineKind; amountFen: Fen }[]): Map<BillLineKind, bigint> {
  const out = new Map<BillLineKind, bigint>();
  const positive = lines.filter((l) => l.amountFen > 0);
  const whole = positive.reduce((s, l) => s + BigInt(l.amountFen), 0n);
  if (whole === 0n || positive.length === 0) {
    out.set('management', amount);
    return out;
  }
  const parts = positive.map((l) => ({ kind: l.kind, share: (amount * BigInt(l.amountFen)) / whole, rest: (amount * BigInt(l.amountFen)) % whole }));
  let left = amount - parts.reduce((s, p) => s + p.share, 0n);
  const order = parts.map((p, i) => i).sort((a, b) => (parts[b]!.rest > parts[a]!.rest ? 1 : parts[b]!.rest < parts[a]!.rest ? -1 : a - b));
  for (const i of order) {
    if (left <= 0n) break;
    parts[i]!.share += 1n;
    left -= 1n;
  }
  for (const p of parts) out.set(p.kind, (out.get(p.kind) ?? 0n) + p.share);
  return out;
}

/**
 * The allocations of the money received in [from, to] (payments, not refunds) as settleAccount has
 * them as of `to`: what the income-and-spending report splits by kind. A payment is allocated on or
 * after the day it came, so by `to` within the range. Only a unit that received money in the range
 * is settled (the others have none of it). Pure.
 */
export function incomeAllocations(input: Omit<AccountInput, 'asOf'>, from: CivilDate, to: CivilDate): Allocation[] {
  const received = input.payments.filter((p) => p.kind === 'payment' && p.amountFen >= 0 && inRange(p.receivedOn, from, to));
  const receivedIds = new Set(received.map((p) => p.id));
  const paying = new Set(received.map((p) => p.unitId));
  const out: Allocation[] = [];
  for (const [unitId, account] of accountsByUnit(input)) {
    if (!paying.has(unitId)) continue;
    for (const a of settleAccount({ ...account, asOf: to }).allocations) if (receivedIds.has(a.paymentId)) out.push(a);
  }
  return out;
}

/** An allocation as the income-and-spending report reads it: what it paid (a bill's principal or its late fee) and how much. */
export type IncomeAllocation = Pick<Allocation, 'billKey' | 'component' | 'amountFen'>;

/**
 * `incomeAllocations` of one unit from its paid totals (issue #21), when the unit held no credit at
 * the start of `from`: credit is spent oldest payment first and none was left from before the range,
 * so every allocation dated in [from, to] is of money received in it, and every allocation of that
 * money by `to` is dated in it (settleAccount is a prefix, and dates each allocation by its event).
 * `changed`: the unit's paid totals changed on or after `from` (a bill changed before it was
 * allocated nothing since); `money.receivedBeforeFen`: the payments it received before `from`;
 * `money.allocatedFen`: allocated to its bills changed before `from` (all of it before `from`).
 * Undefined when it held credit at `from`, or the figures do not add up (which of the credit the
 * range's allocations spent needs their order within a day, not on the rows): the caller settles
 * the unit. The caller also settles a unit that refunded by `to` (a refund refused for want of
 * credit is not on the rows). Pure.
 */
export function incomeAllocationsOfPaid(
  changed: readonly Pick<PaidTotal, 'billKey' | 'principalPayments' | 'lateFeePayments'>[],
  from: CivilDate,
  to: CivilDate,
  money: { readonly receivedBeforeFen: Fen; readonly allocatedFen: Fen },
): IncomeAllocation[] | undefined {
  let allocatedBefore = BigInt(money.allocatedFen);
  const out: IncomeAllocation[] = [];
  for (const t of changed) {
    for (const [component, list] of [['principal', t.principalPayments], ['late-fee', t.lateFeePayments]] as const) {
      for (const a of list) {
        if (compareDates(a.on, from) < 0) allocatedBefore += BigInt(a.amountFen);
        else if (compareDates(a.on, to) <= 0) out.push({ billKey: t.billKey, component, amountFen: a.amountFen });
      }
    }
  }
  return allocatedBefore === BigInt(money.receivedBeforeFen) ? out : undefined;
}

/** What the income-and-spending report reads of billing besides the allocations: the lines of the bills they paid, the payments and refunds received. */
export type IncomeMoney = {
  readonly bills: readonly Pick<Bill, 'key' | 'lines'>[];
  readonly payments: readonly Pick<Payment, 'kind' | 'amountFen' | 'receivedOn'>[];
};

/**
 * The income-and-spending report (BL-11, 财务收支报表 to the owners' committee) for [from, to]:
 * income is the money billing received in the range, less refunds, by what settleAccount allocated
 * it to as of `to` (incomeAllocations: principal split over the bill's lines by kind in proportion,
 * exactly; late fee; not yet allocated), so income's total is exactly what was received; and
 * spending is the entries dated in the range by category. `input` needs only the units with
 * payments or refunds received in the range; `allocations`, when the caller has them already
 * (incomeAllocations of the same input), need the lines of only the bills they name. Pure, integer fen.
 */
export function incomeSpendingReport(input: Omit<AccountInput, 'asOf'>, spending: readonly SpendingItem[], from: CivilDate, to: CivilDate): IncomeSpendingReport;
export function incomeSpendingReport(input: IncomeMoney, spending: readonly SpendingItem[], from: CivilDate, to: CivilDate, allocations: readonly IncomeAllocation[]): IncomeSpendingReport;
export function incomeSpendingReport(
  input: IncomeMoney,
  spending: readonly SpendingItem[],
  from: CivilDate,
  to: CivilDate,
  allocations: readonly IncomeAllocation[] = incomeAllocations(input as Omit<AccountInput, 'asOf'>, from, to),
): IncomeSpendingReport {
  const byKind: Record<BillLineKind, bigint> = { management: 0n, parking: 0n, service: 0n };
  let lateFee = 0n;
  let allocated = 0n;
  const linesOf = new Map(input.bills.map((b) => [b.key, b.lines]));
  const inPayments = input.payments.filter((p) => p.amountFen >= 0 && inRange(p.receivedOn, from, to));
  for (const a of allocations) {
    allocated += BigInt(a.amountFen);
    if (a.component === 'late-fee') {
      lateFee += BigInt(a.amountFen);
      continue;
    }
    for (const [kind, part] of splitOverLines(BigInt(a.amountFen), linesOf.get(a.billKey) ?? [])) byKind[kind] += part;
  }
  const received = inPayments.filter((p) => p.kind === 'payment').reduce((s, p) => s + BigInt(p.amountFen), 0n);
  const refunded = inPayments.filter((p) => p.kind === 'refund').reduce((s, p) => s + BigInt(p.amountFen), 0n);
  // received and not allocated by `to` (预收), less the refunds paid in the range
  const unallocated = received - allocated - refunded;
  const incomeTotal = byKind.management + byKind.parking + byKind.service + lateFee + unallocated;
  const categories = new Map<string, { amount: bigint; entries: number }>();
  for (const s of spending) {
    if (!inRange(s.spentOn, from, to)) continue;
    const c = categories.get(s.category) ?? { amount: 0n, entries: 0 };
    c.amount += BigInt(s.amountFen);
    c.entries += 1;
    categories.set(s.category, c);
  }
  const spendingTotal = [...categories.values()].reduce((s, c) => s + c.amount, 0n);
  return {
    from,
    to,
    income: {
      byKind: { management: toFen(byKind.management, '/income/byKind/management'), parking: toFen(byKind.parking, '/income/byKind/parking'), service: toFen(byKind.service, '/income/byKind/service') },
      lateFeeFen: toFen(lateFee, '/income/lateFeeFen'),
      unallocatedFen: toFen(unallocated, '/income/unallocatedFen'),
      totalFen: toFen(incomeTotal, '/income/totalFen'),
    },
    spending: { byCategory: [...categories].map(([category, c], i) => ({ category, amountFen: toFen(c.amount, `/spending/byCategory/${i}/amountFen`), entries: c.entries })), totalFen: toFen(spendingTotal, '/spending/totalFen') },
    balanceFen: toFen(incomeTotal - spendingTotal, '/balanceFen'),
  };
}
