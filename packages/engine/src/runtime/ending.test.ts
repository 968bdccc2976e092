import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../adapters/definitions.ts';
import { compile } from '../compile/compile.ts';
import type { Outcome } from '../types.ts';
import { replay } from './replay.ts';
import { start, step, type Result } from './step.ts';

const T = (zh: string, en: string) => ({ zh, en });
/** Ends while a scheduled timer, an openTask task and a parallel region's own timer and task are still there. */
const ending: WorkflowDefinition = {
  kind: 'workflow', id: 'ending', title: T('结束', 'Ending'), roles: ['dispatcher'],
  start: { roles: ['dispatcher'] },
  delays: { later: { after: { amount: 2, unit: 'days' } } },
  events: {
    CLOSE: { label: T('结案', 'Close'), roles: ['dispatcher'] },
    REMIND: { label: T('提醒', 'Remind'), system: true },
  },
  machine: {
    initial: 'open',
    states: {
      open: {
        type: 'parallel',
        entry: [
          { type: 'schedule', params: { id: 'remind', event: 'REMIND', deadline: { after: { amount: 1, unit: 'days' } } } },
          { type: 'openTask', params: { id: 'follow-up', title: T('跟进', 'Follow up'), role: 'dispatcher' } },
        ],
        states: {
          work: { initial: 'doing', states: { doing: { tasks: [{ id: 'do', title: T('处理', 'Do it'), role: 'dispatcher' }], after: { later: { target: 'doing', reenter: true } } } } },
          watch: { initial: 'watching', states: { watching: { on: { CLOSE: '#ending.closed' } } } },
        },
      },
      closed: { type: 'final' },
    },
  },
};

const ok = (r: Result<Outcome>): Outcome => {
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message.en}`);
  return r.value;
};

describe('a request that ends', () => {
  it('keeps no timer and no task: scheduled timers, tasks opened by actions and every region\'s own are cancelled and closed', () => {
    const wf = compile(ending);
    const actor = { id: 'd', role: 'dispatcher' };
    const input = { now: '2026-05-04T01:00:00.000Z', actor, instanceId: 'e-1' };
    const s0 = ok(start(wf, input));
    expect(Object.keys(s0.snapshot.context.sys.timers).sort()).toEqual(['after:open.work.doing:later', 'schedule:remind']);
    expect(Object.keys(s0.snapshot.context.sys.tasks).sort()).toEqual(['do', 'follow-up']);
    const done = ok(step(wf, s0.snapshot, { type: 'CLOSE' }, { now: '2026-05-04T02:00:00.000Z', actor }));
    expect(done.snapshot.status).toBe('done');
    expect(done.snapshot.context.sys.timers).toEqual({});
    expect(done.snapshot.context.sys.tasks).toEqual({});
    expect(done.timers.cancel.sort()).toEqual(['after:open.work.doing:later', 'schedule:remind']);
    expect(done.tasks.close.map((t) => t.id).sort()).toEqual(['do', 'follow-up']);
    // the history still rebuilds the snapshot
    expect(replay(wf, input, [s0.history, done.history])).toEqual(done.snapshot);
  });
});
