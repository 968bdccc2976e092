import { describe, expect, it } from 'vitest';
import { compileForm, renderModel, validateFormData, WIDGETS, type RenderField } from './index.ts';
import { repairForm } from './test-fixtures.ts';

const compiled = compileForm(repairForm);
const now = new Date('2026-03-01T02:00:00Z');

function fieldsOf(model: ReturnType<typeof renderModel>): Map<string, RenderField> {
  return new Map(model.sections.flatMap((s) => s.fields).map((f) => [f.field, f]));
}

describe('renderModel', () => {
  it('lists sections and fields in layout order with texts in the locale', () => {
    const zh = renderModel(compiled, { locale: 'zh-CN', data: {}, now });
    expect(zh.title).toBe('报修登记');
    expect(zh.sections.map((s) => s.id)).toEqual(['who', 'fault', 'work', 'close']);
    expect(zh.sections[0]?.fields.map((f) => f.field)).toEqual(['name', 'phone', 'unit']);
    const en = renderModel(compiled, { locale: 'en', data: {}, now });
    expect(en.description).toBe('A resident reports a fault');
    const name = fieldsOf(en).get('name');
    expect(name).toMatchObject({ label: 'Name', placeholder: 'Your name', pointer: '/name', widget: 'text', required: true, visible: true, enabled: true, value: null });
  });

  it('covers every widget kind the definition language has', () => {
    const widgets = new Set(renderModel(compiled, { locale: 'en', now }).sections.flatMap((s) => s.fields.map((f) => f.widget)));
    const unused = WIDGETS.filter((w) => !widgets.has(w));
    expect(unused).toEqual([]);
  });

  it('resolves options, help, rows, accept and constraints', () => {
    const f = fieldsOf(renderModel(compiled, { locale: 'en', now }));
    expect(f.get('category')?.options).toEqual([{ value: 'leak', label: 'Leak' }, { value: 'power', label: 'Power' }, { value: 'other', label: 'Other' }]);
    expect(f.get('notes')).toMatchObject({ help: 'As much detail as you can', rows: 4, constraints: { type: 'string', maxLength: 2000 } });
    expect(f.get('photos')).toMatchObject({ accept: ['image/*'], maxFiles: 5, constraints: { type: 'array', maxItems: 5 } });
    expect(f.get('rating')).toMatchObject({ max: 5, constraints: { minimum: 1, maximum: 5 } });
    expect(f.get('items')?.constraints.items).toMatchObject({ type: 'object', properties: { qty: { type: 'integer', minimum: 1, title: '数量' } } });
  });

  it('applies visibility, enabling and requiredWhen rules to the current data', () => {
    const resident = fieldsOf(renderModel(compiled, { locale: 'zh', data: { category: 'power' }, actor: { role: 'resident' }, now }));
    expect(resident.get('leakSource')).toMatchObject({ visible: false, required: false });
    expect(resident.get('feeFen')?.visible).toBe(false);
    const leak = fieldsOf(renderModel(compiled, { locale: 'zh', data: { category: 'leak' }, actor: { role: 'technician' }, params: { notesOn: true }, now }));
    expect(leak.get('leakSource')).toMatchObject({ visible: true, required: true });
    expect(leak.get('internalNote')).toMatchObject({ visible: true, enabled: true });
    const noNotes = fieldsOf(renderModel(compiled, { locale: 'zh', data: {}, actor: { role: 'technician' }, now }));
    expect(noNotes.get('internalNote')).toMatchObject({ visible: true, enabled: false, required: false });
  });

  it('marks a whole section invisible when its rule is false', () => {
    const m = renderModel(compiled, { locale: 'en', data: {}, actor: { role: 'resident' }, now });
    expect(m.sections.find((s) => s.id === 'work')?.visible).toBe(false);
  });

  it('shows money values in yuan next to the fen value', () => {
    const f = fieldsOf(renderModel(compiled, { locale: 'zh', data: { feeFen: 12345 }, actor: { role: 'technician' }, now }));
    expect(f.get('feeFen')).toMatchObject({ value: 12345, display: '123.45' });
  });

  it('attaches validation messages to their fields in the locale', () => {
    const data = { name: '', category: 'leak', items: [{ part: 'p', qty: 0 }] };
    const r = validateFormData(compiled, data, { actor: { role: 'technician' }, now });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    const f = fieldsOf(renderModel(compiled, { locale: 'en', data, errors, actor: { role: 'technician' }, now }));
    expect(f.get('name')?.errors).toEqual(['Please enter the reporter’s name']);
    expect(f.get('leakSource')?.errors).toEqual(['Leak source: this field is required']);
    expect(f.get('items')?.errors).toEqual(['Parts, row 1, Qty: must be at least 1']);
    expect(f.get('phone')?.errors).toEqual(['Phone: this field is required']);
  });

  it('ignores hostile data instead of rendering it', () => {
    const data = JSON.parse('{"__proto__":{"x":1},"name":"a","constructor":"b"}') as unknown;
    const f = fieldsOf(renderModel(compiled, { locale: 'zh', data, now }));
    expect(f.get('name')?.value).toBe('a');
    expect(renderModel(compiled, { locale: 'zh', data: 'not an object', now }).sections[0]?.fields[0]?.value).toBeNull();
  });

  it('evaluates rules without now when they do not read it', () => {
    expect(() => renderModel(compiled, { locale: 'en', data: { rating: 1 } })).not.toThrow();
    expect(fieldsOf(renderModel(compiled, { locale: 'en', data: { rating: 1 } })).get('agree')?.required).toBe(true);
  });
});
