import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue #17, "done when": no code path outside the seed and the tests creates users except the people
// services. Scans every source file of the repository for a write into the users table (drizzle's
// `insert(users)`, SQL `insert into users`) and for calls of `createUser`, the one insert under
// those services, so a new route or script that makes accounts its own way fails here.
const ROOT = resolve(import.meta.dirname, '..');
const SKIP_DIRS = new Set(['node_modules', '.git', '.svelte-kit', 'build', 'dist', 'coverage', 'screenshots', 'test']);
const SOURCE = /\.(ts|js|mjs|cjs|svelte|sql)$/;

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) sources(join(dir, entry.name), out);
    } else if (SOURCE.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(relative(ROOT, join(dir, entry.name)));
  }
  return out;
}

const INSERT = /\.insert\(\s*(?:schema\.)?users\s*\)|\binsert\s+into\s+(?:"?public"?\.)?"?users"?[\s(]/gi;
const CREATE_USER = /\bcreateUser\s*\(/g;

/** Where each pattern may appear, and why. */
const ALLOWED_INSERT: Record<string, string> = {
  'apps/api/src/services/provision.ts': 'createUser: the single insert, called only by the people services',
  'bench/seed.ts': 'the benchmark seed: a resident per copied unit, the demo password hash copied in bulk',
};
const ALLOWED_CREATE_USER: Record<string, string> = {
  'apps/api/src/services/provision.ts': 'its definition',
  'apps/api/src/services/people.ts': 'createStaff and createResidentAccount (the UI, sign-up with a code and the demo seed)',
  'bench/rearm.bench.ts': 'a benchmark world, like the tests',
  'bench/support/world.ts': 'a benchmark world, like the tests',
};

function hits(pattern: RegExp, allowed: Record<string, string>): string[] {
  return sources(ROOT).flatMap((file) => {
    if (file in allowed) return [];
    const text = readFileSync(join(ROOT, file), 'utf8');
    return [...text.matchAll(pattern)].map((m) => `${file}:${text.slice(0, m.index).split('\n').length}: ${m[0]}`);
  });
}

describe('who creates users (#17)', () => {
  it('scans the sources it means to: the people services, the demo seed and the routes are among them', () => {
    const files = sources(ROOT);
    expect(files).toEqual(expect.arrayContaining(['apps/api/src/services/people.ts', 'apps/api/src/demo.ts', 'apps/api/src/routes/people.ts', 'apps/api/src/routes/auth.ts', 'bench/seed.ts']));
    expect(files.some((f) => f.startsWith('apps/web/src/'))).toBe(true);
    expect(files.some((f) => f.startsWith('packages/db/'))).toBe(true);
  });

  it('finds no insert into the users table outside createUser (and the benchmark seed)', () => {
    expect(hits(INSERT, ALLOWED_INSERT)).toEqual([]);
    // the patterns do find what they look for
    const once = new RegExp(INSERT.source, 'i');
    expect(readFileSync(join(ROOT, 'apps/api/src/services/provision.ts'), 'utf8')).toMatch(once);
    expect('await db.execute(sql`INSERT INTO users (id) values (1)`)').toMatch(once);
    expect('await tx.insert(schema.users).values(row)').toMatch(once);
  });

  it('finds createUser called only by the people services (and benchmark worlds); the demo seed goes through createStaff and createResidentAccount', () => {
    expect(hits(CREATE_USER, ALLOWED_CREATE_USER)).toEqual([]);
    const demo = readFileSync(join(ROOT, 'apps/api/src/demo.ts'), 'utf8');
    expect(demo).toMatch(/\bcreateStaff\(/);
    expect(demo).toMatch(/\bcreateResidentAccount\(/);
  });
});
