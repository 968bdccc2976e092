/**
 * A task's assignee is an expression (`user`) that must yield a user id of the estate where the
 * instance runs. Which users exist is the caller's knowledge (the engine reads no database): the
 * caller asks `assigneesOf(outcome)`, looks them up, and `checkAssignees` turns an unknown one
 * into an `expr-error` naming the task, the expression and its place in the definition, instead
 * of a task stored with no assignee that appears in no inbox.
 */
import type { CompiledWorkflow } from '../compile/compile.ts';
import type { XStateNode } from '../compile/rewrite.ts';
import { engineError, type EngineError } from '../errors.ts';
import type { Outcome, Task } from '../types.ts';

/** Where a task's assignee can come from: the `user` expression and its JSON pointer in the definition. */
export type AssigneeSource = { expression: string; path: string };

const sources = new WeakMap<CompiledWorkflow, Map<string, AssigneeSource[]>>();

/** Task id → every `user` expression that may set its assignee (state tasks, openTask, assignTask). */
function sourcesOf(compiled: CompiledWorkflow): Map<string, AssigneeSource[]> {
  let found = sources.get(compiled);
  if (found) return found;
  const map = new Map<string, AssigneeSource[]>();
  found = map;
  const visit = (node: XStateNode): void => {
    const transitions = [...Object.values(node.on ?? {}).flat(), ...(node.always ?? [])];
    for (const a of [...(node.entry ?? []), ...(node.exit ?? []), ...transitions.flatMap((t) => t.actions)]) {
      if ((a.type === 'ef.openTask' || a.type === 'ef.assignTask') && typeof a.params.user === 'string') {
        const id = String(a.params.id);
        const list = map.get(id) ?? [];
        list.push({ expression: a.params.user, path: `${String(a.params.$path ?? '')}/user` });
        map.set(id, list);
      }
    }
    for (const child of Object.values(node.states ?? {})) visit(child);
  };
  visit(compiled.shape.config);
  sources.set(compiled, found);
  return found;
}

/** The tasks the outcome opens or reassigns to a user, with that user. */
function assigned(outcome: Pick<Outcome, 'tasks'>): Task[] {
  return [...outcome.tasks.open, ...outcome.tasks.assign].filter((t) => t.user !== undefined);
}

/** The user ids the outcome's tasks are assigned to (to look up before `checkAssignees`). */
export function assigneesOf(outcome: Pick<Outcome, 'tasks'>): string[] {
  return [...new Set(assigned(outcome).map((t) => t.user!))];
}

/**
 * The first task the outcome assigns to something `isUser` does not accept, as an `expr-error`
 * naming the task, the value, the expression and its path (zh/en); undefined when all are users. Pure.
 * @example const e = checkAssignees(wf, outcome, (id) => members.has(id)); if (e) refuse(e);
 */
export function checkAssignees(compiled: CompiledWorkflow, outcome: Pick<Outcome, 'tasks'>, isUser: (id: string) => boolean): EngineError | undefined {
  const bad = assigned(outcome).find((t) => !isUser(t.user!));
  if (!bad) return undefined;
  const from = sourcesOf(compiled).get(bad.id) ?? [];
  const expression = from.map((s) => s.expression).join(' | ') || '?';
  const path = from[0]?.path;
  const value = JSON.stringify(bad.user);
  return engineError('expr-error', {
    zh: `任务“${bad.id}”的处理人表达式 ${expression} 得到 ${value}，不是本项目的用户：任务没有创建`,
    en: `Task "${bad.id}": its assignee expression ${expression} gave ${value}, which is not a user of this estate; the task was not created`,
  }, path !== undefined ? { path } : {});
}
