import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { archiveOutbox, ensurePartitions, listPartitions, monthStart, noticesSince, RetentionError, type Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? (r as T[]) : (r as { rows: T[] }).rows);

type PlanNode = { 'Relation Name'?: string; Plans?: PlanNode[] };
const relations = (n: PlanNode): string[] => [...(n['Relation Name'] ? [n['Relation Name']] : []), ...(n.Plans ?? []).flatMap(relations)];

/** The tables (partitions) a statement's plan reads, from EXPLAIN (FORMAT JSON). */
async function planTables(db: Db, statement: ReturnType<typeof sql>): Promise<string[]> {
  const [row] = rowsOf<Record<string, unknown>>(await db.execute(sql`explain (format json) ${statement}`));
  const raw = Object.values(row!)[0];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return [...new Set(relations(plan[0]!.Plan))].sort();
}

const partName = (table: string, at: Date) => `${table}_y${at.getUTCFullYear()}m${String(at.getUTCMonth() + 1).padStart(2, '0')}`;

async function addOutbox(db: Db, tenantId: string, at: Date, status: 'done' | 'pending', n = 3): Promise<void> {
  await db.execute(sql`insert into outbox (tenant_id, id, estate_id, instance_id, kind, payload, status, created_at)
    select ${tenantId}::uuid, gen_random_uuid(), ${tenantId}::uuid, gen_random_uuid(), 'notify', '{"to":{"role":"admin"}}'::jsonb, ${status}, ${at.toISOString()}::timestamptz + g * interval '1 minute'
    from generate_series(1, ${n}::int) g`);
}

/**
 * History (`events`) and the outbox are partitioned by month (issue #21): a row lands in its month,
 * months made later take the rows the default partition caught, today's reads touch only recent
 * months (partition pruning in EXPLAIN), and delivered months past the notice retention are archived.
 */
withDatabases((kind, getDb) => {
  const now = new Date();

  it(`history and the outbox are partitioned by month, with months ahead and a default, on ${kind}`, async () => {
    const db = getDb();
    for (const table of ['events', 'outbox'] as const) {
      const parts = await listPartitions(db, table);
      const names = parts.map((p) => p.name);
      expect(names).toContain(partName(table, now));
      expect(names).toContain(partName(table, monthStart(now, 2)));
      expect(names).toContain(`${table}_default`);
    }
    // the worker's upkeep keeps two months ahead, as the migration made them: nothing to make now; when the
    // calendar turns it makes the next month (of each table), once
    expect(await ensurePartitions(db, now)).toBe(0);
    expect(await ensurePartitions(db, monthStart(now, 1))).toBe(2);
    expect(await ensurePartitions(db, monthStart(now, 1))).toBe(0);
    expect((await listPartitions(db, 'outbox')).map((p) => p.name)).toContain(partName('outbox', monthStart(now, 3)));
  });

  it(`a row outside the months lands in the default partition, and moves to its month when that is made, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = randomUUID();
    const old = monthStart(now, -7);
    await addOutbox(db, tenantId, old, 'done');
    await db.execute(sql`insert into events (tenant_id, instance_id, seq, type, actor_role, at) values (${tenantId}::uuid, ${randomUUID()}::uuid, 1, 'start', 'resident', ${old.toISOString()}::timestamptz)`);
    const inDefault = async (table: string) => rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier(`${table}_default`)} where tenant_id = ${tenantId}::uuid`))[0]!.n;
    expect(await inDefault('outbox')).toBe(3);
    expect(await inDefault('events')).toBe(1);
    for (const table of ['events', 'outbox']) {
      await db.execute(sql`select ef_partitions_ensure(${table}, ${old.toISOString()}::timestamptz, ${monthStart(old, 1).toISOString()}::timestamptz)`);
    }
    expect(await inDefault('outbox')).toBe(0);
    expect(await inDefault('events')).toBe(0);
    const [moved] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier(partName('outbox', old))} where tenant_id = ${tenantId}::uuid`));
    expect(moved!.n).toBe(3);
    // the rows still read through the table
    const [all] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from outbox where tenant_id = ${tenantId}::uuid`));
    expect(all!.n).toBe(3);
  });

  it(`today's queries on history and the outbox read only the recent months (partition pruning) on ${kind}`, async () => {
    const db = getDb();
    const tenantId = randomUUID();
    for (let m = -5; m <= 0; m++) {
      await db.execute(sql`select ef_partitions_ensure('outbox', ${monthStart(now, m).toISOString()}::timestamptz, ${monthStart(now, m + 1).toISOString()}::timestamptz)`);
      await db.execute(sql`select ef_partitions_ensure('events', ${monthStart(now, m).toISOString()}::timestamptz, ${monthStart(now, m + 1).toISOString()}::timestamptz)`);
    }
    const since = noticesSince(now, 1);
    // the notices page: bounded by the retention window (here one month back), newest first
    const notices = await planTables(db, sql`select o.id from outbox o where o.tenant_id = ${tenantId}::uuid and o.kind in ('notify', 'escalate')
      and o.created_at >= ${since.toISOString()}::timestamptz order by o.created_at desc, o.id desc limit 51`);
    expect(notices.length).toBeGreaterThan(0);
    for (const t of notices) expect([partName('outbox', monthStart(now, -1)), partName('outbox', now), partName('outbox', monthStart(now, 1)), partName('outbox', monthStart(now, 2)), partName('outbox', monthStart(now, 3)), 'outbox_default']).toContain(t);
    expect(notices).not.toContain(partName('outbox', monthStart(now, -5)));
    // the worker marks delivered rows by their full key, in their own month
    const delivered = await planTables(db, sql`update outbox o set status = 'done' where o.tenant_id = ${tenantId}::uuid and o.id = ${randomUUID()}::uuid
      and o.created_at >= ${now.toISOString()}::timestamptz and o.created_at < ${now.toISOString()}::timestamptz + interval '1 millisecond'`);
    expect(delivered).toEqual(['outbox', partName('outbox', now)].sort());
    // today's history (what happened today): this month only
    const today = await planTables(db, sql`select count(*) from events where tenant_id = ${tenantId}::uuid and at >= ${monthStart(now).toISOString()}::timestamptz`);
    expect(today.filter((t) => t.startsWith('events_y'))).toEqual(
      [partName('events', now), partName('events', monthStart(now, 1)), partName('events', monthStart(now, 2)), partName('events', monthStart(now, 3))].sort());
    expect(today).not.toContain(partName('events', monthStart(now, -1)));
    // writing an event or a notice routes to its month: an insert plans no scan of any partition
    const insert = await planTables(db, sql`insert into outbox (tenant_id, id, estate_id, kind, payload, created_at) values (${tenantId}::uuid, ${randomUUID()}::uuid, ${tenantId}::uuid, 'notify', '{}'::jsonb, ${now.toISOString()}::timestamptz)`);
    expect(insert).toEqual(['outbox']);
  });

  it(`delivered outbox months past the notice retention are archived, never months inside it or with rows not delivered, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = randomUUID();
    const retention = 12;
    const doneMonth = monthStart(now, -15);
    const pendingMonth = monthStart(now, -14);
    const recent = monthStart(now, -2);
    for (const m of [doneMonth, pendingMonth, recent]) {
      await db.execute(sql`select ef_partitions_ensure('outbox', ${m.toISOString()}::timestamptz, ${monthStart(m, 1).toISOString()}::timestamptz)`);
    }
    await addOutbox(db, tenantId, doneMonth, 'done', 4);
    await addOutbox(db, tenantId, pendingMonth, 'done');
    await addOutbox(db, tenantId, pendingMonth, 'pending', 1);
    await addOutbox(db, tenantId, recent, 'done');
    // a limit inside the window is refused, and nothing changes
    await expect(archiveOutbox(db, monthStart(now, -6), now, retention)).rejects.toBeInstanceOf(RetentionError);
    const before = (await listPartitions(db, 'outbox')).map((p) => p.name);
    expect(before).toContain(partName('outbox', doneMonth));
    const r = await db.transaction((tx) => archiveOutbox(tx, noticesSince(now, retention), now, retention));
    expect(r.archived.map((a) => a.name)).toContain(partName('outbox', doneMonth));
    expect(r.archived.find((a) => a.name === partName('outbox', doneMonth))!.rows).toBeGreaterThanOrEqual(4);
    expect(r.kept.map((k) => k.name)).toEqual([partName('outbox', pendingMonth)]);
    const after = (await listPartitions(db, 'outbox')).map((p) => p.name);
    expect(after).not.toContain(partName('outbox', doneMonth));
    expect(after).toContain(partName('outbox', pendingMonth));
    expect(after).toContain(partName('outbox', recent));
    // the archived month is kept aside, whole, in the schema `archive`; the outbox no longer reads it
    const [aside] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier('archive')}.${sql.identifier(partName('outbox', doneMonth))} where tenant_id = ${tenantId}::uuid`));
    expect(aside!.n).toBe(4);
    const [left] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from outbox where tenant_id = ${tenantId}::uuid`));
    expect(left!.n).toBe(4 + 3);
  });
});
