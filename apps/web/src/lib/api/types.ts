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

export type TaskRow = {
  id: string;
  key?: string;
  instanceId: string;
  serial?: string;
  title: Text;
  role?: string | null;
  userId?: string | null;
  assigneeId?: string | null;
  assigneeName?: string | null;
  estateId?: string;
  estateName?: Text | string;
  workflowKey?: string;
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

export type SlaClock = {
  metric: string;
  title?: Text;
  status: string;
  dueAt?: string | null;
  warnAt?: string | null;
  elapsedMs?: number;
  remainingMs?: number;
  breached?: boolean;
};

export type HistoryEntry = {
  seq: number;
  type: string;
  label?: Text;
  data?: Record<string, unknown>;
  actorId?: string | null;
  actorName?: string | null;
  actorRole: string;
  at: string;
  stateAfter?: unknown;
};

export type AllowedAction = { event: string; label?: Text; form?: string | null; formDefinition?: FormDefinition | null };

export type InstanceView = {
  id: string;
  serial: string;
  estateId: string;
  estateName?: Text | string;
  workflowKey: string;
  workflowTitle?: Text;
  workflowVersion?: number;
  state: unknown;
  stateLabel?: Text | string;
  status: string;
  grade?: string | null;
  context?: Record<string, unknown>;
  startedAt: string;
  endedAt?: string | null;
  tasks?: TaskRow[];
  allowed?: AllowedAction[];
  history?: HistoryEntry[];
  sla?: SlaClock[];
  timers?: { key: string; event: string; dueAt: string }[];
};

export type ProcessEntry = {
  key: string;
  estateId: string;
  estateName?: Text | string;
  title: Text;
  version?: number;
  startForm?: string | null;
  startFormDefinition?: FormDefinition | null;
};
