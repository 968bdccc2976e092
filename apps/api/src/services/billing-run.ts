import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { billLines, bills, instances, outbox, unitBillingProfiles, units, type Tx } from '@estateflow/db';
import { estateDate, generateBills, parsePeriod, type ServiceCharge, type Text, type Unit } from '@estateflow/billing';
import { ApiError } from '../errors.ts';
import { chargeSerials } from './charge-serials.ts';
import { estateTimeZone, loadPlan, loadSchedule } from './billing-store.ts';
import { markBilled } from '../store/outbox-queue.ts';
import { uuidArray } from './keyset.ts';

export interface RunInput {
  tenantId: string;
  estateId: string;
  planKey: string;
  periodId: string;
  now: Date;
  /** Bill only this building's units (a long run is made building by building, so its page can show progress). */
  buildingId?: string;
}

export interface RunResult {
  plan: string;
  period: string;
  created: { key: string; unitId: string; totalFen: number }[];
  /** bills of this plan and period that were already there */
  existing: number;
  errors: { unitId: string; reason: string; path?: string; message: Text }[];
}

/**
 * One billing run inside the caller's transaction: every unit with a billing profile gets its
 * missing bill for the period (the `bills` key index makes a concurrent duplicate a no-op), and
 * pending `charge` outbox rows (PS-7) completed before the payment notice join the bills, each
 * under its request's serial (`chargeSerials`), and are marked done. Rerunning it creates nothing.
 */
export async function runBilling(tx: Tx, input: RunInput): Promise<RunResult> {
  const { tenantId, estateId, planKey, periodId, now, buildingId } = input;
  const plan = await loadPlan(tx, tenantId, estateId, planKey);
  const period = parsePeriod(plan, periodId);
  if ('reason' in period) throw new ApiError('invalid-request', period.message, { field: 'period' });
  const schedule = await loadSchedule(tx, tenantId, estateId, plan.feeSchedule);
  const timeZone = await estateTimeZone(tx, tenantId, estateId);
  const unitRows = await tx.select({ id: units.id, label: units.label, areaSqm: units.areaSqm, unitType: unitBillingProfiles.unitType, custody: unitBillingProfiles.custody, parking: unitBillingProfiles.parking })
    .from(units)
    .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, units.tenantId), eq(unitBillingProfiles.unitId, units.id)))
    .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), buildingId === undefined ? undefined : eq(units.buildingId, buildingId)))
    .orderBy(asc(units.label));
  const errors: RunResult['errors'] = [];
  const billable: Unit[] = [];
  for (const u of unitRows) {
    if (u.unitType === null) continue; // no profile: not billed by this plan
    if (u.areaSqm === null) {
      errors.push({ unitId: u.id, reason: 'invalid-area', message: { zh: `房屋 ${u.label} 没有建筑面积`, en: `Unit ${u.label} has no floor area` } });
      continue;
    }
    billable.push({ id: u.id, type: u.unitType, areaSqm: u.areaSqm, custody: u.custody ?? false, parking: u.parking ?? [] });
  }
  const existing = await tx.select({ key: bills.key }).from(bills)
    .where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), eq(bills.planKey, plan.id), eq(bills.periodId, period.id),
      buildingId === undefined ? undefined : sql`${bills.unitId} = any(${uuidArray(unitRows.map((u) => u.id))})`));
  const chargeRows = await tx.select({ id: outbox.id, payload: outbox.payload, createdAt: outbox.createdAt, unitId: instances.unitId, instanceId: instances.id, serial: instances.serial, workflowKey: instances.workflowKey })
    .from(outbox)
    .innerJoin(instances, and(eq(instances.tenantId, outbox.tenantId), eq(instances.id, outbox.instanceId)))
    .where(and(eq(outbox.tenantId, tenantId), eq(outbox.estateId, estateId), eq(outbox.kind, 'charge'), eq(outbox.status, 'pending')));
  // each charge is billed under its request's serial, made unique per charge (charge-serials.ts)
  const serialOf = await chargeSerials(tx, tenantId, estateId, chargeRows);
  const charges: ServiceCharge[] = [];
  const outboxBySerial = new Map<string, string>();
  for (const r of chargeRows) {
    const p = r.payload as { amountFen?: unknown; description?: { zh: string; en: string } };
    const serial = serialOf.get(r.id)!;
    if (!r.unitId || typeof p.amountFen !== 'number' || !Number.isSafeInteger(p.amountFen)) continue;
    charges.push({ orderSerial: serial, unitId: r.unitId, completedOn: estateDate(r.createdAt, timeZone), amountFen: p.amountFen, ...(p.description ? { description: p.description } : {}) });
    outboxBySerial.set(serial, r.id);
  }
  const billed = await tx.select({ serial: billLines.orderSerial }).from(billLines)
    .where(and(eq(billLines.tenantId, tenantId), eq(billLines.estateId, estateId), sql`${billLines.orderSerial} is not null`));
  const generated = generateBills(plan, schedule, billable, period, existing.map((e) => e.key), {
    charges,
    billedOrderSerials: billed.map((b) => b.serial!),
  });
  for (const e of generated.errors) {
    const index = /^\/units\/(\d+)/.exec(e.path)?.[1];
    errors.push({ unitId: index === undefined ? '' : billable[Number(index)]!.id, reason: e.reason, path: e.path, message: e.message });
  }
  const created: RunResult['created'] = [];
  for (const b of generated.bills) {
    const id = randomUUID();
    const inserted = await tx.insert(bills).values({
      tenantId, id, estateId, unitId: b.unitId, key: b.key, planKey: b.planId, periodId: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd,
      issueOn: b.issueOn, payBy: b.payBy, scheduleVersion: b.scheduleVersion, totalFen: b.totalFen, createdAt: now,
    }).onConflictDoNothing().returning({ id: bills.id });
    if (inserted.length === 0) continue; // a concurrent run inserted it first
    await tx.insert(billLines).values(b.lines.map((l) => ({ tenantId, billId: id, no: l.no, estateId, kind: l.kind, description: l.description, amountFen: l.amountFen, orderSerial: l.orderSerial ?? null })));
    const serials = b.lines.flatMap((l) => (l.orderSerial && outboxBySerial.has(l.orderSerial) ? [outboxBySerial.get(l.orderSerial)!] : []));
    if (serials.length) {
      await markBilled(tx, tenantId, serials, now, b.key);
    }
    created.push({ key: b.key, unitId: b.unitId, totalFen: b.totalFen });
  }
  return { plan: plan.id, period: period.id, created, existing: existing.length, errors };
}
