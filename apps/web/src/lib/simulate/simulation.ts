/**
 * A workflow run on a virtual clock, entirely in the browser with the pure packages: `start` /
 * `step` from `@estateflow/engine`, SLA clocks from `@estateflow/sla`. Moving the clock fires the
 * timers that fall due on the way in due order, each at its due instant (as the CLI's scenario
 * runner, packages/cli/src/scenario/run-scenario.ts, does).
 */
import {
  availableEvents, compile, defaultParams, describeState, start, step,
  type AvailableEvent, type CompiledWorkflow, type EngineError, type EngineSnapshot, type Outcome,
} from '@estateflow/engine';
import { computeClocks, type Clock, type SlaHistoryEntry, type SlaPolicy } from '@estateflow/sla';
import { evaluateExpr } from '@estateflow/expr';
import type { Text } from '$lib/i18n/index.svelte.ts';

export type LogEntry = {
  at: string;
  kind: 'start' | 'send' | 'timer' | 'stale' | 'refused';
  role: string;
  event: string;
  state: string;
  notes: Text[];
};
export type SimClock = { policy: string; clock: Clock };
/** What the user did, in order, so a run can be replayed with other parameters or calendars. */
export type ScriptStep =
  | { kind: 'start'; role: string; data: Record<string, unknown> }
  | { kind: 'send'; role: string; type: string; data: Record<string, unknown> }
  | { kind: 'advance'; to: string };
export type SimulationOptions = {
  /** Values over the workflow's defaults (`params` of the definition). */
  params?: Record<string, unknown>;
};
export type RoleEvent = AvailableEvent & { role: string };

const SYSTEM = { id: 'system', role: 'system' };
const MAX_TIMERS = 1000;

export const MINUTE = 60_000;

function notesOf(o: Outcome): Text[] {
  const notes: Text[] = [];
  for (const e of o.effects) {
    if (e.kind === 'notify') notes.push(e.message);
    else if (e.kind === 'escalate') notes.push(e.message ?? { zh: `升级 ${e.ladder} 第 ${e.rung + 1} 级`, en: `Escalation ${e.ladder} rung ${e.rung + 1}` });
    else if (e.kind === 'incident') notes.push(e.summary);
  }
  for (const c of o.charges) notes.push({ zh: `收费 ${c.item} ¥${(c.amountFen / 100).toFixed(2)}`, en: `Charge ${c.item} ¥${(c.amountFen / 100).toFixed(2)}` });
  return notes;
}

export class Simulation {
  readonly compiled: CompiledWorkflow;
  readonly params: Record<string, unknown>;
  clock: string;
  snapshot: EngineSnapshot | null = null;
  log: LogEntry[] = [];
  script: ScriptStep[] = [];
  readonly startAt: string;
  private sla: SlaHistoryEntry[] = [];

  constructor(
    workflow: unknown,
    forms: unknown[],
    private readonly policies: SlaPolicy[],
    private readonly calendars: Record<string, unknown>,
    startAt: string,
    options: SimulationOptions = {},
  ) {
    this.compiled = compile(workflow as never, { forms: forms as never });
    this.params = { ...defaultParams(this.compiled), ...options.params };
    this.clock = new Date(startAt).toISOString();
    this.startAt = this.clock;
  }

  /**
   * Runs another simulation's steps on this one (same start instant expected): the way to see what
   * other parameters or calendars change. Stops at the first start that fails; refused events are
   * logged as they would be by hand.
   */
  replay(script: readonly ScriptStep[]): EngineError | null {
    for (const s of script) {
      if (s.kind === 'start') {
        const err = this.start(s.role, s.data);
        if (err) return err;
      } else if (s.kind === 'send') this.send(s.role, s.type, s.data);
      else this.advanceTo(s.to);
    }
    return null;
  }

  get roles(): string[] {
    const def = this.compiled.definition as { roles?: string[]; start?: { roles?: string[] } };
    return [...new Set([...(def.start?.roles ?? []), ...(def.roles ?? [])])];
  }

  get state(): string {
    return this.snapshot ? describeState(this.snapshot.value) : '';
  }

  private record(kind: LogEntry['kind'], role: string, event: string, o?: Outcome, error?: EngineError): void {
    const notes = o ? notesOf(o) : [];
    if (error) notes.push(error.message);
    this.log.push({ at: this.clock, kind, role, event, state: this.state, notes });
    if (o && kind !== 'stale' && kind !== 'refused') {
      this.sla.push({ at: this.clock, type: o.history.event.type, state: o.snapshot.value as never, data: o.history.event.data, context: o.snapshot.context.data });
    }
  }

  /** Starts the instance as `role` with the start form's data; an engine error is returned, not thrown. */
  start(role: string, data: Record<string, unknown>): EngineError | null {
    this.script.push({ kind: 'start', role, data });
    const r = start(this.compiled, { now: this.clock, actor: { id: `sim-${role}`, role }, data, params: this.params, calendars: this.calendars, instanceId: 'simulation' });
    if (!r.ok) return r.error;
    this.snapshot = r.value.snapshot;
    this.record('start', role, 'start', r.value);
    return null;
  }

  /** Events each role may send now, with labels and forms. */
  events(): RoleEvent[] {
    if (!this.snapshot) return [];
    const snap = this.snapshot;
    return this.roles.flatMap((role) => availableEvents(this.compiled, snap, { id: `sim-${role}`, role }).map((e) => ({ ...e, role })));
  }

  send(role: string, type: string, data: Record<string, unknown>): EngineError | null {
    if (!this.snapshot) return null;
    this.script.push({ kind: 'send', role, type, data });
    const r = step(this.compiled, this.snapshot, { type, data }, { now: this.clock, actor: { id: `sim-${role}`, role }, calendars: this.calendars, params: this.params });
    if (!r.ok) {
      this.record('refused', role, type, undefined, r.error);
      return r.error;
    }
    this.snapshot = r.value.snapshot;
    this.record('send', role, type, r.value);
    return null;
  }

  /** Moves the clock to `target`, firing every armed timer due on the way in due order; returns how many fired. */
  advanceTo(target: string): number {
    const to = new Date(target).toISOString();
    if (to < this.clock) return 0;
    this.script.push({ kind: 'advance', to });
    let fired = 0;
    for (let n = 0; this.snapshot && n < MAX_TIMERS; n++) {
      const due = Object.values(this.snapshot.context.sys.timers)
        .filter((t) => t.due <= to)
        .sort((a, b) => (a.due === b.due ? a.id.localeCompare(b.id) : a.due.localeCompare(b.due)))[0];
      if (!due) break;
      if (due.due > this.clock) this.clock = due.due;
      const r = step(this.compiled, this.snapshot, { type: due.event.type, data: due.event.data ?? {}, timer: { id: due.id, due: due.due } }, { now: this.clock, actor: SYSTEM, calendars: this.calendars, params: this.params });
      if (!r.ok) {
        this.record('refused', 'system', due.event.type, undefined, r.error);
        break;
      }
      this.snapshot = r.value.snapshot;
      this.record(r.value.stale ? 'stale' : 'timer', 'system', due.event.type, r.value);
      fired++;
    }
    this.clock = to;
    return fired;
  }

  advanceBy(ms: number): number {
    return this.advanceTo(new Date(new Date(this.clock).getTime() + ms).toISOString());
  }

  /** SLA clocks of the policies bound to this workflow, as of the virtual clock. */
  clocks(): { clocks: SimClock[]; errors: string[] } {
    const out: SimClock[] = [];
    const errors: string[] = [];
    if (!this.snapshot) return { clocks: out, errors };
    for (const policy of this.policies) {
      try {
        for (const clock of computeClocks(policy, this.sla, {
          now: new Date(this.clock),
          // an ended request stops every clock (at its last step)
          endedAt: this.snapshot.status === 'done' ? new Date(this.sla.at(-1)?.at ?? this.clock) : undefined,
          calendars: this.calendars,
          evaluate: (expr, scope) => evaluateExpr(expr, { event: scope.event, context: scope.context, now: scope.now, params: this.params }),
        })) out.push({ policy: policy.id, clock });
      } catch (e) {
        errors.push(`${policy.id}: ${(e as Error).message}`);
      }
    }
    return { clocks: out, errors };
  }
}
