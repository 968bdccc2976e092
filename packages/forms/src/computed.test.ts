import { describe, expect, it } from 'vitest';
import { checkForm, compileForm } from './compile-form.ts';
import { renderModel } from './render-model.ts';
import { validateFormData } from './validate.ts';
import type { FormDefinition } from './form-definition.ts';
import { compileDataSchema } from '@estateflow/definitions';

const t = (zh: string, en: string) => ({ zh, en });

/** A parking lease: months typed, the fee computed (months × the estate's monthly rate), a read-only channel and a hidden source. */
const lease = {
  kind: 'form',
  id: 'lease',
  title: t('车位租赁', 'Parking lease'),
  schema: {
    type: 'object',
    properties: {
      months: { type: 'integer', minimum: 1, maximum: 24 },
      feeFen: { type: 'integer', minimum: 0, 'x-computed': 'data.months * params.monthlyRateFen' },
      channel: { type: 'string', readOnly: true, default: 'counter' },
      source: { type: 'string', 'x-hidden': true, default: 'designer' },
      vehicles: {
        type: 'array',
        maxItems: 3,
        minItems: 1,
        items: { type: 'object', properties: { plate: { type: 'string', maxLength: 8 }, colour: { type: 'string', maxLength: 10 } }, required: ['plate'] },
      },
    },
    required: ['months', 'feeFen', 'vehicles'],
  },
  layout: {
    sections: [{
      id: 'main',
      title: t('申请', 'Application'),
      fields: [
        { field: 'months', widget: 'number', label: t('租期（月）', 'Months'), help: { zh: '1 到 24 个月' } },
        { field: 'feeFen', widget: 'money', label: t('租金', 'Fee') },
        { field: 'channel', widget: 'text', label: t('渠道', 'Channel') },
        { field: 'source', widget: 'text', label: t('来源', 'Source') },
        {
          field: 'vehicles',
          widget: 'group',
          label: t('车辆', 'Vehicles'),
          columns: [
            { field: 'plate', widget: 'text', label: t('车牌', 'Plate') },
            { field: 'colour', widget: 'text', label: t('颜色', 'Colour'), placeholder: { en: 'e.g. white' } },
          ],
        },
      ],
    }],
  },
} as const satisfies FormDefinition;

const params = { monthlyRateFen: 30000 };

describe('computed, read-only and hidden fields', () => {
  const compiled = compileForm(lease);

  it('computes the fee on submit and ignores the fee, channel and source the filler sent', () => {
    const r = validateFormData(compiled, { months: 6, feeFen: 1, channel: 'app', source: 'hacked', vehicles: [{ plate: '京A12345' }] }, { params });
    expect(r).toEqual({ ok: true, data: { months: 6, feeFen: 180000, channel: 'counter', source: 'designer', vehicles: [{ plate: '京A12345' }] } });
  });

  it('says a required computed field cannot be computed until the fields it reads are filled, at the field', () => {
    const r = validateFormData(compiled, { vehicles: [{ plate: '京A12345' }] }, { params });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const fee = r.errors.find((e) => e.field === '/feeFen');
    expect(fee?.keyword).toBe('computed');
    expect(fee?.message.zh).toMatch(/^租金：无法计算/);
    expect(r.errors.map((e) => e.field)).toContain('/months');
  });

  it('checks the computed value against the field’s own schema', () => {
    const r = validateFormData(compiled, { months: 6, vehicles: [{ plate: 'x' }] }, { params: { monthlyRateFen: -1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => [e.field, e.keyword])).toEqual([['/feeFen', 'minimum']]);
  });

  it('validates each row of a repeatable group, naming the row', () => {
    const r = validateFormData(compiled, { months: 1, vehicles: [{ plate: '京A12345' }, { colour: '白' }] }, { params });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => [e.field, e.message.zh])).toEqual([['/vehicles/1/plate', '车辆 第 2 行 车牌：必填项']]);
  });

  it('renders the computed value live, help falling back to the language that was filled', () => {
    const en = renderModel(compiled, { locale: 'en', data: { months: 2 }, params });
    const [months, fee] = en.sections[0]!.fields;
    expect(months!.help).toBe('1 到 24 个月');
    expect(fee!.value).toBe(60000);
    expect(fee!.display).toBe('600.00');
    expect(fee!.readOnly).toBe(true);
    expect(en.sections[0]!.fields.find((f) => f.field === 'source')!.hidden).toBe(true);
    expect(en.sections[0]!.fields.find((f) => f.field === 'vehicles')!.columns!.map((c) => c.label)).toEqual(['Plate', 'Colour']);
  });
});

describe('form checks for the new keywords', () => {
  it('lets the definitions’ strict data-schema compiler accept the form’s own keywords', () => {
    expect(() => compileDataSchema(lease.schema)).not.toThrow();
  });

  it('points at a computed expression that does not compile', () => {
    const bad = structuredClone(lease) as unknown as FormDefinition;
    (bad.schema!.properties!['feeFen'] as Record<string, unknown>)['x-computed'] = 'data.months *';
    expect(checkForm(bad).map((i) => [i.reason, i.pointer])).toEqual([['bad-expression', '/schema/properties/feeFen/x-computed']]);
  });

  it('refuses computed fields inside a group’s items, and a group whose columns are not its item fields', () => {
    const bad = structuredClone(lease) as unknown as FormDefinition;
    const items = (bad.schema!.properties!['vehicles'] as { items: { properties: Record<string, Record<string, unknown>> } }).items;
    items.properties['plate']!['x-computed'] = '"x"';
    items.properties['year'] = { type: 'integer' };
    expect(checkForm(bad).map((i) => i.pointer)).toEqual(['/layout/sections/0/fields/4/columns', '/schema/properties/vehicles/items/properties/plate/x-computed']);
  });
});
