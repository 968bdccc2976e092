/**
 * The registry behind the action vocabulary. Actions that change what the instance remembers
 * (context, open tasks, armed timers, ladder rungs) are XState `assign`s; actions the caller must
 * carry out (notify, charge, startChild, recordIncident, escalation notices) are left for the
 * caller: XState's pure `transition()` returns them, and `step` reads them as effects.
 */
import { assign } from 'xstate';
import type { Deadline, Text, WorkflowDefinition } from '../adapters/definitions.ts';
import { resolveDeadlineAt } from '../adapters/deadline.ts';
import { compileExpression, exprMessage, renderText } from '../adapters/expr.ts';
import { EngineFault, engineError } from '../errors.ts';
import { calendarsOf, exprVars } from '../runtime/vars.ts';
import type { MachineContext, Task, Timer } from '../types.ts';

export const LOOP_LIMIT = 100;
type P = Record<string, unknown> & { $path?: string };
type Args = { context: MachineContext; event: { type: string; data?: Record<string, unknown> } };

/** Runs `fn`, turning any expression failure into an `expr-error` naming the definition path. */
export function guarded<T>(path: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EngineFault) throw e;
    const m = exprMessage(e) ?? { zh: e instanceof Error ? e.message : String(e), en: e instanceof Error ? e.message : String(e) };
    throw new EngineFault(engineError('expr-error', { zh: `表达式出错（${path ?? '?'}）：${m.zh}`, en: `Expression failed at ${path ?? '?'}: ${m.en}` }, { path, cause: e }));
  }
}

const evalIn = (a: Args, src: string) => compileExpression(src)(exprVars(a.context, a.event));

/**
 * A task's `user` as its expression yielded it: nothing (null, or an empty text) leaves the task to
 * its role; anything else is kept as text and must be a user of the estate (the caller checks,
 * `checkAssignees`: an unknown one refuses the step instead of a task no inbox shows).
 */
function assignTo(task: Task, value: unknown): void {
  if (value === null || value === undefined || value === '') delete task.user;
  else task.user = String(value);
}

export function createVocabulary(def: WorkflowDefinition) {
  const due = (a: Args, d: Deadline) => resolveDeadlineAt(d, a.context.sys.now, exprVars(a.context, a.event), calendarsOf(a.event), def.calendar);
  const sys = (a: Args, patch: Partial<MachineContext['sys']>) => ({ sys: { ...a.context.sys, ...patch } });
  const setTimer = (a: Args, t: Timer) => sys(a, { timers: { ...a.context.sys.timers, [t.id]: t } });
  const dropTimer = (a: Args, id: string) => {
    if (!(id in a.context.sys.timers)) return {};
    const timers = { ...a.context.sys.timers };
    delete timers[id];
    return sys(a, { timers });
  };
  const effect = () => undefined;

  return {
    actions: {
      'ef.assign': assign((a: Args, p: P) => guarded(p.$path, () => {
        const values = (p.values ?? {}) as Record<string, string>;
        const data = { ...a.context.data };
        for (const [k, src] of Object.entries(values)) data[k] = evalIn({ ...a, context: { ...a.context, data } }, src);
        return { data };
      })),
      'ef.openTask': assign((a: Args, p: P) => guarded(p.$path, () => {
        const title = p.title as Text;
        const shown = title.zh.includes('{{') || title.en.includes('{{') ? renderText(title, exprVars(a.context, a.event)) : title;
        const task: Task = { id: String(p.id), title: shown, openedAt: a.context.sys.now };
        if (typeof p.role === 'string') task.role = p.role;
        if (typeof p.user === 'string') assignTo(task, evalIn(a, p.user));
        if (p.due) {
          task.due = due(a, p.due as Deadline);
          task.dueBy = p.due as Deadline;
        }
        if (typeof p.form === 'string') task.form = p.form;
        if (Array.isArray(p.events)) task.events = p.events as string[];
        return sys(a, { tasks: { ...a.context.sys.tasks, [task.id]: task } });
      })),
      'ef.assignTask': assign((a: Args, p: P) => guarded(p.$path, () => {
        const cur = a.context.sys.tasks[String(p.id)];
        if (!cur) return {};
        const next: Task = { ...cur };
        if (typeof p.role === 'string') { next.role = p.role; delete next.user; }
        if (typeof p.user === 'string') assignTo(next, evalIn(a, p.user));
        return sys(a, { tasks: { ...a.context.sys.tasks, [next.id]: next } });
      })),
      'ef.closeTask': assign((a: Args, p: P) => {
        const id = String(p.id);
        if (!(id in a.context.sys.tasks)) return {};
        const tasks = { ...a.context.sys.tasks };
        delete tasks[id];
        return sys(a, { tasks });
      }),
      'ef.armTimer': assign((a: Args, p: P) => guarded(p.$path, () =>
        setTimer(a, { id: String(p.id), due: due(a, def.delays![String(p.delay)]!), event: { type: String(p.event) }, from: a.context.sys.now, delay: String(p.delay) }))),
      'ef.cancelTimer': assign((a: Args, p: P) => dropTimer(a, String(p.id))),
      'ef.schedule': assign((a: Args, p: P) => guarded(p.$path, () => {
        const data: Record<string, unknown> = {};
        for (const [k, src] of Object.entries((p.data ?? {}) as Record<string, string>)) data[k] = evalIn(a, src);
        return setTimer(a, { id: `schedule:${String(p.id)}`, due: due(a, p.deadline as Deadline), event: { type: String(p.event), data } });
      })),
      'ef.cancel': assign((a: Args, p: P) => dropTimer(a, `schedule:${String(p.id)}`)),
      'ef.escalate': assign((a: Args, p: P) => {
        const name = String(p.ladder);
        const rungs = def.ladders?.[name] ?? [];
        const cur = a.context.sys.ladders[name] ?? -1;
        return sys(a, { ladders: { ...a.context.sys.ladders, [name]: Math.min(cur + 1, rungs.length - 1) } });
      }),
      'ef.loop': assign((a: Args, p: P) => {
        const loops = a.context.sys.loops + 1;
        if (loops > LOOP_LIMIT) {
          throw new EngineFault(engineError('loop-limit', {
            zh: `无事件转移连续执行超过 ${LOOP_LIMIT} 次（${p.$path}），定义可能存在死循环`,
            en: `Eventless transitions ran more than ${LOOP_LIMIT} times (${p.$path}); the definition loops`,
          }, { path: p.$path }));
        }
        return sys(a, { loops });
      }),
      'ef.notify': effect,
      'ef.charge': effect,
      'ef.startChild': effect,
      'ef.recordIncident': effect,
      'ef.escalated': effect,
      'ef.mark': effect,
      'ef.enter': effect,
    },
    guards: {
      'ef.expr': (a: Args, p: P) => guarded(p.$path, () => evalIn(a, String(p.expr)) === true),
    },
  };
}
