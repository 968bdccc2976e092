/**
 * The one place the engine meets XState's actor plumbing. XState's public `transition()` and
 * `initialTransition()` build a throwaway actor of the machine on every call, and an actor's
 * constructor computes the machine's initial state (entry actions included): for a workflow with
 * work on entry that is most of a step's cost (measured in `bench/step.bench.ts`: the row "step
 * through XState's public transition()"). Here the inert scope is built once, from public parts
 * only (an actor of an empty machine as `self`, its `system`, no-op hooks), and the machine's own
 * public `transition(snapshot, event, scope)` / `getInitialSnapshot(scope, input)` run with it; the
 * scope only collects the actions they ask to execute (nothing is executed). The scope is the same
 * for every machine and every instance: nothing of one instance is kept in it.
 * `pure-transition.test.ts` compares both with XState's public functions, so an XState upgrade that
 * changes what a scope must provide fails there loudly (and `ActorScope`'s type fails typecheck).
 */
import { createActor, createMachine, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';

export type Returned = { type: string; params: unknown; info: { context: unknown; event: unknown } };

let inert: Omit<AnyActorScope, 'actionExecutor'> | undefined;

function inertScope(collect: Returned[]): AnyActorScope {
  if (!inert) {
    const self = createActor(createMachine({}));
    inert = { self, system: self.system, id: '', sessionId: '', logger: () => {}, defer: () => {}, emit: () => {}, stopChild: () => {} };
  }
  return { ...inert, actionExecutor: (a) => void collect.push(a as unknown as Returned) };
}

/** Pure: the next snapshot and the actions XState would execute, executing none of them. */
export function pureTransition(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: unknown): [AnyMachineSnapshot, Returned[]] {
  const actions: Returned[] = [];
  return [machine.transition(snapshot, event as never, inertScope(actions)) as AnyMachineSnapshot, actions];
}

/** Pure: the initial snapshot for `input` and the actions of entering it. */
export function pureInitialTransition(machine: AnyStateMachine, input: unknown): [AnyMachineSnapshot, Returned[]] {
  const actions: Returned[] = [];
  return [machine.getInitialSnapshot(inertScope(actions), input) as AnyMachineSnapshot, actions];
}
