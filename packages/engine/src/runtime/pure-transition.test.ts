import { describe, expect, it } from 'vitest';
import { assign, initialTransition, setup, transition } from 'xstate';
import { compile } from '../compile/compile.ts';
import type { WorkflowDefinition } from '../adapters/definitions.ts';
import { start, step } from './step.ts';
import { pureInitialTransition, pureTransition } from './pure-transition.ts';

// A machine with work on entry, an eventless transition and an action with params: what the engine's machines use.
const machine = setup({
  types: {} as { context: { n: number; seen: string[] }; input: { n: number }; events: { type: 'GO'; by: number } },
  actions: {
    count: assign(({ context }, p: { by: number }) => ({ n: context.n + p.by })),
    note: (_: unknown, _p: { what: string }) => {},
  },
}).createMachine({
  context: ({ input }) => ({ n: input.n, seen: [] }),
  initial: 'a',
  states: {
    a: { entry: [{ type: 'note', params: { what: 'a' } }], on: { GO: { target: 'b', actions: [{ type: 'count', params: { by: 2 } }] } } },
    b: { entry: [{ type: 'note', params: { what: 'b' } }], always: { target: 'c', guard: ({ context }) => context.n > 2 } },
    c: { entry: [{ type: 'note', params: { what: 'c' } }] },
  },
});

const shape = (r: readonly [{ value: unknown; context: unknown; status: string }, readonly { type: string; params: unknown }[]]) =>
  [r[0].value, r[0].context, r[0].status, r[1].map((a) => [a.type, a.params])];

describe('the XState adapter (pure-transition.ts): an XState upgrade that breaks it fails here', () => {
  it('gives what XState\'s public initialTransition() gives', () => {
    expect(shape(pureInitialTransition(machine, { n: 1 }))).toEqual(shape(initialTransition(machine, { n: 1 })));
  });

  it('gives what XState\'s public transition() gives, eventless transitions and entry actions included', () => {
    const [s0] = initialTransition(machine, { n: 1 });
    const ours = pureTransition(machine, s0, { type: 'GO', by: 0 });
    expect(shape(ours)).toEqual(shape(transition(machine, s0, { type: 'GO', by: 0 })));
    expect(ours[0].value).toBe('c');
    expect(ours[1].map((a) => a.type)).toContain('note');
  });

  it('keeps nothing of one call for the next: each step and start sees the calendars it was given, eventless transitions included', () => {
    const office = (holidays: string[]) => ({
      kind: 'calendar', id: 'office', title: { zh: '办公', en: 'Office' }, timeZone: 'Asia/Shanghai',
      week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
      holidays: holidays.map((date) => ({ date })),
    });
    const wf = compile({
      kind: 'workflow', id: 'answer', title: { zh: '答复', en: 'Answer' }, roles: ['dispatcher'], calendar: 'office', context: {}, start: { roles: ['dispatcher'] },
      delays: { answer: { after: { amount: 1, unit: 'days' }, working: true } },
      machine: {
        id: 'answer', initial: 'open',
        states: {
          open: { on: { GO: 'routing' } },
          // entered through an eventless transition: its timer is armed in a microstep of GO's step
          routing: { always: { target: 'waiting' } },
          waiting: { after: { answer: { target: 'open' } } },
        },
      },
      events: { GO: { roles: ['dispatcher'] } },
    } as unknown as WorkflowDefinition);
    const actor = { id: 'u', role: 'dispatcher' };
    const monday = '2026-11-23T02:00:00.000Z';
    const s0 = start(wf, { now: monday, actor, data: {}, instanceId: 'i-1', calendars: { office: office([]) } });
    if (!s0.ok) throw new Error(s0.error.message.en);
    const due = (calendars: Record<string, unknown>) => {
      const r = step(wf, s0.value.snapshot, { type: 'GO', data: {} }, { now: monday, actor, calendars });
      if (!r.ok) throw new Error(r.error.message.en);
      return r.value.timers.arm.map((t) => t.due);
    };
    // interleaved calls with two calendars: each answers for its own (Tuesday off: Wednesday 10:00)
    expect(due({ office: office([]) })).toEqual(['2026-11-24T02:00:00.000Z']);
    expect(due({ office: office(['2026-11-24']) })).toEqual(['2026-11-25T02:00:00.000Z']);
    expect(due({ office: office([]) })).toEqual(['2026-11-24T02:00:00.000Z']);
    // the compiled workflow carries no calendars between calls
    expect('calendars' in wf).toBe(false);
  });
});
