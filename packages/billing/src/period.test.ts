import { describe, expect, it } from 'vitest';
import { parsePeriod, periodContaining, periodOf, periodsBetween } from './period.ts';

describe('periods', () => {
  it('names and bounds a period of each cadence', () => {
    expect(periodOf('monthly', 2028, 2)).toMatchObject({ id: '2028-02', start: '2028-02-01', end: '2028-02-29', months: 1 });
    expect(periodOf('quarterly', 2027, 1)).toMatchObject({ id: '2027-Q1', start: '2027-01-01', end: '2027-03-31', months: 3 });
    expect(periodOf('semi-annual', 2027, 2)).toMatchObject({ id: '2027-H2', start: '2027-07-01', end: '2027-12-31', months: 6 });
  });

  it('parses period ids and rejects the wrong cadence with a bilingual message', () => {
    expect(parsePeriod({ cadence: 'quarterly' }, '2027-Q4')).toMatchObject({ start: '2027-10-01', end: '2027-12-31' });
    const e = parsePeriod({ cadence: 'quarterly' }, '2027-05');
    expect(e).toMatchObject({ reason: 'invalid-period', path: '/period' });
    expect('message' in e && e.message.zh).toContain('2027-Q1');
    expect(parsePeriod({ cadence: 'semi-annual' }, '2027-H3')).toMatchObject({ reason: 'invalid-period' });
  });

  it('finds the period containing a date, with a fiscal anchor month too', () => {
    expect(periodContaining({ cadence: 'quarterly' }, '2027-02-20').id).toBe('2027-Q1');
    expect(periodContaining({ cadence: 'semi-annual' }, '2027-07-01').id).toBe('2027-H2');
    const april = { cadence: 'quarterly' as const, anchorMonth: 4 };
    expect(periodContaining(april, '2027-02-20')).toMatchObject({ id: '2026-Q4', start: '2027-01-01', end: '2027-03-31' });
    expect(periodContaining(april, '2027-04-01')).toMatchObject({ id: '2027-Q1', start: '2027-04-01' });
  });

  it('lists the periods starting in a range', () => {
    expect(periodsBetween({ cadence: 'monthly' }, '2027-01-15', '2027-04-01').map((p) => p.id)).toEqual(['2027-02', '2027-03', '2027-04']);
    expect(periodsBetween({ cadence: 'semi-annual' }, '2027-01-01', '2028-12-31').map((p) => p.id)).toEqual(['2027-H1', '2027-H2', '2028-H1', '2028-H2']);
  });
  it('refuses a year outside 1900-2999, whose dates would leave four digits', () => {
    const plan = { cadence: 'monthly' as const };
    expect(parsePeriod(plan, '9999-12')).toMatchObject({ reason: 'invalid-period', path: '/period' });
    expect(parsePeriod(plan, '1899-12')).toMatchObject({ reason: 'invalid-period' });
    expect(parsePeriod(plan, '2999-12')).toMatchObject({ id: '2999-12', end: '2999-12-31' });
  });
});
