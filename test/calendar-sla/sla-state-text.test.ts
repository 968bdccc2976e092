import { describe, expect, it } from 'vitest';
import { describeState } from '@estateflow/engine';
import { describePaths, statePaths } from '@estateflow/sla';

// SLA expressions read `instance.state` as the workflow's guards do: the same string for the same state value
describe('describePaths', () => {
  const values: unknown[] = [
    'received',
    { handling: 'contacting' },
    { work: { onSite: 'rework' } },
    { p: { a: 'x', b: { c: 'y' } } },
    { kept: 'seekingOwner' },
  ];
  it.each(values.map((v) => [JSON.stringify(v), v]))('reads %s as describeState does', (_, v) => {
    expect(describePaths(statePaths(v as never))).toBe(describeState(v));
  });
  it('is empty for no active state', () => {
    expect(describePaths([])).toBe('');
  });
});
