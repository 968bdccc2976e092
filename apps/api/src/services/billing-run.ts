import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { billLines, bills, instances, outbox, unitBillingProfiles, units, type Tx } from '@estateflow/db';
import { chargeBilling, compareDates, estateDate, generateBills, noticeOf, noticeSchedule, parsePeriod, type ServiceCharge, type Text, type Unit } from '@estateflow/billing';
import { ApiError } from '../errors.ts';
import { chargeSerials } from './charge-serials.ts';
import { billingDocuments, estateTimeZone, loadPlan, loadSchedule } from './billing-store.ts';
import { refreshUnits } from './bill-paid.ts';
import { chargeAmount, oneOffPlan } from './one-off-charges.ts';
import { markBilled } from '../store/outbox-queue.ts';
import { uuidArray } from './keyset.ts';
import { sqlState } from '../store/sql.ts';

export interface RunInput {
  tenantId: string;
  estateId: string;
  planKey: string;
  periodId: string;
  now: Date;
  /** Bill only this building's units (a long run is made building by building, so its page can show progress). */
  buildingId?: string;
  /** Bill only these units (a run job's batch, services/billing-run-job.ts). */
  unitIds?: readonly string[];
}

export interface RunResult {
  plan: string;
  period: string;
  created: { key: string; unitId: string; totalFen: number }[];
  /** bills of this plan and period that were already there */
  existing: number;
  /** units not billed by this run, each with why (zh/en); every other unit is billed */
  errors: { unitId: string; reason: string; path?: string; orderSerial?: string; message: Text }[];
}

/**
 * One billing run inside the caller's transaction: every unit with a billing profile gets its
 * missing bill for the period (the `bills` key index makes a concurrent duplicate a no-op), and
 * pending `charge` outbox rows (PS-7) completed before the payment notice join the bills, each
 * under its request's serial (`chargeSerials`), and are marked done. Rerunning it creates nothing.
 */
export async function runBilling(tx: Tx, input: RunInput): Promise<RunResult> {
  const { tenantId, estateId, planKey, periodId, now, buildingId, unitIds } = input;
  const plan = await loadPlan(tx, tenantId, estateId, planKey);
  const period = parsePeriod(plan, periodId);
  if ('reason' in period) throw new ApiError('invalid-request', period.message, { field: 'period' });
  const schedule = await loadSchedule(tx, tenantId, estateId, plan.feeSchedule);
  const timeZone = await estateTimeZone(tx, tenantId, estateId);
  const unitRows = await tx.select({ id: units.id, label: units.label, areaSqm: units.areaSqm, unitType: unitBillingProfiles.unitType, custody: unitBillingProfiles.custody, custodyAgreement: unitBillingProfiles.custodyAgreement, parking: unitBillingProfiles.parking })
    .from(units)
    .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, units.tenantId), eq(unitBillingProfiles.unitId, units.id)))
    .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), buildingId === undefined ? undefined : eq(units.buildingId, buildingId),
      unitIds === undefined ? undefined : sql`${units.id} = any(${uuidArray(unitIds)})`))
    .orderBy(asc(units.label));
  // a run of some units (a building, a batch) looks at their charges only
  const scoped = buildingId !== undefined || unitIds !== undefined;
  const errors: RunResult['errors'] = [];
  const labelOf = new Map(unitRows.map((u) => [u.id, u.label]));
  const billable: Unit[] = [];
  for (const u of unitRows) {
    if (u.unitType === null) continue; // no profile: not billed by this plan
    if (u.areaSqm === null) {
      errors.push({ unitId: u.id, reason: 'invalid-area', message: { zh: `房屋 ${u.label} 没有建筑面积`, en: `Unit ${u.label} has no floor area` } });
      continue;
    }
    if (u.custody) {
      // BL-10: custody (托管, billed at the custody share, BL-6) needs a signed custody agreement covering the period
      const a = u.custodyAgreement;
      if (!a) {
        errors.push({ unitId: u.id, reason: 'no-custody-agreement', message: { zh: `房屋 ${u.label} 为托管，但没有托管协议，不能出账：请在房屋页登记已签订的《托管协议》`, en: `Unit ${u.label} is in custody but cannot be billed: no custody agreement; record the signed agreement on the unit's page` } });
        continue;
      }
      if (a.from > period.end || (a.to !== null && a.to < period.start)) {
        errors.push({ unitId: u.id, reason: 'no-custody-agreement', message: { zh: `房屋 ${u.label} 的托管协议（${a.from} 至 ${a.to ?? '今'}）不在本期内，不能按托管出账：请登记续签的协议或取消托管`, en: `Unit ${u.label} cannot be billed in custody: its custody agreement (${a.from} to ${a.to ?? 'open'}) does not cover this period; record the renewed agreement or end custody` } });
        continue;
      }
    }
    billable.push({ id: u.id, type: u.unitType, areaSqm: u.areaSqm, custody: u.custody ?? false, parking: u.parking ?? [] });
  }
  const existing = await tx.select({ key: bills.key }).from(bills)
    .where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), eq(bills.planKey, plan.id), eq(bills.periodId, period.id),
      !scoped ? undefined : sql`${bills.unitId} = any(${uuidArray(unitRows.map((u) => u.id))})`));
  const chargeRows = await tx.select({ id: outbox.id, payload: outbox.payload, createdAt: outbox.createdAt, attempts: outbox.attempts, unitId: instances.unitId, instanceId: instances.id, serial: instances.serial, workflowKey: instances.workflowKey })
    .from(outbox)
    .innerJoin(instances, and(eq(instances.tenantId, outbox.tenantId), eq(instances.id, outbox.instanceId)))
    .where(and(eq(outbox.tenantId, tenantId), eq(outbox.estateId, estateId), eq(outbox.kind, 'charge'), eq(outbox.status, 'pending')));
  // each charge is billed under its request's serial, made unique per charge (charge-serials.ts)
  const serialOf = await chargeSerials(tx, tenantId, estateId, chargeRows);
  const billed = await tx.select({ serial: billLines.orderSerial }).from(billLines)
    .where(and(eq(billLines.tenantId, tenantId), eq(billLines.estateId, estateId), sql`${billLines.orderSerial} is not null`));
  const billedSerials = new Set(billed.map((b) => b.serial!));
  const issueOn = noticeOf(noticeSchedule(plan, period), 'payment-notice').issueOn;
  // One bad charge fails its unit alone: a charge due on this period's bill whose amount is not
  // whole fen within MAX_AMOUNT_FEN, or whose order serial another due charge carries too, keeps
  // its unit unbilled (reported with the reason; the charges stay pending) and every other unit is billed.
  const due = new Map<string, { row: (typeof chargeRows)[number]; charge: ServiceCharge }[]>();
  const badUnits = new Set<string>();
  // a charge billed at once (its own setting, else the plan's default) waits for the worker's at-once biller, not this run
  const oneOff = oneOffPlan(await billingDocuments(tx, tenantId, estateId, 'billing-plan'));
  for (const r of chargeRows) {
    if (!r.unitId || !(plan.includeServiceCharges ?? true)) continue;
    if (scoped && !labelOf.has(r.unitId)) continue; // another batch's unit
    if (r.attempts === 0 && chargeBilling(oneOff, (r.payload as { billing?: 'at-once' | 'next-cycle' }).billing) === 'at-once') continue;
    const serial = serialOf.get(r.id)!;
    const completedOn = estateDate(r.createdAt, timeZone);
    if (billedSerials.has(serial) || compareDates(completedOn, issueOn) >= 0) continue; // not on this period's bill
    const p = r.payload as { amountFen?: unknown; description?: { zh: string; en: string } };
    const amountFen = chargeAmount(p.amountFen);
    const unit = labelOf.get(r.unitId) ?? r.unitId;
    if (amountFen === undefined) {
      badUnits.add(r.unitId);
      errors.push({
        unitId: r.unitId, reason: 'invalid-amount', orderSerial: serial, path: '/amountFen',
        message: {
          zh: `房屋 ${unit} 的有偿服务 ${serial} 金额无效（须为 0 至 1 亿元的整数分），本房屋本期未出账；请更正该费用后重新出账`,
          en: `Unit ${unit}: paid service ${serial} has an invalid amount (whole fen from 0 to 100 million yuan); this unit was not billed: correct the charge and run billing again`,
        },
      });
      continue;
    }
    const list = due.get(serial) ?? [];
    list.push({ row: r, charge: { orderSerial: serial, unitId: r.unitId, completedOn, amountFen, ...(p.description ? { description: p.description } : {}) } });
    due.set(serial, list);
  }
  for (const [serial, list] of due) {
    if (list.length < 2) continue;
    for (const unitId of new Set(list.map((c) => c.charge.unitId))) {
      badUnits.add(unitId);
      const unit = labelOf.get(unitId) ?? unitId;
      errors.push({
        unitId, reason: 'duplicate-order-serial', orderSerial: serial,
        message: {
          zh: `房屋 ${unit}：待出账的有偿服务中有 ${list.length} 笔单号都是 ${serial}，本房屋本期未出账；请核对这些费用后重新出账`,
          en: `Unit ${unit}: ${list.length} pending paid-service charges carry the order number ${serial}; this unit was not billed: check them and run billing again`,
        },
      });
    }
  }
  const charges: ServiceCharge[] = [];
  const outboxBySerial = new Map<string, string>();
  for (const [serial, [only, ...more]] of due) {
    if (!only || more.length > 0 || badUnits.has(only.charge.unitId)) continue;
    charges.push(only.charge);
    outboxBySerial.set(serial, only.row.id);
  }
  for (let i = billable.length - 1; i >= 0; i--) if (badUnits.has(billable[i]!.id)) billable.splice(i, 1);
  const generated = generateBills(plan, schedule, billable, period, existing.map((e) => e.key), {
    charges,
    billedOrderSerials: billedSerials,
  });
  for (const e of generated.errors) {
    const index = /^\/units\/(\d+)/.exec(e.path)?.[1];
    errors.push({ unitId: index === undefined ? '' : billable[Number(index)]!.id, reason: e.reason, path: e.path, message: e.message });
  }
  const created: RunResult['created'] = [];
  for (const b of generated.bills) {
    const id = randomUUID();
    const serials = b.lines.flatMap((l) => (l.orderSerial && outboxBySerial.has(l.orderSerial) ? [outboxBySerial.get(l.orderSerial)!] : []));
    try {
      // a savepoint per bill: a line another bill took meanwhile fails this unit alone
      const inserted = await tx.transaction(async (sp) => {
        const [bill] = await sp.insert(bills).values({
          tenantId, id, estateId, unitId: b.unitId, key: b.key, planKey: b.planId, periodId: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd,
          issueOn: b.issueOn, payBy: b.payBy, scheduleVersion: b.scheduleVersion, totalFen: b.totalFen, createdAt: now,
        }).onConflictDoNothing().returning({ id: bills.id });
        if (!bill) return false; // a concurrent run inserted it first
        await sp.insert(billLines).values(b.lines.map((l) => ({ tenantId, billId: id, no: l.no, estateId, kind: l.kind, description: l.description, amountFen: l.amountFen, orderSerial: l.orderSerial ?? null })));
        if (serials.length) await markBilled(sp, tenantId, serials, now, b.key);
        return true;
      });
      if (inserted) created.push({ key: b.key, unitId: b.unitId, totalFen: b.totalFen });
    } catch (e) {
      if (sqlState(e) !== '23505') throw e;
      const unit = labelOf.get(b.unitId) ?? b.unitId;
      errors.push({
        unitId: b.unitId, reason: 'duplicate-order-serial',
        message: {
          zh: `房屋 ${unit}：账单中有偿服务的单号已在另一张账单上，本房屋本期未出账；请核对后重新出账`,
          en: `Unit ${unit}: a paid-service order number of its bill is already on another bill; this unit was not billed: check it and run billing again`,
        },
      });
    }
  }
  // the per-bill paid totals of the units billed (credit they held goes to their new bills)
  await refreshUnits(tx, tenantId, estateId, created.map((b) => b.unitId), now);
  return { plan: plan.id, period: period.id, created, existing: existing.length, errors };
}
