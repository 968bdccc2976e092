import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { calendarCommand } from './calendar.ts';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
};
const holidayCn2026 = fileURLToPath(new URL('../../../calendar/data/holiday-cn/2026.json', import.meta.url));

describe('wf calendar import', () => {
  it('writes a calendar document from a holiday-cn year with the 2026 make-up days', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wf-calendar-'));
    const out = join(dir, 'cn-2026.calendar.json');
    const c = capture();
    expect(await calendarCommand(['import', holidayCn2026, '--out', out], c.io)).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8')) as { id: string; inherits: string; workdays: { date: string }[] };
    expect(doc.id).toBe('cn-statutory-2026');
    expect(doc.inherits).toBe('cn-statutory');
    expect(doc.workdays.map((d) => d.date)).toContain('2026-10-10');
    expect(c.out[0]).toContain('6 个调休上班日');
  });

  it('prints a standalone calendar from an .ics file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wf-calendar-'));
    const file = join(dir, 'cn-2027.ics');
    await writeFile(file, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t//CN', 'BEGIN:VEVENT', 'UID:a', 'DTSTAMP:20261120T000000Z',
      'DTSTART;VALUE=DATE:20270101', 'SUMMARY:元旦', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n'));
    const c = capture();
    expect(await calendarCommand(['import', file, '--id', 'cn-2027', '--standalone'], c.io)).toBe(0);
    const doc = JSON.parse(c.out.join('\n')) as { id: string; inherits?: string; holidays: { date: string; name: string }[] };
    expect(doc).toMatchObject({ id: 'cn-2027', holidays: [{ date: '2027-01-01', name: '元旦' }] });
    expect(doc.inherits).toBeUndefined();
  });

  it('names the file and JSON pointer of a bad entry in Chinese and English', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wf-calendar-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ year: 2027, days: [{ name: '元旦', date: '2027-01-01', isOffDay: 'yes' }] }));
    const c = capture();
    expect(await calendarCommand(['import', file], c.io)).toBe(1);
    expect(c.err.join('\n')).toContain('bad.json#/days/0/isOffDay: isOffDay 必须为 true 或 false');
    expect(c.err.join('\n')).toContain('isOffDay must be true or false');
    expect(await calendarCommand(['export'], capture().io)).toBe(2);
  });
});
