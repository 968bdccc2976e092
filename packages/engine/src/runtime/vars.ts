import type { ExprVars } from '../adapters/expr.ts';
import type { MachineContext } from '../types.ts';

/**
 * What rides on the XState event besides type and data: `state`, the instance's state when the
 * event arrived (`describeState`), and `calendars`, the estate's calendars for this step (at start
 * they come with the input of XState's init event). Per call, never kept on the compiled workflow.
 */
type AnyEvent = {
  type: string; data?: Record<string, unknown>; state?: string; calendars?: Record<string, unknown>;
  input?: { data?: Record<string, unknown>; calendars?: Record<string, unknown> };
};

const noCalendars: Record<string, unknown> = {};

/** The calendars the step in progress was given (`step`/`start` options), read from its event. */
export function calendarsOf(event: AnyEvent): Record<string, unknown> {
  return event.calendars ?? event.input?.calendars ?? noCalendars;
}

/** The CEL variables an expression sees (schemas/README.md "Expression"). */
export function exprVars(context: MachineContext, event: AnyEvent): ExprVars {
  const state = event.state;
  const { sys } = context;
  const data = event.type === 'xstate.init' ? (event.input?.data ?? {}) : (event.data ?? {});
  return {
    context: context.data,
    event: { type: event.type === 'xstate.init' ? 'start' : event.type, data },
    instance: { id: sys.instanceId, startedAt: sys.startedAt, ...(state !== undefined ? { state } : {}) },
    actor: sys.actor,
    params: sys.params,
    now: sys.now,
  };
}
