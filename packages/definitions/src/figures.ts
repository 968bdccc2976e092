/**
 * The figures of a month a form field may hold (`figure` on a layout field, #22: PS-8, PS-9, RP-5,
 * SV-1, SV-5): computed by the server from the report rollups for the request's `month` and frozen
 * into the event's history when it is submitted, whatever the filler sent. A single figure is a
 * number (or, `surveys.met`, a yes/no); a table is a list of rows with the columns named here.
 * Percentages are to one decimal place, and absent where there is nothing to divide by.
 */
export const FIGURE_TABLES = {
  requests: ['workflow', 'started', 'finished'],
  byCategory: ['workflow', 'category', 'count'],
  byChannel: ['workflow', 'channel', 'count'],
  onTime: ['workflow', 'metric', 'met', 'breached', 'ratePercent'],
  revisits: ['workflow', 'finished', 'revisited', 'coveragePercent', 'revisits', 'onSite', 'onSitePercent', 'satisfied', 'dissatisfied', 'satisfactionPercent'],
  rework: ['workflow', 'started', 'reworked', 'reworks', 'ratePercent'],
  complaints: ['grade', 'count'],
} as const satisfies Record<string, readonly string[]>;

export const FIGURE_SCALARS = [
  'requests.started', 'requests.finished',
  'revisits.finished', 'revisits.revisited', 'revisits.revisits', 'revisits.onSite', 'revisits.satisfied', 'revisits.dissatisfied',
  'revisits.coveragePercent', 'revisits.onSitePercent', 'revisits.satisfactionPercent',
  'rework.reworked', 'rework.reworks', 'complaints.count',
  'surveys.households', 'surveys.returned', 'surveys.returnPercent', 'surveys.targetPercent', 'surveys.met',
] as const;

export type FigureTable = keyof typeof FIGURE_TABLES;
export type FigureScalar = (typeof FIGURE_SCALARS)[number];
export type Figure = FigureTable | FigureScalar;

export const isFigureTable = (f: string): f is FigureTable => Object.hasOwn(FIGURE_TABLES, f);
