/**
 * Runs a scenario on a virtual clock: the instance starts at `start.at`; each step moves the clock
 * (`at` or `advance`), fires the timers that fall due on the way, in due order, each at its due
 * instant, then sends its event and checks its expectations.
 */
import {
  compile, describeState, replay, start, step,
  type Charge, type CompiledWorkflow, type Effect, type EngineError, type EngineSnapshot, type HistoryEntry, type Outcome, type StartInput,
} from '@estateflow/engine';
import { isDeepStrictEqual } from 'node:util';
import { paramsFor, type LoadedBundle } from '../bundle/load-bundle.ts';
import { addDuration } from './duration.ts';
import { localTime } from './local-time.ts';
import { checkExpectation } from './expect.ts';
import { clockLines, clocksAt } from './sla-clocks.ts';
import type { SlaHistoryEntry } from '@estateflow/sla';
import type { Scenario } from './scenario.ts';

export type TimelineEntry = {
  at: string;
  kind: 'start' | 'send' | 'timer' | 'stale' | 'refused';
  actor: string;
  event: string;
  state: string;
  tasks: string[];
  timers: string[];
  effects: Effect[];
  charges: Charge[];
  error?: EngineError;
  failures: string[];
  /** SLA clocks after this entry (`policy/metric status, time left, due`) */
  clocks: string[];
};

export type ScenarioRun = {
  file: string;
  scenario: Scenario;
  compiled?: CompiledWorkflow;
  failures: string[];
  timeline: TimelineEntry[];
  transitions: Set<string>;
  entered: Set<string>;
  eventData: Map<string, Record<string, unknown>[]>;
  snapshot?: EngineSnapshot;
};

const SYSTEM = { id: 'system', role: 'system' };
const MAX_TIMERS_PER_STEP = 1000;

function entry(kind: TimelineEntry['kind'], at: string, actor: string, event: string, snap: EngineSnapshot, o?: Outcome, error?: EngineError): TimelineEntry {
  const e: TimelineEntry = {
    at, kind, actor, event, state: describeState(snap.value),
    tasks: Object.values(snap.context.sys.tasks).map((t) => `${t.id}→${t.user ?? t.role ?? '?'}${t.due ? ` due ${localTime(t.due)}` : ''}`),
    timers: Object.values(snap.context.sys.timers).map((t) => `${t.event.type} @ ${localTime(t.due)}`),
    effects: o?.effects ?? [], charges: o?.charges ?? [], failures: [], clocks: [],
  };
  if (error) e.error = error;
  return e;
}

export function runScenario(bundle: LoadedBundle, file: string, scenario: Scenario): ScenarioRun {
  const run: ScenarioRun = { file, scenario, failures: [], timeline: [], transitions: new Set(), entered: new Set(), eventData: new Map() };
  const wf = bundle.workflows.find((w) => w.id === scenario.workflow);
  if (!wf) {
    run.failures.push(`workflow "${scenario.workflow}" is not in bundle ${bundle.manifest.id} (has ${bundle.workflows.map((w) => w.id).join(', ')})`);
    return run;
  }
  const compiled = compile(wf, { forms: bundle.forms });
  run.compiled = compiled;
  const note = (o: Outcome) => {
    o.transitions.forEach((t) => run.transitions.add(t));
    o.entered.forEach((s) => run.entered.add(s));
  };
  let clock = new Date(scenario.start.at).toISOString();
  const input: StartInput = {
    now: clock, actor: scenario.start.actor, data: scenario.start.data ?? {}, instanceId: scenario.id,
    params: paramsFor(bundle, wf, scenario.params),
  };
  const policies = bundle.slas.filter((p) => p.workflow === wf.id);
  const slaHistory: SlaHistoryEntry[] = [];
  // when the instance reached a final state: every clock stops there
  let endedAt: string | undefined;
  const track = (e: TimelineEntry, o: Outcome) => {
    if (policies.length === 0) return e;
    slaHistory.push({ at: e.at, type: o.history.event.type, state: o.snapshot.value as never, data: o.history.event.data, context: o.snapshot.context.data });
    if (o.snapshot.status === 'done') endedAt ??= e.at;
    e.clocks = clockLines(policies, slaHistory, e.at, input.params ?? {}, endedAt);
    return e;
  };
  const first = start(compiled, input);
  if (!first.ok) {
    run.failures.push(`start refused: ${first.error.reason}: ${first.error.message.en}`);
    return run;
  }
  note(first.value);
  let snap = first.value.snapshot;
  const history: HistoryEntry[] = [first.value.history];
  const t0 = track(entry('start', clock, scenario.start.actor.role, 'start', snap, first.value), first.value);
  run.timeline.push(t0);
  if (scenario.start.expect) {
    t0.failures = checkExpectation(scenario.start.expect, { snapshot: snap, effects: first.value.effects, charges: first.value.charges, clocks: clocksAt(policies, slaHistory, clock, input.params ?? {}, endedAt) });
  }

  scenario.steps.forEach((s, i) => {
    const label = `step ${i + 1}${s.title ? ` (${s.title.en})` : ''}`;
    const effects: Effect[] = [];
    const charges: Charge[] = [];
    let target = clock;
    try {
      if (s.at) target = new Date(s.at).toISOString();
      if (s.advance) target = addDuration(clock, s.advance);
    } catch (e) {
      run.failures.push(`${label}: ${(e as Error).message}`);
      return;
    }
    if (target < clock) run.failures.push(`${label}: time goes backwards (${target} < ${clock})`);
    for (let n = 0; n < MAX_TIMERS_PER_STEP; n++) {
      const due = Object.values(snap.context.sys.timers).filter((t) => t.due <= target).sort((a, b) => (a.due === b.due ? a.id.localeCompare(b.id) : a.due.localeCompare(b.due)))[0];
      if (!due) break;
      clock = due.due > clock ? due.due : clock;
      const r = step(compiled, snap, { type: due.event.type, data: due.event.data ?? {}, timer: { id: due.id, due: due.due } }, { now: clock, actor: SYSTEM });
      if (!r.ok) {
        run.failures.push(`${label}: timer ${due.event.type} failed: ${r.error.reason}: ${r.error.message.en}`);
        return;
      }
      note(r.value);
      history.push(r.value.history);
      snap = r.value.snapshot;
      effects.push(...r.value.effects);
      charges.push(...r.value.charges);
      run.timeline.push(r.value.stale ? entry('stale', clock, 'system', due.event.type, snap, r.value) : track(entry('timer', clock, 'system', due.event.type, snap, r.value), r.value));
    }
    clock = target;
    let error: EngineError | undefined;
    if (s.send) {
      const actor = s.actor ?? scenario.start.actor;
      const data = s.data ?? {};
      const r = step(compiled, snap, { type: s.send, data }, { now: clock, actor });
      if (r.ok) {
        note(r.value);
        history.push(r.value.history);
        snap = r.value.snapshot;
        effects.push(...r.value.effects);
        charges.push(...r.value.charges);
        run.eventData.set(s.send, [...(run.eventData.get(s.send) ?? []), data]);
        run.timeline.push(track(entry('send', clock, actor.role, s.send, snap, r.value), r.value));
      } else {
        error = r.error;
        run.timeline.push(entry('refused', clock, actor.role, s.send, snap, undefined, r.error));
      }
    }
    if (s.expect) {
      const clocks = s.expect.clocks ? clocksAt(policies, slaHistory, clock, input.params ?? {}, endedAt) : [];
      const failures = checkExpectation(s.expect, { snapshot: snap, effects, charges, clocks, ...(error ? { error } : {}) });
      const last = run.timeline.at(-1);
      if (last) last.failures.push(...failures);
      run.failures.push(...failures.map((f) => `${label}: ${f}`));
    } else if (error) {
      run.failures.push(`${label}: ${s.send} refused: ${error.reason}: ${error.message.en}`);
    }
  });
  run.failures.unshift(...t0.failures.map((f) => `start: ${f}`));
  run.snapshot = snap;
  try {
    if (!isDeepStrictEqual(replay(compiled, input, history), snap)) run.failures.push('replaying the history does not rebuild the snapshot');
  } catch (e) {
    run.failures.push(`replay failed: ${(e as Error).message}`);
  }
  return run;
}
