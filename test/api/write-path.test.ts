import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Done-when of issue #15: every change of an instance goes through the EventStore. No module
// outside apps/api/src/store/ inserts, updates or deletes rows of the instance, history, timer,
// task or outbox tables: not with drizzle's query builder, not in SQL text. (Tests, benches and the
// SQL functions of packages/db/sql, which the store calls, are not scanned.)

const ROOT = join(import.meta.dirname, '../..');
const TABLES = ['instances', 'events', 'timers', 'tasks', 'outbox'];
const STORE = 'apps/api/src/store/';

const patterns = [
  new RegExp(String.raw`\.(insert|update|delete)\(\s*(${TABLES.join('|')})\s*\)`, 'g'),
  new RegExp(String.raw`\b(insert\s+into|update|delete\s+from)\s+(${TABLES.join('|')})\b`, 'gi'),
];

/** Each write to a guarded table in `source`, as `line: text`. */
function writesIn(source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, n) => {
    if (/^\s*(\*|\/\/)/.test(line)) return;
    for (const p of patterns) {
      p.lastIndex = 0;
      if (p.test(line)) out.push(`${n + 1}: ${line.trim()}`);
    }
  });
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|svelte)$/.test(name) && !/\.(test|bench)\.ts$/.test(name)) out.push(p);
  }
  return out;
}

describe('one write path', () => {
  it('finds a write in drizzle or SQL text (the scan itself works)', () => {
    expect(writesIn('await tx.update(timers).set({ status: "fired" })')).toHaveLength(1);
    expect(writesIn("await db.insert(outbox).values(row)")).toHaveLength(1);
    expect(writesIn('sql`update instances set version = 2`')).toHaveLength(1);
    expect(writesIn('`DELETE FROM tasks WHERE id = $1`')).toHaveLength(1);
    expect(writesIn('db.select().from(instances)')).toEqual([]);
    expect(writesIn(' * updates timers when the store commits')).toEqual([]);
  });

  it('no module outside apps/api/src/store/ writes the instance, history, timer, task or outbox tables', () => {
    const files = [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'packages'))].map((f) => relative(ROOT, f));
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.filter((f) => !f.startsWith(STORE)).flatMap((f) => writesIn(readFileSync(join(ROOT, f), 'utf8')).map((w) => `${f}:${w}`));
    expect(offenders).toEqual([]);
    // and the store is where they are
    const inStore = files.filter((f) => f.startsWith(STORE)).flatMap((f) => writesIn(readFileSync(join(ROOT, f), 'utf8')));
    expect(inStore.length).toBeGreaterThan(5);
  });
});
