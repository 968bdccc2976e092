/**
 * How the store talks to the SQL functions of packages/db/sql/: named prepared statements, JSON in
 * and out, and the instance context as `ef_instance_context` answers it.
 */
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import { instances, rowsOf, type DbOrTx, type Instance } from '@estateflow/db';
import type { InstanceContext } from './event-store.ts';

type Internals = {
  session: { prepareQuery(query: unknown, fields: undefined, name: string, arrayMode: boolean): { execute(): Promise<unknown> } };
  dialect: { sqlToQuery(query: SQL): unknown };
};

/**
 * Runs `query` as a named prepared statement. `db.execute` sends unnamed ones, which postgres-js
 * describes first (its parameter types) and then runs: two round trips per statement; a named
 * statement is described once per connection, then runs in one. (PGlite ignores the name.) Goes
 * through drizzle's session, so its logger still sees the statement.
 */
export function executeNamed(db: DbOrTx, name: string, query: SQL): Promise<unknown> {
  const d = db as unknown as Internals;
  return d.session.prepareQuery(d.dialect.sqlToQuery(query), undefined, name, false).execute();
}

/** (one copy, in packages/db) */
export { rowsOf };

/** A json/jsonb value as the driver hands it over (parsed by both drivers; a string if not). */
export const jsonValue = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const instanceColumns = Object.entries(getTableColumns(instances)).map(([prop, col]) => ({ prop, name: col.name, date: col.dataType === 'date' }));

/** An `instances` row from `row_to_json(row)` (snake_case keys, timestamps as ISO text). */
function instanceFromJson(j: Record<string, unknown>): Instance {
  const row: Record<string, unknown> = {};
  for (const c of instanceColumns) {
    const v = j[c.name] ?? null;
    row[c.prop] = c.date && v !== null ? new Date(v as string) : v;
  }
  return row as unknown as Instance;
}

type ContextJson = {
  row: Record<string, unknown>;
  calendars: string;
  sla: [string, string, number][] | null;
  slaTimers: [string, string, number][];
  history: [number, string, Record<string, unknown>, unknown][] | null;
};

/** Instance contexts from `ef_instance_context`'s answer. */
export function contextsFromJson(value: unknown): InstanceContext[] {
  return (jsonValue<ContextJson[] | null>(value) ?? []).map((c) => ({
    row: instanceFromJson(c.row),
    calendarStamp: c.calendars,
    sla: c.sla ? c.sla.map(([id, key, version]) => ({ id, key, version })) : null,
    armed: c.slaTimers.map(([id, , due]) => ({ id, dueAt: new Date(due) })),
    history: c.history ? c.history.map(([at, type, data, stateAfter]) => ({ at: new Date(at), type, data: data ?? {}, stateAfter })) : null,
  }));
}

/** The SQLSTATE of a driver error (drizzle may wrap it). */
export function sqlState(e: unknown): string | undefined {
  const x = e as { code?: unknown; cause?: { code?: unknown } };
  const code = x?.code ?? x?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * An estate's context for a workflow in one statement: its calendar fingerprint
 * (`ef_calendar_fingerprint`) and the SLA policy versions bound to the workflow (`ef_bound_sla`),
 * as a start plans with them and the instance page computes clocks with them.
 */
export async function estateContext(db: DbOrTx, tenantId: string, estateId: string, workflowKey: string): Promise<{ calendarStamp: string; sla: { id: string; key: string; version: number }[] | null }> {
  const [r] = rowsOf<{ calendars: string; sla: unknown }>(await executeNamed(db, 'ef_estate_context', sql`select ef_calendar_fingerprint(${tenantId}::uuid, ${estateId}::uuid) as calendars,
    ef_bound_sla(${tenantId}::uuid, ${estateId}::uuid, ${workflowKey}) as sla`));
  const bound = jsonValue<[string, string, number][] | null>(r?.sla ?? null);
  return { calendarStamp: r?.calendars ?? '', sla: bound ? bound.map(([id, key, version]) => ({ id, key, version })) : null };
}
