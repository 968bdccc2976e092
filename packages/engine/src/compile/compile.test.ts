import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../adapters/definitions.ts';
import { DefinitionError } from '../errors.ts';
import { sampleForms, sampleWorkflow } from '../test-support/sample-workflow.ts';
import { compile } from './compile.ts';

function broken(patch: (wf: WorkflowDefinition) => void): DefinitionError {
  const wf = structuredClone(sampleWorkflow);
  patch(wf);
  try {
    compile(wf, { forms: sampleForms });
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error('expected a DefinitionError');
}

describe('compile', () => {
  it('compiles once: the same definition, or an equal copy, returns the cached machine', () => {
    const a = compile(sampleWorkflow, { forms: sampleForms });
    expect(compile(sampleWorkflow, { forms: sampleForms })).toBe(a);
    expect(compile(structuredClone(sampleWorkflow), { forms: sampleForms })).toBe(a);
    expect(a.shape.stateIds).toEqual(['', 'intake', 'spin', 'pricing', 'trying', 'done']);
    expect(a.shape.transitionIds).toContain('intake:after.respond#0');
  });

  it('names an unknown action with its JSON pointer and the nearest known name', () => {
    const e = broken((wf) => {
      wf.machine.states!['intake']!.entry = [{ type: 'notfy', params: {} } as never];
    });
    expect(e.path).toBe('/machine/states/intake/entry/0/type');
    expect(e.text.en).toBe('Unknown action "notfy". Did you mean "notify"?');
    expect(e.text.zh).toContain('notify');
  });

  it('rejects undeclared events, unknown targets, guards and delays, and expressions that do not compile', () => {
    expect(broken((wf) => { wf.machine.states!['intake']!.on = { ACEPT: 'pricing' }; }).text.en).toContain('Did you mean "ACCEPT"?');
    expect(broken((wf) => { wf.machine.states!['intake']!.on = { ACCEPT: 'pricng' }; }).path).toBe('/machine/states/intake/on/ACCEPT/target');
    expect(broken((wf) => { wf.machine.states!['pricing']!.on = { PRICE: { target: 'trying', guard: 'price' } }; }).text.en).toContain('Unknown guard "price"');
    expect(broken((wf) => { wf.machine.states!['intake']!.after = { respnd: 'pricing' }; }).text.en).toContain('Did you mean "respond"?');
    const expr = broken((wf) => { wf.guards = { pricey: 'event.data.priceFen >= ' }; });
    expect(expr.path).toBe('/guards/pricey');
    const form = broken((wf) => { wf.events['PRICE']!.form = 'nope'; });
    expect(form.path).toBe('/events/PRICE/form');
  });
});
