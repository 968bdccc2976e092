import type { CompiledWorkflow } from '../compile/compile.ts';
import type { Deadline } from '../adapters/definitions.ts';
import { resolveDeadlineAt, type CalendarMap } from '../adapters/deadline.ts';
import type { EngineSnapshot, MachineContext, Task, Timer } from '../types.ts';
import { exprVars } from './vars.ts';

/** Whether any expression of a deadline (amounts, `when`, `expr`) names `event`. */
const readsEvent = (spec: unknown): boolean => /\bevent\s*\./.test(JSON.stringify(spec));

/**
 * The instance's timers armed from a named delay, and its open tasks' due times, computed again
 * from the instant each was armed or opened, with `calendars` (a calendar was published since: a
 * new holiday, a make-up working day). A timer or task whose due time moves is answered (`changed`,
 * `tasks`) and the snapshot holds the new due time. The rest stay as they are: those kept before
 * arm instants were, `schedule` timers and deadlines that read `event` (the event that armed them
 * is gone), and any whose deadline no longer evaluates. Pure: nothing else in the snapshot
 * changes, and there is no history entry.
 */
export function retimeTimers(compiled: CompiledWorkflow, snapshot: EngineSnapshot, calendars: CalendarMap): { snapshot: EngineSnapshot; changed: Timer[]; tasks: Task[] } {
  const context = (snapshot as { context?: MachineContext }).context;
  const delays = compiled.definition.delays ?? {};
  if (!context?.sys) return { snapshot, changed: [], tasks: [] };
  /** The deadline computed again from `from`, or undefined when it cannot be (reads the event, fails) or does not move. */
  const again = (spec: Deadline | undefined, from: string | undefined, was: string | undefined): string | undefined => {
    // a deadline that reads the event that armed it cannot be computed again: that event is gone
    if (!spec || !from || readsEvent(spec)) return undefined;
    try {
      // the variables as at arming, minus the event (a deadline reads params and context)
      const due = resolveDeadlineAt(spec, from, exprVars({ ...context, sys: { ...context.sys, now: from } }, { type: 'retime', data: {} } as never), calendars, compiled.definition.calendar);
      return due === was ? undefined : due;
    } catch {
      return undefined;
    }
  };
  const changed: Timer[] = [];
  const timers = { ...context.sys.timers };
  for (const [id, t] of Object.entries(timers)) {
    const due = again(t.delay ? delays[t.delay] : undefined, t.from, t.due);
    if (due === undefined) continue;
    timers[id] = { ...t, due };
    changed.push(timers[id]!);
  }
  const moved: Task[] = [];
  const tasks = { ...context.sys.tasks };
  for (const [id, k] of Object.entries(tasks)) {
    const due = again(k.dueBy, k.openedAt, k.due);
    if (due === undefined) continue;
    tasks[id] = { ...k, due };
    moved.push(tasks[id]!);
  }
  if (changed.length === 0 && moved.length === 0) return { snapshot, changed, tasks: moved };
  return { snapshot: { ...snapshot, context: { ...context, sys: { ...context.sys, timers, tasks } } } as EngineSnapshot, changed, tasks: moved };
}
