import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../adapters/definitions.ts';
import { compile } from '../compile/compile.ts';
import type { Outcome } from '../types.ts';
import { start, step, type Result } from './step.ts';

const ok = (r: Result<Outcome>): Outcome => {
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message.en}`);
  return r.value;
};
const T = (zh: string, en: string) => ({ zh, en });

const parent = {
  kind: 'workflow', id: 'parent', title: T('父', 'Parent'), roles: ['dispatcher'],
  context: { serial: 'P-9', unit: '3-1201' },
  start: { roles: ['dispatcher'] },
  events: {
    INSPECT: { label: T('检查', 'Inspect'), roles: ['dispatcher'] },
    REASSIGN: { label: T('改派', 'Reassign'), roles: ['dispatcher'] },
    INSPECTED: { label: T('检查完成', 'Inspected'), system: true },
  },
  machine: {
    initial: 'open',
    states: {
      open: {
        entry: [{ type: 'openTask', params: { id: 'look', title: T('查看', 'Look'), role: 'dispatcher' } }],
        on: {
          REASSIGN: { actions: [{ type: 'assignTask', params: { id: 'look', user: "'u-' + context.unit + '@' + instance.state" } }] },
          INSPECT: { target: 'waiting', actions: [
            { type: 'startChild', params: { workflow: 'child', input: { unit: 'context.unit' }, doneEvent: 'INSPECTED' } },
            { type: 'recordIncident', params: { kind: 'inspection', severity: "'minor'", summary: T('检查 {{context.unit}}', 'Inspect {{context.unit}}') } },
          ] },
        },
      },
      waiting: { on: { INSPECTED: 'done' } },
      done: { type: 'final' },
    },
  },
} as unknown as WorkflowDefinition;

const child = {
  kind: 'workflow', id: 'child', title: T('子', 'Child'), roles: ['technician'],
  events: { FINISH: { label: T('完成', 'Finish'), roles: ['technician'] } },
  machine: { initial: 'working', states: { working: { on: { FINISH: 'finished' } }, finished: { type: 'final' } } },
} as unknown as WorkflowDefinition;

describe('children, reassignment and incidents', () => {
  it('reassigns an open task to a user computed by CEL (instance.state is the state the event found)', () => {
    const wf = compile(parent);
    const s0 = ok(start(wf, { now: '2026-06-09T01:00:00Z', actor: { id: 'd', role: 'dispatcher' }, instanceId: 'p-1' }));
    const r = ok(step(wf, s0.snapshot, { type: 'REASSIGN' }, { now: '2026-06-09T01:05:00Z', actor: { id: 'd', role: 'dispatcher' } }));
    expect(r.tasks.assign).toEqual([expect.objectContaining({ id: 'look', user: 'u-3-1201@open', role: 'dispatcher' })]);
    expect(r.tasks.open).toEqual([]);
  });

  it('asks the caller to start a child with its input and records the incident; the child tells its parent when done', () => {
    const wf = compile(parent);
    const s0 = ok(start(wf, { now: '2026-06-09T01:00:00Z', actor: { id: 'd', role: 'dispatcher' }, instanceId: 'p-1' }));
    const r = ok(step(wf, s0.snapshot, { type: 'INSPECT' }, { now: '2026-06-09T01:05:00Z', actor: { id: 'd', role: 'dispatcher' } }));
    expect(r.effects).toEqual([
      { kind: 'startChild', workflow: 'child', input: { unit: '3-1201' }, doneEvent: 'INSPECTED', childId: 'p-1/child/1' },
      { kind: 'incident', incidentKind: 'inspection', severity: 'minor', summary: T('检查 3-1201', 'Inspect 3-1201') },
    ]);
    expect(Object.keys(r.snapshot.context.sys.tasks)).toEqual(['look']); // opened by an action: stays open until closeTask

    const cw = compile(child);
    const c0 = ok(start(cw, { now: '2026-06-09T01:05:00Z', actor: { id: 'system', role: 'system' }, instanceId: 'p-1/child/1', data: { unit: '3-1201' }, parent: { instanceId: 'p-1', doneEvent: 'INSPECTED' } }));
    const c1 = ok(step(cw, c0.snapshot, { type: 'FINISH' }, { now: '2026-06-09T02:00:00Z', actor: { id: 't', role: 'technician' } }));
    expect(c1.snapshot.status).toBe('done');
    expect(c1.effects).toEqual([{ kind: 'parentDone', parent: { instanceId: 'p-1', doneEvent: 'INSPECTED' }, output: { unit: '3-1201' } }]);

    const refused = step(wf, r.snapshot, { type: 'INSPECTED' }, { now: '2026-06-09T02:00:00Z', actor: { id: 'd', role: 'dispatcher' } });
    expect(refused.ok ? null : refused.error.reason).toBe('not-allowed');
    const done = ok(step(wf, r.snapshot, { type: 'INSPECTED' }, { now: '2026-06-09T02:00:00Z', actor: { id: 'system', role: 'system' } }));
    expect(done.snapshot.status).toBe('done');
  });
});
