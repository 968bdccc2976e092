import { describe, expect, it } from 'vitest';
import { fill } from '../../apps/web/src/lib/i18n/fill.ts';
import { en } from '../../apps/web/src/lib/i18n/en.ts';

// "No machinery on screen" includes English that reads as English: "1 bill", not "1 bills".
describe('i18n fill', () => {
  it('fills variables and picks the English plural by the count', () => {
    expect(fill(en['unit.billCount'], { n: 1 })).toBe('1 bill');
    expect(fill(en['unit.billCount'], { n: 0 })).toBe('0 bills');
    expect(fill(en['unit.billCount'], { n: 12 })).toBe('12 bills');
    expect(fill(en['bills.arrearsUnits'], { n: 1 })).toBe('1 household in arrears, largest first');
    expect(fill(en['day.unbalanced'], { count: 1 })).toMatch(/^1 entry has no receipt/);
    expect(fill(en['run.done'], { count: 2, amount: '¥3.00' })).toBe('Issued 2 bills, ¥3.00 in all');
    // a missing variable stays visible rather than blank
    expect(fill('{a} and {b}', { a: 'x' })).toBe('x and {b}');
  });

  it('leaves no plural form unfilled in any English message', () => {
    for (const [key, template] of Object.entries(en)) {
      const names = [...template.matchAll(/\{(\w+)(?::[^{}]*)?\}/g)].map((m) => m[1]!);
      const vars = Object.fromEntries(names.map((n) => [n, 2]));
      expect(fill(template, vars), key).not.toMatch(/\{\w+(:[^{}]*)?\}/);
    }
  });
});
