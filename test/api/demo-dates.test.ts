import { expect, it } from 'vitest';
import { shiftInstants } from '../../apps/api/src/demo-activity.ts';

it('moves a scenario\'s instants and dates to the demo\'s today, leaving other values alone', () => {
  const day = 86_400_000;
  const data = { at: '2026-07-04T09:30:00+08:00', on: '2026-07-04', phone: '13800000000', list: ['2026-07-04T01:30:00Z', 3], nested: { n: true } };
  const moved = shiftInstants(data, 10 * day + 3_600_000);
  expect(moved).toEqual({ at: '2026-07-14T02:30:00.000Z', on: '2026-07-14', phone: '13800000000', list: ['2026-07-14T02:30:00.000Z', 3], nested: { n: true } });
  expect(shiftInstants(data, 0)).toBe(data);
});
