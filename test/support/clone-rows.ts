import { sql } from 'drizzle-orm';
import type { Db } from '@estateflow/db';

/**
 * `n` copies of a real instance, made in SQL: its row, history, tasks and outbox rows, with new ids
 * (md5 of the template id, `tag` and the copy number) and serials `<serial>-<tag><n>`, all else as the product
 * wrote it. `startShiftMs` moves the copy k's start and history k × that many ms later (0 keeps every
 * copy on the template's start instant: ties a keyset must break by id).
 */
export async function cloneInstance(db: Db, tenantId: string, templateId: string, n: number, startShiftMs = 0, tag = 'c'): Promise<void> {
  if (!/^[a-z]+$/.test(tag)) throw new Error(`tag must be lower-case letters: ${tag}`);
  const newId = (col: string) => sql.raw(`md5(${col}::text || '/${tag}' || g)::uuid`);
  const shift = sql`(g * ${startShiftMs}::int) * interval '1 millisecond'`;
  await db.execute(sql`
    insert into instances (tenant_id, id, estate_id, unit_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, status, grade, search_text, version, started_at, started_by, updated_at, ended_at)
    select i.tenant_id, ${newId('i.id')}, i.estate_id, i.unit_id, i.workflow_key, i.definition_version_id, i.workflow_version, i.serial || ${`-${tag}`} || g, i.state, i.snapshot, i.status, i.grade,
      replace(i.search_text, i.serial, i.serial || ${`-${tag}`} || g), i.version, i.started_at + ${shift}, i.started_by, i.updated_at + ${shift}, i.ended_at + ${shift}
    from instances i, generate_series(1, ${n}::int) g where i.tenant_id = ${tenantId}::uuid and i.id = ${templateId}::uuid`);
  await db.execute(sql`
    insert into events (tenant_id, instance_id, seq, type, data, actor_id, actor_role, at, idempotency_key, state_after)
    select e.tenant_id, ${newId('e.instance_id')}, e.seq, e.type, e.data, e.actor_id, e.actor_role, e.at + ${shift}, null, e.state_after
    from events e, generate_series(1, ${n}::int) g where e.tenant_id = ${tenantId}::uuid and e.instance_id = ${templateId}::uuid`);
  await db.execute(sql`
    insert into tasks (tenant_id, id, estate_id, instance_id, key, title, role, assignee_id, form, events, due_at, status, created_at, claimed_at, closed_at)
    select t.tenant_id, ${newId('t.id')}, t.estate_id, ${newId('t.instance_id')}, t.key, t.title, t.role, t.assignee_id, t.form, t.events, t.due_at + ${shift}, t.status, t.created_at + ${shift}, t.claimed_at + ${shift}, t.closed_at + ${shift}
    from tasks t, generate_series(1, ${n}::int) g where t.tenant_id = ${tenantId}::uuid and t.instance_id = ${templateId}::uuid`);
  await db.execute(sql`
    insert into outbox (tenant_id, id, estate_id, instance_id, kind, payload, status, attempts, created_at, processed_at, processed_by)
    select o.tenant_id, ${newId('o.id')}, o.estate_id, ${newId('o.instance_id')}, o.kind, o.payload, o.status, o.attempts, o.created_at + ${shift}, o.processed_at + ${shift}, o.processed_by
    from outbox o, generate_series(1, ${n}::int) g where o.tenant_id = ${tenantId}::uuid and o.instance_id = ${templateId}::uuid`);
  for (const table of ['instances', 'events', 'tasks', 'outbox']) await db.execute(sql.raw(`analyze ${table}`));
}
