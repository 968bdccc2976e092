/** The shape of `scenarios/*.scenario.json` (schemas/scenario.schema.json). */
export type Actor = { role: string; id: string };

export type TaskExpectation = string | { id: string; role?: string; user?: string; due?: string };
export type TimerExpectation = string | { id?: string; event?: string; due?: string };
export type Expectation = {
  state?: string | string[];
  status?: 'active' | 'done';
  context?: Record<string, unknown>;
  tasks?: TaskExpectation[];
  timers?: TimerExpectation[];
  effects?: Record<string, unknown>[];
  charges?: Record<string, unknown>[];
  error?: string | { reason: string; field?: string };
};

export type ScenarioStep = {
  title?: { zh: string; en: string };
  at?: string;
  advance?: string;
  send?: string;
  actor?: Actor;
  data?: Record<string, unknown>;
  expect?: Expectation;
};

export type Scenario = {
  $schema?: string;
  kind: 'scenario';
  id: string;
  title: { zh: string; en: string };
  description?: { zh: string; en: string };
  requirements?: string[];
  workflow: string;
  params?: Record<string, unknown>;
  start: { at: string; actor: Actor; data?: Record<string, unknown>; expect?: Expectation };
  steps: ScenarioStep[];
};
