import { join } from 'node:path';
import { expect, it } from 'vitest';
import { validatePath, hasErrors } from '@estateflow/definitions';
import { testCommand } from '@estateflow/cli';

const workflows = join(import.meta.dirname, '..', 'workflows');

it('every bundle in workflows/ validates with no finding (pnpm wf validate workflows)', async () => {
  const findings = await validatePath(workflows);
  expect(hasErrors(findings)).toBe(false);
  expect(findings.map((f) => `${f.file}${f.pointer}: ${f.message.en}`)).toEqual([]);
});

it('every scenario of every bundle passes with 100 % state and transition coverage (pnpm wf test workflows --coverage)', async () => {
  const lines: string[] = [];
  const code = await testCommand([workflows, '--coverage'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  const text = lines.join('\n');
  expect(text).toMatch(/\d+ passed, 0 failed, 0 workflow\(s\) below 100 % coverage/);
  expect(text).not.toMatch(/✗/);
  expect(code).toBe(0);
}, 120_000);
