import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '@estateflow/engine';
import type { LoadedBundle } from '../bundle/load-bundle.ts';
import { runScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

const T = (zh: string, en: string) => ({ zh, en });
const notify = (text: string) => ({ type: 'notify', params: { to: { role: 'dispatcher' }, message: T(text, text) } });

const wf = {
  kind: 'workflow', id: 'clocks', title: T('计时', 'Clocks'), roles: ['dispatcher'],
  start: { roles: ['dispatcher'] },
  delays: {
    short: { after: { amount: 10, unit: 'minutes' } },
    long: { after: { amount: 20, unit: 'minutes' } },
    more: { after: { amount: 5, unit: 'minutes' } },
  },
  events: { SKIP: { label: T('跳过', 'Skip'), roles: ['dispatcher'] } },
  machine: {
    initial: 'a',
    states: {
      a: { after: { short: { actions: [notify('short')] }, long: 'b' }, on: { SKIP: 'c' } },
      b: { after: { more: { target: 'c', actions: [notify('more')] } } },
      c: { type: 'final' },
    },
  },
} as unknown as WorkflowDefinition;

const bundle: LoadedBundle = { dir: '/virtual', manifest: { id: 'clocks', version: '1.0.0' }, workflows: [wf], forms: [], slas: [], scenarios: [] };
const base = { kind: 'scenario', id: 'clocks', title: T('计时', 'Clocks'), workflow: 'clocks', start: { at: '2026-06-09T09:00:00+08:00', actor: { role: 'dispatcher', id: 'd' } } } as const;

describe('the virtual clock', () => {
  it('fires every timer that falls due during a jump, in due order, each at its own instant', () => {
    const run = runScenario(bundle, 'virtual', { ...base, steps: [{ advance: 'PT1H', expect: { state: 'c', status: 'done', timers: [] } }] } as Scenario);
    expect(run.failures).toEqual([]);
    expect(run.timeline.map((t) => [t.at, t.event, t.state])).toEqual([
      ['2026-06-09T01:00:00.000Z', 'start', 'a'],
      ['2026-06-09T01:10:00.000Z', 'timer.a.short', 'a'],
      ['2026-06-09T01:20:00.000Z', 'timer.a.long', 'b'],
      ['2026-06-09T01:25:00.000Z', 'timer.b.more', 'c'],
    ]);
    expect(run.timeline.flatMap((t) => t.effects.map((e) => (e.kind === 'notify' ? e.message.en : e.kind)))).toEqual(['short', 'more']);
  });

  it('does not fire a timer whose state was left, and reports a failed expectation with its step', () => {
    const run = runScenario(bundle, 'virtual', {
      ...base,
      steps: [
        { advance: 'PT5M', send: 'SKIP', expect: { state: 'c', timers: [] } },
        { advance: 'PT1H', expect: { state: 'b' } },
      ],
    } as Scenario);
    expect(run.timeline.map((t) => t.event)).toEqual(['start', 'SKIP']);
    expect(run.failures).toEqual(['step 2: state: expected "b", active "c"']);
  });
});

describe('expect.clocks', () => {
  const policy = {
    kind: 'sla', id: 'clocks-sla', title: T('时限', 'Clocks'), workflow: 'clocks',
    metrics: [{ id: 'stay-a', start: [{ enter: 'a' }], stop: [{ leave: 'a' }], goals: [{ deadline: { after: { amount: 15, unit: 'minutes' } } }] }],
  };
  const withSla = { ...bundle, slas: [policy] } as unknown as LoadedBundle;

  it('checks an SLA clock at the virtual clock after the step, and names the metric and what it found when it differs', () => {
    const run = runScenario(withSla, 'virtual', {
      ...base,
      steps: [
        { advance: 'PT5M', expect: { clocks: [{ metric: 'stay-a', status: 'running', due: '2026-06-09T09:15:00+08:00' }] } },
        { advance: 'PT1H', expect: { state: 'c', clocks: [{ policy: 'clocks-sla', metric: 'stay-a', status: 'met' }, { metric: 'nope', status: 'running' }] } },
      ],
    } as Scenario);
    expect(run.failures).toEqual([
      'step 2: clocks: expected clocks-sla/stay-a met, got breached due 2026-06-09T01:15:00.000Z',
      'step 2: clocks: no SLA clock "nope" (has ["clocks-sla/stay-a"])',
    ]);
  });
});
