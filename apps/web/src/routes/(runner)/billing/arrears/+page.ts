import { api } from '$lib/api/client.ts';
import { BILL_READER_ROLES, loadUnitAccount, type ArrearsByBuilding, type ArrearsOfBuilding, type UnitAccount } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** Arrears by building in ageing buckets → a building's units → a unit's statement (?building=…&unit=…). */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estates.filter((e) => BILL_READER_ROLES.includes(session.me?.memberships.find((m) => m.estateId === e.id)?.role ?? ''));
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  if (!estates.some((e) => e.id === estateId)) return { estateId, report: null, building: null, unit: null, account: null, forbidden: true };
  const e = encodeURIComponent(estateId);
  const buildingId = url.searchParams.get('building');
  const unitId = url.searchParams.get('unit');
  const [report, building] = await Promise.all([
    api<ArrearsByBuilding>(`/billing/arrears/buildings?estateId=${e}`, { fetch }),
    buildingId ? api<ArrearsOfBuilding>(`/billing/arrears/building?estateId=${e}&buildingId=${encodeURIComponent(buildingId)}`, { fetch }) : Promise.resolve(null),
  ]);
  const unit = building?.units.find((u) => u.unitId === unitId) ?? null;
  const account: UnitAccount | null = unit ? await loadUnitAccount(estateId, unit.unitId) : null;
  return { estateId, report, building, unit, account, forbidden: false };
};
