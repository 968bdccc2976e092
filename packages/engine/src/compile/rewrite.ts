/**
 * Turns a workflow's JSON machine into an XState config that only uses the engine's registry:
 * `after` becomes a transition on a synthetic timer event (timers are durable rows, never
 * in-memory delays), state `tasks` become open/close actions, every transition is marked for
 * coverage, and eventless transitions count towards the loop limit.
 */
import type { ActionDef, GuardDef, StateDef, TransitionDef, TransitionObject, WorkflowDefinition } from '../adapters/definitions.ts';
import { DefinitionError } from '../errors.ts';
import { assertActionName, closest } from './vocabulary-names.ts';

type XAction = { type: string; params: Record<string, unknown> };
type XTransition = { target?: string | string[]; guard?: XAction; actions: XAction[]; reenter?: boolean };
export type XStateNode = {
  id?: string;
  type?: string;
  initial?: string;
  states?: Record<string, XStateNode>;
  on?: Record<string, XTransition[]>;
  always?: XTransition[];
  entry?: XAction[];
  exit?: XAction[];
  description?: string;
  meta?: Record<string, unknown>;
};

export type MachineShape = {
  config: XStateNode;
  /** state key (dot path) → event types it handles, own transitions only */
  handles: Map<string, Set<string>>;
  stateIds: string[];
  transitionIds: string[];
};

/** The synthetic event an `after` entry listens to. */
export const timerEventType = (stateKey: string, delay: string) => `timer.${stateKey || '(root)'}.${delay}`;
export const afterTimerId = (stateKey: string, delay: string) => `after:${stateKey || '(root)'}:${delay}`;

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function guardToExpr(def: WorkflowDefinition, g: GuardDef, path: string): string {
  if (typeof g === 'string') {
    const expr = def.guards?.[g];
    if (expr === undefined) {
      const hint = closest(g, Object.keys(def.guards ?? {}));
      throw new DefinitionError(path, {
        zh: `未声明的条件“${g}”${hint ? `，是否为“${hint}”？` : '，请在 guards 中声明'}`,
        en: `Unknown guard "${g}"${hint ? `. Did you mean "${hint}"?` : '; declare it under "guards"'}`,
      });
    }
    return `(${expr})`;
  }
  switch (g.type) {
    case 'expr':
      return `(${g.params.expr})`;
    case 'and':
    case 'or':
      return `(${g.guards.map((x, i) => guardToExpr(def, x, `${path}/guards/${i}`)).join(g.type === 'and' ? ' && ' : ' || ')})`;
    case 'not':
      return `!${guardToExpr(def, g.guard, `${path}/guard`)}`;
    default:
      throw new DefinitionError(path, { zh: '无法识别的条件', en: 'Unrecognised guard' });
  }
}

function mapActions(def: WorkflowDefinition, actions: ActionDef | ActionDef[] | undefined, path: string): XAction[] {
  const out: XAction[] = [];
  asArray(actions).forEach((a, i) => {
    const p = `${path}/${i}`;
    assertActionName(a.type, `${p}/type`);
    const params = { ...(a.params ?? {}), $path: p };
    if (a.type === 'escalate') {
      const ladder = String(a.params?.ladder);
      if (!def.ladders?.[ladder]) {
        throw new DefinitionError(`${p}/params/ladder`, { zh: `未声明的升级阶梯“${ladder}”`, en: `Unknown ladder "${ladder}"; declare it under "ladders"` });
      }
      out.push({ type: 'ef.escalate', params }, { type: 'ef.escalated', params });
    } else out.push({ type: `ef.${a.type}`, params });
  });
  return out;
}

function checkTarget(siblings: Record<string, StateDef>, target: string, path: string) {
  if (target.startsWith('#') || target.startsWith('.')) return;
  const key = target.split('.')[0]!;
  if (!(key in siblings)) {
    const hint = closest(key, Object.keys(siblings));
    throw new DefinitionError(path, {
      zh: `目标状态“${target}”不存在${hint ? `，是否为“${hint}”？` : ''}`,
      en: `Unknown target state "${target}"${hint ? `. Did you mean "${hint}"?` : ''}`,
    });
  }
}

type Ctx = { def: WorkflowDefinition; shape: MachineShape };

function mapTransitions(c: Ctx, t: TransitionDef, path: string, id: string, siblings: Record<string, StateDef>, loop: boolean): XTransition[] {
  return asArray(t).map((raw, i) => {
    const o: TransitionObject = typeof raw === 'string' ? { target: raw } : raw;
    const tp = Array.isArray(t) ? `${path}/${i}` : path;
    const tid = `${id}#${i}`;
    c.shape.transitionIds.push(tid);
    for (const target of asArray(o.target)) checkTarget(siblings, target, `${tp}/target`);
    const actions: XAction[] = [{ type: 'ef.mark', params: { t: tid } }];
    if (loop) actions.push({ type: 'ef.loop', params: { $path: tp } });
    actions.push(...mapActions(c.def, o.actions, `${tp}/actions`));
    const x: XTransition = { actions };
    if (o.target !== undefined) x.target = o.target;
    if (o.reenter !== undefined) x.reenter = o.reenter;
    if (o.guard !== undefined) x.guard = { type: 'ef.expr', params: { expr: guardToExpr(c.def, o.guard, `${tp}/guard`), $path: `${tp}/guard` } };
    return x;
  });
}

function mapState(c: Ctx, s: StateDef, key: string[], path: string, siblings: Record<string, StateDef>): XStateNode {
  const k = key.join('.');
  c.shape.stateIds.push(k);
  const handles = new Set<string>();
  c.shape.handles.set(k, handles);
  const node: XStateNode = {};
  if (s.id) node.id = s.id;
  if (s.type) node.type = s.type;
  if (s.initial) node.initial = s.initial;
  if (s.description) node.description = s.description;
  if (s.meta) node.meta = s.meta;
  const entry: XAction[] = [{ type: 'ef.enter', params: { state: k } }];
  const exit: XAction[] = [];
  (s.tasks ?? []).forEach((t, i) => {
    entry.push({ type: 'ef.openTask', params: { ...t, $path: `${path}/tasks/${i}` } });
    exit.push({ type: 'ef.closeTask', params: { id: t.id, $path: `${path}/tasks/${i}` } });
  });
  const on: Record<string, XTransition[]> = {};
  for (const [type, t] of Object.entries(s.on ?? {})) {
    if (!c.def.events[type]) {
      const hint = closest(type, Object.keys(c.def.events));
      throw new DefinitionError(`${path}/on/${esc(type)}`, {
        zh: `事件“${type}”未在 events 中声明${hint ? `，是否为“${hint}”？` : ''}`,
        en: `Event "${type}" is not declared under "events"${hint ? `. Did you mean "${hint}"?` : ''}`,
      });
    }
    handles.add(type);
    on[type] = mapTransitions(c, t, `${path}/on/${esc(type)}`, `${k}:${type}`, siblings, false);
  }
  for (const [delay, t] of Object.entries(s.after ?? {})) {
    if (!c.def.delays?.[delay]) {
      const hint = closest(delay, Object.keys(c.def.delays ?? {}));
      throw new DefinitionError(`${path}/after/${esc(delay)}`, {
        zh: `未声明的延时“${delay}”（after 只能引用 delays 中的名称）${hint ? `，是否为“${hint}”？` : ''}`,
        en: `Unknown delay "${delay}" (after keys must be names from "delays")${hint ? `. Did you mean "${hint}"?` : ''}`,
      });
    }
    const type = timerEventType(k, delay);
    handles.add(type);
    on[type] = mapTransitions(c, t, `${path}/after/${esc(delay)}`, `${k}:after.${delay}`, siblings, false);
    entry.push({ type: 'ef.armTimer', params: { id: afterTimerId(k, delay), delay, event: type, $path: `${path}/after/${esc(delay)}` } });
    exit.push({ type: 'ef.cancelTimer', params: { id: afterTimerId(k, delay) } });
  }
  entry.push(...mapActions(c.def, s.entry, `${path}/entry`));
  node.entry = entry;
  node.exit = [...mapActions(c.def, s.exit, `${path}/exit`), ...exit];
  if (Object.keys(on).length) node.on = on;
  if (s.always !== undefined) node.always = mapTransitions(c, s.always, `${path}/always`, `${k}:always`, siblings, true);
  if (s.states) {
    if (s.type !== 'parallel' && s.initial && !(s.initial in s.states)) {
      throw new DefinitionError(`${path}/initial`, { zh: `初始状态“${s.initial}”不存在`, en: `Initial state "${s.initial}" does not exist` });
    }
    node.states = {};
    for (const [name, child] of Object.entries(s.states)) {
      node.states[name] = mapState(c, child, [...key, name], `${path}/states/${esc(name)}`, s.states);
    }
  }
  return node;
}

/** Rewrites the definition's machine; throws DefinitionError with a JSON pointer on bad input. */
export function rewriteMachine(def: WorkflowDefinition): MachineShape {
  const shape: MachineShape = { config: {}, handles: new Map(), stateIds: [], transitionIds: [] };
  shape.config = mapState({ def, shape }, def.machine as StateDef, [], '/machine', {});
  return shape;
}
