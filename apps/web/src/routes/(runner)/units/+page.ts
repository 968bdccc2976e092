import { api } from '$lib/api/client.ts';
import type { Estate } from '@estateflow/api/schemas';
import { staffEstates, unitPage, type UnitOptions } from '$lib/units/units-api.ts';
import type { PageLoad } from './$types';

type Building = Estate['buildings'][number];

/** The unit register: the estate's buildings, the first page of its units (or of those the search finds), and what a profile may name. */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = staffEstates();
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  const q = url.searchParams.get('q') ?? '';
  const buildingId = url.searchParams.get('building') ?? '';
  if (!estateId) return { estateId, q, buildingId, buildings: [] as Building[], items: [], nextCursor: null, options: { unitTypes: [], parkingKinds: [] } as UnitOptions };
  const [estate, first, options] = await Promise.all([
    api<Estate>(`/estates/${estateId}`, { fetch }),
    unitPage(estateId, { q, buildingId }, null, fetch),
    api<UnitOptions>(`/estates/${estateId}/unit-options`, { fetch }),
  ]);
  return { estateId, q, buildingId, buildings: estate.buildings, items: first.items, nextCursor: first.nextCursor, options };
};
