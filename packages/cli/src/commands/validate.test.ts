import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from './io.ts';
import { schemaCommand } from './schema.ts';
import { validateCommand } from './validate.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const capture = (): CommandIo & { lines: string[]; errors: string[] } => {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
};

describe('wf validate', () => {
  it('prints zh then en for each finding and exits 1 on an error', async () => {
    const io = capture();
    const code = await validateCommand([join(ROOT, 'test/fixtures/lint/unknown-guard')], io);
    expect(code).toBe(1);
    const text = io.lines.join('\n');
    expect(text).toContain('workflow.json:/machine/states/open/on/GO/guard: 错误: 守卫 "isValuabel" 未在 guards 中声明，您是不是要写 "isValuable"？ [unknown-guard]');
    expect(text).toContain('    Guard "isValuabel" is not declared in guards. Did you mean "isValuable"?');
  });

  it('exits 0 when there are only warnings, and 2 on bad usage', async () => {
    expect(await validateCommand([join(ROOT, 'workflows/lost-and-found')], capture())).toBe(0);
    expect(await validateCommand([], capture())).toBe(2);
    expect(await validateCommand(['--locale', 'fr', 'x'], capture())).toBe(2);
  });

  it('reports a missing path as an error', async () => {
    const io = capture();
    expect(await validateCommand(['--locale', 'en', join(ROOT, 'no/such/bundle')], io)).toBe(1);
    expect(io.lines[0]).toContain('No such file or folder');
  });
});

describe('wf schema', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes every schema, with common, and a VS Code snippet', async () => {
    const out = await mkdtemp(join(tmpdir(), 'wf-schema-'));
    dirs.push(out);
    const io = capture();
    expect(await schemaCommand(['--out', out], io)).toBe(0);
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(['common.schema.json', 'workflow.schema.json', 'form.schema.json', 'bundle.schema.json']));
    const workflow = JSON.parse(await readFile(join(out, 'workflow.schema.json'), 'utf8')) as { $id: string };
    expect(workflow.$id).toBe('https://estateflow.dev/schemas/workflow.schema.json');
    expect(io.lines.join('\n')).toContain('"json.schemas"');
  });

  it('prints one kind, and refuses an unknown one', async () => {
    const io = capture();
    expect(await schemaCommand(['form'], io)).toBe(0);
    expect((JSON.parse(io.lines.join('\n')) as { title: string }).title).toContain('Form definition');
    expect(await schemaCommand(['forms'], capture())).toBe(2);
  });
});
