/**
 * Reads what a transition asks of the caller: effects and charges from the actions XState's
 * `transition()` returned (evaluated against the context each action saw), task and timer
 * changes by comparing the snapshot's bookkeeping before and after.
 */
import type { Text, WorkflowDefinition } from '../adapters/definitions.ts';
import { compileExpression, renderText } from '../adapters/expr.ts';
import { guarded } from '../compile/vocabulary.ts';
import type { Actor, Charge, Effect, MachineContext, Recipient, SystemContext, Task, TaskChanges, TimerChanges } from '../types.ts';
import { exprVars } from './vars.ts';

type Returned = { type: string; params: unknown; info: { context: unknown; event: unknown } };
type P = Record<string, unknown> & { $path?: string };

export type ReadActions = { effects: Effect[]; charges: Charge[]; transitions: string[]; entered: string[] };

export function readActions(def: WorkflowDefinition, actions: readonly Returned[]): ReadActions {
  const out: ReadActions = { effects: [], charges: [], transitions: [], entered: [] };
  for (const a of actions) {
    const p = (a.params ?? {}) as P;
    const ctx = a.info.context as MachineContext;
    const vars = () => exprVars(ctx, a.info.event as { type: string; data?: Record<string, unknown> });
    const run = <T>(fn: () => T) => guarded(p.$path, fn);
    switch (a.type) {
      case 'ef.mark':
        out.transitions.push(String(p.t));
        break;
      case 'ef.enter':
        out.entered.push(String(p.state));
        break;
      case 'ef.notify': {
        const to = (p.to ?? {}) as Recipient & { user?: string };
        const resolved: Recipient = {};
        if (to.role) resolved.role = to.role;
        if (to.user) resolved.user = String(run(() => compileExpression(to.user!)(vars())));
        if (to.resident) resolved.resident = true;
        if (to.residents) resolved.residents = to.residents;
        out.effects.push({ kind: 'notify', to: resolved, message: run(() => renderText(p.message as Text, vars())), channel: String(p.channel ?? 'app') });
        break;
      }
      case 'ef.charge': {
        const amount = run(() => compileExpression(String(p.amount))(vars()));
        if (typeof amount !== 'number' || !Number.isInteger(amount)) {
          run(() => { throw new Error(`charge amount must be an integer of fen, got ${JSON.stringify(amount)}`); });
        }
        const charge: Charge = { item: String(p.item), amountFen: amount as number, serial: String(ctx.data.serial ?? ctx.sys.instanceId) };
        if (p.description) charge.description = run(() => renderText(p.description as Text, vars()));
        if (p.billing === 'at-once' || p.billing === 'next-cycle') charge.billing = p.billing;
        if (typeof p.onPaid === 'string') charge.onPaid = p.onPaid;
        out.charges.push(charge);
        break;
      }
      case 'ef.startChild': {
        const input: Record<string, unknown> = {};
        for (const [k, src] of Object.entries((p.input ?? {}) as Record<string, string>)) input[k] = run(() => compileExpression(src)(vars()));
        const workflow = String(p.workflow);
        out.effects.push({ kind: 'startChild', workflow, input, doneEvent: String(p.doneEvent), childId: `${ctx.sys.instanceId}/${workflow}/${ctx.sys.seq}` });
        break;
      }
      case 'ef.recordIncident': {
        const e: Effect = { kind: 'incident', incidentKind: String(p.kind), summary: run(() => renderText(p.summary as Text, vars())) };
        if (typeof p.severity === 'string') e.severity = run(() => compileExpression(p.severity as string)(vars()));
        out.effects.push(e);
        break;
      }
      case 'ef.escalated': {
        const ladder = String(p.ladder);
        const rung = ctx.sys.ladders[ladder] ?? 0;
        const step = def.ladders?.[ladder]?.[rung];
        const message = (p.message as Text | undefined) ?? step?.message;
        const e: Effect = { kind: 'escalate', ladder, rung, roles: step?.roles ?? [] };
        if (message) e.message = run(() => renderText(message, vars()));
        out.effects.push(e);
        for (const role of step?.roles ?? []) {
          if (message) out.effects.push({ kind: 'notify', to: { role }, message: e.message!, channel: 'app' });
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/**
 * Whether a task closed by `event` was done: its holder (the person it is assigned to, or anyone of
 * its role) sent one of the task's own events (what its form and buttons send). Otherwise it closed
 * because the request moved on without it (a resident's cancel, a withdrawal, a timer, another
 * role's action): cancelled, not done. So a dispatcher's 分类派单 that lists CANCEL is not done by
 * the resident cancelling the repair. A task that names no events cannot be told apart: done.
 */
export const taskDoneBy = (task: Task, event: string, actor?: Actor): boolean =>
  !task.events?.length
  || (task.events.includes(event) && (!actor || (!task.user && !task.role) || actor.id === task.user || actor.role === task.role));

/** The tasks `event` opened, reassigned and closed (done or cancelled, `taskDoneBy`) between two contexts. */
export function diffTasks(before: SystemContext, after: SystemContext, event: string, actor?: Actor): TaskChanges {
  const out: TaskChanges = { open: [], assign: [], close: [], cancel: [] };
  const closed = (t: Task) => (taskDoneBy(t, event, actor) ? out.close : out.cancel).push(t);
  for (const [id, t] of Object.entries(after.tasks)) {
    const old = before.tasks[id];
    if (!old || old.openedAt !== t.openedAt) {
      if (old) closed(old);
      out.open.push(t);
    } else if (old.role !== t.role || old.user !== t.user) out.assign.push(t);
  }
  for (const [id, t] of Object.entries(before.tasks)) if (!(id in after.tasks)) closed(t);
  return out;
}

export function diffTimers(before: SystemContext, after: SystemContext): TimerChanges {
  const out: TimerChanges = { arm: [], cancel: [] };
  for (const [id, t] of Object.entries(after.timers)) {
    const old = before.timers[id];
    if (!old || old.due !== t.due || old.event.type !== t.event.type) {
      if (old) out.cancel.push(id);
      out.arm.push(t);
    }
  }
  for (const id of Object.keys(before.timers)) if (!(id in after.timers)) out.cancel.push(id);
  return out;
}
