/**
 * State and transition coverage of a bundle's scenarios, with paths proposed by @xstate/graph
 * for what no scenario reached.
 */
import { activeStateKeys, type CompiledWorkflow, type StartInput } from '@estateflow/engine';
import { getShortestPaths } from '@xstate/graph';
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { ScenarioRun } from './run-scenario.ts';

export type Coverage = {
  workflow: string;
  states: { total: number; missing: string[] };
  transitions: { total: number; missing: string[] };
  suggestions: string[];
};

export function coverageOf(compiled: CompiledWorkflow, runs: ScenarioRun[], startInput?: StartInput): Coverage {
  const entered = new Set<string>();
  const taken = new Set<string>();
  for (const r of runs) {
    r.entered.forEach((s) => entered.add(s));
    r.transitions.forEach((t) => taken.add(t));
  }
  const states = compiled.shape.stateIds.filter((s) => s !== '');
  const cov: Coverage = {
    workflow: compiled.definition.id,
    states: { total: states.length, missing: states.filter((s) => !entered.has(s)) },
    transitions: { total: compiled.shape.transitionIds.length, missing: compiled.shape.transitionIds.filter((t) => !taken.has(t)) },
    suggestions: [],
  };
  if ((cov.states.missing.length || cov.transitions.missing.length) && startInput) cov.suggestions = suggest(compiled, runs, startInput, cov);
  return cov;
}

/** Shortest event sequences (from @xstate/graph) that reach each missing state or transition source. */
function suggest(compiled: CompiledWorkflow, runs: ScenarioRun[], input: StartInput, cov: Coverage): string[] {
  const machine = compiled.machine;
  const logic = Object.create(machine) as AnyStateMachine;
  (logic as { transition: AnyStateMachine['transition'] }).transition = (s, e, scope) => {
    try {
      return machine.transition(s, e, scope);
    } catch {
      return s;
    }
  };
  const samples = new Map<string, Record<string, unknown>[]>();
  for (const r of runs) for (const [k, v] of r.eventData) samples.set(k, [...(samples.get(k) ?? []), ...v]);
  const types = new Set<string>();
  for (const set of compiled.shape.handles.values()) set.forEach((t) => types.add(t));
  const events = [...types].flatMap((type) => {
    const seen = new Set<string>();
    return [{}, ...(samples.get(type) ?? [])].filter((d) => !seen.has(JSON.stringify(d)) && !!seen.add(JSON.stringify(d))).map((data) => ({ type, data }));
  });
  let paths: { state: AnyMachineSnapshot; steps: { event: { type: string } }[] }[] = [];
  try {
    paths = getShortestPaths(logic, {
      input: { ...input, data: input.data ?? {} },
      events,
      serializeState: (s: AnyMachineSnapshot) => JSON.stringify(s.value),
      limit: 5000,
    } as never) as never;
  } catch (e) {
    return [`(@xstate/graph could not explore the machine: ${(e as Error).message})`];
  }
  const pathTo = (key: string) => {
    const p = paths.find((x) => activeStateKeys(x.state.value).includes(key));
    return p ? ['start', ...p.steps.slice(1).map((s) => s.event.type)].join(' → ') : undefined;
  };
  const out: string[] = [];
  for (const s of cov.states.missing) out.push(`state ${s}: ${pathTo(s) ?? 'no path found from the initial state'}`);
  for (const t of cov.transitions.missing) {
    const [source = '', rest = ''] = t.split(':');
    const event = rest.replace(/#\d+$/, '');
    const via = pathTo(source);
    out.push(`transition ${t}: ${via ? `${via} → ${event.startsWith('after.') ? `(timer ${event.slice(6)} falls due)` : event}` : 'source state unreachable'}${/#[1-9]/.test(t) ? ' (a later branch: make the earlier guards fail)' : ''}`);
  }
  return out;
}
