import { describe, expect, it } from 'vitest';
import { checkForm, compileForm, FormDefinitionError, type FormDefinition } from './index.ts';
import { repairForm } from './test-fixtures.ts';

function variant(patch: (f: FormDefinition & Record<string, unknown>) => void): FormDefinition {
  const copy = structuredClone(repairForm) as unknown as FormDefinition & Record<string, unknown>;
  patch(copy);
  return copy;
}

describe('compileForm', () => {
  it('compiles once per form object and once per id and content', () => {
    const a = compileForm(repairForm);
    expect(compileForm(repairForm)).toBe(a);
    expect(compileForm(structuredClone(repairForm) as unknown as FormDefinition)).toBe(a);
    const changed = variant((f) => { (f as { title: unknown }).title = { zh: '改', en: 'Changed' }; });
    expect(compileForm(changed)).not.toBe(a);
  });

  it('lists every layout field with its compiled rules', () => {
    const c = compileForm(repairForm);
    expect(c.fields.size).toBe(20);
    expect(c.fields.get('leakSource')?.rules.visible?.source).toBe('data.category == "leak"');
    expect(c.sections[2]?.visible?.source).toBe('actor.role == "technician"');
  });

  it('validates money as integer fen and options as an enum', () => {
    const c = compileForm(repairForm);
    expect(c.prepared['feeFen']).toMatchObject({ type: 'integer' });
    expect(c.prepared['category']).toMatchObject({ enum: ['leak', 'power', 'other'] });
    expect(c.prepared['steps']).toMatchObject({ items: { enum: ['lamp', 'switch'] } });
    expect(c.prepared['rating']).toMatchObject({ maximum: 5 });
  });

  it('does not change the definition it compiles', () => {
    const copy = structuredClone(repairForm);
    compileForm(copy as unknown as FormDefinition);
    expect(copy).toEqual(repairForm);
  });

  it('names a layout field missing from the schema with its JSON pointer', () => {
    const bad = variant((f) => { (f.layout.sections[0]!.fields as unknown as { field: string }[])[1]!.field = 'phon'; });
    const issues = checkForm(bad);
    expect(issues[0]).toMatchObject({ reason: 'unknown-field', pointer: '/layout/sections/0/fields/1/field' });
    expect(() => compileForm(bad)).toThrow(FormDefinitionError);
  });

  it('rejects a rule that is not a boolean CEL expression, in both languages', () => {
    const bad = variant((f) => { (f.layout.sections[1]!.fields as unknown as Record<string, unknown>[])[1]!['visibleWhen'] = 'data.category + 1'; });
    const [issue] = checkForm(bad);
    expect(issue?.reason).toBe('bad-expression');
    expect(issue?.pointer).toBe('/layout/sections/1/fields/1/visibleWhen');
    expect(issue?.message.zh).toContain('规则表达式有误');
    try {
      compileForm(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FormDefinitionError);
      expect((e as FormDefinitionError).zh).toContain('rp-intake');
    }
  });

  it('rejects rules that read workflow variables', () => {
    const bad = variant((f) => { (f.layout.sections[1]!.fields as unknown as Record<string, unknown>[])[1]!['visibleWhen'] = 'context.x == 1'; });
    expect(checkForm(bad)[0]?.exprIssues?.[0]?.reason).toBe('unknown-variable');
  });

  it('rejects a money widget on a string field and a field placed twice', () => {
    const bad = variant((f) => {
      const fields = f.layout.sections[0]!.fields as unknown as Record<string, unknown>[];
      fields[0]!['widget'] = 'money';
      fields.push({ field: 'phone', widget: 'phone', label: { zh: '电话', en: 'Phone' } });
    });
    expect(checkForm(bad).map((i) => i.reason)).toEqual(['widget-mismatch', 'duplicate-field']);
  });

  it('reports a schema ajv strict mode refuses', () => {
    const bad = variant((f) => { (f.schema.properties as Record<string, unknown>)['name'] = { type: 'string', maxLength: 5, minimum: 3 }; });
    expect(checkForm(bad)[0]?.reason).toBe('bad-schema');
  });

  it('reports a pattern the linear-time engine cannot compile at its JSON pointer, in zh and en', () => {
    const bad = variant((f) => { (f.schema.properties as Record<string, unknown>)['name'] = { type: 'string', maxLength: 20, pattern: '^(?!admin)[a-z]+$' }; });
    const [issue] = checkForm(bad);
    expect(issue).toMatchObject({ reason: 'bad-schema', pointer: '/schema/properties/name/pattern' });
    expect(issue?.message.zh).toMatch(/前后断言/);
    expect(issue?.message.en).toMatch(/lookaround/);
    expect(() => compileForm(bad)).toThrow(FormDefinitionError);
  });

  it('accepts the fixture as valid', () => {
    expect(checkForm(repairForm)).toEqual([]);
  });
});
