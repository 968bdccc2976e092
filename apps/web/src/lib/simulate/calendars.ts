/**
 * The calendars a simulation runs on: the estate calendars the user keeps, and optionally one of
 * them standing in for the default `cn-statutory` (what every deadline without a named calendar
 * uses), to see a workflow on, say, the customer-service centre's hours. The built-in statutory
 * calendar stays reachable under another id for calendars that inherit from it.
 */
import { cnStatutoryCalendar } from '@estateflow/calendar';

type Doc = { id?: string; inherits?: string } & Record<string, unknown>;

export const DEFAULT_CALENDAR = 'cn-statutory';
const STATUTORY_BASE = 'cn-statutory-builtin';

export function simulationCalendars(estate: Record<string, unknown>, include: readonly string[], defaultCalendar: string = DEFAULT_CALENDAR): Record<string, unknown> {
  const kept = Object.entries(estate).filter(([id]) => include.includes(id)) as [string, Doc][];
  if (defaultCalendar === DEFAULT_CALENDAR) return Object.fromEntries(kept);
  const chosen = kept.find(([id]) => id === defaultCalendar)?.[1];
  if (!chosen) return Object.fromEntries(kept);
  const rebase = (d: Doc): Doc => (d.inherits === DEFAULT_CALENDAR ? { ...d, inherits: STATUTORY_BASE } : d);
  return {
    ...Object.fromEntries(kept.map(([id, d]) => [id, rebase(d)])),
    [STATUTORY_BASE]: { ...cnStatutoryCalendar, id: STATUTORY_BASE },
    [DEFAULT_CALENDAR]: { ...rebase(chosen), id: DEFAULT_CALENDAR },
  };
}
