import y2024 from '../data/holiday-cn/2024.json' with { type: 'json' };
import y2025 from '../data/holiday-cn/2025.json' with { type: 'json' };
import y2026 from '../data/holiday-cn/2026.json' with { type: 'json' };
import type { CalendarDay, CalendarDocument } from './calendar-document.ts';

const years = [y2024, y2025, y2026];

/** Years whose State Council notice the built-in data covers; outside them only weekends are off. */
export const CN_STATUTORY_YEARS: readonly number[] = years.map((y) => y.year);

const days = years.flatMap((y) => y.days);
const pick = (off: boolean): CalendarDay[] => days.filter((d) => d.isOffDay === off).map((d) => ({ date: d.date, name: d.name }));

/**
 * The built-in `cn-statutory` calendar: Monday–Friday 09:00–12:00 and 13:00–18:00 (the
 * statutory 8-hour day), China's public holidays off and the make-up working days (调休) worked,
 * 2024–2026, from NateScarlet/holiday-cn (MIT).
 */
export const cnStatutoryCalendar: CalendarDocument = {
  kind: 'calendar',
  id: 'cn-statutory',
  title: { zh: '中国法定工作日历', en: 'China statutory working calendar' },
  timeZone: 'Asia/Shanghai',
  week: Object.fromEntries(
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [['09:00', '12:00'], ['13:00', '18:00']] as const]),
  ),
  holidays: pick(true),
  workdays: pick(false),
};
