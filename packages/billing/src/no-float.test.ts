import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const FORBIDDEN = /\b(parseFloat|toFixed|Math\.round|Math\.floor|Math\.ceil|toPrecision)\b|\*\s*0\.\d|\/\s*100\b(?!n)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('money stays integer (BL-8)', () => {
  it('uses no floating-point rounding or decimal arithmetic on amounts anywhere in the package', () => {
    const files = sources(root);
    expect(files.length).toBeGreaterThan(10);
    const offending = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(root, file)}:${i + 1}` }))
        .filter(({ line }) => !line.trimStart().startsWith('//') && !line.trimStart().startsWith('*') && FORBIDDEN.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });
});
