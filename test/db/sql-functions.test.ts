import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { functionFiles, normalise, pendingFunctionMigration, type Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : ((r as { rows?: T[] }).rows ?? [])) as T[];
const one = async <T>(db: Db, q: ReturnType<typeof sql>): Promise<T> => {
  const [r] = rowsOf<{ v: unknown }>(await db.execute(sql`select ${q} as v`));
  return (typeof r?.v === 'string' && /^[[{"]/.test(r.v) ? JSON.parse(r.v) : r?.v) as T;
};

describe('SQL functions have one home (packages/db/sql)', () => {
  it('the migrations already bring every function to its file: gen:sql has nothing to write', () => {
    expect(pendingFunctionMigration()).toBeUndefined();
  });

  it('each function is defined in exactly one file, each file commented', () => {
    const files = functionFiles();
    expect([...files.keys()].sort()).toEqual([
      'ef_bigrams', 'ef_bound_sla', 'ef_calendar_fingerprint', 'ef_claim_timers', 'ef_commit', 'ef_commit_plan', 'ef_context_holds', 'ef_instance_context',
      'ef_is_sla_timer', 'ef_latest_sla', 'ef_ms', 'ef_partitions_ensure', 'ef_set_search_pairs', 'ef_sla_context_lock', 'ef_sla_timer_key',
    ]);
  });
});

// Done-when of #15: the calendar fingerprint, the latest bound SLA policy and the SLA timer-key scheme
// are each stated once, in packages/db/sql (apps/api/README.md, "One definition for each rule"); every
// other source calls those functions. Scanned: apps/ and packages/ (TypeScript, Svelte, SQL), not the
// migrations (history, generated from packages/db/sql) nor tests.
describe('each rule is stated once, in packages/db/sql', () => {
  const root = join(import.meta.dirname, '../..');
  const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'generated' || e.name === 'build' || e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.(ts|svelte|sql)$/.test(e.name) && !/\.(test|bench)\.ts$/.test(e.name) ? [p] : [];
  });
  const files = [...sources(join(root, 'apps')), ...sources(join(root, 'packages'))].map((f) => relative(root, f))
    .filter((f) => !f.startsWith('packages/db/drizzle/'));
  const rules: { rule: string; home: string; restated: RegExp }[] = [
    // the fingerprint is each calendar's key and row version
    { rule: 'calendar fingerprint', home: 'packages/db/sql/ef_calendar_fingerprint.sql', restated: /\bxmin\b/i },
    // the latest version of each SLA policy: DISTINCT ON, or versions of kind sla read newest first
    { rule: 'latest bound SLA policy', home: 'packages/db/sql/ef_bound_sla.sql', restated: /distinct\s+on\s*\([^)]*key[\s\S]{0,300}kind\s*=\s*'sla'|selectDistinctOn\([\s\S]{0,400}kind,\s*'sla'|kind,\s*'sla'\)[\s\S]{0,200}desc\(definitionVersions\.version\)/i },
    // the key's prefix, in any quotes
    { rule: 'SLA timer-key scheme', home: 'packages/db/sql/ef_sla_timer_key.sql', restated: /['"`]sla:|like\s+'sla/i },
  ];
  for (const { rule, home, restated } of rules) {
    it(`the ${rule}: only in ${home}`, () => {
      expect(files).toContain(home);
      expect(restated.test(readFileSync(join(root, home), 'utf8')), `${home} states it`).toBe(true);
      expect(files.filter((f) => f !== home && restated.test(readFileSync(join(root, f), 'utf8')))).toEqual([]);
    });
  }
  it('the scan finds a restatement (the patterns themselves work)', () => {
    expect(rules[0]!.restated.test("string_agg(c.key || '@' || c.xmin::text, ',')")).toBe(true);
    expect(rules[1]!.restated.test("select distinct on (d.key) d.id from definition_versions d where d.kind = 'sla' order by d.key, d.version desc")).toBe(true);
    expect(rules[1]!.restated.test("db.selectDistinctOn([definitionVersions.key]).from(definitionVersions).where(eq(definitionVersions.kind, 'sla'))")).toBe(true);
    expect(rules[1]!.restated.test("where(eq(definitionVersions.kind, 'sla')).orderBy(asc(definitionVersions.key), desc(definitionVersions.version))")).toBe(true);
    expect(rules[2]!.restated.test('const key = `sla:${policy}:${metric}`')).toBe(true);
    expect(rules[2]!.restated.test("where key like 'sla:%'")).toBe(true);
  });
});

withDatabases((kind, getDb) => {
  it(`after migrating, every function's definition in the database is its file's, on ${kind}`, async () => {
    const db = getDb();
    const files = functionFiles();
    // the file's own CREATE run in a scratch schema gives what pg_get_functiondef prints for it: compared with the migrated one
    await db.execute(sql.raw('create schema if not exists fn_file_check'));
    for (const [name, f] of files) {
      await db.execute(sql.raw(`set search_path to fn_file_check, public`));
      await db.execute(sql.raw(f.statement.replace(/;\s*$/, '')));
      await db.execute(sql.raw('set search_path to public'));
      const [migrated] = rowsOf<{ def: string; body: string }>(await db.execute(sql`select pg_get_functiondef(p.oid) as def, p.prosrc as body from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.proname = ${name}`));
      const [fromFile] = rowsOf<{ def: string }>(await db.execute(sql`select pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'fn_file_check' and p.proname = ${name}`));
      expect(migrated, `${name} is not in the database`).toBeDefined();
      expect(normalise(migrated!.body), `${name}'s body`).toBe(normalise(f.body));
      expect(normalise(migrated!.def.replace(/public\./g, '')), name).toBe(normalise(fromFile!.def.replace(/fn_file_check\./g, '')));
    }
    await db.execute(sql.raw('drop schema fn_file_check cascade'));
    // the functions no file defines any more are gone
    const old = rowsOf<{ proname: string }>(await db.execute(sql`select proname from pg_proc where proname in ('ef_apply', 'ef_apply_group', 'ef_sla_rearm')`));
    expect(old).toEqual([]);
  });

  describe(`the functions themselves, called directly, on ${kind}`, () => {
    const tenant = randomUUID();
    const estate = randomUUID();
    const seed = async (db: Db) => {
      const id = randomUUID();
      await db.execute(sql`insert into instances (tenant_id, id, estate_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, version, started_at, updated_at)
        values (${tenant}, ${id}, ${estate}, 'wf', ${randomUUID()}, 1, 'S-1', '"open"', '{"value":"open"}', 3, now(), now())`);
      return id;
    };
    const plan = (id: string, extra: Record<string, unknown>) => JSON.stringify({ tenantId: tenant, instanceId: id, estateId: estate, at: '2026-12-01T01:00:00.000Z', ...extra });
    const next = (expectedVersion: number) => ({ write: 'next', expectedVersion, document: { value: 'done' }, status: 'done', grade: null, searchText: 'S-1', endedAt: '2026-12-01T01:00:00.000Z' });

    it('ef_commit_plan: a conditional write at a stale version writes nothing and answers moved; at the version read it moves the row on', async () => {
      const db = getDb();
      const id = await seed(db);
      const history = { seq: 4, type: 'CLOSE', data: {}, actorId: null, actorRole: 'system', idempotencyKey: null, stateAfter: 'done' };
      expect(await one(db, sql`ef_commit_plan(${plan(id, { snapshot: next(2), history })}::jsonb, false)`)).toBe('moved');
      expect(await one(db, sql`(select count(*)::int from events where instance_id = ${id})`)).toBe(0);
      await expect(db.execute(sql`select ef_commit_plan(${plan(id, { snapshot: next(2) })}::jsonb, true)`)).rejects.toThrow();
      expect(await one(db, sql`ef_commit_plan(${plan(id, { snapshot: next(3), history })}::jsonb, false)`)).toBe('ok');
      expect(await one(db, sql`(select version from instances where id = ${id})`)).toBe(4);
      expect(await one(db, sql`(select state_after from events where instance_id = ${id} and seq = 4)`)).toBe('done');
    });

    it('ef_commit_plan with a stale fingerprint: a calendar changed since the read, so nothing is written', async () => {
      const db = getDb();
      const id = await seed(db);
      await db.execute(sql`insert into calendars (tenant_id, estate_id, key, document) values (${tenant}, ${estate}, 'office', '{}') on conflict do nothing`);
      const stamp = await one<string>(db, sql`ef_calendar_fingerprint(${tenant}::uuid, ${estate}::uuid)`);
      expect(stamp).toMatch(/^office@\d+$/);
      const context = { calendars: stamp, workflow: 'wf', sla: [] };
      expect(await one(db, sql`ef_context_holds(${tenant}::uuid, ${estate}::uuid, ${JSON.stringify(context)}::jsonb)`)).toBe(true);
      await db.execute(sql`update calendars set document = '{"week":{}}' where tenant_id = ${tenant} and estate_id = ${estate}`);
      expect(await one(db, sql`ef_calendar_fingerprint(${tenant}::uuid, ${estate}::uuid)`)).not.toBe(stamp);
      expect(await one(db, sql`ef_commit_plan(${plan(id, { snapshot: next(3), context })}::jsonb, false)`)).toBe('moved');
      expect(await one(db, sql`(select version from instances where id = ${id})`)).toBe(3);
    });

    it('ef_bigrams: the pairs of characters outside ASCII and whitespace, each once', async () => {
      const db = getDb();
      expect([...(await one<string[]>(db, sql`ef_bigrams('RP-000012 客厅灯不亮 张先生 3-1502 客厅')`))].sort()).toEqual(['不亮', '先生', '厅灯', '客厅', '张先', '灯不']);
      expect(await one(db, sql`ef_bigrams('lamp 1502')`)).toEqual([]);
      expect(await one(db, sql`ef_bigrams('灯')`)).toEqual([]);
    });

    it('ef_set_search_pairs: a request\'s pairs are stored when its text is written, and left alone when a write keeps the text', async () => {
      const db = getDb();
      const id = randomUUID();
      await db.execute(sql`insert into instances (tenant_id, id, estate_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot, search_text, started_at, updated_at)
        values (${tenant}, ${id}, ${estate}, 'wf', ${randomUUID()}, 1, 'RP-900001', '"open"', '{}', 'RP-900001 客厅灯不亮', now(), now())`);
      const pairs = async () => [...(await one<string[]>(db, sql`(select pairs from instance_search_pairs where tenant_id = ${tenant} and instance_id = ${id})`))].sort();
      expect(await pairs()).toEqual(['厅灯', '客厅', '灯不', '不亮'].sort());
      // a write that keeps the text does not touch the pairs: mark them by hand, write the same text, the mark stays
      await db.execute(sql`update instance_search_pairs set pairs = '{标记}' where instance_id = ${id}`);
      await db.execute(sql`update instances set search_text = 'RP-900001 客厅灯不亮', version = version + 1 where id = ${id}`);
      expect(await pairs()).toEqual(['标记']);
      await db.execute(sql`update instances set search_text = 'RP-900001 浴霸' where id = ${id}`);
      expect(await pairs()).toEqual(['浴霸']);
      // the pairs go with their request
      await db.execute(sql`delete from instances where id = ${id}`);
      expect(await one(db, sql`(select count(*)::int from instance_search_pairs where instance_id = ${id})`)).toBe(0);
    });

    it('ef_bound_sla: the latest version of each policy, kept only while it names the workflow', async () => {
      const db = getDb();
      const v1 = randomUUID();
      const v2 = randomUUID();
      await db.execute(sql`insert into definition_versions (tenant_id, id, estate_id, kind, key, version, document, change_note) values
        (${tenant}, ${v1}, ${estate}, 'sla', 'moving', 1, '{"workflow":"wf"}', ''), (${tenant}, ${randomUUID()}, ${estate}, 'sla', 'other', 1, '{"workflow":"x"}', '')`);
      expect(await one(db, sql`ef_bound_sla(${tenant}::uuid, ${estate}::uuid, 'wf')`)).toEqual([[v1, 'moving', 1]]);
      // version 2 moves the policy to another workflow: no longer bound to wf
      await db.execute(sql`insert into definition_versions (tenant_id, id, estate_id, kind, key, version, document, change_note) values (${tenant}, ${v2}, ${estate}, 'sla', 'moving', 2, '{"workflow":"x"}', '')`);
      expect(await one(db, sql`ef_bound_sla(${tenant}::uuid, ${estate}::uuid, 'wf')`)).toBeNull();
      expect((await one<[string, string, number][]>(db, sql`ef_bound_sla(${tenant}::uuid, ${estate}::uuid, 'x')`)).map((b) => [b[1], b[2]])).toEqual([['moving', 2], ['other', 1]]);
      // ef_latest_sla, the rule's other half: with no workflow, every policy of the estate at its latest version (the words' on-time table)
      const latest = rowsOf<{ key: string; version: number }>(await db.execute(sql`select key, version from ef_latest_sla(${tenant}::uuid, ${estate}::uuid, null) order by key`));
      expect(latest.map((r) => [r.key, Number(r.version)])).toEqual([['moving', 2], ['other', 1]]);
      expect(rowsOf(await db.execute(sql`select * from ef_latest_sla(${tenant}::uuid, ${estate}::uuid, 'wf')`))).toEqual([]);
    });

    it('ef_commit_plan with an SLA diff: a timer whose key and instant are wanted is kept, one moved is cancelled and armed anew, keys by ef_sla_timer_key', async () => {
      const db = getDb();
      const id = await seed(db);
      expect(await one(db, sql`ef_sla_timer_key('p', 'accept', 'warning', 50)`)).toBe('sla:p:accept:warning:50');
      expect(await one(db, sql`ef_is_sla_timer('sla:p:accept:warning:50')`)).toBe(true);
      expect(await one(db, sql`ef_is_sla_timer('after:open:ack')`)).toBe(false);
      const want = (step: number, dueAt: string) => ({ id: randomUUID(), policy: 'p', metric: 'accept', kind: 'warning', step, event: 'sla.warning', data: {}, dueAt });
      const sla = (wanted: unknown[]) => plan(id, { slaTimers: { now: '2026-12-01T01:00:00.000Z', except: null, wanted } });
      await db.execute(sql`select ef_commit_plan(${sla([want(50, '2026-12-01T02:00:00.000Z'), want(80, '2026-12-01T03:00:00.000Z')])}::jsonb, false)`);
      const kept = await one<string>(db, sql`(select id::text from timers where instance_id = ${id} and key = 'sla:p:accept:warning:50')`);
      await db.execute(sql`select ef_commit_plan(${sla([want(50, '2026-12-01T02:00:00.000Z'), want(80, '2026-12-01T04:00:00.000Z')])}::jsonb, false)`);
      const rows = rowsOf<{ id: string; key: string; status: string; due: string }>(await db.execute(sql`select id::text as id, key, status, to_char(due_at at time zone 'UTC', 'HH24:MI') as due from timers where instance_id = ${id} order by key, due_at`));
      expect(rows.map((r) => [r.key, r.status, r.due])).toEqual([
        ['sla:p:accept:warning:50', 'armed', '02:00'],
        ['sla:p:accept:warning:80', 'cancelled', '03:00'],
        ['sla:p:accept:warning:80', 'armed', '04:00'],
      ]);
      expect(rows[0]!.id).toBe(kept);
    });
  });
});
