import { and, eq, inArray } from 'drizzle-orm';
import { users, type DbOrTx } from '@estateflow/db';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every id-shaped string in a value (a form's technician, a notice text that names one). */
function idsIn(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(UUID)) out.add(m[0].toLowerCase());
  else if (Array.isArray(value)) for (const v of value) idsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) idsIn(v, out);
  return out;
}

/**
 * The display names of the company's users that a value mentions by id (a request's assigned
 * technician, an actor, a notice that names one), so that screens name people, never ids:
 * `{ "<user id>": "维修工 王师傅" }`. Ids of anything else are not users and are left out.
 */
export async function peopleNamed(db: DbOrTx, tenantId: string, ...values: unknown[]): Promise<Record<string, string>> {
  return Object.fromEntries(await displayNames(db, tenantId, [...idsIn(values, new Set())].slice(0, 500)));
}

/** The display names of the company's users among `ids` (nulls skipped), so that pages name people, never ids. */
export async function displayNames(db: DbOrTx, tenantId: string, ids: Iterable<string | null>): Promise<Map<string, string>> {
  const list = [...new Set([...ids].filter((i): i is string => i !== null))];
  if (list.length === 0) return new Map();
  const rows = await db.select({ id: users.id, name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, list)));
  return new Map(rows.map((r) => [r.id, r.name]));
}
