/**
 * Seam to `@estateflow/definitions`: the shapes of the definitions the engine reads.
 * Kept loose on purpose: definitions are validated against schemas/*.schema.json before they
 * reach the engine; the engine only relies on the fields below.
 */
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

export type WorkflowDefinition = {
  kind: 'workflow';
  id: string;
  version?: string;
  title: Text;
  roles?: string[];
  calendar?: string;
  params?: Record<string, { schema?: unknown; default?: unknown; title?: Text }>;
  context?: Record<string, unknown>;
  start?: { form?: string; roles?: string[] };
  guards?: Record<string, Expression>;
  delays?: Record<string, Deadline>;
  ladders?: Record<string, LadderRung[]>;
  events: Record<string, EventDef>;
  machine: StateDef;
  requirements?: string[];
};

export type FormDefinition = {
  kind: 'form';
  id: string;
  title: Text;
  schema: Record<string, unknown>;
  layout?: unknown;
};
