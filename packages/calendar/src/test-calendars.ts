import type { CalendarDocument, TimeRange } from './calendar-document.ts';

const split: readonly TimeRange[] = [['08:30', '12:00'], ['13:30', '17:30']];

/** Fixtures shared by this package's tests: an office, a 24×7 line, a long desk, two DST zones. */
export const fixtureCalendars: CalendarDocument[] = [
  {
    kind: 'calendar',
    id: 'cn-office',
    title: { zh: '公司办公日历', en: 'Company office calendar' },
    inherits: 'cn-statutory',
    week: { mon: split, tue: split, wed: split, thu: split, fri: split },
  },
  {
    kind: 'calendar',
    id: 'emergency-24x7',
    inherits: 'cn-office',
    observeHolidays: false,
    week: Object.fromEntries((['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((d) => [d, [['00:00', '24:00']]])),
  },
  {
    kind: 'calendar',
    id: 'front-desk',
    inherits: 'cn-office',
    week: Object.fromEntries((['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((d) => [d, [['08:00', '20:00']]])),
    holidays: [],
  },
  {
    kind: 'calendar',
    id: 'berlin-office',
    timeZone: 'Europe/Berlin',
    week: {
      ...Object.fromEntries((['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [['08:00', '17:00']]])),
      sun: [['01:30', '03:30']],
    },
  },
  {
    kind: 'calendar',
    id: 'new-york-24x7',
    timeZone: 'America/New_York',
    week: Object.fromEntries((['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((d) => [d, [['00:00', '24:00']]])),
  },
];
