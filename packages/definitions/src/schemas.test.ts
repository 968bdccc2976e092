import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ACTION_TYPES, DOCUMENT_KINDS, PLATFORM_ROLES, schemas, validateDocument, validatorFor, type Action, type Deadline, type Workflow, type WorkflowStateNode } from './index.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const MINE = ['common', 'form', 'workflow', 'bundle'] as const;

describe('schemas', () => {
  it('are registered for every kind, with zh and en titles and descriptions and examples', () => {
    expect(DOCUMENT_KINDS).toEqual(expect.arrayContaining(['form', 'workflow', 'bundle']));
    for (const kind of MINE) {
      const s = schemas[kind] as unknown as { title: string; description: string; examples: unknown[] };
      expect(s.title).toMatch(/[\u4e00-\u9fff].*[A-Za-z]/);
      expect(s.description).toMatch(/[\u4e00-\u9fff].*[A-Za-z]/);
      expect(s.examples.length).toBeGreaterThan(0);
    }
  });

  it('accept their own examples', () => {
    for (const kind of ['form', 'workflow', 'bundle'] as const) {
      const v = validatorFor(kind);
      for (const example of (schemas[kind] as unknown as { examples: unknown[] }).examples) expect(v(example), JSON.stringify(v.errors)).toBe(true);
    }
  });

  it('keep their example definitions in people\'s words: no lint finding at all (no requirement id in a text, numbers from params, titles)', () => {
    for (const [kind, schema] of Object.entries(schemas)) {
      for (const example of (schema as unknown as { examples?: unknown[] }).examples ?? []) {
        if (typeof example !== 'object' || example === null || !('kind' in example)) continue;
        expect(validateDocument(example).map((f) => `${f.pointer} ${f.rule}`), kind).toEqual([]);
      }
    }
  });

  it('compile once and are cached', () => {
    expect(validatorFor('workflow')).toBe(validatorFor('workflow'));
  });

  it('name the action vocabulary and roles the engine implements', () => {
    expect([...ACTION_TYPES]).toEqual(['assign', 'openTask', 'assignTask', 'closeTask', 'notify', 'charge', 'startChild', 'schedule', 'cancel', 'escalate', 'recordIncident']);
    expect(PLATFORM_ROLES).toContain('duty_manager');
    expect(PLATFORM_ROLES).not.toContain('system');
  });

  it('type documents through json-schema-to-ts (the lost-and-found workflow fits Workflow)', () => {
    const wf = JSON.parse(readFileSync(join(ROOT, 'workflows/lost-and-found/workflow.json'), 'utf8')) as Workflow;
    const deadline: Deadline = { cases: [{ when: 'context.valueFen < 10000', deadline: { after: { amount: 3, unit: 'months' } } }], else: { after: { amount: 1, unit: 'years' } } };
    const notify: Action = { type: 'notify', params: { to: { role: 'property_manager' }, message: { zh: '到期', en: 'Due' } } };
    expectTypeOf(wf.machine.states).toEqualTypeOf<Record<string, WorkflowStateNode>>();
    expectTypeOf<Action['type']>().toEqualTypeOf<(typeof ACTION_TYPES)[number]>();
    expect(validateDocument({ ...wf, delays: { retention: deadline }, machine: { ...wf.machine, entry: [notify] } }, { context: { params: new Set(['valuableThresholdFen']) } }).filter((f) => f.severity === 'error')).toEqual([]);
  });
});
