import { describe, expect, it } from 'vitest';
import type { FormDefinition, WorkflowDefinition } from '../adapters/definitions.ts';
import { compile } from '../compile/compile.ts';
import { assigneesOf, checkAssignees } from './assignees.ts';
import { start, step } from './step.ts';

const wf = compile({
  kind: 'workflow', id: 'visit', title: { zh: '上门', en: 'Visit' }, roles: ['dispatcher', 'technician'], context: { tech: '' }, start: { roles: ['dispatcher'] },
  machine: {
    id: 'visit', initial: 'open',
    states: {
      // an empty or absent technician is dropped by the form: the context keeps its empty text
      open: { on: { DISPATCH: { target: 'assigned', actions: [{ type: 'assign', params: { values: { tech: "has(event.data.tech) ? event.data.tech : ''" } } }] } } },
      assigned: {
        tasks: [{ id: 'visit', title: { zh: '上门', en: 'Visit' }, user: 'context.tech', events: ['DONE'] }],
        on: { DONE: 'done' },
      },
      done: { type: 'final' },
    },
  },
  events: { DISPATCH: { roles: ['dispatcher'], form: 'dispatch' }, DONE: { roles: ['technician'] } },
} as unknown as WorkflowDefinition, {
  forms: [{
    kind: 'form', id: 'dispatch', title: { zh: '派单', en: 'Dispatch' },
    schema: { type: 'object', properties: { tech: { type: 'string' } } },
    layout: { sections: [{ id: 'main', title: { zh: '派单', en: 'Dispatch' }, fields: [{ field: 'tech', widget: 'text', label: { zh: '技工', en: 'Technician' } }] }] },
  } as unknown as FormDefinition],
});

const dispatcher = { id: 'd', role: 'dispatcher' };
const T0 = '2026-05-04T01:00:00.000Z';

function dispatchTo(tech: unknown) {
  const s = start(wf, { now: T0, actor: dispatcher, data: {}, instanceId: 'i-1' });
  if (!s.ok) throw new Error(s.error.message.en);
  const r = step(wf, s.value.snapshot, { type: 'DISPATCH', data: { tech } }, { now: T0, actor: dispatcher });
  if (!r.ok) throw new Error(r.error.message.en);
  return r.value;
}

describe('task assignees', () => {
  const staff = new Set(['0b3c2f52-0000-4000-8000-000000000001']);

  it('lists the users an outcome assigns tasks to, and accepts them when they are users of the estate', () => {
    const o = dispatchTo('0b3c2f52-0000-4000-8000-000000000001');
    expect(assigneesOf(o)).toEqual(['0b3c2f52-0000-4000-8000-000000000001']);
    expect(checkAssignees(wf, o, (id) => staff.has(id))).toBeUndefined();
  });

  it('refuses a user expression that yields no user of the estate as an expr-error naming the task, the value and the expression (zh/en)', () => {
    const e = checkAssignees(wf, dispatchTo('tech-liu'), (id) => staff.has(id));
    expect(e?.reason).toBe('expr-error');
    expect(e?.path).toBe('/machine/states/assigned/tasks/0/user');
    expect(e?.message.en).toBe('Task "visit": its assignee expression context.tech gave "tech-liu", which is not a user of this estate; the task was not created');
    expect(e?.message.zh).toContain('context.tech');
    expect(e?.message.zh).toContain('"tech-liu"');
  });

  it('leaves a task to its role when the expression yields nothing (null or an empty text): no user to look up', () => {
    for (const nothing of [null, '']) {
      const o = dispatchTo(nothing);
      expect(o.tasks.open.map((t) => [t.id, t.user])).toEqual([['visit', undefined]]);
      expect(assigneesOf(o)).toEqual([]);
      expect(checkAssignees(wf, o, () => false)).toBeUndefined();
    }
  });
});
