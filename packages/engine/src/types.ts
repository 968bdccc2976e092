import type { Deadline, Text } from './adapters/definitions.ts';

export type Actor = { id: string; role: string };

/** An open task, as kept in the snapshot. */
export type Task = {
  id: string;
  title: Text;
  role?: string;
  user?: string;
  due?: string;
  /** the deadline `due` was computed from (at `openedAt`), kept so a calendar published later can re-time it */
  dueBy?: Deadline;
  form?: string;
  events?: string[];
  openedAt: string;
};

/** A durable timer, as kept in the snapshot: fires `event` at `due`. */
/**
 * A durable timer the instance holds. One armed from a named delay also keeps the instant it was
 * armed (`from`) and the delay's name, so a calendar published later can re-time it (`retimeTimers`).
 */
export type Timer = { id: string; due: string; event: { type: string; data?: Record<string, unknown> }; from?: string; delay?: string };

/** Engine bookkeeping kept beside the instance data in the machine context. */
export type SystemContext = {
  instanceId: string;
  startedAt: string;
  params: Record<string, unknown>;
  now: string;
  actor: Actor;
  tasks: Record<string, Task>;
  timers: Record<string, Timer>;
  ladders: Record<string, number>;
  loops: number;
  seq: number;
  parent?: { instanceId: string; doneEvent: string };
};

export type MachineContext = { data: Record<string, unknown>; sys: SystemContext };

/** The persisted snapshot: plain JSON, stored as jsonb. */
export type EngineSnapshot = {
  workflow: { id: string; version: string };
  status: 'active' | 'done' | 'error' | 'stopped';
  value: unknown;
  context: MachineContext;
  historyValue?: unknown;
  output?: unknown;
};

/** Something the caller must do; the engine executes none of these. */
/** Who a notice is for: a role, a user id, the request's resident, or every resident of its building or estate (a public notice). */
export type Recipient = { role?: string; user?: string; resident?: boolean; residents?: 'building' | 'estate' };

export type Effect =
  | { kind: 'notify'; to: Recipient; message: Text; channel: string }
  | { kind: 'incident'; incidentKind: string; severity?: unknown; summary: Text }
  | { kind: 'startChild'; workflow: string; input: Record<string, unknown>; doneEvent: string; childId: string }
  | { kind: 'escalate'; ladder: string; rung: number; roles: string[]; message?: Text }
  | { kind: 'parentDone'; parent: { instanceId: string; doneEvent: string }; output?: unknown };

/** A billable line: billed at once as its own bill or joined to the next cycle (`billing`; unset: the plan's default), and the system event billing sends back once it is paid (`onPaid`). */
export type Charge = { item: string; amountFen: number; serial: string; description?: Text; billing?: 'at-once' | 'next-cycle'; onPaid?: string };

/** Tasks one step opened, reassigned and closed: `close` those done, `cancel` those cancelled (`taskDoneBy`, runtime/outcome.ts, says which). */
export type TaskChanges = { open: Task[]; assign: Task[]; close: Task[]; cancel: Task[] };
export type TimerChanges = { arm: Timer[]; cancel: string[] };

/** One line of the append-only history: enough to replay the instance. */
export type HistoryEntry = {
  seq: number;
  at: string;
  actor: Actor;
  event: { type: string; data: Record<string, unknown> };
  timer?: { id: string; due: string };
  from: unknown;
  to: unknown;
};

export type StartInput = {
  now: string;
  actor: Actor;
  data?: Record<string, unknown>;
  params?: Record<string, unknown>;
  calendars?: Record<string, unknown>;
  instanceId: string;
  parent?: { instanceId: string; doneEvent: string };
};

export type StepOptions = { now: string; actor: Actor; calendars?: Record<string, unknown>; params?: Record<string, unknown> };

/** An event sent to an instance; timer events carry the timer they come from. */
export type EngineEvent = { type: string; data?: Record<string, unknown>; timer?: { id: string; due: string } };

export type Outcome = {
  snapshot: EngineSnapshot;
  history: HistoryEntry;
  effects: Effect[];
  charges: Charge[];
  tasks: TaskChanges;
  timers: TimerChanges;
  transitions: string[];
  entered: string[];
  stale?: boolean;
};

export type { Deadline };
