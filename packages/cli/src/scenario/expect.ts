/** Compares what happened in a scenario step with what the scenario expected. */
import { activeStateKeys, type Charge, type Effect, type EngineError, type EngineSnapshot } from '@estateflow/engine';
import type { ObservedClock } from './sla-clocks.ts';
import type { Expectation } from './scenario.ts';

export type Observed = { snapshot: EngineSnapshot; effects: Effect[]; charges: Charge[]; error?: EngineError; clocks?: ObservedClock[] };

const iso = (s: string) => (Number.isNaN(Date.parse(s)) ? s : new Date(s).toISOString());

/** `expected` is contained in `actual`: every key present and equal, recursively; instants compared as instants. */
export function partialMatch(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') {
    if (typeof expected === 'string' && typeof actual === 'string' && /^\d{4}-\d\d-\d\dT/.test(expected)) return iso(expected) === iso(actual);
    return actual === expected;
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => partialMatch(actual[i], e));
  }
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([k, v]) => partialMatch((actual as Record<string, unknown>)[k], v));
}

function containsAll(label: string, actual: unknown[], expected: Record<string, unknown>[], out: string[]) {
  const left = [...actual];
  for (const e of expected) {
    const i = left.findIndex((a) => partialMatch(a, e));
    if (i < 0) out.push(`${label}: expected ${JSON.stringify(e)} among ${JSON.stringify(actual)}`);
    else left.splice(i, 1);
  }
}

/** Failures (empty when everything matched). */
export function checkExpectation(exp: Expectation, seen: Observed): string[] {
  const out: string[] = [];
  const { snapshot } = seen;
  if (exp.error !== undefined) {
    const want = typeof exp.error === 'string' ? { reason: exp.error } : exp.error;
    if (!seen.error) out.push(`error: expected "${want.reason}" but the event was accepted`);
    else if (!partialMatch(seen.error, want)) out.push(`error: expected ${JSON.stringify(want)}, got ${seen.error.reason}${seen.error.field ? ` (${seen.error.field})` : ''}: ${seen.error.message.en}`);
  } else if (seen.error) {
    out.push(`unexpected error ${seen.error.reason}: ${seen.error.message.en}`);
  }
  if (exp.state !== undefined) {
    const active = activeStateKeys(snapshot.value);
    for (const s of Array.isArray(exp.state) ? exp.state : [exp.state]) {
      if (!active.includes(s)) out.push(`state: expected "${s}", active ${JSON.stringify(snapshot.value)}`);
    }
  }
  if (exp.status !== undefined && snapshot.status !== exp.status) out.push(`status: expected ${exp.status}, got ${snapshot.status}`);
  if (exp.context !== undefined && !partialMatch(snapshot.context.data, exp.context)) {
    out.push(`context: expected ${JSON.stringify(exp.context)}, got ${JSON.stringify(snapshot.context.data)}`);
  }
  if (exp.tasks !== undefined) {
    const tasks = Object.values(snapshot.context.sys.tasks);
    const want = exp.tasks.map((t) => (typeof t === 'string' ? { id: t } : t));
    if (tasks.length !== want.length) out.push(`tasks: expected ${JSON.stringify(want.map((t) => t.id))}, open ${JSON.stringify(tasks.map((t) => t.id))}`);
    else containsAll('tasks', tasks, want, out);
  }
  if (exp.timers !== undefined) {
    const timers = Object.values(snapshot.context.sys.timers).map((t) => ({ id: t.id, event: t.event.type, due: t.due }));
    const want = exp.timers.map((t) => (typeof t === 'string' ? (t.includes(':') ? { id: t } : { event: t }) : t));
    if (timers.length !== want.length) out.push(`timers: expected ${JSON.stringify(want)}, armed ${JSON.stringify(timers)}`);
    else containsAll('timers', timers, want, out);
  }
  for (const want of exp.clocks ?? []) {
    const clock = (seen.clocks ?? []).find((c) => c.metric === want.metric && (want.policy === undefined || c.policy === want.policy));
    const name = `${want.policy ? `${want.policy}/` : ''}${want.metric}`;
    if (!clock) out.push(`clocks: no SLA clock "${name}" (has ${JSON.stringify((seen.clocks ?? []).map((c) => `${c.policy}/${c.metric}`))})`);
    else if (!partialMatch(clock, want)) out.push(`clocks: expected ${name} ${want.status}${want.due ? ` due ${want.due}` : ''}, got ${clock.status}${clock.due ? ` due ${clock.due}` : ''}`);
  }
  if (exp.effects !== undefined) containsAll('effects', seen.effects, exp.effects, out);
  if (exp.charges !== undefined) {
    if (exp.charges.length === 0 && seen.charges.length) out.push(`charges: expected none, got ${JSON.stringify(seen.charges)}`);
    containsAll('charges', seen.charges, exp.charges, out);
  }
  return out;
}
