import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarDate, checkExpr, daysBetween, evaluateExpr, ExprError, formatYuan, parseFen } from './index.ts';

describe('money helpers', () => {
  it('formats integer fen as yuan with two decimals', () => {
    expect(evaluateExpr('yuan(12345)')).toBe('123.45');
    expect(evaluateExpr('yuan(5)')).toBe('0.05');
    expect(evaluateExpr('yuan(-5)')).toBe('-0.05');
    expect(evaluateExpr('yuan(0)')).toBe('0.00');
  });

  it('parses a yuan string into integer fen without floating point', () => {
    expect(evaluateExpr('fenOf("123.45")')).toBe(12345);
    expect(evaluateExpr('fenOf("0.1") + fenOf("0.2")')).toBe(30);
    expect(evaluateExpr('fenOf("7")')).toBe(700);
    expect(evaluateExpr('fenOf("-1.5")')).toBe(-150);
  });

  it('sums a quote\'s line amounts exactly, and refuses a list that is not of integers', () => {
    expect(evaluateExpr('sumOf([2000, 3000, 150])')).toBe(5150);
    expect(evaluateExpr('sumOf([])')).toBe(0);
    expect(evaluateExpr('sumOf(event.data.q.map(l, l.amountFen))', { event: { type: 'QUOTE', data: { q: [{ amountFen: 2000 }, { amountFen: 4500 }] } } })).toBe(6500);
    expect(() => evaluateExpr('sumOf(["a"])')).toThrow();
  });

  it('numbers the items of a list from a start', () => {
    expect(evaluateExpr("numbered([{'a': 'x'}, {'a': 'y'}], 3)")).toEqual([{ a: 'x', no: 3 }, { a: 'y', no: 4 }]);
    expect(evaluateExpr('numbered(event.data.d.map(i, {"at": i.at, "state": "open"}), size(context.l) + 1)', { context: { l: [1] }, event: { type: 'X', data: { d: [{ at: '卧室' }] } } })).toEqual([{ at: '卧室', state: 'open', no: 2 }]);
    expect(() => evaluateExpr('numbered([1], 1)')).toThrow();
  });

  it('rejects amounts with more than two decimals or stray characters', () => {
    for (const bad of ['1.234', '12a', '', '1e5', '¥3']) {
      expect(() => parseFen(bad)).toThrow(ExprError);
    }
    expect(() => evaluateExpr('fenOf("1.234")')).toThrow(/at most two decimals/);
  });

  it('round-trips any fen amount through yuan and fenOf', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (fen) => parseFen(formatYuan(fen)) === fen),
    );
  });
});

describe('time helpers', () => {
  const vars = { now: new Date('2026-03-01T15:59:00Z') }; // 23:59 in Shanghai

  it('reads date parts in the estate time zone', () => {
    expect(evaluateExpr('now.getHours("Asia/Shanghai")', vars)).toBe(23);
    expect(evaluateExpr('now.getHours("UTC")', vars)).toBe(15);
    expect(evaluateExpr('now.getDayOfWeek("Asia/Shanghai")', vars)).toBe(0);
  });

  it('requires a time zone for date parts of a timestamp, but not of a duration', () => {
    const [issue] = checkExpr('now.getHours() >= 17');
    expect(issue?.reason).toBe('type');
    expect(issue?.message.en).toBe('getHours() without a time zone reads UTC; write getHours("Asia/Shanghai") (line 1, column 1)');
    expect(checkExpr('instance.startedAt.getDayOfWeek() == 0')).toEqual([]); // dyn receiver: cannot know statically
    expect(checkExpr('(now - timestamp("2026-01-01T00:00:00Z")).getHours() > 2')).toEqual([]);
  });

  it('counts calendar days between instants in Asia/Shanghai by default', () => {
    const later = new Date('2026-03-01T16:01:00Z'); // 00:01 next day in Shanghai
    expect(daysBetween(vars.now, later)).toBe(1n);
    expect(daysBetween(vars.now, later, 'UTC')).toBe(0n);
    expect(evaluateExpr('daysBetween(now, now + duration("2m"))', vars)).toBe(1);
    expect(evaluateExpr('daysBetween(now + duration("2m"), now)', vars)).toBe(-1);
  });

  it('counts a leap day in February 2028', () => {
    expect(daysBetween(new Date('2028-02-28T04:00:00Z'), new Date('2028-03-01T04:00:00Z'))).toBe(2n);
  });

  it('gives the calendar date of an instant', () => {
    expect(calendarDate(vars.now)).toBe('2026-03-01');
    expect(evaluateExpr('dateOf(now + duration("1m"))', vars)).toBe('2026-03-02');
    expect(evaluateExpr('dateOf(now, "UTC")', vars)).toBe('2026-03-01');
  });

  it('builds durations from minutes, hours and days', () => {
    expect(evaluateExpr('minutes(15)')).toBe(15 * 60_000);
    expect(evaluateExpr('now + days(1) == now + hours(24)', vars)).toBe(true);
    expect(evaluateExpr('duration("15m") == minutes(15)')).toBe(true);
  });

  it('names an unknown time zone', () => {
    expect(() => evaluateExpr('dateOf(now, "Mars/Olympus")', vars)).toThrow(/Unknown time zone/);
  });
});

describe('collection helpers', () => {
  it('supports size() and has()', () => {
    const vars = { context: { items: [1, 2], serial: 'A1' } };
    expect(evaluateExpr('size(context.items) == 2 && context.items.size() == 2', vars)).toBe(true);
    expect(evaluateExpr('has(context.serial) && !has(context.missing)', vars)).toBe(true);
  });
});
