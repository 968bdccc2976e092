import type { Visibility } from '@estateflow/definitions';
import type { FormDefinition, FormField } from './form-definition.ts';

/** Something people may or may not see: a form field or section, a workflow's context field. */
export type HasVisibility = { readonly visibility?: Visibility | undefined };

const seesAll = (role: string): boolean => role === 'admin';

/**
 * Whether a viewer holding `role` (or any of several roles) may see an item: no visibility or
 * `"public"` → everyone who may see the request; `"internal"` → staff, never a resident;
 * `{ roles }` → those roles. Admins see everything. Pure; the API and the screens call this one rule.
 * @example isVisible({ visibility: 'internal' }, 'resident') // false
 */
export function isVisible(item: HasVisibility | undefined, role: string | readonly string[]): boolean {
  const v = item?.visibility;
  const roles = typeof role === 'string' ? [role] : role;
  if (v === undefined || v === 'public') return true;
  return roles.some((r) => seesAll(r) || (v === 'internal' ? r !== 'resident' : v.roles.includes(r as never)));
}

/**
 * The layout fields of a form a viewer may see, in layout order: a field is hidden by its own
 * visibility or by its section's. What a resident's screen, a notice or an export shows of the
 * data a form captured.
 * @example visibleFields(repairQuote, 'resident').map((f) => f.field) // ['materials', 'decision', 'residentSignature'] without priceFen
 */
export function visibleFields(form: FormDefinition, role: string | readonly string[]): FormField[] {
  return form.layout.sections.flatMap((s) => (isVisible(s, role) ? s.fields.filter((f) => isVisible(f, role)) : []));
}
