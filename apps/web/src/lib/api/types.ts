import type { Text } from '$lib/i18n/index.svelte.ts';

/** A form definition (schemas/form.schema.json), as far as the UI reads it. */
export type FormField = {
  field: string;
  widget: string;
  label?: Text;
  help?: Text;
  placeholder?: Text;
  options?: { value: string | number; label: Text }[];
  visibleWhen?: string;
  enabledWhen?: string;
  requiredWhen?: string;
  errors?: Record<string, Text>;
  items?: { id: string; label: Text }[];
};
export type FormSection = { id: string; title?: Text; fields: FormField[] };
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  [k: string]: unknown;
};
export type FormDefinition = {
  kind: 'form';
  id: string;
  title: Text;
  description?: Text;
  schema: JsonSchema;
  layout: { sections: FormSection[] };
};

/** A task as `GET /api/tasks` and `GET /api/instances/{id}` answer it, plus names the UI joins in (`estateName`, `workflowTitle`). */
export type TaskRow = {
  id: string;
  key?: string;
  instanceId: string;
  serial?: string;
  title: Text;
  role?: string | null;
  assigneeId?: string | null;
  assigneeName?: string | null;
  estateId?: string;
  estateName?: Text | string;
  workflow?: string;
  workflowTitle?: Text;
  state?: unknown;
  stateLabel?: Text | string;
  grade?: string | null;
  status?: string;
  dueAt?: string | null;
  warnAt?: string | null;
  createdAt?: string;
  form?: string | null;
  events?: string[];
};

/** One SLA clock of an instance, as `GET /api/instances/{id}` answers it (`clocks`). */
export type SlaClock = {
  policy: string;
  metricId: string;
  status: string;
  dueAt: string | null;
  warnAt?: string | null;
  elapsedMs: number;
  remainingMs: number | null;
  budgetMs: number | null;
};

/** One accepted event, as `GET /api/instances/{id}/history` answers it, plus its `label` from the workflow. */
export type HistoryEntry = {
  seq: number;
  type: string;
  label?: Text;
  data?: Record<string, unknown>;
  actorId?: string | null;
  actorName?: string | null;
  actorRole: string;
  at: string;
  state?: unknown;
};

/** An event the caller may send now (`actions` of `GET /api/instances/{id}`). */
export type Action = { type: string; label?: Text; form?: string | null };

/** An instance as `GET /api/instances/{id}` answers it (lists carry the summary fields), plus `estateName` and `history`. */
export type InstanceView = {
  id: string;
  serial: string;
  estateId: string;
  estateName?: Text | string;
  workflow: string;
  title?: Text;
  workflowVersion?: number;
  state: unknown;
  stateLabel?: Text | string;
  status: string;
  grade?: string | null;
  data?: Record<string, unknown>;
  startedAt: string;
  endedAt?: string | null;
  tasks?: TaskRow[];
  actions?: Action[];
  history?: HistoryEntry[];
  clocks?: SlaClock[];
  timers?: { key: string; event: string; dueAt: string }[];
};

/** Whether an SLA clock is past its goal: stopped as breached, or still running with no time left. */
export const isBreached = (c: SlaClock): boolean => c.status === 'breached' || (c.remainingMs ?? 0) < 0;

export type ProcessEntry = {
  key: string;
  estateId: string;
  estateName?: Text | string;
  title: Text;
  version?: number;
  startForm?: string | null;
};
