import { type BusinessCalendar, type CalendarDocument, type CalendarRegistry, createCalendarRegistry } from '@estateflow/calendar';

/**
 * Where deadlines find calendars: a registry, or the calendar documents themselves (an array,
 * or a record by id as the engine keeps them). Documents are compiled once per object.
 */
export type CalendarSource = CalendarRegistry | readonly CalendarDocument[] | Readonly<Record<string, unknown>>;

const compiled = new WeakMap<object, CalendarRegistry>();

function isRegistry(source: CalendarSource): source is CalendarRegistry {
  return typeof (source as CalendarRegistry).get === 'function' && typeof (source as CalendarRegistry).ids === 'function';
}

/** The registry behind a source; `cn-statutory` is always available. */
export function registryOf(source: CalendarSource | undefined): CalendarRegistry {
  if (source === undefined) return defaultRegistry();
  if (isRegistry(source)) return source;
  const known = compiled.get(source);
  if (known) return known;
  const documents = ((Array.isArray(source) ? source : Object.values(source)) as CalendarDocument[]).filter(
    (d) => typeof d === 'object' && d !== null && typeof d.id === 'string',
  );
  // No documents: share the built-in registry, whose per-day memo then survives across calls.
  const registry = documents.length === 0 ? defaultRegistry() : createCalendarRegistry(documents);
  compiled.set(source, registry);
  return registry;
}

let fallback: CalendarRegistry | undefined;
function defaultRegistry(): CalendarRegistry {
  fallback ??= createCalendarRegistry();
  return fallback;
}

export const DEFAULT_CALENDAR_ID = 'cn-statutory';

export function calendarOf(source: CalendarSource | undefined, id: string | undefined): BusinessCalendar {
  return registryOf(source).get(id ?? DEFAULT_CALENDAR_ID);
}
