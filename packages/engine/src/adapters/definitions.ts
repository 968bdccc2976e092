/**
 * Seam to `@estateflow/definitions`: workflow and form documents are the types generated from
 * schemas/*.schema.json. The loose shapes below are the engine's walking view of a machine
 * (its states nest to any depth, which the generated types unroll to a fixed depth).
 */
import type { Form, Workflow } from '@estateflow/definitions';

export type WorkflowDefinition = Workflow;
export type FormDefinition = Form;
export type Text = { zh: string; en: string };
export type Expression = string;

export type Duration = { amount: number | Expression; unit: 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | 'years' };
export type SimpleDeadline =
  | { after: Duration; working?: boolean; calendar?: string }
  | { endOfDay: true; calendar?: string }
  | { at: string; calendar?: string }
  | { dayOfMonth: number; monthsAhead?: number; calendar?: string }
  | { expr: Expression };
export type Deadline = SimpleDeadline | { cases: { when: Expression; deadline: SimpleDeadline }[]; else?: SimpleDeadline };

export type GuardDef =
  | string
  | { type: 'expr'; params: { expr: Expression } }
  | { type: 'and' | 'or'; guards: GuardDef[] }
  | { type: 'not'; guard: GuardDef };

export type ActionDef = { type: string; params?: Record<string, unknown> };
export type TransitionObject = { target?: string | string[]; guard?: GuardDef; actions?: ActionDef | ActionDef[]; reenter?: boolean; description?: string };
export type TransitionDef = string | TransitionObject | (string | TransitionObject)[];

export type TaskDef = { id: string; title: Text; role?: string; user?: Expression; due?: Deadline; form?: string; events?: string[] };

export type StateDef = {
  id?: string;
  type?: 'final' | 'parallel' | 'atomic' | 'compound';
  initial?: string;
  states?: Record<string, StateDef>;
  on?: Record<string, TransitionDef>;
  always?: TransitionDef;
  after?: Record<string, TransitionDef>;
  entry?: ActionDef | ActionDef[];
  exit?: ActionDef | ActionDef[];
  tasks?: TaskDef[];
  description?: string;
  meta?: Record<string, unknown>;
};

export type EventDef = { label: Text; roles?: string[]; form?: string; system?: boolean; description?: Text };
export type LadderRung = { roles: string[]; message?: Text };




/** The version a definition carries when the store stamps one on it (`version`), else "0". */
export function versionOf(def: WorkflowDefinition): string {
  const v = (def as { version?: unknown }).version;
  return typeof v === 'string' ? v : '0';
}
