import { listInstancePage } from '$lib/api/runner.ts';
import { loadUnitAccount, type UnitAccount } from '$lib/billing/billing-api.ts';
import { loadUnitFile } from '$lib/units/units-api.ts';
import type { PageLoad } from './$types';

/** Requests of one process shown in their own section of the file (the newest 20). */
const SECTION_PAGE = '20';

/**
 * The household file (一户一档, SV-3): the unit with its profile and history, residents, account,
 * revisits (one answer), its requests a page at a time (`GET /api/instances?unitId=`), and its
 * renovation permits and handover inspections.
 */
export const load: PageLoad = async ({ parent, fetch, params, url }) => {
  await parent(); // the root layout loads the session first
  const file = await loadUnitFile(params.unitId, url.searchParams.get('estate'), fetch);
  const of = (extra: Record<string, string> = {}) => new URLSearchParams({ estateId: file.estateId, unitId: file.id, ...extra });
  const [requests, renovation, handover, account] = await Promise.all([
    listInstancePage(of(), null, fetch),
    listInstancePage(of({ workflow: 'renovation', limit: SECTION_PAGE }), null, fetch),
    listInstancePage(of({ workflow: 'handover-defects', limit: SECTION_PAGE }), null, fetch),
    file.account ? loadUnitAccount(file.estateId, file.id) : Promise.resolve(null as UnitAccount | null),
  ]);
  return { file, requests, renovation: renovation.items, handover: handover.items, account };
};
