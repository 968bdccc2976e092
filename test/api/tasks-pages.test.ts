import { expect, it } from 'vitest';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { rowsOf } from '../../apps/api/src/store/index.ts';
import { join } from 'node:path';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { definitionVersions, tasks, units } from '@estateflow/db';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

type Row = { id: string; dueAt: string | null; createdAt: string };

/**
 * The inbox a page at a time (#21): `GET /api/tasks` answers 50 rows by default, at most 200, in one
 * stable order (earliest due, those with none last, then oldest, then id) with a `nextCursor`; the
 * pages together hold every open task once, ties and tasks without a due date included.
 */
withDatabases((kind, getDb) => {
  it(`pages through the inbox without losing or repeating a task on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '分页物业');
    const estateId = await createEstate(db, tenantId, { name: '分页小区', buildings: [{ name: '1栋', units: ['1-101'] }] });
    const [unit] = await db.select({ id: units.id }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    await createUser(db, testConfig as never, { tenantId, username: `pages-admin-${kind}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    await installBundle(db, { tenantId, estateId, pkg: await readBundleFolder(join(import.meta.dirname, '../../workflows/repair')), parameters: {}, source: 'catalogue', now: new Date() });
    const [repair] = await db.select({ id: definitionVersions.id }).from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'repair')));
    await db.execute(sql`insert into instances (tenant_id, id, estate_id, unit_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, status, search_text, version, started_at, updated_at)
      select ${tenantId}::uuid, md5('pi' || g || ${kind})::uuid, ${estateId}::uuid, ${unit!.id}::uuid, 'repair', ${repair!.id}::uuid, 1, 'PG-' || lpad(g::text, 4, '0'), '"received"'::jsonb,
        '{"context":{"data":{}}}'::jsonb, 'active', 'PG-' || g, 2, timestamptz '2026-01-01' + g * interval '1 minute', timestamptz '2026-01-01' + g * interval '1 minute'
      from generate_series(1, 130) g`);
    // one in five has no due date; due times repeat (ties), and created times repeat too (ties broken by id)
    await db.execute(sql`insert into tasks (tenant_id, id, estate_id, instance_id, key, title, role, status, created_at, due_at)
      select ${tenantId}::uuid, md5('pt' || g || ${kind})::uuid, ${estateId}::uuid, md5('pi' || g || ${kind})::uuid, 'classify', '{"zh":"分类","en":"Classify"}'::jsonb, 'admin',
        case when g % 13 = 0 then 'done' else 'open' end, timestamptz '2026-01-01' + (g % 7) * interval '1 minute',
        case when g % 5 = 0 then null else timestamptz '2026-02-01' + (g % 9) * interval '1 hour' end
      from generate_series(1, 130) g`);
    const open = 130 - 10;

    const app = testApp(db, { now: () => new Date('2026-01-15T00:00:00Z') });
    const admin = await signIn(app, `pages-admin-${kind}`, 'pw');
    const first = await admin.call('GET', `/api/tasks?estateId=${estateId}`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    expect(typeof first.body.nextCursor).toBe('string');

    const seen: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await admin.call('GET', `/api/tasks?estateId=${estateId}&limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
      seen.push(...(res.body.items as Row[]));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(open);
    expect(new Set(seen.map((r) => r.id)).size).toBe(open);
    // the order: due (none last), created, id
    const key = (r: Row) => [r.dueAt ? Date.parse(r.dueAt) : Infinity, Date.parse(r.createdAt), r.id] as const;
    for (let n = 1; n < seen.length; n++) {
      const [a, b] = [key(seen[n - 1]!), key(seen[n]!)];
      const ordered = a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])));
      expect(ordered, `row ${n}`).toBe(true);
    }
    expect(seen.slice(-24).every((r) => r.dueAt === null)).toBe(true);

    // the revisit queue's filter: only the tasks a given event closes (here every fourth task is a revisit), across pages
    await db.execute(sql`update tasks set key = 'revisit', events = '["REVISIT"]'::jsonb where tenant_id = ${tenantId}::uuid and status = 'open' and substr(id::text, 1, 1) in ('0', '4', '8', 'c')`);
    const [{ n: revisits }] = await db.select({ n: sql<number>`count(*)::int` }).from(tasks)
      .where(and(eq(tasks.tenantId, tenantId), eq(tasks.status, 'open'), sql`${tasks.events} @> '["REVISIT"]'::jsonb`)) as [{ n: number }];
    const closedBy: Row[] = [];
    cursor = null;
    do {
      const res = await admin.call('GET', `/api/tasks?estateId=${estateId}&event=REVISIT&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      closedBy.push(...(res.body.items as Row[]));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(revisits).toBeGreaterThan(7);
    expect(closedBy).toHaveLength(revisits);
    expect(new Set(closedBy.map((r) => r.id)).size).toBe(revisits);

    // every filter the inbox offers works on the server (#21), so pages hold only matching tasks and none is missed
    // beyond the first page: each filter's pages equal the open tasks the same rule picks in SQL
    await db.execute(sql`update instances set workflow_key = 'complaint', grade = case when substr(id::text, 2, 1) < '8' then 'major' else 'minor' end
      where tenant_id = ${tenantId}::uuid and substr(id::text, 1, 1) < '6'`);
    await db.execute(sql`update instances set unit_id = null where tenant_id = ${tenantId}::uuid and substr(id::text, 3, 1) < '8'`);
    await db.execute(sql`update tasks set due_at = timestamptz '2026-01-10' where tenant_id = ${tenantId}::uuid and due_at is not null and substr(id::text, 3, 1) < '5'`);
    await db.execute(sql`update tasks set title = '{"zh":"上门回访","en":"Visit back"}'::jsonb where tenant_id = ${tenantId}::uuid and substr(id::text, 4, 1) < '3'`);
    const readAll = async (filter: string): Promise<string[]> => {
      const ids: string[] = [];
      let at: string | null = null;
      do {
        const res = await admin.call('GET', `/api/tasks?estateId=${estateId}&limit=6&${filter}${at ? `&cursor=${encodeURIComponent(at)}` : ''}`);
        expect(res.status, `${filter}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
        ids.push(...(res.body.items as Row[]).map((r) => r.id));
        at = res.body.nextCursor;
      } while (at);
      return ids.sort();
    };
    const picked = async (rule: SQL): Promise<string[]> => rowsOf<{ id: string }>(await db.execute(sql`select t.id from tasks t
      join instances i on i.tenant_id = t.tenant_id and i.id = t.instance_id left join units u on u.tenant_id = i.tenant_id and u.id = i.unit_id
      where t.tenant_id = ${tenantId}::uuid and t.status = 'open' and (${rule}) order by t.id`)).map((r) => r.id);
    const now = sql`timestamptz '2026-01-15'`;
    for (const [filter, rule] of [
      ['workflow=complaint', sql`i.workflow_key = 'complaint'`],
      ['workflow=repair', sql`i.workflow_key = 'repair'`],
      ['grade=major', sql`i.grade = 'major'`],
      ['workflow=complaint&grade=minor', sql`i.workflow_key = 'complaint' and i.grade = 'minor'`],
      ['due=overdue', sql`t.due_at <= ${now}`],
      ['due=ok', sql`t.due_at > ${now}`],
      ['due=none', sql`t.due_at is null`],
      ['due=overdue&grade=major', sql`t.due_at <= ${now} and i.grade = 'major'`],
      [`q=${encodeURIComponent('PG-12')}`, sql`i.search_text ilike '%PG-12%'`],
      [`q=${encodeURIComponent('回访')}`, sql`t.title->>'zh' like '%回访%'`],
      [`q=${encodeURIComponent('visit BACK')}`, sql`t.title->>'en' = 'Visit back'`],
      [`q=${encodeURIComponent('1-101')}`, sql`u.label = '1-101'`],
      [`q=${encodeURIComponent('100%')}`, sql`false`],
      ['scope=mine', sql`t.assignee_id is not null`],
    ] as const) {
      const want = await picked(rule);
      const got = await readAll(filter);
      expect(got, filter).toEqual(want);
      if (filter !== `q=${encodeURIComponent('100%')}` && filter !== 'scope=mine') expect(want.length, `${filter} picks some`).toBeGreaterThan(0);
      expect(want.length, `${filter} leaves some out`).toBeLessThan(open);
    }
    expect((await admin.call('GET', `/api/tasks?estateId=${estateId}&due=late`)).status).toBe(400);

    // the most a page holds, and what is refused (400 naming the field, never 500)
    expect((await admin.call('GET', `/api/tasks?estateId=${estateId}&limit=200`)).body.items).toHaveLength(open);
    for (const [q, field] of [['limit=201', 'limit'], ['limit=0', 'limit'], ['cursor=nonsense', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify([JSON.stringify(['2026-02-30 00:00:00+00', '2026-01-01 00:00:00+00']), '00000000-0000-4000-8000-000000000000'])).toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify(['x', '00000000-0000-4000-8000-000000000000'])).toString('base64url')}`, 'cursor']] as const) {
      const res = await admin.call('GET', `/api/tasks?estateId=${estateId}&${q}`);
      expect(res.status, q).toBe(400);
      expect(JSON.stringify(res.body), q).toContain(field);
    }
  }, 120_000);

  it(`counts every open task for home and /me, past any page (more than 200) on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '计数物业');
    const estateId = await createEstate(db, tenantId, { name: '计数小区', buildings: [{ name: '1栋', units: ['1-101'] }] });
    const [unit] = await db.select({ id: units.id }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    await createUser(db, testConfig as never, { tenantId, username: `count-dispatcher-${kind}`, password: 'pw', roles: [{ estateId, role: 'dispatcher' }] });
    await installBundle(db, { tenantId, estateId, pkg: await readBundleFolder(join(import.meta.dirname, '../../workflows/repair')), parameters: {}, source: 'catalogue', now: new Date() });
    const [repair] = await db.select({ id: definitionVersions.id }).from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'repair')));
    await db.execute(sql`insert into instances (tenant_id, id, estate_id, unit_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, status, search_text, version, started_at, updated_at)
      select ${tenantId}::uuid, md5('ci' || g || ${kind})::uuid, ${estateId}::uuid, ${unit!.id}::uuid, 'repair', ${repair!.id}::uuid, 1, 'CT-' || lpad(g::text, 4, '0'), '"received"'::jsonb,
        '{"context":{"data":{}}}'::jsonb, 'active', 'CT-' || g, 2, timestamptz '2026-01-01' + g * interval '1 minute', timestamptz '2026-01-01' + g * interval '1 minute'
      from generate_series(1, 320) g`);
    // 320 tasks: the dispatcher's role's (unassigned), some another role's, some done; one in three overdue at the app's now
    await db.execute(sql`insert into tasks (tenant_id, id, estate_id, instance_id, key, title, role, status, created_at, due_at)
      select ${tenantId}::uuid, md5('ct' || g || ${kind})::uuid, ${estateId}::uuid, md5('ci' || g || ${kind})::uuid, 'classify', '{"zh":"分类","en":"Classify"}'::jsonb,
        case when g % 10 = 0 then 'technician' else 'dispatcher' end, case when g % 17 = 0 then 'done' else 'open' end, timestamptz '2026-01-01',
        case when g % 3 = 0 then timestamptz '2026-01-10' when g % 7 = 0 then null else timestamptz '2026-02-01' end
      from generate_series(1, 320) g`);
    const [want] = rowsOf<{ open: number; overdue: number }>(await db.execute(sql`select count(*)::int as open, (count(*) filter (where due_at <= timestamptz '2026-01-15'))::int as overdue
      from tasks where tenant_id = ${tenantId}::uuid and status = 'open' and role = 'dispatcher'`));
    expect(want!.open).toBeGreaterThan(200);
    const app = testApp(db, { now: () => new Date('2026-01-15T00:00:00Z') });
    const dispatcher = await signIn(app, `count-dispatcher-${kind}`, 'pw');
    const counts = await dispatcher.call('GET', '/api/tasks/counts');
    expect(counts.status).toBe(200);
    expect(counts.body).toEqual({ open: want!.open, overdue: want!.overdue });
    // the same as reading every page of the inbox (its most, 200 a page, holds fewer)
    const all: Row[] = [];
    let cursor: string | null = null;
    do {
      const res = await dispatcher.call('GET', `/api/tasks?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...(res.body.items as Row[]));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(want!.open);
    expect(all.filter((r) => r.dueAt && Date.parse(r.dueAt) <= Date.parse('2026-01-15T00:00:00Z'))).toHaveLength(want!.overdue);
    // with the inbox's filters too
    expect((await dispatcher.call('GET', `/api/tasks/counts?estateId=${estateId}&due=overdue`)).body).toEqual({ open: want!.overdue, overdue: want!.overdue });
    expect((await dispatcher.call('GET', '/api/tasks/counts?scope=mine')).body).toEqual({ open: 0, overdue: 0 });
  }, 120_000);
});
