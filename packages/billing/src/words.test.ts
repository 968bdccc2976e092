import { describe, expect, it } from 'vitest';
import { defaultPlan } from './default-plan.ts';
import { lateFeeRuleWords, lateFeeWarning, periodWords } from './words.ts';

describe('words', () => {
  it('says the default late-fee rule (BL-2) as the plan page shows it, and a cap and waivers when set', () => {
    const plan = defaultPlan('quarterly', { id: 'q', feeSchedule: 's' });
    expect(lateFeeRuleWords(plan).zh).toBe('每日按欠费的 3‰ 计收滞纳金，自计费期首日起至缴清之日止；最后缴款通知书发出后计入账单（此前缴清的不计）；不设上限');
    expect(lateFeeRuleWords(plan).en).toBe("A late fee of 3‰ of the arrears a day, from the period's first day through the day paid; charged on the bill from the final notice (nothing if paid before it); no cap");
    const capped = { ...plan, lateFee: { ...plan.lateFee, dailyRate: { numerator: 1, denominator: 2000 }, cap: { ratioOfPrincipal: { numerator: 1, denominator: 5 }, maxFen: 50000 }, waiver: { belowFen: 100 } } };
    expect(lateFeeRuleWords(capped).zh).toBe('每日按欠费的 0.5‰ 计收滞纳金，自计费期首日起至缴清之日止；最后缴款通知书发出后计入账单（此前缴清的不计）；不超过欠费的 20%且不超过 ¥500.00；不足 ¥1.00 免收');
    expect(lateFeeWarning(plan, '2027-01-01').zh).toBe('自 2027-01-01 起每日按欠费的 3‰ 计收滞纳金，至缴清之日止');
  });

  it('names periods in words per locale', () => {
    expect(periodWords('2026-Q4')).toEqual({ zh: '2026年第4季度', en: 'Q4 2026' });
    expect(periodWords('2027-H1')).toEqual({ zh: '2027年上半年', en: 'First half of 2027' });
    expect(periodWords('2027-03')).toEqual({ zh: '2027年3月', en: 'March 2027' });
  });
});
