import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { randomUUID } from 'node:crypto';
import { billPaidEstates, definitionVersions, residents, schema, units, type Db } from '@estateflow/db';
import { plansHash } from '../../apps/api/src/services/bill-paid.ts';
import { join } from 'node:path';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { and, eq } from 'drizzle-orm';
import { historiesOf } from '../../apps/api/src/services/instance-scan.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

/** Tables that grow with a customer: no list or report may read one of them whole. */
const LARGE = ['instances', 'events', 'outbox', 'tasks', 'bills', 'bill_lines', 'bill_adjustments', 'payments', 'receipts', 'report_facts', 'instance_search_pairs', 'bill_paid'];

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows'?: number; 'Actual Loops'?: number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
const rowsOfAny = (r: unknown): Record<string, unknown>[] => (Array.isArray(r) ? r : (r as { rows: Record<string, unknown>[] }).rows);
/** A month partition of history or the outbox (`events_y2026m01`, `outbox_default`) counts as its table. */
const tableOf = (relation: string): string => relation.replace(/_(y\d{4}m\d{2}|default)$/, '');
/** Month partitions holding (next to) no rows, filled once the seed is analysed. */
const smallPartitions = new Set<string>();
const seqScans = (n: PlanNode): string[] => [
  ...(n['Node Type'] === 'Seq Scan' && n['Relation Name'] && LARGE.includes(tableOf(n['Relation Name'])) && !smallPartitions.has(n['Relation Name']) ? [n['Relation Name']] : []),
  ...(n.Plans ?? []).flatMap(seqScans),
];

/**
 * Every list and report query a screen sends, EXPLAINed on a database seeded so the planner would
 * choose an index: 20 estates of one company and another company's rows, 40,000 requests with
 * 120,000 history rows and 40,000 tasks, 40,000 notices, 40,000 bills and lines, 8,000 adjustments,
 * 20,000 payments and receipts. The
 * statements are the routes' own (captured from drizzle's logger while the routes answer), and a
 * sequential scan of a large table fails the test, naming the route and the table.
 */
withDatabases((kind, getDb) => {
  it(`lists and reports read the large tables through indexes on ${kind}`, async () => {
    const base = getDb();
    const tenantId = await createCompany(base, '规模物业');
    const other = await createCompany(base, '别家物业');
    const estateId = await createEstate(base, tenantId, { name: '规模小区', buildings: [{ name: '1栋', units: Array.from({ length: 200 }, (_, i) => `1-${100 + i}`) }] });
    const unitRows = await base.select({ id: units.id, buildingId: units.buildingId }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    const buildingId = unitRows[0]!.buildingId;
    await createUser(base, testConfig as never, { tenantId, username: `plan-admin-${kind}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    // one estate in 20 is the caller's; half the other rows are another company's
    // the requests copy a real repair workflow version (the list reads each version's personal fields)
    await installBundle(base, { tenantId, estateId, pkg: await readBundleFolder(join(import.meta.dirname, '../../workflows/repair')), parameters: {}, source: 'catalogue', now: new Date() });
    const [repair] = await base.select({ id: definitionVersions.id }).from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'repair')));
    const unitList = `{${unitRows.map((u) => u.id).join(',')}}`;
    const estateOf = sql`case when g % 20 = 0 then ${estateId}::uuid else md5('estate' || (g % 19))::uuid end`;
    const tenantOf = sql`case when g % 20 = 0 or g % 2 = 0 then ${tenantId}::uuid else ${other}::uuid end`;
    const unitOf = sql`case when g % 20 = 0 then (${unitList}::uuid[])[1 + (g / 20) % ${unitRows.length}] else md5('unit' || (g % 4000))::uuid end`;
    await base.execute(sql`insert into instances (tenant_id, id, estate_id, unit_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, status, search_text, version, started_at, updated_at, ended_at)
      select ${tenantOf}, md5('i' || g)::uuid, ${estateOf}, ${unitOf}, 'repair', ${repair!.id}::uuid, 1, 'RP-' || lpad(g::text, 6, '0'), '"received"'::jsonb, '{"context":{"data":{"fault":"客厅灯不亮"}}}'::jsonb,
        -- and a pair of characters that differs from row to row (一 U+4E00 onwards), so the pairs' statistics look like real text's
        case when g % 3 = 0 then 'done' else 'active' end, 'RP-' || lpad(g::text, 6, '0') || ' 客厅灯不亮 漏水' || g || ' ' || chr(19968 + g % 1500) || chr(19968 + (g * 7) % 1500), 2,
        timestamptz '2026-01-01' + g * interval '10 minutes', timestamptz '2026-01-01' + g * interval '11 minutes', null
      from generate_series(1, 40000) g`);
    await base.execute(sql`insert into events (tenant_id, instance_id, seq, type, data, actor_role, at)
      select i.tenant_id, i.id, s, case when s = 1 then 'start' else 'REVISIT' end, '{"method":"phone"}'::jsonb, 'dispatcher', i.started_at + s * interval '1 minute'
      from instances i, generate_series(1, 3) s`);
    await base.execute(sql`insert into tasks (tenant_id, id, estate_id, instance_id, key, title, role, status, created_at, due_at)
      select tenant_id, md5('t' || id)::uuid, estate_id, id, 'classify', '{"zh":"分类","en":"Classify"}'::jsonb, 'dispatcher', case when status = 'done' then 'done' else 'open' end, started_at, started_at + interval '15 minutes'
      from instances`);
    await base.execute(sql`insert into outbox (tenant_id, id, estate_id, instance_id, kind, payload, status, created_at, processed_at)
      select ${tenantOf}, md5('o' || g)::uuid, ${estateOf}, md5('i' || g)::uuid, case when g % 5 = 0 then 'escalate' else 'notify' end,
        case when g % 4 = 0 then '{"to":{"role":"admin"},"message":{"zh":"通知","en":"Notice"}}'::jsonb else '{"to":{"role":"technician"},"message":{"zh":"通知","en":"Notice"}}'::jsonb end,
        'done', timestamptz '2026-01-01' + g * interval '10 minutes', timestamptz '2026-01-01' + g * interval '10 minutes'
      from generate_series(1, 40000) g`);
    await base.execute(sql`insert into bills (tenant_id, id, estate_id, unit_id, key, plan_key, period_id, period_start, period_end, issue_on, pay_by, schedule_version, total_fen, created_at)
      select ${tenantOf}, md5('b' || g)::uuid, ${estateOf}, ${unitOf}, 'm/' || g, 'm', to_char(date '2024-01-01' + ((g / 4000) || ' months')::interval, 'YYYY-MM'),
        date '2024-01-01' + ((g / 4000) || ' months')::interval, (date '2024-01-01' + ((g / 4000 + 1) || ' months')::interval)::date - 1,
        date '2024-01-01' + ((g / 4000) || ' months')::interval, date '2024-01-15' + ((g / 4000) || ' months')::interval, date '2024-01-01', 22350, now()
      from generate_series(1, 40000) g`);
    await base.execute(sql`insert into bill_lines (tenant_id, bill_id, no, estate_id, kind, description, amount_fen)
      select tenant_id, id, 1, estate_id, 'management', '{"zh":"物业费","en":"Management fee"}'::jsonb, total_fen from bills`);
    await base.execute(sql`insert into bill_adjustments (tenant_id, id, estate_id, bill_id, "on", component, amount_fen, reason, created_at)
      select tenant_id, md5('a' || id)::uuid, estate_id, id, period_start + 3, 'late-fee', -100, '{"zh":"减免","en":"Waived"}'::jsonb, now() from bills where right(key, 1) in ('1', '6')`);
    await base.execute(sql`insert into payments (tenant_id, id, estate_id, unit_id, kind, received_on, amount_fen, method, created_at)
      select ${tenantOf}, md5('p' || g)::uuid, ${estateOf}, ${unitOf}, 'payment', date '2024-01-20' + (g / 1000), 22350, 'cash', timestamptz '2024-01-20' + g * interval '1 minute'
      from generate_series(1, 20000) g`);
    await base.execute(sql`insert into receipts (tenant_id, id, estate_id, payment_id, serial, content, issued_at)
      select tenant_id, md5('r' || id)::uuid, estate_id, id, 'SJ-' || id,
        jsonb_build_object('serial', 'SJ-' || id, 'paymentId', id, 'unitId', unit_id, 'receivedOn', received_on, 'method', method, 'amountFen', amount_fen), created_at from payments`);
    // each bill's paid total (services/bill-paid.ts): one bill in 8 still owes; the estate's rows are trusted (its plans: none)
    await base.execute(sql`insert into bill_paid (tenant_id, bill_id, estate_id, unit_id, issue_on, changed_on, principal_fen, principal_paid_fen, principal_payments, late_fee_adjusted_fen, late_fee_paid_fen, open)
      select tenant_id, id, estate_id, unit_id, issue_on, issue_on + 20, total_fen, case when right(key, 1) = '8' then 0 else total_fen end,
        case when right(key, 1) = '8' then '[]'::jsonb else jsonb_build_array(jsonb_build_object('on', issue_on + 20, 'amountFen', total_fen)) end, 0, 0, right(key, 1) = '8' from bills`);
    await base.insert(billPaidEstates).values({ tenantId, estateId, plansHash: plansHash([]), refreshedAt: new Date() });
    // each request's report figures, as the worker counts them (services/rollups.ts): the reports read the partial first and last day here
    await base.execute(sql`insert into report_facts (tenant_id, instance_id, estate_id, version, started_at, day, workflow_key, category, channel, grade, status, figures, open_clocks)
      select tenant_id, id, estate_id, version, started_at, (started_at at time zone 'Asia/Shanghai')::date, workflow_key, 'other', 'phone', '', status,
        '{"methods":{"phone":2},"satisfied":0,"dissatisfied":0,"reworks":0,"clocks":[{"p":"repair-clocks","m":"on-site","s":"running","due":1780000000000}]}'::jsonb, status = 'active'
      from instances`);
    // history and the outbox are partitioned by month: the outbox's seeded months are made (their rows leave the default
    // partition). History stays in one partition (the default): split in ten months of 12,000 rows, each month is too
    // small here for the planner to probe it 500 times for a report's batch rather than read it (a customer's month holds millions)
    await base.execute(sql`select ef_partitions_ensure('outbox', timestamptz '2024-01-01', now())`);
    for (const t of LARGE) await base.execute(sql.raw(`analyze ${t}`));
    // a month that holds (next to) nothing, such as the months made ahead, is read whole at no cost: not a finding
    const small = await base.execute(sql`select c.relname as name from pg_inherits h join pg_class c on c.oid = h.inhrelid
      where h.inhparent in ('events'::regclass, 'outbox'::regclass) and c.reltuples < 1000`);
    for (const r of rowsOfAny(small)) smallPartitions.add(String(r.name));

    // the same database through a drizzle that records each statement the routes send
    const sent: { query: string; params: unknown[] }[] = [];
    const logger = { logQuery: (query: string, params: unknown[]) => sent.push({ query, params }) };
    const raw = (base as unknown as { $client: PGlite | Sql }).$client;
    const db = (kind === 'pglite' ? drizzlePglite(raw as PGlite, { schema, logger }) : drizzlePostgres(raw as Sql, { schema, logger })) as unknown as Db;
    const explain = async (query: string, params: unknown[], analyze = false): Promise<PlanNode> => {
      const text = `explain (${analyze ? 'analyze, ' : ''}format json) ${query}`;
      const rows = kind === 'pglite' ? (await (raw as PGlite).query<Record<string, unknown>>(text, params)).rows : await (raw as Sql).unsafe(text, params as never[]);
      const cell = Object.values(rows[0] as Record<string, unknown>)[0];
      return ((typeof cell === 'string' ? JSON.parse(cell) : cell) as { Plan: PlanNode }[])[0]!.Plan;
    };

    const app = testApp(db, { now: () => new Date('2026-12-01T00:00:00Z') });
    const admin = await signIn(app, `plan-admin-${kind}`, 'pw');
    const unitId = unitRows[7]!.id;
    const month = 'from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z';
    const firstPage = await admin.call('GET', `/api/instances?estateId=${estateId}`);
    const firstTasks = await admin.call('GET', `/api/tasks?estateId=${estateId}&scope=all`);
    expect(firstTasks.body.items).toHaveLength(50);
    const screens: string[] = [
      // the inbox, a page at a time (#21): the estate's open tasks in due order on tasks_due_idx
      `/api/tasks?estateId=${estateId}&scope=all`,
      `/api/tasks?estateId=${estateId}&scope=all&cursor=${encodeURIComponent(firstTasks.body.nextCursor)}`,
      `/api/tasks?estateId=${estateId}`,
      '/api/tasks',
      // the inbox's filters, each on the server (#21): due status, the request's workflow, grade and text
      `/api/tasks?estateId=${estateId}&scope=all&due=overdue`,
      `/api/tasks?estateId=${estateId}&scope=all&due=ok&workflow=repair&grade=major`,
      `/api/tasks?estateId=${estateId}&scope=all&q=${encodeURIComponent('RP-0001')}`,
      `/api/tasks?scope=mine&due=none`,
      `/api/tasks?workflow=repair&q=${encodeURIComponent('客厅')}`,
      // home's and /me's counts of every open task (#21), not a page's
      `/api/tasks/counts?estateId=${estateId}&scope=all`,
      '/api/tasks/counts',
      `/api/instances?estateId=${estateId}`,
      `/api/instances?estateId=${estateId}&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`,
      '/api/instances',
      `/api/instances?estateId=${estateId}&status=active`,
      // the household file: one unit's requests, a page at a time, its revisits and its account
      `/api/instances?estateId=${estateId}&unitId=${unitId}`,
      `/api/estates/${estateId}/units/${unitId}`,
      '/api/instances?q=RP-00012',
      `/api/instances?q=${encodeURIComponent('漏水1234')}`,
      `/api/instances?q=${encodeURIComponent('客厅')}`,
      `/api/notices?estateId=${estateId}`,
      '/api/notices',
      `/api/billing/bills?estateId=${estateId}`,
      `/api/billing/bills?estateId=${estateId}&period=2024-06`,
      `/api/billing/bills?estateId=${estateId}&unitId=${unitId}`,
      `/api/billing/bills?estateId=${estateId}&sort=unit`,
      `/api/billing/bills?estateId=${estateId}&sort=due`,
      `/api/billing/bills?estateId=${estateId}&sort=owed`,
      `/api/reports/income-spending?estateId=${estateId}&period=2024-Q2`,
      `/api/billing/receipts?estateId=${estateId}`,
      `/api/billing/receipts?estateId=${estateId}&unitId=${unitId}`,
      `/api/billing/statements?estateId=${estateId}&unitId=${unitId}&from=2024-01-01&to=2024-12-31`,
      `/api/reports/sla?estateId=${estateId}&${month}`,
      `/api/reports/summary?estateId=${estateId}&${month}`,
      // all time: the task part reads the estate's tasks on an index, not every task (#21)
      `/api/reports/summary?estateId=${estateId}`,
      // the arrears (#21): the estate's open bills from bill_paid, not every bill settled
      `/api/billing/arrears?estateId=${estateId}`,
      `/api/billing/arrears?estateId=${estateId}&asOf=2024-06-30`,
      `/api/billing/arrears/buildings?estateId=${estateId}`,
      `/api/billing/arrears/building?estateId=${estateId}&buildingId=${buildingId}`,
      `/api/reports/revisits?estateId=${estateId}&${month}`,
      // the monthly fee report from bill_paid, the current month and a past one (open bills and those changed since the month began)
      `/api/reports/fees/monthly?estateId=${estateId}&month=2026-12`,
      `/api/reports/fees/monthly?estateId=${estateId}&month=2024-06`,
    ];
    const found: string[] = [];
    const indexesOf = (n: PlanNode): string[] => [...(n['Index Name'] ? [n['Index Name']] : []), ...(n.Plans ?? []).flatMap(indexesOf)];
    let checked = 0;
    const check = async (label: string) => {
      for (const s of sent.splice(0)) {
        if (!/^\s*(select|with)\b/i.test(s.query) || !LARGE.some((t) => s.query.includes(`"${t}"`) || s.query.includes(` ${t} `))) continue;
        checked++;
        for (const table of seqScans(await explain(s.query, s.params))) found.push(`${label}: seq scan of ${table} in ${s.query.slice(0, 160)}`);
      }
    };
    const arrearsIndexes: string[] = [];
    for (const path of screens) {
      sent.length = 0;
      const res = await admin.call('GET', path);
      expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
      if (path.startsWith('/api/billing/arrears')) {
        // the arrears read bill_paid, never every bill of the estate
        const open = sent.find((s) => /from "bill_paid"\s+inner join "bills"/.test(s.query));
        expect(open, `${path}: reads the open bills of bill_paid`).toBeDefined();
        expect(sent.some((s) => /"payments"|"bill_lines"/.test(s.query)), `${path}: settles no account`).toBe(false);
        arrearsIndexes.push(...indexesOf(await explain(open!.query, open!.params)));
      }
      await check(path);
    }
    expect(arrearsIndexes).toContain('bill_paid_open_idx');
    // the household file's requests (#22): one unit's, newest first, on instances_unit_idx (tenant, estate, unit, updated_at, id)
    sent.length = 0;
    expect((await admin.call('GET', `/api/instances?estateId=${estateId}&unitId=${unitId}`)).status).toBe(200);
    const byUnit = sent.find((s) => /from "instances"/.test(s.query) && /"instances"\."unit_id" = \$/.test(s.query));
    expect(byUnit, 'the unit filter statement').toBeDefined();
    expect(indexesOf(await explain(byUnit!.query, byUnit!.params))).toContain('instances_unit_idx');

    // the dashboard's all-time summary (#21): requests and task due compliance from the rollups; of the tasks themselves only
    // the open ones past due are read, a range of tasks_due_idx (not every task the estate ever had)
    sent.length = 0;
    expect((await admin.call('GET', `/api/reports/summary?estateId=${estateId}`)).status).toBe(200);
    const taskReads = sent.filter((s) => /from "tasks"/.test(s.query));
    expect(taskReads).toHaveLength(1);
    expect(taskReads[0]!.query).toMatch(/"tasks"\."status" = \$/);
    const overduePlan = await explain(taskReads[0]!.query, taskReads[0]!.params);
    expect(seqScans(overduePlan), JSON.stringify(overduePlan).slice(0, 600)).toEqual([]);
    expect(taskReads[0]!.query).toMatch(/coalesce\("tasks"\."due_at", 'infinity'::timestamptz\) < now\(\)/);
    expect(sent.some((s) => /report_rollups/.test(s.query))).toBe(true);

    // the inbox page's statement reads the estate's open tasks in order on tasks_due_idx (no sort of every task joined)
    for (const path of [`/api/tasks?estateId=${estateId}&scope=all`, `/api/tasks?estateId=${estateId}&scope=all&cursor=${encodeURIComponent(firstTasks.body.nextCursor)}`,
      `/api/tasks?estateId=${estateId}&scope=all&due=ok&workflow=repair`, `/api/tasks?estateId=${estateId}&scope=all&q=${encodeURIComponent('灯')}`]) {
      sent.length = 0;
      expect((await admin.call('GET', path)).status).toBe(200);
      const inbox = sent.find((s) => /from "tasks"/.test(s.query) && /order by coalesce/.test(s.query));
      expect(inbox, `${path}: the inbox statement`).toBeDefined();
      const plan = await explain(inbox!.query, inbox!.params);
      expect(indexesOf(plan), `${path}: ${JSON.stringify(plan).slice(0, 600)}`).toContain('tasks_due_idx');
      expect(seqScans(plan)).toEqual([]);
    }

    // a report's batch of histories (one array parameter for 500 instances)
    sent.length = 0;
    const ids = (await db.execute(sql`select id from instances where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid limit 500`)) as unknown;
    const idList = (Array.isArray(ids) ? ids : (ids as { rows: { id: string }[] }).rows).map((r: { id: string }) => r.id);
    expect((await historiesOf(db, tenantId, idList)).size).toBe(500);
    await check('report histories');
    expect(checked).toBeGreaterThan(screens.length);
    expect(found).toEqual([]);

    // a two-character CJK search has no trigram: it reads the index of character pairs, not every row of the
    // trigram index (which a bitmap scan would do without showing a sequential scan), and finds the same rows
    // (three requests mention 浴霸: a rare word, so the planner's best path is that index, not the list's order)
    await base.execute(sql`update instances set search_text = search_text || ' 浴霸不热' where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid and serial in ('RP-000020', 'RP-000040', 'RP-000060')`);
    await base.execute(sql`analyze instances`);
    await base.execute(sql`analyze instance_search_pairs`);
    sent.length = 0;
    const pair = await admin.call('GET', `/api/instances?estateId=${estateId}&q=${encodeURIComponent('浴霸')}`);
    expect(pair.status).toBe(200);
    expect(pair.body.items.map((i: { serial: string }) => i.serial).sort()).toEqual(['RP-000020', 'RP-000040', 'RP-000060']);
    const searched = sent.find((s) => /instance_search_pairs/.test(s.query));
    expect(searched, 'the two-character search reads the stored pairs').toBeDefined();
    const indexNames = (n: PlanNode & { 'Index Name'?: string }): string[] => [...(n['Index Name'] ? [n['Index Name']] : []), ...(n.Plans ?? []).flatMap(indexNames)];
    // in one estate of 2,000 requests the planner may read the estate's rows; never every row of the trigram index
    expect(indexNames(await explain(searched!.query, searched!.params))).not.toContain('instances_search_trgm_idx');
    // over the company's 20,000 it finds the pair on its own index
    const wide = await explain(`select instance_id from instance_search_pairs where tenant_id = $1 and pairs @> array[$2]::text[]`, [tenantId, '浴霸']);
    expect(indexNames(wide), JSON.stringify(wide).slice(0, 600)).toContain('instance_search_pairs_idx');
    for (const [q, n] of [['灯不', 5], ['浴室', 0], ['厅 ', 5]] as const) {
      const res = await admin.call('GET', `/api/instances?estateId=${estateId}&q=${encodeURIComponent(q)}&limit=5`);
      expect(res.body.items.length, q).toBe(n);
    }

    // a resident's notices are found from their side (#21): the page reads their requests' notices, not the
    // estate's 2,000 others (outbox rows the plan reads, kept or filtered out, stay far below the estate's count)
    const residentId = await createUser(base, testConfig as never, { tenantId, username: `plan-resident-${kind}`, password: 'pw', roles: [{ estateId, role: 'resident' }] });
    await base.insert(residents).values({ tenantId, id: randomUUID(), estateId, unitId, name: '住户', userId: residentId });
    const resident = await signIn(app, `plan-resident-${kind}`, 'pw');
    sent.length = 0;
    const mine = await resident.call('GET', `/api/notices?estateId=${estateId}`);
    expect(mine.status).toBe(200);
    const statement = sent.find((s) => /from outbox o/.test(s.query))!;
    expect(statement, 'the notices statement').toBeDefined();
    const analyzed = await explain(statement.query, statement.params, true);
    const outboxRead = (n: PlanNode): number =>
      (n['Relation Name'] === 'outbox' ? (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1) + (n['Rows Removed by Filter'] ?? 0) * (n['Actual Loops'] ?? 1) : 0) + (n.Plans ?? []).reduce((a, p) => a + outboxRead(p), 0);
    const estateNotices = Number(rowsOfAny(await base.execute(sql`select count(*)::int as n from outbox where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid and kind in ('notify', 'escalate')`))[0]!.n);
    expect(estateNotices).toBe(2000);
    expect(outboxRead(analyzed), 'outbox rows read for one resident').toBeLessThan(100);

    // so are a member of staff's, by their role: finance, to whom none of the 40,000 notices is sent, reads almost none
    await createUser(base, testConfig as never, { tenantId, username: `plan-finance-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const finance = await signIn(app, `plan-finance-${kind}`, 'pw');
    sent.length = 0;
    expect((await finance.call('GET', '/api/notices')).status).toBe(200);
    const staffStatement = sent.find((s) => /from outbox o/.test(s.query))!;
    expect(outboxRead(await explain(staffStatement.query, staffStatement.params, true)), 'outbox rows read for finance').toBeLessThan(100);

    // a request's history at real volume (#21): with history in its months, a request's history is read from the request's
    // start on (history is never older than its request), so the months before it are pruned from the plan, not probed
    await base.execute(sql`select ef_partitions_ensure('events', timestamptz '2026-01-01', timestamptz '2026-11-01')`);
    await base.execute(sql`analyze events`);
    const months = (n: PlanNode): string[] => [...(n['Relation Name']?.startsWith('events_') ? [n['Relation Name']] : []), ...(n.Plans ?? []).flatMap(months)];
    const [july] = rowsOfAny(await base.execute(sql`select id from instances where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid
      and started_at >= timestamptz '2026-07-02' order by started_at limit 1`));
    const julyId = String(july!.id);
    const everyMonth = months(await explain('select * from events where tenant_id = $1 and instance_id = $2 order by seq', [tenantId, julyId]));
    expect(everyMonth.length, 'unbounded, every month is probed').toBeGreaterThanOrEqual(10);
    const before = ['events_y2026m01', 'events_y2026m02', 'events_y2026m03', 'events_y2026m04', 'events_y2026m05', 'events_y2026m06'];
    expect(everyMonth).toEqual(expect.arrayContaining(before));
    for (const path of [`/api/instances/${julyId}/history`, `/api/instances/${julyId}`]) {
      sent.length = 0;
      const res = await admin.call('GET', path);
      expect(res.status, path).toBe(200);
      const reads = sent.filter((s) => /from "events"/.test(s.query));
      expect(reads.length, `${path} reads history`).toBeGreaterThan(0);
      for (const r of reads) {
        const read = months(await explain(r.query, r.params));
        expect(read, `${path}: ${r.query.slice(0, 200)}`).toContain('events_y2026m07');
        expect(read.filter((m) => before.includes(m)), `${path}: months before the request are pruned`).toEqual([]);
      }
    }
    expect((await admin.call('GET', `/api/instances/${julyId}/history`)).body.items).toHaveLength(3);
    // a report's batch (the rollup worker's): from the earliest start of the batch on
    sent.length = 0;
    const batch = rowsOfAny(await db.execute(sql`select id, (extract(epoch from started_at) * 1000)::float8 as ms from instances where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid
      and started_at >= timestamptz '2026-08-01' order by started_at limit 200`));
    const since = new Date(Math.min(...batch.map((r) => Number(r.ms))));
    const histories = await historiesOf(db, tenantId, batch.map((r) => String(r.id)), since);
    expect([...histories.values()].every((h) => h.length === 3)).toBe(true);
    const batchRead = sent.find((s) => /from "events"/.test(s.query))!;
    const batchMonths = months(await explain(batchRead.query, batchRead.params));
    expect(batchMonths).toContain('events_y2026m08');
    expect(batchMonths.filter((m) => m < 'events_y2026m08' && m !== 'events_default')).toEqual([]);
  }, 300_000);
});
