import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.ts';
import type { WorkflowDefinition } from '../adapters/definitions.ts';
import type { EngineSnapshot, MachineContext, Outcome } from '../types.ts';
import { retimeTimers } from './retime.ts';
import { start, type Result } from './step.ts';

// A request answered within 2 working days on the estate's office calendar: published again with a
// holiday inside the window, the running request's timer moves a working day later; its other timers stay.
const office = (holidays: string[] = []) => ({
  kind: 'calendar', id: 'office', title: { zh: '办公', en: 'Office' }, timeZone: 'Asia/Shanghai',
  week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
  holidays: holidays.map((date) => ({ date })),
});

const definition = {
  kind: 'workflow', id: 'answer', title: { zh: '答复', en: 'Answer' }, roles: ['dispatcher'], calendar: 'office',
  context: {}, start: { roles: ['dispatcher'] },
  delays: {
    answer: { after: { amount: 2, unit: 'days' }, working: true },
    wall: { after: { amount: 3, unit: 'hours' } },
    // reads the event that armed it: not computed again later
    byEvent: { cases: [{ when: "event.type == 'start'", deadline: { after: { amount: 1, unit: 'days' }, working: true } }], else: { after: { amount: 5, unit: 'days' }, working: true } },
  },
  machine: {
    id: 'answer', initial: 'open',
    states: {
      open: {
        tasks: [
          { id: 'reply', title: { zh: '答复', en: 'Reply' }, role: 'dispatcher', due: { after: { amount: 1, unit: 'days' }, working: true } },
          { id: 'callback', title: { zh: '回电', en: 'Call back' }, role: 'dispatcher', due: { cases: [{ when: "event.type == 'start'", deadline: { after: { amount: 1, unit: 'days' }, working: true } }], else: { after: { amount: 9, unit: 'days' } } } },
        ],
        after: { answer: { target: 'late' }, wall: { target: 'open', reenter: false }, byEvent: { target: 'late' } },
        entry: [{ type: 'schedule', params: { id: 'remind', event: 'REMIND', deadline: { after: { amount: 1, unit: 'days' }, working: true } } }],
        on: { REMIND: {}, ANSWER: 'done' },
      },
      late: { on: { ANSWER: 'done' } },
      done: { type: 'final' },
    },
  },
  events: { REMIND: { roles: ['dispatcher'] }, ANSWER: { roles: ['dispatcher'] } },
} as unknown as WorkflowDefinition;

function ok(r: Result<Outcome>): Outcome {
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message.en}`);
  return r.value;
}

describe('retimeTimers', () => {
  const wf = compile(definition);
  // Monday 2026-11-23 10:00 Shanghai: 2 working days end Wednesday 10:00
  const started = ok(start(wf, { now: '2026-11-23T02:00:00.000Z', actor: { id: 'u', role: 'dispatcher' }, data: {}, instanceId: 'i-1', calendars: { office: office() } }));
  const timers = () => (started.snapshot as unknown as { context: MachineContext }).context.sys.timers;

  it('keeps the arm instant and the delay of a timer armed from a named delay', () => {
    expect(timers()['after:open:answer']).toEqual({ id: 'after:open:answer', due: '2026-11-25T02:00:00.000Z', event: { type: 'timer.open.answer' }, from: '2026-11-23T02:00:00.000Z', delay: 'answer' });
  });

  it('moves a working-time timer past a holiday published since, and leaves wall-clock and scheduled timers as they are', () => {
    const r = retimeTimers(wf, started.snapshot, { office: office(['2026-11-24']) });
    // Tuesday off: Monday 10:00 + 2 working days = Thursday 10:00
    expect(r.changed.map((t) => [t.id, t.due])).toEqual([['after:open:answer', '2026-11-26T02:00:00.000Z']]);
    const after = (r.snapshot as unknown as { context: MachineContext }).context.sys.timers;
    expect(after['after:open:answer']!.due).toBe('2026-11-26T02:00:00.000Z');
    expect(after['after:open:wall']).toEqual(timers()['after:open:wall']);
    expect(after['after:open:byEvent']).toEqual(timers()['after:open:byEvent']);
    // a scheduled timer's deadline was read with the event that armed it: not re-timed
    expect(after['schedule:remind']).toEqual(timers()['schedule:remind']);
    // the open task's due time follows too (Monday 10:00 + 1 working day, Tuesday off: Wednesday 10:00); one whose deadline read the event does not
    expect(r.tasks.map((k) => [k.id, k.due])).toEqual([['reply', '2026-11-25T02:00:00.000Z']]);
    const tasksAfter = (r.snapshot as unknown as { context: MachineContext }).context.sys.tasks;
    expect(tasksAfter['reply']!.due).toBe('2026-11-25T02:00:00.000Z');
    expect(tasksAfter['callback']).toEqual((started.snapshot as unknown as { context: MachineContext }).context.sys.tasks['callback']);
    // pure: the snapshot it was given is unchanged
    expect(timers()['after:open:answer']!.due).toBe('2026-11-25T02:00:00.000Z');
  });

  it('changes nothing with the same calendar, or for a timer armed before arm instants were kept', () => {
    expect(retimeTimers(wf, started.snapshot, { office: office() })).toEqual({ snapshot: started.snapshot, changed: [], tasks: [] });
    const old = structuredClone(started.snapshot) as unknown as { context: MachineContext };
    delete old.context.sys.timers['after:open:answer']!.from;
    expect(retimeTimers(wf, old as unknown as EngineSnapshot, { office: office(['2026-11-24']) }).changed).toEqual([]);
  });
});
