import { readFileSync } from 'node:fs';
import { calendarFromHolidayCn, cnStatutoryCalendar } from '@estateflow/calendar';
import { createAjv } from '@estateflow/definitions';
import { describe, expect, it } from 'vitest';

const schemaDir = new URL('../../schemas/', import.meta.url);
const load = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(file, schemaDir), 'utf8')) as Record<string, unknown>;

const ajv = createAjv();
ajv.addSchema(load('common.schema.json'));
const calendarSchema = load('calendar.schema.json');
const slaSchema = load('sla.schema.json');
const validateCalendar = ajv.compile(calendarSchema);
const validateSla = ajv.compile(slaSchema);

describe('calendar and sla schemas', () => {
  it('accept their own examples under the strict validator', () => {
    for (const example of calendarSchema['examples'] as unknown[]) expect(validateCalendar(example), JSON.stringify(validateCalendar.errors)).toBe(true);
    for (const example of slaSchema['examples'] as unknown[]) expect(validateSla(example), JSON.stringify(validateSla.errors)).toBe(true);
  });

  it('accept the built-in cn-statutory calendar and every imported holiday-cn year', () => {
    expect(validateCalendar(cnStatutoryCalendar), JSON.stringify(validateCalendar.errors)).toBe(true);
    for (const year of [2024, 2025, 2026]) {
      const data: unknown = JSON.parse(readFileSync(new URL(`../../packages/calendar/data/holiday-cn/${year}.json`, import.meta.url), 'utf8'));
      expect(validateCalendar(calendarFromHolidayCn(data)), JSON.stringify(validateCalendar.errors)).toBe(true);
    }
  });

  it('reject a working interval of three times or ending at 25:00 and a metric without a stop condition, naming the path', () => {
    expect(validateCalendar({ kind: 'calendar', id: 'x', week: { mon: [['08:00', '12:00', '13:00']] } })).toBe(false);
    expect(validateCalendar.errors?.some((e) => e.instancePath === '/week/mon/0')).toBe(true);
    expect(validateCalendar({ kind: 'calendar', id: 'x', week: { mon: [['08:00', '25:00']] } })).toBe(false);
    expect(validateCalendar.errors?.some((e) => e.instancePath === '/week/mon/0/1')).toBe(true);
    expect(validateSla({ kind: 'sla', id: 'x', metrics: [{ id: 'm', start: [{ enter: 'a' }], goals: [{ deadline: { endOfDay: true } }] }] })).toBe(false);
    expect(validateSla.errors?.some((e) => e.instancePath === '/metrics/0' && e.message?.includes('stop'))).toBe(true);
  });
});
