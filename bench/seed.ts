/**
 * `pnpm bench:seed --size large` (or `small`): a large customer's database on PostgreSQL, for the
 * screen timings of bench/screens.bench.ts (#21).
 *
 * - `small` is the quick start's demo: one estate (颐园世家), 144 units, 40 sample requests and one
 *   billed quarter, made by the same `seedDemo` that `pnpm start` runs.
 * - `large` is the demo plus, in the same company, 49 more estates (50 in all), 100,000 units with
 *   a resident each, 1,000,000 requests over two years (about 20,000 of them open, with their
 *   tasks), their history, tasks, timers and notices, 1,200,000 bills (12 quarters) with their lines,
 *   1,000,000 payments with receipts, and another company beside it.
 *
 * The rows are copied from what the product wrote, not invented: every catalogue scenario that
 * finishes is driven through the HTTP API and the worker (test/support/scenario-drive.ts) in a
 * template company, one real payment is taken through the payments route, and then SQL copies those
 * requests, bills and receipts with new ids, units, people and dates. `--scale 0.1` makes a tenth.
 *
 * The database is `ef_bench_<size>` next to BENCH_DATABASE_URL (default the test server); it is
 * dropped and made again.
 */
import { join } from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { createDb, type Db } from '@estateflow/db';
import { createApp, createCompany, createEstate, defaultConfig, seedDemo } from '@estateflow/api';
import { recomputeRollups } from '../apps/api/src/services/rollups.ts';
import { recomputePaidTotals } from '../apps/api/src/services/bill-paid.ts';
import { driveScenario, finishedScenarios } from '../test/support/scenario-drive.ts';
import { signIn } from '../test/support/api.ts';

export const benchServer = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export type Size = 'small' | 'large';

/** The URL of `ef_bench_<size>` on the bench server. */
export function benchDatabaseUrl(size: Size): string {
  const url = new URL(benchServer);
  url.pathname = `/ef_bench_${size}`;
  return url.toString();
}

/** Whether `ef_bench_<size>` exists and was seeded to the end (the seed writes a marker last). */
export async function benchDatabaseReady(size: Size): Promise<boolean> {
  const admin = postgres(benchServer, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as ok from pg_database where datname = ${`ef_bench_${size}`}`;
    if (!row) return false;
  } finally {
    await admin.end({ timeout: 5 });
  }
  const db = postgres(benchDatabaseUrl(size), { max: 1, onnotice: () => {} });
  try {
    const [marker] = await db`select value from counters where scope = 'bench:seeded' limit 1`;
    return Boolean(marker);
  } catch {
    return false;
  } finally {
    await db.end({ timeout: 5 });
  }
}

const workflows = join(import.meta.dirname, '../workflows');

/** Large-customer shape at scale 1 (#21). */
const LARGE = { estates: 50, buildingsPerEstate: 20, unitsPerBuilding: 102, requests: 1_000_000, openRequests: 20_000, quarters: 12, paidShare: 0.83, otherCompanyShare: 0.1 };

function log(line: string, t0: number): void {
  console.log(`[bench:seed] ${line} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

async function count(db: Db, table: string): Promise<number> {
  const rows = (await db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as { n: number }[];
  return rows[0]!.n;
}

export async function seedBench(size: Size, scale = 1): Promise<void> {
  const t0 = Date.now();
  const name = `ef_bench_${size}`;
  const admin = postgres(benchServer, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end({ timeout: 5 });
  const handle = await createDb({ url: benchDatabaseUrl(size), max: 4 });
  const db = handle.db;
  const config = defaultConfig({ workflowsDir: workflows });
  try {
    const demo = await seedDemo(db, config, () => {});
    log(`demo: ${demo.installed.length} bundles, ${demo.activity} requests, ${demo.billed} bills`, t0);
    if (size === 'large') await seedLarge(db, demo.tenantId, demo.estateId, scale, t0);
    // the report rollups of every request copied in SQL, as `pnpm wf rollups recompute` counts them from history
    const counted = await recomputeRollups(db, { now: new Date() });
    log(`report rollups: ${counted.toLocaleString('en-US')} requests counted from history`, t0);
    // the per-bill paid totals the arrears read, as the same command settles them from bills, payments and adjustments
    const settled = await recomputePaidTotals(db, { now: new Date() });
    log(`paid totals: ${settled.toLocaleString('en-US')} bills settled`, t0);
    await db.execute(sql`insert into counters (tenant_id, scope, value) values (${demo.tenantId}::uuid, 'bench:seeded', 1)`);
    for (const table of ['instances', 'events', 'tasks', 'outbox', 'timers', 'units', 'users', 'memberships', 'residents', 'bills', 'bill_lines', 'payments', 'receipts', 'bill_paid']) {
      await db.execute(sql.raw(`vacuum analyze ${table}`));
    }
    // and the planner's statistics of every other table the seed filled (buildings, rollups, search pairs, profiles…),
    // as autovacuum would have gathered them by the time a customer's database is this size
    await db.execute(sql`analyze`);
    const tables = ['estates', 'units', 'users', 'instances', 'events', 'tasks', 'outbox', 'bills', 'payments', 'receipts'];
    const counts = await Promise.all(tables.map((t) => count(db, t)));
    log(`done: ${tables.map((t, i) => `${t} ${counts[i]!.toLocaleString('en-US')}`).join(', ')}`, t0);
  } finally {
    await handle.close();
  }
}

/**
 * Requests from real runs: every catalogue scenario that finishes, driven through the API and the
 * worker in a template company (one estate per scenario, as test/api/scenario-end-states.test.ts).
 */
async function driveTemplates(db: Db, t0: number): Promise<string> {
  const clock = { now: new Date() };
  const app = createApp({ db, config: { now: () => clock.now, argon2: { memoryCost: 1024, timeCost: 1 }, sessionIdleMs: 400 * 24 * 3600_000 } });
  const templateTenant = await createCompany(db, '模板物业（基准数据）');
  const scenarios = finishedScenarios();
  for (const [n, s] of scenarios.entries()) {
    const estateId = await createEstate(db, templateTenant, { name: `模板 ${s.scenario.id}`, buildings: [{ name: '3栋', units: ['3-1502'] }] });
    const [unit] = (await db.execute(sql`select id from units where tenant_id = ${templateTenant}::uuid and estate_id = ${estateId}::uuid`)) as unknown as { id: string }[];
    await driveScenario(db, app, clock, { tenantId: templateTenant, estateId, unitId: unit!.id, tag: `tpl${n}` }, s);
  }
  log(`templates: ${scenarios.length} finished scenarios driven through the API`, t0);
  return templateTenant;
}

/** One real payment and its receipt, taken through the payments route in the demo estate. */
async function realReceipt(db: Db, tenantId: string, estateId: string): Promise<void> {
  const app = createApp({ db, config: { argon2: { memoryCost: 1024, timeCost: 1 } } });
  const finance = await signIn(app, 'finance', 'estateflow');
  const [bill] = (await db.execute(sql`select unit_id, total_fen from bills where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid order by key limit 1`)) as unknown as { unit_id: string; total_fen: number }[];
  const paid = await finance.call('POST', '/api/billing/payments', { estateId, unitId: bill!.unit_id, amountFen: Number(bill!.total_fen), method: 'wechat' });
  if (paid.status !== 200) throw new Error(`the template payment was refused: ${paid.status} ${JSON.stringify(paid.body)}`);
}

/** Tables the large seed fills in bulk: their secondary indexes are dropped first and built once at the end (much faster than row by row). */
const BULK = ['instances', 'events', 'tasks', 'timers', 'outbox', 'bills', 'bill_lines', 'payments', 'receipts', 'users', 'memberships', 'residents', 'units'];

/** Drops the secondary indexes (not primary keys or unique constraints) of the bulk tables, and gives back a function that builds them again. */
async function withoutIndexes(db: Db): Promise<() => Promise<void>> {
  const rows = (await db.execute(sql`select i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = 'public' and i.tablename = any(${`{${BULK.join(',')}}`}::text[])
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`)) as unknown as { indexname: string; indexdef: string }[];
  for (const r of rows) await db.execute(sql.raw(`drop index "${r.indexname}"`));
  return async () => {
    await db.execute(sql.raw(`set maintenance_work_mem = '1GB'`));
    // pg_indexes writes a partitioned table's index as `ON ONLY`, which builds it on the parent alone (left
    // invalid, no partition gets it): built without ONLY, it recurses to every month's partition
    for (const r of rows) await db.execute(sql.raw(r.indexdef.replace(' ON ONLY ', ' ON ')));
    // an invalid index is one the planner never uses: the screens would be timed on scans the product never makes
    const invalid = (await db.execute(sql`select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid where not i.indisvalid`)) as unknown as { relname: string }[];
    if (invalid.length) throw new Error(`indexes left invalid after the bulk load: ${invalid.map((r) => r.relname).join(', ')}`);
  };
}

async function seedLarge(db: Db, tenantId: string, estateId: string, scale: number, t0: number): Promise<void> {
  const estates = Math.max(2, Math.round(LARGE.estates * Math.min(1, scale * 2)));
  const unitsPerBuilding = Math.max(2, Math.round(LARGE.unitsPerBuilding * scale / Math.min(1, scale * 2)));
  const requests = Math.round(LARGE.requests * scale);
  const open = Math.round(LARGE.openRequests * scale);
  const templateTenant = await driveTemplates(db, t0);
  await realReceipt(db, tenantId, estateId);
  const rebuildIndexes = await withoutIndexes(db);

  // estates 2…n of the company, each a copy of the demo estate's definitions, calendars and bundles
  await db.execute(sql`create unlogged table bench_estates as
    select g as n, md5('estate/' || g)::uuid as id from generate_series(2, ${estates}::int) g`);
  await db.execute(sql`insert into estates (tenant_id, id, name, time_zone, address, created_at)
    select ${tenantId}::uuid, e.id, '颐园世家 ' || e.n || '期', 'Asia/Shanghai', '安徽省合肥市', now() from bench_estates e`);
  await db.execute(sql`insert into buildings (tenant_id, id, estate_id, name)
    select ${tenantId}::uuid, md5(e.id::text || '/b' || b)::uuid, e.id, b || '栋' from bench_estates e, generate_series(1, ${LARGE.buildingsPerEstate}::int) b`);
  await db.execute(sql`insert into units (tenant_id, id, estate_id, building_id, label, area_sqm)
    select ${tenantId}::uuid, md5(e.id::text || '/u' || b || '-' || u)::uuid, e.id, md5(e.id::text || '/b' || b)::uuid,
      b || '-' || (1 + (u - 1) / 34) || '-' || (100 * (1 + ((u - 1) % 34) / 2) + 1 + (u - 1) % 2),
      (60 + (hashtext(e.id::text || b || u) & 8191) / 100.0)::numeric(10, 2)
    from bench_estates e, generate_series(1, ${LARGE.buildingsPerEstate}::int) b, generate_series(1, ${unitsPerBuilding}::int) u`);
  await db.execute(sql`insert into unit_billing_profiles (tenant_id, estate_id, unit_id, unit_type, custody, parking, updated_at, payer)
    select u.tenant_id, u.estate_id, u.id, 'residential', false, '[]'::jsonb, now(), 'household' from units u join bench_estates e on e.id = u.estate_id`);
  await db.execute(sql`insert into definition_versions (tenant_id, id, estate_id, kind, key, version, document, change_note, bundle_install_id, bundle_id, bundle_version, published_at, published_by)
    select d.tenant_id, md5(d.id::text || e.id::text)::uuid, e.id, d.kind, d.key, d.version, d.document, d.change_note, d.bundle_install_id, d.bundle_id, d.bundle_version, d.published_at, d.published_by
    from definition_versions d, bench_estates e where d.tenant_id = ${tenantId}::uuid and d.estate_id = ${estateId}::uuid`);
  await db.execute(sql`insert into bundle_installs (tenant_id, id, estate_id, bundle_id, bundle_version, source, parameters, content, installed_at, installed_by)
    select b.tenant_id, md5(b.id::text || e.id::text)::uuid, e.id, b.bundle_id, b.bundle_version, b.source, b.parameters, b.content, b.installed_at, b.installed_by
    from bundle_installs b, bench_estates e where b.tenant_id = ${tenantId}::uuid and b.estate_id = ${estateId}::uuid`);
  await db.execute(sql`insert into calendars (tenant_id, estate_id, key, document, updated_at)
    select c.tenant_id, e.id, c.key, c.document, c.updated_at from calendars c, bench_estates e where c.tenant_id = ${tenantId}::uuid and c.estate_id = ${estateId}::uuid`);
  // the demo's staff hold their role in every estate (an admin of 50 estates)
  await db.execute(sql`insert into memberships (tenant_id, user_id, estate_id, role)
    select m.tenant_id, m.user_id, e.id, m.role from memberships m, bench_estates e where m.tenant_id = ${tenantId}::uuid and m.estate_id = ${estateId}::uuid and m.role <> 'resident'`);
  log(`${estates} estates, ${(estates - 1) * LARGE.buildingsPerEstate * unitsPerBuilding + 144} units`, t0);

  // a resident account for every new unit, signing in with the demo password
  await db.execute(sql`insert into users (tenant_id, id, username, display_name, password_hash, locale, created_at, real_name, status, demo)
    select u.tenant_id, md5('resident/' || u.id::text)::uuid, 'r-' || left(md5(u.id::text), 12), '业主 ' || u.label, (select password_hash from users where username = 'resident'), 'zh-CN', now(), '业主 ' || u.label, 'active', true
    from units u join bench_estates e on e.id = u.estate_id`);
  await db.execute(sql`insert into memberships (tenant_id, user_id, estate_id, role)
    select u.tenant_id, md5('resident/' || u.id::text)::uuid, u.estate_id, 'resident' from units u join bench_estates e on e.id = u.estate_id`);
  await db.execute(sql`insert into residents (tenant_id, id, estate_id, unit_id, name, phone, kind, user_id)
    select u.tenant_id, md5('residence/' || u.id::text)::uuid, u.estate_id, u.id, '业主 ' || u.label, '1380000' || lpad((hashtext(u.id::text) & 4095)::text, 4, '0'), 'owner', md5('resident/' || u.id::text)::uuid
    from units u join bench_estates e on e.id = u.estate_id`);
  log('residents', t0);

  // the requests: copies of the template requests (finished) and of the demo's live ones (open, with their tasks and timers)
  await db.execute(sql`create unlogged table bench_units as
    select row_number() over (order by u.estate_id, u.id) as n, u.id, u.estate_id, md5('resident/' || u.id::text)::uuid as resident_id
    from units u join bench_estates e on e.id = u.estate_id`);
  await db.execute(sql`create index on bench_units (n)`);
  await db.execute(sql`create unlogged table bench_templates as
    select row_number() over (order by i.status = 'active', i.workflow_key, i.id) as n, i.tenant_id, i.id, i.status, i.workflow_key, i.started_at,
      -- how long the template ran, to its last history row or notice (a scenario's clock may run on for years: a warranty)
      greatest(i.updated_at, (select max(e.at) from events e where e.tenant_id = i.tenant_id and e.instance_id = i.id),
        (select max(o.created_at) from outbox o where o.tenant_id = i.tenant_id and o.instance_id = i.id)) - i.started_at as span
    from instances i
    where (i.tenant_id = ${templateTenant}::uuid and i.status = 'done') or (i.tenant_id = ${tenantId}::uuid and i.estate_id = ${estateId}::uuid and i.status = 'active')`);
  const [counted] = (await db.execute(sql`select count(*) filter (where status = 'done')::int as done, count(*) filter (where status = 'active')::int as active from bench_templates`)) as unknown as { done: number; active: number }[];
  const { done, active } = counted!;
  const unitCount = (await count(db, 'bench_units'));
  // copy g of the plan: its template, its unit, its start within the last two years (open ones within the last week),
  // early enough that its last history row is not in the future
  await db.execute(sql`create unlogged table bench_copies as
    select g, t.tenant_id as from_tenant, t.id as template, t.started_at as template_start, t.workflow_key,
      bu.id as unit_id, bu.estate_id, bu.resident_id,
      case when g <= ${open}::int then now() - t.span - ((hashtext('o' || g) & 1048575) * interval '0.5 second')
           else now() - t.span - interval '8 days' - ((hashtext('d' || g) & 1048575) * interval '1 minute') end as start_at
    from generate_series(1, ${requests}::int) g
    join bench_templates t on t.n = case when g <= ${open}::int then ${done}::int + 1 + (g % ${active}::int) else 1 + (g % ${done}::int) end
    join bench_units bu on bu.n = 1 + (hashtext('u' || g) & 2147483647) % ${unitCount}::int`);
  await db.execute(sql`create index on bench_copies (template)`);
  // the people: the demo's user of the actor's role, or the unit's resident
  await db.execute(sql`create unlogged table bench_people as
    select distinct on (m.role) m.role, m.user_id from memberships m where m.tenant_id = ${tenantId}::uuid and m.estate_id = ${estateId}::uuid and m.role <> 'resident' order by m.role, m.user_id`);
  const id = (col: string) => sql.raw(`md5(${col}::text || '/' || c.g)::uuid`);
  const shift = sql.raw('(c.start_at - c.template_start)');
  await db.execute(sql`insert into instances (tenant_id, id, estate_id, unit_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, status, grade, search_text, version, started_at, started_by, updated_at, ended_at)
    select ${tenantId}::uuid, ${id('i.id')}, c.estate_id, c.unit_id, i.workflow_key, d.id, d.version,
      split_part(i.serial, '-', 1) || '-' || lpad(c.g::text, 7, '0'), i.state, i.snapshot, i.status, i.grade,
      replace(coalesce(i.search_text, ''), i.serial, split_part(i.serial, '-', 1) || '-' || lpad(c.g::text, 7, '0')), i.version,
      i.started_at + ${shift},
      case when i.started_by is null then null
        when exists (select 1 from memberships m where m.tenant_id = i.tenant_id and m.user_id = i.started_by and m.role = 'resident') then c.resident_id
        else (select user_id from bench_people where role = 'front_desk') end,
      i.updated_at + ${shift}, i.ended_at + ${shift}
    from bench_copies c join instances i on i.tenant_id = c.from_tenant and i.id = c.template
    cross join lateral (select d.id, d.version from definition_versions d
      where d.tenant_id = ${tenantId}::uuid and d.estate_id = c.estate_id and d.kind = 'workflow' and d.key = i.workflow_key order by d.version desc limit 1) d`);
  log(`${requests.toLocaleString('en-US')} requests planned from ${done} finished and ${active} live templates; instances written`, t0);
  // history and the outbox are partitioned by month: make the months the copies fall in (else they fill the default partition)
  for (const table of ['events', 'outbox']) await db.execute(sql`select ef_partitions_ensure(${table}, now() - interval '5 years', now() + interval '1 month')`);
  await db.execute(sql`insert into events (tenant_id, instance_id, seq, type, data, actor_id, actor_role, at, idempotency_key, state_after)
    select ${tenantId}::uuid, ${id('e.instance_id')}, e.seq, e.type, e.data,
      case when e.actor_id is null then null when e.actor_role = 'resident' then c.resident_id else (select user_id from bench_people p where p.role = e.actor_role) end,
      e.actor_role, e.at + ${shift}, null, e.state_after
    from bench_copies c join events e on e.tenant_id = c.from_tenant and e.instance_id = c.template`);
  log('history written', t0);
  await db.execute(sql`insert into tasks (tenant_id, id, estate_id, instance_id, key, title, role, assignee_id, form, events, due_at, status, created_at, claimed_at, closed_at)
    select ${tenantId}::uuid, ${id('t.id')}, c.estate_id, ${id('t.instance_id')}, t.key, t.title, t.role,
      case when t.assignee_id is null then null when t.role = 'resident' then c.resident_id else (select user_id from bench_people p where p.role = t.role) end,
      t.form, t.events, t.due_at + ${shift}, t.status, t.created_at + ${shift}, t.claimed_at + ${shift}, t.closed_at + ${shift}
    from bench_copies c join tasks t on t.tenant_id = c.from_tenant and t.instance_id = c.template`);
  await db.execute(sql`insert into timers (tenant_id, id, instance_id, key, event, data, due_at, status, fired_at, fired_by)
    select ${tenantId}::uuid, ${id('tm.id')}, ${id('tm.instance_id')}, tm.key, tm.event, tm.data, tm.due_at + ${shift}, tm.status, tm.fired_at + ${shift}, tm.fired_by
    from bench_copies c join timers tm on tm.tenant_id = c.from_tenant and tm.instance_id = c.template where tm.status = 'armed'`);
  await db.execute(sql`insert into outbox (tenant_id, id, estate_id, instance_id, kind, payload, status, attempts, created_at, processed_at, processed_by)
    select ${tenantId}::uuid, ${id('o.id')}, c.estate_id, ${id('o.instance_id')}, o.kind, o.payload, 'done', 1, o.created_at + ${shift}, coalesce(o.processed_at, o.created_at) + ${shift}, 'bench'
    from bench_copies c join outbox o on o.tenant_id = c.from_tenant and o.instance_id = c.template`);
  log('tasks, timers and notices written', t0);

  // twelve quarters of bills for every new unit, each line as the demo's billing run wrote it; most are paid, each payment with its receipt
  const [tpl] = (await db.execute(sql`select b.plan_key, b.schedule_version, l.kind, l.description from bills b join bill_lines l on l.tenant_id = b.tenant_id and l.bill_id = b.id
    where b.tenant_id = ${tenantId}::uuid and b.estate_id = ${estateId}::uuid limit 1`)) as unknown as { plan_key: string; schedule_version: string; kind: string; description: unknown }[];
  await db.execute(sql`insert into bills (tenant_id, id, estate_id, unit_id, key, plan_key, period_id, period_start, period_end, issue_on, pay_by, schedule_version, total_fen, created_at)
    select u.tenant_id, md5('bill/' || u.id::text || '/' || q)::uuid, u.estate_id, u.id, ${tpl!.plan_key} || '/' || u.id || '/' || to_char(p.start, 'YYYY') || '-Q' || extract(quarter from p.start),
      ${tpl!.plan_key}, to_char(p.start, 'YYYY') || '-Q' || extract(quarter from p.start), p.start, (p.start + interval '3 months')::date - 1,
      (p.start - interval '1 month')::date, p.start, ${tpl!.schedule_version}::date, round(u.area_sqm * 250 * 3)::bigint, p.start - interval '1 month'
    from units u join bench_estates e on e.id = u.estate_id, generate_series(1, ${LARGE.quarters}::int) q,
      lateral (select (date_trunc('quarter', now()) - (q - 1) * interval '3 months')::date as start) p`);
  await db.execute(sql`insert into bill_lines (tenant_id, bill_id, no, estate_id, kind, description, amount_fen)
    select b.tenant_id, b.id, 1, b.estate_id, ${tpl!.kind}, ${JSON.stringify(tpl!.description)}::jsonb, b.total_fen
    from bills b join bench_estates e on e.id = b.estate_id`);
  log('bills written', t0);
  const [receipt] = (await db.execute(sql`select r.content, p.method from receipts r join payments p on p.tenant_id = r.tenant_id and p.id = r.payment_id
    where r.tenant_id = ${tenantId}::uuid order by r.issued_at limit 1`)) as unknown as { content: Record<string, unknown>; method: string }[];
  await db.execute(sql`insert into payments (tenant_id, id, estate_id, unit_id, kind, received_on, amount_fen, method, created_at, created_by)
    select b.tenant_id, md5('payment/' || b.id::text)::uuid, b.estate_id, b.unit_id, 'payment', b.pay_by - (hashtext(b.id::text) & 15), b.total_fen,
      (array['wechat', 'alipay', 'cash', 'bank-card', 'bank-transfer'])[1 + (hashtext(b.key) & 3)], (b.pay_by - (hashtext(b.id::text) & 15))::timestamptz + interval '10 hours',
      (select user_id from bench_people where role = 'finance')
    from bills b join bench_estates e on e.id = b.estate_id where b.pay_by <= current_date and (hashtext('paid' || b.id::text) & 1023) < ${Math.round(LARGE.paidShare * 1024)}::int`);
  await db.execute(sql`insert into receipts (tenant_id, id, estate_id, payment_id, serial, content, issued_at)
    select p.tenant_id, md5('receipt/' || p.id::text)::uuid, p.estate_id, p.id, p.serial,
      ${JSON.stringify(receipt!.content)}::jsonb || jsonb_build_object('serial', p.serial, 'paymentId', p.id, 'unitId', p.unit_id, 'receivedOn', p.received_on, 'method', p.method, 'amountFen', p.amount_fen),
      p.created_at
    from (select p.*, 'SJ-' || extract(year from p.received_on) || '-' || lpad(row_number() over (partition by p.estate_id order by p.created_at, p.id)::text, 7, '0') as serial
      from payments p join bench_estates e on e.id = p.estate_id) p`);
  log('payments and receipts written', t0);

  // another company beside it, so every query must keep to its tenant: a tenth of the requests again
  const other = await createCompany(db, '别家物业（基准数据）');
  const otherShare = Math.round(requests * LARGE.otherCompanyShare);
  // its eight estates (every request belongs to an estate of its company)
  await db.execute(sql`insert into estates (tenant_id, id, name, time_zone, address, created_at)
    select ${other}::uuid, md5('other-estate/' || g)::uuid, '别家小区 ' || (g + 1), 'Asia/Shanghai', '江苏省南京市', now() from generate_series(0, 7) g`);
  await db.execute(sql`insert into instances (tenant_id, id, estate_id, unit_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, status, grade, search_text, version, started_at, started_by, updated_at, ended_at)
    select ${other}::uuid, md5('other/' || i.id::text)::uuid, md5('other-estate/' || (hashtext(i.id::text) & 7))::uuid, null, i.workflow_key, i.definition_version_id, i.workflow_version,
      i.serial, i.state, i.snapshot, i.status, i.grade, i.search_text, i.version, i.started_at, null, i.updated_at, i.ended_at
    from instances i where i.tenant_id = ${tenantId}::uuid and i.estate_id in (select id from bench_estates) limit ${otherShare}::int`);
  await db.execute(sql`insert into events (tenant_id, instance_id, seq, type, data, actor_id, actor_role, at, idempotency_key, state_after)
    select ${other}::uuid, md5('other/' || e.instance_id::text)::uuid, e.seq, e.type, e.data, null, e.actor_role, e.at, null, e.state_after
    from events e where e.tenant_id = ${tenantId}::uuid and md5('other/' || e.instance_id::text)::uuid in (select id from instances where tenant_id = ${other}::uuid)`);
  log('another company', t0);
  await rebuildIndexes();
  log('indexes built', t0);
  for (const table of ['bench_estates', 'bench_units', 'bench_templates', 'bench_copies', 'bench_people']) await db.execute(sql.raw(`drop table ${table}`));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const size = (value('--size') ?? 'large') as Size;
  if (size !== 'small' && size !== 'large') throw new Error(`--size must be small or large, not ${size}`);
  const scale = Number(value('--scale') ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be above 0 and at most 1, not ${value('--scale')}`);
  await seedBench(size, scale);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
