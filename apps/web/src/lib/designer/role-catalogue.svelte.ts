import { BUILT_IN_ROLE_DEFINITIONS, type RoleDefinition } from '@estateflow/definitions';
import type { RoleList } from '@estateflow/api/schemas';
import { api } from '$lib/api/client.ts';

/**
 * The company's role catalogue (`GET /api/roles`: the built-in roles and the ones the company added,
 * with their titles), loaded once per estate by the designer. Until it answers, the built-in roles.
 */
let catalogue = $state.raw<readonly Pick<RoleDefinition, 'key' | 'title'>[]>(BUILT_IN_ROLE_DEFINITIONS);
let loadedFor = '';

export function catalogueRoles(): readonly Pick<RoleDefinition, 'key' | 'title'>[] {
  return catalogue;
}

/** Loads the catalogue of the company that holds `estateId` (again only when the estate changes). */
export async function loadRoleCatalogue(estateId: string): Promise<void> {
  if (!estateId || loadedFor === estateId) return;
  loadedFor = estateId;
  try {
    catalogue = (await api<RoleList>(`/roles?estateId=${encodeURIComponent(estateId)}`)).items;
  } catch {
    loadedFor = ''; // keep the built-in roles; the next designer page asks again
  }
}
