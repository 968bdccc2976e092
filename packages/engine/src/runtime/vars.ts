import type { ExprVars } from '../adapters/expr.ts';
import type { MachineContext } from '../types.ts';

type AnyEvent = { type: string; data?: Record<string, unknown>; input?: { data?: Record<string, unknown> } };

/** The CEL variables an expression sees (schemas/README.md "Expression"). */
export function exprVars(context: MachineContext, event: AnyEvent, state: unknown = null): ExprVars {
  const { sys } = context;
  const data = event.type === 'xstate.init' ? (event.input?.data ?? {}) : (event.data ?? {});
  return {
    context: context.data,
    event: { type: event.type === 'xstate.init' ? 'start' : event.type, data },
    instance: { id: sys.instanceId, startedAt: sys.startedAt, ...(typeof state === "string" ? { state } : {}) },
    actor: sys.actor,
    params: sys.params,
    now: sys.now,
  };
}
