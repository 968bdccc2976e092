/**
 * Seam to `@estateflow/sla` `resolveDeadline`: calendar and working time on the business
 * calendars (cn-statutory built in), CEL amounts and cases evaluated against the instance.
 */
import { resolveDeadline, type Deadline as SlaDeadline } from '@estateflow/sla';
import type { Deadline } from './definitions.ts';
import { compileExpression, type ExprVars } from './expr.ts';

export type CalendarMap = Record<string, unknown>;

/** When a deadline armed at `from` falls due (ISO string). */
export function resolveDeadlineAt(deadline: Deadline, from: string, vars: ExprVars, calendars: CalendarMap, calendarId?: string): string {
  const env = {
    calendars,
    ...(calendarId ? { calendarId } : {}),
    evaluate: (expr: string) => compileExpression(expr)(vars),
  };
  return resolveDeadline(deadline as SlaDeadline, new Date(from), env).toISOString();
}
