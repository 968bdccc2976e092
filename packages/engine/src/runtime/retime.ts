import type { CompiledWorkflow } from '../compile/compile.ts';
import { resolveDeadlineAt, type CalendarMap } from '../adapters/deadline.ts';
import type { EngineSnapshot, MachineContext, Timer } from '../types.ts';
import { exprVars } from './vars.ts';

/**
 * The instance's timers armed from a named delay, computed again from the instant each was armed
 * with `calendars` (a calendar was published since: a new holiday, a make-up working day). A timer
 * whose due time moves is answered in `changed` and the snapshot holds the new due time; the rest
 * stay as they are: timers armed before delays were kept with their arm instant, `schedule`
 * timers and delays that read `event` (a deadline over the event that armed them), and any whose
 * deadline no longer evaluates.
 * Pure: nothing else in the snapshot changes, no history is written.
 */
/** Whether any expression of a deadline (amounts, `when`, `expr`) names `event`. */
const readsEvent = (spec: unknown): boolean => /\bevent\s*\./.test(JSON.stringify(spec));

export function retimeTimers(compiled: CompiledWorkflow, snapshot: EngineSnapshot, calendars: CalendarMap): { snapshot: EngineSnapshot; changed: Timer[] } {
  const context = (snapshot as { context?: MachineContext }).context;
  const delays = compiled.definition.delays ?? {};
  if (!context?.sys?.timers) return { snapshot, changed: [] };
  const changed: Timer[] = [];
  const timers = { ...context.sys.timers };
  for (const [id, t] of Object.entries(timers)) {
    const spec = t.from && t.delay ? delays[t.delay] : undefined;
    // a delay that reads the event that armed it cannot be computed again: that event is gone
    if (!spec || readsEvent(spec)) continue;
    let due: string;
    try {
      // the variables as at arming, minus the event that armed it (a delay reads params and context)
      due = resolveDeadlineAt(spec, t.from!, exprVars({ ...context, sys: { ...context.sys, now: t.from! } }, { type: 'retime', data: {} } as never), calendars, compiled.definition.calendar);
    } catch {
      continue;
    }
    if (due === t.due) continue;
    timers[id] = { ...t, due };
    changed.push(timers[id]!);
  }
  if (changed.length === 0) return { snapshot, changed };
  return { snapshot: { ...snapshot, context: { ...context, sys: { ...context.sys, timers } } } as EngineSnapshot, changed };
}
