/**
 * Seam to `@estateflow/calendar` / `@estateflow/sla` (`resolveDeadline`). Until those land,
 * calendar time is computed here in a fixed UTC offset (Asia/Shanghai, +08:00, no DST) and
 * `working: true` counts Monday–Friday 08:30–12:00, 13:30–17:30.
 */
import type { Deadline, Duration, SimpleDeadline } from './definitions.ts';
import { compileExpression, type ExprVars } from './expr.ts';

export type CalendarMap = Record<string, unknown>;
const OFFSET_MS = 8 * 3600_000;
const UNIT_MS = { minutes: 60_000, hours: 3600_000, days: 86_400_000, weeks: 7 * 86_400_000 } as const;
const WORK: [number, number][] = [[8 * 60 + 30, 12 * 60], [13 * 60 + 30, 17 * 60 + 30]];

function amountOf(d: Duration, vars: ExprVars): number {
  const n = typeof d.amount === 'number' ? d.amount : Number(compileExpression(d.amount)(vars));
  if (!Number.isFinite(n)) throw new Error(`Duration amount "${String(d.amount)}" is not a number`);
  return n;
}

function addCalendar(from: Date, d: Duration, n: number): Date {
  if (d.unit === 'months' || d.unit === 'years') {
    const t = new Date(from.getTime() + OFFSET_MS);
    t.setUTCMonth(t.getUTCMonth() + (d.unit === 'years' ? 12 * n : n));
    return new Date(t.getTime() - OFFSET_MS);
  }
  return new Date(from.getTime() + n * UNIT_MS[d.unit]);
}

function addWorking(from: Date, d: Duration, n: number): Date {
  const perDay = WORK.reduce((s, [a, b]) => s + b - a, 0);
  let left = d.unit === 'minutes' ? n : d.unit === 'hours' ? n * 60 : n * perDay * (d.unit === 'weeks' ? 5 : 1);
  let t = new Date(from.getTime() + OFFSET_MS);
  for (let guard = 0; guard < 10_000; guard++) {
    const dow = t.getUTCDay();
    const minute = t.getUTCHours() * 60 + t.getUTCMinutes();
    const day = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
    if (dow !== 0 && dow !== 6) {
      for (const [a, b] of WORK) {
        const start = Math.max(a, minute);
        if (start >= b) continue;
        if (left <= b - start) return new Date(day + (start + left) * 60_000 - OFFSET_MS);
        left -= b - start;
      }
    }
    t = new Date(day + 86_400_000);
  }
  throw new Error('working-time addition did not converge');
}

function simple(d: SimpleDeadline, from: Date, vars: ExprVars): Date {
  if ('after' in d) {
    const n = amountOf(d.after, vars);
    return d.working ? addWorking(from, d.after, n) : addCalendar(from, d.after, n);
  }
  const local = new Date(from.getTime() + OFFSET_MS);
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  if ('endOfDay' in d) return new Date(day + 86_400_000 - 1000 - OFFSET_MS);
  if ('at' in d) {
    const [h, m] = d.at.split(':').map(Number);
    return new Date(day + ((h ?? 0) * 60 + (m ?? 0)) * 60_000 - OFFSET_MS);
  }
  if ('dayOfMonth' in d) {
    const t = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + (d.monthsAhead ?? 0), d.dayOfMonth);
    return new Date(t + 86_400_000 - 1000 - OFFSET_MS);
  }
  const v = compileExpression(d.expr)(vars);
  const at = new Date(String(v));
  if (Number.isNaN(at.getTime())) throw new Error(`Deadline expression "${d.expr}" did not give a timestamp`);
  return at;
}

/** When a deadline armed at `from` falls due (ISO string). */
export function resolveDeadlineAt(deadline: Deadline, from: string, vars: ExprVars, _calendars: CalendarMap): string {
  const start = new Date(from);
  if ('cases' in deadline) {
    for (const c of deadline.cases) if (compileExpression(c.when)(vars) === true) return simple(c.deadline, start, vars).toISOString();
    if (!deadline.else) throw new Error('No deadline case matched and there is no "else"');
    return simple(deadline.else, start, vars).toISOString();
  }
  return simple(deadline, start, vars).toISOString();
}
