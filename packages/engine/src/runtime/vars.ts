import type { ExprVars } from '../adapters/expr.ts';
import type { MachineContext } from '../types.ts';

/** `state` rides on the event: the instance's state when the event arrived (`describeState`). */
type AnyEvent = { type: string; data?: Record<string, unknown>; state?: string; input?: { data?: Record<string, unknown> } };

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
