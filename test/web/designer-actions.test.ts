import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_LABELS, ACTION_SPEC, newAction } from '../../apps/web/src/lib/designer/action-spec.ts';
import { ACTIONS } from '../../apps/web/src/lib/designer/workflow-doc.ts';
import { validateDocument } from '@estateflow/definitions';

const common = JSON.parse(readFileSync(join(import.meta.dirname, '../../schemas/common.schema.json'), 'utf8')) as {
  $defs: { Action: { oneOf: { title: string; properties: { params: { properties: Record<string, unknown>; required?: string[] } } }[] } };
};

// #19: every action of the vocabulary has a structured editor, with a control for every param the schema knows
describe('the designer’s action editors cover the action vocabulary', () => {
  const bySchema = Object.fromEntries(common.$defs.Action.oneOf.map((o) => [o.title, o.properties.params]));

  it('has an editor for every action the schema lists, and no other', () => {
    expect(Object.keys(ACTION_SPEC).toSorted()).toEqual(Object.keys(bySchema).toSorted());
    expect([...ACTIONS].toSorted()).toEqual(Object.keys(bySchema).toSorted());
    for (const type of ACTIONS) expect(ACTION_LABELS[type]?.zh, type).toBeTruthy();
  });

  it('has a control for every param of every action, required ones marked', () => {
    for (const [type, params] of Object.entries(bySchema)) {
      const spec = ACTION_SPEC[type]!;
      expect(spec.map((p) => p.key).toSorted(), type).toEqual(Object.keys(params.properties).toSorted());
      expect(spec.filter((p) => p.required).map((p) => p.key).toSorted(), type).toEqual([...(params.required ?? [])].toSorted());
    }
  });

  it('starts a new action with every required param present, so the schema names only what is left to fill', () => {
    for (const type of ACTIONS) {
      const a = newAction(type);
      const required = bySchema[type]!.required ?? [];
      expect(Object.keys(a.params).toSorted(), type).toEqual([...required].toSorted());
    }
    const wf = { kind: 'workflow', id: 'a', title: { zh: '甲', en: 'A' }, roles: ['resident'], start: { roles: ['resident'] }, events: {}, machine: { initial: 'x', states: { x: { type: 'final', title: { zh: '甲', en: 'A' }, entry: [{ type: 'notify', params: { to: { resident: true }, message: { zh: '已受理', en: 'Received' }, channel: 'sms' } }] } } } };
    expect(validateDocument(wf).filter((f) => f.severity === 'error')).toEqual([]);
  });
});
