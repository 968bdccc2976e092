import type { CalendarSource } from './calendar-source.ts';
import { type DeadlineEnv, resolveDeadline, resolveSimpleDeadline, selectDeadline, type TimeBase, timeBaseOf } from './resolve-deadline.ts';
import { SlaError } from './sla-error.ts';
import { inState, instantOf, type SlaHistoryEntry, statePaths } from './sla-history.ts';
import type { Condition, Goal, Metric, SlaPolicy } from './sla-policy.ts';

/** What SLA expressions see: the event of the history entry, the context after it, the active states. */
export interface SlaScope {
  readonly event: { readonly type: string; readonly data: Record<string, unknown> };
  readonly context: Record<string, unknown>;
  readonly state: readonly string[];
  readonly now: Date;
}

/** Evaluates CEL for the SLA; the caller adds `params` and `instance` (e.g. with @estateflow/expr). */
export type SlaEvaluate = (expr: string, scope: SlaScope) => unknown;

export interface ClockOptions {
  readonly now: Date;
  /**
   * When the instance ended (reached a final state), if it has: every clock still running or paused
   * stops there, breached if its goal had passed by that instant, else `stopped` (never `met`: its
   * stop condition did not hold, e.g. a cancelled or withdrawn request), and arms nothing more. A
   * request that ends stops all its clocks, whatever the metrics' own stop conditions say.
   */
  readonly endedAt?: Date | undefined;
  readonly calendars?: CalendarSource;
  readonly evaluate: SlaEvaluate;
}

/** `stopped`: the request ended before the metric's stop condition held and within its goal (neither met nor breached). */
export type ClockStatus = 'pending' | 'running' | 'paused' | 'met' | 'breached' | 'stopped';

/** A future moment the engine should arm a durable timer for; recompute the clocks when it fires. */
export interface ClockInstant {
  readonly metricId: string;
  readonly kind: 'warning' | 'breach' | 'escalation';
  readonly at: Date;
  readonly percent?: number;
  readonly rung?: number;
  readonly notify?: readonly string[];
}

/**
 * An expression that failed while replaying (e.g. `context.grade` before triage set it): it
 * counts as false and is reported here rather than stopping every clock of the instance.
 */
export interface ClockIssue {
  readonly path: string;
  readonly error: SlaError;
}

/** A finished cycle of a metric (ended by stop, or by a reset). */
export interface ClockCycle {
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly endedBy: 'stop' | 'reset';
  readonly elapsedMs: number;
  readonly budgetMs: number | undefined;
  readonly breachedAt: Date | undefined;
}

export interface Clock {
  readonly metricId: string;
  readonly status: ClockStatus;
  /** Index of the chosen goal in `metric.goals`, undefined when none applies. */
  readonly goal: number | undefined;
  readonly timeBase: 'wall' | 'working';
  readonly calendarId: string | undefined;
  readonly startedAt: Date | undefined;
  readonly stoppedAt: Date | undefined;
  /** The goal as a duration on the time base (working ms for working goals). */
  readonly budgetMs: number | undefined;
  /**
   * What the goal states: a duration (`after`: "within 30 minutes") or an instant (`endOfDay`, `at`,
   * `dayOfMonth`, `expr`: "by the 10th"), whose budget is only the time from the start to it; screens
   * show a duration goal as its length and an instant goal as its due time. Undefined without a goal.
   */
  readonly goalKind: 'duration' | 'instant' | undefined;
  readonly elapsedMs: number;
  /** Negative once breached. */
  readonly remainingMs: number | undefined;
  /** Wall-clock time spent paused. */
  readonly pausedMs: number;
  /** When the budget runs out (or ran out); undefined while paused or without a goal. */
  readonly dueAt: Date | undefined;
  readonly breached: boolean;
  readonly breachedAt: Date | undefined;
  /** false when `onBreach.once` and an earlier cycle already recorded a breach. */
  readonly breachRecorded: boolean;
  readonly warnings: readonly { readonly percent: number; readonly at: Date | undefined; readonly reached: boolean }[];
  readonly warningsReached: readonly number[];
  readonly escalations: readonly { readonly rung: number; readonly at: Date; readonly notify: readonly string[]; readonly reached: boolean }[];
  readonly nextInstants: readonly ClockInstant[];
  /** Cycles closed by a reset or a stop before the current one. */
  readonly cycles: readonly ClockCycle[];
  readonly issues: readonly ClockIssue[];
}

type Segment = [number, number | undefined];
interface Cycle {
  startedAt: number;
  segments: Segment[];
  /** `end`: the request ended while the cycle was open (ClockOptions.endedAt) */
  end?: { at: number; by: 'stop' | 'reset' | 'end' };
  scope: SlaScope;
}

function conditionHolds(c: Condition, paths: readonly string[], previous: readonly string[], scope: SlaScope, options: ClockOptions, path: string, issues: ClockIssue[]): boolean {
  if ('enter' in c) return inState(paths, c.enter) && !inState(previous, c.enter);
  if ('leave' in c) return !inState(paths, c.leave) && inState(previous, c.leave);
  if ('event' in c) return scope.event.type === c.event;
  try {
    return options.evaluate(c.expr, scope) === true;
  } catch (cause) {
    issues.push({ path: `${path}/expr`, error: new SlaError('expression-failed', { zh: `条件表达式 "${c.expr}" 求值失败，按 false 处理`, en: `Condition "${c.expr}" failed and counts as false` }, { path: `${path}/expr`, cause }) });
    return false;
  }
}

/** Replays the history into the cycles of one metric (pure). */
function cyclesOf(metric: Metric, metricPath: string, history: readonly SlaHistoryEntry[], options: ClockOptions, issues: ClockIssue[]): Cycle[] {
  const now = options.now.getTime();
  const cycles: Cycle[] = [];
  let previous: string[] = [];
  let context: Record<string, unknown> = {};
  const entries = history
    .map((e, i) => ({ e, i, at: instantOf(e.at) }))
    .filter((x) => !Number.isNaN(x.at) && x.at <= now)
    .sort((a, b) => a.at - b.at || a.i - b.i);
  for (const { e, at } of entries) {
    const paths = statePaths(e.state);
    context = e.context ?? context;
    const scope: SlaScope = { event: { type: e.type, data: e.data ?? {} }, context, state: paths, now: new Date(at) };
    const holds = (key: 'start' | 'pause' | 'resume' | 'stop' | 'reset'): boolean =>
      (metric[key] ?? []).some((c, i) => conditionHolds(c, paths, previous, scope, options, `${metricPath}/${key}/${i}`, issues));
    let cycle = cycles.at(-1);
    const open = cycle !== undefined && cycle.end === undefined;
    const close = (c: Cycle): void => {
      const last = c.segments.at(-1);
      if (last && last[1] === undefined) last[1] = at;
    };
    if (cycle && holds('reset')) {
      if (open) {
        close(cycle);
        cycle.end = { at, by: 'reset' };
      }
      cycle = { startedAt: at, segments: [[at, undefined]], scope };
      cycles.push(cycle);
    } else if (!open && cycles.length === 0 && holds('start')) {
      cycle = { startedAt: at, segments: [[at, undefined]], scope };
      cycles.push(cycle);
    }
    if (cycle && cycle.end === undefined) {
      cycle.scope = scope;
      const running = cycle.segments.at(-1)?.[1] === undefined;
      if (holds('stop')) {
        close(cycle);
        cycle.end = { at, by: 'stop' };
      } else {
        let paused = !running;
        if (paused && holds('resume')) {
          cycle.segments.push([at, undefined]);
          paused = false;
        }
        if (!paused && holds('pause')) close(cycle);
      }
    }
    previous = paths;
  }
  const ended = options.endedAt?.getTime();
  const last = cycles.at(-1);
  if (ended !== undefined && ended <= now && last && last.end === undefined) {
    const segment = last.segments.at(-1);
    if (segment && segment[1] === undefined) segment[1] = Math.max(ended, segment[0]);
    last.end = { at: Math.max(ended, last.startedAt), by: 'end' };
  }
  return cycles;
}

function chooseGoal(metric: Metric, metricPath: string, scope: SlaScope, options: ClockOptions, issues: ClockIssue[]): { goal: Goal; index: number } | undefined {
  for (const [index, goal] of metric.goals.entries()) {
    if (goal.when === undefined) return { goal, index };
    let value: unknown;
    try {
      value = options.evaluate(goal.when, scope);
    } catch (cause) {
      const path = `${metricPath}/goals/${index}/when`;
      issues.push({ path, error: new SlaError('expression-failed', { zh: `目标条件 "${goal.when}" 求值失败，按 false 处理`, en: `Goal condition "${goal.when}" failed and counts as false` }, { path, cause }) });
      continue;
    }
    if (value === true) return { goal, index };
  }
  return undefined;
}

function elapsedOf(segments: readonly Segment[], base: TimeBase, now: number): number {
  return segments.reduce((sum, [a, b]) => sum + base.between(a, b ?? now), 0);
}

/** The instant at which `target` ms of clock time have run, walking the segments; undefined if never. */
function instantAtElapsed(segments: readonly Segment[], base: TimeBase, target: number): number | undefined {
  let cumulative = 0;
  for (const [a, b] of segments) {
    if (b === undefined) return base.add(a, Math.max(0, target - cumulative));
    const length = base.between(a, b);
    if (cumulative + length >= target) return base.add(a, Math.max(0, target - cumulative));
    cumulative += length;
  }
  return undefined;
}

const percentOf = (w: Metric['warnings'] extends readonly (infer W)[] | undefined ? W : never): number => (typeof w === 'number' ? w : w.percent);

/**
 * Computes every metric's clock from the instance history, as of `now`. Pure: history and
 * `now` in, clocks out; nothing is stored. `nextInstants` lists the future warning, breach and
 * escalation moments to arm as durable timers.
 * @example
 * const [clock] = computeClocks(policy, history, { now, calendars, evaluate });
 * for (const t of clock.nextInstants) armTimer(t.at, t.kind);
 */
export function computeClocks(policy: SlaPolicy, history: readonly SlaHistoryEntry[], options: ClockOptions): Clock[] {
  const now = options.now.getTime();
  return policy.metrics.map((metric, m) => {
    const metricPath = `/metrics/${m}`;
    const calendarId = metric.calendar ?? policy.calendar;
    const issues: ClockIssue[] = [];
    const cycles = cyclesOf(metric, metricPath, history, options, issues);
    const results = cycles.map((cycle) => {
      const chosen = chooseGoal(metric, metricPath, cycle.scope, options, issues);
      const env: DeadlineEnv = { calendars: options.calendars, calendarId, evaluate: (expr) => options.evaluate(expr, cycle.scope) };
      if (!chosen) return { cycle, chosen, base: undefined, budget: undefined, goalKind: undefined, env };
      const simple = selectDeadline(chosen.goal.deadline, env, `${metricPath}/goals/${chosen.index}/deadline`);
      const base = timeBaseOf(simple.deadline, env);
      const due = resolveSimpleDeadline(simple.deadline, cycle.startedAt, env, simple.path);
      return { cycle, chosen, base, budget: base.between(cycle.startedAt, due), goalKind: 'after' in simple.deadline ? ('duration' as const) : ('instant' as const), env };
    });
    const breachOf = (r: (typeof results)[number]): number | undefined => {
      if (!r.base || r.budget === undefined) return undefined;
      const end = r.cycle.end?.at ?? now;
      const elapsed = elapsedOf(r.cycle.segments, r.base, end);
      const late = r.cycle.end?.by === 'stop' || r.cycle.end?.by === 'end' ? elapsed > r.budget : elapsed >= r.budget;
      return late ? instantAtElapsed(r.cycle.segments, r.base, r.budget) : undefined;
    };
    const once = metric.onBreach?.once ?? true;
    const current = results.at(-1);
    const earlierBreach = results.slice(0, -1).some((r) => breachOf(r) !== undefined);
    const finished: ClockCycle[] = results.slice(0, -1).map((r) => ({
      startedAt: new Date(r.cycle.startedAt),
      endedAt: new Date(r.cycle.end?.at ?? now),
      endedBy: r.cycle.end?.by === 'stop' ? 'stop' : 'reset',
      elapsedMs: r.base ? elapsedOf(r.cycle.segments, r.base, r.cycle.end?.at ?? now) : 0,
      budgetMs: r.budget,
      breachedAt: ((b) => (b === undefined ? undefined : new Date(b)))(breachOf(r)),
    }));
    if (!current) {
      return {
        metricId: metric.id, status: 'pending', goal: undefined, timeBase: 'wall', calendarId, startedAt: undefined, stoppedAt: undefined,
        budgetMs: undefined, goalKind: undefined, elapsedMs: 0, remainingMs: undefined, pausedMs: 0, dueAt: undefined, breached: false, breachedAt: undefined,
        breachRecorded: false, warnings: [], warningsReached: [], escalations: [], nextInstants: [], cycles: finished, issues,
      } satisfies Clock;
    }
    const { cycle, chosen, base, budget, goalKind, env } = current;
    const segments = cycle.segments;
    const end = cycle.end?.at ?? now;
    const running = cycle.end === undefined && segments.at(-1)?.[1] === undefined;
    const stopped = cycle.end !== undefined;
    const pausedMs = Math.max(0, end - cycle.startedAt - segments.reduce((s, [a, b]) => s + ((b ?? end) - a), 0));
    const elapsed = base ? elapsedOf(segments, base, end) : segments.reduce((s, [a, b]) => s + ((b ?? end) - a), 0);
    const breachAt = breachOf(current);
    const dueRaw = base && budget !== undefined ? (running || breachAt !== undefined ? instantAtElapsed(segments, base, budget) : undefined) : undefined;
    const breached = breachAt !== undefined;
    const recorded = breached && !(once && earlierBreach);
    const status: ClockStatus = stopped ? (breached ? 'breached' : cycle.end?.by === 'end' ? 'stopped' : 'met') : breached ? 'breached' : running ? 'running' : 'paused';

    const warnings = (metric.warnings ?? []).map((w) => {
      const percent = percentOf(w);
      if (!base || budget === undefined) return { percent, at: undefined, reached: false };
      const threshold = Math.round((budget * percent) / 100);
      const at = elapsed >= threshold || running ? instantAtElapsed(segments, base, threshold) : undefined;
      return { percent, at: at === undefined ? undefined : new Date(at), reached: elapsed >= threshold && at !== undefined && at <= end };
    });
    const escalations =
      dueRaw !== undefined && (breached || running) && !(once && earlierBreach)
        ? (metric.onBreach?.ladder ?? []).map((rung, i) => {
            const at = resolveDeadline(rung.after, new Date(dueRaw), env);
            return { rung: i, at, notify: rung.notify, reached: at.getTime() <= now };
          })
        : [];
    const nextInstants: ClockInstant[] = [];
    if (running) {
      for (const w of warnings) if (w.at && w.at.getTime() > now) nextInstants.push({ metricId: metric.id, kind: 'warning', at: w.at, percent: w.percent });
      if (dueRaw !== undefined && dueRaw > now && !(once && earlierBreach)) nextInstants.push({ metricId: metric.id, kind: 'breach', at: new Date(dueRaw) });
      for (const e of escalations) if (!e.reached) nextInstants.push({ metricId: metric.id, kind: 'escalation', at: e.at, rung: e.rung, notify: e.notify });
    }
    nextInstants.sort((a, b) => a.at.getTime() - b.at.getTime());
    return {
      metricId: metric.id,
      status,
      goal: chosen?.index,
      timeBase: base?.kind ?? 'wall',
      calendarId: base?.calendarId,
      startedAt: new Date(cycle.startedAt),
      stoppedAt: stopped ? new Date(end) : undefined,
      budgetMs: budget,
      goalKind: budget === undefined ? undefined : goalKind,
      elapsedMs: elapsed,
      remainingMs: budget === undefined ? undefined : budget - elapsed,
      pausedMs,
      dueAt: dueRaw === undefined ? undefined : new Date(dueRaw),
      breached,
      breachedAt: breachAt === undefined ? undefined : new Date(breachAt),
      breachRecorded: recorded,
      warnings,
      warningsReached: warnings.filter((w) => w.reached).map((w) => w.percent),
      // a stopped clock climbs no further: only the rungs due by its stop
      escalations: running ? escalations : breached ? escalations.filter((e) => e.at.getTime() <= end) : [],
      nextInstants,
      cycles: finished,
      issues,
    } satisfies Clock;
  });
}
