import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// #19: the README's "Build your first process" walkthrough follows the browser test that builds the
// parking-space lease, step by step: its step headings are that test's steps, in the same order, and
// every screenshot it shows is one the test takes for the README (and is committed).
const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const testFile = readFileSync(join(root, 'test/browser/designer-process.test.ts'), 'utf8');

const section = (() => {
  const start = readme.indexOf('## Build your first process');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
})();

describe('the README walkthrough follows test/browser/designer-process.test.ts', () => {
  it('has one heading per step of the test, in order, matching its titles', () => {
    const headings = [...section.matchAll(/^### (.+)$/gm)].map((m) => m[1]!.trim());
    const steps = [...testFile.matchAll(/^\s+it\('([^']+)'/gm)].map((m) => m[1]!);
    expect(steps.length).toBeGreaterThan(5);
    expect(headings.map((h) => h.toLowerCase())).toEqual(steps.map((s) => s.toLowerCase()));
  });

  it('shows the screenshots the test takes for it, each committed under docs/screenshots', () => {
    const shown = [...section.matchAll(/\]\((docs\/screenshots\/[^)]+\.png)\)/g)].map((m) => m[1]!);
    const taken = [...testFile.matchAll(/screenshot\(page, '([^']+)', \{ readme: true \}\)/g)].map((m) => `docs/screenshots/${m[1]}.png`);
    expect(shown).toEqual(taken);
    for (const f of shown) expect(existsSync(join(root, f)), f).toBe(true);
  });

  it('asserts the JSON pane was used zero times', () => {
    expect(testFile).toMatch(/jsonPaneUses|ef\.jsonPaneUses/);
    expect(testFile).toMatch(/toBe\(0\)/);
  });
});
