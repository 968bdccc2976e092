/**
 * A person picked on a form (#18, "people are people"): a field with the `staff` widget holds the
 * user id of a staff member of the estate, with the field's `staffRole` when it names one (the
 * technician a repair is dispatched to, the handler of a complaint). The form offers only those
 * (the web's StaffPicker over `/estates/{id}/members`); the server holds a start or an event to
 * the same rule, so an id typed into the API, a resident, a former employee or a colleague of
 * another role is refused naming the field.
 */
import { and, eq, inArray, ne } from 'drizzle-orm';
import { memberships, users, type DbOrTx } from '@estateflow/db';
import type { CompiledWorkflow, EngineError } from '@estateflow/engine';
import { roleCatalogue } from './role-catalogue.ts';

type FormDoc = { layout?: { sections?: { fields?: { field: string; widget?: string; staffRole?: string; label?: { zh: string; en: string } }[] }[] } };

/** The staff fields of a form: field → the role the picked person must have (null: any staff member) and the field's label. */
export function staffFields(form: unknown): Map<string, { role: string | null; label: { zh: string; en: string } }> {
  const out = new Map<string, { role: string | null; label: { zh: string; en: string } }>();
  for (const s of (form as FormDoc | undefined)?.layout?.sections ?? []) {
    for (const f of s.fields ?? []) if (f.widget === 'staff') out.set(f.field, { role: f.staffRole ?? null, label: f.label ?? { zh: f.field, en: f.field } });
  }
  return out;
}

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The first staff field of the start's or event's form whose value is not a current staff member of
 * the estate (with the field's role), as a form refusal naming the field; undefined when all are.
 * One query however many fields the form has.
 */
export async function unknownStaffPick(
  db: DbOrTx, tenantId: string, estateId: string, compiled: CompiledWorkflow, formId: string | undefined, data: Record<string, unknown> | undefined,
): Promise<EngineError | undefined> {
  const fields = staffFields(formId ? compiled.formDefinitions.get(formId) : undefined);
  const picked = [...fields].flatMap(([field, f]) => (typeof data?.[field] === 'string' && data[field] !== '' ? [{ field, ...f, value: data[field] as string }] : []));
  if (picked.length === 0) return undefined;
  const ids = [...new Set(picked.map((p) => p.value).filter((v) => uuidLike.test(v)))];
  const staff = new Map((ids.length
    ? await db.select({ userId: memberships.userId, role: memberships.role }).from(memberships)
      .innerJoin(users, and(eq(users.tenantId, memberships.tenantId), eq(users.id, memberships.userId)))
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.estateId, estateId), inArray(memberships.userId, ids), ne(memberships.role, 'resident'), eq(users.status, 'active')))
    : []).map((m) => [m.userId, m.role as string]));
  for (const p of picked) {
    const role = staff.get(p.value);
    if (role !== undefined && (p.role === null || role === p.role)) continue;
    const field = `/${p.field}`;
    // the role as the company calls it (维修工, not technician)
    const title = p.role === null ? undefined : ((await roleCatalogue(db, tenantId)).find((r) => r.key === p.role)?.title ?? { zh: p.role, en: p.role });
    const message = title === undefined
      ? { zh: `“${p.label.zh}”须从本项目的在职员工中选择`, en: `"${p.label.en}" must be picked from the estate's current staff` }
      : { zh: `“${p.label.zh}”须从本项目的在职${title.zh}中选择`, en: `"${p.label.en}" must be picked from the estate's current staff with the role ${title.en}` };
    return { reason: 'form-invalid', message, field, issues: [{ field, message }] };
  }
  return undefined;
}
