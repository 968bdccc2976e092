import { createHash, randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { billLines, bills, instances, outbox, type Db, type DbOrTx, type Tx } from '@estateflow/db';
import { chargeBilling, estateDate, oneOffBill, scheduleVersionOn, type AccountState, type BillingPlan, type ChargeBilling, type FeeSchedule, type Text } from '@estateflow/billing';
import { MAX_AMOUNT_FEN } from '@estateflow/definitions';
import { billingDocuments, estateTimeZone } from './billing-store.ts';
import { refreshUnits } from './bill-paid.ts';
import { chargeSerials } from './charge-serials.ts';
import { enqueuePaidEvent, markBilled, markChargesSeen } from '../store/outbox-queue.ts';
import { sqlState } from '../store/sql.ts';

/**
 * One-off charges (临时收费) and their paid events.
 *
 * A `charge` row a workflow raised is billed at once as its own bill when its own `billing` says
 * `at-once`, or says nothing and the estate's plan defaults one-off charges to `at-once`
 * (`chargeBilling`); otherwise it waits for the next cycle's run (billing-run.ts). The worker bills
 * them (`billChargesAtOnce`, each pending charge looked at once: `attempts` 0 → 1). A bill made at
 * once is a normal row of `bills`: settleAccount, receipts, statements and arrears read it.
 *
 * When a payment clears a bill, every charge billed on it that names an `onPaid` event gets that
 * event, once (`queuePaidEvents`, in the payment's transaction; the worker sends it as the system).
 */

/** A pending charge's amount as a bill line takes it: whole fen from 0 to MAX_AMOUNT_FEN (1 亿元), else undefined. */
export function chargeAmount(amount: unknown): number | undefined {
  return typeof amount === 'number' && Number.isSafeInteger(amount) && amount >= 0 && amount <= MAX_AMOUNT_FEN ? amount : undefined;
}

/** The plan that bills an estate's one-off charges: the first (by key) that sets `oneOffCharges`, else the first. */
export function oneOffPlan(plans: ReadonlyMap<string, Record<string, unknown>>): BillingPlan | undefined {
  const list = [...plans.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d as unknown as BillingPlan);
  return list.find((p) => p.oneOffCharges !== undefined) ?? list[0];
}

type ChargePayload = { amountFen?: unknown; description?: Text; billing?: ChargeBilling; onPaid?: string };

export interface AtOnceResult {
  /** bills made at once, by key */
  billed: string[];
  /** charges looked at and left for the next cycle (by their own or the plan's setting, or because they could not be billed at once) */
  deferred: number;
}

/**
 * Bills pending charges at once, a batch at a time in one transaction: each pending `charge` row
 * not looked at yet (`attempts` = 0), claimed `FOR UPDATE SKIP LOCKED`. One that bills at once
 * becomes its own bill (`oneOffBill`, keyed by plan, unit and order serial) and is marked billed;
 * any other (next cycle, no unit, no plan, a bad amount, a serial already billed) is marked looked
 * at and left pending for the next cycle's run, which reports what is wrong with it.
 */
export async function billChargesAtOnce(db: Db, now: Date, limit = 20): Promise<AtOnceResult> {
  return db.transaction(async (tx) => {
    const rows = await tx.select({ tenantId: outbox.tenantId, estateId: outbox.estateId, id: outbox.id, payload: outbox.payload, createdAt: outbox.createdAt, instanceId: outbox.instanceId })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), eq(outbox.kind, 'charge'), eq(outbox.attempts, 0)))
      .orderBy(asc(outbox.createdAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    const out: AtOnceResult = { billed: [], deferred: 0 };
    const byEstate = new Map<string, typeof rows>();
    for (const r of rows) {
      const k = `${r.tenantId}/${r.estateId}`;
      byEstate.set(k, [...(byEstate.get(k) ?? []), r]);
    }
    for (const list of byEstate.values()) {
      const { tenantId, estateId } = list[0]!;
      const billed = await billEstate(tx, tenantId, estateId, list, now);
      out.billed.push(...billed);
      out.deferred += list.length - billed.length;
    }
    return out;
  });
}

async function billEstate(tx: Tx, tenantId: string, estateId: string, rows: { id: string; payload: Record<string, unknown>; createdAt: Date; instanceId: string | null }[], now: Date): Promise<string[]> {
  const plan = oneOffPlan(await billingDocuments(tx, tenantId, estateId, 'billing-plan'));
  const atOnce = rows.filter((r) => r.instanceId !== null && plan !== undefined && chargeBilling(plan, (r.payload as ChargePayload).billing) === 'at-once');
  const seen = rows.filter((r) => !atOnce.includes(r)).map((r) => r.id);
  const billedKeys: string[] = [];
  const billedUnits: string[] = [];
  if (atOnce.length > 0 && plan) {
    const refs = await tx.select({ id: instances.id, unitId: instances.unitId, serial: instances.serial, workflowKey: instances.workflowKey }).from(instances)
      .where(and(eq(instances.tenantId, tenantId), inArray(instances.id, atOnce.map((r) => r.instanceId!))));
    const refOf = new Map(refs.map((r) => [r.id, r]));
    const withRefs = atOnce.flatMap((r) => {
      const ref = refOf.get(r.instanceId!);
      return ref?.unitId ? [{ ...r, ref: { ...ref, unitId: ref.unitId } }] : [];
    });
    const serialOf = await chargeSerials(tx, tenantId, estateId, withRefs.map((r) => ({ id: r.id, instanceId: r.ref.id, serial: r.ref.serial, workflowKey: r.ref.workflowKey })));
    const timeZone = await estateTimeZone(tx, tenantId, estateId);
    const schedule = (await billingDocuments(tx, tenantId, estateId, 'fee-schedule')).get(plan.feeSchedule) as unknown as FeeSchedule | undefined;
    for (const r of atOnce) {
      const row = withRefs.find((w) => w.id === r.id);
      const p = r.payload as ChargePayload;
      const amountFen = chargeAmount(p.amountFen);
      if (!row || amountFen === undefined) {
        seen.push(r.id); // no unit to bill, or a bad amount: the cycle's run reports it
        continue;
      }
      const completedOn = estateDate(r.createdAt, timeZone);
      const version = schedule ? scheduleVersionOn(schedule, completedOn) : undefined;
      const b = oneOffBill(plan, { orderSerial: serialOf.get(r.id)!, unitId: row.ref.unitId, completedOn, amountFen, ...(p.description ? { description: p.description } : {}) },
        version && !('reason' in version) ? version.effectiveFrom : completedOn);
      const id = randomUUID();
      try {
        // a savepoint per bill: a serial already on another bill leaves this charge for the cycle's run, which reports it
        const made = await tx.transaction(async (sp) => {
          const [bill] = await sp.insert(bills).values({
            tenantId, id, estateId, unitId: b.unitId, key: b.key, planKey: b.planId, periodId: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd,
            issueOn: b.issueOn, payBy: b.payBy, scheduleVersion: b.scheduleVersion, totalFen: b.totalFen, createdAt: now,
          }).onConflictDoNothing().returning({ id: bills.id });
          if (!bill) return false;
          await sp.insert(billLines).values(b.lines.map((l) => ({ tenantId, billId: id, no: l.no, estateId, kind: l.kind, description: l.description, amountFen: l.amountFen, orderSerial: l.orderSerial ?? null })));
          await markBilled(sp, tenantId, [r.id], now, b.key);
          return true;
        });
        if (made) {
          billedKeys.push(b.key);
          billedUnits.push(b.unitId);
        } else seen.push(r.id);
      } catch (e) {
        if (sqlState(e) !== '23505') throw e;
        seen.push(r.id);
      }
    }
  }
  // the per-bill paid totals of the units billed (credit they held goes to their new bills)
  await refreshUnits(tx, tenantId, estateId, billedUnits, now);
  await markChargesSeen(tx, tenantId, seen);
  return billedKeys;
}

/** The id of a charge's paid event: one per charge, whatever number of payments clear its bill. */
function paidEventId(tenantId: string, chargeId: string): string {
  const h = createHash('sha256').update(`charge-paid:${tenantId}:${chargeId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * In a payment's transaction: for each bill of the unit that the account now shows cleared, the
 * charges billed on it (`billing:<key>`) that name an `onPaid` event get it enqueued, once ever
 * (`enqueuePaidEvent` keys it by the charge). Answers how many were enqueued by this call.
 */
export async function queuePaidEvents(tx: DbOrTx, tenantId: string, estateId: string, state: AccountState, now: Date): Promise<number> {
  const cleared = state.bills.filter((s) => s.clearedOn !== undefined && s.bill.lines.some((l) => l.orderSerial)).map((s) => `billing:${s.bill.key}`);
  if (cleared.length === 0) return 0;
  const charges = await tx.select({ id: outbox.id, instanceId: outbox.instanceId, payload: outbox.payload, processedBy: outbox.processedBy }).from(outbox)
    .where(and(eq(outbox.tenantId, tenantId), eq(outbox.kind, 'charge'), inArray(outbox.processedBy, cleared), eq(outbox.estateId, estateId), sql`${outbox.payload} ? 'onPaid'`));
  let n = 0;
  for (const c of charges) {
    const event = (c.payload as ChargePayload).onPaid;
    if (!c.instanceId || !event) continue;
    const billKey = c.processedBy!.slice('billing:'.length);
    const paidOn = state.bills.find((s) => s.bill.key === billKey)?.clearedOn;
    if (await enqueuePaidEvent(tx, { tenantId, estateId, id: paidEventId(tenantId, c.id), payload: { kind: 'chargePaid', instanceId: c.instanceId, event, billKey, paidOn, chargeId: c.id }, createdAt: now })) n++;
  }
  return n;
}
