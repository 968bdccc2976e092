import type { Text } from '$lib/i18n/index.svelte.ts';

export type Action = { type: string; params?: Record<string, unknown> };
export type Transition = { target?: string; guard?: unknown; actions?: Action[]; description?: string; reenter?: boolean };
export type StateNode = {
  type?: 'final' | 'parallel';
  initial?: string;
  states?: Record<string, StateNode>;
  on?: Record<string, string | Transition | (string | Transition)[]>;
  always?: string | Transition | (string | Transition)[];
  after?: Record<string, string | Transition | (string | Transition)[]>;
  entry?: Action[];
  exit?: Action[];
  tasks?: TaskDecl[];
  description?: string;
  title?: Text;
  residentTitle?: Text;
  meta?: Record<string, unknown>;
  tags?: string[];
};
export type TaskDecl = { id: string; title: Text; role?: string; user?: string; form?: string; due?: unknown; events?: string[] };
export type EventDecl = { label: Text; roles?: string[]; form?: string; system?: boolean };
export type WorkflowDoc = {
  kind: 'workflow';
  id: string;
  title: Text;
  description?: Text;
  residentDescription?: Text;
  category?: string;
  roles?: string[];
  start?: { form?: string; roles?: string[] };
  guards?: Record<string, string>;
  delays?: Record<string, unknown>;
  /** each timer's zh/en title by delay name (the time-limits panel shows it) */
  timerTitles?: Record<string, Text>;
  events: Record<string, EventDecl>;
  machine: StateNode & { initial: string; states: Record<string, StateNode> };
  [k: string]: unknown;
};

/** The action vocabulary of schemas/README.md; anything else is rejected at upload. */
export const ACTIONS = ['assign', 'openTask', 'assignTask', 'closeTask', 'notify', 'charge', 'startChild', 'schedule', 'cancel', 'escalate', 'recordIncident'] as const;

/** One arrow of the graph: where it is in the document, so the panel can edit it in place. `from`/`to` are dotted state paths. */
export type EdgeRef = { id: string; from: string; to: string; kind: 'on' | 'always' | 'after'; event: string; index: number; path: string; guard: boolean };

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every state as a dotted path (`work`, `work.dispatched`), parents before children. */
export function statePaths(doc: WorkflowDoc): string[] {
  const out: string[] = [];
  const walk = (states: Record<string, StateNode> | undefined, prefix: string) => {
    for (const [k, st] of Object.entries(states ?? {})) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.push(p);
      walk(st.states, p);
    }
  };
  walk(doc.machine.states, '');
  return out;
}

export function stateAt(doc: WorkflowDoc, path: string): StateNode | undefined {
  let node: StateNode | undefined = doc.machine;
  for (const k of path.split('.')) node = node?.states?.[k];
  return node;
}

function pointerOf(path: string): string {
  return '/machine/states/' + path.split('.').join('/states/');
}

/** Resolves an XState target as the engine does: sibling key, `.child`, or `#<id>.<path>`. */
export function resolveTarget(doc: WorkflowDoc, from: string, target: string): string | undefined {
  let p: string;
  if (target.startsWith('#')) {
    const [id, ...rest] = target.slice(1).split('.');
    p = id === doc.id || id === (doc.machine as { id?: string }).id ? rest.join('.') : target.slice(1);
  } else if (target.startsWith('.')) p = `${from}${target}`;
  else p = [...from.split('.').slice(0, -1), target].join('.');
  return stateAt(doc, p) ? p : undefined;
}

/** How to write a target from `from` to `to`: a sibling key when possible, else `#<id>.<path>`. */
export function targetFor(doc: WorkflowDoc, from: string, to: string): string {
  const parent = (s: string) => s.split('.').slice(0, -1).join('.');
  return parent(from) === parent(to) ? to.split('.').at(-1)! : `#${doc.id}.${to}`;
}

/** Every transition whose target resolves, as graph edges. */
export function edgesOf(doc: WorkflowDoc): EdgeRef[] {
  const out: EdgeRef[] = [];
  for (const from of statePaths(doc)) {
    const st = stateAt(doc, from)!;
    const push = (kind: EdgeRef['kind'], event: string, raw: string | Transition | (string | Transition)[] | undefined, base: string) =>
      list(raw).forEach((t, index) => {
        const target = typeof t === 'string' ? t : t.target;
        const to = target ? resolveTarget(doc, from, target) : undefined;
        if (!to) return;
        const path = Array.isArray(raw) ? `${base}/${index}` : base;
        out.push({ id: `${from}|${kind}|${event}|${index}`, from, to, kind, event, index, path, guard: typeof t !== 'string' && t.guard !== undefined });
      });
    const base = pointerOf(from);
    for (const [ev, tr] of Object.entries(st.on ?? {})) push('on', ev, tr, `${base}/on/${ev}`);
    for (const [delay, tr] of Object.entries(st.after ?? {})) push('after', delay, tr, `${base}/after/${delay}`);
    push('always', '', st.always, `${base}/always`);
  }
  return out;
}

/** The transition object an edge points at (a bare target string is widened into one in place). */
export function transitionAt(doc: WorkflowDoc, edge: EdgeRef): Transition | undefined {
  const st = stateAt(doc, edge.from);
  if (!st) return undefined;
  const holder = edge.kind === 'on' ? st.on : edge.kind === 'after' ? st.after : undefined;
  const current = edge.kind === 'always' ? st.always : holder?.[edge.event];
  const items = list(current);
  const item = items[edge.index];
  if (item === undefined) return undefined;
  if (typeof item !== 'string') return item;
  const widened: Transition = { target: item };
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

export function removeState(doc: WorkflowDoc, path: string): void {
  const keys = path.split('.');
  const parent = keys.length > 1 ? stateAt(doc, keys.slice(0, -1).join('.')) : doc.machine;
  if (parent?.states) delete parent.states[keys.at(-1)!];
  for (const from of statePaths(doc)) {
    const st = stateAt(doc, from)!;
    for (const [ev, tr] of Object.entries(st.on ?? {})) {
      const kept = list(tr).filter((t) => {
        const target = typeof t === 'string' ? t : t.target;
        return !target || resolveTarget(doc, from, target) !== undefined;
      });
      if (kept.length === 0) delete st.on![ev];
      else st.on![ev] = kept.length === 1 ? kept[0]! : kept;
    }
  }
  if (!(doc.machine.initial in doc.machine.states)) doc.machine.initial = Object.keys(doc.machine.states)[0] ?? '';
}

/** Adds `from --EVENT--> to`, declaring the event if it is new. */
export function addTransition(doc: WorkflowDoc, from: string, event: string, to: string, label: Text, roles: string[]): boolean {
  const st = stateAt(doc, from);
  if (!st || !stateAt(doc, to) || !/^[A-Z][A-Z0-9_]*$/.test(event)) return false;
  st.on ??= {};
  const existing = list(st.on[event]);
  const t: Transition = { target: targetFor(doc, from, to) };
  st.on[event] = existing.length ? [...existing, t] : t;
  doc.events[event] ??= { label, roles };
  return true;
}

export function removeTransition(doc: WorkflowDoc, edge: EdgeRef): void {
  const st = stateAt(doc, edge.from);
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
    machine: { initial: 'open', states: { open: { title: { zh: '待处理', en: 'Open' }, on: {} }, closed: { title: { zh: '已关闭', en: 'Closed' }, type: 'final' } } },
  };
}

/** A delay `{ after: { amount, unit }, working? }` as the designer edits it (other shapes are kept as they are). */
export type SimpleDelay = { after: { amount: number | string; unit: string }; working?: boolean; calendar?: string };

export function isSimpleDelay(d: unknown): d is SimpleDelay {
  const a = (d as SimpleDelay | undefined)?.after;
  return !!a && typeof a === 'object' && (typeof a.amount === 'number' || typeof a.amount === 'string') && typeof a.unit === 'string';
}

/** An amount as typed: a whole number stays a number, anything else is a CEL expression (`params.x`, `context.months`). */
export function amountOf(text: string): number | string {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** Adds a durable timer on `state`: a named delay and its `after` transition to `to`; answers the delay's name. */
export function addTimer(doc: WorkflowDoc, state: string, delay: SimpleDelay, to: string, name?: string): string | null {
  const st = stateAt(doc, state);
  if (!st || !stateAt(doc, to)) return null;
  doc.delays ??= {};
  let key = name && /^[A-Za-z][A-Za-z0-9_]*$/.test(name) ? name : '';
  if (!key || key in doc.delays) {
    const base = key || `${state.split('.').at(-1)}Timer`;
    let n = 1;
    key = base;
    while (key in doc.delays) key = `${base}${++n}`;
  }
  doc.delays[key] = delay;
  st.after = { ...(st.after ?? {}), [key]: { target: targetFor(doc, state, to) } };
  return key;
}
