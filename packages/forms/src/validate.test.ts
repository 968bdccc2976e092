import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileForm, DEFAULT_MAX_STRING_LENGTH, INPUT_LIMITS, validateFormData, type FieldError } from './index.ts';
import { repairForm } from './test-fixtures.ts';

const compiled = compileForm(repairForm);
const now = new Date('2026-03-01T02:00:00Z');
const base = { name: '王芳', phone: '13812345678', category: 'power' };
const tech = { actor: { id: 't1', role: 'technician' }, now };

function errorsOf(data: unknown, opts = {}): FieldError[] {
  const r = validateFormData(compiled, data, { now, ...opts });
  return r.ok ? [] : r.errors;
}

describe('validateFormData', () => {
  it('accepts valid data and returns its filled fields', () => {
    const r = validateFormData(compiled, { ...base, notes: '' }, { now });
    expect(r).toEqual({ ok: true, data: base });
  });

  it('refuses keys the form does not declare, naming each by its pointer (zh/en)', () => {
    const r = validateFormData(compiled, { ...base, extra: 'x'.repeat(5_000_000), 'a/b': 1 }, { now });
    expect(r).toEqual({
      ok: false,
      errors: [
        { field: '/extra', keyword: 'additionalProperties', message: { zh: '“/extra”：表单中没有这个字段', en: '"/extra": the form has no such field' } },
        { field: '/a~1b', keyword: 'additionalProperties', message: { zh: '“/a~1b”：表单中没有这个字段', en: '"/a~1b": the form has no such field' } },
      ],
    });
  });

  it('requires the required fields with the form’s custom message or a default naming the label', () => {
    const errors = errorsOf({});
    expect(errors.map((e) => e.field)).toEqual(['/name', '/category', '/phone']);
    expect(errors[0]).toEqual({ field: '/name', keyword: 'required', message: { zh: '请填写报修人姓名', en: 'Please enter the reporter’s name' } });
    expect(errors[2]?.message).toEqual({ zh: '电话：必填项', en: 'Phone: this field is required' });
  });

  it('treats blank strings as not filled', () => {
    expect(errorsOf({ ...base, name: '   ' }).map((e) => e.keyword)).toEqual(['required']);
  });

  it('explains length, format and range errors in both languages', () => {
    const errors = errorsOf({ ...base, name: 'x'.repeat(51), preferredDate: '2026-13-45', people: 0, appointmentAt: 'soon' });
    const by = Object.fromEntries(errors.map((e) => [e.field, e]));
    expect(by['/name']?.message).toEqual({ zh: '姓名：最多 50 个字符', en: 'Name: at most 50 characters' });
    expect(by['/preferredDate']?.message.zh).toBe('希望日期：应为日期（如 2026-03-01）');
    expect(by['/people']?.message.en).toBe('People at home: must be at least 1');
    expect(by['/appointmentAt']?.keyword).toBe('format');
  });

  it('accepts a zoned instant for date-time and a time of day for time', () => {
    expect(errorsOf({ ...base, appointmentAt: '2026-03-01T10:00:00+08:00', preferredDate: '2026-02-28' })).toEqual([]);
    expect(errorsOf({ ...base, appointmentAt: '2026-03-01T10:00' })[0]?.message.en).toContain('with offset');
    const timed = compileForm({
      kind: 'form', id: 'timed', title: { zh: '时间', en: 'Time' },
      schema: { type: 'object', properties: { at: { type: 'string', format: 'time' } } },
      layout: { sections: [{ id: 's', title: { zh: '时间', en: 'Time' }, fields: [{ field: 'at', widget: 'text', label: { zh: '时间', en: 'Time' } }] }] },
    });
    expect(validateFormData(timed, { at: '17:30' }).ok).toBe(true);
    expect(validateFormData(timed, { at: '17:30:15' }).ok).toBe(true);
    expect(validateFormData(timed, { at: '24:00' })).toMatchObject({ ok: false, errors: [{ field: '/at', keyword: 'format', message: { zh: '时间：应为时间（如 17:30）' } }] });
  });

  it('checks select, radio and checklist values against their options', () => {
    const errors = errorsOf({ ...base, category: 'fire', urgency: 'meh', steps: ['lamp', 'nope'] }, tech);
    expect(errors.map((e) => [e.field, e.keyword])).toEqual([['/category', 'enum'], ['/urgency', 'enum'], ['/steps/1', 'enum']]);
    expect(errors[0]?.message.en).toBe('Category: choose one of the options');
  });

  it('rejects duplicate checklist entries', () => {
    expect(errorsOf({ ...base, steps: ['lamp', 'lamp'] }, tech)[0]?.keyword).toBe('uniqueItems');
  });

  it('requires money in whole fen and prints limits in yuan', () => {
    const [fraction] = errorsOf({ ...base, feeFen: 12.5 }, tech);
    expect(fraction?.message).toEqual({ zh: '费用：金额须为整数（单位：分）', en: 'Fee: must be a whole number of fen' });
    const [tooMuch] = errorsOf({ ...base, feeFen: 2_000_000 }, tech);
    expect(tooMuch?.message).toEqual({ zh: '费用：不能大于 10000.00 元', en: 'Fee: must be at most ¥10000.00' });
    const [tooLittle] = errorsOf({ ...base, feeFen: 50 }, tech);
    expect(tooLittle?.message).toEqual({ zh: '费用至少 1 元', en: 'The fee is at least 1 yuan' });
  });

  it('bounds a money field without its own maximum at MAX_AMOUNT_FEN (1 亿元), so totals stay exact', () => {
    const form = structuredClone(repairForm);
    (form.schema!.properties as Record<string, unknown>)['feeFen'] = { type: 'integer' };
    const open = compileForm(form);
    const r = validateFormData(open, { ...base, feeFen: 10_000_000_001 }, tech);
    const [tooMuch] = r.ok ? [] : r.errors;
    expect(tooMuch).toEqual({ field: '/feeFen', keyword: 'maximum', message: { zh: '费用：不能大于 100000000.00 元', en: 'Fee: must be at most ¥100000000.00' } });
    expect(validateFormData(open, { ...base, feeFen: -10_000_000_001 }, tech).ok).toBe(false);
    expect(validateFormData(open, { ...base, feeFen: 10_000_000_000 }, tech).ok).toBe(true);
  });

  it('validates a field whose pattern stalls a backtracking engine against 45 and 1,000 characters (linear-time engine)', () => {
    const form = structuredClone(repairForm);
    (form.schema!.properties as Record<string, unknown>)['name'] = { type: 'string', maxLength: 2_000, pattern: '^a*a*a*a*a*a*a*a*$' };
    const stalling = compileForm(form);
    for (const n of [45, 1_000]) {
      const r = validateFormData(stalling, { ...base, name: `${'a'.repeat(n)}!` }, { now });
      expect(r.ok ? [] : r.errors.map((e) => [e.field, e.keyword]), `${n}`).toEqual([['/name', 'pattern']]);
      expect(validateFormData(stalling, { ...base, name: 'a'.repeat(n) }, { now }).ok).toBe(true);
    }
  });

  it('checks the phone widget with the default pattern', () => {
    expect(errorsOf({ ...base, phone: 'call me' })[0]).toMatchObject({ field: '/phone', keyword: 'pattern' });
    expect(errorsOf({ ...base, phone: '+86 138-1234-5678' })).toEqual([]);
  });

  it('caps the rating at the widget max', () => {
    expect(errorsOf({ ...base, rating: 6 })[0]).toMatchObject({ field: '/rating', keyword: 'maximum' });
  });

  it('makes a field required when its requiredWhen is true', () => {
    expect(errorsOf({ ...base, category: 'leak' })[0]).toMatchObject({ field: '/leakSource', keyword: 'required' });
    expect(errorsOf({ ...base, category: 'leak', leakSource: '厨房' })).toEqual([]);
  });

  it('requires a required checkbox to be ticked', () => {
    expect(errorsOf({ ...base, rating: 1, agree: false })[0]).toMatchObject({ field: '/agree', keyword: 'required' });
    expect(errorsOf({ ...base, rating: 1, agree: true })).toEqual([]);
    expect(errorsOf({ ...base, rating: 4, agree: false })).toEqual([]);
  });

  it('neither requires nor keeps hidden fields', () => {
    const r = validateFormData(compiled, { ...base, leakSource: 'x'.repeat(500), feeFen: 1.5 }, { now, actor: { role: 'resident' } });
    expect(r).toEqual({ ok: true, data: base });
  });

  it('keeps fields of a section visible to the actor', () => {
    const r = validateFormData(compiled, { ...base, feeFen: 12_345 }, tech);
    expect(r).toEqual({ ok: true, data: { ...base, feeFen: 12_345 } });
  });

  it('points into lists of records and names the row', () => {
    const errors = errorsOf({ ...base, items: [{ part: '阀门', qty: 1 }, { part: '垫圈', qty: 0 }, { qty: 2 }] }, tech);
    expect(errors.map((e) => e.field)).toEqual(['/items/1/qty', '/items/2/part']);
    expect(errors[0]?.message).toEqual({ zh: '配件 第 2 行 数量：不能小于 1', en: 'Parts, row 2, Qty: must be at least 1' });
    expect(errors[1]?.keyword).toBe('required');
  });

  it('refuses undeclared keys inside the records of a list', () => {
    expect(errorsOf({ ...base, items: [{ part: 'a', qty: 1 }, { part: 'a', qty: 1, hack: true }] }, tech)).toEqual([
      expect.objectContaining({ field: '/items/1/hack', keyword: 'additionalProperties' }),
    ]);
  });

  it('reports wrong types without echoing the value', () => {
    expect(errorsOf({ ...base, people: '3' })[0]).toMatchObject({ field: '/people', keyword: 'type', message: { zh: '在家人数：应为整数' } });
    expect(errorsOf({ ...base, name: { nested: { deep: 1 } } })[0]).toMatchObject({ field: '/name', keyword: 'type' });
  });

  it('rejects data that is not an object', () => {
    for (const bad of [null, 'x', 42, [base]]) expect(errorsOf(bad)[0]).toMatchObject({ field: '', keyword: 'type' });
  });
});

describe('validateFormData with hostile data', () => {
  it('caps strings without a declared maxLength', () => {
    const [e] = errorsOf({ ...base, signature: undefined, unit: undefined, notes: undefined, leakSource: undefined, category: 'x'.repeat(1_000_000) });
    expect(e?.field).toBe('/category');
    const r = validateFormData(compileForm(repairForm), { ...base, steps: ['y'.repeat(DEFAULT_MAX_STRING_LENGTH + 1)] }, tech);
    expect(r.ok).toBe(false);
  });

  it('refuses __proto__ and constructor keys as undeclared and pollutes nothing', () => {
    const hostile = JSON.parse('{"name":"a","phone":"13812345678","category":"power","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"items":[{"part":"p","qty":1,"__proto__":{"admin":true}}]}') as unknown;
    const r = validateFormData(compiled, hostile, tech);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['/__proto__', '/constructor', '/items/0/__proto__']);
    const clean = validateFormData(compiled, JSON.parse('{"name":"a","phone":"13812345678","category":"power","items":[{"part":"p","qty":1}]}') as unknown, tech);
    expect(clean.ok && Object.getPrototypeOf(clean.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('cuts huge lists at maxItems + 1 and reports maxItems', () => {
    const errors = errorsOf({ ...base, photos: Array.from({ length: 1_000_000 }, () => 'p') });
    expect(errors).toEqual([expect.objectContaining({ field: '/photos', keyword: 'maxItems' })]);
  });

  it('refuses oversized values with one size error', () => {
    const bulk = compileForm({
      kind: 'form', id: 'bulk', title: { zh: '批量', en: 'Bulk' },
      schema: { type: 'object', properties: { rows: { type: 'array', maxItems: 10_000, items: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } } } } } },
      layout: { sections: [{ id: 's', title: { zh: '行', en: 'Rows' }, fields: [{ field: 'rows', widget: 'text', label: { zh: '行', en: 'Rows' } }] }] },
    });
    const rows = Array.from({ length: INPUT_LIMITS.maxValues }, (_, i) => ({ a: i, b: i }));
    const r = validateFormData(bulk, { rows });
    expect(r).toEqual({ ok: false, errors: [{ field: '', keyword: 'size', message: { zh: '表单数据：数据过大或嵌套过深', en: 'Form data: is too large or nested too deeply' } }] });
    expect(validateFormData(bulk, { rows: rows.slice(0, 100) }).ok).toBe(true);
  });

  it('never throws and always answers with pointers for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('name', 'phone', 'category', 'items', 'feeFen', 'steps', '__proto__', 'x'), fc.jsonValue()), (data) => {
        const r = validateFormData(compiled, data, tech);
        return r.ok || r.errors.every((e) => typeof e.field === 'string' && e.message.zh.length > 0 && e.message.en.length > 0);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent: accepted data validates again to itself', () => {
    const arbitraryData = fc.record(
      {
        name: fc.string({ maxLength: 60 }),
        phone: fc.constantFrom('13812345678', '+86 21 5555 1234', 'x'),
        category: fc.constantFrom('leak', 'power', 'other', 'fire'),
        leakSource: fc.string({ maxLength: 5 }),
        feeFen: fc.integer({ min: 0, max: 2_000_000 }),
        rating: fc.integer({ min: 0, max: 6 }),
        agree: fc.boolean(),
        steps: fc.uniqueArray(fc.constantFrom('lamp', 'switch'), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arbitraryData, fc.constantFrom('technician', 'resident'), (data, role) => {
        const opts = { actor: { id: 'a', role }, now };
        const first = validateFormData(compiled, data, opts);
        if (!first.ok) return true;
        expect(validateFormData(compiled, first.data, opts)).toEqual(first);
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
