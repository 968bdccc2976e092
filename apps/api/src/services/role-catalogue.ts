import { and, eq } from 'drizzle-orm';
import { BUILT_IN_ROLE_DEFINITIONS, builtInRole, PERMISSIONS, ROLE_KEY_PATTERN, SYSTEM_ROLE, type Permission, type RoleDefinition } from '@estateflow/definitions';
import { companyRoles, type DbOrTx } from '@estateflow/db';
import { invalid } from '../errors.ts';

/**
 * A company's role catalogue: the built-in roles of @estateflow/definitions overlaid, by key, by
 * the company's `company_roles` rows (its own roles, and its changes to the titles or permissions
 * of built-in ones). Built-in roles keep their kind; every role a company adds is a staff role.
 */
export async function roleCatalogue(db: DbOrTx, tenantId: string): Promise<RoleDefinition[]> {
  const rows = await db.select().from(companyRoles).where(eq(companyRoles.tenantId, tenantId));
  const own = new Map(rows.map((r) => [r.key, r]));
  const merged: RoleDefinition[] = BUILT_IN_ROLE_DEFINITIONS.map((d) => {
    const row = own.get(d.key);
    return row ? { ...fromRow(row), kind: d.kind } : d;
  });
  for (const row of rows) if (!builtInRole(row.key)) merged.push(fromRow(row));
  return merged;
}

const fromRow = (row: typeof companyRoles.$inferSelect): RoleDefinition => ({
  key: row.key,
  title: { zh: row.titleZh, en: row.titleEn },
  description: { zh: row.descriptionZh, en: row.descriptionEn },
  kind: 'staff',
  permissions: row.permissions.filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p)),
});

/**
 * The permissions each role of the catalogue holds. Managing people includes linking residents to
 * their units: a role with `people` also holds `residents_link`, so a company's roles saved before
 * that narrower permission existed keep the link codes and verification they had.
 */
export const permissionsByRole = (catalogue: readonly RoleDefinition[]): Map<string, ReadonlySet<Permission>> =>
  new Map(catalogue.map((d) => [d.key, new Set<Permission>(d.permissions.includes('people') ? [...d.permissions, 'residents_link'] : d.permissions)]));

export interface RoleInput {
  key: string;
  title: { zh: string; en: string };
  description: { zh: string; en: string };
  permissions: Permission[];
}

/** Reads and checks a role from a request body: 400 naming the field (zh/en) on anything wrong. */
export function parseRoleInput(body: Record<string, unknown>): RoleInput {
  const key = body.key;
  if (typeof key !== 'string' || !ROLE_KEY_PATTERN.test(key) || key === SYSTEM_ROLE) {
    throw invalid('key', 'must be 2–40 lower-case letters, digits or "_", starting with a letter, and not "system" (e.g. admin_supervisor)', '必须是 2–40 位小写字母、数字或下划线，以字母开头，且不能是 system（例如 admin_supervisor）');
  }
  const text = (field: 'title' | 'description', required: boolean): { zh: string; en: string } => {
    const v = body[field] as Record<string, unknown> | undefined;
    if (v === undefined && !required) return { zh: '', en: '' };
    if (typeof v !== 'object' || v === null || typeof v.zh !== 'string' || typeof v.en !== 'string' || (required && (!v.zh.trim() || !v.en.trim()))) {
      throw invalid(field, required ? 'needs both zh and en, non-empty' : 'must be { zh, en }', required ? '需要同时填写中文和英文' : '必须是 { zh, en }');
    }
    return { zh: v.zh.trim(), en: v.en.trim() };
  };
  const title = text('title', true);
  const description = text('description', false);
  const perms = body.permissions ?? [];
  if (!Array.isArray(perms)) throw invalid('permissions', `must be a list of ${PERMISSIONS.join(', ')}`, `必须是由 ${PERMISSIONS.join('、')} 组成的列表`);
  perms.forEach((p, i) => {
    if (!(PERMISSIONS as readonly unknown[]).includes(p)) throw invalid(`permissions/${i}`, `must be one of ${PERMISSIONS.join(', ')}`, `必须是 ${PERMISSIONS.join('、')} 之一`);
  });
  return { key, title, description, permissions: [...new Set(perms as Permission[])] };
}

/** Adds a role to the company's catalogue, or changes one (a built-in role's titles and permissions too). */
export async function saveRole(db: DbOrTx, tenantId: string, input: RoleInput): Promise<void> {
  if (input.key === 'resident' && input.permissions.length) {
    throw invalid('permissions', 'of the resident role must stay empty: residents hold no staff power', '住户角色不能授予任何权限');
  }
  const values = { titleZh: input.title.zh, titleEn: input.title.en, descriptionZh: input.description.zh, descriptionEn: input.description.en, permissions: input.permissions };
  await db.insert(companyRoles).values({ tenantId, key: input.key, ...values }).onConflictDoUpdate({ target: [companyRoles.tenantId, companyRoles.key], set: values });
}

/** Whether the company's catalogue has `key`. */
export async function hasRole(db: DbOrTx, tenantId: string, key: string): Promise<boolean> {
  if (builtInRole(key)) return true;
  const [row] = await db.select({ key: companyRoles.key }).from(companyRoles).where(and(eq(companyRoles.tenantId, tenantId), eq(companyRoles.key, key)));
  return row !== undefined;
}
