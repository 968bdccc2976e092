import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Done-when of issue #15: every change of an instance goes through the EventStore. The rule, as
// apps/api/README.md states it ("One write path"):
// - Only the store implementations write rows of the instance, history, timer, task or outbox
//   tables: the reference store (apps/api/src/store/reference-store.ts) with drizzle, and the fast
//   store through the SQL functions of packages/db/sql (not scanned: they are the store's SQL).
//   Not with drizzle's query builder, not in SQL text, in no other module of apps/ or packages/
//   (.ts, .svelte, .js and .sql; tests, benches and the generated migrations are not scanned).
//   Month partitions (`events_y2026m12`, `outbox_default`) count as their table; truncating,
//   dropping or detaching counts as a write. Claims and reassignments of tasks are plans too
//   (`planClaim`).
// - One exception, the outbox's queue side (apps/api/src/store/outbox-queue.ts), which changes no
//   instance: it may insert a job row only with `instanceId: null`, and update outbox rows only in
//   the queue's own columns (status, attempts, processed_at, processed_by), plus the payload of a
//   job row (its where clause names `instance_id is null`). No deletes. Each of its statements is
//   checked against that, so a write of anything else there fails like anywhere else.

const ROOT = join(import.meta.dirname, '../..');
const TABLES = ['instances', 'events', 'timers', 'tasks', 'outbox'];
const WRITERS = ['apps/api/src/store/reference-store.ts'];
// The fast store's SQL: its one function that writes (ef_commit runs it per plan). Every other file of
// packages/db/sql is scanned like any source. The migrations (packages/db/drizzle) are not: they are
// generated from the schema and from packages/db/sql (gen:sql), and a migration is no writer at run time.
const SQL_WRITERS = ['packages/db/sql/ef_commit_plan.sql'];
const QUEUE = 'apps/api/src/store/outbox-queue.ts';
const QUEUE_COLUMNS = new Set(['status', 'attempts', 'processedAt', 'processedBy', 'processed_at', 'processed_by']);
// A second exception, erasure on request (PIPL, apps/api/src/services/person-data.ts): it changes no
// state, version or history entry, only replaces a person's identity in what was written. It may
// only update, and only the columns that hold written data: a request's snapshot and search text,
// a history entry's data, a task's title, a timer's data, a notice's payload.
const ERASURE = 'apps/api/src/services/person-data.ts';
const ERASURE_COLUMNS: Record<string, ReadonlySet<string>> = {
  instances: new Set(['snapshot', 'searchText']), events: new Set(['data']), tasks: new Set(['title']), timers: new Set(['data']), outbox: new Set(['payload']),
};

// A guarded table by its name, a schema-qualified or quoted name, or one of its month partitions
// (`events_y2026m12`, `outbox_default`: history and the outbox are partitioned, packages/db/src/partitions.ts).
const TABLE = String.raw`(?:"?public"?\.)?"?(${TABLES.join('|')})(?:_y\d{4}m\d{2}|_default)?"?`;
// A SQL target the scan cannot read (`${sql.identifier(t)}`, `${sql.raw(t)}`): allowed only where a reason is given below.
const DYNAMIC_TARGET = String.raw`\$\{[^}]*\}`;
/** Files whose writes name their table at run time, and why none of them is an instance's change. */
const DYNAMIC: Record<string, string> = {
  // restore: every table of a backup into a new, empty database (refused unless every table is empty: restore-not-empty)
  'packages/db/src/backup.ts': 'restore into an empty database',
  // the report rollups' own tables (report_facts, report_rollups, …, rollup_marks), a literal list
  'apps/api/src/services/rollups.ts': 'rollup tables',
};
// Dropping, emptying or detaching a guarded table (or a partition) removes its rows as surely as a delete.
// One exception: the outbox archive (`archiveOutbox`) detaches months wholly delivered and older than the notice retention.
const ARCHIVE = 'packages/db/src/partitions.ts';
const patterns = [
  // drizzle: db.insert(tasks), tx.update(schema.timers)
  new RegExp(String.raw`\.(insert|update|delete)\(\s*(?:\w+\.)?(${TABLES.join('|')})\s*\)`, 'gi'),
  new RegExp(String.raw`\b(insert\s+into|update|delete\s+from|truncate(?:\s+table)?|drop\s+table(?:\s+if\s+exists)?)\s+(?:only\s+)?${TABLE}(?![\w"])`, 'gi'),
  new RegExp(String.raw`\b(alter\s+table)\s+(?:only\s+)?${TABLE}\s+(?:detach|attach)\s+partition\b`, 'gi'),
  new RegExp(String.raw`\b(insert\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?(${DYNAMIC_TARGET})`, 'gi'),
];

interface Write { line: number; verb: 'insert' | 'update' | 'delete' | 'truncate' | 'drop' | 'alter'; table: string; statement: string }

/** Each write to a guarded table in `source`, with its statement (up to the `;` that ends it). */
function writesIn(source: string): Write[] {
  const out: Write[] = [];
  const lines = source.split('\n');
  let offset = 0;
  lines.forEach((line, n) => {
    if (!/^\s*(\*|\/\/|--)/.test(line)) {
      for (const p of patterns) {
        p.lastIndex = 0;
        for (let m = p.exec(line); m; m = p.exec(line)) {
          const from = offset + m.index;
          const end = source.indexOf(';', from);
          out.push({ line: n + 1, verb: m[1]!.split(/\s/)[0]!.toLowerCase() as Write['verb'], table: m[2]!.startsWith('$') ? '(dynamic)' : m[2]!.toLowerCase(), statement: source.slice(from, end < 0 ? undefined : end) });
        }
      }
    }
    offset += line.length + 1;
  });
  return out;
}

/** The columns a statement's update sets: drizzle `.set({ … })` keys or SQL `set a = …, b = …`. */
function columnsSet(statement: string): string[] {
  const drizzle = /\.set\(([\s\S]*?)\)\s*\.where\(/.exec(statement);
  // keys outside string literals (`billing:${key}` is a value)
  if (drizzle) return [...drizzle[1]!.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, "''").matchAll(/(\w+)\s*:/g)].map((m) => m[1]!);
  const text = /\bset\s+([\s\S]*?)\s+(from|where)\b/i.exec(statement);
  if (text) return text[1]!.split(',').map((a) => /^\s*(\w+)\s*=/.exec(a)?.[1] ?? `?${a.trim()}`);
  return ['?unreadable'];
}

/** Why a write of the outbox queue breaks its rule (undefined: it keeps it). */
function queueBreach(w: Write): string | undefined {
  if (w.table !== 'outbox') return `writes ${w.table}`;
  if (w.verb !== 'insert' && w.verb !== 'update') return `${w.verb}s`;
  if (w.verb === 'insert') return /instanceId:\s*null\b/.test(w.statement) ? undefined : 'inserts a row without instanceId: null';
  const jobOnly = /isNull\(outbox\.instanceId\)|instance_id\s+is\s+null/i.test(w.statement);
  const other = columnsSet(w.statement).filter((c) => !QUEUE_COLUMNS.has(c) && !(jobOnly && c === 'payload'));
  return other.length ? `sets ${other.join(', ')}` : undefined;
}

/** Why a write of the erasure breaks its rule (undefined: it keeps it). */
function erasureBreach(w: Write): string | undefined {
  if (w.verb !== 'update') return `${w.verb}s ${w.table}`;
  const other = columnsSet(w.statement).filter((c) => !ERASURE_COLUMNS[w.table]?.has(c));
  return other.length ? `sets ${other.join(', ')}` : undefined;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated' || name === 'build' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|svelte|js|mjs|cjs|sql)$/.test(name) && !/\.(test|bench)\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const show = (f: string, w: Write, why?: string) => `${f}:${w.line}: ${w.statement.split('\n')[0]!.trim()}${why ? ` (${why})` : ''}`;

describe('one write path', () => {
  it('finds a write in drizzle or SQL text (the scan itself works)', () => {
    expect(writesIn('await tx.update(timers).set({ status: "fired" })')).toHaveLength(1);
    expect(writesIn('await db.insert(outbox).values(row)')).toHaveLength(1);
    expect(writesIn('sql`update instances set version = 2`')).toHaveLength(1);
    expect(writesIn('`DELETE FROM tasks WHERE id = $1`')).toHaveLength(1);
    expect(writesIn('db.select().from(instances)')).toEqual([]);
    expect(writesIn(' * updates timers when the store commits')).toEqual([]);
    // partitions, schema-qualified and quoted names, drizzle through a namespace
    expect(writesIn('sql`insert into events_y2026m12 select * from x`').map((w) => w.table)).toEqual(['events']);
    expect(writesIn('`UPDATE public.outbox_default SET status = 1`').map((w) => w.table)).toEqual(['outbox']);
    expect(writesIn('`delete from "tasks" where id = $1`').map((w) => w.table)).toEqual(['tasks']);
    expect(writesIn('await tx.insert(schema.timers).values(t)').map((w) => w.table)).toEqual(['timers']);
    // emptying, dropping or detaching removes rows too
    expect(writesIn('sql`truncate table instances`').map((w) => w.verb)).toEqual(['truncate']);
    expect(writesIn('sql`drop table if exists outbox_y2025m01`').map((w) => w.verb)).toEqual(['drop']);
    expect(writesIn('sql`alter table outbox detach partition ${sql.identifier(p)}`').map((w) => [w.verb, w.table])).toEqual([['alter', 'outbox']]);
    // a target named at run time is reported as such
    expect(writesIn('sql`insert into ${sql.identifier(t)} select 1`').map((w) => w.table)).toEqual(['(dynamic)']);
    // other tables are not guarded
    expect(writesIn('sql`update tasks_done_rollup set n = 1; insert into outboxes values (1)`')).toEqual([]);
  });

  it('holds the outbox queue to its columns (the rule itself works)', () => {
    const breach = (s: string) => queueBreach(writesIn(s)[0]!);
    expect(breach("await tx.insert(outbox).values({ ...job, id: randomUUID(), instanceId: null });")).toBeUndefined();
    expect(breach('await tx.insert(outbox).values({ ...row, instanceId: id });')).toMatch(/instanceId: null/);
    expect(breach("await tx.update(outbox).set({ status: 'done', processedAt: at }).where(eq(outbox.id, id));")).toBeUndefined();
    expect(breach('await tx.update(outbox).set({ payload: p, attempts: 2 }).where(and(eq(outbox.id, id), isNull(outbox.instanceId)));')).toBeUndefined();
    expect(breach('await tx.update(outbox).set({ payload: p }).where(eq(outbox.id, id));')).toBe('sets payload');
    expect(breach('await tx.update(outbox).set({ processedBy: `billing:${key}`, kind: k }).where(eq(outbox.id, id));')).toBe('sets kind');
    expect(breach("sql`update outbox o set status = 'done', processed_by = ${by} from x where o.id = x.id`;")).toBeUndefined();
    expect(breach("sql`update outbox o set kind = 'x', status = 'done' where o.id = ${id}`;")).toBe('sets kind');
    expect(breach('await tx.delete(outbox).where(eq(outbox.id, id));')).toBe('deletes');
    expect(breach("await tx.update(tasks).set({ status: 'done' }).where(eq(tasks.id, id));")).toBe('writes tasks');
  });

  it('holds erasure to the columns of written data (the rule itself works)', () => {
    const breach = (s: string) => erasureBreach(writesIn(s)[0]!);
    expect(breach('await db.update(events).set({ data: s.value }).where(eq(events.seq, 1));')).toBeUndefined();
    expect(breach("await db.update(instances).set({ snapshot: next, searchText: t }).where(eq(instances.id, id));")).toBeUndefined();
    expect(breach("await db.update(instances).set({ status: 'done' }).where(eq(instances.id, id));")).toBe('sets status');
    expect(breach('await db.delete(events).where(eq(events.seq, 1));')).toBe('deletes events');
  });

  it('no module but the store implementations writes the instance, history, timer, task or outbox tables; the outbox queue keeps its rule', () => {
    const files = [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'packages'))].map((f) => relative(ROOT, f)).filter((f) => !f.startsWith('packages/db/drizzle/'));
    expect(files.length).toBeGreaterThan(100);
    // the modules added since the rule was written are in the scan (billing runs, privacy clean-ups, the outbox archive, the SQL functions)
    for (const f of ['apps/api/src/services/billing-run-job.ts', 'apps/api/src/services/person-data.ts', 'packages/db/src/partitions.ts', 'packages/cli/src/commands/outbox.ts', 'packages/db/sql/ef_claim_timers.sql', 'packages/db/sql/ef_partitions.sql']) expect(files).toContain(f);
    const read = (f: string) => writesIn(readFileSync(join(ROOT, f), 'utf8'));
    const exempt = (f: string, w: Write) => (w.table === '(dynamic)' && f in DYNAMIC) || (f === ARCHIVE && w.verb === 'alter' && w.table === 'outbox' && /\bdetach\s+partition\b/i.test(w.statement));
    const offenders = files.filter((f) => !WRITERS.includes(f) && !SQL_WRITERS.includes(f) && f !== QUEUE && f !== ERASURE)
      .flatMap((f) => read(f).filter((w) => !exempt(f, w)).map((w) => show(f, w)));
    expect(offenders).toEqual([]);
    // each exemption is still needed (a stale one would hide nothing, but says something untrue)
    for (const f of [...Object.keys(DYNAMIC), ARCHIVE]) expect(read(f).filter((w) => exempt(f, w)).length, f).toBeGreaterThan(0);
    expect(SQL_WRITERS.flatMap(read).length).toBeGreaterThan(5);
    expect(read(ERASURE).flatMap((w) => { const why = erasureBreach(w); return why ? [show(ERASURE, w, why)] : []; })).toEqual([]);
    const queueWrites = read(QUEUE);
    expect(queueWrites.length).toBeGreaterThan(0);
    expect(queueWrites.flatMap((w) => { const why = queueBreach(w); return why ? [show(QUEUE, w, why)] : []; })).toEqual([]);
    // and the reference store is where they are
    expect(WRITERS.flatMap(read).length).toBeGreaterThan(5);
  });
});
