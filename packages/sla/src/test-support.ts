import { type CalendarDocument, createCalendarRegistry, type TimeRange } from '@estateflow/calendar';
import { evaluateExpr } from '@estateflow/expr';
import type { SlaEvaluate } from './sla-clock.ts';

const split: readonly TimeRange[] = [['08:30', '12:00'], ['13:30', '17:30']];

export const officeCalendar: CalendarDocument = {
  kind: 'calendar',
  id: 'cn-office',
  title: { zh: '公司办公日历', en: 'Company office calendar' },
  inherits: 'cn-statutory',
  week: { mon: split, tue: split, wed: split, thu: split, fri: split },
};

export const calendars = createCalendarRegistry([officeCalendar]);

/** Shanghai wall-clock time to an instant: sh('2026-09-25T17:50') */
export const sh = (local: string): Date => new Date(`${local}:00+08:00`);

/** The product evaluator (@estateflow/expr), with an estate's parameter values bound. */
export function evaluatorWith(params: Record<string, unknown> = {}): SlaEvaluate {
  return (expr, scope) => evaluateExpr(expr, { event: scope.event, context: scope.context, params, now: scope.now });
}

/** A deadline evaluator over a fixed context, for resolveDeadline. */
export function contextEvaluator(context: Record<string, unknown>, params: Record<string, unknown> = {}): (expr: string) => unknown {
  return (expr) => evaluateExpr(expr, { context, params });
}
