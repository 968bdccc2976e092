import { and, eq } from 'drizzle-orm';
import { unitBillingProfiles, units, type Tx, type UnitBillingProfile } from '@estateflow/db';

export interface UnitProfileInput {
  tenantId: string;
  estateId: string;
  unitId: string;
  unitType: string;
  custody: boolean;
  parking: { kind: string; count: number }[];
  payer: UnitBillingProfile['payer'];
  /** the floor area in m² as text with at most 2 decimals (BL-8); kept as it is when absent */
  areaSqm?: string;
  updatedAt: Date;
}

/**
 * Writes a unit's billing profile (and its floor area, when given) inside the caller's
 * transaction; the input is already checked (`POST /api/billing/units`, or the demo's own values).
 */
export async function saveUnitProfile(tx: Tx, input: UnitProfileInput): Promise<void> {
  const { tenantId, estateId, unitId, areaSqm, ...profile } = input;
  if (areaSqm !== undefined) await tx.update(units).set({ areaSqm }).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId)));
  await tx.insert(unitBillingProfiles).values({ tenantId, estateId, unitId, ...profile })
    .onConflictDoUpdate({ target: [unitBillingProfiles.tenantId, unitBillingProfiles.unitId], set: profile });
}
