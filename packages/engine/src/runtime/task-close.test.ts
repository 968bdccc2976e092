import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../adapters/definitions.ts';
import { compile } from '../compile/compile.ts';
import type { Outcome } from '../types.ts';
import { taskDoneBy } from './outcome.ts';
import { start, step, type Result } from './step.ts';

const T = (zh: string, en: string) => ({ zh, en });
/** A visit the technician does (ARRIVE, RESCHEDULE), a note with no events, and ways to move on without the visit. */
const visit: WorkflowDefinition = {
  kind: 'workflow', id: 'visit', title: T('上门', 'Visit'), roles: ['dispatcher', 'technician', 'resident'],
  start: { roles: ['dispatcher'] },
  delays: { late: { after: { amount: 2, unit: 'hours' } } },
  events: {
    ARRIVE: { label: T('到场', 'Arrive'), roles: ['technician'] },
    RESCHEDULE: { label: T('改约', 'Reschedule'), roles: ['technician'] },
    CANCEL: { label: T('取消', 'Cancel'), roles: ['resident', 'dispatcher'] },
  },
  machine: {
    initial: 'waiting',
    states: {
      waiting: {
        tasks: [
          { id: 'attend', title: T('到场维修', 'Go on site'), role: 'technician', events: ['ARRIVE', 'RESCHEDULE'] },
          { id: 'note', title: T('记录', 'Note'), role: 'dispatcher' },
        ],
        after: { late: { target: 'given-up' } },
        on: { ARRIVE: 'working', RESCHEDULE: { target: 'waiting', reenter: true }, CANCEL: 'cancelled' },
      },
      working: {},
      'given-up': {},
      cancelled: { type: 'final' },
    },
  },
};

const ok = (r: Result<Outcome>): Outcome => {
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message.en}`);
  return r.value;
};
const ids = (ts: { id: string }[]) => ts.map((t) => t.id).sort();

describe('a task closed by a step', () => {
  const wf = compile(visit);
  const input = { now: '2026-05-04T01:00:00.000Z', actor: { id: 'd', role: 'dispatcher' }, instanceId: 'v-1' };
  const at = (min: number) => new Date(Date.parse(input.now) + min * 60_000).toISOString();
  const s0 = ok(start(wf, input)).snapshot;

  it('is done when the event is one of its own (or it names none)', () => {
    const o = ok(step(wf, s0, { type: 'ARRIVE' }, { now: at(10), actor: { id: 't', role: 'technician' } }));
    expect([ids(o.tasks.close), ids(o.tasks.cancel)]).toEqual([['attend', 'note'], []]);
    // its own event reopening it: the old one done, a new one open
    const again = ok(step(wf, s0, { type: 'RESCHEDULE' }, { now: at(10), actor: { id: 't', role: 'technician' } }));
    expect([ids(again.tasks.close), ids(again.tasks.cancel), ids(again.tasks.open)]).toEqual([['attend', 'note'], [], ['attend', 'note']]);
  });

  it('is cancelled when the request moved on by another event: a cancel (ending the request), a timer', () => {
    const cancelled = ok(step(wf, s0, { type: 'CANCEL' }, { now: at(10), actor: { id: 'r', role: 'resident' } }));
    expect(cancelled.snapshot.status).toBe('done');
    expect([ids(cancelled.tasks.close), ids(cancelled.tasks.cancel)]).toEqual([['note'], ['attend']]);
    const timer = Object.values(s0.context.sys.timers)[0]!;
    const late = ok(step(wf, s0, { type: timer.event.type, timer: { id: timer.id, due: timer.due } }, { now: at(120), actor: { id: 'system', role: 'system' } }));
    expect([ids(late.tasks.close), ids(late.tasks.cancel)]).toEqual([['note'], ['attend']]);
  });

  it('is told apart by taskDoneBy alone', () => {
    const task = { id: 'attend', title: T('到场维修', 'Go on site'), openedAt: input.now, events: ['ARRIVE'] };
    expect([taskDoneBy(task, 'ARRIVE'), taskDoneBy(task, 'CANCEL'), taskDoneBy({ ...task, events: [] }, 'CANCEL')]).toEqual([true, false, true]);
    // one of its own events, sent by someone who does not hold it: a resident's cancel of a dispatcher's task that lists CANCEL
    const classify = { id: 'classify', title: T('分类派单', 'Classify'), openedAt: input.now, role: 'dispatcher', events: ['CLASSIFY', 'CANCEL'] };
    const resident = { id: 'r', role: 'resident' };
    const dispatcher = { id: 'd2', role: 'dispatcher' };
    expect([taskDoneBy(classify, 'CANCEL', resident), taskDoneBy(classify, 'CANCEL', dispatcher), taskDoneBy(classify, 'CLASSIFY', dispatcher)]).toEqual([false, true, true]);
    // assigned to one person: they, or a colleague of the role, did it
    expect([taskDoneBy({ ...classify, user: 'd1' }, 'CLASSIFY', { id: 'd1', role: 'dispatcher' }), taskDoneBy({ ...classify, role: undefined, user: 'd1' }, 'CLASSIFY', dispatcher)]).toEqual([true, false]);
  });
});
