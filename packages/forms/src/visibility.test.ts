import { describe, expect, it } from 'vitest';
import { compileForm, humanise, isVisible, renderModel, visibleFields, type FormDefinition } from './index.ts';

const T = (zh: string, en: string) => ({ zh, en });
const quote: FormDefinition = {
  kind: 'form', id: 'quote', title: T('报价', 'Quote'),
  schema: { type: 'object', properties: { priceFen: { type: 'integer' }, decision: { type: 'string', enum: ['accept', 'decline'] }, note: { type: 'string', maxLength: 200 }, audit: { type: 'string', maxLength: 200 } } },
  layout: {
    sections: [
      {
        id: 'main', title: T('报价', 'Quote'),
        fields: [
          { field: 'priceFen', widget: 'money', label: T('价格', 'Price'), visibility: 'internal' },
          { field: 'decision', widget: 'radio', label: T('业主意见', 'Decision'), options: [{ value: 'accept', label: T('接受（{{params.days}} 天内开工）', 'Accept (work within {{params.days}} days)') }, { value: 'decline', label: T('拒绝', 'Decline') }] },
          { field: 'note', widget: 'text', label: T('备注', 'Note'), visibility: { roles: ['finance', 'cs_manager'] } },
        ],
      },
      { id: 'office', title: T('内部', 'Office'), visibility: 'internal', fields: [{ field: 'audit', widget: 'text', label: T('审核', 'Audit'), help: T('{{params.days}} 天内审核', 'Audited within {{params.days}} days') }] },
    ],
  },
};

describe('who sees a field', () => {
  it('public to all, internal to staff only, named roles to those roles; admins see everything', () => {
    expect(isVisible({}, 'resident')).toBe(true);
    expect(isVisible({ visibility: 'public' }, 'resident')).toBe(true);
    expect(isVisible({ visibility: 'internal' }, 'resident')).toBe(false);
    expect(isVisible({ visibility: 'internal' }, 'technician')).toBe(true);
    expect(isVisible({ visibility: { roles: ['finance'] } }, 'technician')).toBe(false);
    expect(isVisible({ visibility: { roles: ['finance'] } }, ['technician', 'finance'])).toBe(true);
    expect(isVisible({ visibility: { roles: ['finance'] } }, 'admin')).toBe(true);
    expect(isVisible(undefined, 'resident')).toBe(true);
  });

  it('a form shows each role the fields it may see, a hidden section hiding its fields', () => {
    expect(visibleFields(quote, 'resident').map((f) => f.field)).toEqual(['decision']);
    expect(visibleFields(quote, 'technician').map((f) => f.field)).toEqual(['priceFen', 'decision', 'audit']);
    expect(visibleFields(quote, 'finance').map((f) => f.field)).toEqual(['priceFen', 'decision', 'note', 'audit']);
  });
});

describe('words for a key nobody named', () => {
  it('read as words, without the fen of money or the id of a reference', () => {
    expect(humanise('reworkCount')).toBe('Rework count');
    expect(humanise('priceFen')).toBe('Price');
    expect(humanise('technicianId')).toBe('Technician');
    expect(humanise('DAMAGE_REPORTED')).toBe('Damage reported');
    expect(humanise('work.dispatched')).toBe('Dispatched');
    expect(humanise('on-site')).toBe('On site');
    expect(humanise('sla:repair-clocks:complete')).toBe('Complete');
    expect(humanise('HTTPServer')).toBe('Http server');
  });
});

describe('a form\'s texts', () => {
  it('render the estate\'s parameters in labels, options and help', () => {
    const model = renderModel(compileForm(quote), { locale: 'zh', params: { days: 3 } });
    expect(model.sections[0]!.fields[1]!.options!.map((o) => o.label)).toEqual(['接受（3 天内开工）', '拒绝']);
    expect(model.sections[1]!.fields[0]!.help).toBe('3 天内审核');
    expect(renderModel(compileForm(quote), { locale: 'en', params: { days: 5 } }).sections[1]!.fields[0]!.help).toBe('Audited within 5 days');
  });
});
