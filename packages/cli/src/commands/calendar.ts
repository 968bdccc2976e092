/**
 * `wf calendar import <file> [--out calendar.json] [--id id] [--inherits id | --standalone]`:
 * turns a year of holidays and make-up working days (holiday-cn JSON, or an .ics file) into a
 * `calendar` document, printed or written to `--out`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CalendarError, calendarFromHolidayCn, calendarFromIcs, type CalendarDocument } from '@estateflow/calendar';
import { parseCommandArgs, processIo, type Command } from './io.ts';

const HELP = `用法 usage: wf calendar import <file> [--out calendar.json] [--id id] [--inherits id | --standalone]
  <file>          holiday-cn 年度 JSON（{ year, days: [{ name, date, isOffDay }] }）或 .ics 文件
                  a holiday-cn year (JSON) or an iCalendar (.ics) file of all-day events
  --out file      写入文件，否则打印 write the calendar document there, else print it
  --id id         日历 id（默认 cn-statutory-<年>）calendar id (default cn-statutory-<year>)
  --inherits id   继承的日历（默认 cn-statutory）calendar it refines (default cn-statutory)
  --standalone    不继承 inherit nothing`;

function importDocument(file: string, text: string, options: { id?: string; inherits?: string | null }): CalendarDocument {
  const isIcs = file.toLowerCase().endsWith('.ics') || text.trimStart().startsWith('BEGIN:VCALENDAR');
  if (isIcs) return calendarFromIcs(text, options);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new CalendarError('invalid-import', { zh: `${file} 不是有效的 JSON`, en: `${file} is not valid JSON` }, { path: '', cause });
  }
  return calendarFromHolidayCn(data, options);
}

export const calendarCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(
    args,
    { out: { type: 'string' }, id: { type: 'string' }, inherits: { type: 'string' }, standalone: { type: 'boolean' } },
    HELP,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, file] = positionals;
  if (sub !== 'import' || !file) {
    io.err(HELP);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (e) {
    io.err(`无法读取文件 cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  try {
    const inherits = values.standalone ? null : values.inherits;
    const doc = importDocument(file, text, { ...(values.id ? { id: values.id } : {}), ...(inherits !== undefined ? { inherits } : {}) });
    const json = `${JSON.stringify({ $schema: '../../../schemas/calendar.schema.json', ...doc }, null, 2)}\n`;
    if (values.out) {
      await writeFile(resolve(values.out), json);
      io.out(`已写入 wrote ${values.out}: ${doc.holidays?.length ?? 0} 个节假日 holidays, ${doc.workdays?.length ?? 0} 个调休上班日 make-up working days`);
    } else {
      io.out(json.trimEnd());
    }
    return 0;
  } catch (e) {
    if (e instanceof CalendarError) {
      io.err(`${file}#${e.path ?? ''}: ${e.messages.zh}\n${file}#${e.path ?? ''}: ${e.messages.en}`);
      return 1;
    }
    throw e;
  }
};
