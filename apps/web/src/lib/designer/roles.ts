/**
 * The roles a workflow may name: the company's role catalogue (`GET /api/roles`, the people-and-roles
 * issue), built-in roles and the company's own, which the designer loads per estate. The schema checks
 * only a role's form (`common.schema.json#/$defs/Role`), so any catalogue role saves.
 */
import { i18n } from '$lib/i18n/index.svelte.ts';
import { catalogueRoles } from './role-catalogue.svelte.ts';

export { loadRoleCatalogue } from './role-catalogue.svelte.ts';

export function roleCatalogue(): readonly string[] {
  return catalogueRoles().filter((r) => r.key !== 'system').map((r) => r.key);
}

/** A role's title as the company's catalogue words it, in the UI language (the key for a role it lacks). */
export function roleTitle(role: string): string {
  const def = catalogueRoles().find((r) => r.key === role);
  return def ? i18n.text(def.title) || role : i18n.role(role);
}

/** Declares `roles` on the workflow when something starts naming them (a transition, task or start): the lint refuses a role used but not declared. */
export function declareRoles(doc: { roles?: string[] }, roles: readonly string[]): void {
  const missing = roles.filter((r) => r !== 'system' && !(doc.roles ?? []).includes(r));
  if (missing.length) doc.roles = [...(doc.roles ?? []), ...missing];
}
