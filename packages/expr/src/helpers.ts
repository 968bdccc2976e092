import { Duration } from '@marcbachmann/cel-js/evaluator';
import { ExprError } from './errors.ts';

/** The time zone calendar helpers use when the expression names none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const FEN_PATTERN = /^(-)?(\d{1,13})(?:\.(\d{1,2}))?$/;

/** 12345 → "123.45"; -5 → "-0.05". Integer fen in, exact decimal string out. */
export function formatYuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${yuan.toString()}.${cents}`;
}

/** "123.45" → 12345n; rejects anything but a plain decimal with at most two places. */
export function parseFen(text: string): bigint {
  const m = FEN_PATTERN.exec(text.trim());
  if (!m) {
    throw new ExprError('runtime', {
      zh: `金额格式错误："${text.slice(0, 40)}"（应为如 123.45 的数字，最多两位小数）`,
      en: `Invalid amount "${text.slice(0, 40)}" (expected a number like 123.45, at most two decimals)`,
    });
  }
  const whole = BigInt(m[2] ?? '0');
  const cents = BigInt((m[3] ?? '').padEnd(2, '0') || '0');
  const fen = whole * 100n + cents;
  return m[1] ? -fen : fen;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch (cause) {
      throw new ExprError(
        'runtime',
        { zh: `未知时区："${timeZone.slice(0, 40)}"`, en: `Unknown time zone "${timeZone.slice(0, 40)}"` },
        { cause },
      );
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The calendar date of an instant in a time zone, as "YYYY-MM-DD". */
export function calendarDate(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function epochDay(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
}

/** Calendar days from `from` to `to` in the time zone (negative when `to` is earlier). */
export function daysBetween(from: Date, to: Date, timeZone: string = DEFAULT_TIME_ZONE): bigint {
  return BigInt(epochDay(calendarDate(to, timeZone)) - epochDay(calendarDate(from, timeZone)));
}

function durationOf(seconds: bigint): Duration {
  return new Duration(seconds, 0);
}

/** The exact sum of a list of CEL integers; anything else in it is an error, not a coercion. */
function sumOf(xs: unknown[]): bigint {
  let total = 0n;
  for (const x of xs) {
    if (typeof x !== 'bigint') throw new ExprError('runtime', { zh: 'sumOf 只能对整数列表求和', en: 'sumOf sums a list of integers only' });
    total += x;
  }
  return total;
}

/**
 * A list of maps numbered from `start`: each gets `no` (start, start+1, …) so a workflow can keep
 * items (defects, materials, checklist steps) in a context list and move one by its number.
 */
function numbered(xs: unknown[], start: bigint): unknown[] {
  return xs.map((x, i) => {
    if (x instanceof Map) return new Map([...x, ['no', start + BigInt(i)]]);
    if (x && typeof x === 'object' && !Array.isArray(x)) return { ...(x as Record<string, unknown>), no: start + BigInt(i) };
    throw new ExprError('runtime', { zh: 'numbered 只能为对象列表编号', en: 'numbered numbers a list of maps only' });
  });
}

type FunctionDef = { signature: string; handler: (...args: never[]) => unknown; description: string };

/** Functions added to every EstateFlow CEL environment. */
export const helperFunctions: readonly FunctionDef[] = [
  { signature: 'yuan(int): string', handler: (fen: bigint) => formatYuan(fen), description: 'Integer fen as a yuan string: yuan(12345) == "123.45"' },
  { signature: 'sumOf(list): int', handler: (xs: unknown[]) => sumOf(xs), description: 'The sum of a list of integers (e.g. a quote\'s line amounts): sumOf(event.data.quote.map(l, l.amountFen))' },
  { signature: 'numbered(list, int): list', handler: (xs: unknown[], start: bigint) => numbered(xs, start), description: 'Each map of a list with its number `no` from start: numbered(event.data.defectItems, size(context.defectItems) + 1)' },
  { signature: 'fenOf(string): int', handler: (s: string) => parseFen(s), description: 'A yuan amount string as integer fen: fenOf("123.45") == 12345' },
  { signature: 'daysBetween(google.protobuf.Timestamp, google.protobuf.Timestamp): int', handler: (a: Date, b: Date) => daysBetween(a, b), description: 'Calendar days between two instants in Asia/Shanghai' },
  { signature: 'daysBetween(google.protobuf.Timestamp, google.protobuf.Timestamp, string): int', handler: (a: Date, b: Date, tz: string) => daysBetween(a, b, tz), description: 'Calendar days between two instants in a time zone' },
  { signature: 'dateOf(google.protobuf.Timestamp): string', handler: (t: Date) => calendarDate(t), description: 'The date "YYYY-MM-DD" of an instant in Asia/Shanghai' },
  { signature: 'dateOf(google.protobuf.Timestamp, string): string', handler: (t: Date, tz: string) => calendarDate(t, tz), description: 'The date "YYYY-MM-DD" of an instant in a time zone' },
  { signature: 'minutes(int): google.protobuf.Duration', handler: (n: bigint) => durationOf(n * 60n), description: 'A duration of n minutes' },
  { signature: 'hours(int): google.protobuf.Duration', handler: (n: bigint) => durationOf(n * 3600n), description: 'A duration of n hours' },
  { signature: 'days(int): google.protobuf.Duration', handler: (n: bigint) => durationOf(n * 86_400n), description: 'A duration of n days of 24 hours' },
];
