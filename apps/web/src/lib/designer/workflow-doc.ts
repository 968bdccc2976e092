import type { Text } from '$lib/i18n/index.svelte.ts';

export type Action = { type: string; params?: Record<string, unknown> };
export type Transition = { target?: string; guard?: unknown; actions?: Action[]; description?: string };
export type StateNode = {
  type?: 'final' | 'parallel';
  initial?: string;
  states?: Record<string, StateNode>;
  on?: Record<string, string | Transition | (string | Transition)[]>;
  always?: string | Transition | (string | Transition)[];
  after?: Record<string, string | Transition | (string | Transition)[]>;
  entry?: Action[];
  exit?: Action[];
  tasks?: { id: string; title: Text; role?: string; form?: string; due?: unknown; events?: string[] }[];
  description?: string;
  meta?: Record<string, unknown>;
};
export type EventDecl = { label: Text; roles?: string[]; form?: string; system?: boolean };
export type WorkflowDoc = {
  kind: 'workflow';
  id: string;
  title: Text;
  description?: Text;
  roles?: string[];
  start?: { form?: string; roles?: string[] };
  guards?: Record<string, string>;
  delays?: Record<string, unknown>;
  events: Record<string, EventDecl>;
  machine: StateNode & { initial: string; states: Record<string, StateNode> };
  [k: string]: unknown;
};

/** The action vocabulary of schemas/README.md; anything else is rejected at upload. */
export const ACTIONS = ['assign', 'openTask', 'assignTask', 'closeTask', 'notify', 'charge', 'startChild', 'schedule', 'cancel', 'escalate', 'recordIncident'] as const;

/** One arrow of the graph: where it is in the document, so the panel can edit it in place. */
export type EdgeRef = { id: string; from: string; to: string; kind: 'on' | 'always' | 'after'; event: string; index: number; path: string; guard: boolean };

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every top-level transition with a sibling target, as graph edges. */
export function edgesOf(doc: WorkflowDoc): EdgeRef[] {
  const out: EdgeRef[] = [];
  for (const [from, st] of Object.entries(doc.machine.states)) {
    const push = (kind: EdgeRef['kind'], event: string, raw: string | Transition | (string | Transition)[] | undefined, base: string) =>
      list(raw).forEach((t, index) => {
        const target = typeof t === 'string' ? t : t.target;
        if (!target || !(target in doc.machine.states)) return;
        const path = Array.isArray(raw) ? `${base}/${index}` : base;
        out.push({ id: `${from}|${kind}|${event}|${index}`, from, to: target, kind, event, index, path, guard: typeof t !== 'string' && t.guard !== undefined });
      });
    for (const [ev, tr] of Object.entries(st.on ?? {})) push('on', ev, tr, `/machine/states/${from}/on/${ev}`);
    for (const [delay, tr] of Object.entries(st.after ?? {})) push('after', delay, tr, `/machine/states/${from}/after/${delay}`);
    push('always', '', st.always, `/machine/states/${from}/always`);
  }
  return out;
}

/** The transition object an edge points at (a bare target string is widened into one in place). */
export function transitionAt(doc: WorkflowDoc, edge: EdgeRef): Transition | undefined {
  const st = doc.machine.states[edge.from];
  if (!st) return undefined;
  const holder = edge.kind === 'on' ? st.on : edge.kind === 'after' ? st.after : undefined;
  const current = edge.kind === 'always' ? st.always : holder?.[edge.event];
  const items = list(current);
  const item = items[edge.index];
  if (item === undefined) return undefined;
  const widened: Transition = typeof item === 'string' ? { target: item } : item;
  items[edge.index] = widened;
  const next = Array.isArray(current) ? items : widened;
  if (edge.kind === 'always') st.always = next;
  else if (holder) holder[edge.event] = next;
  return widened;
}

export function addState(doc: WorkflowDoc, name: string, final = false): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name in doc.machine.states) return false;
  doc.machine.states[name] = final ? { type: 'final' } : { on: {} };
  return true;
}

export function removeState(doc: WorkflowDoc, name: string): void {
  delete doc.machine.states[name];
  for (const st of Object.values(doc.machine.states)) {
    for (const [ev, tr] of Object.entries(st.on ?? {})) {
      const kept = list(tr).filter((t) => (typeof t === 'string' ? t : t.target) !== name);
      if (kept.length === 0) delete st.on![ev];
      else st.on![ev] = kept.length === 1 ? kept[0]! : kept;
    }
  }
  if (doc.machine.initial === name) doc.machine.initial = Object.keys(doc.machine.states)[0] ?? '';
}

/** Adds `from --EVENT--> to`, declaring the event if it is new. */
export function addTransition(doc: WorkflowDoc, from: string, event: string, to: string, label: Text, roles: string[]): boolean {
  const st = doc.machine.states[from];
  if (!st || !(to in doc.machine.states) || !/^[A-Z][A-Z0-9_]*$/.test(event)) return false;
  st.on ??= {};
  const existing = list(st.on[event]);
  st.on[event] = existing.length ? [...existing, { target: to }] : { target: to };
  doc.events[event] ??= { label, roles };
  return true;
}

export function removeTransition(doc: WorkflowDoc, edge: EdgeRef): void {
  const st = doc.machine.states[edge.from];
  if (!st) return;
  if (edge.kind === 'always') {
    const kept = list(st.always).filter((_, i) => i !== edge.index);
    st.always = kept.length ? kept : undefined;
    return;
  }
  const holder = edge.kind === 'on' ? st.on : st.after;
  if (!holder) return;
  const kept = list(holder[edge.event]).filter((_, i) => i !== edge.index);
  if (kept.length === 0) delete holder[edge.event];
  else holder[edge.event] = kept.length === 1 ? kept[0]! : kept;
}

export function emptyWorkflow(id: string): WorkflowDoc {
  return {
    kind: 'workflow',
    id,
    title: { zh: '新流程', en: 'New workflow' },
    roles: ['dispatcher'],
    start: { roles: ['dispatcher'] },
    events: {},
    machine: { initial: 'open', states: { open: { on: {} }, closed: { type: 'final' } } },
  };
}
