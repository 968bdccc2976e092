import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { unitBillingProfiles, unitProfileChanges, units, type CustodyAgreement, type DbOrTx, type Tx, type UnitBillingProfile } from '@estateflow/db';

export interface UnitProfileInput {
  tenantId: string;
  estateId: string;
  unitId: string;
  unitType: string;
  custody: boolean;
  /** BL-10: the signed custody agreement; kept as it is when absent, removed with null */
  custodyAgreement?: CustodyAgreement | null;
  parking: { kind: string; count: number }[];
  payer: UnitBillingProfile['payer'];
  /** the floor area in m² as text with at most 2 decimals (BL-8); kept as it is when absent */
  areaSqm?: string;
  updatedAt: Date;
  /** the civil date (estate time) the new values hold from; recorded in the unit's history */
  effectiveFrom: string;
  /** who made the change (null: the demo's own seed) */
  changedBy: string | null;
}

/** The fields of a unit the register edits and its history records, in the order people read them. */
export const PROFILE_FIELDS = ['areaSqm', 'unitType', 'custody', 'custodyAgreement', 'parking', 'payer'] as const;
type Field = (typeof PROFILE_FIELDS)[number];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Writes a unit's billing profile (and its floor area, when given) inside the caller's
 * transaction; the input is already checked (`POST /api/billing/units`, or the demo's own values).
 * Every field that changes is recorded in `unit_profile_changes` with its old and new value, the
 * date it holds from, who and when (the unit register's audit); a save that changes nothing records nothing.
 */
export async function saveUnitProfile(tx: Tx, input: UnitProfileInput): Promise<{ changed: Field[]; custodyAgreement: CustodyAgreement | null }> {
  const { tenantId, estateId, unitId, areaSqm, effectiveFrom, changedBy, custodyAgreement, ...rest } = input;
  const [before] = await tx.select({ areaSqm: units.areaSqm, unitType: unitBillingProfiles.unitType, custody: unitBillingProfiles.custody, custodyAgreement: unitBillingProfiles.custodyAgreement, parking: unitBillingProfiles.parking, payer: unitBillingProfiles.payer })
    .from(units)
    .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, units.tenantId), eq(unitBillingProfiles.unitId, units.id)))
    .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId)))
    .for('update', { of: units });
  const profile = { ...rest, custodyAgreement: custodyAgreement === undefined ? before?.custodyAgreement ?? null : custodyAgreement };
  const after: Record<Field, unknown> = { areaSqm: areaSqm ?? before?.areaSqm ?? null, unitType: profile.unitType, custody: profile.custody, custodyAgreement: profile.custodyAgreement, parking: profile.parking, payer: profile.payer };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const f of PROFILE_FIELDS) {
    const old = before?.[f] ?? null;
    if (!same(old, after[f])) changes[f] = { from: old, to: after[f] };
  }
  if (areaSqm !== undefined) await tx.update(units).set({ areaSqm }).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId)));
  await tx.insert(unitBillingProfiles).values({ tenantId, estateId, unitId, ...profile })
    .onConflictDoUpdate({ target: [unitBillingProfiles.tenantId, unitBillingProfiles.unitId], set: profile });
  const changed = Object.keys(changes) as Field[];
  if (changed.length > 0) {
    await tx.insert(unitProfileChanges).values({ tenantId, id: randomUUID(), estateId, unitId, effectiveFrom, changes, changedBy, changedAt: profile.updatedAt });
  }
  return { changed, custodyAgreement: profile.custodyAgreement };
}

/** A unit's changes of area and profile, newest first (made last, then holding from the latest date; at most `limit`). */
export async function unitProfileHistory(db: DbOrTx, tenantId: string, estateId: string, unitId: string, limit = 50) {
  return db.select().from(unitProfileChanges)
    .where(and(eq(unitProfileChanges.tenantId, tenantId), eq(unitProfileChanges.estateId, estateId), eq(unitProfileChanges.unitId, unitId)))
    .orderBy(desc(unitProfileChanges.changedAt), desc(unitProfileChanges.effectiveFrom), desc(unitProfileChanges.id))
    .limit(limit);
}
