import { and, asc, eq, sql } from 'drizzle-orm';
import { instances, residentLinkActive, residents, type Tx } from '@estateflow/db';
import {
  accountsByUnit,
  compareDates,
  estateDate,
  lateFeeStart,
  lateFeeWarning,
  noticeOf,
  noticeSchedule,
  parsePeriod,
  settleAccount,
  type AccountState,
  type Bill,
  type BillingPlan,
  type CivilDate,
  type NoticeKind,
  type Payment,
} from '@estateflow/billing';
import type { EngineSnapshot } from '@estateflow/engine';
import { latestVersion } from './definition-store.ts';
import { accountInput, estateTimeZone, unitPlaces } from './billing-store.ts';
import { sendEvent, startInstance, systemActor, type EventPathDeps } from './event-path.ts';

/**
 * Dunning is billing's: billing is the one ledger and the billing package the one place a late fee
 * is computed (BL-2). The `dunning` workflow (workflows/billing-dunning) holds no amount. Billing
 * starts it for a bill still unpaid on its reminder's issue date (the payment notice's pay-by has
 * passed), and gives each notice the bill's figures as a statement shows them on the notice's
 * issue date (`settleAccount` as of that day): REMINDER, FINAL_NOTICE, RECOVERY. A payment that
 * reaches a dunned bill is sent as PAYMENT with what is still owed (`dunningPayment`).
 */

export const DUNNING_WORKFLOW = 'dunning';

/** The events billing sends for each notice of the plan's timetable, in order, and the state each leaves. */
const STEPS: readonly { kind: Exclude<NoticeKind, 'payment-notice'>; event: string; from: string }[] = [
  { kind: 'reminder', event: 'REMINDER', from: 'noticed' },
  { kind: 'final-notice', event: 'FINAL_NOTICE', from: 'reminded' },
  { kind: 'recovery', event: 'RECOVERY', from: 'finalNotice' },
];

export interface DunningNotice {
  billKey: string;
  unitId: string;
  kind: string;
  issueOn: CivilDate;
  principalOwedFen: number;
  lateFeeFen: number;
  lateFeePaidFen: number;
  outstandingFen: number;
}

export interface DunningResult {
  asOf: CivilDate;
  /** dunning instances started (one per overdue bill, never two) */
  started: number;
  /** notices issued by this sweep, with the figures they carry */
  notices: DunningNotice[];
}

/** What a notice of a bill says: a statement's figures that day (principal still owed, late fee charged and paid of it, total owed). */
export function billFigures(state: AccountState, billKey: string) {
  const s = state.bills.find((b) => b.bill.key === billKey);
  if (!s) return undefined;
  // the late fee charged (after waivers), and what of it is paid, as the statement lists them
  return { principalOwedFen: s.principalFen - s.principalPaidFen, lateFeeFen: s.lateFee.amountFen + s.lateFeeAdjustedFen, lateFeePaidFen: s.lateFeePaidFen, outstandingFen: s.outstandingFen };
}

type DunningRow = { id: string; bill: string | null; state: unknown; status: string };

async function dunningInstances(tx: Tx, tenantId: string, estateId: string): Promise<Map<string, DunningRow>> {
  const rows = await tx.select({ id: instances.id, bill: sql<string | null>`${instances.snapshot}->'context'->'data'->>'bill'`, state: instances.state, status: instances.status })
    .from(instances)
    .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), eq(instances.workflowKey, DUNNING_WORKFLOW)))
    .orderBy(asc(instances.startedAt));
  const byBill = new Map<string, DunningRow>();
  for (const r of rows) if (r.bill && !byBill.has(r.bill)) byBill.set(r.bill, r);
  return byBill;
}

/**
 * One estate's dunning as of `asOf` (default: today in the estate's time zone), inside the
 * caller's transaction, one sweep at a time per estate: starts the missing instances and sends
 * every notice that is due and not yet sent. Rerunning it sends nothing new. An estate without the
 * `dunning` workflow installed is left alone.
 */
export async function runDunning(deps: EventPathDeps, tx: Tx, input: { tenantId: string; estateId: string; asOf?: CivilDate }): Promise<DunningResult> {
  const { tenantId, estateId } = input;
  const asOf = input.asOf ?? estateDate(deps.now(), await estateTimeZone(tx, tenantId, estateId));
  const result: DunningResult = { asOf, started: 0, notices: [] };
  if (!(await latestVersion(tx, tenantId, estateId, 'workflow', DUNNING_WORKFLOW))) return result;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`dunning:${tenantId}:${estateId}`}))`);
  const input0 = await accountInput(tx, tenantId, estateId);
  const plans = new Map(input0.plans.map((p) => [p.id, p]));
  const existing = await dunningInstances(tx, tenantId, estateId);
  const accounts = accountsByUnit(input0);
  const due: { bill: Bill; plan: BillingPlan; account: (typeof accounts extends Map<string, infer A> ? A : never) }[] = [];
  for (const account of accounts.values()) {
    for (const bill of account.bills) {
      const plan = plans.get(bill.planId);
      if (!plan) continue;
      const period = parsePeriod(plan, bill.periodId);
      if ('reason' in period) continue;
      const reminder = noticeOf(noticeSchedule(plan, period), 'reminder');
      if (compareDates(reminder.issueOn, asOf) > 0) continue;
      due.push({ bill, plan, account });
    }
  }
  if (due.length === 0) return result;
  const places = await unitPlaces(tx, tenantId, due.map((d) => d.bill.unitId));
  for (const { bill, plan, account } of due) {
    const period = parsePeriod(plan, bill.periodId);
    if ('reason' in period) continue;
    const schedule = noticeSchedule(plan, period);
    const figuresOn = (on: CivilDate) => billFigures(settleAccount({ ...account, asOf: on }), bill.key);
    let row = existing.get(bill.key);
    if (!row) {
      const reminder = noticeOf(schedule, 'reminder');
      // paid by the reminder's day, or by today: nothing to dun
      if ((figuresOn(reminder.issueOn)?.outstandingFen ?? 0) <= 0 || (figuresOn(asOf)?.outstandingFen ?? 0) <= 0) continue;
      const payer = await tx.select({ name: residents.name }).from(residents)
        .where(and(eq(residents.tenantId, tenantId), eq(residents.estateId, estateId), eq(residents.unitId, bill.unitId), residentLinkActive(deps.now())))
        .orderBy(asc(residents.name));
      const unit = places.get(bill.unitId)?.unitLabel ?? bill.unitId;
      const final = noticeOf(schedule, 'final-notice');
      const recovery = noticeOf(schedule, 'recovery');
      const inst = await startInstance(deps, {
        tenantId, estateId, workflowKey: DUNNING_WORKFLOW, unitId: bill.unitId, actor: systemActor,
        data: {
          bill: bill.key, unit, payer: payer.map((p) => p.name).join('、') || unit, period: bill.periodId, periodStart: bill.periodStart,
          paymentPayBy: bill.payBy, reminderOn: reminder.issueOn, reminderPayBy: reminder.payBy, finalOn: final.issueOn, finalPayBy: final.payBy, recoveryOn: recovery.issueOn,
        },
      }, tx);
      row = { id: inst.id, bill: bill.key, state: inst.state, status: inst.status };
      result.started += 1;
    }
    if (row.status !== 'active') continue;
    let state = typeof row.state === 'string' ? row.state : '';
    for (const s of STEPS) {
      if (state !== s.from) continue;
      const notice = noticeOf(schedule, s.kind);
      if (compareDates(notice.issueOn, asOf) > 0) break;
      const figures = figuresOn(notice.issueOn);
      if (!figures) break;
      const warning = lateFeeWarning(plan, lateFeeStart(plan, bill.periodStart));
      const sent = await sendEvent(deps, {
        tenantId, instanceId: row.id, actor: systemActor,
        event: { type: s.event, data: { kind: s.kind, issueOn: notice.issueOn, payBy: notice.payBy, ...figures, lateFeeRule: warning.zh, lateFeeRuleEn: warning.en } },
      }, tx);
      state = typeof sent.instance.state === 'string' ? sent.instance.state : describe(sent.instance.snapshot as unknown as EngineSnapshot);
      result.notices.push({ billKey: bill.key, unitId: bill.unitId, kind: s.kind, issueOn: notice.issueOn, ...figures });
    }
  }
  return result;
}

function describe(snapshot: EngineSnapshot): string {
  const v = snapshot.value as unknown;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Tells the dunning instances of a unit's bills what a payment did: for each dunned bill it paid,
 * PAYMENT with the amount it took, the receipt's serial and what the bill still owes that day
 * (the workflow ends as paid when nothing is owed). Inside the payment's transaction.
 */
export async function dunningPayment(deps: EventPathDeps, tx: Tx, input: { tenantId: string; estateId: string; payment: Payment; state: AccountState }): Promise<void> {
  const { tenantId, estateId, payment, state } = input;
  const byBill = new Map<string, number>();
  for (const a of state.allocations) if (a.paymentId === payment.id) byBill.set(a.billKey, (byBill.get(a.billKey) ?? 0) + a.amountFen);
  if (byBill.size === 0) return;
  const rows = await tx.select({ id: instances.id, bill: sql<string | null>`${instances.snapshot}->'context'->'data'->>'bill'` })
    .from(instances)
    .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), eq(instances.unitId, payment.unitId), eq(instances.workflowKey, DUNNING_WORKFLOW), eq(instances.status, 'active')));
  for (const r of rows) {
    const amountFen = r.bill ? byBill.get(r.bill) : undefined;
    if (!r.bill || amountFen === undefined) continue;
    const figures = billFigures(state, r.bill);
    await sendEvent(deps, {
      tenantId, instanceId: r.id, actor: systemActor,
      event: { type: 'PAYMENT', data: { amountFen, receiptNo: payment.serial ?? '', outstandingFen: Math.max(0, figures?.outstandingFen ?? 0) } },
    }, tx);
  }
}
