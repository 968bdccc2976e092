import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR, SCHEMAS_DIR, recursiveDefs, renderAll } from '../scripts/gen-types.ts';

describe('generated types', () => {
  it('are up to date with schemas/ (run `pnpm --filter @estateflow/definitions gen` after changing a schema)', () => {
    const expected = renderAll();
    const onDisk = new Map(readdirSync(GENERATED_DIR).map((f) => [f, readFileSync(join(GENERATED_DIR, f), 'utf8')]));
    expect([...onDisk.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [file, text] of expected) expect(onDisk.get(file), `src/generated/${file} is stale`).toBe(text);
  });

  it('cover every *.schema.json in schemas/', () => {
    const kinds = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')).map((f) => `${f.slice(0, -'.schema.json'.length)}.ts`);
    expect([...renderAll().keys()]).toEqual(expect.arrayContaining(kinds));
  });

  it('unroll the recursive state node of the workflow schema', () => {
    const workflow = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'workflow.schema.json'), 'utf8')) as { $defs: Record<string, never> };
    expect(recursiveDefs(workflow)).toEqual(['StateNode']);
    expect(renderAll().get('workflow.ts')).toContain('type WorkflowStateNodeDepth4 = FromSchema<WorkflowStateNodeView');
  });
});
