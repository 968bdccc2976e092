/**
 * The roles a workflow may name, in one place so the designer can switch to the company's role
 * catalogue (the people-and-roles issue) by changing this function only. Today the catalogue is the
 * platform's role list of the schema (`common.schema.json#/$defs/Role`), which the server checks.
 */
import { PLATFORM_ROLES } from '@estateflow/definitions';

export function roleCatalogue(): readonly string[] {
  return PLATFORM_ROLES;
}

/** Declares `roles` on the workflow when something starts naming them (a transition, task or start): the lint refuses a role used but not declared. */
export function declareRoles(doc: { roles?: string[] }, roles: readonly string[]): void {
  const missing = roles.filter((r) => r !== 'system' && !(doc.roles ?? []).includes(r));
  if (missing.length) doc.roles = [...(doc.roles ?? []), ...missing];
}
