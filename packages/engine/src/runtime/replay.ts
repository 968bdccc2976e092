import type { CompiledWorkflow } from '../compile/compile.ts';
import type { EngineSnapshot, HistoryEntry, StartInput } from '../types.ts';
import { start, step } from './step.ts';

/**
 * Rebuilds a snapshot from the start input and the accepted history (the history is the truth).
 * Throws when an entry is refused, which means the history and definition disagree.
 */
export function replay(compiled: CompiledWorkflow, initialInput: StartInput, history: readonly HistoryEntry[]): EngineSnapshot {
  const first = start(compiled, initialInput);
  if (!first.ok) throw new Error(`replay: start refused: ${first.error.message.en}`);
  let snap = first.value.snapshot;
  for (const h of history) {
    if (h.event.type === 'start' && h.seq === 0) continue;
    const event = h.timer ? { type: h.event.type, data: h.event.data, timer: h.timer } : { type: h.event.type, data: h.event.data };
    const r = step(compiled, snap, event, { now: h.at, actor: h.actor, ...(initialInput.calendars ? { calendars: initialInput.calendars } : {}) });
    if (!r.ok) throw new Error(`replay: entry ${h.seq} (${h.event.type}) refused: ${r.error.message.en}`);
    snap = r.value.snapshot;
  }
  return snap;
}
