/**
 * The engine's heart: `start` and `step` decide, the caller does. Both are pure functions of
 * their arguments (time comes in as `now`) and execute none of the effects they return.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { versionOf } from '../adapters/definitions.ts';
import type { CompiledWorkflow } from '../compile/compile.ts';
import { EngineFault, engineError, type EngineError } from '../errors.ts';
import type { Actor, EngineEvent, EngineSnapshot, HistoryEntry, MachineContext, Outcome, StartInput, StepOptions } from '../types.ts';
import { checkStartAllowed, checkEventAllowed, checkForm, describeState, shownType } from './authorise.ts';
import { diffTasks, diffTimers, readActions } from './outcome.ts';
import { pureInitialTransition, pureTransition } from './pure-transition.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: EngineError };
const fail = (error: EngineError): { ok: false; error: EngineError } => ({ ok: false, error });

function toError(e: unknown): EngineError {
  if (e instanceof EngineFault) return e.error;
  const msg = e instanceof Error ? e.message : String(e);
  return engineError('expr-error', { zh: `执行出错：${msg}`, en: `Step failed: ${msg}` }, { cause: e });
}

function persist(compiled: CompiledWorkflow, s: AnyMachineSnapshot): EngineSnapshot {
  const d = compiled.definition;
  const context = s.context as MachineContext;
  const snap: EngineSnapshot = {
    workflow: { id: d.id, version: versionOf(d) },
    status: s.status,
    value: s.value,
    // a request that ends keeps nothing waiting: scheduled timers and tasks opened by actions go too
    // (state timers and tasks already went with the states' exits), so the caller cancels and closes them
    context: s.status === 'done' ? { ...context, sys: { ...context.sys, tasks: {}, timers: {} } } : context,
  };
  if (s.status === 'done' && s.output !== undefined) snap.output = s.output;
  return snap;
}

function outcome(
  compiled: CompiledWorkflow,
  before: MachineContext['sys'],
  next: AnyMachineSnapshot,
  actions: readonly { type: string; params: unknown; info: { context: unknown; event: unknown } }[],
  history: HistoryEntry,
): Outcome {
  const read = readActions(compiled.definition, actions);
  const snapshot = persist(compiled, next);
  const after = snapshot.context.sys;
  if (snapshot.status === 'done' && after.parent) {
    read.effects.push({ kind: 'parentDone', parent: after.parent, output: snapshot.context.data });
  }
  history.to = snapshot.value;
  return {
    snapshot, history, effects: read.effects, charges: read.charges,
    tasks: diffTasks(before, after, history.event.type, history.actor), timers: diffTimers(before, after),
    transitions: read.transitions, entered: read.entered,
  };
}

/**
 * Starts an instance: checks the starter's role and the start form, returns the first snapshot
 * and what to do. Pure.
 * @example const r = start(wf, { now: '2026-05-01T09:00:00+08:00', actor: { id: 'u1', role: 'front_desk' }, data, instanceId: 'ps-1' });
 */
export function start(compiled: CompiledWorkflow, input: StartInput): Result<Outcome> {
  const now = new Date(input.now).toISOString();
  const params = { ...defaultParams(compiled), ...input.params };
  const denied = checkStartAllowed(compiled, input.actor);
  if (denied) return fail(denied);
  const checked = checkForm(compiled, compiled.definition.start?.form, input.data ?? {}, { actor: input.actor, params, now });
  if ('error' in checked) return fail(checked.error);
  const data = checked.data;
  try {
    // the calendars ride on the input (XState's init event carries it to the entry actions)
    const [next, actions] = pureInitialTransition(compiled.machine, { ...input, now, data, params });
    const history: HistoryEntry = { seq: 0, at: now, actor: input.actor, event: { type: 'start', data }, from: null, to: null };
    const empty = { ...(next.context as MachineContext).sys, tasks: {}, timers: {} };
    return { ok: true, value: outcome(compiled, empty, next, actions, history) };
  } catch (e) {
    return fail(toError(e));
  }
}

export function defaultParams(compiled: CompiledWorkflow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(compiled.definition.params ?? {})) if (p.default !== undefined) out[k] = p.default;
  return out;
}

/** Rebuilds the XState snapshot of a stored one, with this step's clock and sender. */
export function restore(compiled: CompiledWorkflow, snapshot: EngineSnapshot, now: string, actor: Actor, params?: Record<string, unknown>) {
  const sys = { ...snapshot.context.sys, now, actor, loops: 0, seq: snapshot.context.sys.seq + 1, ...(params ? { params } : {}) };
  return compiled.machine.resolveState({ value: snapshot.value as never, context: { data: snapshot.context.data, sys } });
}

/**
 * Applies one event: authorises the sender, validates the event's form, runs the transition and
 * returns the next snapshot, the history entry and what the caller must do. Pure: executes none
 * of the returned effects, timers, tasks or charges. A timer event whose timer is no longer armed
 * is stale: it returns the snapshot unchanged with `stale: true` (nothing to store). A scheduled
 * event the current state does not take is consumed: a new snapshot without the timer, no transitions.
 * @example const r = step(wf, snap, { type: 'ACCEPT', data: {} }, { now, actor: { id: 'd1', role: 'dispatcher' } });
 */
export function step(compiled: CompiledWorkflow, snapshot: EngineSnapshot, event: EngineEvent, options: StepOptions): Result<Outcome> {
  const now = new Date(options.now).toISOString();
  let data = event.data ?? {};
  const history: HistoryEntry = {
    seq: snapshot.context.sys.seq + 1, at: now, actor: options.actor, event: { type: event.type, data },
    from: snapshot.value, to: snapshot.value,
  };
  if (event.timer) history.timer = event.timer;
  if (snapshot.status !== 'active') {
    return fail(engineError('instance-done', { zh: '流程实例已结束，不再接收事件', en: 'The instance has ended and accepts no more events' }));
  }
  let sysBefore = snapshot.context.sys;
  if (event.timer) {
    const armed = sysBefore.timers[event.timer.id];
    if (!armed || armed.due !== new Date(event.timer.due).toISOString() || armed.event.type !== event.type) {
      return { ok: true, value: { snapshot, history, effects: [], charges: [], tasks: { open: [], assign: [], close: [], cancel: [] }, timers: { arm: [], cancel: [] }, transitions: [], entered: [], stale: true } };
    }
    const timers = { ...sysBefore.timers };
    delete timers[event.timer.id];
    sysBefore = { ...sysBefore, timers };
  }
  const denied = checkEventAllowed(compiled, snapshot, event, options.actor);
  if (denied) return fail(denied);
  const checked = checkForm(compiled, compiled.definition.events[event.type]?.form, data, { actor: options.actor, params: options.params ?? sysBefore.params, now }, event.type);
  if ('error' in checked) return fail(checked.error);
  data = checked.data;
  history.event.data = data;
  try {
    const current = restore(compiled, { ...snapshot, context: { ...snapshot.context, sys: sysBefore } }, now, options.actor, options.params);
    // the calendars ride on the event: every action of this step (eventless transitions too) sees it
    const xEvent = { type: event.type, data, state: describeState(snapshot.value), ...(options.calendars ? { calendars: options.calendars } : {}) };
    const [next, actions] = pureTransition(compiled.machine, current, xEvent);
    // No transition enabled (no marker action came back): the state does not take this event now.
    // Checked from the transition's own result rather than `snapshot.can()`, which would run it twice.
    if (!actions.some((a) => a.type === 'ef.mark')) {
      if (event.timer) {
        // A scheduled event the current state does not take: consumed (the timer is spent) and
        // recorded, but nothing else happens. Store it like any event so replay agrees.
        const consumed = { ...snapshot, context: { ...snapshot.context, sys: { ...sysBefore, seq: history.seq } } };
        return { ok: true, value: { snapshot: consumed, history, effects: [], charges: [], tasks: { open: [], assign: [], close: [], cancel: [] }, timers: { arm: [], cancel: [] }, transitions: [], entered: [] } };
      }
      // in the definition's words (a refused step is an everyday answer, e.g. a defect moved out of order): the state's title and the event's label
      const state = stateWords(compiled, describeState(snapshot.value));
      const label = (compiled.definition.events[event.type] as { label?: { zh: string; en: string } } | undefined)?.label;
      const shown = { zh: label?.zh ?? shownType(event.type), en: label?.en ?? shownType(event.type) };
      return fail(engineError('event-not-accepted', {
        zh: `现在（${state.zh}）不能“${shown.zh}”：当前状态不接受此操作，或所填内容不满足它的条件`,
        en: `"${shown.en}" cannot be done now (${state.en}): the state does not take it, or what was entered does not meet its conditions`,
      }, { path: `/events/${shownType(event.type)}` }));
    }
    return { ok: true, value: outcome(compiled, sysBefore, next, actions, history) };
  } catch (e) {
    return fail(toError(e));
  }
}

type StateNode = { title?: { zh: string; en: string }; states?: Record<string, StateNode> };

/** A state path (`work.dispatched`, parallel regions joined by ` + `) in its titles, each part falling back to its key. */
function stateWords(compiled: CompiledWorkflow, described: string): { zh: string; en: string } {
  const one = (path: string) => {
    let node = compiled.definition.machine as unknown as StateNode;
    let title: { zh: string; en: string } | undefined;
    for (const part of path.split('.')) {
      node = node.states?.[part] ?? {};
      title = node.title ?? title;
    }
    return title ?? { zh: path, en: path };
  };
  const parts = described.split(' + ').map(one);
  return { zh: parts.map((p) => p.zh).join('、'), en: parts.map((p) => p.en).join(', ') };
}
