import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { definitionDrafts, definitionVersions } from '@estateflow/db';
import { patternsCommand, patternsInDatabase, type CommandIo } from '@estateflow/cli';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// Every user-supplied pattern runs on re2js (linear time). Patterns RE2 lacks are refused with
// their JSON path on validate and publish, and the ones published before the engine changed are
// listed by `wf patterns --database` (read here through patternsInDatabase).
const form = (pattern: string, id = 'pattern-probe') => ({
  kind: 'form',
  id,
  title: { zh: '模式', en: 'Pattern' },
  schema: { type: 'object', properties: { code: { type: 'string', maxLength: 1_000, pattern } } },
  layout: { sections: [{ id: 'main', title: { zh: '主要', en: 'Main' }, fields: [{ field: 'code', widget: 'text', label: { zh: '编号', en: 'Code' } }] }] },
});

const capture = (): CommandIo & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) };
};

describe('wf patterns over files', () => {
  it('lists each refused pattern with its path and how to fix it, and exits 1; the catalogue has none', async () => {
    const io = capture();
    expect(await patternsCommand([join(import.meta.dirname, '../fixtures/lint/unsupported-pattern')], io)).toBe(1);
    const text = io.lines.join('\n');
    expect(text).toContain('forms/f-start.form.json:/schema/properties/note/pattern: 正则表达式不能使用前后断言');
    expect(text).toContain('forms/f-start.form.json:/schema/properties/code/pattern: 正则表达式不能使用反向引用');
    expect(text).toContain('workflow.json:/guards/noteOk');
    expect(text).toContain('Fix: rewrite each pattern');
    expect(await patternsCommand([join(import.meta.dirname, '../../workflows')], capture())).toBe(0);
    expect(await patternsCommand([], capture())).toBe(2);
  });
});

withDatabases((kind, getDb) => {
  let w: World;
  const admin = () => w.own.admin;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  it(`refuses a lookaround or back-reference pattern on validate and publish with its JSON path in zh and en, on ${kind}`, async () => {
    const estateId = w.own.estateId;
    const validated = await admin().call('POST', '/api/definitions/validate', { estateId, document: form('^(?!admin)[a-z]+$') });
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    const issue = validated.body.issues.find((i: { path: string }) => i.path === '/schema/properties/code/pattern');
    expect(issue?.message.zh).toMatch(/前后断言/);
    expect(issue?.message.en).toMatch(/lookaround/);
    const published = await admin().call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'pattern-probe', changeNote: 'x', document: form('(a)\\1') });
    expect(published.status).toBe(422);
    expect(published.body.error.path).toBe('/schema/properties/code/pattern');
    expect(published.body.error.message.en).toMatch(/back-references/);
    const versions = await admin().call('GET', `/api/definitions/versions?estateId=${estateId}&kind=form&key=pattern-probe`);
    expect(versions.body.items ?? []).toEqual([]);
  });

  it(`publishes a pattern that stalls a backtracking engine and answers a 45- and 1,000-character value, on ${kind}`, async () => {
    const estateId = w.own.estateId;
    const published = await admin().call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'stall-probe', changeNote: 'x', document: form('^a*a*a*a*a*a*a*a*$', 'stall-probe') });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    for (const n of [45, 1_000]) {
      const refused = await admin().call('POST', '/api/forms/stall-probe/validate', { estateId, data: { code: `${'a'.repeat(n - 1)}!` } });
      expect(refused.status).toBe(200);
      expect(refused.body.ok).toBe(false);
      expect(refused.body.errors.map((e: { field: string; keyword: string }) => [e.field, e.keyword])).toEqual([['/code', 'pattern']]);
      const accepted = await admin().call('POST', '/api/forms/stall-probe/validate', { estateId, data: { code: 'a'.repeat(n) } });
      expect(accepted.body.ok).toBe(true);
    }
  });

  it(`lists the published versions and drafts the engine refuses, with company, estate, version and path, on ${kind}`, async () => {
    const db = getDb();
    const { tenantId, estateId } = w.own;
    // versions published before the engine changed: written as the old code stored them
    await db.insert(definitionVersions).values([
      { tenantId, id: randomUUID(), estateId, kind: 'form', key: 'legacy-code', version: 1, document: form('^(?=.*[0-9])[A-Z0-9]{6}$', 'legacy-code'), changeNote: 'old engine' },
      { tenantId, id: randomUUID(), estateId, kind: 'form', key: 'legacy-ok', version: 1, document: form('^[A-Z0-9]{6}$', 'legacy-ok'), changeNote: 'old engine' },
    ]);
    await db.insert(definitionDrafts).values({ tenantId, estateId, kind: 'form', key: 'legacy-draft', document: form('(x)\\1', 'legacy-draft') });
    const sites = await patternsInDatabase(db);
    const mine = sites.filter((s) => s.where.includes('legacy'));
    expect(mine.map((s) => [s.where.replace(/^.* \/ .* \/ /, ''), s.pointer])).toEqual([
      ['form legacy-code v1', '/schema/properties/code/pattern'],
      ['form legacy-draft draft 草稿', '/schema/properties/code/pattern'],
    ]);
    expect(mine[0]!.message.en).toMatch(/lookaround/);
    expect(mine[1]!.message.zh).toMatch(/反向引用/);
  });
});
