import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue #15a, "API types with one source": the web client's types for the API's answers come from the
// route schemas (`@estateflow/api/schemas`, json-schema-to-ts), so renaming a field in a route schema
// fails `pnpm typecheck` in apps/web. A call that restates an answer's shape inline
// (`api<{ items: Row[] }>(…)`) escapes that: this scan fails on one. What the UI joins in
// (an estate's name, a label) is declared beside the answer's type, never instead of it.

const ROOT = join(import.meta.dirname, '../..');
const WEB = join(ROOT, 'apps/web/src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : sources(p);
    return /\.(ts|svelte)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Each call of the API client whose answer type is written out inline, as `file:line`. */
export function inlineAnswers(source: string, file = ''): string[] {
  return source.split('\n').flatMap((line, n) => (/\b(api|allPages)<\s*\{/.test(line) ? [`${file}:${n + 1}: ${line.trim().slice(0, 120)}`] : []));
}

describe('the web client types the API answers from the route schemas', () => {
  it('finds an inline answer type (the scan itself works)', () => {
    expect(inlineAnswers('const r = await api<{ items: Row[] }>(`/x`);')).toHaveLength(1);
    expect(inlineAnswers('return allPages<{ id: string }>(path);')).toHaveLength(1);
    expect(inlineAnswers('const r = await api<PersonList>(`/people`);')).toEqual([]);
  });

  it('has no hand-written types file and no call that restates an answer inline', () => {
    expect(existsSync(join(WEB, 'lib/api/types.ts'))).toBe(false);
    const files = sources(WEB);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => inlineAnswers(readFileSync(f, 'utf8'), relative(ROOT, f)))).toEqual([]);
    // and the client does import them
    expect(files.filter((f) => readFileSync(f, 'utf8').includes("from '@estateflow/api/schemas'")).length).toBeGreaterThan(30);
  });
});
