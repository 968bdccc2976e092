import { billingError, type BillingError } from './billing-error.ts';
import { compareDates } from './civil-date.ts';
import { lateFee, type LateFeeResult, type PrincipalPayment } from './late-fee.ts';
import { assertFen, toFen } from './money.ts';
import type { Adjustment, Allocation, AllocationRule, Bill, BillingPlan, CivilDate, Fen, Payment } from './types.ts';

/** Oldest bill first, principal before late fee (the default allocation rule). */
export const DEFAULT_ALLOCATION: AllocationRule = { order: 'oldest-first', within: 'principal-first' };

export interface AccountInput {
  readonly plans: readonly BillingPlan[];
  /** Bills of one unit (other units' bills are ignored by `unitId`). */
  readonly bills: readonly Bill[];
  readonly payments: readonly Payment[];
  readonly adjustments?: readonly Adjustment[];
  readonly asOf: CivilDate;
  /** Overrides the plans' allocation rule. */
  readonly allocation?: AllocationRule;
}

export interface BillState {
  readonly bill: Bill;
  /** Bill total plus principal adjustments. */
  readonly principalFen: Fen;
  readonly principalPaidFen: Fen;
  /** Late fee charged as of `asOf` (before late-fee adjustments). */
  readonly lateFee: LateFeeResult;
  readonly lateFeeAdjustedFen: Fen;
  readonly lateFeePaidFen: Fen;
  /** principal − paid + late fee + late-fee adjustments − late fee paid. */
  readonly outstandingFen: Fen;
  /** Day the principal was paid in full, if it was. */
  readonly clearedOn?: CivilDate;
}

export interface Refund {
  readonly refundId: string;
  readonly fromPaymentId: string;
  readonly on: CivilDate;
  readonly amountFen: Fen;
}

export interface AccountState {
  readonly asOf: CivilDate;
  readonly bills: readonly BillState[];
  readonly allocations: readonly Allocation[];
  readonly refunds: readonly Refund[];
  /** Money received and not allocated (prepayment 预收). */
  readonly creditFen: Fen;
  /** Σ outstanding − credit: what the unit owes (negative = the company owes the unit). */
  readonly balanceFen: Fen;
  readonly errors: readonly BillingError[];
}

interface Working {
  readonly bill: Bill;
  readonly plan: BillingPlan;
  principal: bigint;
  principalPaid: bigint;
  lateFeeAdjusted: bigint;
  lateFeePaid: bigint;
  readonly principalPayments: PrincipalPayment[];
}

type Event =
  | { readonly on: CivilDate; readonly rank: 0; readonly bill: Bill }
  | { readonly on: CivilDate; readonly rank: 1; readonly adjustment: Adjustment }
  | { readonly on: CivilDate; readonly rank: 2; readonly payment: Payment };

/**
 * An estate's input split into one account per unit, in one pass: each unit's bills, payments and
 * the adjustments of its bills (by bill key), each list in input order; units in the order their
 * first bill (or payment) appears. Settling each unit's part equals settling the unit with the whole
 * input (other units' bills and payments are ignored either way), without the whole-input filter per
 * unit that made an estate's accounts quadratic. Pure.
 */
export function accountsByUnit<T extends Omit<AccountInput, 'asOf'>>(input: T): Map<string, T> {
  const out = new Map<string, { bills: Bill[]; payments: Payment[]; adjustments: Adjustment[] }>();
  const part = (unitId: string) => {
    let p = out.get(unitId);
    if (!p) out.set(unitId, (p = { bills: [], payments: [], adjustments: [] }));
    return p;
  };
  const unitOfBill = new Map<string, string>();
  for (const b of input.bills) {
    part(b.unitId).bills.push(b);
    unitOfBill.set(b.key, b.unitId);
  }
  for (const p of input.payments) part(p.unitId).payments.push(p);
  for (const a of input.adjustments ?? []) {
    const unitId = unitOfBill.get(a.billKey);
    if (unitId !== undefined) part(unitId).adjustments.push(a);
  }
  return new Map([...out].map(([unitId, p]) => [unitId, { ...input, ...p }]));
}

/**
 * Replays one unit's bills, adjustments and payments up to `asOf` and allocates every fen:
 * events in date order (on one day: bills, then adjustments, then payments in input order); each
 * payment goes to open bills by the allocation rule (oldest first, principal before late fee by
 * default) and what is left becomes credit, applied to bills as they are issued. Refunds come out
 * of credit. Nothing is edited: the result is derived from the append-only history. Pure.
 */
export function settleAccount(input: AccountInput): AccountState {
  const errors: BillingError[] = [];
  const plans = new Map(input.plans.map((p) => [p.id, p]));
  const open: Working[] = [];
  const allocations: Allocation[] = [];
  const refunds: Refund[] = [];
  const credit: { paymentId: string; remaining: bigint }[] = [];
  const byKey = new Map<string, Working>();

  const events: Event[] = [];
  input.bills.forEach((bill, i) => {
    if (compareDates(bill.issueOn, input.asOf) > 0) return;
    const plan = plans.get(bill.planId);
    if (!plan) {
      errors.push(billingError('unknown-plan', `/bills/${i}/planId`, `找不到收费计划 "${bill.planId}"`, `Unknown billing plan "${bill.planId}"`));
      return;
    }
    events.push({ on: bill.issueOn, rank: 0, bill });
  });
  input.adjustments?.forEach((a, i) => {
    assertFen(a.amountFen, `/adjustments/${i}/amountFen`);
    if (compareDates(a.on, input.asOf) <= 0) events.push({ on: a.on, rank: 1, adjustment: a });
  });
  input.payments.forEach((p, i) => {
    assertFen(p.amountFen, `/payments/${i}/amountFen`);
    if (p.amountFen < 0) errors.push(billingError('invalid-amount', `/payments/${i}/amountFen`, '金额不能为负数；退款请用 kind: "refund"', 'Amount must not be negative; use kind "refund" for refunds'));
    else if (compareDates(p.receivedOn, input.asOf) <= 0) events.push({ on: p.receivedOn, rank: 2, payment: p });
  });
  events.sort((a, b) => compareDates(a.on, b.on) || a.rank - b.rank);

  const rule = (w: Working) => input.allocation ?? w.plan.allocation ?? DEFAULT_ALLOCATION;
  const lateFeeOn = (w: Working, on: CivilDate) => lateFee(w.plan, w.bill.periodStart, Number(w.principal), w.principalPayments, on);

  const take = (w: Working, component: 'principal' | 'late-fee', owed: bigint, on: CivilDate) => {
    let left = owed;
    while (left > 0n && credit.length > 0) {
      const head = credit[0]!;
      const amount = head.remaining < left ? head.remaining : left;
      head.remaining -= amount;
      left -= amount;
      if (head.remaining === 0n) credit.shift();
      allocations.push({ paymentId: head.paymentId, billKey: w.bill.key, component, on, amountFen: Number(amount) });
      if (component === 'principal') {
        w.principalPaid += amount;
        w.principalPayments.push({ on, amountFen: Number(amount) });
      } else {
        w.lateFeePaid += amount;
      }
    }
  };

  const applyCredit = (on: CivilDate) => {
    if (credit.length === 0) return;
    const ordered = open.slice().sort((a, b) => compareDates(a.bill.periodStart, b.bill.periodStart) || (a.bill.key < b.bill.key ? -1 : a.bill.key > b.bill.key ? 1 : 0));
    for (const w of ordered.length > 0 && rule(ordered[0]!).order === 'newest-first' ? ordered.reverse() : ordered) {
      const components: ('principal' | 'late-fee')[] = rule(w).within === 'principal-first' ? ['principal', 'late-fee'] : ['late-fee', 'principal'];
      for (const c of components) {
        if (credit.length === 0) return;
        const owed =
          c === 'principal'
            ? w.principal - w.principalPaid
            : BigInt(lateFeeOn(w, on).amountFen) + w.lateFeeAdjusted - w.lateFeePaid;
        if (owed > 0n) take(w, c, owed, on);
      }
    }
  };

  for (const e of events) {
    if (e.rank === 0) {
      const w: Working = { bill: e.bill, plan: plans.get(e.bill.planId)!, principal: BigInt(e.bill.totalFen), principalPaid: 0n, lateFeeAdjusted: 0n, lateFeePaid: 0n, principalPayments: [] };
      open.push(w);
      byKey.set(e.bill.key, w);
      applyCredit(e.on);
    } else if (e.rank === 1) {
      const w = byKey.get(e.adjustment.billKey);
      if (!w) {
        errors.push(billingError('unknown-bill', `/adjustments/${e.adjustment.id}/billKey`, `调整引用的账单 "${e.adjustment.billKey}" 不存在或尚未开出`, `Adjustment refers to bill "${e.adjustment.billKey}" which does not exist or is not issued yet`));
        continue;
      }
      if (e.adjustment.component === 'principal') w.principal += BigInt(e.adjustment.amountFen);
      else w.lateFeeAdjusted += BigInt(e.adjustment.amountFen);
      applyCredit(e.on);
    } else if (e.payment.kind === 'payment') {
      if (e.payment.amountFen > 0) credit.push({ paymentId: e.payment.id, remaining: BigInt(e.payment.amountFen) });
      applyCredit(e.on);
    } else {
      applyCredit(e.on);
      const available = credit.reduce((s, c) => s + c.remaining, 0n);
      let left = BigInt(e.payment.amountFen);
      if (left > available) {
        errors.push(billingError('refund-exceeds-credit', `/payments/${e.payment.id}/amountFen`, `退款 ${e.payment.amountFen} 分超过预收余额 ${available} 分`, `Refund of ${e.payment.amountFen} fen exceeds the credit of ${available} fen`));
        continue;
      }
      // refunds return the most recent money first
      while (left > 0n) {
        const last = credit[credit.length - 1]!;
        const amount = last.remaining < left ? last.remaining : left;
        last.remaining -= amount;
        left -= amount;
        if (last.remaining === 0n) credit.pop();
        refunds.push({ refundId: e.payment.id, fromPaymentId: last.paymentId, on: e.on, amountFen: Number(amount) });
      }
    }
  }
  applyCredit(input.asOf);

  const bills: BillState[] = open.map((w) => {
    const fee = lateFeeOn(w, input.asOf);
    const outstanding = w.principal - w.principalPaid + BigInt(fee.amountFen) + w.lateFeeAdjusted - w.lateFeePaid;
    const cleared = w.principalPaid >= w.principal ? w.principalPayments[w.principalPayments.length - 1]?.on ?? w.bill.issueOn : undefined;
    return {
      bill: w.bill,
      principalFen: Number(w.principal),
      principalPaidFen: Number(w.principalPaid),
      lateFee: fee,
      lateFeeAdjustedFen: Number(w.lateFeeAdjusted),
      lateFeePaidFen: Number(w.lateFeePaid),
      outstandingFen: Number(outstanding),
      ...(cleared === undefined ? {} : { clearedOn: cleared }),
    };
  });
  const creditFen = toFen(credit.reduce((s, c) => s + c.remaining, 0n), '/creditFen');
  return {
    asOf: input.asOf,
    bills,
    allocations,
    refunds,
    creditFen,
    balanceFen: toFen(bills.reduce((s, b) => s + BigInt(b.outstandingFen), 0n) - BigInt(creditFen), '/balanceFen'),
    errors,
  };
}

// ---------------------------------------------------------------- per-bill paid totals (issue #21)

/**
 * One bill's paid total as the per-bill cache keeps it: its unit settled after all of its history,
 * with every dated change of the bill (the principal and late fee allocated to it, its adjustments).
 * As of any day on or after its issue the bill's state is `billStateOf` this, exactly what
 * settleAccount gives for that day, because settleAccount is a prefix: its allocations dated up to
 * a day are the same whether it settles as of that day or a later one (events are replayed in date
 * order and each allocation is dated by the event that made it; credit left over after an event
 * means every open bill is paid, principal and late fee, and a bill whose principal is paid accrues
 * no more late fee, so the final allocation as of the day allocates nothing). So the bill as of a
 * day is the totals less what is dated after it.
 */
export interface PaidTotal {
  readonly billKey: string;
  /** The last day its issue, an allocation to it or an adjustment of it changed it. */
  readonly changedOn: CivilDate;
  /** The bill's total plus principal adjustments. */
  readonly principalFen: Fen;
  readonly principalPaidFen: Fen;
  /** Principal allocated to it, in order (what its late fee is computed from). */
  readonly principalPayments: readonly PrincipalPayment[];
  readonly lateFeeAdjustedFen: Fen;
  readonly lateFeePaidFen: Fen;
  /** Late fee allocated to it, in order. */
  readonly lateFeePayments: readonly Pick<Allocation, 'on' | 'amountFen'>[];
  /** Its adjustments as settleAccount applies them (dated on or after its issue), in date order. */
  readonly adjustments: readonly Pick<Adjustment, 'on' | 'component' | 'amountFen'>[];
  /** It owes, or is owed, something after its last change (outstanding ≠ 0, or principal unpaid). */
  readonly open: boolean;
}

const later = (a: CivilDate, b: CivilDate) => (compareDates(a, b) >= 0 ? a : b);

/** The day `paidTotals` settles an account as of: its last dated event (a bill's issue, a payment, an adjustment); none without bills. Pure. */
export function paidTotalsAsOf(input: Omit<AccountInput, 'asOf'>): CivilDate | undefined {
  let last: CivilDate | undefined;
  for (const b of input.bills) last = last === undefined ? b.issueOn : later(b.issueOn, last);
  if (last === undefined) return undefined;
  for (const p of input.payments) last = later(p.receivedOn, last);
  for (const a of input.adjustments ?? []) last = later(a.on, last);
  return last;
}

/**
 * The paid totals of one unit's bills (`input` as accountsByUnit splits it): the unit settled as of
 * its last dated event (`paidTotalsAsOf`), one total per bill it settles (bills of unknown plans have
 * none, as settleAccount leaves them out). `settled`: the same input already settled by the caller
 * (a payment at the counter settles its day); used when that day is the one needed, so the unit is
 * settled once. Pure.
 */
export function paidTotals(input: Omit<AccountInput, 'asOf'>, settled?: { asOf: CivilDate; state: AccountState }): PaidTotal[] {
  const last = paidTotalsAsOf(input);
  if (last === undefined) return [];
  const state = settled && compareDates(settled.asOf, last) === 0 ? settled.state : settleAccount({ ...input, asOf: last });
  const changed = new Map<string, CivilDate>();
  const principalPayments = new Map<string, PrincipalPayment[]>();
  const lateFeePayments = new Map<string, Pick<Allocation, 'on' | 'amountFen'>[]>();
  const adjustments = new Map<string, Pick<Adjustment, 'on' | 'component' | 'amountFen'>[]>();
  const push = <T>(lists: Map<string, T[]>, key: string, item: T) => {
    let list = lists.get(key);
    if (!list) lists.set(key, (list = []));
    list.push(item);
  };
  const touch = (key: string, on: CivilDate) => changed.set(key, changed.has(key) ? later(changed.get(key)!, on) : on);
  for (const a of state.allocations) {
    touch(a.billKey, a.on);
    push(a.component === 'principal' ? principalPayments : lateFeePayments, a.billKey, { on: a.on, amountFen: a.amountFen });
  }
  const issueOf = new Map(state.bills.map((s) => [s.bill.key, s.bill.issueOn]));
  for (const a of input.adjustments ?? []) {
    touch(a.billKey, a.on);
    // settleAccount applies an adjustment from its bill's issue on (one dated before is refused as unknown-bill)
    const issueOn = issueOf.get(a.billKey);
    if (issueOn !== undefined && compareDates(a.on, issueOn) >= 0) push(adjustments, a.billKey, { on: a.on, component: a.component, amountFen: a.amountFen });
  }
  return state.bills.map((s) => {
    const key = s.bill.key;
    const changedOn = changed.has(key) ? later(changed.get(key)!, s.bill.issueOn) : s.bill.issueOn;
    return {
      billKey: key, changedOn, principalFen: s.principalFen, principalPaidFen: s.principalPaidFen, principalPayments: principalPayments.get(key) ?? [],
      lateFeeAdjustedFen: s.lateFeeAdjustedFen, lateFeePaidFen: s.lateFeePaidFen, lateFeePayments: lateFeePayments.get(key) ?? [],
      adjustments: (adjustments.get(key) ?? []).sort((x, y) => compareDates(x.on, y.on)),
      open: s.principalPaidFen < s.principalFen || s.outstandingFen !== 0,
    };
  });
}

/**
 * A bill's state as of `asOf` (on or after its issue) from its paid total: the totals less what is
 * dated after `asOf` (nothing on or after its `changedOn`), the late fee computed as of that day by
 * the one late-fee rule; equal to what settleAccount gives for that day (see `PaidTotal`). Pure.
 */
export function billStateOf(plan: BillingPlan, bill: Bill, paid: PaidTotal, asOf: CivilDate): BillState {
  let principal = BigInt(paid.principalFen);
  let principalPaid = BigInt(paid.principalPaidFen);
  let lateFeeAdjusted = BigInt(paid.lateFeeAdjustedFen);
  let lateFeePaid = BigInt(paid.lateFeePaidFen);
  let lastPaid = paid.principalPayments.length - 1;
  if (compareDates(asOf, paid.changedOn) < 0) {
    for (const a of paid.adjustments) {
      if (compareDates(a.on, asOf) <= 0) continue;
      if (a.component === 'principal') principal -= BigInt(a.amountFen);
      else lateFeeAdjusted -= BigInt(a.amountFen);
    }
    for (const p of paid.lateFeePayments) if (compareDates(p.on, asOf) > 0) lateFeePaid -= BigInt(p.amountFen);
    // principal is allocated in date order: the payments up to asOf are a prefix
    while (lastPaid >= 0 && compareDates(paid.principalPayments[lastPaid]!.on, asOf) > 0) principalPaid -= BigInt(paid.principalPayments[lastPaid--]!.amountFen);
  }
  const fee = lateFee(plan, bill.periodStart, Number(principal), paid.principalPayments, asOf);
  const outstanding = principal - principalPaid + BigInt(fee.amountFen) + lateFeeAdjusted - lateFeePaid;
  const cleared = principalPaid >= principal ? paid.principalPayments[lastPaid]?.on ?? bill.issueOn : undefined;
  return {
    bill, principalFen: Number(principal), principalPaidFen: Number(principalPaid), lateFee: fee,
    lateFeeAdjustedFen: Number(lateFeeAdjusted), lateFeePaidFen: Number(lateFeePaid), outstandingFen: Number(outstanding),
    ...(cleared === undefined ? {} : { clearedOn: cleared }),
  };
}
