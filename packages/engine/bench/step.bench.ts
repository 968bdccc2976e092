/**
 * Engine step throughput beside bare XState `transition()` on an equivalent machine, measured in
 * the same run. The cycle is the paid-service damage loop (PS-6): DAMAGE (form check, CEL
 * assign-free effects: incident + notice rendered from templates, task with a working-time due)
 * then SETTLE (form check, CEL assign, task closed). The bare machine has the same states,
 * events and actions written as plain JavaScript, with its snapshot kept in memory.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assign, setup, transition, type AnyMachineSnapshot } from 'xstate';
import type { FormDefinition, WorkflowDefinition } from '../src/adapters/definitions.ts';
import { compile, restore, start, step, type EngineSnapshot } from '../src/index.ts';
import { pureTransition } from '../src/runtime/pure-transition.ts';

const dir = join(import.meta.dirname, '../../../workflows/paid-service');
const wf = JSON.parse(readFileSync(join(dir, 'workflow.json'), 'utf8')) as WorkflowDefinition;
const forms = readdirSync(join(dir, 'forms')).map((f) => JSON.parse(readFileSync(join(dir, 'forms', f), 'utf8')) as FormDefinition);

const actors = {
  front: { id: 'fd', role: 'front_desk' }, dispatcher: { id: 'dp', role: 'dispatcher' },
  tech: { id: 'tech-liu', role: 'technician' }, cs: { id: 'cs', role: 'cs_manager' },
};
const damage = { type: 'DAMAGE', data: { description: '碰坏墙砖', estimatedLossFen: 20000 } };
const settle = { type: 'SETTLE', data: { compensationFen: 15000, agreement: '赔偿墙砖' } };

function engineAtWorking(): { snap: EngineSnapshot; clock: number } {
  const compiled = compile(wf, { forms });
  let clock = Date.parse('2026-06-09T09:00:00+08:00');
  const at = () => new Date((clock += 60_000)).toISOString();
  const r0 = start(compiled, { now: at(), actor: actors.front, instanceId: 'bench', data: { customerName: '王', unit: '5-302', content: '换灯', appointment: '2026-06-09T14:00:00+08:00', phone: '13912345678', channel: 'phone' } });
  if (!r0.ok) throw new Error(r0.error.message.en);
  let snap = r0.value.snapshot;
  const seq: [string, Record<string, unknown>, { id: string; role: string }][] = [
    ['ACCEPT', { category: 'lamp', estimateFen: 5000, timeKeepable: true }, actors.dispatcher],
    ['DISPATCH', { orderNo: 'PS-1', technicianId: 'tech-liu' }, actors.dispatcher],
    ['TAKE', {}, actors.tech], ['ARRIVE', {}, actors.tech], ['QUOTE', { priceFen: 8000 }, actors.tech], ['AGREE', { customerSignature: '王' }, actors.tech],
  ];
  for (const [type, data, actor] of seq) {
    const r = step(compiled, snap, { type, data }, { now: at(), actor });
    if (!r.ok) throw new Error(`${type}: ${r.error.message.en}`);
    snap = r.value.snapshot;
  }
  return { snap, clock };
}

function engineLoop(n: number): number {
  const compiled = compile(wf, { forms });
  let { snap, clock } = engineAtWorking();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const even = i % 2 === 0;
    const r = step(compiled, snap, even ? damage : settle, { now: new Date((clock += 60_000)).toISOString(), actor: even ? actors.tech : actors.cs });
    if (!r.ok) throw new Error(r.error.message.en);
    snap = r.value.snapshot;
  }
  return performance.now() - t0;
}

/** The same states, events and actions, as plain JavaScript. */
const bare = setup({
  types: {} as { context: { data: Record<string, unknown>; tasks: Record<string, unknown> }; events: { type: string; data: Record<string, unknown> } },
  actions: {
    recordIncident: (_a, _p: { kind: string }) => {},
    notify: (_a, _p: { role: string }) => {},
    openTask: assign(({ context }, p: { id: string; role: string }) => ({ tasks: { ...context.tasks, [p.id]: { id: p.id, role: p.role } } })),
    closeTask: assign(({ context }, p: { id: string }) => {
      const tasks = { ...context.tasks };
      delete tasks[p.id];
      return { tasks };
    }),
    settle: assign(({ context, event }) => ({ data: { ...context.data, compensationFen: event.data['compensationFen'] } })),
  },
}).createMachine({
  context: { data: {}, tasks: {} },
  initial: 'service',
  states: {
    service: {
      initial: 'working',
      on: { DAMAGE: { target: 'damage', actions: [{ type: 'recordIncident', params: { kind: 'property-damage' } }, { type: 'notify', params: { role: 'cs_manager' } }] } },
      states: {
        working: { entry: [{ type: 'openTask', params: { id: 'work', role: 'technician' } }], exit: [{ type: 'closeTask', params: { id: 'work' } }], on: { FINISH: 'trial' } },
        trial: {},
      },
    },
    damage: {
      entry: [{ type: 'openTask', params: { id: 'compensation', role: 'cs_manager' } }],
      exit: [{ type: 'closeTask', params: { id: 'compensation' } }],
      on: { SETTLE: { target: 'service.working', actions: 'settle' } },
    },
  },
});

function bareLoop(n: number): number {
  let snap: AnyMachineSnapshot = bare.resolveState({ value: { service: 'working' }, context: { data: {}, tasks: {} } });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) [snap] = transition(bare, snap as never, (i % 2 === 0 ? damage : settle) as never);
  return performance.now() - t0;
}

/**
 * The machine's transition alone on the engine's machine (DAMAGE from the working state), through
 * the adapter's scope built once (`pure-transition.ts`) or through XState's public `transition()`,
 * which builds an actor of the machine per call (its constructor computes the initial state).
 */
function transitionLoop(n: number, publicApi: boolean): number {
  const compiled = compile(wf, { forms });
  const { snap, clock } = engineAtWorking();
  const now = new Date(clock).toISOString();
  const current = restore(compiled, snap, now, actors.tech);
  const event = { type: 'DAMAGE', data: damage.data, state: 'service.working' };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (publicApi) transition(compiled.machine, current as never, event as never);
    else pureTransition(compiled.machine, current, event);
  }
  return performance.now() - t0;
}

/** Steps per second of `step` and of bare `transition()`, and the cost ratio (target ≤ 2). */
export async function run(): Promise<{ name: string; value: number; unit: string; ratio?: number; target?: string; baseline?: string; note?: string }[]> {
  const n = 4000;
  engineLoop(500);
  bareLoop(500);
  let ours = Infinity;
  let theirs = Infinity;
  for (let round = 0; round < 5; round++) {
    ours = Math.min(ours, engineLoop(n));
    theirs = Math.min(theirs, bareLoop(n));
  }
  let adapter = Infinity;
  let publicApi = Infinity;
  transitionLoop(200, true);
  for (let round = 0; round < 3; round++) {
    adapter = Math.min(adapter, transitionLoop(n / 2, false));
    publicApi = Math.min(publicApi, transitionLoop(n / 2, true));
  }
  const oursPerSec = (n / ours) * 1000;
  const barePerSec = (n / theirs) * 1000;
  return [
    { name: 'engine step (paid-service damage/settle loop)', value: oursPerSec, unit: 'steps/s', ratio: ours / theirs, target: 'ratio ≤ 2', baseline: 'bare XState transition() on an equivalent machine',
      note: 'ours includes JSON snapshot restore, authorisation, form validation, CEL, working-time deadline, effects' },
    { name: 'bare XState transition() (same cycle)', value: barePerSec, unit: 'steps/s' },
    { name: "engine machine's transition through XState's public transition()", value: (n / 2 / publicApi) * 1000, unit: 'transitions/s', ratio: publicApi / adapter,
      baseline: 'the same transition through the adapter (pure-transition.ts, inert scope built once)', note: 'what dropping the adapter for the public API would cost per transition' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.name}: ${Math.round(r.value)} ${r.unit}${r.ratio ? `, ratio ${r.ratio.toFixed(2)}` : ''}`);
}
