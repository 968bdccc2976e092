/**
 * Editing helpers for an SLA policy document (schemas/sla.schema.json) in the structured editor.
 * The editor mutates a plain JSON document in place; these are the mutable views it works on and
 * small pure operations (switch a condition or deadline kind, add, move and remove rows). The
 * schema stays the source of truth: `policy-lint.ts` validates the result with it.
 */
import type { Text } from '$lib/i18n/index.svelte.ts';

export type ConditionKind = 'enter' | 'leave' | 'event' | 'expr';
export type Condition = Partial<Record<ConditionKind, string>>;
export const CONDITION_KINDS: readonly ConditionKind[] = ['enter', 'leave', 'event', 'expr'];
export const CONDITION_LISTS = ['start', 'pause', 'resume', 'stop', 'reset'] as const;
export type ConditionList = (typeof CONDITION_LISTS)[number];

export const DURATION_UNITS = ['minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
export type Duration = { amount: number | string; unit: string };
export type DeadlineKind = 'after' | 'endOfDay' | 'at' | 'dayOfMonth' | 'expr' | 'cases';
export const DEADLINE_KINDS: readonly DeadlineKind[] = ['after', 'endOfDay', 'at', 'dayOfMonth', 'expr', 'cases'];
export type Deadline = {
  after?: Duration;
  working?: boolean;
  calendar?: string;
  endOfDay?: true;
  at?: string;
  dayOfMonth?: number;
  monthsAhead?: number;
  expr?: string;
  cases?: { when: string; deadline: Deadline }[];
  else?: Deadline;
};
export type Goal = { when?: string; deadline: Deadline; title?: Text };
export type Warning = number | { percent: number; notify?: string[]; message?: Text };
export type Rung = { after: Deadline; notify: string[]; message?: Text };
export type OnBreach = { once?: boolean; ladder?: Rung[]; actions?: unknown[] };
export type Metric = {
  id: string;
  title?: Text;
  description?: Text;
  start: Condition[];
  pause?: Condition[];
  resume?: Condition[];
  stop: Condition[];
  reset?: Condition[];
  goals: Goal[];
  warnings?: Warning[];
  onBreach?: OnBreach;
  calendar?: string;
};
export type Policy = {
  $schema?: string;
  kind: 'sla';
  id: string;
  title?: Text;
  description?: Text;
  workflow?: string;
  calendar?: string;
  requirements?: string[];
  metrics: Metric[];
};

export function conditionKind(c: Condition): ConditionKind {
  return CONDITION_KINDS.find((k) => k in c) ?? 'enter';
}

/** A condition of another kind; a state stays a state when switching enter ↔ leave. */
export function switchCondition(c: Condition, kind: ConditionKind): Condition {
  const from = conditionKind(c);
  const value = c[from] ?? '';
  const keep = (from === 'enter' || from === 'leave') && (kind === 'enter' || kind === 'leave');
  return { [kind]: keep ? value : kind === 'expr' ? 'true' : '' };
}

export function deadlineKind(d: Deadline): DeadlineKind {
  if (d.cases) return 'cases';
  if (d.after) return 'after';
  if (d.endOfDay) return 'endOfDay';
  if (d.at !== undefined) return 'at';
  if (d.dayOfMonth !== undefined) return 'dayOfMonth';
  if (d.expr !== undefined) return 'expr';
  return 'after';
}

/** A deadline of another kind with sensible defaults; the calendar is kept where that kind takes one. */
export function switchDeadline(d: Deadline, kind: DeadlineKind): Deadline {
  const calendar = d.calendar && kind !== 'expr' && kind !== 'cases' ? { calendar: d.calendar } : {};
  switch (kind) {
    case 'after':
      return { after: d.after ?? { amount: 1, unit: 'hours' }, ...calendar };
    case 'endOfDay':
      return { endOfDay: true, ...calendar };
    case 'at':
      return { at: '17:30', ...calendar };
    case 'dayOfMonth':
      return { dayOfMonth: 10, monthsAhead: 1, ...calendar };
    case 'expr':
      return { expr: 'now + hours(1)' };
    case 'cases':
      return { cases: [{ when: 'true', deadline: stripCases(d) }], else: { after: { amount: 1, unit: 'days' } } };
    default:
      return assertNever(kind);
  }
}

function stripCases(d: Deadline): Deadline {
  return d.cases ? { after: { amount: 1, unit: 'hours' } } : structuredClone(d);
}

export type AmountMode = 'fixed' | 'param' | 'expr';
const PARAM_ONLY = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** How an amount is written: a number, exactly one parameter, or any CEL integer expression. */
export function amountMode(amount: number | string, params: readonly string[]): AmountMode {
  if (typeof amount === 'number') return 'fixed';
  const m = PARAM_ONLY.exec(amount.trim());
  return m && params.includes(m[1]!) ? 'param' : 'expr';
}

export function paramOf(amount: number | string): string {
  return typeof amount === 'string' ? (PARAM_ONLY.exec(amount.trim())?.[1] ?? '') : '';
}

/** Moves item `i` one place up (-1) or down (+1), in place; out-of-range moves do nothing. */
export function move<T>(list: T[], i: number, delta: -1 | 1): void {
  const j = i + delta;
  if (i < 0 || j < 0 || i >= list.length || j >= list.length) return;
  const [item] = list.splice(i, 1);
  list.splice(j, 0, item!);
}

export function percentOf(w: Warning): number {
  return typeof w === 'number' ? w : w.percent;
}

/** A warning as the schema's short form (a number) when it has no recipients or message. */
export function normaliseWarning(w: Warning): Warning {
  if (typeof w === 'number') return w;
  const out: Warning = { percent: w.percent };
  if (w.notify?.length) out.notify = w.notify;
  if (w.message && (w.message.zh || w.message.en)) out.message = w.message;
  return out.notify || out.message ? out : w.percent;
}

export function newMetric(existing: readonly Metric[]): Metric {
  let n = existing.length + 1;
  while (existing.some((m) => m.id === `metric-${n}`)) n++;
  return {
    id: `metric-${n}`,
    title: { zh: `指标 ${n}`, en: `Metric ${n}` },
    start: [{ enter: '' }],
    stop: [{ leave: '' }],
    goals: [newGoal()],
    warnings: [80],
    onBreach: { once: true, ladder: [newRung()] },
  };
}

export function newGoal(): Goal {
  return { when: 'true', deadline: { after: { amount: 1, unit: 'hours' } } };
}

export function newRung(previous?: Rung): Rung {
  const after = previous?.after.after;
  const amount = typeof after?.amount === 'number' ? after.amount + 15 : 0;
  return { after: { after: { amount, unit: after?.unit ?? 'minutes' } }, notify: [previous?.notify[0] ?? 'cs_manager'] };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${String(x)}`);
}

/**
 * A new policy for a workflow, prefilled from it: one metric that starts on entering its initial state
 * and stops on entering its first final state (else on leaving the initial one), so the editor opens
 * on the workflow's own states and events. Saved as a draft before the workflow is published.
 */
export function newPolicy(id: string, workflow: { id: string; title?: Text; machine?: { initial?: string; states?: Record<string, { type?: string }> } } | null, workflowKey?: string): Policy {
  const states = Object.entries(workflow?.machine?.states ?? {});
  const initial = workflow?.machine?.initial ?? states[0]?.[0] ?? '';
  const final = states.find(([, s]) => s.type === 'final')?.[0];
  const metric = newMetric([]);
  metric.id = 'handle';
  metric.title = { zh: '办理时限', en: 'Time to handle' };
  metric.start = [{ enter: initial }];
  metric.stop = [final ? { enter: final } : { leave: initial }];
  const title = workflow?.title;
  return {
    kind: 'sla',
    id,
    title: title ? { zh: `${title.zh}时限`, en: `${title.en} service levels` } : { zh: '新 SLA 策略', en: 'New SLA policy' },
    ...(workflow || workflowKey ? { workflow: workflow?.id ?? workflowKey } : {}),
    metrics: [metric],
  };
}
