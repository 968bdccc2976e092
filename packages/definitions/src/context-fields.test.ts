import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from './bundle.ts';
import { contextFieldNames, contextFields } from './context-fields.ts';
import { formatSerial, prefixClashes, serialPrefixOf } from './serial.ts';
import { transientStates } from './lint/sla.ts';

const workflows = join(import.meta.dirname, '../../../workflows');

describe('context fields as people see them', () => {
  it('take the workflow\'s own words first, then the form that captured the value, with its visibility', async () => {
    const b = await loadBundle(join(workflows, 'repair'));
    const repair = b.workflows[0]!;
    const forms = new Map(b.forms.map((f) => [f.id, f]));
    const views = contextFields(repair, forms);
    expect(views.get('reworkCount')).toMatchObject({ title: { zh: '返工次数' }, widget: 'number', visibility: 'internal', from: 'workflow' });
    expect(views.get('priceFen')).toMatchObject({ title: { zh: '商定价格' }, widget: 'money', visibility: 'internal', from: { form: 'rp-quote' } });
    expect(views.get('fault')).toMatchObject({ from: { form: 'rp-report' } });
    expect(views.get('kind')?.options?.map((o) => o.value)).toEqual(['minor', 'urgent', 'major']);
    // every field an instance of the catalogue can hold has words
    expect(contextFieldNames(repair, forms).filter((n) => !views.has(n))).toEqual([]);
  });
});

describe('serial numbers', () => {
  it('use the workflow\'s prefix, or the initials of its id for a workflow written before prefixes', () => {
    expect(serialPrefixOf({ id: 'repair', serialPrefix: 'RP' })).toBe('RP');
    expect(serialPrefixOf({ id: 'paid-service' })).toBe('PS');
    expect(formatSerial('RP', 12)).toBe('RP-000012');
    expect(formatSerial('RP', 1_234_567)).toBe('RP-1234567');
  });

  it('clash when two workflows would share a prefix', () => {
    expect([...prefixClashes([{ id: 'repair' }, { id: 'renovation' }, { id: 'move-in', serialPrefix: 'MI' }])]).toEqual([['R', ['repair', 'renovation']]]);
    expect(prefixClashes([{ id: 'repair', serialPrefix: 'RP' }, { id: 'renovation', serialPrefix: 'RN' }]).size).toBe(0);
  });
});

describe('transient states', () => {
  it('are those an unguarded always leaves at once, with the resting states they lead to', async () => {
    const repair = (await loadBundle(join(workflows, 'repair'))).workflows[0]!;
    const t = transientStates(repair);
    expect(t.get('billing')).toEqual(['leakTest', 'revisit']);
    expect(t.get('routing')).toEqual(['leakTest', 'revisit']);
    expect(t.has('revisit')).toBe(false);
    expect(t.has('work.acceptance')).toBe(false);
  });
});
