/**
 * XState's `transition()` / `initialTransition()`, with the inert actor scope built once per
 * machine instead of per call. xstate's own `transition()` constructs a throwaway actor each time,
 * and the actor's constructor computes the machine's initial state (entry actions included):
 * for a workflow with work on entry that is most of the cost of a step. The machine's own
 * `transition(snapshot, event, scope)` and `getInitialSnapshot(scope, input)` are used unchanged;
 * the scope only collects the actions they ask to execute (nothing is executed).
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';

type Returned = { type: string; params: unknown; info: { context: unknown; event: unknown } };
const scopes = new WeakMap<AnyStateMachine, AnyActorScope>();

function scopeOf(machine: AnyStateMachine, sampleInput: unknown): AnyActorScope {
  let scope = scopes.get(machine);
  if (!scope) {
    const self = createActor(machine, { input: sampleInput });
    const base = (self as unknown as { _actorScope: AnyActorScope })._actorScope;
    scope = { ...base, defer: () => {} };
    scopes.set(machine, scope);
  }
  return scope;
}

/** Pure: the next snapshot and the actions XState would execute, executing none of them. */
export function pureTransition(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: unknown, sampleInput: unknown): [AnyMachineSnapshot, Returned[]] {
  const actions: Returned[] = [];
  const scope = { ...scopeOf(machine, sampleInput), actionExecutor: (a: Returned) => void actions.push(a) } as unknown as AnyActorScope;
  return [machine.transition(snapshot, event as never, scope) as AnyMachineSnapshot, actions];
}

/** Pure: the initial snapshot for `input` and the actions of entering it. */
export function pureInitialTransition(machine: AnyStateMachine, input: unknown): [AnyMachineSnapshot, Returned[]] {
  const actions: Returned[] = [];
  const scope = { ...scopeOf(machine, input), actionExecutor: (a: Returned) => void actions.push(a) } as unknown as AnyActorScope;
  return [machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot, actions];
}
