import { and, asc, eq } from 'drizzle-orm';
import { units, type Db } from '@estateflow/db';
import { estateDate, nextPeriod, noticeOf, noticeSchedule, periodContaining, type BillingPlan, type Period } from '@estateflow/billing';
import { estateTimeZone, billingDocuments } from './services/billing-store.ts';
import { runBilling, type RunResult } from './services/billing-run.ts';
import { saveUnitProfile } from './services/unit-billing-profile.ts';

/** The plan the demo bills by: billing-dunning's quarterly plan (BL-1). */
export const demoPlan = 'quarterly';

/**
 * Floor areas of the demo's flats by their number on the floor (`…01`, `…02`): a two- and a
 * three-bedroom flat. Not in the field documents (seed 000 gives no areas); chosen as typical sizes.
 */
const demoAreas = ['89.37', '126.54'];

/** The latest period whose payment notice has been issued by `today`: billed, yet no late fee is months old. */
export function demoPeriod(plan: BillingPlan, today: string): Period {
  const current = periodContaining(plan, today);
  const next = nextPeriod(current, plan.anchorMonth ?? 1);
  return noticeOf(noticeSchedule(plan, next), 'payment-notice').issueOn <= today ? next : current;
}

/**
 * Makes the demo's fee cycle alive: every unit gets a floor area and a residential billing profile
 * (the same write as `POST /api/billing/units`), and the quarterly plan the billing-dunning bundle
 * installed bills one period dated relative to now (the same run as `POST /api/billing/runs`).
 * Does nothing when the estate has no such plan (the bundle was skipped).
 */
export async function seedDemoBilling(db: Db, input: { tenantId: string; estateId: string; now: Date }): Promise<RunResult | undefined> {
  const { tenantId, estateId, now } = input;
  const plan = (await billingDocuments(db, tenantId, estateId, 'billing-plan')).get(demoPlan) as unknown as BillingPlan | undefined;
  if (!plan) return undefined;
  const rows = await db.select({ id: units.id, label: units.label, areaSqm: units.areaSqm }).from(units)
    .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId))).orderBy(asc(units.label));
  const today = estateDate(now, await estateTimeZone(db, tenantId, estateId));
  await db.transaction(async (tx) => {
    for (const u of rows) {
      const areaSqm = u.areaSqm ?? demoAreas[u.label.endsWith('2') ? 1 : 0]!;
      await saveUnitProfile(tx, { tenantId, estateId, unitId: u.id, unitType: 'residential', custody: false, parking: [], payer: 'household', areaSqm, updatedAt: now, effectiveFrom: today, changedBy: null });
    }
  });
  const period = demoPeriod(plan, today);
  return db.transaction((tx) => runBilling(tx, { tenantId, estateId, planKey: demoPlan, periodId: period.id, now }));
}
